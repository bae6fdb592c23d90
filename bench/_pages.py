"""What the benches that time the portal's pages through the Django test client share
(bench/console.py, bench/search.py, bench/caseload.py): the seeded database they refuse to run
without, the bench's staff, a client logged in as after both factors, and what the SQL of one page
costs. It imports Django, so it comes after bench_setup():

    from _common import bench_setup
    bench_setup()
    from _pages import logged_in_client, queries_of  # noqa: E402

Each bench keeps its own `_get` (what answer it accepts: the search takes a redirect, the pages
only a 200) and hands it to queries_of.
"""

import re
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable

from _common import postgres_migrated, seed_command
from allauth.account.internal.flows.login import record_authentication
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.http.request import validate_host
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Desk, Team, User
from accounts.services import team_add_member, team_create, user_create, user_set_roles
from interventions.models import Alert, Case

# Requests that name the slowest query: a single request's times are too noisy to name it.
QUERY_SAMPLES = 5


# --- Database and people -------------------------------------------------------------------------


def seeded_database(script: str, *, min_alerts: int) -> tuple[int, int]:
    """Refuse anything but a migrated PostgreSQL database with at least `min_alerts` alerts (with
    the command that seeds it); return its alert and case counts. The database is migrated first,
    since the seed may predate the latest migrations."""
    postgres_migrated(script)
    alerts, cases = Alert.objects.count(), Case.objects.count()
    if alerts < min_alerts:
        print(
            f"{settings.DATABASES['default']['NAME']} holds {alerts:,} alerts; {script} needs {min_alerts:,}. "
            f"Seed it first (--reset empties the seeded tables):\n\n    {seed_command(min_alerts)}\n",
            file=sys.stderr,
        )
        sys.exit(1)
    return alerts, cases


def life_desk_member(*, email: str, display_name: str, role: str, script: str) -> User:
    """The bench's own member of a life-desk team with `role`, created through the services the
    first time (no password: see logged_in_client), given the role again if it was taken away."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = user_create(email=email, display_name=display_name, password=None, roles=[role], by=None)
    elif not user.groups.filter(name=role).exists():
        user_set_roles(user=user, roles=[role], by=None, reason=script)
    if not user.teams.filter(desk=Desk.LIFE).exists():
        team = Team.objects.filter(desk=Desk.LIFE).order_by("pk").first()
        if team is None:
            team = team_create(name=f"bench-{Desk.LIFE}", desk=Desk.LIFE, by=None)
        team_add_member(team=team, user=user, by=None)
    return user


def logged_in_client(user: User) -> Client:
    """Logged in as after the password and the second factor, as django-allauth records them:
    staff pages answer nothing else (accounts.middleware.SecondFactorMiddleware)."""
    client = Client(HTTP_HOST=allowed_host())
    client.force_login(user)
    request = HttpRequest()
    request.session = client.session
    record_authentication(request, user, method="password", email=user.email)
    record_authentication(request, user, method="mfa", type="totp")
    request.session.save()
    return client


def allowed_host() -> str:
    """A host the settings allow: the test client's 'testserver' with the test settings, otherwise
    the first host the settings name."""
    if validate_host("testserver", settings.ALLOWED_HOSTS):
        return "testserver"
    named = [host for host in settings.ALLOWED_HOSTS if "*" not in host and not host.startswith(".")]
    if not named:
        sys.exit("ALLOWED_HOSTS names no host the test client could send; use config.settings.test.")
    return named[0]


# --- What the SQL of a page costs ----------------------------------------------------------------


def queries_of(get: Callable[[Client, str], HttpResponse], client: Client, url: str) -> tuple[int, float, str]:
    """The number of SQL queries of one request (`get(client, url)`, the bench's own, which checks
    the answer), and the slowest query by its median time over QUERY_SAMPLES requests. Outside the
    clock: timing each query slows a request down."""
    timer = QueryTimer()
    with connection.execute_wrapper(timer):
        with CaptureQueriesContext(connection) as captured:
            get(client, url)
        # Counted now: captured reads the connection's log, which the next request empties.
        count = len(captured)
        for _ in range(QUERY_SAMPLES - 1):
            get(client, url)
    # The wrapper sees the SQL with placeholders, so one query has the same text in every request.
    times: dict[str, list[float]] = defaultdict(list)
    for ms, sql in timer.queries:
        times[sql].append(ms)
    sql, samples = max(times.items(), key=lambda item: statistics.median(item[1]))
    return count, statistics.median(samples), sql


class QueryTimer:
    """Times each query to the microsecond (the captured queries carry whole milliseconds)."""

    def __init__(self) -> None:
        self.queries: list[tuple[float, str]] = []

    def __call__(self, execute: Callable, sql: str, params, many: bool, context: dict):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append(((time.perf_counter() - started) * 1000, sql))


def shorten(sql: str, width: int = 240) -> str:
    """A query as the report prints it. Column lists and join conditions are most of a query's text
    and say little about its cost."""
    sql = re.sub(r"^SELECT (DISTINCT )?.*? FROM ", r"SELECT \1… FROM ", sql, count=1)
    sql = re.sub(r" (?:LEFT OUTER |INNER )?JOIN (\S+) ON \([^()]*\)", r" JOIN \1", sql)
    return sql if len(sql) <= width else sql[: width - 1] + "…"
