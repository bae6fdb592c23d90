"""A hundred check-ins fall due; the worker sending them is killed with SIGKILL mid-batch; a new
worker takes over. Every check-in reaches the loopback receiver once (a send cut off by the kill
is repeated with the same idempotency key, which the receiver deduplicates on, as the platform's
contract says), and Shouhu records exactly one send for each."""

import os
import signal
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from interventions.models import CaseEvent, CheckIn
from interventions.services import reminders_sweep
from tests import factories, receiver
from tests.conftest import start_worker, stop_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
SECRET = "worker-test-secret"
TOTAL = 100


def test_every_check_in_is_delivered_once_though_the_worker_is_killed_mid_batch(
    specialist, worker_queue, through_the_broker, tmp_path
):
    server, received = receiver.start(SECRET, delay=0.08)
    env = {
        "SHOUHU_PLATFORM_CHAT_URL": f"http://127.0.0.1:{server.server_port}/chat",
        "SHOUHU_OUTBOUND_SECRET": SECRET,
    }
    due = timezone.now() - timedelta(minutes=1)
    for n in range(TOTAL):
        case = factories.CaseFactory(owner=specialist, buyer=factories.BuyerFactory(account_ref=f"tb_checkin_{n}"))
        factories.CheckInFactory(case=case, owner=specialist, due_at=due, send_after=due, text="早上好")
    connection.close()
    log = tmp_path / "workers.log"

    first = start_worker(worker_queue, log, **env)
    try:
        reminders_sweep()  # beat's minute: five tasks of twenty check-ins on the queue
        wait_for(lambda: len(received.requests) >= 30, timeout=60, what="30 sends", workers=[first])
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        sent_before_the_kill = len(received.requests)
        assert sent_before_the_kill < TOTAL, "the batch finished before the kill: slow the receiver"

        second = start_worker(worker_queue, log, **env)
        try:
            reminders_sweep()  # the next minute's sweep finds what the dead worker left planned
            wait_for(
                lambda: not CheckIn.objects.filter(status=CheckIn.Status.PLANNED).exists(),
                timeout=90,
                what="every check-in sent",
                workers=[second],
            )
            time.sleep(1)  # anything sent twice by mistake would have arrived by now
        finally:
            stop_worker(second)
    finally:
        if first.poll() is None:
            stop_worker(first)
        server.shutdown()
        print(log.read_text())

    keys = {checkin.idempotency_key for checkin in CheckIn.objects.all()}
    assert set(received.accepted) == keys  # every check-in reached the receiver
    per_key = received.deliveries_per_key()
    # at most the one send in flight at the kill was repeated, under the same key
    assert sum(per_key.values()) - TOTAL <= 1
    assert all(request["signed"] for request in received.requests)
    assert set(CheckIn.objects.values_list("status", flat=True)) == {CheckIn.Status.DELIVERED}
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.CHECKIN_SENT).count() == TOTAL
    print(f"{sent_before_the_kill} sends before the kill; requests in all: {sum(per_key.values())}")
