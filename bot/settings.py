"""The one place that reads YAML files and environment settings.

Every other module asks here, so a setting has one name and one default.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
KNOWLEDGE_DIR = DATA_DIR / "knowledge"
SAFETY_DIR = DATA_DIR / "safety"
VAR_DIR = Path(os.environ.get("BOT_VAR_DIR", ROOT / "var"))


def load_yaml(path: Path) -> Any:
    """Parse a YAML file with the safe loader; the data files are reviewed like code."""
    with Path(path).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


def database_url() -> str:
    """SQLAlchemy URL for the tracker store and our own tables; SQLite needs no server."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return url
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{VAR_DIR / 'bot.db'}"


@lru_cache(maxsize=1)
def org_profile() -> dict[str, Any]:
    """The operator profile: organisation name, admissions phone and hours, crisis locale."""
    return load_yaml(DATA_DIR / "org.yml") or {}


def crisis_locale() -> str:
    """Operator setting: which country's crisis resources the bot gives (env wins over org.yml)."""
    return (env("BOT_LOCALE") or str(org_profile().get("locale", "US"))).upper()
