"""The cache, which holds nothing anyone would miss: rate-limit counters and throttle windows.

In production the cache is Redis (CACHE_URL), shared by every web process. A Redis that cannot be
reached must not turn into lost messages or locked-out staff, so the cache fails open: while Redis
is down it behaves as an empty cache that keeps nothing (a read finds nothing, a write is dropped),
the limits count nothing and let requests through, and a warning is logged (at most one per
process every 30 seconds). Failing closed would refuse every intake batch and every login for as
long as Redis is away; failing open only lifts the limits for that time, and logins still need the
password and the second factor.

Written here rather than taken from django-redis: its IGNORE_EXCEPTIONS answers None where a
caller asked for a default, which is what DRF's throttles and allauth's limits read.
"""

import logging
import time
from functools import wraps

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
WARN_EVERY = 30.0  # seconds between two warnings of one process
REDIS_BACKEND = "django.core.cache.backends.redis.RedisCache"


def fail_open(cache_settings: dict) -> dict:
    """A CACHES entry as django-environ parsed it; a Redis one gets this module's backend and
    short timeouts, so an unreachable Redis costs a request half a second at most."""
    if cache_settings.get("BACKEND") != REDIS_BACKEND:
        return cache_settings
    options = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, **cache_settings.get("OPTIONS", {})}
    return {**cache_settings, "BACKEND": "config.cache.FailOpenRedisCache", "OPTIONS": options}


def cache_status() -> str:
    """ "ok" or "down" for a Redis cache; "local" for a per-process one (the demo, the tests)."""
    reachable = getattr(cache, "is_reachable", None)
    if reachable is None:
        return "local"
    return "ok" if reachable() else "down"


def _unreachable(operation: str) -> None:
    global _warned_at
    now = time.monotonic()
    if now - _warned_at >= WARN_EVERY:
        _warned_at = now
        logger.warning("The cache cannot be reached (%s); rate limits count nothing until it is back", operation)


_warned_at = -WARN_EVERY


def _failing_open(method, answer):
    """`method` of Django's Redis cache; when Redis cannot be reached, `answer(*arguments)`: what
    an empty cache that keeps nothing would have answered."""

    @wraps(method)
    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except UNREACHABLE:
            _unreachable(method.__name__)
            return answer(*args, **kwargs)

    return call


def _nothing_to_increment(key, *args, **kwargs):
    raise ValueError(f"Key '{key}' not found (the cache cannot be reached)")


def _false(*args, **kwargs) -> bool:
    return False


def _true(*args, **kwargs) -> bool:
    return True  # added to an empty cache, and forgotten at once


def _none(*args, **kwargs) -> None:
    return None


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache; while Redis cannot be reached, an empty cache that forgets at once:
    (decr and get_or_set go through these.)"""

    get = _failing_open(RedisCache.get, lambda key, default=None, version=None: default)
    get_many = _failing_open(RedisCache.get_many, lambda *args, **kwargs: {})
    has_key = _failing_open(RedisCache.has_key, _false)
    add = _failing_open(RedisCache.add, _true)
    touch = _failing_open(RedisCache.touch, _false)
    delete = _failing_open(RedisCache.delete, _false)
    clear = _failing_open(RedisCache.clear, _false)
    set = _failing_open(RedisCache.set, _none)
    delete_many = _failing_open(RedisCache.delete_many, _none)
    set_many = _failing_open(RedisCache.set_many, lambda data, *args, **kwargs: list(data))
    incr = _failing_open(RedisCache.incr, _nothing_to_increment)

    def is_reachable(self) -> bool:
        """Whether Redis answers now: for /healthz."""
        try:
            return bool(self._cache.get_client(write=False).ping())
        except UNREACHABLE:
            return False
