"""The desk scope, written once: staff see the rows of the desks they work (life protection,
anti-fraud) and nothing else. Pages, the API, exports and tasks all ask through here, so the rule
cannot drift between them.
"""

from collections.abc import Iterable
from typing import Self

from django.db import models
from django.db.models import Q


def on_desks(desks: Iterable[str], *, via: str = "") -> Q:
    """The rows whose desk is one of `desks`, the desk reached through `via` ("case__" for a
    check-in, "report__alert__" for a shop's screenshot)."""
    return Q(**{f"{via}desk__in": list(desks)})


class DeskScopedQuerySet(models.QuerySet):
    """For models with a desk of their own (alerts, cases)."""

    def on_desks(self, desks: Iterable[str]) -> Self:
        return self.filter(on_desks(desks))
