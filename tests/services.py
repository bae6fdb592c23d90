"""Fail fast, and say why, when PostgreSQL or Redis is not there: a missing service is a
failure of the run, never a reason to skip tests.

Run as `python -m tests.services`; the suite's conftest calls `require_services()` too.
"""

import os
import sys

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/shouhu"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/0"


def _postgres_problem(url: str) -> str | None:
    import psycopg

    # The suite creates its own test database, so the server's maintenance database is enough.
    base = url.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(base, connect_timeout=5) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        return f"PostgreSQL is not reachable at {base}: {error}".strip()
    return None


def _redis_problem(url: str) -> str | None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=5).ping()
    except redis.RedisError as error:
        return f"Redis (the Celery broker) is not reachable at {url}: {error}"
    return None


def service_problems() -> list[str]:
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    broker_url = os.environ.get("CELERY_BROKER_URL", DEFAULT_BROKER_URL)
    return [problem for problem in (_postgres_problem(database_url), _redis_problem(broker_url)) if problem]


APP_ROLE = "shouhu_app"  # config.settings.test.SHOUHU_DB_APP_ROLE


def app_role_create(database_url: str | None = None, role: str = APP_ROLE) -> None:
    """The role the portal connects as in production, owning nothing, if the server lacks it; run
    as a role that may create roles (the owner here). The suite's migrate grants it its rows
    (accounts/audit.py) and tests/test_least_privilege.py connects as it; bench/load.py runs the
    web processes and workers as it. Roles belong to the server, not a database: created once, kept."""
    import psycopg

    url = database_url or os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute(f"DO $$ BEGIN CREATE ROLE {role} LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")


def main() -> int:
    problems = service_problems()
    for problem in problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    if problems:
        print("The test suite needs PostgreSQL and Redis running; see README.md.", file=sys.stderr)
        return 1
    print("PostgreSQL and Redis answer.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
