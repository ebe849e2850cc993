import datetime as dt

import pytest

from bot.admissions.contact import (
    clean_insurance,
    clean_name,
    mask_contact,
    parse_contact,
)
from bot.admissions.hours import callback_promise, is_staffed


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("555-123-4567", "5551234567", "phone"),
        ("(555) 123 4567", "5551234567", "phone"),
        ("+44 20 7946 0958", "+442079460958", "phone"),
        ("Sam.Doe@Example.org", "sam.doe@example.org", "email"),
    ],
)
def test_valid_contacts_are_normalised(text: str, value: str, kind: str) -> None:
    contact = parse_contact(text)
    assert contact is not None
    assert (contact.value, contact.kind) == (value, kind)


@pytest.mark.parametrize(
    "text", ["12", "call me maybe", "sam@", "@example.com", "555-CALL-NOW", "", "1" * 30]
)
def test_invalid_contacts_are_refused(text: str) -> None:
    assert parse_contact(text) is None


def test_names_are_trimmed_and_bounded() -> None:
    assert clean_name("  Sam   Doe ") == "Sam Doe"
    assert clean_name("<script>") is None
    assert clean_name("12345") is None
    assert clean_name("x" * 61) is None


def test_insurance_can_be_skipped() -> None:
    assert clean_insurance("skip") == "not given"
    assert clean_insurance("Blue Cross") == "Blue Cross"


def test_contacts_are_masked_for_lists() -> None:
    assert mask_contact("5551234567") == "***67"
    assert mask_contact("sam@example.org") == "s***@example.org"


ADMISSIONS = {
    "timezone": "America/New_York",
    "staffed_hours": {"mon": ["08:00", "20:00"]},
    "callback_promise_in_hours": "soon",
    "callback_promise_out_of_hours": "next business day",
}


def test_staffed_hours_follow_the_operator_timezone() -> None:
    monday_noon_eastern = dt.datetime(2026, 11, 23, 17, 0, tzinfo=dt.timezone.utc)
    monday_late_eastern = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.timezone.utc)
    sunday = dt.datetime(2026, 11, 22, 17, 0, tzinfo=dt.timezone.utc)
    assert is_staffed(ADMISSIONS, monday_noon_eastern)
    assert not is_staffed(ADMISSIONS, monday_late_eastern)
    assert not is_staffed(ADMISSIONS, sunday)
    assert callback_promise(ADMISSIONS, sunday) == "next business day"
    assert callback_promise(ADMISSIONS, monday_noon_eastern) == "soon"
