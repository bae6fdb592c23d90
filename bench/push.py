"""How long a change takes to reach the pages that have it open, over server-sent events, as deployed.

Usage, from the repository root:

    .venv/bin/python bench/push.py [--clients 50] [--changes 300] [--every 0.05]

Target (issue 20): from the moment a change commits to the moment a connected client receives
it, p95 under 1 s with 50 connected clients.

What runs, as docs/deploy.md says:

    events   uvicorn config.asgi:application on 127.0.0.1 (a free port), one worker per core, the
             process that holds the streams of open pages
    settings config.settings.prod for it and for the bench, with throwaway secrets generated per
             run and never written anywhere
    Redis    the machine's, 127.0.0.1:6379: the pushes go through its pub/sub (SHOUHU_LIVE_REDIS_URL,
             database 13; pub/sub channels are the server's, not a database's)
    database PostgreSQL shouhu_push (DATABASE_URL), created if missing and migrated by the bench as
             its owner; uvicorn connects as the app's role, shouhu_app. The suite's and the
             seeder's databases are refused.

The clients are connections of this process (asyncio, one thread), each signed in as one of ten
life-desk specialists (a session as a login through the pages leaves it, second factor
included) and following the case page of a case of its own: GET /events/?channel=case-<pk>, with
the Host and X-Forwarded-Proto headers a proxy would send. Once every stream is open, the bench
writes notes on the cases through the service the case page uses (case_add_note), one every
--every seconds, round robin over the cases, each in its own transaction. A change's time is taken
by an on_commit callback registered before the push's own; a client's receipt is the moment its
event is read off the socket. Changes to one case are --clients × --every seconds apart, so the
n-th event a client reads is the n-th change to its case. The bench exits 1 when an event is
missing or one too many arrives.

The clients, the committing bench, uvicorn, PostgreSQL and Redis share this machine's CPUs: the
figure is a ceiling on what a page waits.
"""

import argparse
import asyncio
import contextlib
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from _common import (
    ROOT,
    Service,
    figure,
    free_port,
    messages_empty,
    own_database_migrated,
    percentile,
    results_write,
)
from cryptography.fernet import Fernet

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/shouhu_push"
LIVE_REDIS_URL = "redis://127.0.0.1:6379/13"
HOST = "push.bench.invalid"
TARGET_P95 = 1.0
SPECIALISTS = 10
START_SECONDS = 60.0
CORES = os.cpu_count() or 1
APP_ROLE = "shouhu_app"

os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(45),
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        # Needed by the settings; nothing is queued by this bench.
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/14",
        "SHOUHU_LIVE_REDIS_URL": LIVE_REDIS_URL,
        "SHOUHU_PORTAL_URL": f"https://{HOST}",
        "SHOUHU_DATA_KEYS": Fernet.generate_key().decode(),
        "SHOUHU_INDEX_KEY": secrets.token_urlsafe(48),
        "SHOUHU_DB_APP_ROLE": APP_ROLE,
        # As docs/deploy.md runs the events process: a pool of connections shared by its threads.
        "DATABASE_POOL_MAX_SIZE": "10",
    }
)
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from _pages import logged_in_client  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from accounts.models import Desk, Team, User  # noqa: E402
from accounts.roles import Role  # noqa: E402
from accounts.services import team_add_member, team_create, user_create  # noqa: E402
from interventions.models import Case  # noqa: E402
from interventions.services import case_add_note  # noqa: E402
from tests import factories  # noqa: E402

# --- The world -----------------------------------------------------------------------------------


def database_prepare() -> str:
    name = own_database_migrated("push.py", app_role=APP_ROLE)
    # The people and their cases: encrypted with the last run's throwaway keys.
    messages_empty(buyers=True)
    return name


