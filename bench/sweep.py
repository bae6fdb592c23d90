"""Median and max time of one reminders sweep with 100,000 pending and 1,000 due check-ins.

Usage, from the repository root (DJANGO_SETTINGS_MODULE defaults to config.settings.test):

    .venv/bin/python bench/sweep.py [--runs 20] [--reseed]

Target (from the issue): with 100,000 check-ins planned and not yet due and 1,000 due, one
reminders sweep (what beat runs every minute) takes under 1 s.

What is timed: interventions.services.reminders_sweep(now=...), called as the sweep_reminders task
calls it, in autocommit, each call timed with time.perf_counter: it finds the due check-ins
(checkins_due) and hands them to deliver_checkins tasks, SHOUHU_DELIVERY_BATCH ids per task (50
tasks of 20), looks for phone calls due, chases check-ins with no reply and requeues the chased
ones, runs the escalation clocks (unclaimed alerts, closing stop-payment windows, overdue
interceptions, high-risk cases with no first action), hands pending notifications to
deliver_notifications tasks, and due webhook deliveries to deliver_webhooks tasks (the bench
subscribes no webhook, so none is due). One untimed warm-up sweep comes first (connection, broker
producer, plan caches), then --runs timed sweeps, then one more outside the clock that says where
the time went, step by step and in SQL.

The tasks really go to the broker, not run eagerly: CELERY_TASK_ALWAYS_EAGER is off, the broker is
Redis (CELERY_BROKER_URL, default redis://127.0.0.1:6379/15) and every task is routed to a queue of
the run's own, bench-sweep-<pid>, which no worker consumes. After each sweep the queue is read (it
must hold 50 deliver_checkins tasks carrying exactly the 1,000 due ids, each once) and purged, so
nothing ever executes them; the queue is deleted at the end. Delivery, i.e. the signed HTTP POSTs
to the platform's chat and SMS endpoints, is not in the figure: it runs later on the workers, 20
check-ins per task and in parallel, and its time is the endpoints' more than ours. The question is
how long the sweep itself takes to find and hand out the due work.

Every run sees the same data: the sweep changes no row itself when nothing is to be chased, paged
or requeued (it only enqueues ids; the check-ins change when a worker sends them), which the bench
checks after each run with a fingerprint of the check-ins and the row counts of the tables the
sweep could write (notifications, case events, alerts). A sweep that would write (or enqueue
anything but the 1,000 due check-ins) stops the bench.

The database is PostgreSQL only, and the bench's own: DATABASE_URL defaults to
postgres://postgres@127.0.0.1:5432/shouhu_bench_sweep, which is created if missing and migrated.
The shouhu, test_shouhu and shouhu_bench databases belong to the suite and the seeder and are
refused. When it holds no check-ins, the bench fills it once, in one transaction (users, buyers and
cases with bulk_create, alerts and check-ins with PostgreSQL's COPY), then VACUUM ANALYZE; later
runs reuse it, and --reseed empties its buyers, cases, alerts, check-ins and notifications (TRUNCATE
... CASCADE) and fills it again. Random draws are seeded, so the same rows come back.

The data, all of it bench-sweep-* and @bench.invalid:
    staff       6 specialists, who own every case and planned every check-in
    cases       20,000 open (or monitoring) cases with a buyer each, and 20,000 closed ones
    check-ins   100,000 planned over the next 30 days at the usual local times (08:30, 20:00...) in
                the buyer's zone, a tenth of them phone calls; 1,000 chat and SMS ones due in the
                last 5 minutes; 5,000 sent or delivered within the last 3 hours, awaiting a reply
                and not yet chased; 300 chased within the last hour, not yet requeued; 200,000 past
                ones (replied, called, missed, cancelled, failed) over the cases' lives
    alerts      3,000 open (new and claimed, every severity; new critical ones younger than 5 min
                and new high ones younger than 15 min, so that none pages), one promoted alert per
                case, and 160,000 dismissed ones over the last 180 days

Times are offsets from the moment of the seed, which is kept as the bench specialists' date_joined,
and every sweep is called with now= that moment, as beat would have called it then: the same data
can be reused days later without the planned check-ins falling due, or the sent ones being chased.
"""

import argparse
import base64
import json
import os
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from itertools import islice
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/shouhu_bench_sweep"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/15"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
os.environ.setdefault("CELERY_BROKER_URL", DEFAULT_BROKER_URL)
# Not setdefault: in eager mode each deliver task would run inside the sweep, HTTP calls and all.
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"

import django  # noqa: E402

django.setup()

from _common import copy_columns, database_create, figure, results_write  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from psycopg import sql  # noqa: E402

