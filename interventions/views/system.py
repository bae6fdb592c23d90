"""The health endpoint for the load balancer and monitoring."""

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.cache import cache_status
from config.celery import broker_reachable

from ..selectors import (
    heartbeat_status,
)


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: the database answers (or this fails with 500), whether
    the broker and the cache answer, and when the worker last beat. A broker or cache that is down
    still answers 200: intake stores messages without them, so the web host stays in service."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    beat = heartbeat_status()
    return JsonResponse(
        {
            "database": "ok",
            "broker": "ok" if broker_reachable() else "down",
            "cache": cache_status(),
            "worker": "stale" if beat["is_stale"] else "ok",
            "last_beat_at": beat["last_beat_at"].isoformat() if beat["last_beat_at"] else None,
        }
    )