def specialists() -> list[User]:
    """Ten specialists on a life-desk team, created through the services the first time."""
    team = Team.objects.filter(desk=Desk.LIFE).order_by("pk").first() or team_create(
        name="压测一组", desk=Desk.LIFE, by=None
    )
    people = []
    for number in range(SPECIALISTS):
        email = f"bench-push-{number}@bench.invalid"
        user = User.objects.filter(email=email).first() or user_create(
            email=email, display_name=f"推送压测{number}", password=None, roles=[Role.SPECIALIST], by=None
        )
        if not user.teams.filter(pk=team.pk).exists():
            team_add_member(team=team, user=user, by=None)
        people.append(user)
    return people


def cases_for(people: list[User], count: int) -> list[Case]:
    """One open life-desk case per client, owned round robin by the specialists."""
    return [factories.CaseFactory(desk=Desk.LIFE, owner=people[n % len(people)]) for n in range(count)]


# --- The clients ---------------------------------------------------------------------------------


class Stream:
    """One open page's stream: the times its "changed" events were read off the socket."""

    def __init__(self, port: int, cookie: str, case: Case) -> None:
        self.port, self.cookie, self.case = port, cookie, case
        self.opened = asyncio.Event()
        self.received: list[float] = []
        self.failure: str | None = None

    async def follow(self) -> None:
        try:
            await self._follow()
        except Exception as error:  # recorded, reported, and the run fails
            self.failure = f"{type(error).__name__}: {error}"
            self.opened.set()

    async def _follow(self) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        request = (
            f"GET /events/?channel=case-{self.case.pk} HTTP/1.1\r\nHost: {HOST}\r\nX-Forwarded-Proto: https\r\n"
            f"Cookie: {settings.SESSION_COOKIE_NAME}={self.cookie}\r\nAccept: text/event-stream\r\n\r\n"
        )
        writer.write(request.encode())
        await writer.drain()
        status = (await reader.readline()).decode()
        if " 200 " not in status:
            raise RuntimeError(f"the stream answered {status.strip()!r}")
        while (await reader.readline()) not in (b"\r\n", b"\n", b""):
            pass  # the headers
        pending = b""
        try:
            while True:
                size = int((await reader.readline()).strip() or b"0", 16)  # chunked transfer encoding
                if size == 0:
                    return
                pending += await reader.readexactly(size)
                await reader.readexactly(2)
                *events, pending = pending.split(b"\n\n")
                for event in events:
                    self._read(event)
        finally:
            writer.close()

    def _read(self, event: bytes) -> None:
        if b"event: stream-open" in event:
            self.opened.set()
        elif b"event: changed" in event:
            self.received.append(time.time())
        elif b"event: stream-error" in event:
            raise RuntimeError(event.decode(errors="replace"))


class Clients(threading.Thread):
    """The streams, on an event loop of their own beside the committing bench."""

    def __init__(self, streams: list[Stream]) -> None:
        super().__init__(daemon=True)
        self.streams = streams
        self.loop = asyncio.new_event_loop()
        self.all_open = threading.Event()

    def run(self) -> None:
        asyncio.set_event_loop(self.loop)
        with contextlib.suppress(asyncio.CancelledError):  # stopped by the bench
            self.loop.run_until_complete(self._main())

    async def _main(self) -> None:
        tasks = [asyncio.create_task(stream.follow()) for stream in self.streams]
        await asyncio.gather(*(stream.opened.wait() for stream in self.streams))
        self.all_open.set()
        await asyncio.gather(*tasks, return_exceptions=True)

    def stop(self) -> None:
        for task in asyncio.all_tasks(self.loop):
            self.loop.call_soon_threadsafe(task.cancel)


# --- The run -------------------------------------------------------------------------------------


def events_server(directory: Path, port: int) -> Service:
    """uvicorn as docs/deploy.md runs the events process: one worker per core."""
    command = [
        sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(CORES), "--no-access-log", "--timeout-graceful-shutdown", "5",
    ]  # fmt: skip
    return Service("uvicorn", command, directory)


