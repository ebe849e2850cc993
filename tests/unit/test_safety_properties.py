"""Property tests: the screen never raises, and a crisis phrase survives any neutral context."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.safety.screen import screen

CRISIS_PHRASES = [
    "I want to kill myself",
    "i'm going to end my life",
    "I'm going to take all my pills tonight",
    "i want to die",
    "I keep cutting myself",
    "I'm going to overdose on purpose",
    "everyone would be better off without me",
    "I don't want to wake up anymore",
    "kms",
    "thinking about suicide",
]
EMERGENCY_PHRASES = [
    "he is not breathing",
    "her lips are blue",
    "my friend is unresponsive",
    "I can't wake him up",
]
NEUTRAL_WORDS = [
    "today", "meeting", "coffee", "the", "and", "my", "sponsor", "called", "work", "was",
    "long", "group", "tomorrow", "bus", "rain", "dinner", "we", "talked", "about", "recovery",
    "family", "weekend", "okay", "clinic", "appointment", "it", "so", "then", "after", "walk",
]  # fmt: skip
neutral = st.lists(st.sampled_from(NEUTRAL_WORDS), max_size=60).map(" ".join)
separator = st.sampled_from([". ", "! ", "\n", ", ", " ... ", "? "])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_never_raises_on_any_text(text: str) -> None:
    result = screen(text)
    assert result.level in (None, "concern", "crisis", "emergency")


@settings(max_examples=100, deadline=None)
@given(st.text(), st.lists(st.text(), max_size=5))
def test_never_raises_with_history(text: str, history: list[str]) -> None:
    screen(text, history)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=1, max_size=20).map(lambda s: s * 5000))
def test_never_raises_on_huge_text(text: str) -> None:
    screen(text)


@settings(max_examples=300, deadline=None)
@given(neutral, st.sampled_from(CRISIS_PHRASES), neutral, separator, separator)
def test_crisis_phrase_in_neutral_context_escalates(before, phrase, after, sep1, sep2) -> None:
    text = f"{before}{sep1}{phrase}{sep2}{after}"
    assert screen(text).level in ("crisis", "emergency"), text


@settings(max_examples=200, deadline=None)
@given(neutral, st.sampled_from(EMERGENCY_PHRASES), neutral, separator, separator)
def test_emergency_phrase_in_neutral_context_is_emergency(before, phrase, after, s1, s2) -> None:
    text = f"{before}{s1}{phrase}{s2}{after}"
    assert screen(text).level == "emergency", text


@settings(max_examples=200, deadline=None)
@given(neutral)
def test_neutral_text_is_not_escalated(text: str) -> None:
    assert screen(text).level is None, text
