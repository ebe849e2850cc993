"""Normalisation undoes the tricks people (and keyboards) use, and leaves ordinary text alone."""

from __future__ import annotations

import pytest

from bot.safety.normalize import normalize
from bot.safety.screen import screen


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("I WANT TO DIE", "i want to die"),
        ("k!ll mys3lf", "kill myself"),
        ("su1c1de", "suicide"),
        ("wanna d1e", "want to die"),
        ("im gonna unalive myself", "i am going to kill myself"),
        ("sewer slide", "suicide"),
        ("i'm suicidel", "i am suicidal"),
        ("kms", "kill myself"),
        ("I’m not", "i am not"),
        ("he's OD'ing", "he is overdosing"),
        ("i just w\u200bant to d\u200die", "i just want to die"),
        ("i want to die 😭😭", "i want to die"),
        ("noooooo pleeeease", "noo pleease"),
        ("ｋｉｌｌ　ｍｙｓｅｌｆ", "kill myself"),
        ("  lots   of\t\tspace  ", "lots of space"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    "raw", ["meet at 3am", "take 5mg", "i ran 5 kms", "24/7 line", "the 1st step"]
)
def test_digits_that_are_not_leetspeak_are_kept(raw: str) -> None:
    normalized = normalize(raw)
    assert any(ch.isdigit() for ch in normalized)
    assert "kill" not in normalized


def test_trailing_punctuation_is_not_leet() -> None:
    assert normalize("help!") == "help!"
    assert normalize("what?!") == "what?!"


@pytest.mark.parametrize(
    "text",
    [
        "I WANT TO K1LL MYSELF!!!",
        "i wanna dieeee",
        "I'm going 2 unalive myself 2nite",
    ],
)
def test_obfuscated_crisis_still_escalates(text: str) -> None:
    assert screen(text).level == "crisis"
