"""Rate limits per user and per client address, counted in Django's cache in fixed windows.

Written here rather than taken from django-ratelimit: that package's checks refuse Django's own
Redis cache backend as unsupported, and its last release is from 2023. This is the one place
that counts for the portal's own forms (the merchant report form). Wrong passwords are counted
in the database per login and address (accounts.adapters, accounts.LoginFailure); the other
limits of logging in are django-allauth's own (ACCOUNT_RATE_LIMITS).

The counts live in the `default` cache. In production set CACHE_URL to Redis so every web process
shares them; with the per-process default each process counts on its own, which still limits.
"""

import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_address(request: HttpRequest) -> str:
    """The client's address: behind SHOUHU_TRUSTED_PROXIES proxies, the one the nearest of them
    saw (the last entries of X-Forwarded-For are theirs); otherwise the socket's peer."""
    hops = settings.SHOUHU_TRUSTED_PROXIES
    if hops:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


def allow(key: str, *, limit: int, per_seconds: int) -> bool:
    """Count one attempt for `key`; False once more than `limit` were made in this window."""
    bucket = f"ratelimit:{key}:{int(time.time() // per_seconds)}"
    cache.add(bucket, 0, timeout=per_seconds + 5)
    try:
        return cache.incr(bucket) <= limit
    except ValueError:  # the bucket expired between add and incr
        cache.set(bucket, 1, timeout=per_seconds + 5)
        return True


def allow_all(keys: list[str], *, limit: int, per_seconds: int) -> bool:
    """Count one attempt on each key (every counter moves, so one cannot be dodged by the
    other); False if any of them is over the limit."""
    verdicts = [allow(key, limit=limit, per_seconds=per_seconds) for key in keys]
    return all(verdicts)


def refusal(request: HttpRequest, *, per_seconds: int) -> HttpResponse:
    return render(request, "429.html", {"per_minutes": max(per_seconds // 60, 1)}, status=429)


def limited(group: str, *, limit: int, per_seconds: int, methods: tuple[str, ...] = ("POST",)) -> Callable:
    """Refuse a view with 429 once the signed-in user or the client address has made more than
    `limit` requests of `group` in `per_seconds`. Every request of those methods counts."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method in methods:
                keys = [f"{group}:ip:{client_address(request)}"]
                if request.user.is_authenticated:
                    keys.append(f"{group}:user:{request.user.pk}")
                if not allow_all(keys, limit=limit, per_seconds=per_seconds):
                    return refusal(request, per_seconds=per_seconds)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
