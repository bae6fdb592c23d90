"""Messages per second the intake API accepts from concurrent clients, over HTTP, as deployed.

Usage, from the repository root:

    .venv/bin/python bench/load.py [--clients 20] [--batch 100] [--seconds 30] [--new-buyers 0.1]
                                   [--alert-share 0.02] [--tokens 1] [--seed 1]

Target (issue 19): on the 2-core machine, 20 clients posting batches of 100 for 30 s get at least
3,000 messages/s accepted, p95 under 1 s per request, no error, and every message accepted is
stored once and scanned.

What runs, as docs/deploy.md says, scaled from its 4-core hosts to this machine's cores (N):

    web      gunicorn config.wsgi on 127.0.0.1 (a free port), gthread, N workers of 4 threads, with
             the deploy page's timeout, keep-alive, max-requests and access log (to a file)
    workers  one Celery worker per queue: scan (concurrency N), notify (2N), default (N), each with
             --prefetch-multiplier 1. No beat: its minute sweep would scan what a lost task left,
             and the bench is there to see the scan tasks do it themselves.
    settings config.settings.prod for every process, the bench's own included, with throwaway
             values for its secrets (SECRET_KEY, SHOUHU_DATA_KEYS, SHOUHU_INDEX_KEY), generated per
             run and never written anywhere
    Redis    the machine's, 127.0.0.1:6379: database 11 as broker, 12 as cache (the throttle's
             counters). Both are the bench's own and emptied before each run.
    database PostgreSQL shouhu_load (DATABASE_URL), created if missing and migrated by the bench as
             its owner; its messages, alerts and buyers are emptied before each run (the data keys
             change every run). The web processes and workers connect as the app's role,
             shouhu_app, created if missing, which owns nothing (docs/deploy.md, Least privilege).
             The suite's and the seeder's databases are refused.

The clients are threads of this process, each with one keep-alive HTTP connection, sending the Host
and X-Forwarded-Proto headers a proxy would. Each posts batches back to back until --seconds have
passed; a request under way then finishes and counts. The batches are built before the clock:
ordinary customer-service questions (bench/_traffic.py), --alert-share of lines from people in
danger, and --new-buyers of the messages from buyers never seen before, the same new buyers in the
same batch number of every client, so that concurrent requests insert the same new people (a
third of them with a phone and an address, which are encrypted). The other messages come from a
pool of 5,000 shoppers, who are new on their first message and known after it. All clients share
--tokens integration tokens (1 by default: one integration, whose throttle is
API_REQUESTS_PER_MINUTE requests a minute).

After the load: the bench waits until every stored message of the run is scanned (giving up when
none is scanned for 60 s), then checks that each message answered 202 is stored exactly once and
scanned, and reports messages stored whose request got no 202. It exits 1 when a message was lost,
stored twice or left unscanned; the targets are printed as met or not.

The clients, the web and Celery processes, PostgreSQL and Redis share this machine's CPUs, where
production gives the web and the workers hosts of their own: the figure is a floor.
"""

import argparse
import http.client
import json
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from _common import (
    ROOT,
    Service,
    figure,
    free_port,
    integration_token,
    messages_empty,
    own_database_migrated,
    percentile,
    results_write,
)
from _traffic import STORIES, chat_item, ordinary_text
from cryptography.fernet import Fernet

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/shouhu_load"
BROKER_URL = "redis://127.0.0.1:6379/11"
CACHE_URL = "redis://127.0.0.1:6379/12"
HOST = "load.bench.invalid"
URL = "/api/v1/intake/messages"
INTEGRATION_EMAIL = "bench-load@bench.invalid"
TARGET_RATE = 3_000
TARGET_P95 = 1.0
SHOPPERS = 5_000
STALL_SECONDS = 60.0
START_SECONDS = 60.0
# Batches prepared per client and second of the run: 4 a second is 8,000 messages/s for 20
# clients of 100, well above what the machine does; a client that runs out stops and says so.
BATCHES_PER_SECOND = 4
TZ = ZoneInfo("Asia/Shanghai")
CORES = os.cpu_count() or 1
APP_ROLE = "shouhu_app"


