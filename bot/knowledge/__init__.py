"""Curated passages about heroin, opioids and depression: load, validate, search, quote."""

from bot.knowledge.answer import describe_source, format_answer, source_line
from bot.knowledge.load import KnowledgeError, clear_cache, load_excluded, load_knowledge
from bot.knowledge.model import ExcludedSpan, Knowledge, Passage, Source, Topic
from bot.knowledge.retrieve import ScoredPassage, rank, tokens
from bot.knowledge.validate import Problem, validate_knowledge

__all__ = [
    "ExcludedSpan",
    "Knowledge",
    "KnowledgeError",
    "Passage",
    "Problem",
    "ScoredPassage",
    "Source",
    "Topic",
    "clear_cache",
    "describe_source",
    "format_answer",
    "load_excluded",
    "load_knowledge",
    "rank",
    "source_line",
    "tokens",
    "validate_knowledge",
]
