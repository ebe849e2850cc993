"""The curated knowledge as plain, immutable values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Source:
    """One source article: its cleaned text file and who published it."""

    id: str
    seed: str
    file: str
    publisher: str
    title: str
    author: str | None = None
    editor: str | None = None
    medical_reviewer: str | None = None
    reviewer: str | None = None
    date: str | None = None


@dataclass(frozen=True)
class Topic:
    id: str
    label: str
    description: str


@dataclass(frozen=True)
class Passage:
    """A verbatim span of a source, filed under one topic."""

    id: str
    source: str
    topic: str
    text: str


@dataclass(frozen=True)
class ExcludedSpan:
    """Text that must never be quoted (weak claim, outdated hotline, sales pitch)."""

    text: str
    reason: str
    source: str | None = None


# eq=False: a Knowledge is compared and hashed by identity, so indexes can be cached per instance.
@dataclass(frozen=True, eq=False)
class Knowledge:
    sources: Mapping[str, Source]
    topics: Mapping[str, Topic]
    passages: tuple[Passage, ...]
    _by_id: Mapping[str, Passage] = field(init=False, repr=False)
    _by_topic: Mapping[str, tuple[Passage, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        by_id: dict[str, Passage] = {}
        by_topic: dict[str, list[Passage]] = {}
        for passage in self.passages:
            by_id.setdefault(passage.id, passage)
            by_topic.setdefault(passage.topic, []).append(passage)
        object.__setattr__(self, "_by_id", by_id)
        object.__setattr__(self, "_by_topic", {k: tuple(v) for k, v in by_topic.items()})

    def passage(self, passage_id: str) -> Passage | None:
        return self._by_id.get(passage_id)

    def source(self, source_id: str) -> Source | None:
        return self.sources.get(source_id)

    def topic(self, topic_id: str) -> Topic | None:
        return self.topics.get(topic_id)

    def passages_for(self, topic_id: str) -> tuple[Passage, ...]:
        """The topic's passages in curated order (best first)."""
        return self._by_topic.get(topic_id, ())
