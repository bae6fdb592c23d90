"""The one way Shouhu sends anything out: check-ins, notifications and webhooks are rows of an
outbox, each sent by `outbox_send` under its row lock and marked in the same transaction.

A row is taken with SELECT … FOR UPDATE SKIP LOCKED, so two workers, or a task and its retry,
never send it twice; a worker that dies mid-send rolls back and the row is sent again later under
the same idempotency key. A failed try is retried after 30 s, then 1, 2, 4… minutes (at most an
hour apart), up to SHOUHU_DELIVERY_MAX_ATTEMPTS tries.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ..channels import DeliveryFailed

# The outbox row's model (CheckIn, Notification, WebhookDelivery), as the callbacks take it.
_Row = TypeVar("_Row")


def retry_delay(attempts: int) -> timedelta:
    """30 s after the first failed try, doubling, at most an hour."""
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), timedelta(hours=1))


@transaction.atomic
def outbox_send(
    waiting: QuerySet,
    pk: int,
    *,
    send: Callable[[_Row], dict | None],
    sent: Callable[[_Row, dict, datetime], None],
    failed: Callable[[_Row, DeliveryFailed, bool], None],
) -> bool:
    """Send row `pk` of `waiting` (the rows still to send) if it is due and no one else holds it.

    `send(row)` makes the call and raises DeliveryFailed; then `sent(row, answer, now)` marks and
    saves the row. On failure the row's attempts, last_error and send_after are set here and
    `failed(row, failure, gave_up)` saves it, gave_up being True after the last try."""
    now = timezone.now()
    row = waiting.select_for_update(skip_locked=True, of=("self",)).filter(pk=pk, send_after__lte=now).first()
    if row is None:  # sent already, taken by another worker, cancelled, or not due
        return False
    row.attempts += 1
    try:
        answer = send(row) or {}
    except DeliveryFailed as failure:
        row.last_error = str(failure)[:300]
        row.send_after = now + retry_delay(row.attempts)
        failed(row, failure, row.attempts >= settings.SHOUHU_DELIVERY_MAX_ATTEMPTS)
        return False
    row.last_error = ""
    sent(row, answer, now)
    return True
