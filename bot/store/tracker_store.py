"""Rasa's SQL tracker store, configured from the one DATABASE_URL setting."""

from __future__ import annotations

from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy.engine.url import make_url

from bot.settings import database_url


class URLTrackerStore(SQLTrackerStore):
    """`type: bot.store.tracker_store.URLTrackerStore` in endpoints.yml; SQLite by default."""

    def __init__(
        self, domain: Any = None, host: str | None = None, event_broker: Any = None, **kwargs: Any
    ) -> None:
        url = make_url(kwargs.pop("url", None) or database_url())
        super().__init__(
            domain=domain,
            dialect=url.drivername,
            host=url.host,
            port=url.port,
            db=url.database,
            username=url.username,
            password=url.password,
            event_broker=event_broker,
            query=dict(url.query) or None,
            **kwargs,
        )
