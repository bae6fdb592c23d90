"""Redis stops while messages arrive, with the portal run as production runs it: gunicorn, a
real Celery worker, Redis as broker and cache (a Redis of this test's own, on its own port).

The database commit is the promise: every message is stored and answered 202 while Redis is away,
staff can still sign in, /healthz says what is down, and once Redis is back the sweep scans every
message exactly once, with no duplicate alert."""

import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from interventions.models import Alert, Message
from interventions.services import messages_scan_overdue
from interventions.services.intake import SWEEP_AFTER
from tests import factories
from tests.conftest import free_port, process_environment, start_worker, stop_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
URL = "/api/v1/intake/messages"


def _serves(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture
def portal(redis_of_its_own, tmp_path):
    """gunicorn and a worker of every queue, with broker and cache in the test's Redis."""
    redis = f"redis://127.0.0.1:{redis_of_its_own.port}"
    environment = {"CELERY_BROKER_URL": f"{redis}/0", "CACHE_URL": f"{redis}/1"}
    port = free_port()
    log = tmp_path / "portal.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--worker-class",
        "gthread",
        "--workers",
        "2",
        "--threads",
        "4",
    ]
    with log.open("a") as output:
        web = subprocess.Popen(
            command,
            env=process_environment(**environment),
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=settings.BASE_DIR,
        )
    worker = start_worker("scan,notify,default", tmp_path / "worker.log", **environment)
    base = f"http://127.0.0.1:{port}"
    wait_for(lambda: _serves(f"{base}/healthz"), what="gunicorn")
    yield base, worker
    web.terminate()
    web.wait(timeout=20)
    stop_worker(worker)
    print(log.read_text(), Path(tmp_path / "worker.log").read_text())  # shown when the test failed


def _batch(start: int, count: int) -> list[dict]:
    """Every third person writes that they are about to die; the others ask about their parcel."""
    return [
        {
            "source": "chat",
            "external_id": f"outage-{n}",
            "buyer_ref": f"buyer-{n}",
            "text": "药已经买好了,今晚就吃下去,不想活了" if n % 3 == 0 else "请问什么时候发货?",
            "sent_at": "2026-12-07T21:00:00+08:00",
        }
        for n in range(start, start + count)
    ]


def _post(base: str, token: str, messages: list[dict]) -> requests.Response:
    return requests.post(f"{base}{URL}", json={"messages": messages}, headers={"Authorization": f"Bearer {token}"})


def _scanned() -> int:
    connection.close()  # read what the worker committed, not this connection's snapshot
    return Message.objects.filter(scanned_at__isnull=False).count()


def _health(base: str) -> dict:
    response = requests.get(f"{base}/healthz", timeout=5)
    assert response.status_code == 200
    return response.json()


def _signs_in(base: str, user) -> bool:
    """The password form takes the password (on to the second factor), not an error page."""
    session = requests.Session()
    url = f"{base}{reverse('account_login')}"
    assert session.get(url, timeout=5).status_code == 200
    answer = session.post(
        url,
        {"login": user.email, "password": factories.PASSWORD, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=5,
    )
    return answer.status_code == 302 and reverse("account_login") not in answer.headers["Location"]


def test_while_redis_is_down_every_message_is_stored_and_scanned_once_when_it_is_back(
    portal, redis_of_its_own, intake_token, specialist
):
    base, worker = portal
    assert _health(base)["broker"] == "ok"
    assert _post(base, intake_token, _batch(0, 10)).status_code == 202
    wait_for(lambda: _scanned() == 10, what="the worker's scan")

    redis_of_its_own.stop()
    health = _health(base)
    assert (health["broker"], health["cache"]) == ("down", "down")
    answers = [_post(base, intake_token, _batch(start, 10)) for start in range(10, 60, 10)]
    assert [answer.status_code for answer in answers] == [202] * 5
    assert sum(answer.json()["created"] for answer in answers) == 50
    assert _signs_in(base, specialist)
    assert Message.objects.count() == 60
    assert _scanned() == 10  # the fifty wait for the sweep

    redis_of_its_own.start()
    assert messages_scan_overdue(now=timezone.now() + SWEEP_AFTER + timedelta(seconds=1)) == 50
    assert messages_scan_overdue(now=timezone.now() + SWEEP_AFTER + timedelta(seconds=1)) == 0
    assert _scanned() == 60
    time.sleep(1)  # a late enqueue, had one been queued, would have been scanned by now
    in_danger = {f"buyer-{n}" for n in range(0, 60, 3)}
    alerted = list(Alert.objects.values_list("buyer__account_ref", flat=True))
    assert sorted(alerted) == sorted(in_danger)  # one alert each: none missed, none twice
    assert worker.poll() is None
