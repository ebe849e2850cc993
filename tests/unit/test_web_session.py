"""Widget sessions: ids come from the server, tokens cannot be forged, the key survives restarts."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from bot.channels.web_session import SECRET_FILE, Sessions, load_secret


def test_issued_tokens_verify_to_their_own_web_prefixed_session() -> None:
    sessions = Sessions(b"key")
    first_id, first = sessions.issue()
    second_id, second = sessions.issue()
    assert first_id.startswith("web-") and second_id.startswith("web-")
    assert first_id != second_id
    assert sessions.verify(first) == first_id
    assert sessions.verify(second) == second_id


def test_a_token_from_another_key_is_rejected() -> None:
    _, token = Sessions(b"other key").issue()
    assert Sessions(b"key").verify(token) is None


@pytest.mark.parametrize(
    "forged",
    [
        "",
        None,
        "web-" + "0" * 32,
        "web-" + "0" * 32 + ".",
        "web-" + "0" * 32 + ".AAAA",
        "web-../etc.passwd",
        "telegram-123.abc",
        "a.b.c",
    ],
)
def test_malformed_or_unsigned_tokens_are_rejected(forged: str | None) -> None:
    assert Sessions(b"key").verify(forged) is None


def test_a_visitor_cannot_swap_in_another_session_id() -> None:
    sessions = Sessions(b"key")
    victim_id, _ = sessions.issue()
    _, own = sessions.issue()
    signature = own.split(".")[1]
    assert sessions.verify(f"{victim_id}.{signature}") is None


def test_generated_secret_is_stored_once_and_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WIDGET_SECRET", raising=False)
    first = load_secret(tmp_path)
    assert len(first) >= 32
    assert load_secret(tmp_path) == first  # a restart signs with the same key
    assert (tmp_path / SECRET_FILE).stat().st_mode & 0o077 == 0  # owner only
    _, token = Sessions(first).issue()
    assert Sessions(load_secret(tmp_path)).verify(token)


def test_processes_starting_together_agree_on_one_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WIDGET_SECRET", raising=False)
    found: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: found.append(load_secret(tmp_path))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(found)) == 1


def test_environment_secret_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIDGET_SECRET", "from-env")
    assert load_secret(tmp_path) == b"from-env"
    assert not (tmp_path / SECRET_FILE).exists()
