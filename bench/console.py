"""Median and p95 time of the specialist's console pages on a production-sized database.

Usage, from the repository root (DJANGO_SETTINGS_MODULE defaults to config.settings.test):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shouhu_bench \\
        .venv/bin/python bench/console.py [--runs 200]

Target (from the issue): on PostgreSQL seeded with 1,000,000 alerts and 100,000 cases, the queue
page (first page, filtered by desk) and a case page with 50 timeline events each answer with a
median under 150 ms through the Django test client.

The database is the seeder's (DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/shouhu_bench,
filled by `bench/seed.py --alerts 1000000`). It is migrated first, since the seed may predate the
latest migrations; one with fewer than 1,000,000 alerts is refused with the command that fills it.

What is timed, per page: 5 warm-up requests, then --runs GET requests one after the other through
django.test.Client, i.e. in-process WSGI with the real URLconf, middleware, session login, views,
selectors and templates, but no socket and no HTTP server. Then, outside the clock (recording
queries slows a request down), one request counts the SQL queries and five name the slowest query,
by its median time.

    queue       GET /queue/?desk=life, the first page
    queue p.2   the page after it, following next_cursor from the first page's context
    case        GET /cases/<pk>/ of an open life-desk case whose person has orders and alerts,
                with exactly 50 timeline events

Who asks: bench-console@bench.invalid, a specialist on a life-desk team, created with the product's
services when missing (no password: the bench logs in with force_login, and records the second
factor in the session as a login through the pages would). The case is given notes
by that specialist until its timeline holds 50 events, and the same case is taken again on the next
run, so repeated runs add nothing and time the same page.
"""

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from _common import bench_setup, figure, percentile, postgres_version, results_write, seed_command

bench_setup()

from _pages import life_desk_member, logged_in_client, queries_of, seeded_database, shorten  # noqa: E402
from django.conf import settings  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.models import Desk, User  # noqa: E402
from accounts.roles import Role  # noqa: E402
from interventions.models import Alert, Case, CaseEvent  # noqa: E402
from interventions.services import case_add_note  # noqa: E402
from orders.models import Order  # noqa: E402

TARGET_MS = 150.0
WARM_UP = 5
ALERTS_NEEDED = 1_000_000
CASE_EVENTS = 50
# The case's person must have a history for the page to show: orders and earlier alerts.
MIN_ORDERS = 3
MIN_ALERTS = 3
# Open cases are looked at in id order until one fits; the seed makes most of them fit.
CANDIDATES = 500
SPECIALIST_EMAIL = "bench-console@bench.invalid"


# --- Database and people -------------------------------------------------------------------------


def bench_case(user: User) -> Case:
    """An open life-desk case with exactly CASE_EVENTS timeline events: the one this bench filled on
    an earlier run, or else the first that fits, topped up with notes by the specialist."""
    case = Case.objects.filter(desk=Desk.LIFE, events__actor=user, events__kind=CaseEvent.Kind.NOTE).first()
    # Someone else may have written to it since: then it is no longer a page of 50 events.
    if case is None or case.events.count() > CASE_EVENTS:
        case = _first_fitting_case()
    missing = CASE_EVENTS - case.events.count()
    for number in range(missing):
        case_add_note(case=case, by=user, text=f"压测备注 {number + 1}")
    return case


def _first_fitting_case() -> Case:
    candidates = Case.objects.filter(desk=Desk.LIFE, status=Case.Status.OPEN, buyer__isnull=False).order_by("pk")
    for case in candidates[:CANDIDATES]:
        if (
            case.events.count() <= CASE_EVENTS
            and Order.objects.filter(buyer=case.buyer_id)[:MIN_ORDERS].count() == MIN_ORDERS
            and Alert.objects.filter(buyer=case.buyer_id)[:MIN_ALERTS].count() == MIN_ALERTS
        ):
            return case
    sys.exit(
        f"None of the first {CANDIDATES} open life-desk cases has a person with {MIN_ORDERS} orders and "
        f"{MIN_ALERTS} alerts and at most {CASE_EVENTS} events. Reseed:\n\n    {seed_command(ALERTS_NEEDED)}\n"
    )


# --- Timing --------------------------------------------------------------------------------------


@dataclass
class Figures:
    page: str
    url: str
    median_ms: float
    p95_ms: float
    max_ms: float
    queries: int
    slowest_ms: float
    slowest_sql: str


def _get(client: Client, url: str) -> HttpResponse:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}, not 200")
    return response