from accounts.crypto import encrypt  # noqa: E402
from accounts.models import Desk, User  # noqa: E402
from accounts.roles import Role  # noqa: E402
from config.celery import app  # noqa: E402
from interventions.models import Alert, Case, CaseEvent, CheckIn, Notification, Severity, Source  # noqa: E402
from interventions.services import alert_claim_deadline, reminders_sweep  # noqa: E402
from interventions.services import sweep as sweep_services  # noqa: E402
from orders.models import Buyer  # noqa: E402

TARGET_MS = 1_000.0
# Other people's databases on the same server: the suite's and the seeder's.
NOT_OURS = {"shouhu", "test_shouhu", "shouhu_bench"}
SEED = 1
SPECIALISTS = 6
OPEN_CASES = 20_000
CLOSED_CASES = 20_000
PENDING = 100_000
DUE = 1_000
AWAITING = 5_000
CHASED = 300
PAST = 200_000
OPEN_ALERTS = 3_000
DISMISSED_ALERTS = 160_000
PENDING_DAYS = 30
# What one sweep must find and hand out in this data, and nothing else.
EXPECTED_FIGURES = {
    "checkins_due": DUE,
    "calls_due": 0,
    "chased": 0,
    "alerts_paged": 0,
    "stop_payments_paged": 0,
    "interceptions_paged": 0,
    "first_actions_paged": 0,
    "notifications_due": 0,
    "webhooks_due": 0,
}
DELIVER_CHECKINS = "interventions.tasks.deliver_checkins"
BULK_BATCH = 5_000
COPY_BATCH = 50_000

SECOND, MINUTE, HOUR, DAY = timedelta(seconds=1), timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)


# --- Database ------------------------------------------------------------------------------------


def database_prepare(reseed: bool) -> datetime:
    """Check that the database is a PostgreSQL one of the bench's own, create it if missing, migrate
    it and fill it unless it holds the bench's data already. Returns the moment the data describes."""
    db = settings.DATABASES["default"]
    if connection.vendor != "postgresql":
        sys.exit(f"bench/sweep.py measures PostgreSQL; DATABASE_URL gives {connection.vendor}. Refusing.")
    if db["NAME"] in NOT_OURS:
        sys.exit(f"The {db['NAME']} database belongs to the suite or the seeder; use a database of the bench's own.")
    if database_create(db):
        print(f"created database {db['NAME']}")
    call_command("migrate", verbosity=0, interactive=False)
    anchor = _anchor()
    if reseed or anchor is None or not CheckIn.objects.exists():
        return seed(reset=reseed)
    found = data_shape(anchor)
    if found != expected_shape():
        sys.exit(
            f"{db['NAME']} holds other data than the bench wrote: {found}, where the bench expects "
            f"{expected_shape()}. Fill it again:\n\n    .venv/bin/python bench/sweep.py --reseed\n"
        )
    return anchor


def _specialist_email(number: int) -> str:
    return f"bench-sweep-specialist-{number}@bench.invalid"


def _anchor() -> datetime | None:
    """The moment of the seed, kept as the bench specialists' date_joined."""
    return User.objects.filter(email=_specialist_email(1)).values_list("date_joined", flat=True).first()


def data_shape(anchor: datetime) -> dict[str, int]:
    """How many check-ins of each kind the database holds as of `anchor`, and its open alerts."""
    checkins = CheckIn.objects.all()
    planned = checkins.filter(status=CheckIn.Status.PLANNED)
    awaiting = checkins.filter(status__in=CheckIn.AWAITING_REPLY)
    return {
        "pending": planned.filter(due_at__gt=anchor).count(),
        "due": planned.filter(send_after__lte=anchor).exclude(channel=CheckIn.Channel.PHONE).count(),
        "awaiting": awaiting.filter(chased_at__isnull=True).count(),
        "chased": awaiting.filter(chased_at__isnull=False).count(),
        "past": checkins.exclude(status__in=[CheckIn.Status.PLANNED, *CheckIn.AWAITING_REPLY]).count(),
        "open alerts": Alert.objects.filter(status__in=Alert.OPEN_STATUSES).count(),
    }


def expected_shape() -> dict[str, int]:
    return {
        "pending": PENDING,
        "due": DUE,
        "awaiting": AWAITING,
        "chased": CHASED,
        "past": PAST,
        "open alerts": OPEN_ALERTS,
    }


# --- Seed ----------------------------------------------------------------------------------------
# Shares and times are guesses at a busy desk, not measurements; they only need to give the sweep's
# queries realistic tables: many planned rows far from due, few due, a reply window's worth sent.

