"""What the apps share about the database's own behaviour."""

import logging
from collections.abc import Callable
from functools import wraps

from django.db import OperationalError

logger = logging.getLogger(__name__)
DEADLOCK = "40P01"  # PostgreSQL's deadlock_detected
ATTEMPTS = 3


def retried_on_deadlock(write: Callable) -> Callable:
    """`write` (one transaction of its own) again, whole, when PostgreSQL breaks a deadlock by
    aborting it, up to ATTEMPTS times. Batches that share rows take their locks in a stable order,
    but foreign keys and unique checks still make them wait on each other; an aborted batch is
    written again rather than lost. Put it outside the transaction: `@retried_on_deadlock` above
    `@transaction.atomic`."""

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
