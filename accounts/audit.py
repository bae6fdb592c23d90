"""The audit trail cannot be rewritten by the application.

Every history table (django-simple-history) and the access log are append-only in PostgreSQL: a
trigger refuses UPDATE and DELETE on them, whoever asks, the app's own connection included.
Retention is an archival job run by the database owner outside the app (see docs/deploy.md),
which removes old rows by partition or by TRUNCATE (statement-level, not refused here).

The triggers are (re)installed after every migrate, for every history table the models have at
that moment: a history table added by a future model is covered without anyone remembering to.

The portal itself connects as a role that owns nothing (SHOUHU_DB_APP_ROLE). Migrations run as the
owner, and after each one the app's role is granted reading and writing rows on every table, and
no more: not UPDATE or DELETE on the audit tables, and, owning no table, not TRUNCATE, DROP or
ALTER (so it cannot drop the triggers either). See docs/deploy.md.
"""

from django.apps import apps
from django.conf import settings
from django.db import connections

FUNCTION = """
CREATE OR REPLACE FUNCTION shouhu_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit rows are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql
"""
TRIGGER = """
CREATE OR REPLACE TRIGGER shouhu_append_only BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION shouhu_audit_append_only()
"""


def audit_tables() -> list[str]:
    """The history tables of every model, and the access log."""
    tables = {model._meta.db_table for model in apps.get_models() if model.__name__.startswith("Historical")}
    tables.add(apps.get_model("accounts", "AccessLog")._meta.db_table)
    return sorted(tables)


def append_only_install(*, using: str = "default") -> list[str]:
    """Install the refusing trigger on every audit table; PostgreSQL only (the SQLite demo has no
    triggers of this kind, and nothing to protect)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    tables = audit_tables()
    with connection.cursor() as cursor:
        cursor.execute(FUNCTION)
        for table in tables:
            cursor.execute(TRIGGER.format(table=connection.ops.quote_name(table)))
    return tables


def app_role_grant(*, using: str = "default") -> str | None:
    """Grant the app's role (SHOUHU_DB_APP_ROLE) its rows, and take the audit tables' UPDATE and
    DELETE back; run as the owner, after every migrate, so a new table is covered. The role's name,
    or None when there is none (the demo, a developer's own database)."""
    connection = connections[using]
    role = settings.SHOUHU_DB_APP_ROLE
    if connection.vendor != "postgresql" or not role:
        return None
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT CONNECT ON DATABASE {quote(connection.settings_dict['NAME'])} TO {quote(role)}")
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {quote(role)}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quote(role)}")
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quote(role)}")
        for table in audit_tables():
            cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {quote(table)} FROM {quote(role)}")
    return role