def commit_changes(cases: list[Case], author: User, changes: int, every: float) -> dict[int, list[float]]:
    """Notes on the cases, round robin, one every `every` seconds; when each committed, per case."""
    committed: dict[int, list[float]] = {case.pk: [] for case in cases}
    next_at = time.monotonic()
    for number in range(changes):
        case = cases[number % len(cases)]
        with transaction.atomic():
            transaction.on_commit(lambda pk=case.pk: committed[pk].append(time.time()))
            case_add_note(case=case, by=author, text=f"推送压测备注 {number}")
        next_at += every
        time.sleep(max(0.0, next_at - time.monotonic()))
    return committed


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50, help="open pages, one case each (default 50)")
    parser.add_argument("--changes", type=int, default=300, help="notes written, round robin (default 300)")
    parser.add_argument("--every", type=float, default=0.05, help="seconds between two notes (default 0.05)")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    database = database_prepare()
    people = specialists()
    cases = cases_for(people, args.clients)
    cookies = {person.pk: logged_in_client(person).cookies[settings.SESSION_COOKIE_NAME].value for person in people}
    connection.close()  # the notes open a fresh one; this one would sit idle meanwhile
    directory = Path(tempfile.mkdtemp(prefix="bench-push-"))
    port = free_port()
    server = events_server(directory, port)
    clients = Clients([Stream(port, cookies[case.owner_id], case) for case in cases])
    ok = False
    try:
        server.start()
        server.wait_for("Application startup complete", START_SECONDS)
        clients.start()
        if not clients.all_open.wait(START_SECONDS):
            raise TimeoutError("not every stream opened")
        failures = [stream.failure for stream in clients.streams if stream.failure]
        if failures:
            raise RuntimeError(f"{len(failures)} streams failed: {failures[0]}")
        committed = commit_changes(cases, people[0], args.changes, args.every)
        time.sleep(3.0)  # the last events on their way
        ok = report(args, database, clients.streams, committed)
    finally:
        clients.stop()
        server.stop()
        if ok:
            shutil.rmtree(directory, ignore_errors=True)
        else:
            print(f"--- {server.log}, last lines ---\n{server.tail()}", file=sys.stderr)
    if not ok:
        sys.exit(1)


def report(args: argparse.Namespace, database: str, streams: list[Stream], committed: dict[int, list[float]]) -> bool:
    delays, missing, extra = [], 0, 0
    for stream in streams:
        sent = committed[stream.case.pk]
        missing += max(0, len(sent) - len(stream.received))
        extra += max(0, len(stream.received) - len(sent))
        delays += [got - made for made, got in zip(sent, stream.received, strict=False)]
    p50, p95, worst = statistics.median(delays), percentile(delays, 95), max(delays)
    met = p95 < TARGET_P95 and not missing and not extra
    load = os.getloadavg()
    print(f"database {database}; uvicorn with {CORES} workers; Redis pub/sub; {len(streams)} open pages")
    print(f"changes committed: {args.changes}, one every {args.every:g} s, round robin over {len(streams)} cases")
    print(f"events received: {len(delays)}; missing: {missing}; one too many: {extra}")
    print(f"commit to page:  median {p50 * 1000:,.1f} ms   p95 {p95 * 1000:,.1f} ms   max {worst * 1000:,.1f} ms")
    print(f"load average at the end: {load[0]:.2f}")
    print(f"target: p95 < {TARGET_P95:g} s with {len(streams)} open pages, nothing lost: {'MET' if met else 'NOT MET'}")
    results_write(
        "push",
        figures={
            "clients": figure(len(streams)),
            "changes": figure(args.changes),
            "median": figure(p50 * 1000, "ms", 1),
            "p95": figure(p95 * 1000, "ms", 1),
            "max": figure(worst * 1000, "ms", 1),
            "missing": figure(missing),
        },
        headline=["p95", "median", "clients"],
        target=f"p95 < {TARGET_P95:g} s from commit to page, {args.clients} open pages, none missing",
        met=met,
    )
    return not missing and not extra


if __name__ == "__main__":
    main()
