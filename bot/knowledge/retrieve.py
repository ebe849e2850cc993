"""A small, deterministic lexical retriever: BM25 over the curated passages.

A passage's score is BM25 over its text plus a weighted BM25 over its topic's label and
description (so, within one topic, only the text decides). Ties keep the
curated order, so with a topic and no usable query the topic's best passage comes first.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from bot.knowledge.model import Knowledge, Passage

K1 = 1.5
B = 0.75
MIN_STEM = 4
# How much a match on the topic's label and description counts against one on the text.
TOPIC_WEIGHT = 0.5

_STOPWORD_TEXT = """
    a about after all also am an and any are as at be been being but by can could did do does
    doing for from had has have having he her hers him his how i if in into is it its itself
    just me more most my no not of on or our ours out over own really same she should so some
    such than that the their theirs them then there these they this those through to too under
    up very was we were what when where which while who whom why will with would you your
    yours u ur im ive dont doesnt isnt cant wont didnt thats whats tell know please hi hey
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
# Common misspellings and word forms the stemmer cannot join, mapped before stemming.
VARIANTS = {
    "herion": "heroin",
    "heroine": "heroin",
    "depresion": "depression",
    "depresant": "depressant",
    "withdrawl": "withdrawal",
    "withdrawel": "withdrawal",
    "withdrawls": "withdrawal",
    "tolerence": "tolerance",
    "methodone": "methadone",
    "metadone": "methadone",
    "opiods": "opioids",
    "oppioids": "opioids",
    "opoids": "opioids",
    "residental": "residential",
    "duel": "dual",
    "using": "use",
    "used": "use",
    "uses": "use",
    "user": "use",
    "users": "use",
}
# Longest first; a suffix is removed only if at least MIN_STEM letters remain.
SUFFIXES = (
    "ations", "ation", "ingly", "ings", "ions", "ives", "ness", "ment", "edly",
    "ing", "ion", "ive", "ies", "ied", "ers", "est", "ed", "es", "er", "ly", "al", "s", "e",
)  # fmt: skip

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


@dataclass(frozen=True)
class ScoredPassage:
    passage: Passage
    score: float


def stem(word: str) -> str:
    """Light suffix stripping: depression/depressed/depressing -> depress, nodding -> nod."""
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            word = word[: -len(suffix)]
            if len(word) > 2 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]  # nodd -> nod, occurr -> occur
            return word
    return word


def tokens(text: str) -> list[str]:
    """Lowercase word stems without stopwords; apostrophes folded, possessives dropped."""
    text = text.lower().replace("’", "'").replace("‘", "'")
    words = (match.removesuffix("'s").replace("'", "") for match in _TOKEN.findall(text))
    return [stem(VARIANTS.get(word, word)) for word in words if word not in STOPWORDS]


class _Bm25:
    """Okapi BM25 statistics over a fixed set of documents."""

    def __init__(self, documents: dict[str, list[str]]) -> None:
        self.terms = {key: Counter(words) for key, words in documents.items()}
        self.length = {key: len(words) for key, words in documents.items()}
        count = max(len(documents), 1)
        self.average_length = sum(self.length.values()) / count or 1.0
        document_frequency: Counter[str] = Counter()
        for counts in self.terms.values():
            document_frequency.update(counts.keys())
        self.idf = {
            term: math.log(1 + (count - df + 0.5) / (df + 0.5))
            for term, df in document_frequency.items()
        }

    def score(self, key: str, query: Iterable[str]) -> float:
        counts = self.terms.get(key)
        if not counts:
            return 0.0
        norm = K1 * (1 - B + B * self.length[key] / self.average_length)
        total = 0.0
        for term in query:
            tf = counts.get(term, 0)
            if tf:
                total += self.idf[term] * tf * (K1 + 1) / (tf + norm)
        return total


class _Index:
    """Built once per Knowledge: passage text and topic label/description as two fields."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.order = {passage.id: n for n, passage in enumerate(knowledge.passages)}
        self.text = _Bm25({p.id: tokens(p.text) for p in knowledge.passages})
        self.topic = _Bm25(
            {t.id: tokens(f"{t.label} {t.description}") for t in knowledge.topics.values()}
        )

    def score(self, passage: Passage, query: list[str]) -> float:
        return self.text.score(passage.id, query) + TOPIC_WEIGHT * self.topic.score(
            passage.topic, query
        )


_INDEXES: WeakKeyDictionary[Knowledge, _Index] = WeakKeyDictionary()


def _index(knowledge: Knowledge) -> _Index:
    index = _INDEXES.get(knowledge)
    if index is None:
        index = _INDEXES[knowledge] = _Index(knowledge)
    return index


def _is_payload(query: str) -> bool:
    return query.strip().startswith("/")


def rank(
    knowledge: Knowledge,
    query: str,
    topic: str | None = None,
    exclude: Collection[str] = (),
) -> list[ScoredPassage]:
    """Passages for a question, best first; excluded ids are never returned.

    With a topic: all of that topic's passages, by score, ties in curated order (so an empty
    query or a button payload such as "/ask_withdrawal" gives the curated order).
    Without a topic: only passages that share at least one term with the query.
    """
    index = _index(knowledge)
    excluded = set(exclude)
    if topic is not None:
        candidates = [p for p in knowledge.passages_for(topic) if p.id not in excluded]
    else:
        candidates = [p for p in knowledge.passages if p.id not in excluded]
    query_terms = [] if _is_payload(query) else tokens(query)
    scored = [ScoredPassage(p, index.score(p, query_terms)) for p in candidates]
    if topic is None:
        scored = [item for item in scored if item.score > 0]
    scored.sort(key=lambda item: (-item.score, index.order[item.passage.id]))
    return scored
