"""Writes about the system itself: the worker heartbeat."""

from django.utils import timezone

from ..models import Heartbeat


def heartbeat_record(*, name: str, worker: str = "") -> Heartbeat:
    """Note that `name` ran just now. One row per name, however often it runs."""
    heartbeat, _ = Heartbeat.objects.update_or_create(
        name=name, defaults={"last_beat_at": timezone.now(), "worker": worker[:200]}
    )
    return heartbeat
