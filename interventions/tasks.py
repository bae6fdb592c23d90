"""Celery tasks: thin, ids or nothing as arguments, each safe to run twice."""

from celery import shared_task
from django.db import OperationalError

from .selectors import HEARTBEAT_NAME
from .services import (
    cases_anonymise_due,
    checkins_deliver,
    figures_roll_up,
    heartbeat_record,
    messages_scan,
    messages_scan_overdue,
    morning_digests_send,
    notifications_deliver,
    reminders_sweep,
    webhooks_deliver,
)
from .services.scanner import scanner_backtest_run, scanner_backtests_run_due


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


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def sweep_reminders(self) -> dict:
    """Beat's minute: hand out due check-ins and notifications, and run the escalation clocks."""
    return reminders_sweep()


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_checkins(self, checkin_ids: list[int]) -> int:
    """Send these check-ins if still due. A failed send is retried by a later sweep, with backoff."""
    return checkins_deliver(checkin_ids=checkin_ids)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_notifications(self, notification_ids: list[int]) -> int:
    """Send these notifications by email, SMS or voice if still pending and due."""
    return notifications_deliver(notification_ids=notification_ids)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def roll_up_figures(self) -> int:
    """Beat's five minutes: recompute the managers' figures of each day whose records changed."""
    return len(figures_roll_up())


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_morning_digests(self) -> int:
    """Each supervisor's morning digest, once a day (keyed by day, so a second run sends nothing)."""
    return morning_digests_send()


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_webhooks(self, delivery_ids: list[int]) -> int:
    """Send these webhook deliveries if still pending and due."""
    return webhooks_deliver(delivery_ids=delivery_ids)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def anonymise_expired_cases(self) -> int:
    """Beat's night: remove the person from the closed cases past SHOUHU_RETENTION_DAYS, but for
    those under a legal hold. Safe to run twice or on two workers at once; a run cut short is
    finished by the next."""
    return cases_anonymise_due()


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_scanner_backtest(self, backtest_id: int) -> bool:
    """Backtest the proposed term changes: the corpus's test half and the stored messages of the
    last days, with and without them. Claimed by a conditional update, so a second run does nothing."""
    return scanner_backtest_run(backtest_id=backtest_id)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_due_scanner_backtests(self) -> int:
    """Beat's safety net for backtests whose own task was lost."""
    return scanner_backtests_run_due()
