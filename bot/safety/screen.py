"""The deterministic crisis screen: a pure function over the text and recent user turns.

`screen(text, history)` never raises and never does I/O after the first call (patterns are
compiled once). It splits the normalised text into clauses so that a negation, an idiom, a
past-tense story or a general topic question only cancels its own clause: a crisis clause
anywhere in a long message or inside a question still escalates.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from bot.safety.normalize import normalize
from bot.safety.patterns import Category, Pattern, PatternSet, load_patterns

logger = logging.getLogger(__name__)

Level = Literal["emergency", "crisis", "concern"]
LEVEL_RANK = {"emergency": 3, "crisis": 2, "concern": 1}

# Clauses longer than this are scanned in overlapping windows, so a 100 kB message stays fast
# and a phrase at any offset is still seen whole.
WINDOW = 1200
OVERLAP = 300
MAX_SPAN = 60

_FIRST = re.compile(r"\b(?:i|me|my|myself|mine|we|us|our|ourselves)\b")
_THIRD_IN_MATCH = re.compile(
    r"\b(?:he|she|they|him|his|himself|herself|themselves|themself|their)\b"
)
_SUBJECT = re.compile(
    r"\b(?P<first>i)\b|\b(?P<third>he|she|they|someone|somebody|"
    r"(?:my |our |the |a |this |that )?(?:brother|sister|son|daughter|mom|mum|mother|dad|father|"
    r"husband|wife|boyfriend|girlfriend|partner|friend|bf|gf|fiance|fiancee|cousin|uncle|aunt|"
    r"roommate|kid|child|baby|nephew|niece|grandson|granddaughter|grandma|grandpa|buddy|"
    r"coworker|neighbou?r|stepdad|stepmom|ex|guy|girl|man|woman|boy|teen|teenager|person))\b"
)


@dataclass(frozen=True)
class Screening:
    level: Level | None
    category: str | None
    reason: str
    third_person: bool = False
    from_history: bool = False


NONE = Screening(level=None, category=None, reason="")


@dataclass(frozen=True)
class Hit:
    level: str
    category: str
    pattern: str
    span: str
    third_person: bool
    negated: bool

    @property
    def effective_level(self) -> str:
        return "concern" if self.negated else self.level


def _clauses(text: str, ps: PatternSet) -> Iterator[str]:
    start = 0
    for m in ps.clause_split.finditer(text):
        yield from _windows(text[start : m.start()])
        start = m.end()
    yield from _windows(text[start:])


def _windows(clause: str) -> Iterator[str]:
    clause = clause.strip(" ,")
    if not clause:
        return
    if len(clause) <= WINDOW:
        yield clause
        return
    step = WINDOW - OVERLAP
    for i in range(0, len(clause), step):
        yield clause[i : i + WINDOW]
        if i + WINDOW >= len(clause):
            break


def _is_topic(clause: str, ps: PatternSet) -> bool:
    if not any(t.search(clause) for t in ps.topic_questions):
        return False
    # a question about the writer or someone they name is not a general topic question
    generic = ps.topic_questions[1].search(clause) or ps.topic_questions[2].search(clause)
    return bool(generic) or not ps.topic_override.search(clause)


def _negated(clause: str, start: int, ps: PatternSet) -> bool:
    neg = ps.negations
    tokens = clause[max(0, start - 120) : start].replace(",", " ").split()[-neg.window :]
    following = clause[start : start + 40].split()[:1]  # the match's first word, for "no plans"
    for i, tok in enumerate(tokens):
        nxt = ([*tokens, *following])[i + 1] if i + 1 < len(tokens) + len(following) else ""
        cue = tok in neg.cues or (tok == "no" and nxt in neg.no_objects)
        if not cue or nxt in neg.not_before:
            continue
        if not any(t in neg.breakers for t in tokens[i + 1 :]):
            return True
    return False


def _third_person(clause: str, m: re.Match[str], category: Category) -> bool:
    if category.third_person == "never":
        return False
    span = m.group(0)
    if _THIRD_IN_MATCH.search(span):
        return True
    if _FIRST.search(span):
        return False
    last = None
    for s in _SUBJECT.finditer(clause, max(0, m.start() - 100), m.start()):
        last = s
    return bool(last and last.group("third"))


def _overlaps_idiom(clause: str, m: re.Match[str], ps: PatternSet) -> bool:
    for _, idiom in ps.idioms:
        for im in idiom.finditer(clause):
            if im.start() < m.end() and m.start() < im.end():
                return True
    return False


def _is_past(clause: str, ps: PatternSet) -> bool:
    return bool(ps.past_markers.search(clause)) and not ps.present_markers.search(clause)


def _pattern_hits(clause: str, category: Category, pattern: Pattern, ps: PatternSet):
    for m in pattern.regex.finditer(clause):
        if pattern.requires is not None and not pattern.requires.search(clause):
            return
        if pattern.unless is not None and pattern.unless.search(clause):
            return
        if _overlaps_idiom(clause, m, ps) or _is_past(_segment(clause, *m.span()), ps):
            continue
        yield Hit(
            level=category.level,
            category=category.id,
            pattern=pattern.id,
            span=m.group(0)[:MAX_SPAN],
            third_person=_third_person(clause, m, category),
            negated=_negated(clause, m.start(), ps),
        )


def _segment(clause: str, start: int, end: int) -> str:
    """The comma-delimited part of a clause around a match (the scope of a time marker)."""
    left = clause.rfind(",", 0, start) + 1
    right = clause.find(",", end)
    return clause[left : right if right >= 0 else len(clause)]


def _clause_hits(clause: str, ps: PatternSet) -> list[Hit]:
    topic: bool | None = None
    hits: list[Hit] = []
    for category in ps.categories:
        if category.trigger is not None and not category.trigger.search(clause):
            continue
        for pattern in category.patterns:
            if pattern.weak:
                if topic is None:
                    topic = _is_topic(clause, ps)
                if topic:
                    continue
            hits.extend(_pattern_hits(clause, category, pattern, ps))
    return hits


def scan(norm: str, ps: PatternSet) -> list[Hit]:
    """Every pattern hit in normalised text, clause by clause."""
    hits: list[Hit] = []
    for clause in _clauses(norm, ps):
        hits.extend(_clause_hits(clause, ps))
    return hits


def _best(hits: list[Hit]) -> Hit | None:
    best: Hit | None = None
    for hit in hits:  # hits come in category priority order within a clause
        if best is None or LEVEL_RANK[hit.effective_level] > LEVEL_RANK[best.effective_level]:
            best = hit
    return best


def _result(hit: Hit, from_history: bool = False) -> Screening:
    return Screening(
        level=hit.effective_level,  # type: ignore[arg-type]
        category=hit.category,
        reason=f"{hit.pattern}{' (negated)' if hit.negated else ''}: '{hit.span}'",
        third_person=hit.third_person,
        from_history=from_history,
    )


def _intent_hit(norm: str, ps: PatternSet) -> tuple[str, str, bool] | None:
    """(intent id, span, third_person) for an action/time statement in a live clause."""
    if not any(regex.search(norm) for _, regex in ps.intent):
        return None
    for clause in _clauses(norm, ps):
        for intent_id, regex in ps.intent:
            m = regex.search(clause)
            if m and _is_past(_segment(clause, *m.span()), ps):
                continue
            if m and not _negated(clause, m.start(), ps) and not _overlaps_idiom(clause, m, ps):
                third = bool(_THIRD_IN_MATCH.search(m.group(0))) or bool(
                    (s := list(_SUBJECT.finditer(clause, max(0, m.start() - 100), m.start())))
                    and s[-1].group("third")
                )
                return intent_id, m.group(0)[:MAX_SPAN], third
    return None


def _means(texts: Sequence[str], ps: PatternSet) -> tuple[str, str] | None:
    for text in reversed(texts):
        for means in ps.means:
            m = means.regex.search(text)
            if m:
                return means.category, f"{means.id} '{m.group(0).strip()[:30]}'"
    return None


def _combine(norm: str, history: list[str], ps: PatternSet) -> Screening | None:
    """Means in one turn or sentence plus intent/time in this one: a crisis split apart."""
    intent = _intent_hit(norm, ps)
    if intent is None:
        return None
    intent_id, span, third = intent
    found = _means([norm.replace(span, " ", 1)], ps)  # means elsewhere in this message
    from_history = False
    if found is None:
        found = _means(history, ps)
        from_history = found is not None
    if found is None:
        return None
    category, means_reason = found
    return Screening(
        level="crisis",
        category=category,
        reason=f"means+intent: {means_reason} + {intent_id} '{span}'",
        third_person=third,
        from_history=from_history,
    )


def _screen(text: str, history: Sequence[str]) -> Screening:
    ps = load_patterns()
    norm = normalize(text)
    best = _best(scan(norm, ps))
    if best is not None and best.effective_level in ("emergency", "crisis"):
        return _result(best)
    recent = [normalize(h) for h in list(history)[-ps.history_turns :] if isinstance(h, str)]
    combined = _combine(norm, recent, ps)
    if combined is not None:
        return combined
    if recent and norm:
        # one sentence typed over two messages: only hits that reach into this message count
        prefix = recent[-1] + " "
        joined = _best(
            [h for h in scan(prefix + norm, ps) if h.effective_level != "concern"]
            if len(prefix) < 2 * WINDOW
            else []
        )
        if joined is not None and joined.span not in prefix and joined.span not in norm:
            return _result(joined, from_history=True)
    if best is not None:
        return _result(best)
    return NONE


def screen(text: str, history: Sequence[str] = ()) -> Screening:
    """Screen one user message, with the previous user messages (oldest first) for context."""
    try:
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        return _screen(text, history or ())
    except Exception:  # the screen must never take the bot down
        logger.exception("crisis screen failed")
        return Screening(level=None, category=None, reason="screen error")
