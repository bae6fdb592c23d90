"""Saving a row whose every change django-simple-history keeps: the history row names who made
the change, and why when there is a reason. The one way services save such rows, so no change is
recorded as made by nobody."""

from typing import Protocol, cast

from django.db import models

from .models import User


class HistoryNotes(Protocol):
    """What django-simple-history reads off an instance when it writes a history row: who made
    the change, and why. They are plain attributes, not fields, so no model's type declares them;
    `history_notes` gives them a type in this one place."""

    _history_user: User | None
    _change_reason: str | None


def history_notes(instance: models.Model) -> HistoryNotes:
    """`instance`, typed with the two attributes above: a many-to-many change (which writes its own
    history row, with no save to pass through save_with_history) names its user and reason here."""
    return cast(HistoryNotes, instance)


def save_with_history(instance: models.Model, *, by: User | None, reason: str | None = None, **options) -> models.Model:
    """Save `instance` (with the `save()` options given, e.g. update_fields) as changed by `by`,
    for `reason` when given. The reason goes on the history row as it is written: history is
    append-only, so it cannot be added afterwards."""
    notes = history_notes(instance)
    notes._history_user = by
    if reason is not None:
        notes._change_reason = reason
    instance.save(**options)
    return instance
