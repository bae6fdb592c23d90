"""Median time of the managers' figures for a 90-day range on a production-sized database.

Usage, from the repository root (DJANGO_SETTINGS_MODULE defaults to config.settings.test):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shouhu_bench \\
        .venv/bin/python bench/dashboard.py [--runs 20] [--days 90]

Target (from the issue): on PostgreSQL with 1,000,000 alerts, the median time of everything the
dashboard shows for a 90-day range is under 500 ms.

The database is the seeder's (`bench/seed.py --alerts 1000000`): alerts over 180 days with their
cases, timelines, interceptions, referrals, stop-payments, dissuasions and check-ins. It is
migrated first; one with fewer than 1,000,000 alerts is refused with the command that fills it.

The dashboard reads alerts, cases and scanner terms from their daily roll-ups, which beat's sweep
keeps (services/figures.py). A seed writes records without them, so the bench first runs the
sweep as beat would; on a fresh seed that is the first run, which rolls up every day, and its time
is printed. Then one day's roll-up is timed (what the sweep pays per changed day).

The range is the --days days up to the day of the newest alert, so an older seed still measures a
full range. What is timed: interventions.selectors.figures.managers_figures(period), both desks,
after one warm-up call, --runs times with time.perf_counter; then one desk at a time; then each of
its parts alone, to show where the time goes.
"""

import argparse
import statistics
import sys
import time
from datetime import timedelta

from _common import (
    bench_setup,
    figure,
    percentile,
    postgres_migrated,
    postgres_version,
    results_write,
    seed_command,
)

bench_setup()

from django.db import connection  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Desk  # noqa: E402
from interventions.models import Alert, AlertDayFigure, CaseDayFigure, DurationBucket, TermDayFigure  # noqa: E402
from interventions.selectors import figures  # noqa: E402
from interventions.services import figures_roll_up, figures_roll_up_day  # noqa: E402

TARGET_MS = 500.0
ALERTS_NEEDED = 1_000_000
PARTS = [
    figures.alerts_per_day,
    figures.claim_times,
    figures.first_action_times,
    figures.case_outcomes,
    figures.interceptions,
    figures.police_referrals,
    figures.stop_payments,
    figures.dissuasions,
    figures.term_precision,
    figures.checkins,
]


def alerts_or_refuse() -> int:
    alerts = Alert.objects.count()
    if alerts < ALERTS_NEEDED:
        sys.exit(
            f"The database holds {alerts:,} alerts; the bench needs {ALERTS_NEEDED:,}. Seed it first:\n\n"
            f"    {seed_command(ALERTS_NEEDED)}\n"
        )
    return alerts


def analyse_roll_ups() -> None:
    """Fresh statistics for the roll-up tables, as autovacuum keeps them in service. Right after a
    first sweep has filled them, PostgreSQL still believes them empty, sorts 80,000 bucket rows on
    disk instead of hashing them, and the claim times take 220 ms instead of 40."""
    with connection.cursor() as cursor:
        for model in (AlertDayFigure, CaseDayFigure, TermDayFigure, DurationBucket):
            cursor.execute(f"ANALYZE {model._meta.db_table}")


def period_of(days: int, desks=tuple(Desk.values)) -> figures.Period:
    newest = timezone.localdate(Alert.objects.aggregate(newest=Max("created_at"))["newest"])
    return figures.Period(since=newest - timedelta(days=days - 1), until=newest, desks=desks)


def timed(call, runs: int) -> list[float]:
    call()  # warm-up: plans cached, pages in memory
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def line(label: str, samples: list[float]) -> str:
    return (
        f"{label:<22} median {statistics.median(samples):7.1f} ms   p95 {percentile(samples, 95):7.1f} ms   "
        f"max {max(samples):7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=20, help="timed calls of the whole dashboard (default: 20)")
    parser.add_argument("--days", type=int, default=90, help="length of the range in days (default: 90)")
    args = parser.parse_args()

    postgres_migrated("bench/dashboard.py")
    total = alerts_or_refuse()
    started = time.perf_counter()
    days = figures_roll_up()
    roll_up_s = time.perf_counter() - started
    print(f"Roll-up sweep: {len(days)} days recomputed in {roll_up_s:.1f} s")
    analyse_roll_ups()
    period = period_of(args.days)
    one_day = timed(lambda: figures_roll_up_day(period.until), 5)
    print(line("one day's roll-up", one_day))
    in_range = Alert.objects.filter(period.within("created_at")).count()
    with CaptureQueriesContext(connection) as queries:
        shown = figures.managers_figures(period)
    print(f"PostgreSQL {postgres_version()}; {total:,} alerts, {in_range:,} of them in the range")
    print(f"Range: {period.since} to {period.until} ({args.days} days), both desks; {len(queries)} queries per call")
    print(
        f"Shown: {sum(r['total'] for r in shown.alerts_per_day):,} alerts, "
        f"{sum(r['opened'] for r in shown.first_action_times):,} cases opened, "
        f"{sum(r['total'] for r in shown.case_outcomes):,} closed, {len(shown.term_precision)} terms\n"
    )

    whole = timed(lambda: figures.managers_figures(period), args.runs)
    print(line("whole dashboard", whole))
    desks = {}
    for desk in Desk.values:
        one_desk = period_of(args.days, desks=(desk,))
        desks[desk] = timed(lambda p=one_desk: figures.managers_figures(p), args.runs)
        print(line(f"  {desk} desk only", desks[desk]))
    print("\nEach part alone (same range, both desks):")
    parts = {}
    for part in PARTS:
        parts[part.__name__] = timed(lambda part=part: part(period), max(5, args.runs // 2))
        print(line(f"  {part.__name__}", parts[part.__name__]))

    median = statistics.median(whole)
    verdict = "met" if median < TARGET_MS else "NOT met"
    print(
        f"\nTarget: median under {TARGET_MS:.0f} ms for {args.days} days over {ALERTS_NEEDED:,} alerts: "
        f"{verdict} ({median:.1f} ms)."
    )
    results_write(
        "dashboard",
        figures={
            "alerts": figure(total),
            "days": figure(args.days),
            "roll-up sweep, days": figure(len(days)),
            "roll-up sweep": figure(roll_up_s, "s", 1),
            "one day's roll-up, median": figure(statistics.median(one_day), "ms", 1),
            "whole dashboard, median": figure(median, "ms", 1),
            "whole dashboard, p95": figure(percentile(whole, 95), "ms", 1),
            "whole dashboard, max": figure(max(whole), "ms", 1),
            **{f"{desk} desk only, median": figure(statistics.median(s), "ms", 1) for desk, s in desks.items()},
            **{f"{name}, median": figure(statistics.median(s), "ms", 1) for name, s in parts.items()},
        },
        headline=["whole dashboard, median"],
        target=f"median < {TARGET_MS:.0f} ms for {args.days} days over {ALERTS_NEEDED:,} alerts, both desks",
        met=median < TARGET_MS,
    )


if __name__ == "__main__":
    main()
