"""Celery tasks: thin, ids or nothing as arguments, each safe to run twice."""

from celery import shared_task

from .selectors import HEARTBEAT_NAME
from .services import heartbeat_record


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def record_heartbeat(self) -> None:
    """Record that a worker is taking tasks from the queue. Beat sends it every 30 seconds."""
    heartbeat_record(name=HEARTBEAT_NAME, worker=self.request.hostname or "")
