"""Median and p95 time of loading a case's ring (two hops) on a production-sized database.

Usage, from the repository root (DJANGO_SETTINGS_MODULE defaults to config.settings.test):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shouhu_bench \\
        .venv/bin/python bench/ring.py [--runs 100] [--cases 20] [--seed 1]

Target (from the issue): on PostgreSQL with 1,000,000 sightings, the median time of
interventions.selectors.rings.ring_for_case(case), two hops, is under 100 ms.

The database is the seeder's (DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/shouhu_bench,
filled by `bench/seed.py --alerts 1000000`, which writes as many sightings). It is migrated first,
since the seed may predate the latest migrations; one with fewer than 1,000,000 sightings is
refused with the command that fills it.

Which cases: --cases fraud-desk cases that have sightings, their own or their alerts'. Half are
those whose indicators are most shared (the largest rings, the slow end), half are drawn at random
with --seed among the others (the usual case), so the same arguments pick the same cases.

What is timed: one warm-up call per case, then --runs calls of ring_for_case(case) in total, taking
the picked cases in turn, each timed with time.perf_counter. The Case rows are fetched beforehand,
as a view would have done. Outside the clock, one call per case counts the SQL queries.
"""

import argparse
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass

from _common import bench_setup, figure, percentile, postgres_version, results_write

bench_setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import Desk  # noqa: E402
from fraud.models import Sighting  # noqa: E402
from interventions.models import Case  # noqa: E402
from interventions.selectors.rings import ring_for_case  # noqa: E402

TARGET_MS = 100.0
HOPS = 2
SIGHTINGS_NEEDED = 1_000_000


# --- Database ------------------------------------------------------------------------------------


def database_prepare() -> int:
    """Refuse anything but a migrated PostgreSQL database with the full seed; return its sighting count."""
    if connection.vendor != "postgresql":
        sys.exit(f"bench/ring.py measures PostgreSQL; DATABASE_URL gives {connection.vendor}. Refusing.")
    call_command("migrate", verbosity=0, interactive=False)
    sightings = Sighting.objects.count()
    if sightings < SIGHTINGS_NEEDED:
        print(
            f"{settings.DATABASES['default']['NAME']} holds {sightings:,} sightings; the bench needs "
            f"{SIGHTINGS_NEEDED:,}. Seed it first (--reset empties the seeded tables):\n\n    {_seed_command()}\n",
            file=sys.stderr,
        )
        sys.exit(1)
    return sightings


def _seed_command() -> str:
    # The seed writes as many sightings as alerts; the URL is the one given, so that the command
    # fills the database that was refused.
    return (
        f"DATABASE_URL={os.environ['DATABASE_URL']} .venv/bin/python bench/seed.py "
        f"--alerts {SIGHTINGS_NEEDED} --sightings {SIGHTINGS_NEEDED} --reset"
    )


# --- Picking the cases ---------------------------------------------------------------------------


@dataclass
class Picked:
    case: Case
    group: str  # "shared" or "random"
    sharing: int  # how many other cases its indicators were seen in, counted once per indicator


