"""Prove that every curated passage is a verbatim span of its cleaned source.

Also checks what may never be quoted: phone numbers, hotlines, URLs and the excluded spans
(weak claims, the outdated hotline, sales pitches), and that each cleaned source line was
deleted-only from its seed article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot.knowledge.load import KnowledgeError, load_excluded, load_knowledge, source_text
from bot.knowledge.model import ExcludedSpan, Knowledge, Passage
from bot.settings import KNOWLEDGE_DIR, ROOT

SEED_DIR = ROOT.parent / "shared" / "seeds"

_BULLET = re.compile(r"^[ \t\u00a0]*[•\-*][ \t\u00a0]+", re.MULTILINE)
_SPACE = re.compile(r"\s+")
# Seven or more digits with the usual separators: 1-800-273-8255, (833) 596-3502, 8335963502.
_PHONE = re.compile(r"\+?\(?\d(?:[\s().\-]{0,2}\d){6,}")
_CITATION = re.compile(r"\[\d+\]")
_HOTLINE = re.compile(r"\b(?:hotline|helpline|lifeline|crisis line|988)\b", re.IGNORECASE)
_URL = re.compile(
    r"https?://|\bwww\.|\b[\w.-]+\.(?:com|org|gov|net|edu|io)\b|\b[\w.+-]+@[\w-]+\.\w+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Problem:
    """One failed check. passage_id is None for problems that concern no single passage."""

    passage_id: str | None
    message: str

    def __str__(self) -> str:
        subject = f"passage {self.passage_id}" if self.passage_id else "knowledge"
        return f"{subject}: {self.message}"


def normalise(text: str) -> str:
    """Drop leading bullet marks and collapse every whitespace run to one space."""
    return _SPACE.sub(" ", _BULLET.sub("", text)).strip()


def _line_key(line: str) -> str:
    """A line exactly as written, apart from leading bullet marks and indentation."""
    return _BULLET.sub("", line).strip()


def _divergence(text: str, source: str) -> str:
    """The words where a non-verbatim passage first departs from its source, for the editor."""
    words = text.split(" ")
    low, high = 0, len(words)  # the longest word prefix found in the source
    while low < high:
        middle = (low + high + 1) // 2
        if " ".join(words[:middle]) in source:
            low = middle
        else:
            high = middle - 1
    return " ".join(words[low : low + 6])


def _check_passage(
    passage: Passage,
    knowledge: Knowledge,
    texts: dict[str, str],
    excluded: tuple[ExcludedSpan, ...],
) -> list[Problem]:
    problems: list[Problem] = []

    def add(message: str) -> None:
        problems.append(Problem(passage.id, message))

    text = normalise(passage.text)
    if not text:
        add("empty text")
        return problems
    if passage.topic not in knowledge.topics:
        add(f"unknown topic {passage.topic!r}")
    if passage.source not in knowledge.sources:
        add(f"unknown source {passage.source!r}")
    elif passage.source in texts and text not in texts[passage.source]:
        near = _divergence(text, texts[passage.source])
        add(f"text is not a verbatim span of source {passage.source} (differs at {near!r})")
    if match := _PHONE.search(passage.text):
        add(f"contains a phone number ({match.group(0).strip()})")
    if match := _HOTLINE.search(passage.text):
        add(f"mentions a hotline ({match.group(0)}); crisis lines come from data/safety only")
    if match := _URL.search(passage.text):
        add(f"contains a URL or address ({match.group(0)})")
    if match := _CITATION.search(passage.text):
        add(f"contains a citation marker ({match.group(0)}); end the span before it")
    folded = text.casefold()
    for span in excluded:
        if normalise(span.text).casefold() in folded:
            add(f"contains excluded text {span.text!r} ({span.reason})")
    return problems


def _source_texts(knowledge: Knowledge, directory: Path) -> tuple[dict[str, str], list[Problem]]:
    texts: dict[str, str] = {}
    problems: list[Problem] = []
    for source in knowledge.sources.values():
        try:
            texts[source.id] = normalise(source_text(directory, source))
        except OSError as error:
            problems.append(
                Problem(None, f"source {source.id}: cannot read {source.file}: {error}")
            )
    return texts, problems


def _check_against_seeds(knowledge: Knowledge, directory: Path, seed_dir: Path) -> list[Problem]:
    """Cleaning deletes whole lines only: every kept line must be a line of the seed."""
    problems: list[Problem] = []
    for source in knowledge.sources.values():
        seed_path = seed_dir / source.seed
        if not seed_path.is_file():
            problems.append(Problem(None, f"source {source.id}: seed {source.seed} not found"))
            continue
        seed_lines = {
            _line_key(line) for line in seed_path.read_text(encoding="utf-8").splitlines()
        }
        try:
            cleaned = source_text(directory, source)
        except OSError:
            continue  # already reported by _source_texts
        for number, line in enumerate(cleaned.splitlines(), start=1):
            key = _line_key(line)
            if key and key not in seed_lines:
                problems.append(
                    Problem(
                        None,
                        f"source {source.id}: line {number} is not a line of seed {source.seed}",
                    )
                )
    return problems


def validate_knowledge(
    knowledge: Knowledge,
    directory: Path = KNOWLEDGE_DIR,
    seed_dir: Path | None = SEED_DIR,
) -> list[Problem]:
    """Every problem found; an empty list means the knowledge is sound.

    The seed comparison runs only when seed_dir exists (the seeds live outside the repo).
    """
    directory = Path(directory)
    texts, problems = _source_texts(knowledge, directory)
    excluded = load_excluded(directory)

    seen: set[str] = set()
    for passage in knowledge.passages:
        if passage.id in seen:
            problems.append(Problem(passage.id, "duplicate passage id"))
        seen.add(passage.id)
        problems.extend(_check_passage(passage, knowledge, texts, excluded))

    for topic_id in knowledge.topics:
        if not knowledge.passages_for(topic_id):
            problems.append(Problem(None, f"topic {topic_id} has no passage"))

    if seed_dir is not None and Path(seed_dir).is_dir():
        problems.extend(_check_against_seeds(knowledge, directory, Path(seed_dir)))
    return problems


def cli(directory: Path = KNOWLEDGE_DIR, seed_dir: Path | None = SEED_DIR) -> int:
    """`python -m bot validate-knowledge`: print the verdict, return the exit status."""
    try:
        knowledge = load_knowledge(directory)
        problems = validate_knowledge(knowledge, directory, seed_dir)
    except KnowledgeError as error:
        print(f"knowledge: {error}")
        return 1
    if problems:
        for problem in problems:
            print(problem)
        return 1
    sources = {passage.source for passage in knowledge.passages}
    print(f"ok: {len(knowledge.passages)} passages from {len(sources)} sources verified verbatim")
    return 0
