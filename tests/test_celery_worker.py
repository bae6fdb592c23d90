"""A real Celery worker, started as a subprocess against Redis, runs a task the test enqueued
and its effect lands in the test database."""

import os
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app
from interventions.models import Heartbeat
from interventions.tasks import record_heartbeat

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture
def worker_queue():
    """A queue of this test's own, so no other run's messages are consumed or left behind."""
    return f"test-worker-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def celery_worker_process(worker_queue, tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),  # the test database, which this test commits to
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    log = tmp_path / "worker.log"
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--queues", worker_queue,
               "--without-mingle", "--without-gossip", "--loglevel", "INFO"]  # fmt: skip
    with log.open("w") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT, cwd=settings.BASE_DIR)
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    if process.returncode not in (0, -15):
        print(log.read_text())


@pytest.fixture
def through_the_broker():
    """Send tasks to the broker instead of running them in the test process."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = eager


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
