"""Background jobs that must never sit on the reply path: staff alerts and retention."""

from __future__ import annotations

import logging
import time

from bot.alerts import deliver_pending
from bot.settings import env_int
from bot.store.db import session_scope
from bot.store.purge import purge, retention_days

logger = logging.getLogger(__name__)

PURGE_EVERY_SECONDS = 24 * 3600


def purge_due(last_purge: float | None, now: float) -> bool:
    return last_purge is None or now - last_purge >= PURGE_EVERY_SECONDS


def run_once(last_purge: float | None, now: float) -> float | None:
    """One round: deliver due alerts; purge old transcripts once a day. Returns last purge."""
    delivered = deliver_pending()
    if delivered:
        logger.info("delivered %s staff alerts", delivered)
    if purge_due(last_purge, now):
        with session_scope() as session:
            counts = purge(session, retention_days())
        logger.info("retention purge removed %s", counts)
        return now
    return last_purge


def run_forever(interval: float | None = None) -> int:
    interval = interval or env_int("WORKER_INTERVAL_SECONDS", 5)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logger.info("worker started")
    last_purge: float | None = None
    while True:
        try:
            last_purge = run_once(last_purge, time.time())
        except Exception:  # a database outage must not end the worker; it retries next round
            logger.exception("worker round failed")
        time.sleep(interval)
