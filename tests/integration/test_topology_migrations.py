"""Our own tables (alembic, bot/store/migrations) on PostgreSQL and SQLite alike.

Each dialect gets a fresh database: `python -m bot migrate` builds the schema the models
describe, a second run changes nothing, rows round-trip, and downgrade to base leaves none of
our tables behind (and upgrading again works).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from bot.store import staff_models  # noqa: F401  (registers the console's tables)
from bot.store.db import MIGRATIONS_DIR, make_engine, session_scope
from bot.store.models import Base
from bot.store.outbox import queue_message, undelivered
from tests.support.servers import (
    ROOT,
    create_postgres_database,
    drop_postgres_database,
    postgres_available,
)

OUR_TABLES = set(Base.metadata.tables)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
        return
    if not postgres_available():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    url = create_postgres_database("bot_migrate")
    yield url
    drop_postgres_database(url)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate_cli(url: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": url}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "migrate"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_migrate_builds_the_models_schema_and_downgrades_to_nothing(database_url: str) -> None:
    migrate_cli(database_url)
    migrate_cli(database_url)  # idempotent: a second run on an up-to-date schema is a no-op
    engine = make_engine(database_url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert tables >= OUR_TABLES
        head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
        with engine.connect() as connection:
            context = MigrationContext.configure(connection)
            assert context.get_current_revision() == head
            # The migrated schema is the one the models describe: no missing or extra
            # columns, tables or indexes (Rasa's own tables are not ours to compare).
            diffs = [
                diff
                for diff in compare_metadata(context, Base.metadata)
                if not _is_foreign_table(diff)
            ]
            assert diffs == []

        with session_scope(engine) as session:
            queue_message(session, "migrate-check", "web", "hello from the outbox", author="bot")
        with session_scope(engine) as session:
            rows = undelivered(session, "web", sender_id="migrate-check")
            assert [row.text for row in rows] == ["hello from the outbox"]

        command.downgrade(alembic_config(database_url), "base")
        left = set(inspect(engine).get_table_names()) & OUR_TABLES
        assert left == set()

        command.upgrade(alembic_config(database_url), "head")
        assert set(inspect(engine).get_table_names()) >= OUR_TABLES
    finally:
        engine.dispose()


def _is_foreign_table(diff: object) -> bool:
    """A table that is not ours (Rasa's `events`, alembic's own) shows as 'remove_table'."""
    first = diff[0] if isinstance(diff, list) else diff
    if isinstance(first, tuple) and first[0] == "remove_table":
        return first[1].name not in OUR_TABLES
    return False
