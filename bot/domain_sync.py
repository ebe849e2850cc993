"""Write the operator-specific responses into domain.yml.

Crisis lines come only from data/safety/resources.yml and the admissions phone only from
data/org.yml. Rasa needs them as domain responses so the crisis path answers with no action
server; this module renders them between the GENERATED markers, and `--check` fails when
domain.yml has drifted from its sources.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

from bot.safety import resources
from bot.settings import ROOT, crisis_locale, org_profile

DOMAIN_PATH = ROOT / "domain.yml"
BEGIN = "  # GENERATED BEGIN: python -m bot sync-domain"
END = "  # GENERATED END"

STAFF_BUTTON = {"title": "Talk to a staff member", "payload": "/request_admissions"}
SAFE_BUTTON = {"title": "I'm safe right now", "payload": "/affirm"}


def admissions_line() -> str:
    admissions = org_profile().get("admissions", {})
    return (
        f"You can call our admissions team on {admissions.get('phone', '')} "
        f"({admissions.get('hours', '')})."
    )


def generated_responses(locale: str) -> dict[str, list[dict[str, Any]]]:
    crisis_buttons = [SAFE_BUTTON, STAFF_BUTTON]

    def reply(text: str, buttons: list[dict[str, str]] | None = None) -> list[dict[str, Any]]:
        variation: dict[str, Any] = {"text": text}
        if buttons:
            variation["buttons"] = buttons
        return [variation]

    return {
        "utter_emergency": reply(resources.emergency_text(locale)),
        "utter_crisis": reply(resources.crisis_text(locale), crisis_buttons),
        "utter_crisis_third_person": reply(resources.third_person_text(locale), [STAFF_BUTTON]),
        "utter_danger_at_home": reply(resources.danger_at_home_text(locale), crisis_buttons),
        "utter_harm_to_others": reply(resources.harm_to_others_text(locale), crisis_buttons),
        "utter_not_safe": reply(resources.not_safe_text(locale), [STAFF_BUTTON]),
        "utter_safety_concern": reply(resources.concern_text(locale), crisis_buttons),
        "utter_checkin": reply(resources.checkin_text(locale), crisis_buttons),
        "utter_hotline": reply(resources.hotline_text(locale)),
        "utter_service_degraded": reply(
            "Sorry, I can't look that up right now. Please try again in a few minutes. "
            + admissions_line()
            + " If you are in danger, tell me, or use the crisis lines: "
            + resources.hotline_text(locale)
        ),
        "utter_admissions_contact": reply(
            admissions_line() + " If you'd rather we call you, I can take your details."
        ),
    }


class _PlainDumper(yaml.SafeDumper):
    """No anchors or aliases: the generated lines should read like hand-written ones."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def render_block(locale: str) -> str:
    body = yaml.dump(
        generated_responses(locale),
        Dumper=_PlainDumper,
        sort_keys=False,
        allow_unicode=True,
        width=10_000,
    )
    indented = "\n".join(f"  {line}" if line else line for line in body.rstrip().splitlines())
    return f"{BEGIN}\n  # locale: {locale}\n{indented}\n{END}"


def synced_domain(current: str, locale: str) -> str:
    start = current.index(BEGIN)
    end = current.index(END, start) + len(END)
    return current[:start] + render_block(locale) + current[end:]


def sync(path: Path = DOMAIN_PATH, check: bool = False) -> int:
    current = path.read_text(encoding="utf-8")
    wanted = synced_domain(current, crisis_locale())
    if wanted == current:
        print("domain.yml is in sync with resources.yml and org.yml")
        return 0
    if check:
        print("domain.yml is out of date: run `python -m bot sync-domain`", file=sys.stderr)
        return 1
    path.write_text(wanted, encoding="utf-8")
    print(f"domain.yml updated for locale {crisis_locale()}")
    return 0
