"""The console's store code and pages on PostgreSQL (the production database), when a server
is on 127.0.0.1:5432. The store tests are the same functions the SQLite unit tests run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.store.db import make_engine, upgrade
from tests.integration.test_staff_support import (
    Console,
    create_events_table,
    crisis_turn,
    insert_events,
    question_turn,
    session_rows,
)
from tests.support.servers import (
    create_postgres_database,
    drop_postgres_database,
    postgres_available,
)
from tests.unit.test_staff_store import (  # noqa: F401  (collected here against PostgreSQL)
    test_erasure_removes_console_rows_and_anonymises_audit,
    test_filters_search_and_review_status,
    test_pagination,
    test_purge_deletes_old_conversations_and_leads_only,
    test_refresh_is_incremental,
    test_staff_message_in_tracker_shows_as_staff,
    test_summaries_count_messages_and_raise_flags,
    test_transcript_pairs_answers_with_passages_and_pages_back,
)

pytestmark = [pytest.mark.integration, pytest.mark.postgres]


@pytest.fixture
def postgres_url() -> Iterator[str]:
    if not postgres_available():
        pytest.skip("no PostgreSQL server on 127.0.0.1:5432")
    url = create_postgres_database("staff_test")
    yield url
    drop_postgres_database(url)


@pytest.fixture
def engine(postgres_url):
    upgrade(postgres_url)
    engine = make_engine(postgres_url)
    create_events_table(engine)
    yield engine
    engine.dispose()


def test_console_lists_and_opens_conversations_on_postgres(engine, postgres_url, tmp_path):
    insert_events(
        engine,
        [
            *session_rows("pg-crisis", 1_700_000_000.0),
            *crisis_turn("pg-crisis", 1_700_000_001.0),
            *question_turn("pg-asker", 1_700_000_100.0, "what is <i>heroin</i>", "p-1", "web"),
        ],
    )
    console = Console(tmp_path, postgres_url)
    console.add_user("pg-admin", "admin")
    console.start()
    try:
        client = console.client()
        assert client.login("pg-admin").status_code == 303
        crisis = client.get("/conversations", params={"crisis": "1"}).text
        assert "pg-crisis" in crisis and "pg-asker" not in crisis
        assert "pg-asker" in client.get("/conversations", params={"q": "heroin"}).text
        page = client.get("/conversations/pg-asker").text
        assert "&lt;i&gt;heroin&lt;/i&gt;" in page and "p-1" in page
        assert client.post("/conversations/pg-asker/review", {"reviewed": "1"}).status_code == 303
        assert "mark reviewed" in client.get("/audit").text
    finally:
        console.stop()
        engine.dispose()
