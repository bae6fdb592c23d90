"""The portal's database role owns nothing: it reads and writes rows, and cannot rewrite the audit
trail, empty a table, or change the schema, the audit triggers included. Asked of every table the
models have, through a connection as that role (SHOUHU_DB_APP_ROLE), so a new table is covered.

The suite creates and migrates its database as the owner, as `migrate` runs in production; the
grants are the ones migrate leaves (accounts/audit.py).
"""

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection

from accounts.audit import audit_tables

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_app():
    """A connection to the test database as the app's role, each statement on its own."""
    database = connection.settings_dict
    with psycopg.connect(
        host=database["HOST"] or "127.0.0.1",
        port=database["PORT"] or 5432,
        dbname=database["NAME"],
        user=settings.SHOUHU_DB_APP_ROLE,
        autocommit=True,
    ) as app:
        yield app


def _refused(app, statement: str) -> bool:
    try:
        app.execute(statement)
    except psycopg.errors.InsufficientPrivilege:
        return True
    return False


def _model_tables() -> list[str]:
    return sorted({model._meta.db_table for model in apps.get_models() if model._meta.managed})


def test_the_app_role_is_no_superuser_and_owns_no_table(as_app):
    role = settings.SHOUHU_DB_APP_ROLE
    assert as_app.execute("SELECT current_user").fetchone() == (role,)
    assert as_app.execute(
        "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = %s", [role]
    ).fetchone() == (False, False, False)
    owned = as_app.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner = %s", [role]
    ).fetchall()
    assert owned == []


def test_every_audit_table_refuses_update_delete_and_truncate_from_the_app_role(as_app):
    key = {model._meta.db_table: model._meta.pk.column for model in apps.get_models()}
    tables = audit_tables()
    assert len(tables) >= 25  # every history table and the access log
    for table in tables:
        as_app.execute(f'SELECT count(*) FROM "{table}"')  # it may read them
        for statement in (
            f'UPDATE "{table}" SET "{key[table]}" = "{key[table]}"',
            f'DELETE FROM "{table}"',
            f'TRUNCATE "{table}"',
        ):
            assert _refused(as_app, statement), statement


def test_every_other_table_is_rows_only_for_the_app_role(as_app):
    audit = set(audit_tables())
    role = settings.SHOUHU_DB_APP_ROLE
    for table in _model_tables():
        granted = {
            privilege: as_app.execute(
                "SELECT has_table_privilege(%s, %s, %s)", [role, f'public."{table}"', privilege]
            ).fetchone()[0]
            for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")
        }
        rows = table not in audit
        assert granted == {"SELECT": True, "INSERT": True, "UPDATE": rows, "DELETE": rows, "TRUNCATE": False}, table


@pytest.mark.parametrize(
    "statement",
    [
        "DROP TRIGGER shouhu_append_only ON accounts_accesslog",
        "ALTER TABLE accounts_accesslog DISABLE TRIGGER shouhu_append_only",
        "ALTER TABLE interventions_case ADD COLUMN copied text",
        "DROP TABLE interventions_caseevent",
        "TRUNCATE interventions_message",
        "CREATE TABLE public.copied (text text)",
    ],
)
def test_the_app_role_cannot_change_the_schema_or_empty_a_table(as_app, statement):
    assert _refused(as_app, statement)


def test_every_audit_table_carries_the_refusing_trigger():
    """Even the owner's connection is refused row changes: a trigger dropped by hand is found."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            JOIN pg_proc p ON p.oid = t.tgfoid
            WHERE t.tgname = 'shouhu_append_only' AND t.tgenabled = 'O'
              AND p.proname = 'shouhu_audit_append_only'
            """
        )
        protected = {name for (name,) in cursor.fetchall()}
    # The audit tables found here apart from audit_tables(): every history model's, and the log.
    history = {
        model._meta.db_table for model in apps.get_models() if any(f.name == "history_id" for f in model._meta.fields)
    }
    assert len(history) >= 25
    assert history | {"accounts_accesslog"} <= protected
