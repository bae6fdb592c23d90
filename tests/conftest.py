"""Fixtures shared by the whole suite: the personas of STYLE.md and a check that the services
the suite needs are there (a missing PostgreSQL or Redis fails the run, it never skips)."""

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.account.internal.flows.login import record_authentication
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse

from accounts.models import Desk
from accounts.roles import Role
from accounts.services import user_set_roles
from config.celery import app
from tests import factories
from tests.services import app_role_create, service_problems


def pytest_sessionstart(session: pytest.Session) -> None:
    problems = service_problems()
    if problems:
        pytest.exit("\n".join(["FAILED: a service the suite needs is missing:", *problems]), returncode=3)
    app_role_create()


def _person(email: str, name: str, *roles: str):
    user = factories.UserFactory(email=email, display_name=name)
    user_set_roles(user=user, roles=roles, by=None)
    return user


def _force_login_after_second_factor(self, user, backend=None) -> None:
    """What a whole login leaves in the session: the password, then (for anyone) a code from an
    authenticator app, recorded as django-allauth records them, an hour ago: so exports and
    reveals ask for the password again (see `reauthenticated`). The login itself, with and without
    the second factor, is tested through the real forms (test_second_factor)."""
    _django_force_login(self, user, backend)
    request = HttpRequest()
    request.session = self.session
    record_authentication(request, user, method="password", email=user.email)
    record_authentication(request, user, method="mfa", type="totp")
    for record in request.session[AUTHENTICATION_METHODS_SESSION_KEY]:
        record["at"] -= 3600
    request.session.save()


_django_force_login = Client.force_login
Client.force_login = _force_login_after_second_factor


@pytest.fixture
def reauthenticated():
    """Give the password again, through django-allauth's reauthentication page, as a person asked
    for it before an export or a reveal would."""

    def give_password(client: Client) -> None:
        response = client.post(reverse("account_reauthenticate"), {"password": factories.PASSWORD})
        assert response.status_code == 302, response.content[:500]

    return give_password


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate-limit counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def life_team(db):
    return factories.TeamFactory(name="防自杀一组", desk=Desk.LIFE)


@pytest.fixture
def fraud_team(db):
    return factories.TeamFactory(name="反欺诈一组", desk=Desk.FRAUD)


@pytest.fixture
def specialist(db, life_team):
    """Li, a life-protection specialist."""
    user = _person("li@example.test", "李娜", Role.SPECIALIST)
    life_team.members.add(user)
    return user


@pytest.fixture
def colleague(db, life_team):
    """Zhang, a second life-protection specialist: who takes over Li's cases at a shift change."""
    user = _person("zhang@example.test", "张伟", Role.SPECIALIST)
    life_team.members.add(user)
    return user


@pytest.fixture
def fraud_specialist(db, fraud_team):
    """Chen, an anti-fraud specialist."""
    user = _person("chen@example.test", "陈晓红", Role.SPECIALIST)
    fraud_team.members.add(user)
    return user


@pytest.fixture
def supervisor(db, life_team, fraud_team):
    """Wang, supervisor of both desks."""
    user = _person("wang@example.test", "王磊", Role.SUPERVISOR)
    life_team.members.add(user)
    fraud_team.members.add(user)
    return user


@pytest.fixture
def manager(db):
    """Zhao, who reads the figures."""
    return _person("zhao@example.test", "赵敏", Role.MANAGER)


@pytest.fixture
def shop_a(db):
    return factories.MerchantFactory(external_ref="shop-a", name="青禾农资旗舰店")


@pytest.fixture
def shop_b(db):
    return factories.MerchantFactory(external_ref="shop-b", name="沃土农资专营店")


@pytest.fixture
def merchant_a(db, shop_a):
    """A staff member of shop A."""
    user = _person("staff@shop-a.test", "周建国", Role.MERCHANT_STAFF)
    factories.MerchantMembershipFactory(user=user, merchant=shop_a, is_admin=True)
    return user


