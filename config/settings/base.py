"""Settings shared by every environment. Environment-specific files override these."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp import constants as csp

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

INSTALLED_APPS = [
    "accounts.apps.ShouhuAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "drf_spectacular_sidecar",
    "simple_history",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "accounts",
    "orders",
    "interventions",
    "fraud",
    "demo",
]

MIDDLEWARE = [
    "config.limits.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.NoStoreMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.IdleTimeoutMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.portal",
                "interventions.context_processors.notifications",
                "interventions.context_processors.caseload",
            ],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
# The one-time link to set a new login's password works for three days.
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600
# django-allauth's backend is Django's ModelBackend (permissions included) that logs in by email.
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "account_login"

# Logging in is django-allauth's: email and password, then the second factor (allauth.mfa: TOTP
# and recovery codes). Staff must have one (accounts.middleware.SecondFactorMiddleware); shops
# and liaisons may, and a shop's admins can require it of the shop.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# Logins are made by managers and shop admins, who send a link to set the password; the
# address is the one they entered, so there is nothing to verify and no sign-up.
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Revealing personal data, exporting and changing roles ask for the password or a code again
# when the last one was given more than this long ago.
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
# Wrong passwords: at most 5 for one login from one client address in 15 minutes, then that
# address waits for that login. The login itself is never locked, so someone elsewhere guessing
# at a specialist's login cannot keep the specialist out; its owner is emailed when it happens.
# And at most 20 from one address a minute, whatever the login (a whole office may sign in from
# one address at a change of shift). Counted in the database (accounts.LoginFailure), so the count
# holds through a cache outage or flush. (count, seconds)
SHOUHU_LOGIN_FAILURES_PER_LOGIN_AND_ADDRESS = (5, 900)
SHOUHU_LOGIN_FAILURES_PER_ADDRESS = (20, 60)
# django-allauth's own limits, counted in the cache. Its "login_failed" now counts only the codes
# of the second factor (5 wrong codes per login in 15 minutes: only someone who has the password
# gets that far); passwords are counted above (accounts.adapters). Any login at all: 60 a minute.
ACCOUNT_RATE_LIMITS = {"login_failed": "20/m/ip,5/15m/key", "login": "60/m/ip"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_ADAPTER = "accounts.adapters.MFAAdapter"
MFA_TOTP_ISSUER = "Shouhu"
# A phone's clock may be half a minute out: the code of the step before or after is accepted.
MFA_TOTP_TOLERANCE = 1

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Chinese first: the staff work in zh-hans; English is there for those who ask for it.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "shouhu_language"
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The key ring that encrypts what people wrote (accounts/crypto.py): Fernet keys, newest first,
# comma-separated in the environment. Production refuses to start without it.
SHOUHU_DATA_KEYS = env.list("SHOUHU_DATA_KEYS", default=[])
# The key of the blind indexes (HMAC-SHA256) that find an encrypted phone number again exactly.
# Not a data key: changing it changes every index. Production refuses to start without it.
SHOUHU_INDEX_KEY = env("SHOUHU_INDEX_KEY", default="")
# Who else must prove a second factor, beyond staff (accounts/security.py): rules of the apps above
# accounts, named here so that accounts imports none of them.
SHOUHU_SECOND_FACTOR_RULES = ["orders.selectors.shop_requires_second_factor"]
SESSION_COOKIE_AGE = int(timedelta(hours=12).total_seconds())
# A session idle for longer than this is signed out: shorter for those who can read cases.
SHOUHU_IDLE_TIMEOUT_STAFF = timedelta(minutes=30)
SHOUHU_IDLE_TIMEOUT = timedelta(hours=2)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts and styles only from the portal's own static files,
# or inline with this response's nonce. No page has an inline script; the API docs' one inline
# style carries the nonce. Data blocks (json_script) are not executed, so they need none.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF, csp.NONCE],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.NONE],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Requests per API token (config.api_classes.PerTokenThrottle).
API_REQUESTS_PER_MINUTE = 1200
# How large a request body may be, by where it goes (config.limits.RequestSizeLimitMiddleware).
# Intake takes what the API promises: 1,000 messages of 10,000 characters, each character perhaps
# escaped as \uXXXX (6 bytes), and up to 4 KB of other fields per message.
SHOUHU_INTAKE_BODY_LIMIT = 1_000 * (10_000 * 6 + 4_096)
SHOUHU_UPLOAD_BODY_LIMIT = 5 * 5 * 1024 * 1024 + 1024 * 1024  # five screenshots of 5 MB and the form
SHOUHU_FORM_BODY_LIMIT = 2_621_440  # Django's default for everything else
DATA_UPLOAD_MAX_MEMORY_SIZE = SHOUHU_INTAKE_BODY_LIMIT

REST_FRAMEWORK = {
    # Integration tokens for systems; the staff session for the browsable API and the docs page.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api_auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["config.api_classes.PerTokenThrottle"],
    "DEFAULT_PARSER_CLASSES": [
        "config.api_classes.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_RATES": {"token": f"{API_REQUESTS_PER_MINUTE}/min"},
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "config.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Shouhu API",
    "DESCRIPTION": "Intake, alerts, cases and actions of the Shouhu intervention portal.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the docs page: staff signed in to the portal only (no shop, liaison or token).
    "SERVE_PERMISSIONS": ["accounts.api_auth.StaffSession"],
    # The docs page's assets come from drf-spectacular-sidecar, served as our own static files.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"OrderStatusEnum": "orders.models.Order.Status"},
    # Every operation documents the refusals it can answer (config/api.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.common_errors_document",
    ],
}

# --- Celery ---------------------------------------------------------------
# Tasks are safe to retry: they are acknowledged only after they ran, a task whose worker died
# goes back to the queue, and a worker holds one message at a time so a crash loses nothing.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Only JSON crosses the broker: task arguments are ids, never objects or personal data.
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "interventions.tasks.scan_*": {"queue": "scan"},
    "*.tasks.notify_*": {"queue": "notify"},
    "*.tasks.deliver_*": {"queue": "notify"},
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Stored by django-celery-beat in the database on beat's start, where the admin can pause or edit it.
# Its DatabaseScheduler keeps an entry's expiry only under "expire_seconds" (it drops "expires"):
# a message not taken within that many seconds is discarded, not run late.
CELERY_BEAT_SCHEDULE = {
    "record-worker-heartbeat": {
        "task": "interventions.tasks.record_heartbeat",
        "schedule": 30.0,
        "options": {"expire_seconds": 25},
    },
    "scan-overdue-messages": {
        "task": "interventions.tasks.scan_overdue_messages",
        "schedule": 60.0,
        "options": {"expire_seconds": 55},
    },
    # Check-ins due, replies awaited, alerts unclaimed, windows closing, notifications to send.
    "sweep-reminders": {
        "task": "interventions.tasks.sweep_reminders",
        "schedule": 60.0,
        "options": {"expire_seconds": 55},
    },
    # The managers' figures, rolled up per day: each day whose records changed, and today.
    "roll-up-figures": {
        "task": "interventions.tasks.roll_up_figures",
        "schedule": 300.0,
        "options": {"expire_seconds": 290},
    },
    # A backtest of proposed scanner terms whose task was lost, or whose worker died.
    "run-due-scanner-backtests": {
        "task": "interventions.tasks.run_due_scanner_backtests",
        "schedule": 300.0,
        "options": {"expire_seconds": 290},
    },
    "morning-digest": {
        "task": "interventions.tasks.send_morning_digests",
        "schedule": crontab(hour=7, minute=45),
        "options": {"expire_seconds": 3600},
    },
    # Closed cases past SHOUHU_RETENTION_DAYS lose the person's data; at night, when few read them.
    "anonymise-expired-cases": {
        "task": "interventions.tasks.anonymise_expired_cases",
        "schedule": crontab(hour=3, minute=30),
        "options": {"expire_seconds": 6 * 3600},
    },
}
DJANGO_CELERY_BEAT_TZ_AWARE = True

# --- Shouhu ---------------------------------------------------------------
# Time to claim an alert, by severity. The queue orders by it and the clocks escalate on it.
SHOUHU_CLAIM_SLA = {
    "critical": timedelta(minutes=5),
    "high": timedelta(minutes=15),
    "medium": timedelta(hours=1),
    "low": timedelta(hours=4),
}
# The managers' figures measure each case against this: from the first alert to the first thing
# done for the person (an interception, a referral, a stop-payment, a call). Minutes, not hours.
SHOUHU_FIRST_ACTION_SLA = timedelta(minutes=30)
# How long a merchant has to answer an interception request before it escalates.
SHOUHU_INTERCEPTION_ANSWER_WITHIN = timedelta(minutes=30)
# After a victim reports a payment, the money can still be stopped for about this long.
SHOUHU_STOP_PAYMENT_WINDOW = timedelta(minutes=30)
# Hits about the same person join their open alert while it was added to within this window.
SHOUHU_ALERT_JOIN_WINDOW = timedelta(minutes=30)
# An alert about a person is linked to their case on the other desk while that case is open or
# was closed within this time (a defrauded person's despair can come days after the loss).
SHOUHU_RELATED_CASE_WINDOW = timedelta(days=30)
# The worker is shown as stopped on the managers' summary when its heartbeat is older than this.
SHOUHU_HEARTBEAT_STALE_AFTER = timedelta(minutes=2)
# Days a closed case keeps the person's data before the daily sweep anonymises it (PIPL art. 19:
# the shortest period the purpose needs). Two years: a person at risk is often back within a year
# or two, and the specialist then needs the earlier case (what was tried, which unit helped); a
# fraud case's referral and stop-payment are settled with the police well within it. A longer
# need, such as a court case or a police request, is met by a legal hold on that one case, not by
# keeping everyone's data longer.
SHOUHU_RETENTION_DAYS = env.int("SHOUHU_RETENTION_DAYS", default=730)
# --- Reminders, check-ins and escalation clocks ---------------------------------------------------
# The platform's systems that carry messages out: chat to a buyer, SMS and voice calls. Each is an
# HTTP endpoint taking a signed JSON POST (HMAC-SHA256 of "timestamp.body" with the secret). A
# channel whose URL is empty is off: its sends fail, are retried, and its owner is told.
SHOUHU_PLATFORM_CHAT_URL = env("SHOUHU_PLATFORM_CHAT_URL", default="")
SHOUHU_SMS_URL = env("SHOUHU_SMS_URL", default="")
SHOUHU_VOICE_URL = env("SHOUHU_VOICE_URL", default="")
SHOUHU_OUTBOUND_SECRET = env("SHOUHU_OUTBOUND_SECRET", default="")
SHOUHU_OUTBOUND_TIMEOUT = 5.0
# Where staff open the portal: links in emails and SMS pages start with it.
SHOUHU_PORTAL_URL = env("SHOUHU_PORTAL_URL", default="http://127.0.0.1:8000")
# A failed send is tried again after 30 s, 1, 2, 4, 8 min…, at most this many times in all.
SHOUHU_DELIVERY_MAX_ATTEMPTS = 8
# A check-in with no reply after this chases its owner, and after the second time it goes back
# to the queue as an alert.
SHOUHU_CHECKIN_REPLY_WITHIN = timedelta(hours=3)
SHOUHU_CHECKIN_REQUEUE_AFTER = timedelta(hours=1)
# An unclaimed alert pages the desk's people on duty, tier by tier, from when it was raised.
SHOUHU_ALERT_ESCALATION = {
    "critical": [(timedelta(minutes=5), "supervisor"), (timedelta(minutes=15), "desk_lead")],
    "high": [(timedelta(minutes=15), "supervisor"), (timedelta(minutes=45), "desk_lead")],
}
# A high-risk case's first action (a call, an interception, a police referral…) is due this long
# after the case opened; past it, the owner and the supervisor on duty are paged. Cases opened
# longer ago than the watch are not paged any more (the digest lists them).
SHOUHU_FIRST_ACTION_WITHIN = timedelta(minutes=30)
SHOUHU_FIRST_ACTION_WATCH = timedelta(days=1)
# The owner of a stop-payment is paged this long before its window closes.
SHOUHU_STOP_PAYMENT_PAGE_BEFORE = timedelta(minutes=10)
# How many due rows one sweep hands out, and how many each delivery task takes.
SHOUHU_SWEEP_LIMIT = 5000
SHOUHU_DELIVERY_BATCH = 20
# Proxies in front of the web processes whose X-Forwarded-For entries are trusted (0: none; the
# client is the socket's peer). Rate limits count per client address.
SHOUHU_TRUSTED_PROXIES = 0
ALLAUTH_TRUSTED_PROXY_COUNT = SHOUHU_TRUSTED_PROXIES
# Attempts allowed: shops' reports per user and address (logins: ACCOUNT_RATE_LIMITS above).
SHOUHU_REPORT_RATE = (10, 600)  # 10 in 10 minutes
# Dashboards and exports may read from a replica; writes and the queue always use "default".
SHOUHU_REPORTING_DATABASE = "default"
# The database role the portal connects as in production, granted rows but no ownership after each
# migrate (accounts/audit.py); empty: no grants (the SQLite demo, a developer's own database).
SHOUHU_DB_APP_ROLE = env("SHOUHU_DB_APP_ROLE", default="")

# --- Pages that update themselves (interventions/live.py) ------------------------
# django-eventstream serves /events/ on the ASGI server; who may follow what is decided here.
# Nothing is stored for replay: an event only tells a page to fetch itself again.
EVENTSTREAM_CHANNELMANAGER_CLASS = "interventions.live.LiveChannels"
# A stream ends after this long and the browser opens a new one, checked again (session, desk).
SHOUHU_LIVE_STREAM_MAX = timedelta(minutes=10)


def live_redis(url: str | None) -> dict | None:
    """django-eventstream's Redis options for a redis:// URL, or None: then a change reaches only
    the pages open on the process that made it (the demo's single web process)."""
    if not url or not url.startswith(("redis://", "rediss://")):
        return None
    from redis.connection import parse_url

    # Short timeouts: a publish happens after a commit, in a request or a task that must not hang
    # on a Redis that is down (the pages poll meanwhile).
    return {**parse_url(url), "socket_connect_timeout": 1, "socket_timeout": 2}


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"personal_data": {"()": "accounts.logging.PersonalDataFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["personal_data"]}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # One INFO line per page opened and closed: noise at the events process's scale.
        "django_eventstream": {"level": "WARNING"},
    },
}
