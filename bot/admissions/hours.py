"""Staffed hours from the operator profile (data/org.yml)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def is_staffed(admissions: dict[str, Any], now: dt.datetime | None = None) -> bool:
    zone = ZoneInfo(admissions.get("timezone", "UTC"))
    local = (now or dt.datetime.now(dt.timezone.utc)).astimezone(zone)
    window = (admissions.get("staffed_hours") or {}).get(DAYS[local.weekday()])
    if not window:
        return False
    opens, closes = (dt.time.fromisoformat(value) for value in window)
    return opens <= local.time() < closes


def callback_promise(admissions: dict[str, Any], now: dt.datetime | None = None) -> str:
    key = (
        "callback_promise_in_hours"
        if is_staffed(admissions, now)
        else "callback_promise_out_of_hours"
    )
    return str(admissions.get(key, ""))
