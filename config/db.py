"""What the apps share about the database's own behaviour."""

import logging
from collections.abc import Callable, Sequence
from functools import wraps

from django.db import OperationalError, connection, transaction
from django.db.models import Model
from django.db.models.constants import OnConflict

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
