"""A real Celery worker, started as a subprocess against Redis, runs a task the test enqueued
and its effect lands in the test database."""

import time

import pytest
from django.db import connection

from interventions.models import Heartbeat
from interventions.tasks import record_heartbeat

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_runs_the_heartbeat_task_into_the_database(
    celery_worker_process, worker_queue, through_the_broker
):
    connection.close()  # the worker must see committed rows only; nothing is held open here
    record_heartbeat.apply_async(queue=worker_queue)

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert celery_worker_process.poll() is None, "the worker exited early"
        beat = Heartbeat.objects.filter(name="worker").first()
        if beat is not None:
            break
        time.sleep(0.5)
    else:
        pytest.fail("the worker did not run the task within 60 s")
    assert beat.worker.startswith("celery@")
