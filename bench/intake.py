"""Seconds for a burst of chat messages to go from the intake API to alerts in the desks' queues.

Usage, from the repository root (DJANGO_SETTINGS_MODULE defaults to config.settings.test):

    .venv/bin/python bench/intake.py [--messages 10000] [--batch 1000] [--alert-share 0.05] [--seed 1]

Target (issues 3 and 19): 10,000 messages from the API to alerts in under 5 s, on PostgreSQL,
Redis and one Celery worker.

What runs, as in production except for the HTTP server:

    API      POST /api/v1/intake/messages, one request per batch, in order, through django.test.Client:
             in-process WSGI with the real URLconf, middleware, token authentication, DRF validation
             and the intake service; no socket and no gunicorn, so HTTP parsing and the network are
             left out. Each request commits its batch and enqueues one scan task after commit. A POST
             answered with a 5xx is sent again, as an integration would, and printed.
    broker   Redis (CELERY_BROKER_URL, default redis://127.0.0.1:6379/0), on a queue of this run's own.
    worker   one `celery -A config worker --pool solo --concurrency 1` subprocess, started before the
             clock, warmed up with an empty scan task, and stopped at the end whatever happens.
    done     when every message of the run has scanned_at set (polled every 50 ms).

The bench process, the worker, PostgreSQL and Redis share this machine's CPUs (the count is
printed), where production runs the API and the worker on machines of their own.

The database is PostgreSQL only, and the bench's own: DATABASE_URL defaults to
postgres://postgres@127.0.0.1:5432/shouhu_bench_intake, which is created if missing and migrated.
The shouhu, test_shouhu and shouhu_bench databases belong to the suite and the seeder and are
refused. Before each run the messages, alerts, their link table and the alerts' history are emptied,
so repeated runs measure the same thing; buyers are named per run, so each run creates its own.

Messages are generated, deterministically from --seed: ordinary customer-service traffic (delivery,
sizes, refunds, invoices; some with weak terms such as 今晚 or 杀虫剂 and some with benign idioms such
as 跳楼价, which reach the alert service and must raise nothing), and --alert-share of them from
people in danger (我不想活了,农药已经买好了 / 安眠药攒了一整瓶 / 游戏币…转到对方账户后联系不上了), each
person on one desk, some writing twice so their second message joins the first one's alert. The
expected alerts per desk (one per person) are printed next to the alerts the run created.
"""

import argparse
import json
import logging
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/shouhu_bench_intake"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/0"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
os.environ.setdefault("CELERY_BROKER_URL", DEFAULT_BROKER_URL)
# Not setdefault: in eager mode the scan would run inside the POST and nothing would be measured.
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"

import django  # noqa: E402

django.setup()

from _common import (  # noqa: E402
    OTHERS_DATABASES,
    Service,
    database_create,
    figure,
    integration_token,
    messages_empty,
    results_write,
)
from _traffic import STORIES, chat_item, ordinary_text  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.services import api_token_revoke  # noqa: E402
from config.celery import app  # noqa: E402
from interventions.models import Alert, Message  # noqa: E402
from interventions.tasks import scan_messages  # noqa: E402

TARGET_SECONDS = 5.0
URL = "/api/v1/intake/messages"
POLL_EVERY = 0.05
# Give up when the worker scans nothing for this long: it is stuck, not slow.
STALL_SECONDS = 60.0
WORKER_START_SECONDS = 60.0
# A POST answered with a 5xx was rolled back whole; an integration sends it again, and so does the
# bench (storing is idempotent per source and external id). Every failure is counted and printed.
ATTEMPTS = 3
INTEGRATION_EMAIL = "bench-intake@bench.invalid"
TZ = ZoneInfo("Asia/Shanghai")

# --- Messages ------------------------------------------------------------------------------------

# About five messages per ordinary shopper in the burst; people in danger also ask ordinary things.
MESSAGES_PER_SHOPPER = 5
SPAN_SECONDS = 3_600  # the burst's messages were sent over the last hour


@dataclass
class Traffic:
    batches: list[bytes]
    messages: int
    signal_messages: int
    people_in_danger: Counter  # desk -> people, i.e. the alerts expected