@pytest.fixture
def merchant_b(db, shop_b):
    """A staff member of shop B."""
    user = _person("staff@shop-b.test", "吴春梅", Role.MERCHANT_STAFF)
    factories.MerchantMembershipFactory(user=user, merchant=shop_b, is_admin=True)
    return user


@pytest.fixture
def liaison(db):
    """The liaison of an anti-fraud centre."""
    user = _person("liaison@police.test", "厦门反诈中心联络员", Role.POLICE_LIAISON)
    unit = factories.PoliceUnitFactory(name="厦门市反诈骗中心", kind="anti_fraud_centre")
    factories.PoliceLiaisonFactory(user=user, unit=unit)
    return user


@pytest.fixture
def integration(db):
    """The platform's chat system, an API client."""
    return _person("chat@integration.test", "平台客服消息系统", Role.INTEGRATION)


@pytest.fixture
def outsider(db):
    """A login with no role at all."""
    return factories.UserFactory(email="outsider@example.test", display_name="路人")


@pytest.fixture
def personas(specialist, supervisor, manager, merchant_a, merchant_b, liaison, integration, outsider):
    return {
        "specialist": specialist,
        "supervisor": supervisor,
        "manager": manager,
        "merchant_a": merchant_a,
        "merchant_b": merchant_b,
        "liaison": liaison,
        "integration": integration,
        "outsider": outsider,
    }


@pytest.fixture
def intake_token(integration):
    """The key of a token that may push messages and orders."""
    from accounts.services import api_token_issue

    _token, key = api_token_issue(user=integration, name="chat system", scopes=["intake:write"], by=None)
    return key


@pytest.fixture
def api(intake_token):
    """An API client that speaks as the platform's chat system."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {intake_token}")
    return client


# --- a real Celery worker, for the tests marked `worker` ---------------------------------------


def _database_url() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture
def worker_queue():
    """A queue of this test's own, so no other run's messages are consumed or left behind."""
    return f"test-worker-{uuid.uuid4().hex[:8]}"


def process_environment(**extra: str) -> dict[str, str]:
    """The environment of a process a test starts (a worker, a web server): the test settings,
    the test database (which the test commits to), the broker, tasks sent for real."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        **extra,
    }


def start_worker(queue: str, log: Path, **env_extra: str) -> subprocess.Popen:
    """A real Celery worker in its own process, on the broker, taking only `queue`, writing to `log`."""
    env = process_environment(**env_extra)
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--pool",
        "solo",
        "--queues",
        queue,
        "--without-mingle",
        "--without-gossip",
        "--loglevel",
        "INFO",
    ]
    with log.open("a") as output:
        return subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT, cwd=settings.BASE_DIR)


def wait_for(condition, *, what: str, timeout: float = 30, workers=()) -> None:
    """Until `condition()` holds; fails after `timeout` seconds, or as soon as a worker exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for worker in workers:
            assert worker.poll() is None, "a worker exited early"
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def stop_worker(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def celery_worker_process(worker_queue, tmp_path):
    log = tmp_path / "worker.log"
    process = start_worker(worker_queue, log)
    yield process
    stop_worker(process)
    print(log.read_text())  # pytest shows it when the test failed


@pytest.fixture
def through_the_broker(worker_queue):
    """Send tasks to the test's own queue on the broker instead of running them in-process."""
    saved = app.conf.task_always_eager, app.conf.task_routes
    app.conf.task_always_eager = False
    _route_all_tasks({"*": {"queue": worker_queue}})
    yield
    app.conf.task_always_eager = saved[0]
    _route_all_tasks(saved[1])


def _route_all_tasks(routes) -> None:
    # Celery builds its router once, from the routes of that moment: rebuild it.
    app.conf.task_routes = routes
    app.amqp.flush_routes()
    app.amqp.router = app.amqp.Router()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A redis-server of this test only, which the test stops and starts again on the same port."""

    def __init__(self, port: int):
        self.port, self.process = port, None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is needed (make test installs it: make redis-binary)"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        wait_for(lambda: port_answers(self.port), what="redis-server")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def port_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_of_its_own():
    redis = PrivateRedis(free_port())
    redis.start()
    yield redis
    if redis.process.poll() is None:
        redis.stop()