def pick_cases(wanted: int, seed: int) -> list[Picked]:
    """Half the fraud-desk cases whose indicators are most shared, half drawn at random among the
    other fraud-desk cases with sightings."""
    # Every (case, indicator) link, read once: a few hundred thousand rows, faster to count in
    # Python than to ask the database for a ranking per case.
    links = Sighting.objects.filter(case__isnull=False).values_list("case_id", "indicator_id").iterator()
    via_alerts = (
        Sighting.objects.filter(alert__case__isnull=False).values_list("alert__case_id", "indicator_id").iterator()
    )
    cases_of: dict[int, set[int]] = defaultdict(set)
    for case_id, indicator_id in (*links, *via_alerts):
        cases_of[indicator_id].add(case_id)
    sharing: dict[int, int] = defaultdict(int)
    for cases in cases_of.values():
        for case_id in cases:
            sharing[case_id] += len(cases) - 1

    fraud = set(Case.objects.filter(desk=Desk.FRAUD, pk__in=list(sharing)).values_list("pk", flat=True))
    if len(fraud) < wanted:
        sys.exit(f"Only {len(fraud)} fraud-desk cases have sightings; --cases {wanted} asks for more.")
    # Ties broken by id, so that the pick does not depend on the order of a dict.
    ranked = sorted(fraud, key=lambda pk: (-sharing[pk], pk))
    most_shared = ranked[: wanted // 2]
    others = sorted(fraud - set(most_shared))
    drawn = random.Random(seed).sample(others, wanted - len(most_shared))

    cases = Case.objects.select_related("buyer", "owner").in_bulk([*most_shared, *drawn])
    return [Picked(cases[pk], "shared", sharing[pk]) for pk in most_shared] + [
        Picked(cases[pk], "random", sharing[pk]) for pk in drawn
    ]


# --- Timing --------------------------------------------------------------------------------------


@dataclass
class Figures:
    group: str
    calls: int
    median_ms: float
    p95_ms: float
    max_ms: float


def time_rings(picked: list[Picked], runs: int) -> dict[str, list[float]]:
    """Milliseconds per call, by group, over `runs` calls taking the cases in turn."""
    for item in picked:  # warm-up: connection, plan caches, the sightings' index pages
        ring_for_case(item.case, hops=HOPS)
    samples: dict[str, list[float]] = defaultdict(list)
    for run in range(runs):
        item = picked[run % len(picked)]
        started = time.perf_counter()
        ring_for_case(item.case, hops=HOPS)
        samples[item.group].append((time.perf_counter() - started) * 1000)
    return samples


def figures_of(group: str, samples: list[float]) -> Figures:
    return Figures(group, len(samples), statistics.median(samples), percentile(samples, 95), max(samples))


@dataclass
class Shape:
    cases: int
    indicators: int
    queries: int


def ring_shape(case: Case) -> Shape:
    """The ring's size and the SQL queries of one call, outside the clock (capturing slows it)."""
    with CaptureQueriesContext(connection) as captured:
        ring = ring_for_case(case, hops=HOPS)
    return Shape(len(ring.cases), len(ring.indicators), len(captured))


# --- Report --------------------------------------------------------------------------------------


def print_header(sightings: int, picked: list[Picked], runs: int) -> None:
    db = settings.DATABASES["default"]
    print(f"PostgreSQL {postgres_version()}, database {db['NAME']} on {db['HOST'] or 'localhost'}")
    print(f"rows: {sightings:,} sightings, {Case.objects.count():,} cases")
    shared = sum(item.group == "shared" for item in picked)
    print(
        f"{len(picked)} fraud-desk cases: {shared} with the most shared indicators, {len(picked) - shared} at random; "
        f"ring_for_case(hops={HOPS}), 1 warm-up call per case + {runs} timed calls in turn"
    )


def print_shapes(picked: list[Picked], shapes: list[Shape]) -> None:
    print()
    print(f"{'case':>8} {'group':<7} {'sharing':>8} {'cases':>6} {'indicators':>11} {'queries':>8}")
    for item, shape in zip(picked, shapes, strict=True):
        print(
            f"{item.case.pk:>8} {item.group:<7} {item.sharing:>8} {shape.cases:>6} "
            f"{shape.indicators:>11} {shape.queries:>8}"
        )
    print()
    for label, values in (
        ("ring cases", [shape.cases for shape in shapes]),
        ("ring indicators", [shape.indicators for shape in shapes]),
        ("queries per call", [shape.queries for shape in shapes]),
    ):
        print(f"{label:<17} min {min(values):>5}  median {statistics.median(values):>7g}  max {max(values):>5}")


def print_table(rows: list[Figures]) -> None:
    print()
    print(f"{'cases':<7} {'calls':>6} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}")
    for row in rows:
        print(f"{row.group:<7} {row.calls:>6} {row.median_ms:>10.1f} {row.p95_ms:>8.1f} {row.max_ms:>8.1f}")


def print_verdict(overall: Figures) -> None:
    print()
    verdict = "met" if overall.median_ms < TARGET_MS else "NOT met"
    print(f"target: ring (two hops) median < {TARGET_MS:.0f} ms: {verdict} ({overall.median_ms:.1f} ms)")


# --- The run -------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=100, help="timed calls in total (default: 100)")
    parser.add_argument("--cases", type=int, default=20, help="cases to take in turn (default: 20)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random half of the cases (default: 1)")
    args = parser.parse_args()
    if args.runs < 1 or args.cases < 2:
        parser.error("--runs must be at least 1 and --cases at least 2 (one of each kind)")
    return args


def main() -> None:
    args = parse_args()
    sightings = database_prepare()
    picked = pick_cases(args.cases, args.seed)
    print_header(sightings, picked, args.runs)

    samples = time_rings(picked, args.runs)
    shapes = [ring_shape(item.case) for item in picked]

    print_shapes(picked, shapes)
    overall = figures_of("all", [ms for group in samples.values() for ms in group])
    rows = [overall, *(figures_of(group, samples[group]) for group in ("shared", "random") if samples[group])]
    print_table(rows)
    print_verdict(overall)
    record(sightings, rows, shapes)


def record(sightings: int, rows: list[Figures], shapes: list[Shape]) -> None:
    """The printed times and ring sizes in bench/results/ring.json."""
    figures = {"sightings": figure(sightings)}
    for row in rows:
        cases = "" if row.group == "all" else f"{row.group} cases, "
        figures |= {
            f"{cases}median": figure(row.median_ms, "ms", 1),
            f"{cases}p95": figure(row.p95_ms, "ms", 1),
            f"{cases}max": figure(row.max_ms, "ms", 1),
        }
    figures |= {
        "largest ring, cases": figure(max(shape.cases for shape in shapes)),
        "queries per call, max": figure(max(shape.queries for shape in shapes)),
    }
    results_write(
        "ring",
        figures=figures,
        headline=["median", "p95"],
        target=f"ring (two hops) median < {TARGET_MS:.0f} ms",
        met=rows[0].median_ms < TARGET_MS,
    )


if __name__ == "__main__":
    main()
