"""Local development and `make demo`: runs where only Python is installed.

SQLite and a filesystem Celery transport by default; set DATABASE_URL and CELERY_BROKER_URL to
use PostgreSQL and Redis instead.
"""

from .base import *  # noqa: F403
from .base import BASE_DIR, VAR_DIR, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-not-secret-shouhu-demo")
# The demo's data and index keys, for its SQLite file only; production reads its keys from the
# environment.
SHOUHU_DATA_KEYS = env.list("SHOUHU_DATA_KEYS", default=["Qkkr-EQBOSoLrxH-2lTa3IIdjGqV7Prmi7TKK6gpWUE="])
SHOUHU_INDEX_KEY = env("SHOUHU_INDEX_KEY", default="demo-only-blind-index-key-not-secret")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

VAR_DIR.mkdir(exist_ok=True)

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'demo.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker and beat write to one file: WAL lets readers and a writer
    # work at once, IMMEDIATE takes the write lock up front instead of failing mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    _processed_dir = VAR_DIR / "celery" / "processed"
    _control_dir = VAR_DIR / "celery" / "control"
    for _folder in (_queue_dir, _processed_dir, _control_dir):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_processed_dir),
        "control_folder": str(_control_dir),
        "store_processed": False,
    }

# Pushes to open pages go through Redis when there is one (interventions/live.py); without it,
# the demo's one web process pushes to its own pages and the worker's changes arrive by polling.
if (_live_redis := live_redis(env("SHOUHU_LIVE_REDIS_URL", default=CELERY_BROKER_URL))) is not None:
    EVENTSTREAM_REDIS = _live_redis

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Each email the demo sends (notifications, digests, password links) is one file in var/mail/,
# not raw MIME printed into the worker's log.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
del BASE_DIR
