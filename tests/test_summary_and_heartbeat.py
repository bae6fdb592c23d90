"""The managers' summary, the heartbeat task, and the health endpoint."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.schedulers import ModelEntry

from accounts.models import Desk
from config.celery import app
from interventions.models import Heartbeat, Severity
from interventions.tasks import record_heartbeat
from tests import factories
from tests.pages import shown

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def test_the_heartbeat_task_run_twice_keeps_one_row_with_the_latest_time(db):
    with time_machine.travel(NOW, tick=False):
        record_heartbeat.delay()
    with time_machine.travel(NOW + timedelta(seconds=30), tick=False):
        record_heartbeat.delay()
    beat = Heartbeat.objects.get()
    assert beat.last_beat_at == NOW + timedelta(seconds=30)


@pytest.mark.parametrize(
    ("last_beat", "shown"), [(timedelta(minutes=5), "工作进程已停止"), (timedelta(seconds=20), "运行正常")]
)
def test_summary_shows_whether_the_worker_is_alive(client, manager, last_beat, shown):
    factories.HeartbeatFactory(last_beat_at=NOW - last_beat)
    client.force_login(manager)
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("interventions:summary")).text
    assert shown in page


def test_summary_counts_open_and_overdue_alerts_per_desk(client, manager):
    with time_machine.travel(NOW - timedelta(minutes=10), tick=False):
        factories.AlertFactory.create_batch(2, desk=Desk.LIFE, severity=Severity.CRITICAL)  # 5 min SLA: overdue
        factories.AlertFactory(desk=Desk.FRAUD, severity=Severity.MEDIUM)  # 1 h SLA: not yet
    client.force_login(manager)
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("interventions:summary"))
    desks = {desk["desk"]: desk for desk in response.context["summary"]["desks"]}
    assert (desks["life"]["open_alerts"], desks["life"]["overdue_alerts"]) == (2, 2)
    assert (desks["fraud"]["open_alerts"], desks["fraud"]["overdue_alerts"]) == (1, 0)


@pytest.mark.parametrize("rows", [1, 20])
def test_summary_and_queue_run_a_fixed_number_of_queries(client, supervisor, rows, django_assert_max_num_queries):
    for _ in range(rows):
        alert = factories.AlertFactory(order=factories.OrderFactory(), claimed_by=None)
        alert.merchant = alert.order.merchant
        alert.save()
    factories.CaseFactory.create_batch(rows)
    client.force_login(supervisor)
    client.get(reverse("accounts:home"))  # the session notes the activity, once a minute at most
    with django_assert_max_num_queries(12):
        summary = client.get(reverse("interventions:summary"))
    with django_assert_max_num_queries(10):  # the navigation counts my open cases on the desks the queue read
        queue = client.get(reverse("interventions:queue"))
    shown(summary, 'data-testid="desk-life"', f'<span class="figure-value">{rows}</span>')  # open alerts
    assert shown(queue).count("明确意图 + 方法") == rows  # every alert is a row


def test_health_reports_database_and_worker(client, db):
    factories.HeartbeatFactory(last_beat_at=timezone.now())
    body = client.get(reverse("health")).json()
    assert body["database"] == "ok"
    assert body["worker"] == "ok"


def test_beat_sends_every_periodic_task_with_its_expiry(db):
    """As beat's DatabaseScheduler stores and sends them: a heartbeat that waited in a backlog
    longer than 25 s is discarded, so /healthz says "stale" rather than catching up late."""
    sent_with = {
        name: ModelEntry.from_entry(name, app=app, **entry).options.get("expires")
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
    }
    assert sent_with["record-worker-heartbeat"] == 25
    assert all(sent_with.values()), sent_with
