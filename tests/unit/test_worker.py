"""The worker purges expired transcripts once a day, on a real SQLite database."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.store.db import session_scope, upgrade
from bot.store.models import SafetyFlag
from bot.worker import PURGE_EVERY_SECONDS, purge_due, run_once


def test_purge_runs_at_start_then_once_a_day() -> None:
    now = time.time()
    assert purge_due(None, now)
    assert not purge_due(now, now + 60)
    assert purge_due(now, now + PURGE_EVERY_SECONDS)


def test_a_round_purges_and_records_when(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'worker.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    upgrade(url)
    now = time.time()
    assert run_once(None, now) == now
    assert run_once(now, now + 10) == now
    with session_scope() as session:
        assert session.query(SafetyFlag).count() == 0
