"""Read data/knowledge/*.yml into a Knowledge value."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.knowledge.model import ExcludedSpan, Knowledge, Passage, Source, Topic
from bot.settings import KNOWLEDGE_DIR, load_yaml

SOURCES_FILE = "sources.yml"
TOPICS_FILE = "topics.yml"
PASSAGES_FILE = "passages.yml"
EXCLUDED_FILE = "excluded.yml"
SOURCE_TEXT_DIR = "sources"


class KnowledgeError(ValueError):
    """A knowledge file is missing or malformed."""


def _require(entry: Any, keys: tuple[str, ...], where: str) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise KnowledgeError(f"{where}: expected a mapping, got {type(entry).__name__}")
    missing = [key for key in keys if entry.get(key) in (None, "")]
    if missing:
        raise KnowledgeError(f"{where}: missing {', '.join(missing)}")
    return entry


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _list(directory: Path, name: str) -> list[Any]:
    path = directory / name
    if not path.is_file():
        raise KnowledgeError(f"{path} not found")
    data = load_yaml(path)
    if data is None:
        return []
    if not isinstance(data, list):
        raise KnowledgeError(f"{path}: expected a list")
    return data


def _sources(directory: Path) -> dict[str, Source]:
    sources: dict[str, Source] = {}
    for n, raw in enumerate(_list(directory, SOURCES_FILE)):
        entry = _require(raw, ("id", "seed", "file", "publisher", "title"), f"sources[{n}]")
        source = Source(
            id=str(entry["id"]),
            seed=str(entry["seed"]),
            file=str(entry["file"]),
            publisher=str(entry["publisher"]),
            title=str(entry["title"]),
            author=_text(entry.get("author")),
            editor=_text(entry.get("editor")),
            medical_reviewer=_text(entry.get("medical_reviewer")),
            reviewer=_text(entry.get("reviewer")),
            date=_text(entry.get("date")),
        )
        if source.id in sources:
            raise KnowledgeError(f"sources[{n}]: duplicate source id {source.id}")
        sources[source.id] = source
    return sources


def _topics(directory: Path) -> dict[str, Topic]:
    path = directory / TOPICS_FILE
    if not path.is_file():
        raise KnowledgeError(f"{path} not found")
    data = load_yaml(path) or {}
    if not isinstance(data, dict):
        raise KnowledgeError(f"{path}: expected a mapping of topic id to label and description")
    topics: dict[str, Topic] = {}
    for topic_id, raw in data.items():
        entry = _require(raw, ("label", "description"), f"topics.{topic_id}")
        topics[str(topic_id)] = Topic(
            id=str(topic_id), label=str(entry["label"]), description=str(entry["description"])
        )
    return topics


def _passages(directory: Path) -> tuple[Passage, ...]:
    passages = []
    for n, raw in enumerate(_list(directory, PASSAGES_FILE)):
        entry = _require(raw, ("id", "source", "topic"), f"passages[{n}]")
        passages.append(
            Passage(
                id=str(entry["id"]),
                source=str(entry["source"]),
                topic=str(entry["topic"]),
                text=str(entry.get("text") or "").strip(),
            )
        )
    return tuple(passages)


def load_excluded(directory: Path = KNOWLEDGE_DIR) -> tuple[ExcludedSpan, ...]:
    """The spans no passage may contain; an absent file means none."""
    if not (Path(directory) / EXCLUDED_FILE).is_file():
        return ()
    spans = []
    for n, raw in enumerate(_list(Path(directory), EXCLUDED_FILE)):
        entry = _require(raw, ("text", "reason"), f"excluded[{n}]")
        spans.append(
            ExcludedSpan(
                text=str(entry["text"]),
                reason=str(entry["reason"]),
                source=_text(entry.get("source")),
            )
        )
    return tuple(spans)


def source_text(directory: Path, source: Source) -> str:
    """The cleaned text of a source, as stored in sources/<file>."""
    return (Path(directory) / SOURCE_TEXT_DIR / source.file).read_text(encoding="utf-8")


def _load(directory: Path) -> Knowledge:
    return Knowledge(
        sources=_sources(directory), topics=_topics(directory), passages=_passages(directory)
    )


@lru_cache(maxsize=1)
def _load_default() -> Knowledge:
    return _load(KNOWLEDGE_DIR)


def load_knowledge(directory: Path = KNOWLEDGE_DIR) -> Knowledge:
    """Load sources, topics and passages. The default directory is read once per process."""
    directory = Path(directory)
    if directory.resolve() == KNOWLEDGE_DIR.resolve():
        return _load_default()
    return _load(directory)


def clear_cache() -> None:
    """Forget the cached default load (after editing the YAML in a long-running process)."""
    _load_default.cache_clear()
