"""The console's command-line entry points and its place among `make run`'s services."""

from __future__ import annotations

import pytest

from bot.__main__ import main
from bot.services import default_services
from bot.store.db import make_engine, session_scope
from bot.store.staff_models import StaffUser


@pytest.fixture
def database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("BOT_VAR_DIR", str(tmp_path))
    return url


def test_staff_user_create_and_reset(database, monkeypatch, capsys):
    monkeypatch.setenv("STAFF_PASSWORD", "first long password")
    assert main(["staff-user", "create", "ada", "--role", "admin"]) == 0
    assert main(["staff-user", "create", "ada"]) == 1  # already exists
    monkeypatch.setenv("STAFF_PASSWORD", "short")
    assert main(["staff-user", "reset-password", "ada"]) == 1
    monkeypatch.setenv("STAFF_PASSWORD", "second long password")
    assert main(["staff-user", "reset-password", "ada", "--role", "reviewer"]) == 0
    with session_scope(make_engine(database)) as session:
        (user,) = session.query(StaffUser).all()
        assert (user.username, user.role) == ("ada", "reviewer")
    assert "password reset for ada" in capsys.readouterr().out


def test_staff_user_rejects_unknown_roles(database):
    with pytest.raises(SystemExit):
        main(["staff-user", "create", "ada", "--role", "root"])


def test_purge_command_reports_what_it_removed(database, capsys):
    assert main(["purge", "--days", "30"]) == 0
    assert "purged 0 conversations" in capsys.readouterr().out


def test_console_is_one_of_the_default_services(monkeypatch):
    monkeypatch.setenv("RASA_PORT", "5999")
    monkeypatch.delenv("RASA_URL", raising=False)
    (staff,) = [s for s in default_services() if s.name == "staff"]
    assert staff.argv[-3:] == ["-m", "bot", "staff"]
    assert staff.env["RASA_URL"] == "http://127.0.0.1:5999"
