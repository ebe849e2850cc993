"""Background jobs that must never sit on the reply path: staff alert delivery and retries."""

from __future__ import annotations

import logging
import time

from bot.alerts import deliver_pending
from bot.settings import env_int

logger = logging.getLogger(__name__)


def run_forever(interval: float | None = None) -> int:
    interval = interval or env_int("WORKER_INTERVAL_SECONDS", 5)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logger.info("worker started")
    while True:
        try:
            delivered = deliver_pending()
            if delivered:
                logger.info("delivered %s staff alerts", delivered)
        except Exception:  # a database outage must not end the worker; it retries next round
            logger.exception("alert delivery round failed")
        time.sleep(interval)