def run_environment() -> dict[str, str]:
    """The environment of every process of the run: production settings, throwaway secrets."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(45),
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        "CELERY_BROKER_URL": BROKER_URL,
        "CACHE_URL": CACHE_URL,
        "SHOUHU_PORTAL_URL": f"https://{HOST}",
        "SHOUHU_DATA_KEYS": Fernet.generate_key().decode(),
        "SHOUHU_INDEX_KEY": secrets.token_urlsafe(48),
        "SHOUHU_DB_APP_ROLE": APP_ROLE,
        # The clients talk to gunicorn directly: the address the throttles see is the socket's.
        "SHOUHU_TRUSTED_PROXIES": "0",
    }


os.environ.update(run_environment())
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

import redis  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402

from accounts.services import api_token_revoke  # noqa: E402
from interventions.models import Alert, Message  # noqa: E402

# --- The processes -------------------------------------------------------------------------------


def web(directory: Path, port: int) -> Service:
    """gunicorn with docs/deploy.md's flags; one worker per core, as the page sizes them."""
    command = [
        sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}",
        "--worker-class", "gthread", "--workers", str(CORES), "--threads", "4",
        "--timeout", "30", "--graceful-timeout", "30", "--keep-alive", "5",
        "--max-requests", "1000", "--max-requests-jitter", "100", "--access-logfile", "-",
        "--access-logformat", '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms',
    ]  # fmt: skip
    return Service("gunicorn", command, directory)


# deploy.md on 4 cores: scan 4, notify 8, default 4; scaled to this machine's cores.
QUEUES = {"scan": CORES, "notify": 2 * CORES, "default": CORES}


def celery_worker(directory: Path, queue: str, concurrency: int, run_id: str) -> Service:
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue, "-n", f"{queue}-{run_id}@%h",
        "--concurrency", str(concurrency), "--prefetch-multiplier", "1", "--loglevel", "INFO",
    ]  # fmt: skip
    return Service(f"celery-{queue}", command, directory)


def redis_empty() -> None:
    for url in (BROKER_URL, CACHE_URL):
        redis.Redis.from_url(url).flushdb()


# --- The load ------------------------------------------------------------------------------------


def prepare(*, run_id: str, client: int, batches: int, batch: int, args: argparse.Namespace) -> list[bytes]:
    """The client's request bodies, in the order it sends them."""
    rng = random.Random(f"{args.seed}-{client}")
    new_per_batch = round(batch * args.new_buyers)
    now = datetime.now(TZ)
    bodies = []
    in_danger = 0
    for number in range(batches):
        items = []
        for n in range(batch):
            external_id = f"{run_id}-{client}-{number}-{n}"
            sent_at = now - timedelta(seconds=rng.uniform(0, 600))
            if n < new_per_batch:  # the same new people in this batch number of every client
                buyer = f"{run_id}-new-{number}-{n}"
                item = chat_item(rng, external_id=external_id, buyer=buyer, text=ordinary_text(rng), sent_at=sent_at)
                if n % 3 == 0:
                    item["buyer_phone"] = f"13{(number * 1_000 + n) % 10**9:09d}"
                    item["buyer_address"] = f"幸福路{n + 1}号{number % 30 + 1}栋"
            elif rng.random() < args.alert_share:
                desk = rng.choice(sorted(STORIES))
                text = "".join(rng.choice(STORIES[desk]))
                buyer = f"{run_id}-{desk}-{client}-{in_danger}"
                in_danger += 1
                item = chat_item(rng, external_id=external_id, buyer=buyer, text=text, sent_at=sent_at)
            else:
                buyer = f"{run_id}-shopper-{rng.randrange(SHOPPERS)}"
                item = chat_item(rng, external_id=external_id, buyer=buyer, text=ordinary_text(rng), sent_at=sent_at)
            items.append(item)
        rng.shuffle(items)
        bodies.append(json.dumps({"messages": items}, ensure_ascii=False).encode())
    return bodies


@dataclass
class Answer:
    started: float
    seconds: float
    status: int | str  # the HTTP status, or the name of the exception when there was none
    external_ids: list[str] = field(default_factory=list)  # of a 202: the messages it accepted


class Client(threading.Thread):
    def __init__(self, port: int, key: str, bodies: list[bytes], deadline: list[float]) -> None:
        super().__init__(daemon=True)
        self.port, self.key, self.bodies, self.deadline = port, key, bodies, deadline
        self.answers: list[Answer] = []
        self.ran_out = False
        self.connection: http.client.HTTPConnection | None = None

    def headers(self) -> dict[str, str]:
        return {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "Authorization": f"Bearer {self.key}",
            "Content-Type": "application/json",
        }

    def post(self, body: bytes) -> tuple[int, bytes]:
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            self.connection.request("POST", URL, body=body, headers=self.headers())
            response = self.connection.getresponse()
            return response.status, response.read()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            self.connection = None
            raise

    def warm_up(self) -> None:
        status, content = self.post(b'{"messages": []}')
        if status != 202:
            raise RuntimeError(f"the warm-up POST got {status}: {content[:300]!r}")

    def run(self) -> None:
        for body in self.bodies:
            if time.perf_counter() >= self.deadline[0]:
                return
            started = time.perf_counter()
            try:
                status, content = self.post(body)
            except (http.client.HTTPException, OSError) as error:
                self.answers.append(Answer(started, time.perf_counter() - started, type(error).__name__))
                continue
            answer = Answer(started, time.perf_counter() - started, status)
            if status == 202:
                answer.external_ids = [item["external_id"] for item in json.loads(content)["items"]]
            self.answers.append(answer)
        self.ran_out = True


