"""domain.yml carries the crisis and admissions responses rendered from their YAML sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain_sync import DOMAIN_PATH, generated_responses, sync, synced_domain
from bot.safety import resources
from bot.settings import crisis_locale, load_yaml, org_profile


def test_the_committed_domain_is_in_sync_with_its_sources() -> None:
    current = DOMAIN_PATH.read_text(encoding="utf-8")
    assert synced_domain(current, crisis_locale()) == current


def test_check_fails_and_sync_repairs_a_drifted_domain(tmp_path: Path) -> None:
    drifted = tmp_path / "domain.yml"
    drifted.write_text(
        DOMAIN_PATH.read_text(encoding="utf-8").replace("988", "000-DRIFT"), encoding="utf-8"
    )
    assert sync(drifted, check=True) == 1
    assert sync(drifted) == 0
    assert sync(drifted, check=True) == 0
    assert "000-DRIFT" not in drifted.read_text(encoding="utf-8")


@pytest.mark.parametrize("locale", resources.available_locales())
def test_every_locale_renders_an_emergency_reply_with_its_number_first(locale: str) -> None:
    responses = generated_responses(locale)
    first_line = responses["utter_emergency"][0]["text"].splitlines()[0]
    assert resources.load_resources(locale).emergency[0] in first_line


def test_domain_responses_name_the_operators_admissions_phone() -> None:
    domain = load_yaml(DOMAIN_PATH)
    phone = org_profile()["admissions"]["phone"]
    assert phone in domain["responses"]["utter_admissions_contact"][0]["text"]
