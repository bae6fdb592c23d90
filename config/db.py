"""What the apps share about the database's own behaviour."""

import json
import logging
from collections.abc import Callable, Sequence
from functools import wraps

from django.db import OperationalError, connection, migrations, models, transaction
from django.db.models import F, Func, Lookup, Model, Q, TextField
from django.db.models.constants import OnConflict
from django.db.models.lookups import FieldGetDbPrepValueMixin, IContains

logger = logging.getLogger(__name__)
DEADLOCK = "40P01"  # PostgreSQL's deadlock_detected
ATTEMPTS = 3


def retried_on_deadlock(write: Callable) -> Callable:
    """`write` (one transaction of its own, or statements_committed_whole) again, whole, when
    PostgreSQL breaks a deadlock by aborting it, up to ATTEMPTS times. Batches that share rows
    take their locks in a stable order, but foreign keys and unique checks still make them wait
    on each other; an aborted batch is written again rather than lost. Put it outside the
    transaction: `@retried_on_deadlock` above `@transaction.atomic`."""

    @wraps(write)
    def attempt(*args, **kwargs):
        for number in range(1, ATTEMPTS + 1):
            try:
                return write(*args, **kwargs)
            except OperationalError as error:
                if getattr(error.__cause__, "sqlstate", None) != DEADLOCK or number == ATTEMPTS:
                    raise
                logger.warning("%s met a deadlock; writing it again (attempt %d)", write.__name__, number + 1)

    return attempt


def statements_committed_whole(write: Callable) -> Callable:
    """For a write whose every statement may commit on its own (one INSERT that stores a batch
    whole, reads around it): no transaction of its own, so no BEGIN and COMMIT round trips, each
    statement being atomic in PostgreSQL. Inside a caller's transaction (an Idempotency-Key's) it
    runs in a savepoint, so that a deadlock aborts it alone and retried_on_deadlock can write it
    again. Put it under `@retried_on_deadlock`."""

    @wraps(write)
    def run(*args, **kwargs):
        if connection.in_atomic_block:
            with transaction.atomic():
                return write(*args, **kwargs)
        return write(*args, **kwargs)

    return run


def insert_new(objs: Sequence[Model], *, returning: Sequence[str]) -> list[tuple]:
    """INSERT `objs` (unsaved rows of one model) in one statement, skipping each row that a unique
    constraint already holds, and return the `returning` columns of the rows this statement
    inserted: `INSERT … ON CONFLICT DO NOTHING RETURNING …`. A row that a concurrent transaction
    is inserting waits for it, then is skipped if it committed. So the caller learns which rows
    are its own without looking them up before or after; bulk_create(ignore_conflicts=True)
    returns no ids. Django's own insert (the one bulk_create and save() use), so the fields'
    defaults and database preparation (encryption) apply as in bulk_create."""
    if not objs:
        return []
    model = type(objs[0])
    opts = model._meta
    fields = [field for field in opts.concrete_fields if not field.generated and not field.primary_key]
    # Django's private insert (a QuerySet method its managers carry): the stubs do not declare it.
    rows = model._base_manager._insert(  # type: ignore[attr-defined]
        objs,
        fields=fields,
        returning_fields=[opts.get_field(name) for name in returning],
        on_conflict=OnConflict.IGNORE,
    )
    # A single row skipped comes back as None (Django fetches one row for one object).
    return [tuple(row) for row in rows if row is not None]


# --- Finding a word inside Chinese text -----------------------------------------------------------
#
# pg_trgm answers LIKE '%…%' from a GIN index by the trigrams (three characters in a row) of the
# pattern, and a Chinese word of two characters (木炭, 跳楼), the usual length, has none: the index
# cannot help and PostgreSQL reads the whole table. pg_trgm's similarity() does not help either:
# it compares whole words, and Chinese puts no spaces between them. So the index is built on the
# text with every character written twice (买了木炭 → 买买了了木木炭炭), and the word is looked
# for written twice too: 木木炭炭 has two trigrams, and the index finds the rows holding both. A
# match in the doubled text is a match in the text: written twice, the word can only line up with
# the doubled text character by character (or it is one character repeated, which the text then
# holds as well).
#
# pg_trgm counts a character as part of a word by the database's character type (LC_CTYPE):
# Chinese characters are words under a UTF-8 one (C.UTF-8, zh_CN.UTF-8), and separators under
# plain "C", where nothing Chinese would be indexed (docs/deploy.md; tests/test_search.py checks).


