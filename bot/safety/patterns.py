"""Load and compile the crisis patterns (data/safety/patterns.yml) once per process."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.settings import SAFETY_DIR, load_yaml

PATTERNS_FILE = SAFETY_DIR / "patterns.yml"
_MACRO = re.compile(r"%([A-Z_]+)%")


@dataclass(frozen=True)
class Pattern:
    id: str
    regex: re.Pattern[str]
    weak: bool = False
    requires: re.Pattern[str] | None = None
    unless: re.Pattern[str] | None = None


@dataclass(frozen=True)
class Category:
    id: str
    level: str
    third_person: str
    patterns: tuple[Pattern, ...]
    trigger: re.Pattern[str] | None = None


@dataclass(frozen=True)
class Means:
    id: str
    category: str
    regex: re.Pattern[str]


@dataclass(frozen=True)
class Negations:
    window: int
    cues: frozenset[str]
    no_objects: frozenset[str]
    breakers: frozenset[str]
    not_before: frozenset[str]


@dataclass(frozen=True)
class Normalization:
    pre_leet: tuple[tuple[re.Pattern[str], str], ...]
    leet: dict[str, str]
    leet_keep: re.Pattern[str]
    substitutions: tuple[tuple[re.Pattern[str], str], ...]
    hints: tuple[tuple[str, ...], ...] = ()

    def substitute(self, text: str) -> str:
        for i, (regex, repl) in enumerate(self.substitutions):
            hints = self.hints[i] if i < len(self.hints) else ()
            if hints and not any(h in text for h in hints):
                continue
            text = regex.sub(repl, text)
        return text


@dataclass(frozen=True)
class PatternSet:
    categories: tuple[Category, ...]
    clause_split: re.Pattern[str]
    normalization: Normalization
    negations: Negations
    idioms: tuple[tuple[str, re.Pattern[str]], ...]
    past_markers: re.Pattern[str]
    present_markers: re.Pattern[str]
    topic_questions: tuple[re.Pattern[str], ...]
    topic_override: re.Pattern[str]
    history_turns: int
    means: tuple[Means, ...]
    intent: tuple[tuple[str, re.Pattern[str]], ...]


def expand(pattern: str, macros: dict[str, str]) -> str:
    """Replace %NAME% macros (macros may use other macros)."""
    for _ in range(5):
        new = _MACRO.sub(lambda m: macros.get(m.group(1), m.group(0)), pattern)
        if new == pattern:
            break
        pattern = new
    if _MACRO.search(pattern):
        raise ValueError(f"unknown macro in pattern: {pattern[:80]}")
    return pattern


def _compile(raw: str | None, macros: dict[str, str]) -> re.Pattern[str] | None:
    if not raw:
        return None
    return re.compile(expand(str(raw), macros))


def build(data: dict[str, Any]) -> PatternSet:
    macros = {str(k): str(v) for k, v in (data.get("macros") or {}).items()}

    def c(raw: str) -> re.Pattern[str]:
        compiled = _compile(raw, macros)
        assert compiled is not None
        return compiled

    categories = []
    for cat in data["categories"]:
        patterns = tuple(
            Pattern(
                id=str(p["id"]),
                regex=c(p["re"]),
                weak=bool(p.get("weak", False)),
                requires=_compile(p.get("requires"), macros),
                unless=_compile(p.get("unless"), macros),
            )
            for p in cat["patterns"]
        )
        categories.append(
            Category(
                id=str(cat["id"]),
                level=str(cat["level"]),
                third_person=str(cat.get("third_person", "detect")),
                patterns=patterns,
                trigger=_compile(cat.get("trigger"), macros),
            )
        )
    norm = data["normalize"]
    neg = data["negations"]
    past = data["past_tense"]
    multi = data["multi_turn"]
    return PatternSet(
        categories=tuple(categories),
        clause_split=c(data["clause_split"]),
        normalization=Normalization(
            pre_leet=tuple((c(a), str(b)) for a, b in norm.get("pre_leet", [])),
            leet={str(k): str(v) for k, v in norm["leet"].items()},
            leet_keep=c(norm["leet_keep"]),
            substitutions=tuple((c(r[0]), str(r[1])) for r in norm.get("substitutions", [])),
            hints=tuple(
                tuple(h for h in str(r[2]).split("|") if h) if len(r) > 2 else ()
                for r in norm.get("substitutions", [])
            ),
        ),
        negations=Negations(
            window=int(neg.get("window", 6)),
            cues=frozenset(neg["cues"]),
            no_objects=frozenset(neg.get("no_objects", [])),
            breakers=frozenset(neg.get("breakers", [])),
            not_before=frozenset(neg.get("not_before", [])),
        ),
        idioms=tuple((str(i["id"]), c(i["re"])) for i in data.get("idioms", [])),
        past_markers=c(past["markers"]),
        present_markers=c(past["present"]),
        topic_questions=tuple(c(t) for t in data.get("topic_questions", [])),
        topic_override=c(data["topic_override"]),
        history_turns=int(multi.get("history_turns", 3)),
        means=tuple(
            Means(id=str(m["id"]), category=str(m["category"]), regex=c(m["re"]))
            for m in multi["means"]
        ),
        intent=tuple((str(i["id"]), c(i["re"])) for i in multi["intent"]),
    )


@lru_cache(maxsize=4)
def load_patterns(path: Path = PATTERNS_FILE) -> PatternSet:
    """The compiled pattern set; cached, so the YAML is read and compiled once."""
    return build(load_yaml(path))
