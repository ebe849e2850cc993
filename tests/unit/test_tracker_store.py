"""Rasa's SQL tracker store configured from DATABASE_URL, on a real SQLite file."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.store.tracker_store import URLTrackerStore


def test_events_round_trip_through_the_url_configured_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "store.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    store = URLTrackerStore(domain=Domain.empty())
    tracker = DialogueStateTracker.from_events(
        "person-1", [ActionExecuted("action_listen"), UserUttered("hello")]
    )
    asyncio.run(store.save(tracker))
    restored = asyncio.run(store.retrieve("person-1"))
    assert database.exists()
    assert [e.as_dict()["event"] for e in restored.events] == ["action", "user"]
    assert restored.latest_message.text == "hello"
