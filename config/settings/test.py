"""The test suite: PostgreSQL and Redis, as in production. A missing service fails the run."""

import os

from ..cache import fail_open
from .base import *  # noqa: F403
from .base import VAR_DIR, env

# Playwright's sync API runs an event loop in the test thread; the ORM calls of the tests and
# of pytest-django's live server share that thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

DEBUG = False
# The test settings only; production reads the key from the environment.
SECRET_KEY = "test-only-not-secret"  # nosec B105
# The test settings' own data and index keys; production reads its keys from the environment.
SHOUHU_DATA_KEYS = ["H5FL9aBYCtX2W9RARCuWMslrYoW3xeRVwZzjJLHOLfM="]
SHOUHU_INDEX_KEY = "test-only-blind-index-key-not-secret"  # nosec B105
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/shouhu")}
# The suite creates the test database and migrates it as the owner; the app's role is granted its
# rows as in production (tests/test_least_privilege.py connects as it). tests.services creates it.
SHOUHU_DB_APP_ROLE = "shouhu_app"

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/0")
# Pushes to open pages go through this Redis (interventions/live.py); it may be the broker's.
if (_live_redis := live_redis(env("SHOUHU_LIVE_REDIS_URL", default=CELERY_BROKER_URL))) is not None:
    EVENTSTREAM_REDIS = _live_redis
# Per process, unless a test runs the portal as production does, with its cache in Redis.
CACHES = {"default": fail_open(env.cache("CACHE_URL", default="locmemcache://"))}
# Unit tests run tasks in-process; the worker tests start a real worker against the broker.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
