"""Staff alerts: queued in the database, delivered to a Telegram staff chat and/or a webhook.

Queueing is one insert; delivery happens later and is retried, so an alert can never delay or
break the reply to the person who wrote.
"""

from bot.alerts.deliver import deliver_pending
from bot.alerts.queue import enqueue_alert

__all__ = ["deliver_pending", "enqueue_alert"]