# --- Checks --------------------------------------------------------------------------------------


def run_messages(run_id: str):
    return Message.objects.filter(external_id__startswith=f"{run_id}-")


def wait_until_scanned(run_id: str, services: list[Service]) -> float:
    """Seconds until no message of the run waits for its scan."""
    started = time.perf_counter()
    last_left, last_progress = None, time.monotonic()
    while left := run_messages(run_id).filter(scanned_at__isnull=True).count():
        for service in services:
            service.check_alive()
        if left != last_left:
            last_left, last_progress = left, time.monotonic()
        elif time.monotonic() - last_progress > STALL_SECONDS:
            print(f"gave up: {left:,} messages unscanned, none scanned in the last {STALL_SECONDS:.0f} s")
            break
        time.sleep(0.1)
    return time.perf_counter() - started


@dataclass
class Verdict:
    accepted: int
    stored: int
    lost: int
    twice: int
    unscanned: int
    unanswered: int  # stored, but their request got no 202
    errors: int = 0  # requests not answered 202


def verdict(run_id: str, answers: list[Answer]) -> Verdict:
    accepted = Counter(external_id for answer in answers for external_id in answer.external_ids)
    stored = Counter(run_messages(run_id).values_list("external_id", flat=True))
    unscanned = run_messages(run_id).filter(scanned_at__isnull=True).count()
    return Verdict(
        accepted=sum(accepted.values()),
        stored=sum(stored.values()),
        lost=len(accepted.keys() - stored.keys()),
        twice=sum(1 for count in (*accepted.values(), *stored.values()) if count > 1),
        unscanned=unscanned,
        unanswered=len(stored.keys() - accepted.keys()),
    )


# --- The run -------------------------------------------------------------------------------------


def database_prepare() -> str:
    name = own_database_migrated("load.py", app_role=APP_ROLE)
    # The buyers too: their phones were encrypted with the last run's throwaway keys.
    messages_empty(buyers=True)
    connection.close()  # the run's checks open a fresh one; this one would sit idle meanwhile
    return name


def health_wait(port: int, service: Service) -> None:
    deadline = time.monotonic() + START_SECONDS
    while True:
        service.check_alive()
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            probe.request("GET", "/healthz", headers={"Host": HOST, "X-Forwarded-Proto": "https"})
            if probe.getresponse().status == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"gunicorn did not answer /healthz within {START_SECONDS:.0f} s")
        time.sleep(0.2)


def load(args: argparse.Namespace, run_id: str, port: int, keys: list[str]) -> tuple[list[Client], float]:
    batches = args.seconds * BATCHES_PER_SECOND
    deadline = [float("inf")]
    clients = []
    for number in range(args.clients):
        bodies = prepare(run_id=run_id, client=number, batches=batches, batch=args.batch, args=args)
        clients.append(Client(port, keys[number % len(keys)], bodies, deadline))
    for client in clients:  # a connection each, and every gunicorn worker past its first request
        client.warm_up()
    started = time.perf_counter()
    deadline[0] = started + args.seconds
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    return clients, started


