"""Alembic environment for our own tables (Rasa's `events` table is Rasa's)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import pool

from bot.store import staff_models  # noqa: F401  (puts the console's tables on Base)
from bot.store.db import make_engine
from bot.store.models import Base

config = context.config
OUR_TABLES = set(Base.metadata.tables)


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    return not (type_ == "table" and name not in OUR_TABLES)


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    engine = make_engine(url) if url.startswith("sqlite") else None
    if engine is None:
        from sqlalchemy import create_engine

        engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            include_object=include_object,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
