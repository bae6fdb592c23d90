"""The Celery app. Every setting lives in Django settings under the CELERY_ prefix."""

import logging
import os

from celery import Celery
from django.db import transaction
from django.utils.module_loading import import_string
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("shouhu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
logger = logging.getLogger(__name__)


def enqueue_after_commit(task_name: str, *args, left_to: str) -> None:
    """Send the task `task_name` (its dotted path) with `args` once the current transaction commits: the one way the
    apps hand work to the workers. The rows are the promise and the task only speeds them on, so
    a broker that cannot take it (Redis down, a network blip) costs a log line, never the request:
    the work is left to `left_to`, the sweep that finds such rows."""

    def send() -> None:
        try:
            import_string(task_name).delay(*args)
        except OperationalError:  # the broker cannot be reached: the sweep is the fallback
            logger.warning("Could not enqueue %s; left to %s", task_name, left_to, exc_info=True)

    transaction.on_commit(send)


def broker_reachable() -> bool:
    """Whether the broker takes a connection now (one try, at most a second): for /healthz."""
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=1)
    except (OperationalError, OSError):
        return False
    return True
