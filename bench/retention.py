"""How fast the nightly retention sweep anonymises closed cases, on a seeded database.

Usage, from the repository root (DJANGO_SETTINGS_MODULE defaults to config.settings.test):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shouhu_bench_retention \\
        .venv/bin/python bench/retention.py [--alerts 200000] [--runs 3]

The question for the people who run it: one night's sweep anonymises at most SHOUHU_SWEEP_LIMIT
cases (5,000). How long does that take, and is it enough? A desk that closes more cases a day than
one sweep can anonymise falls behind for good.

The sweep is destructive, so the database is the bench's own, never the suite's or the seeder's
(shouhu, test_shouhu and shouhu_bench are refused). Each run empties the seeded tables and fills
them again with bench/seed.py --alerts N (N / 10 cases, their alerts, messages, timeline, check-ins,
orders and sightings; about 60 % of the cases closed), untimed. Then, timed with time.perf_counter,
interventions.services.cases_anonymise_due(now=...) with `now` far enough ahead that every closed
case is past its retention period, exactly as the beat task calls it: each case claimed with SKIP
LOCKED and anonymised in its own transaction. Printed: cases anonymised, seconds, cases per second
and the median over the runs.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta

from _common import RECORD_ENV, ROOT, bench_setup, database_create, figure, postgres_version, results_write

bench_setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from interventions.models import Case  # noqa: E402
from interventions.services import cases_anonymise_due  # noqa: E402

NOT_OURS = {"shouhu", "test_shouhu", "shouhu_bench"}


def database_prepare() -> None:
    name = settings.DATABASES["default"]["NAME"]
    if connection.vendor != "postgresql" or name in NOT_OURS:
        sys.exit(
            f"bench/retention.py anonymises every closed case: give it a PostgreSQL database of its own, not {name}."
        )
    if database_create(settings.DATABASES["default"]):
        print(f"created database {name}")
    call_command("migrate", verbosity=0, interactive=False)


def reseed(alerts: int) -> None:
    command = [sys.executable, str(ROOT / "bench" / "seed.py"), "--alerts", str(alerts), "--reset"]
    # A step of this bench, not a seed bench of its own: it must not replace bench/results/seed.json.
    env = {**os.environ, RECORD_ENV: "no"}
    subprocess.run(command, check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)


def one_run(alerts: int) -> tuple[int, float]:
    reseed(alerts)
    connection.close()  # the seeder changed the tables under this connection's plan cache
    later = timezone.now() + timedelta(days=settings.SHOUHU_RETENTION_DAYS + 30)
    started = time.perf_counter()
    done = cases_anonymise_due(now=later)
    return done, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alerts", type=int, default=200_000, help="the seed's size (cases: a tenth)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    database_prepare()
    db = settings.DATABASES["default"]
    print(f"PostgreSQL {postgres_version()}, database {db['NAME']}; seed --alerts {args.alerts:,}")
    print(f"sweep limit (SHOUHU_SWEEP_LIMIT): {settings.SHOUHU_SWEEP_LIMIT:,} cases a night")
    rates, figures = [], {}
    for run in range(1, args.runs + 1):
        done, seconds = one_run(args.alerts)
        closed = Case.objects.filter(status=Case.Status.CLOSED).count()
        rate = done / seconds
        rates.append(rate)
        print(f"run {run}: {done:,} of {closed:,} closed cases anonymised in {seconds:.1f} s ({rate:,.0f} cases/s)")
        figures |= {
            f"run {run}, cases anonymised": figure(done),
            f"run {run}, closed cases": figure(closed),
            f"run {run}": figure(seconds, "s", 1),
            f"run {run}, rate": figure(rate, "cases/s"),
        }
    print(f"median: {statistics.median(rates):,.0f} cases/s")
    figures["median"] = figure(statistics.median(rates), "cases/s")
    results_write(
        "retention",
        figures=figures,
        headline=["median", *(f"run {run}" for run in range(1, args.runs + 1))],
        target=None,  # none set: the sweep must keep up with the desks' closures
        met=None,
    )


if __name__ == "__main__":
    main()
