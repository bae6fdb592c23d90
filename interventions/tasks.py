"""Celery tasks: thin, ids or nothing as arguments, each safe to run twice."""

from celery import shared_task
from django.db import OperationalError

from .selectors import HEARTBEAT_NAME
from .services import heartbeat_record, messages_scan, messages_scan_overdue


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def record_heartbeat(self) -> None:
    """Record that a worker is taking tasks from the queue. Beat sends it every 30 seconds."""
    heartbeat_record(name=HEARTBEAT_NAME, worker=self.request.hostname or "")


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=10, default_retry_delay=5)
def scan_messages(self, message_ids: list[int]) -> int:
    """Scan these stored messages into alerts. Ids only: the text never crosses the broker."""
    try:
        return messages_scan(message_ids=message_ids)
    except OperationalError as error:
        raise self.retry(exc=error) from error


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def scan_overdue_messages(self) -> int:
    """Beat's safety net: scan messages whose own scan task never ran."""
    return messages_scan_overdue()
