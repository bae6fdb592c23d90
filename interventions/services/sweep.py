"""The minute's sweep: everything due, found and handed to the delivery tasks."""

from datetime import datetime

from django.conf import settings
from django.utils import timezone

from .checkins import checkin_calls_due, checkins_chase, checkins_due
from .notifications import (
    alerts_escalate,
    first_actions_page,
    interceptions_escalate,
    notifications_due,
    stop_payments_page,
)
from .webhooks import webhooks_due


def reminders_sweep(*, now: datetime | None = None) -> dict:
    """Everything due, once a minute: check-ins to send, calls due, replies not come, alerts
    unclaimed, windows closing, deadlines passed, notifications and webhooks to send. Hands the sends to
    delivery tasks in small batches; running it twice sends nothing twice."""
    now = now or timezone.now()
    batch = settings.SHOUHU_DELIVERY_BATCH
    checkins = checkins_due(now=now, limit=settings.SHOUHU_SWEEP_LIMIT)
    for start in range(0, len(checkins), batch):
        _enqueue("deliver_checkins", checkins[start : start + batch])
    figures = {
        "checkins_due": len(checkins),
        "calls_due": checkin_calls_due(now=now),
        "chased": checkins_chase(now=now),
        "alerts_paged": alerts_escalate(now=now),
        "stop_payments_paged": stop_payments_page(now=now),
        "interceptions_paged": interceptions_escalate(now=now),
        "first_actions_paged": first_actions_page(now=now),
    }
    outbox = notifications_due(now=now, limit=settings.SHOUHU_SWEEP_LIMIT)
    for start in range(0, len(outbox), batch):
        _enqueue("deliver_notifications", outbox[start : start + batch])
    figures["notifications_due"] = len(outbox)
    webhooks = webhooks_due(now=now, limit=settings.SHOUHU_SWEEP_LIMIT)
    for start in range(0, len(webhooks), batch):
        _enqueue("deliver_webhooks", webhooks[start : start + batch])
    figures["webhooks_due"] = len(webhooks)
    return figures


def _enqueue(task_name: str, ids: list[int]) -> None:
    # The tasks call these services: the task module is read when a batch is handed over.
    from .. import tasks

    getattr(tasks, task_name).delay(ids)
