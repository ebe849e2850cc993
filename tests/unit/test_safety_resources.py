"""Crisis resources: every locale renders, with its own numbers, in safe-messaging form."""

from __future__ import annotations

import logging
import re

import pytest

from bot.safety import resources as r
from bot.safety.resources import load_resources

LOCALES = ["US", "UK", "CA", "AU", "IE"]
EXPECTED_NUMBERS = {
    "US": ["911", "988", "741741", "1-800-662-4357", "1-800-799-7233"],
    "UK": ["999", "116 123", "85258", "111"],
    "CA": ["911", "988"],
    "AU": ["000", "13 11 14", "0477 13 11 14", "1300 22 4636"],
    "IE": ["112", "999", "116 123", "50808"],
}
CRISIS_RENDERERS = [
    r.crisis_text,
    r.third_person_text,
    r.emergency_text,
    r.danger_at_home_text,
    r.harm_to_others_text,
    r.not_safe_text,
    r.concern_text,
    r.checkin_text,
]


def test_all_locales_present() -> None:
    assert set(LOCALES) <= set(r.available_locales())


@pytest.mark.parametrize("locale", LOCALES)
def test_hotline_text_lists_every_number(locale: str) -> None:
    text = r.hotline_text(locale)
    for number in EXPECTED_NUMBERS[locale]:
        assert number in text, (locale, number)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("render", CRISIS_RENDERERS, ids=lambda f: f.__name__)
def test_renders_warm_short_and_with_a_way_to_reach_someone(locale, render) -> None:
    res = load_resources(locale)
    text = render(locale)
    assert text == render(locale)  # deterministic
    assert len(text) <= 620, (locale, render.__name__, len(text))
    assert res.crisis_line is not None
    assert res.crisis_line.call in text or res.emergency[0] in text
    assert text.lower().count("automated assistant") <= 1


@pytest.mark.parametrize("locale", LOCALES)
def test_crisis_text_has_crisis_line_and_emergency_number(locale: str) -> None:
    res = load_resources(locale)
    text = r.crisis_text(locale)
    assert res.crisis_line is not None and res.crisis_line.call in text
    assert res.emergency[0] in text
    assert text.startswith("I'm an automated assistant")


@pytest.mark.parametrize("locale", LOCALES)
def test_emergency_number_comes_first(locale: str) -> None:
    res = load_resources(locale)
    text = r.emergency_text(locale)
    first_line = text.splitlines()[0]
    assert first_line.startswith(f"Call {res.emergency[0]}")
    assert "naloxone" in text.lower() and "narcan" in text.lower()
    assert "don't leave them alone" in text
    for renderer in (r.not_safe_text, r.danger_at_home_text):
        rendered = renderer(locale)
        assert rendered.find(res.emergency[0]) < rendered.find(res.crisis_line.call) or (
            res.crisis_line.call in res.emergency_phrase
        )


def test_us_specifics() -> None:
    assert "text HOME to 741741" in r.crisis_text("US")
    assert "988lifeline.org" in r.crisis_text("US")
    assert "1-800-799-7233" in r.danger_at_home_text("US")
    assert "START to 88788" in r.danger_at_home_text("US")
    assert "1-800-662-4357" in r.hotline_text("US")
    assert r.emergency_text("US").splitlines()[0].startswith("Call 911 now")
    assert r.checkin_text("US").startswith("I'm still here with you.")


def test_third_person_advice() -> None:
    text = r.third_person_text("US").lower()
    assert "stay with them" in text
    assert "if it is safe" in text
    assert "together" in text


def test_harm_to_others_says_step_away() -> None:
    assert "step away" in r.harm_to_others_text("US")


@pytest.mark.parametrize("locale", LOCALES)
def test_never_commit_suicide_and_no_method_detail(locale: str) -> None:
    rendered = [f(locale) for f in (*CRISIS_RENDERERS, r.hotline_text)]
    raw = r.RESOURCES_FILE.read_text(encoding="utf-8")
    for text in [*rendered, raw]:
        assert "commit suicide" not in text.lower()
        assert not re.search(r"\b(?:lethal|overdose on|hang|how many pills)\b", text.lower())


@pytest.mark.parametrize("locale", LOCALES)
def test_crisis_link_is_a_tel_link(locale: str) -> None:
    label, href = r.crisis_link(locale)
    assert href.startswith("tel:")
    assert re.fullmatch(r"tel:\+?\d+", href)
    assert href[4:] in re.sub(r"\D", "", label)


def test_us_crisis_link() -> None:
    assert r.crisis_link("US") == ("In crisis? Call or text 988", "tel:988")


def test_every_number_can_become_a_tel_link() -> None:
    for locale in LOCALES:
        res = load_resources(locale)
        numbers = [*res.emergency] + [s.call for s in res.services if s.call]
        for number in numbers:
            assert re.fullmatch(r"[\d \-+]+", number), number
            assert re.fullmatch(r"tel:\d{3,15}", r.tel_href(number)), number


def test_unknown_locale_falls_back_to_us_with_warning(caplog) -> None:
    with caplog.at_level(logging.WARNING):
        res = load_resources("ZZ")
    assert res.locale == "US"
    assert "unknown crisis locale" in caplog.text


def test_default_locale_comes_from_settings(monkeypatch) -> None:
    monkeypatch.setenv("BOT_LOCALE", "uk")
    assert load_resources().locale == "UK"
    assert "116 123" in r.crisis_text()
