"""Console accounts: argon2 password hashes, roles, and lockout after repeated failures."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import utcnow
from bot.store.staff_models import StaffUser

ROLES = ("reviewer", "admin")
MAX_FAILURES = 5  # failures allowed before the account locks
BASE_LOCK_SECONDS = 60  # doubles with each further failure
MAX_LOCK_SECONDS = 3600
MIN_PASSWORD = 10

_hasher = PasswordHasher()
# Verified against when the username is unknown, so timing does not reveal which names exist.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class AccountError(ValueError):
    pass


@dataclass(frozen=True)
class LoginResult:
    user: StaffUser | None
    locked: bool = False


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password must be at least {MIN_PASSWORD} characters")


def find_user(session: Session, username: str) -> StaffUser | None:
    return session.execute(
        select(StaffUser).where(StaffUser.username == username)
    ).scalar_one_or_none()


def create_user(session: Session, username: str, password: str, role: str) -> StaffUser:
    username = username.strip()
    if not username or len(username) > 120:
        raise AccountError("username must be 1-120 characters")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    _check_password(password)
    if find_user(session, username) is not None:
        raise AccountError(f"user {username!r} already exists")
    user = StaffUser(
        username=username,
        password_hash=_hasher.hash(password),
        role=role,
        failed_logins=0,
        session_nonce=secrets.token_hex(16),
    )
    session.add(user)
    session.flush()
    return user


def reset_password(
    session: Session, username: str, password: str, role: str | None = None
) -> StaffUser:
    """New password (and optionally role); unlocks the account and ends its sessions."""
    user = find_user(session, username)
    if user is None:
        raise AccountError(f"no user {username!r}")
    _check_password(password)
    if role is not None:
        if role not in ROLES:
            raise AccountError(f"role must be one of {', '.join(ROLES)}")
        user.role = role
    user.password_hash = _hasher.hash(password)
    user.failed_logins = 0
    user.locked_until = None
    user.session_nonce = secrets.token_hex(16)
    return user


def lock_seconds(failures: int) -> int:
    """How long the account stays locked after `failures` consecutive wrong passwords."""
    if failures < MAX_FAILURES:
        return 0
    return min(BASE_LOCK_SECONDS * 2 ** (failures - MAX_FAILURES), MAX_LOCK_SECONDS)


def authenticate(
    session: Session, username: str, password: str, now: dt.datetime | None = None
) -> LoginResult:
    """Check a login. A locked account refuses even the right password until the lock ends."""
    now = now or utcnow()
    user = find_user(session, username.strip())
    if user is None:
        _verify(_DUMMY_HASH, password)
        return LoginResult(None)
    if user.locked_until is not None and user.locked_until > now:
        return LoginResult(None, locked=True)
    if not _verify(user.password_hash, password):
        user.failed_logins += 1
        seconds = lock_seconds(user.failed_logins)
        if seconds:
            user.locked_until = now + dt.timedelta(seconds=seconds)
        return LoginResult(None, locked=bool(seconds))
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return LoginResult(user)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def end_sessions(user: StaffUser) -> None:
    """Invalidate every cookie issued to this user (logout)."""
    user.session_nonce = secrets.token_hex(16)