class EveryCharacterTwice(Func):
    """A text column with each character written twice, as the word indexes hold it."""

    # Constants written into the SQL, never parameters: the expression must read exactly as the
    # index's does for PostgreSQL to use the index.
    template = r"regexp_replace(%(expressions)s, '(.)', '\1\1', 'g')"
    output_field = TextField()


def every_character_twice(text: str) -> str:
    return "".join(char * 2 for char in text)


def text_contains(field: str, text: str) -> Q:
    """The rows whose `field` holds `text` anywhere, in any letter case. On PostgreSQL through the
    field's word index (words_index), elsewhere (the SQLite demo) by reading every row. `text`
    needs two characters at least for the index to be used."""
    if connection.vendor != "postgresql":
        return Q(**{f"{field}__icontains": text})
    return Q(IContains(EveryCharacterTwice(F(field)), every_character_twice(text)))


def words_index(*, table: str, column: str, name: str) -> migrations.RunPython:
    """A migration's step that builds the GIN trigram index text_contains uses on `column`, without
    blocking writes to the table meanwhile (the migration must say atomic = False); PostgreSQL
    only, nothing elsewhere. pg_trgm must be installed first (TrigramExtension)."""

    def create(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        quote = schema_editor.connection.ops.quote_name
        # UPPER, as Django's icontains compares in upper case; the names come from the migration.
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {quote(name)} ON {quote(table)} "
            f"USING gin (UPPER(regexp_replace({quote(column)}, '(.)', '\\1\\1', 'g')) gin_trgm_ops)"
        )

    def drop(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {schema_editor.connection.ops.quote_name(name)}")

    return migrations.RunPython(create, drop)


# --- Finding rows by a set of blind tokens --------------------------------------------------------
#
# What is kept encrypted cannot be looked into, but it can carry a set of keyed hashes of its
# pieces (accounts.crypto.blind_tokens): a row is found when it holds every token asked for. On
# PostgreSQL the set is an array of bigint and `@>` asks a GIN index for the rows holding them all;
# SQLite (the demo) keeps it as a JSON list and reads every row.


class TokenSetField(models.Field):
    """A set of 64-bit integers: bigint[] on PostgreSQL, a JSON list elsewhere. None is no set (a
    row that carries none); [] a set with nothing in it. Found with the `holds_all` lookup."""

    description = "A set of 64-bit integers"

    def db_type(self, connection) -> str:
        return "bigint[]" if connection.vendor == "postgresql" else "text"

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        value = sorted(set(value))
        return value if connection.vendor == "postgresql" else json.dumps(value)

    def from_db_value(self, value, expression, connection):
        if value is None or isinstance(value, list):
            return value
        return json.loads(value)

    def to_python(self, value):
        return json.loads(value) if isinstance(value, str) else value


@TokenSetField.register_lookup
class HoldsAll(FieldGetDbPrepValueMixin, Lookup):
    """`field__holds_all=[…]`: the rows whose set holds every one of these (and perhaps more). An
    empty list asks nothing of the set: every row that has one."""

    lookup_name = "holds_all"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        # Nothing asked for that the row's set lacks. lhs and rhs are SQL that Django compiled, with
        # their values as parameters.
        sql = f"NOT EXISTS (SELECT value FROM json_each({rhs}) EXCEPT SELECT value FROM json_each({lhs}))"  # nosec B608
        return f"({lhs} IS NOT NULL AND {sql})", (*lhs_params, *rhs_params, *lhs_params)

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        # The cast names the array's type: a list of small numbers would otherwise be int[].
        return f"{lhs} @> {rhs}::bigint[]", (*lhs_params, *rhs_params)


def tokens_index(*, table: str, column: str, name: str) -> migrations.RunPython:
    """A migration's step that builds the GIN index holds_all uses on a TokenSetField, over the rows
    that have a set, without blocking writes meanwhile (the migration must say atomic = False);
    PostgreSQL only, nothing elsewhere."""

    def create(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        quote = schema_editor.connection.ops.quote_name
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {quote(name)} ON {quote(table)} "
            f"USING gin ({quote(column)}) WHERE {quote(column)} IS NOT NULL"
        )

    def drop(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {schema_editor.connection.ops.quote_name(name)}")

    return migrations.RunPython(create, drop)