def time_page(client: Client, page: str, url: str, runs: int) -> Figures:
    for _ in range(WARM_UP):
        _get(client, url)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        _get(client, url)
        samples.append((time.perf_counter() - started) * 1000)
    queries, slowest_ms, slowest_sql = queries_of(_get, client, url)
    return Figures(
        page=page,
        url=url,
        median_ms=statistics.median(samples),
        p95_ms=percentile(samples, 95),
        max_ms=max(samples),
        queries=queries,
        slowest_ms=slowest_ms,
        slowest_sql=slowest_sql,
    )


def with_context(client: Client, url: str) -> HttpResponse:
    """GET with the test environment's instrumented template rendering, which gives the response its
    context. Only for reading the context: it copies the context at every template rendered, so it
    stays off while the clock runs."""
    setup_test_environment()
    try:
        return _get(client, url)
    finally:
        teardown_test_environment()


# --- Report --------------------------------------------------------------------------------------


def print_header(alerts: int, cases: int, case: Case, runs: int) -> None:
    db = settings.DATABASES["default"]
    open_life = Alert.objects.filter(desk=Desk.LIFE, status__in=Alert.OPEN_STATUSES).count()
    print(f"PostgreSQL {postgres_version()}, database {db['NAME']} on {db['HOST'] or 'localhost'}")
    print(f"rows: {alerts:,} alerts ({open_life:,} open on the life desk), {cases:,} cases")
    print(
        f"case #{case.pk}: {case.events.count()} events, {case.alerts.count()} alerts; its person has "
        f"{Order.objects.filter(buyer=case.buyer_id).count()} orders and "
        f"{Alert.objects.filter(buyer=case.buyer_id).count()} alerts"
    )
    max_age = db.get("CONN_MAX_AGE", 0)
    connections = "a new connection per request" if not max_age else f"connections kept {max_age} s"
    print(
        f"settings {os.environ['DJANGO_SETTINGS_MODULE']}, {connections}; django.test.Client, in-process WSGI; "
        f"{WARM_UP} warm-up + {runs} timed requests per page"
    )


def print_table(rows: list[Figures]) -> None:
    print()
    print(f"{'page':<10} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'queries':>8} {'slowest query ms':>17}  url")
    for row in rows:
        print(
            f"{row.page:<10} {row.median_ms:>10.1f} {row.p95_ms:>8.1f} {row.max_ms:>8.1f} {row.queries:>8} "
            f"{row.slowest_ms:>17.2f}  {row.url}"
        )
    print()
    for row in rows:
        print(f"slowest query of {row.page}: {shorten(row.slowest_sql)}")


def print_verdicts(targets: list[Figures]) -> None:
    print()
    for row in targets:
        verdict = "met" if row.median_ms < TARGET_MS else "NOT met"
        print(f"target: {row.page} median < {TARGET_MS:.0f} ms: {verdict} ({row.median_ms:.1f} ms)")


# --- The run -------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=200, help="timed requests per page (default: 200)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main() -> None:
    args = parse_args()
    alerts, cases = seeded_database("bench/console.py", min_alerts=ALERTS_NEEDED)
    user = life_desk_member(
        email=SPECIALIST_EMAIL, display_name="压测专员", role=Role.SPECIALIST, script="bench/console.py"
    )
    case = bench_case(user)
    print_header(alerts, cases, case, args.runs)
    client = logged_in_client(user)

    queue_url = f"{reverse('interventions:queue')}?desk={Desk.LIFE}"
    cursor = with_context(client, queue_url).context["next_cursor"]
    pages = [
        ("queue", queue_url),
        ("case", reverse("interventions:case", args=[case.pk])),
    ]
    if cursor:  # fewer than a page of open alerts leaves no second page to time
        pages.append(("queue p.2", f"{queue_url}&{urlencode({'after': cursor})}"))
    rows = [time_page(client, page, url, args.runs) for page, url in pages]

    print_table(rows)
    if not cursor:
        print("queue p.2: not timed, the first page holds every open life-desk alert")
    targets = [row for row in rows if row.page in ("queue", "case")]
    print_verdicts(targets)
    record(rows, targets, alerts)


def record(rows: list[Figures], targets: list[Figures], alerts: int) -> None:
    """The printed times and query counts in bench/results/console.json."""
    figures = {"alerts": figure(alerts)}
    for row in rows:
        figures |= {
            f"{row.page} median": figure(row.median_ms, "ms", 1),
            f"{row.page} p95": figure(row.p95_ms, "ms", 1),
            f"{row.page} max": figure(row.max_ms, "ms", 1),
            f"{row.page} queries": figure(row.queries),
            f"{row.page} slowest query": figure(row.slowest_ms, "ms", 2),
        }
    results_write(
        "console",
        figures=figures,
        headline=[f"{row.page} median" for row in targets],
        target=f"queue and case page median < {TARGET_MS:.0f} ms",
        met=all(row.median_ms < TARGET_MS for row in targets),
    )


if __name__ == "__main__":
    main()
