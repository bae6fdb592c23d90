"""The audit trail cannot be rewritten by the application.

Every history table (django-simple-history) and the access log are append-only in PostgreSQL: a
trigger refuses UPDATE and DELETE on them, whoever asks, the app's own connection included.
Retention is an archival job run by the database owner outside the app (see docs/deploy.md),
which removes old rows by partition or by TRUNCATE (statement-level, not refused here).

The triggers are (re)installed after every migrate, for every history table the models have at
that moment: a history table added by a future model is covered without anyone remembering to.
"""

from django.apps import apps
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