def report(
    args: argparse.Namespace, database: str, clients: list[Client], started: float, scan_wait: float, run_id: str
) -> Verdict:
    answers = [answer for client in clients for answer in client.answers]
    ended = max(answer.started + answer.seconds for answer in answers)
    elapsed = ended - started
    checked = verdict(run_id, answers)
    checked.errors = sum(1 for answer in answers if answer.status != 202)
    statuses = Counter(answer.status for answer in answers)
    errors = {status: count for status, count in statuses.items() if status != 202}
    times = [answer.seconds for answer in answers]
    rate = checked.accepted / elapsed
    p50, p95 = percentile(times, 50), percentile(times, 95)
    alerts = dict(
        Alert.objects.filter(messages__external_id__startswith=f"{run_id}-")
        .values_list("desk")
        .annotate(n=Count("id", distinct=True))
        .order_by("desk")
    )
    workers = ", ".join(f"{queue} ×{concurrency}" for queue, concurrency in QUEUES.items())
    print(
        f"gunicorn gthread {CORES} workers × 4 threads; Celery {workers}; PostgreSQL {database}; "
        f"Redis broker {BROKER_URL}, cache {CACHE_URL}; {CORES} CPUs shared by all, the clients included"
    )
    print(
        f"{args.clients} clients, batches of {args.batch}, {args.seconds} s; {args.new_buyers:.0%} of each batch "
        f"from new buyers, {args.alert_share:.0%} from people in danger; {args.tokens} token(s) at "
        f"{settings.API_REQUESTS_PER_MINUTE:,} requests/min each"
    )
    errors_text = ", ".join(f"{status} ×{count}" for status, count in sorted(errors.items(), key=str)) or "none"
    print(f"requests     {len(answers):,} in {elapsed:.1f} s; errors: {errors_text}")
    print(f"accepted     {checked.accepted:,} messages = {rate:,.0f} messages/s")
    print(
        f"per request  p50 {p50:.3f} s  p95 {p95:.3f} s  max {max(times):.3f} s  (mean {statistics.mean(times):.3f} s)"
    )
    print(f"scanned      all stored messages {scan_wait:.1f} s after the last answer")
    print(
        f"stored       {checked.stored:,}; lost {checked.lost}, stored twice {checked.twice}, "
        f"unscanned {checked.unscanned}, stored without a 202 {checked.unanswered}"
    )
    print("alerts       " + ", ".join(f"{desk} {count}" for desk, count in alerts.items()))
    if any(client.ran_out for client in clients):
        print("note: some clients sent every batch prepared for them before the time was up")
    marks = [
        f">= {TARGET_RATE:,} messages/s: {'met' if rate >= TARGET_RATE else 'NOT met'} ({rate:,.0f})",
        f"p95 < {TARGET_P95:.0f} s: {'met' if p95 < TARGET_P95 else 'NOT met'} ({p95:.3f} s)",
        f"0 errors: {'met' if not errors else 'NOT met'} ({sum(errors.values())})",
        f"0 lost: {'met' if not checked.lost else 'NOT met'} ({checked.lost})",
    ]
    print("target: " + "; ".join(marks))
    results_write(
        "load",
        figures={
            "accepted per second": figure(rate, "msg/s"),
            "accepted": figure(checked.accepted),
            "requests": figure(len(answers)),
            "p50": figure(p50, "s", 3),
            "p95": figure(p95, "s", 3),
            "max": figure(max(times), "s", 3),
            "errors": figure(sum(errors.values())),
            "stored": figure(checked.stored),
            "lost": figure(checked.lost),
            "stored twice": figure(checked.twice),
            "unscanned": figure(checked.unscanned),
            "stored without a 202": figure(checked.unanswered),
            "scanned after the last answer": figure(scan_wait, "s", 1),
        },
        headline=["accepted per second", "p95", "errors", "lost"],
        target=(
            f"{args.clients} clients: ≥ {TARGET_RATE:,} messages/s, p95 < {TARGET_P95:.0f} s per request, "
            "0 errors, 0 lost"
        ),
        met=rate >= TARGET_RATE and p95 < TARGET_P95 and not errors and not checked.lost,
    )
    return checked


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--batch", type=int, default=100, help="messages per POST (at most 1,000)")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--new-buyers", type=float, default=0.1, help="share of each batch from new buyers")
    parser.add_argument("--alert-share", type=float, default=0.02, help="share of lines from people in danger")
    parser.add_argument("--tokens", type=int, default=1, help="integration tokens the clients share")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.clients < 1 or not 1 <= args.batch <= 1_000 or args.seconds < 1 or args.tokens < 1:
        parser.error("--clients, --seconds and --tokens >= 1; 1 <= --batch <= 1000")
    if not 0 <= args.new_buyers <= 1 or not 0 <= args.alert_share <= 1:
        parser.error("--new-buyers and --alert-share are shares between 0 and 1")
    return args


def main() -> None:
    args = parse_args()
    database = database_prepare()
    redis_empty()
    run_id = f"l{uuid.uuid4().hex[:8]}"
    issued = [integration_token(email=INTEGRATION_EMAIL, name=f"bench load {run_id} {n}") for n in range(args.tokens)]
    directory = Path(tempfile.mkdtemp(prefix="bench-load-"))
    port = free_port()
    services = [web(directory, port)]
    services += [celery_worker(directory, queue, concurrency, run_id) for queue, concurrency in QUEUES.items()]
    checked = None
    try:
        for service in services:
            service.start()
        health_wait(port, services[0])
        for service in services[1:]:
            service.wait_for(" ready.", START_SECONDS)
        clients, started = load(args, run_id, port, [key for _token, key in issued])
        scan_wait = wait_until_scanned(run_id, services)
        checked = report(args, database, clients, started, scan_wait, run_id)
    finally:
        for service in services:
            service.stop()
        for token, _key in issued:
            api_token_revoke(token=token, by=None)
        if checked is None or checked.lost or checked.twice or checked.unscanned:
            for service in services:
                print(f"--- {service.log}, last lines ---\n{service.tail()}", file=sys.stderr)
            print(f"logs kept in {directory}", file=sys.stderr)
        elif checked.errors:
            print(f"the logs of the failed requests are kept in {directory}")
        else:
            shutil.rmtree(directory, ignore_errors=True)
    if checked.lost or checked.twice or checked.unscanned:
        sys.exit(1)


if __name__ == "__main__":
    main()
