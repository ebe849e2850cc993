"""Accounts, lockout, session cookies, CSRF comparison and contact masking."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.staff import accounts
from bot.staff.cookies import Signer, csrf_ok, load_secret
from bot.staff.present import mask_contact, mask_name
from bot.store.db import make_engine, session_scope, upgrade

PASSWORD = "a long enough password"


@pytest.fixture
def engine(tmp_path):
    url = f"sqlite:///{tmp_path / 'accounts.db'}"
    upgrade(url)
    return make_engine(url)


def test_passwords_are_argon2_hashed_and_verified(engine):
    with session_scope(engine) as session:
        user = accounts.create_user(session, "sam", PASSWORD, "reviewer")
        assert user.password_hash.startswith("$argon2")
        assert PASSWORD not in user.password_hash
    with session_scope(engine) as session:
        assert accounts.authenticate(session, "sam", PASSWORD).user is not None
        assert accounts.authenticate(session, "sam", "wrong password!").user is None
        assert accounts.authenticate(session, "nobody", PASSWORD).user is None


@pytest.mark.parametrize(
    ("username", "password", "role"),
    [("", PASSWORD, "admin"), ("x", "short", "admin"), ("x", PASSWORD, "superuser")],
)
def test_bad_accounts_are_refused(engine, username, password, role):
    with pytest.raises(accounts.AccountError), session_scope(engine) as session:
        accounts.create_user(session, username, password, role)


def test_duplicate_username_is_refused(engine):
    with session_scope(engine) as session:
        accounts.create_user(session, "sam", PASSWORD, "admin")
    with pytest.raises(accounts.AccountError), session_scope(engine) as session:
        accounts.create_user(session, "sam", PASSWORD, "admin")


def test_five_failures_lock_even_the_right_password_then_the_lock_ends(engine):
    now = dt.datetime(2026, 1, 1, 12, 0)
    with session_scope(engine) as session:
        accounts.create_user(session, "sam", PASSWORD, "reviewer")
    results = []
    for _ in range(accounts.MAX_FAILURES):
        with session_scope(engine) as session:
            results.append(accounts.authenticate(session, "sam", "wrong", now=now).locked)
    assert results == [False] * 4 + [True]
    with session_scope(engine) as session:
        refused = accounts.authenticate(session, "sam", PASSWORD, now=now)
        assert refused.user is None and refused.locked
    later = now + dt.timedelta(seconds=accounts.BASE_LOCK_SECONDS + 1)
    with session_scope(engine) as session:
        assert accounts.authenticate(session, "sam", PASSWORD, now=later).user is not None


def test_lock_grows_with_failures_and_is_capped():
    assert accounts.lock_seconds(4) == 0
    assert accounts.lock_seconds(5) == 60
    assert accounts.lock_seconds(6) == 120
    assert accounts.lock_seconds(50) == accounts.MAX_LOCK_SECONDS


def test_reset_password_unlocks_and_ends_sessions(engine):
    with session_scope(engine) as session:
        user = accounts.create_user(session, "sam", PASSWORD, "reviewer")
        user.failed_logins, user.locked_until = 9, dt.datetime(2100, 1, 1)
        nonce = user.session_nonce
    with session_scope(engine) as session:
        user = accounts.reset_password(session, "sam", "another long password", "admin")
        assert user.session_nonce != nonce and user.role == "admin"
    with session_scope(engine) as session:
        assert accounts.authenticate(session, "sam", "another long password").user is not None


def test_session_cookie_is_signed_and_expires(monkeypatch):
    signer = Signer("secret-one")
    value = signer.dump("sam", "nonce")
    assert signer.load(value) == ("sam", "nonce")
    assert Signer("secret-two").load(value) is None
    assert signer.load(value[:-2] + "xx") is None
    assert signer.load(None) is None
    signer.max_age = -1
    assert signer.load(value) is None


def test_secret_is_generated_once_and_kept_private(tmp_path, monkeypatch):
    monkeypatch.delenv("SESSION_SECRET", raising=False)
    first = load_secret(tmp_path)
    assert load_secret(tmp_path) == first and len(first) > 40
    assert (tmp_path / "staff_session_secret").stat().st_mode & 0o077 == 0
    monkeypatch.setenv("SESSION_SECRET", "from-env")
    assert load_secret(tmp_path) == "from-env"


def test_csrf_needs_both_halves_equal():
    assert csrf_ok("abc", "abc")
    assert not csrf_ok("abc", "abd")
    assert not csrf_ok(None, "abc")
    assert not csrf_ok("abc", None)
    assert not csrf_ok("", "")


@pytest.mark.parametrize(
    ("contact", "masked"),
    [
        ("+1 555 010 0199", "•••99"),
        ("sam.jones@example.org", "s•••@e•••"),
        ("", ""),
    ],
)
def test_contacts_are_masked(contact, masked):
    assert mask_contact(contact) == masked
    assert "0100" not in mask_contact(contact)


def test_names_are_masked():
    assert mask_name("Samantha") == "S•••"
