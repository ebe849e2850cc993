"""Signed session cookies and the CSRF double-submit token.

The session cookie carries the username and the user's session nonce, signed with
SESSION_SECRET; a nonce change (logout, password reset) voids every older cookie.
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer

from bot.settings import VAR_DIR, env, env_int

SESSION_COOKIE = "staff_session"
CSRF_COOKIE = "staff_csrf"
CSRF_FIELD = "csrf_token"
SESSION_HOURS = 12


def load_secret(var_dir: Path | None = None) -> str:
    """SESSION_SECRET from the environment, else one generated once and kept in var/."""
    secret = env("SESSION_SECRET")
    if secret:
        return secret
    path = (var_dir or VAR_DIR) / "staff_session_secret"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secret)
    return secret


class Signer:
    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="staff-session")
        self.max_age = env_int("STAFF_SESSION_HOURS", SESSION_HOURS) * 3600

    def dump(self, username: str, nonce: str) -> str:
        return self._serializer.dumps({"u": username, "n": nonce})

    def load(self, value: str | None) -> tuple[str, str] | None:
        if not value:
            return None
        try:
            data = self._serializer.loads(value, max_age=self.max_age)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not {"u", "n"} <= set(data):
            return None
        return str(data["u"]), str(data["n"])


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_ok(cookie: str | None, submitted: str | None) -> bool:
    """Double submit: the form field must equal the cookie a cross-site page cannot read."""
    if not cookie or not submitted:
        return False
    return hmac.compare_digest(cookie.encode(), submitted.encode())


def secure_cookies() -> bool:
    """Set STAFF_SECURE_COOKIES=1 behind HTTPS; loopback development uses plain HTTP."""
    return env("STAFF_SECURE_COOKIES", "0").lower() in ("1", "true", "yes")
