"""Widget sessions: the server issues the id and signs it, so a visitor cannot pick another's.

A token is `<session id>.<HMAC-SHA256 of the id>`. The key comes from WIDGET_SECRET, or else from
var/widget_secret, generated once, so tokens survive restarts and hold across processes that share
the var directory (several Rasa replicas on one host, say).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

from bot.settings import VAR_DIR, env

PREFIX = "web-"
SECRET_FILE = "widget_secret"
_SESSION_ID = re.compile(r"^web-[0-9a-f]{32}$")


def load_secret(var_dir: Path | None = None) -> bytes:
    """WIDGET_SECRET if set, else the stored one, created on first use (readable by owner only)."""
    configured = env("WIDGET_SECRET")
    if configured:
        return configured.encode()
    directory = var_dir or VAR_DIR
    path = directory / SECRET_FILE
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        candidate = secrets.token_urlsafe(32)
        try:
            # O_EXCL: when two processes start together, the first writer wins and both use it.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(candidate)
    value = path.read_text(encoding="ascii").strip()
    if not value:
        raise RuntimeError(f"{path} is empty; delete it or set WIDGET_SECRET")
    return value.encode()


class Sessions:
    """Issues and checks widget session tokens with one key."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _signature(self, session_id: str) -> str:
        digest = hmac.new(self._secret, session_id.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def issue(self) -> tuple[str, str]:
        """A new random session id (the Rasa sender id) and its token."""
        session_id = PREFIX + secrets.token_hex(16)
        return session_id, f"{session_id}.{self._signature(session_id)}"

    def verify(self, token: str | None) -> str | None:
        """The session id a token was issued for, or None when it is malformed or forged."""
        if not token or token.count(".") != 1:
            return None
        session_id, signature = token.split(".")
        if not _SESSION_ID.match(session_id):
            return None
        expected = self._signature(session_id)
        if not hmac.compare_digest(signature.encode(), expected.encode()):
            return None
        return session_id