def traffic(*, run_id: str, messages: int, batch: int, alert_share: float, seed: int) -> Traffic:
    """The run's messages in the order they were sent, cut into request bodies of `batch`."""
    rng = random.Random(seed)
    events: list[tuple[float, str, str]] = []  # (seconds into the hour, buyer_ref, text)
    people = Counter()
    wanted = round(messages * alert_share)
    while len(events) < wanted:
        desk = ("life", "fraud")[sum(people.values()) % 2]  # alternate, so both desks get their share
        story = rng.choice(STORIES[desk])[: wanted - len(events)]
        buyer = f"{run_id}-{desk}-{people[desk]}"
        people[desk] += 1
        at = rng.uniform(0, SPAN_SECONDS - 600)
        for text in story:
            events.append((at, buyer, text))
            at += rng.uniform(30, 600)
    signal = len(events)
    shoppers = [f"{run_id}-shopper-{n}" for n in range(max(1, messages // MESSAGES_PER_SHOPPER))]
    in_danger = sorted({buyer for _at, buyer, _text in events})
    while len(events) < messages:
        buyer = rng.choice(in_danger) if in_danger and rng.random() < 0.05 else rng.choice(shoppers)
        events.append((rng.uniform(0, SPAN_SECONDS), buyer, ordinary_text(rng)))
    events.sort(key=lambda event: event[0])
    start = datetime.now(TZ) - timedelta(seconds=SPAN_SECONDS)
    items = [
        chat_item(rng, external_id=f"{run_id}-{n}", buyer=buyer, text=text, sent_at=start + timedelta(seconds=at))
        for n, (at, buyer, text) in enumerate(events)
    ]
    # Encoded before the clock starts: building the body is the integration's work, not ours.
    bodies = [json.dumps({"messages": items[i : i + batch]}).encode() for i in range(0, len(items), batch)]
    return Traffic(bodies, len(items), signal, people)


# --- Database ------------------------------------------------------------------------------------


def database_prepare() -> str:
    """Check that the database is a PostgreSQL one of the bench's own, create it if missing, migrate
    it and empty what a run writes. Returns its name."""
    db = settings.DATABASES["default"]
    if connection.vendor != "postgresql":
        sys.exit(f"bench/intake.py measures PostgreSQL; DATABASE_URL gives {connection.vendor}. Refusing.")
    if db["NAME"] in OTHERS_DATABASES:
        sys.exit(f"The {db['NAME']} database belongs to the suite or the seeder; use a database of the bench's own.")
    if database_create(db):
        print(f"created database {db['NAME']}")
    call_command("migrate", verbosity=0, interactive=False)
    messages_empty()
    return db["NAME"]


# --- Worker --------------------------------------------------------------------------------------

TASK_DONE = re.compile(
    r"Task interventions\.tasks\.scan_messages\[(?P<id>[^\]]+)\] succeeded in (?P<seconds>[\d.]+)s: (?P<scanned>\d+)"
)
TASK_RETRY = re.compile(r"Task interventions\.tasks\.scan_messages\[[^\]]+\] retry: (?P<why>.*)")


class Worker(Service):
    """One Celery worker subprocess consuming only this run's queue, with its log in a file."""

    def __init__(self, queue: str) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": os.environ["DATABASE_URL"],
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CELERY_TASK_ALWAYS_EAGER": "false",
        }
        command = [
            sys.executable, "-m", "celery", "-A", "config", "worker",
            "--pool", "solo", "--concurrency", "1", "--queues", queue,
            "--hostname", f"{queue}@%h", "--without-mingle", "--without-gossip", "--loglevel", "INFO",
        ]  # fmt: skip
        super().__init__("worker", command, Path(tempfile.mkdtemp(prefix="bench-intake-")), env)
        self.queue = queue

    def warm_up(self) -> None:
        """Wait until the worker consumes from the queue and has loaded its lexicon: an empty scan
        task makes the round trip and builds the lexicon, so neither lands inside the clock."""
        self.wait_for(" ready.", WORKER_START_SECONDS)
        task = scan_messages.delay([])
        self.wait_for(f"[{task.id}] succeeded", WORKER_START_SECONDS)

    def scan_tasks(self) -> list[tuple[float, int]]:
        """(seconds, messages scanned) of every scan task that scanned something."""
        found = [(float(m["seconds"]), int(m["scanned"])) for m in TASK_DONE.finditer(self.text())]
        return [(seconds, scanned) for seconds, scanned in found if scanned]

    def retries(self) -> list[str]:
        """Why each scan task was retried (a retry waits the task's default_retry_delay)."""
        return [m["why"] for m in TASK_RETRY.finditer(self.text())]


def route_all_tasks(queue: str | None) -> None:
    """Send every task to `queue` (None: back to the settings' routes). Celery builds its router once
    from the routes of that moment, so it is rebuilt."""
    app.conf.task_routes = {"*": {"queue": queue}} if queue else settings.CELERY_TASK_ROUTES
    app.amqp.flush_routes()
    app.amqp.router = app.amqp.Router()


def queue_purge(queue: str) -> None:
    with app.connection_for_write() as broker:
        broker.default_channel.queue_purge(queue)


def queue_delete(queue: str) -> None:
    """Remove the run's queue and kombu's bindings of it from Redis. kombu's queue_delete only knows
    the bindings its own channel declared, so the keys are deleted by name."""
    with app.connection_for_write() as broker:
        broker.default_channel.client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


# --- The run -------------------------------------------------------------------------------------


@dataclass
class Timings:
    api: float = 0.0
    scanned: float = 0.0
    requests: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # "POST n: status, the error the API logged"


class ServerErrors(logging.Handler):
    """Keeps the API's logged server errors, so that a failed POST prints one line, not a traceback."""

    def __init__(self) -> None:
        super().__init__()
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        error = record.exc_info[1] if record.exc_info else None
        self.errors.append(str(error).splitlines()[0] if error else record.getMessage())


def post_batches(client: Client, key: str, batches: list[bytes], timings: Timings, started: float) -> None:
    server_errors = ServerErrors()
    api_log = logging.getLogger("config.api")
    api_log.addHandler(server_errors)
    api_log.propagate = False
    try:
        for number, body in enumerate(batches, 1):
            _post(client, key, number, body, timings, server_errors)
    finally:
        api_log.removeHandler(server_errors)
        api_log.propagate = True
    timings.api = time.perf_counter() - started


def _post(client: Client, key: str, number: int, body: bytes, timings: Timings, errors: ServerErrors) -> None:
    for _attempt in range(ATTEMPTS):
        sent = time.perf_counter()
        response = client.post(URL, data=body, content_type="application/json", headers=_auth(key))
        timings.requests.append(time.perf_counter() - sent)
        if response.status_code < 500:
            break
        logged = errors.errors[-1] if errors.errors else response.content[:200].decode(errors="replace")
        timings.failures.append(f"POST {number}: {response.status_code}, {logged}")
    if response.status_code != 202:
        raise RuntimeError(f"POST {number} answered {response.status_code}: {response.content[:500]!r}")
    result = response.json()
    if result["created"] != result["accepted"]:
        raise RuntimeError(f"{result['duplicates']} messages of POST {number} were stored already: not a fresh run")


def _auth(key: str) -> dict:
    return {"authorization": f"Bearer {key}"}


def wait_until_scanned(worker: Worker, timings: Timings, started: float) -> None:
    """Poll until no message waits for its scan. The table was emptied, so these are the run's."""
    last_left, last_progress = None, time.monotonic()
    while left := Message.objects.filter(scanned_at__isnull=True).count():
        worker.check_alive()
        if left != last_left:
            last_left, last_progress = left, time.monotonic()
        elif time.monotonic() - last_progress > STALL_SECONDS:
            raise TimeoutError(f"{left} messages still unscanned, none scanned in the last {STALL_SECONDS:.0f} s")
        time.sleep(POLL_EVERY)
    timings.scanned = time.perf_counter() - started


def run(args: argparse.Namespace, run_id: str, worker: Worker, key: str) -> tuple[Traffic, Timings]:
    load = traffic(
        run_id=run_id, messages=args.messages, batch=args.batch, alert_share=args.alert_share, seed=args.seed
    )
    client = Client()
    # Warm the URLconf, DRF and the token lookup with an empty batch, as a running server would be.
    client.post(URL, data=b'{"messages": []}', content_type="application/json", headers=_auth(key))
    timings = Timings()
    started = time.perf_counter()
    post_batches(client, key, load.batches, timings, started)
    wait_until_scanned(worker, timings, started)
    return load, timings


def _spread(values: list[float]) -> str:
    values = sorted(values)
    return f"min {values[0]:.3f} / median {statistics.median(values):.3f} / max {values[-1]:.3f} s"


def report(args: argparse.Namespace, database: str, load: Traffic, timings: Timings, worker: Worker) -> None:
    total = timings.scanned
    tasks = worker.scan_tasks()
    retries = worker.retries()
    alerts = dict(Alert.objects.values_list("desk").annotate(n=Count("id")).order_by("desk"))
    print(
        f"database {database}, broker {settings.CELERY_BROKER_URL}, queue {worker.queue}, one solo worker, "
        f"{os.cpu_count()} CPUs shared by all"
    )
    print("HTTP: django.test.Client, in-process WSGI (real URLconf, middleware, token auth, DRF); no socket")
    print(
        f"messages {load.messages:,} in {len(load.batches)} batches of up to {args.batch:,}; "
        f"{load.signal_messages} from {sum(load.people_in_danger.values())} people in danger "
        f"({load.signal_messages / load.messages:.1%})"
    )
    print(
        f"API:                {timings.api:6.2f} s  {len(timings.requests)} POSTs, {len(timings.failures)} failed "
        f"(per POST {_spread(timings.requests)})"
    )
    print(f"until all scanned:  {total:6.2f} s  ({total - timings.api:.2f} s after the last POST)")
    if tasks:
        busy = sum(seconds for seconds, _scanned in tasks)
        print(
            f"scan tasks:         {len(tasks)} ran for {len(load.batches)} batches, {len(retries)} retried; "
            f"worker busy {busy:.2f} s (per task {_spread([seconds for seconds, _scanned in tasks])})"
        )
    for failure in timings.failures:
        print(f"  POST failed, sent again: {failure}")
    for why in retries:
        print(f"  scan task retried: {why}")
    print(f"total:              {total:6.2f} s  = {load.messages / total:,.0f} messages/s")
    for desk in sorted(set(alerts) | set(load.people_in_danger)):
        expected = load.people_in_danger[desk]
        mark = "" if alerts.get(desk, 0) == expected else "   <-- not one per person in danger"
        print(f"alerts {desk:<6} {alerts.get(desk, 0):5}  (expected {expected}, one per person){mark}")
    print(f"messages on alerts {Alert.messages.through.objects.count()}")
    verdict = "met" if total < TARGET_SECONDS else "NOT met"
    if timings.failures or retries:
        verdict += f", with {len(timings.failures)} failed POSTs and {len(retries)} retried scan tasks"
    print(f"target: {load.messages:,} messages in < {TARGET_SECONDS:.0f} s: {verdict} ({total:.2f} s)")
    results_write(
        "intake",
        figures={
            "until all scanned": figure(total, "s", 2),
            "API": figure(timings.api, "s", 2),
            "messages": figure(load.messages),
            "messages per second": figure(load.messages / total, "msg/s"),
            "POSTs failed": figure(len(timings.failures)),
            "scan tasks retried": figure(len(retries)),
            **{
                f"alerts {desk}": figure(alerts.get(desk, 0))
                for desk in sorted(set(alerts) | set(load.people_in_danger))
            },
            **{
                f"alerts {desk} expected": figure(load.people_in_danger[desk]) for desk in sorted(load.people_in_danger)
            },
        },
        headline=["until all scanned", "messages"],
        target=f"{load.messages:,} messages from the API to alerts in < {TARGET_SECONDS:.0f} s",
        met=total < TARGET_SECONDS,
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=1_000, help="messages per POST (the API takes at most 1,000)")
    parser.add_argument("--alert-share", type=float, default=0.05, help="share of messages from people in danger")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.messages < 1 or not 1 <= args.batch <= 1_000 or not 0 <= args.alert_share <= 1:
        parser.error("--messages >= 1, 1 <= --batch <= 1000, 0 <= --alert-share <= 1")
    return args


def main() -> None:
    args = parse_args()
    database = database_prepare()
    run_id = f"b{uuid.uuid4().hex[:8]}"
    token, key = integration_token(email=INTEGRATION_EMAIL, name=f"bench intake {run_id}")
    queue = f"bench-intake-{run_id}"
    app.conf.task_always_eager = False
    route_all_tasks(queue)
    queue_purge(queue)
    worker = Worker(queue)
    failed = True
    try:
        worker.start()
        worker.warm_up()
        load, timings = run(args, run_id, worker, key)
        report(args, database, load, timings, worker)
        failed = False
    finally:
        worker.stop()
        if failed:
            print(f"--- the worker's log ({worker.log}), last lines ---\n{worker.tail()}", file=sys.stderr)
        else:
            shutil.rmtree(worker.log.parent, ignore_errors=True)
        queue_delete(queue)
        route_all_tasks(None)
        api_token_revoke(token=token, by=None)


if __name__ == "__main__":
    main()