ZONES = {"Asia/Shanghai": 90, "Asia/Urumqi": 4, "Asia/Hong_Kong": 3, "Europe/London": 2, "America/Los_Angeles": 1}
# Check-ins are planned at round local times; "good morning" at 08:30 is the default.
LOCAL_TIMES = {
    clock(8, 30): 50,
    clock(9, 0): 10,
    clock(12, 0): 8,
    clock(18, 30): 10,
    clock(20, 0): 15,
    clock(21, 30): 7,
}
PENDING_CHANNELS = {CheckIn.Channel.CHAT: 70, CheckIn.Channel.SMS: 20, CheckIn.Channel.PHONE: 10}
SENT_CHANNELS = {CheckIn.Channel.CHAT: 78, CheckIn.Channel.SMS: 22}
TEXTS = [
    "早上好，今天感觉怎么样？回复一个字也可以。",
    "晚上好，今天过得还好吗？我们一直都在。",
    "你好，我是平台守护专员，想问问你最近还好吗？",
    "今天天气转凉，记得吃饭。有什么想聊的随时回复我。",
]
SEVERITIES = {Severity.LOW: 30, Severity.MEDIUM: 32, Severity.HIGH: 24, Severity.CRITICAL: 14}
SOURCES = {Source.CHAT: 48, Source.COMPLAINT: 18, Source.ORDER: 15, Source.MERCHANT_REPORT: 10, Source.MANUAL: 9}
OUTCOMES = {
    Case.Outcome.SAFE: 55,
    Case.Outcome.FALSE_ALARM: 15,
    Case.Outcome.REFERRED: 10,
    Case.Outcome.FRAUD_STOPPED: 10,
    Case.Outcome.FRAUD_LOSS: 5,
    Case.Outcome.UNREACHABLE: 5,
}
# Past check-ins: (status, channel or None for chat/SMS, share).
PAST_KINDS = [
    (CheckIn.Status.REPLIED, None, 72),
    (CheckIn.Status.DONE, CheckIn.Channel.PHONE, 10),
    (CheckIn.Status.MISSED, CheckIn.Channel.PHONE, 6),
    (CheckIn.Status.CANCELLED, None, 7),
    (CheckIn.Status.FAILED, None, 5),
]


def pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass
class World:
    """What the rows are drawn from: the moment of the seed, the staff, the buyers and the cases."""

    anchor: datetime
    rng: random.Random
    specialists: list[int] = field(default_factory=list)
    open_cases: list[tuple[int, int, str, datetime]] = field(default_factory=list)  # (id, owner, zone, opened)
    closed_cases: list[tuple[int, int, str, datetime, datetime]] = field(default_factory=list)  # ... closed
    buyers: list[int] = field(default_factory=list)


def seed(*, reset: bool) -> datetime:
    """Fill the database in one transaction, then VACUUM ANALYZE it. Returns the moment of the seed."""
    anchor = datetime.now(UTC).replace(microsecond=0)
    world = World(anchor=anchor, rng=random.Random(SEED))
    started = time.perf_counter()
    print(f"filling {settings.DATABASES['default']['NAME']} (once; --reseed fills it again):", flush=True)
    with transaction.atomic():
        if reset:
            _reset()
        _step("specialists", seed_specialists, world)
        _step("buyers and cases", seed_cases, world)
        _step("alerts", seed_alerts, world)
        _step("check-ins", seed_checkins, world)
    _step("vacuum analyze", vacuum_analyze)
    print(f"filled in {time.perf_counter() - started:.1f} s\n", flush=True)
    return anchor


def _step(name: str, work: Callable, *args) -> None:
    started = time.perf_counter()
    rows = work(*args)
    written = f"{rows:>9,} rows" if isinstance(rows, int) else " " * 14
    print(f"  {name:<18} {written} {time.perf_counter() - started:6.1f} s", flush=True)


def _tables(models_: Iterable[type[models.Model]]) -> str:
    return ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models_)


SEEDED = [Buyer, Case, Alert, CheckIn, Notification]


def _reset() -> None:
    # CASCADE empties the tables pointing at these (case events, orders, history...): the database
    # is the bench's own. Users are kept, as the seeder keeps them.
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {_tables(SEEDED)} RESTART IDENTITY CASCADE")


