"""What every bench shares: Django set up against the seeded PostgreSQL database, the checks that
the database is the right one, and the statistics printed. Import it before anything of Django:

    from _common import bench_setup
    bench_setup()
"""

import math
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/shouhu_bench"


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
        extra.append(json.dumps(value) if isinstance(field, JSONField) else value)
    return columns, tuple(extra)
