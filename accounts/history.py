"""Saving a row whose every change django-simple-history keeps: the history row names who made
the change, and why when there is a reason. The one way services save such rows, so no change is
recorded as made by nobody."""

from django.db import models


def save_with_history(instance: models.Model, *, by, reason: str | None = None, **options) -> models.Model:
    """Save `instance` (with the `save()` options given, e.g. update_fields) as changed by `by`,
    for `reason` when given. The reason goes on the history row as it is written: history is
    append-only, so it cannot be added afterwards."""
    instance._history_user = by
    if reason is not None:
        instance._change_reason = reason
    instance.save(**options)
    return instance
