"""What every bench shares: Django set up against the seeded PostgreSQL database, the checks that
the database is the right one, the statistics printed, and the record of the figures each run
writes to bench/results/<bench>.json. Import it before anything of Django:

    from _common import bench_setup
    bench_setup()
"""

import json
import math
import os
import platform
import shlex
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/shouhu_bench"
RESULTS = ROOT / "bench" / "results"
# Set to "no" for a bench that another bench runs as a step of its own (bench/retention.py reseeds
# with bench/seed.py): that run is not the bench's own, and its record would replace the real one.
RECORD_ENV = "SHOUHU_BENCH_RECORD"

# When the bench started and how busy the machine was then: every bench imports this module before
# it does any work, so these are taken at its start, not after the work it measures.
STARTED_AT = datetime.now(UTC)
LOAD_AT_START = os.getloadavg()


def bench_setup() -> None:
    """Django on the bench database (DATABASE_URL, by default the seeder's), test settings."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    import django

    django.setup()


def postgres_migrated(script: str) -> None:
    """Refuse anything but PostgreSQL, and bring the schema up to date (the seed may be older)."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit(f"{script} measures PostgreSQL; DATABASE_URL gives {connection.vendor}. Refusing.")
    call_command("migrate", verbosity=0, interactive=False)


def seed_command(alerts: int) -> str:
    return f"DATABASE_URL={os.environ['DATABASE_URL']} .venv/bin/python bench/seed.py --alerts {alerts} --reset"


def postgres_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def percentile(samples: list[float], percent: int) -> float:
    """Nearest rank: a sample that was measured, never an interpolation between two."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)]


def copy_columns(model, fields: list[str]) -> tuple[list[str], tuple]:
    """The columns a COPY into the model's table writes, and the values to add to each row: the
    columns of `fields`, then every other non-null column that has a default in Django but none in
    the database, with that default. COPY skips Django's defaults, so without them a column added
    to a model later (Alert.frames, Alert.risk_level) would stop a seeder with a NULL."""
    import json

    from django.db.models import NOT_PROVIDED, JSONField

    from accounts.crypto import EncryptedTextField

    opts = model._meta
    given = {opts.get_field(name).attname for name in fields}
    columns = [opts.get_field(name).column for name in fields]
    extra = []
    for field in opts.concrete_fields:
        if field.attname in given or field.primary_key or field.null or not field.has_default():
            continue
        if field.db_default is not NOT_PROVIDED:
            continue
        value = field.get_default()
        columns.append(field.column)
        if isinstance(field, EncryptedTextField):
            value = field.get_prep_value(value)  # a token, as the field would store it
        elif isinstance(field, JSONField):
            value = json.dumps(value)
        extra.append(value)
    return columns, tuple(extra)


# --- The benches that own their database and drive the intake API --------------------------------

# Other people's databases on the same server: the suite's and the seeder's.
OTHERS_DATABASES = {"shouhu", "test_shouhu", "shouhu_bench"}


def own_database_migrated(script: str, *, app_role: str) -> str:
    """The bench's own PostgreSQL database of DATABASE_URL, created if missing and migrated as its
    owner (as a release does), with the app's role created and granted; the suite's and the
    seeder's are refused. DATABASE_URL is then the database as that role, for the services the
    bench starts after this. Returns the database's name."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    db = settings.DATABASES["default"]
    if connection.vendor != "postgresql":
        sys.exit(f"bench/{script} measures PostgreSQL; DATABASE_URL gives {connection.vendor}. Refusing.")
    if db["NAME"] in OTHERS_DATABASES:
        sys.exit(f"The {db['NAME']} database belongs to the suite or the seeder; use a database of the bench's own.")
    if database_create(db):
        print(f"created database {db['NAME']}")
    app_url = app_role_url(db, app_role)
    call_command("migrate", verbosity=0, interactive=False)
    os.environ["DATABASE_URL"] = app_url
    return db["NAME"]


