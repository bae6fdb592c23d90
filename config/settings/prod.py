"""Production: everything comes from the environment, and nothing has a default that could leak.

The process refuses to start without SECRET_KEY, DATABASE_URL, CELERY_BROKER_URL, ALLOWED_HOSTS,
SHOUHU_PORTAL_URL, SHOUHU_DATA_KEYS, SHOUHU_INDEX_KEY and SHOUHU_DB_APP_ROLE, or with an outbound
channel configured but no signing secret.
See docs/deploy.md.
"""

from pathlib import Path

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from ..cache import fail_open
from .base import *  # noqa: F403
from .base import VAR_DIR, env

# `NAME=` in an env file (or an unset variable substituted into one) is set but empty, which
# django-environ accepts; it must stop the process just as a missing variable does.
_REQUIRED = (
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "SHOUHU_PORTAL_URL",
    "SHOUHU_DATA_KEYS",
    "SHOUHU_INDEX_KEY",
    "SHOUHU_DB_APP_ROLE",
)
for _name in _REQUIRED:
    if not env.str(_name).strip():
        raise ImproperlyConfigured(f"Set the {_name} environment variable (it is empty)")

# Outbound channels sign every request; an unsigned channel would let anyone who can reach the
# endpoint forge messages to people at risk.
_OUTBOUND = ("SHOUHU_PLATFORM_CHAT_URL", "SHOUHU_SMS_URL", "SHOUHU_VOICE_URL")
if any(env(name, default="") for name in _OUTBOUND) and len(env("SHOUHU_OUTBOUND_SECRET", default="")) < 32:
    raise ImproperlyConfigured("Set SHOUHU_OUTBOUND_SECRET (32 characters or more) to sign outbound messages")
SHOUHU_PORTAL_URL = env("SHOUHU_PORTAL_URL")
# A malformed data key stops the process here, not at the first message it should encrypt.
SHOUHU_DATA_KEYS = env.list("SHOUHU_DATA_KEYS")
for _key in SHOUHU_DATA_KEYS:
    Fernet(_key)
# The blind index is only as strong as its key: a short one lets a dump's phones be guessed.
SHOUHU_INDEX_KEY = env("SHOUHU_INDEX_KEY")
if len(SHOUHU_INDEX_KEY) < 32:
    raise ImproperlyConfigured("Set SHOUHU_INDEX_KEY to 32 characters or more")

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The events process (uvicorn, docs/deploy.md) runs each request in a thread of its own: without a
# pool, a burst of pages reconnecting at once (after a deploy) opens a connection each and runs
# PostgreSQL out of them. With DATABASE_POOL_MAX_SIZE set, a psycopg pool of at most that many
# connections is shared, and a request waits up to DATABASE_POOL_TIMEOUT seconds for one.
if _pool_size := env.int("DATABASE_POOL_MAX_SIZE", default=0):
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # Django's rule with a pool: it keeps the connections
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": _pool_size,
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
    }
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    SHOUHU_REPORTING_DATABASE = "replica"

# Shops' screenshots (orders.ReportAttachment). The web host that takes an upload writes it, any web
# host serves it and a worker deletes it (retention): a directory every host shares, outside the
# release directory, which a new release replaces.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))

CELERY_BROKER_URL = env("CELERY_BROKER_URL")
# Pushes to open pages go through this Redis (interventions/live.py); it may be the broker's.
if (_live_redis := live_redis(env("SHOUHU_LIVE_REDIS_URL", default=CELERY_BROKER_URL))) is not None:
    EVENTSTREAM_REDIS = _live_redis
# A task that was taken but not acknowledged (its worker died) is handed out again after this.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=900)}

# Redis, shared by every web process, failing open while it cannot be reached (config/cache.py).
CACHES = {"default": fail_open(env.cache("CACHE_URL", default="locmemcache://"))}
SHOUHU_TRUSTED_PROXIES = env.int("SHOUHU_TRUSTED_PROXIES", default=1)
ALLAUTH_TRUSTED_PROXY_COUNT = SHOUHU_TRUSTED_PROXIES

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="shouhu@localhost")