def seed_specialists(world: World) -> int:
    """The handful of specialists who own the cases, created once; their date_joined is the anchor."""
    emails = [_specialist_email(number) for number in range(1, SPECIALISTS + 1)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    new = []
    for number, email in enumerate(emails, 1):
        if email in existing:
            continue
        user = User(email=email, display_name=f"压测回访专员{number}", paging_phone=f"+86 139 0000 {number:04d}")
        user.set_unusable_password()
        new.append(user)
    User.objects.bulk_create(new)
    User.objects.filter(email__in=emails).update(date_joined=world.anchor)
    world.specialists = list(User.objects.filter(email__in=emails).order_by("pk").values_list("pk", flat=True))
    group = Group.objects.filter(name=Role.SPECIALIST).first()  # the role groups exist after migrate
    if group is not None:
        group.user_set.add(*world.specialists)
    return len(new)


def seed_cases(world: World) -> int:
    """A buyer per case; open cases opened over the last 90 days, closed ones over the 180 before."""
    rng, anchor = world.rng, world.anchor
    total = OPEN_CASES + CLOSED_CASES
    zones = [pick(rng, ZONES) for _ in range(total)]
    buyers = Buyer.objects.bulk_create(
        [
            Buyer(account_ref=f"bench-sweep-buyer-{n}", nickname=f"压测用户{n}", time_zone=zone, created_at=anchor)
            for n, zone in enumerate(zones, 1)
        ],
        batch_size=BULK_BATCH,
    )
    world.buyers = [buyer.pk for buyer in buyers]
    cases, lives = [], []  # lives: (owner, zone, opened, closed or None), in the order of cases
    for n, (buyer, zone) in enumerate(zip(world.buyers, zones, strict=True)):
        owner = rng.choice(world.specialists)
        case = Case(
            desk=Desk.LIFE if rng.random() < 0.55 else Desk.FRAUD,
            title=f"压测个案 {n + 1}",
            buyer_id=buyer,
            owner_id=owner,
            opened_by_id=owner,
            risk_level=rng.choice([Case.RiskLevel.LOW, Case.RiskLevel.MODERATE, Case.RiskLevel.HIGH]),
        )
        if n < OPEN_CASES:
            case.opened_at = anchor - rng.uniform(1, 90) * DAY
            case.status = Case.Status.OPEN if rng.random() < 0.6 else Case.Status.MONITORING
        else:
            case.opened_at = anchor - rng.uniform(30, 180) * DAY
            case.closed_at = min(case.opened_at + rng.uniform(3, 30) * DAY, anchor - DAY)
            case.status, case.outcome, case.closing_summary = Case.Status.CLOSED, pick(rng, OUTCOMES), "压测结案"
        cases.append(case)
        lives.append((owner, zone, case.opened_at, case.closed_at))
    created = Case.objects.bulk_create(cases, batch_size=BULK_BATCH)
    rows = [(case.pk, *life) for case, life in zip(created, lives, strict=True)]
    world.open_cases = [row[:4] for row in rows[:OPEN_CASES]]
    world.closed_cases = rows[OPEN_CASES:]
    return len(buyers) + len(created)


ALERT_FIELDS = [
    "desk",
    "source",
    "severity",
    "status",
    "summary",
    "matches",
    "buyer",
    "case",
    "claimed_by",
    "claimed_at",
    "dismiss_reason",
    "created_at",
    "sla_due_at",
    "updated_at",
]


def seed_alerts(world: World) -> int:
    return copy_rows(Alert, ALERT_FIELDS, alert_rows(world))


def alert_rows(world: World) -> Iterable[tuple]:
    rng, anchor = world.rng, world.anchor
    case_buyer = dict(zip([case[0] for case in (*world.open_cases, *world.closed_cases)], world.buyers, strict=True))

    def row(*, status, created, severity=None, buyer=None, case=None, claimed=None, reason=""):
        severity = severity or pick(rng, SEVERITIES)
        claimed_by = rng.choice(world.specialists) if claimed else None
        desk = Desk.LIFE if rng.random() < 0.55 else Desk.FRAUD
        summary = f"压测警报：{Severity(severity).name.lower()} {desk}"
        return (
            desk, pick(rng, SOURCES), int(severity), status, summary, "[]", buyer or rng.choice(world.buyers), case,
            claimed_by, claimed, reason, created, alert_claim_deadline(severity=severity, raised_at=created), created,
        )  # fmt: skip

    # One promoted alert per case, raised shortly before the case was opened.
    for case_id, _owner, _zone, opened, *_closed in (*world.open_cases, *world.closed_cases):
        raised = opened - rng.uniform(2, 30) * MINUTE
        yield row(status=Alert.Status.PROMOTED, created=raised, buyer=case_buyer[case_id], case=case_id, claimed=opened)
    reasons = list(Alert.DismissReason)
    for _ in range(DISMISSED_ALERTS):
        raised = anchor - rng.uniform(0.5, 180) * DAY
        yield row(
            status=Alert.Status.DISMISSED,
            created=raised,
            claimed=raised + rng.uniform(1, 60) * MINUTE,
            reason=rng.choice(reasons),
        )
    # Open alerts: four in ten still new. A new critical alert pages after 5 min and a new high one
    # after 15, so the new ones of those severities are younger: a sweep that paged would write.
    young = {Severity.CRITICAL: 4.5 * MINUTE, Severity.HIGH: 14 * MINUTE}
    for _ in range(OPEN_ALERTS):
        severity = pick(rng, SEVERITIES)
        if rng.random() < 0.4:
            raised = anchor - rng.uniform(10 / 60, young.get(severity, 6 * HOUR) / MINUTE) * MINUTE
            yield row(status=Alert.Status.NEW, created=raised, severity=severity)
        else:
            raised = anchor - rng.uniform(5, 48 * 60) * MINUTE
            claimed = min(raised + rng.uniform(0.5, 20) * MINUTE, anchor)
            yield row(status=Alert.Status.CLAIMED, created=raised, severity=severity, claimed=claimed)


CHECKIN_FIELDS = [
    "case",
    "due_at",
    "send_after",
    "time_zone",
    "channel",
    "text",
    "owner",
    "created_by",
    "status",
    "created_at",
    "attempts",
    "last_error",
    "sent_at",
    "delivered_at",
    "replied_at",
    "chased_at",
]


def seed_checkins(world: World) -> int:
    return copy_rows(CheckIn, CHECKIN_FIELDS, checkin_rows(world))


def _local(day: date, at: clock, zone: str) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def checkin_rows(world: World) -> Iterable[tuple]:
    rng, anchor = world.rng, world.anchor

    def row(case, due, status, channel, *, planned, send_after=None, attempts=0, error="", sent=None, **times):
        case_id, owner, zone, *_ = case
        return (
            case_id, due, send_after or due, zone, channel, encrypt(rng.choice(TEXTS)), owner, owner, status, planned,
            attempts, error, sent, times.get("delivered"), times.get("replied"), times.get("chased"),
        )  # fmt: skip

    def sent_row(case, sent, **times):
        # Sent within a minute of its due time; delivered ones were delivered as they were sent.
        status = CheckIn.Status.DELIVERED if rng.random() < 0.4 else CheckIn.Status.SENT
        delivered = sent if status == CheckIn.Status.DELIVERED else None
        due = sent - rng.uniform(0, 60) * SECOND
        channel = pick(rng, SENT_CHANNELS)
        return row(case, due, status, channel, planned=due - DAY, sent=sent, attempts=1, delivered=delivered, **times)

    # Pending: planned for the next 30 days, at round local times in the buyer's zone.
    today = anchor.date()
    for _ in range(PENDING):
        case = rng.choice(world.open_cases)
        due = _local(today + rng.randrange(PENDING_DAYS) * DAY, pick(rng, LOCAL_TIMES), case[2])
        if due <= anchor + MINUTE:
            due += DAY
        planned = anchor - rng.uniform(0, 7) * DAY
        yield row(case, due, CheckIn.Status.PLANNED, pick(rng, PENDING_CHANNELS), planned=planned)
    # Due: chat and SMS check-ins whose time came within the last 5 minutes.
    for _ in range(DUE):
        due = anchor - rng.uniform(1, 300) * SECOND
        channel = pick(rng, SENT_CHANNELS)
        yield row(rng.choice(world.open_cases), due, CheckIn.Status.PLANNED, channel, planned=due - DAY)
    # Awaiting a reply, sent within the reply window (3 h), so not chased yet.
    window = settings.SHOUHU_CHECKIN_REPLY_WITHIN
    for _ in range(AWAITING):
        yield sent_row(rng.choice(world.open_cases), anchor - rng.uniform(1, window / MINUTE - 5) * MINUTE)
    # Chased within the last hour, so not requeued yet.
    for _ in range(CHASED):
        sent = anchor - window - rng.uniform(2, 55) * MINUTE
        yield sent_row(rng.choice(world.open_cases), sent, chased=sent + window + rng.uniform(0, 60) * SECOND)
    # Past check-ins over the cases' lives, ended one way or another.
    for _ in range(PAST):
        if rng.random() < 0.5:
            case = rng.choice(world.open_cases)
            start, end = case[3], anchor - 4 * HOUR
        else:
            case = rng.choice(world.closed_cases)
            start, end = case[3], case[4]
        due = start + rng.random() * (end - start)
        status, channel, _share = rng.choices(PAST_KINDS, weights=[kind[2] for kind in PAST_KINDS])[0]
        channel = channel or pick(rng, SENT_CHANNELS)
        planned = due - DAY
        if status == CheckIn.Status.REPLIED:
            sent = due + rng.uniform(0, 60) * SECOND
            chased = sent + window if rng.random() < 0.1 else None
            replied = min((chased or sent) + rng.uniform(1, 170) * MINUTE, anchor)
            yield row(
                case, due, status, channel, planned=planned, sent=sent, attempts=1, replied=replied, chased=chased
            )
        elif status == CheckIn.Status.DONE:
            yield row(case, due, status, channel, planned=planned, replied=due + rng.uniform(0, 90) * MINUTE)
        elif status == CheckIn.Status.FAILED:
            attempts = settings.SHOUHU_DELIVERY_MAX_ATTEMPTS
            yield row(case, due, status, channel, planned=planned, send_after=due + 2 * HOUR, attempts=attempts,
                      error="chat endpoint answered 503")  # fmt: skip
        else:  # a phone call that did not reach the person, or a check-in cancelled before it was due
            yield row(case, due, status, channel, planned=planned)


def copy_rows(model: type[models.Model], fields: list[str], rows: Iterable[tuple]) -> int:
    """Stream the rows (values in the order of `fields`) into the model's table; returns how many."""
    opts = model._meta
    columns, defaults = copy_columns(model, fields)
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(opts.db_table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    rows, written = iter(rows), 0
    with connection.cursor() as django_cursor:  # the transaction's connection, opened if need be
        cursor = django_cursor.cursor
        while True:
            with cursor.copy(statement) as copy:
                batch = 0
                for row in islice(rows, COPY_BATCH):
                    copy.write_row((*row, *defaults) if defaults else row)
                    batch += 1
            written += batch
            if batch < COPY_BATCH:
                return written


def vacuum_analyze() -> None:
    """Fresh statistics and a visibility map, so that the sweep gets the plans it would get on a
    database autovacuum keeps up with."""
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {_tables([*SEEDED, User])}")


# --- Broker --------------------------------------------------------------------------------------


def route_all_tasks(queue: str | None) -> None:
    """Send every task to `queue` (None: back to the settings' routes). Celery builds its router once
    from the routes of that moment, so it is rebuilt."""
    app.conf.task_routes = {"*": {"queue": queue}} if queue else settings.CELERY_TASK_ROUTES
    app.amqp.flush_routes()
    app.amqp.router = app.amqp.Router()


def queue_tasks(queue: str) -> list[tuple[str, list]]:
    """(task name, first argument) of each task waiting in the queue, oldest first. kombu's Redis
    transport LPUSHes a JSON envelope per message, its body base64-encoded [args, kwargs, embed]."""
    with app.connection_for_write() as broker:
        raw = broker.default_channel.client.lrange(queue, 0, -1)
    tasks = []
    for envelope in reversed(raw):
        message = json.loads(envelope)
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        tasks.append((message["headers"]["task"], args[0] if args else None))
    return tasks


def queue_purge(queue: str) -> None:
    with app.connection_for_write() as broker:
        broker.default_channel.queue_purge(queue)


def queue_delete(queue: str) -> None:
    """Remove the run's queue and kombu's bindings of it from Redis. kombu's queue_delete only knows
    the bindings its own channel declared, so the keys are deleted by name."""
    with app.connection_for_write() as broker:
        broker.default_channel.client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


# --- Checks --------------------------------------------------------------------------------------


def fingerprint() -> tuple:
    """Every check-in's state, and the size of each table the sweep writes when it chases or pages."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), md5(string_agg(concat_ws('|', id, status, send_after, sent_at, delivered_at, "
            f"chased_at, attempts, requeued_alert_id), ',' ORDER BY id)) FROM {_tables([CheckIn])}"
        )
        checkins = cursor.fetchone()
    return (
        checkins,
        Notification.objects.count(),
        CaseEvent.objects.count(),
        Alert.objects.count(),
        CheckIn.history.count(),
    )


def due_ids(anchor: datetime) -> list[int]:
    """The check-ins the sweep must hand out, oldest first, asked independently of the service."""
    return list(
        CheckIn.objects.filter(status=CheckIn.Status.PLANNED, send_after__lte=anchor)
        .exclude(channel=CheckIn.Channel.PHONE)
        .order_by("send_after", "pk")
        .values_list("pk", flat=True)
    )


@dataclass
class Handed:
    tasks: int
    ids: int


def check_run(figures: dict, queue: str, due: list[int], before: tuple) -> Handed:
    """The sweep found the due check-ins and nothing else, enqueued each due id once in tasks of
    SHOUHU_DELIVERY_BATCH, and wrote nothing. Empties the queue."""
    tasks = queue_tasks(queue)
    queue_purge(queue)
    problems = []
    if figures != EXPECTED_FIGURES:
        problems.append(f"the sweep returned {figures}, not {EXPECTED_FIGURES}")
    names = {name for name, _ids in tasks}
    if names - {DELIVER_CHECKINS}:
        problems.append(f"tasks other than deliver_checkins were enqueued: {sorted(names - {DELIVER_CHECKINS})}")
    ids = [pk for name, batch in tasks if name == DELIVER_CHECKINS for pk in batch]
    batch = settings.SHOUHU_DELIVERY_BATCH
    if len(tasks) != -(-len(due) // batch) or any(len(ids_) > batch for _name, ids_ in tasks):
        problems.append(f"{len(tasks)} tasks of up to {batch} ids, for {len(due)} due check-ins")
    if sorted(ids) != sorted(due):
        problems.append(f"{len(ids)} ids enqueued ({len(set(ids))} distinct), not the {len(due)} due check-ins")
    if fingerprint() != before:
        problems.append("the sweep changed check-ins, or wrote notifications, case events or alerts")
    if problems:
        sys.exit("The sweep did not do what the bench measures:\n  " + "\n  ".join(problems))
    return Handed(len(tasks), len(ids))


# --- Timing --------------------------------------------------------------------------------------


def time_sweeps(anchor: datetime, runs: int, queue: str, due: list[int], before: tuple) -> tuple[list[float], Handed]:
    """Milliseconds of each timed sweep. Each is checked and its queue emptied outside the clock."""
    check_run(reminders_sweep(now=anchor), queue, due, before)  # warm-up
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        figures = reminders_sweep(now=anchor)
        samples.append((time.perf_counter() - started) * 1000)
        handed = check_run(figures, queue, due, before)
    return samples, handed


class QueryTimer:
    """Times each query to the microsecond, and remembers its SQL and parameters."""

    def __init__(self) -> None:
        self.queries: list[tuple[float, str, tuple]] = []

    def __call__(self, execute: Callable, sql_: str, params, many: bool, context: dict):
        started = time.perf_counter()
        try:
            return execute(sql_, params, many, context)
        finally:
            self.queries.append(((time.perf_counter() - started) * 1000, sql_, params))


# The sweep's steps, as it calls them: (label, module, function name). The sweep's module holds
# every step by name, so each is replaced there.
STEPS = [
    ("checkins_due", sweep_services, "checkins_due"),
    ("enqueue (publish to Redis)", sweep_services, "_enqueue"),
    ("checkin_calls_due", sweep_services, "checkin_calls_due"),
    ("checkins_chase", sweep_services, "checkins_chase"),
    ("alerts_escalate", sweep_services, "alerts_escalate"),
    ("stop_payments_page", sweep_services, "stop_payments_page"),
    ("interceptions_escalate", sweep_services, "interceptions_escalate"),
    ("first_actions_page", sweep_services, "first_actions_page"),
    ("notifications_due", sweep_services, "notifications_due"),
    ("webhooks_due", sweep_services, "webhooks_due"),
]


@dataclass
class Profile:
    total_ms: float
    steps: dict[str, tuple[int, float]]  # label -> (calls, ms)
    queries: list[tuple[float, str, tuple]]


def profile_sweep(anchor: datetime, queue: str, due: list[int], before: tuple) -> Profile:
    """One more sweep, outside the clock, with each step and each query timed (the wrappers cost a
    little, so its total is a bit above the timed runs')."""
    spent: dict[str, list[float]] = defaultdict(list)

    def timed(label: str, function: Callable) -> Callable:
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label].append((time.perf_counter() - started) * 1000)

        return wrapper

    timer = QueryTimer()
    with ExitStack() as stack:
        for label, module, name in STEPS:
            stack.enter_context(mock.patch.object(module, name, timed(label, getattr(module, name))))
        stack.enter_context(connection.execute_wrapper(timer))
        started = time.perf_counter()
        figures = reminders_sweep(now=anchor)
        total = (time.perf_counter() - started) * 1000
    check_run(figures, queue, due, before)
    return Profile(total, {label: (len(ms), sum(ms)) for label, ms in spent.items()}, timer.queries)


def explain(query: tuple[float, str, tuple]) -> list[str]:
    _ms, sql_, params = query
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql_}", params)
        return [line for (line,) in cursor.fetchall()]


# --- Report --------------------------------------------------------------------------------------


def postgres_version() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def print_header(anchor: datetime, queue: str, runs: int) -> None:
    db = settings.DATABASES["default"]
    shape = data_shape(anchor)
    print(f"PostgreSQL {postgres_version()}, database {db['NAME']} on {db['HOST'] or 'localhost'}")
    print(f"broker {settings.CELERY_BROKER_URL}, queue {queue}: no worker, read and purged after each sweep")
    print(
        f"check-ins: {shape['pending']:,} pending over the next {PENDING_DAYS} days, {shape['due']:,} due, "
        f"{shape['awaiting']:,} awaiting a reply, {shape['chased']:,} chased, {shape['past']:,} past "
        f"({CheckIn.objects.count():,} rows)"
    )
    open_cases = Case.objects.exclude(status=Case.Status.CLOSED).count()
    print(
        f"cases: {open_cases:,} open of {Case.objects.count():,}; alerts: {shape['open alerts']:,} open of "
        f"{Alert.objects.count():,}; {Notification.objects.count():,} notifications"
    )
    print(
        f"now = {anchor:%Y-%m-%d %H:%M:%S} UTC (the seed's moment); SHOUHU_DELIVERY_BATCH "
        f"{settings.SHOUHU_DELIVERY_BATCH}, SHOUHU_SWEEP_LIMIT {settings.SHOUHU_SWEEP_LIMIT:,}; "
        f"1 warm-up + {runs} timed sweeps"
    )


def print_table(samples: list[float], handed: Handed) -> None:
    print()
    print(f"{'sweeps':>6} {'median ms':>10} {'min ms':>8} {'max ms':>8}  handed out per sweep")
    print(
        f"{len(samples):>6} {statistics.median(samples):>10.1f} {min(samples):>8.1f} {max(samples):>8.1f}  "
        f"{handed.ids:,} check-in ids in {handed.tasks} deliver_checkins tasks"
    )


def print_profile(profile: Profile) -> None:
    print()
    sql_ms = sum(ms for ms, _sql, _params in profile.queries)
    print(
        f"one sweep, step by step (outside the clock): {profile.total_ms:.1f} ms, {len(profile.queries)} queries "
        f"taking {sql_ms:.1f} ms"
    )
    for label, _module, _name in STEPS:
        calls, ms = profile.steps.get(label, (0, 0.0))
        print(f"  {label:<28} {ms:>8.1f} ms  ({calls} call{'s' if calls != 1 else ''})")
    slowest = max(profile.queries, key=lambda query: query[0])
    print(f"slowest query, {slowest[0]:.1f} ms: {_shorten(slowest[1])}")
    print("its plan:")
    for line in explain(slowest):
        print(f"  {line}")


def _shorten(sql_: str, width: int = 240) -> str:
    # Column lists and join conditions are most of a query's text and say little about its cost.
    sql_ = re.sub(r"^SELECT (DISTINCT )?.*? FROM ", r"SELECT \1… FROM ", sql_, count=1)
    sql_ = re.sub(r" (?:LEFT OUTER |INNER )?JOIN (\S+) ON \([^()]*\)", r" JOIN \1", sql_)
    return sql_ if len(sql_) <= width else sql_[: width - 1] + "…"


def print_verdict(samples: list[float]) -> None:
    print()
    median, slowest = statistics.median(samples), max(samples)
    verdict = "met" if median < TARGET_MS else "NOT met"
    if median < TARGET_MS <= slowest:
        verdict += ", but not by every sweep"
    print(
        f"target: one sweep with {PENDING:,} pending and {DUE:,} due check-ins < {TARGET_MS / 1000:.0f} s: "
        f"{verdict} (median {median:.1f} ms, max {slowest:.1f} ms)"
    )


def record(samples: list[float], handed: Handed, profile: Profile) -> None:
    """The printed times in bench/results/sweep.json."""
    figures = {
        "median": figure(statistics.median(samples), "ms", 1),
        "min": figure(min(samples), "ms", 1),
        "max": figure(max(samples), "ms", 1),
        "check-in ids handed out": figure(handed.ids),
        "deliver_checkins tasks": figure(handed.tasks),
        "profiled sweep": figure(profile.total_ms, "ms", 1),
        "profiled sweep, queries": figure(len(profile.queries)),
        **{f"step {label}": figure(profile.steps.get(label, (0, 0.0))[1], "ms", 1) for label, _m, _n in STEPS},
    }
    results_write(
        "sweep",
        figures=figures,
        headline=["median", "max"],
        target=f"one sweep with {PENDING:,} pending and {DUE:,} due check-ins < {TARGET_MS / 1000:.0f} s (median)",
        met=statistics.median(samples) < TARGET_MS,
    )


# --- The run -------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=20, help="timed sweeps (default: 20)")
    parser.add_argument("--reseed", action="store_true", help="empty the bench's tables and fill them again")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main() -> None:
    args = parse_args()
    anchor = database_prepare(args.reseed)
    queue = f"bench-sweep-{os.getpid()}"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    route_all_tasks(queue)
    queue_purge(queue)
    try:
        print_header(anchor, queue, args.runs)
        due, before = due_ids(anchor), fingerprint()
        samples, handed = time_sweeps(anchor, args.runs, queue, due, before)
        profile = profile_sweep(anchor, queue, due, before)
        print_table(samples, handed)
        print_profile(profile)
        print_verdict(samples)
        record(samples, handed, profile)
    finally:
        queue_delete(queue)
        route_all_tasks(None)


if __name__ == "__main__":
    main()