def database_create(db: dict) -> bool:
    """Create the database of these Django settings if the server lacks it; True if it was created.
    CREATE DATABASE cannot run in a transaction, nor in the database it creates: it runs in the
    server's maintenance database, in autocommit."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(dbname="postgres", autocommit=True, **_server(db)) as maintenance:
        if maintenance.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone() is not None:
            return False
        maintenance.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
        return True


def _server(db: dict) -> dict:
    """How to reach the server of these Django settings, as their user."""
    params = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"] or "postgres"}
    if db.get("PASSWORD"):
        params["password"] = db["PASSWORD"]
    return params


def app_role_url(db: dict, role: str) -> str:
    """The role the portal connects as in production, created if the server lacks it (by the
    suite's own helper), and the URL of this database as that role."""
    from urllib.parse import quote

    from tests.services import app_role_create

    server = _server(db)
    secret = f":{quote(server['password'], safe='')}" if "password" in server else ""
    at = f"{server['host']}:{server['port']}/{db['NAME']}"
    app_role_create(f"postgres://{quote(server['user'], safe='')}{secret}@{at}", role)
    return f"postgres://{role}@{at}"


def messages_empty(*, buyers: bool = False) -> None:
    """Empty the messages, the alerts, their link table and the alerts' history (and the buyers if
    asked), so that repeated runs measure the same thing. CASCADE reaches the tables pointing at
    them (sightings; with the buyers, their orders and cases): only for a bench's own database."""
    from django.db import connection

    from interventions.models import Alert, Message
    from orders.models import Buyer

    models = [Message, Alert, Alert.messages.through, Alert.history.model, *([Buyer] if buyers else [])]
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} CASCADE")


def integration_token(*, email: str, name: str):
    """A token with intake:write for the bench's integration user (created once), and its key."""
    from accounts.models import ApiToken, User
    from accounts.roles import Role
    from accounts.services import api_token_issue, user_create

    user = User.objects.filter(email=email).first()
    if user is None:
        user = user_create(email=email, display_name="压测消息系统", password=None, roles=[Role.INTEGRATION], by=None)
    return api_token_issue(user=user, name=name, scopes=[ApiToken.Scope.INTAKE_WRITE], by=None)


def free_port() -> int:
    """A TCP port of the loopback that nothing listens on now, for a service of the run."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Service:
    """A subprocess of the run, with its output in a log file."""

    def __init__(self, name: str, command: list[str], directory: Path, env: dict[str, str] | None = None) -> None:
        self.name, self.command, self.env = name, command, env
        self.log = directory / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("w") as output:
            self.process = subprocess.Popen(
                self.command, env=self.env or os.environ.copy(), stdout=output, stderr=subprocess.STDOUT, cwd=ROOT
            )

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def check_alive(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"{self.name} exited with status {self.process.returncode}:\n{self.tail()}")

    def wait_for(self, pattern: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while pattern not in self.text():
            self.check_alive()
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {pattern!r} in the log of {self.name} after {timeout:.0f} s")
            time.sleep(0.1)

    def stop(self) -> None:
        """SIGTERM: gunicorn's graceful stop and Celery's warm shutdown; killed after 30 s."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.text().splitlines()[-lines:])


# --- The record of a run -------------------------------------------------------------------------


def cpu_model() -> str:
    """The CPU's model name as /proc/cpuinfo gives it."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def figure(value: float, unit: str = "", digits: int = 0) -> dict:
    """One figure a bench prints: its value rounded as printed, its unit, and its text."""
    value = round(value, digits) if digits else round(value)
    space = "" if unit in ("", "%", "×") else " "
    return {"value": value, "unit": unit, "text": f"{value:,.{digits}f}{space}{unit}"}


def results_write(
    bench: str, *, figures: dict[str, dict], headline: list[str], target: str | None, met: bool | None
) -> Path | None:
    """Write bench/results/<bench>.json: the figures the run printed (each made by `figure`), the
    names of those the docs' table shows, the target checked and whether it was met (None: the
    bench has no target, or this run could not check it), when and with which code and on which
    machine the run was. bench/figures.py renders the docs' table from these files. Nothing is
    written, and None returned, when SHOUHU_BENCH_RECORD is "no"."""
    unknown = [name for name in headline if name not in figures]
    if unknown:
        raise ValueError(f"headline figures not among the figures: {unknown}")
    if os.environ.get(RECORD_ENV) == "no":
        return None
    record = {
        "bench": bench,
        "command": shlex.join([f"bench/{Path(sys.argv[0]).name}", *sys.argv[1:]]),
        "figures": figures,
        "headline": headline,
        "target": target,
        "met": met,
        "date": STARTED_AT.date().isoformat(),
        "started_at": STARTED_AT.isoformat(timespec="seconds"),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **_code(),
        "cpu": cpu_model(),
        "cpus": os.cpu_count(),
        "load_average_at_start": [round(load, 2) for load in LOAD_AT_START],
        "python": platform.python_version(),
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{bench}.json"
    written = path.with_suffix(".json.tmp")
    written.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    written.replace(path)
    return path


def _code() -> dict:
    """The commit the bench ran at, and whether code differed from it (the results and the
    documents aside, which a run or its write-up changes without changing what is measured)."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip()

    commit = git("rev-parse", "HEAD")
    changed = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/results", ":!*.md")
    return {"commit": commit, "uncommitted_changes": None if changed is None else bool(changed)}
