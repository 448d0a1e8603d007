"""One settings module, driven by the environment.

With nothing set you get the embedded default: SQLite in var/, Celery tasks run eagerly,
emails to the console. Production sets DATABASE_URL (PostgreSQL), REDIS_URL, SECRET_KEY,
ALLOWED_HOSTS and DEBUG=0.
"""

import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured

from config.client import parse_networks

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# .env.example's placeholder: a copied .env that still has it must not start.
EXAMPLE_SECRET_KEY = "change-me-to-a-long-random-string"  # noqa: S105 (refused, not used)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else (not set at all, or empty with DEBUG on) one
    generated once for this install in var/. Empty with DEBUG off is refused below."""
    if key := os.environ.get("SECRET_KEY", "").strip():
        return key
    if "SECRET_KEY" in os.environ and not DEBUG:
        return ""
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


DEBUG = env_bool("DEBUG")
SECRET_KEY = _secret_key()
# Key rotation (README, "Operations"): the previous key(s) while sessions signed with them last.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

COUNCIL_NAME = os.environ.get("COUNCIL_NAME", "Report a concern about a child")
SERVICE_NAME = os.environ.get("SERVICE_NAME", "Report a concern about a child")
# Where "Exit this page" lands (through /exit/, which first forgets the journeys' answers).
EXIT_PAGE_URL = os.environ.get("EXIT_PAGE_URL", "https://www.bbc.co.uk/weather")

INSTALLED_APPS = [
    "mash.apps.StaffAdminConfig",  # the Django admin, behind password + TOTP
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # OpClass in index expressions; trigram lookups (MASH search)
    "crispy_forms",
    "crispy_forms_gds",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "contacts",
    "notifications",
    "reporting",
    "mash",
    "ops",
]

MIDDLEWARE = [
    # Outermost: request id, one log line and the request metrics (config.observability).
    "config.observability.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "config.middleware.RefuseNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "mash.middleware.StaffSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # keep last but one
    # Database unreachable: public pages from the contacts snapshot (config.outage).
    "config.outage.OutageMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.service",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Celery --------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
                # A dead Redis must never fail a public request: cache errors are ignored.
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
if REDIS_URL.startswith("redis://"):
    # kombu's Redis transport, keeping one client a channel instead of a new one per message
    # (config/broker.py). Only for plain redis:// URLs: kombu turns TLS on for rediss:// and
    # Sentinel on for sentinel:// by the transport's name, which this would replace.
    CELERY_BROKER_TRANSPORT = "config.broker:Transport"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
    "max_retries": 0,
    "visibility_timeout": 3600,
}
# The Redis result backend subscribes to a task's result as it is sent, and by default retries
# a dead Redis 20 times a second apart: a task with a result would hang its caller ~20 s.
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
CELERY_REDIS_SOCKET_TIMEOUT = 2
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"max_retries": 0}}
# Celery's Django fixup closes the worker's database connections before and after every task
# unless this is set; with it, only every this-many tasks. config.celery closes them as Django
# does after a web request instead (CONN_MAX_AGE, broken connections).
CELERY_DB_REUSE_MAX = 1000
# The Celery worker runs under Linux's idle scheduling policy (SCHED_IDLE, set by config.celery
# as the worker starts; its pool processes inherit it): a web request that wants a CPU takes it
# from the worker at once, and emails go out in the gaps between requests. Niceness and
# container CPU weights only share the CPU out over time, so a busy worker still delayed
# requests (submissions benchmark, submit p95 in the same hour: niced 89-118 ms,
# idle-scheduled 72-106 ms, no worker at all 71-72 ms). A host kept fully busy holds emails
# back, never loses them (the outbox keeps them). WORKER_SCHED_IDLE=0 turns it off, e.g. on a
# host of the worker's own.
WORKER_SCHED_IDLE = env_bool("WORKER_SCHED_IDLE", True)
CELERY_TIMEZONE = "Europe/London"
CELERY_BEAT_SCHEDULE: dict = {}
# notifications: re-send outbox messages still unsent (Redis was down, a worker died, the
# provider failed for a while).
CELERY_BEAT_SCHEDULE["notifications-sweep-outbox"] = {
    "task": "notifications.sweep_outbox",
    "schedule": 60.0,
    "options": {"expires": 55},
}
# reporting: delete consent form uploads never attached to a referral (abandoned journeys).
CELERY_BEAT_SCHEDULE["reporting-delete-abandoned-uploads"] = {
    "task": "reporting.delete_abandoned_uploads",
    "schedule": 15 * 60.0,
    "options": {"expires": 10 * 60},
}
# mash: flag decisions whose outcome email to the referrer was not sent within 24 hours.
# ops: the heartbeat /readyz checks, operational alerts, the contacts snapshot, retention.
CELERY_BEAT_SCHEDULE["ops-heartbeat"] = {
    "task": "ops.heartbeat",
    "schedule": 60.0,
    "options": {"expires": 55},
}
CELERY_BEAT_SCHEDULE["ops-check-alerts"] = {
    "task": "ops.check_alerts",
    "schedule": 60.0,
    "options": {"expires": 55},
}
CELERY_BEAT_SCHEDULE["ops-refresh-contacts-snapshot"] = {
    "task": "ops.refresh_contacts_snapshot",
    "schedule": 10 * 60.0,
    "options": {"expires": 9 * 60},
}
CELERY_BEAT_SCHEDULE["ops-clear-expired-sessions"] = {
    "task": "ops.clear_expired_sessions",
    "schedule": 60.0 * 60,
    "options": {"expires": 30 * 60},
}
CELERY_BEAT_SCHEDULE["ops-apply-retention"] = {
    "task": "ops.apply_retention",
    "schedule": crontab(hour=2, minute=30),
    "options": {"expires": 6 * 60 * 60},
}
# mash: the dashboard's weekly summaries of settled weeks (after the re-referral marks).
CELERY_BEAT_SCHEDULE["mash-summarise-dashboard-weeks"] = {
    "task": "mash.summarise_dashboard_weeks",
    "schedule": crontab(hour=1, minute=40),
    "options": {"expires": 6 * 60 * 60},
}
# mash: the dashboard's re-referral marks (what is not yet marked is worked out live).
CELERY_BEAT_SCHEDULE["mash-mark-re-referrals"] = {
    "task": "mash.mark_re_referrals",
    "schedule": 60 * 60.0,
    "options": {"expires": 30 * 60},
}
CELERY_BEAT_SCHEDULE["mash-flag-late-outcome-notifications"] = {
    "task": "mash.flag_late_outcome_notifications",
    "schedule": 5 * 60.0,
    "options": {"expires": 4 * 60},
}
# mash: alerts to managers (deadlines near or passed, Red referrals nobody holds), each once.
CELERY_BEAT_SCHEDULE["mash-raise-screening-alerts"] = {
    "task": "mash.raise_screening_alerts",
    "schedule": 60.0,
    "options": {"expires": 55},
}

# reporting: limits on submissions (reporting.ratelimit), each "<count>/<period>" with period
# s, m, h or d ("10/h", "30/15m"); "0" turns one off. Per session (one browser hammering Send),
# per client address (generous: a school behind one address sends many reports from different
# people's sessions), and a global circuit for floods from many addresses. Sessions and
# addresses are keyed on an HMAC with RATE_LIMIT_SALT (default SECRET_KEY): no raw IP is stored.
RATE_LIMIT_SESSION = os.environ.get("RATE_LIMIT_SESSION", "5/h")
RATE_LIMIT_SUBMISSIONS = os.environ.get("RATE_LIMIT_SUBMISSIONS", "100/h")
RATE_LIMIT_GLOBAL = os.environ.get("RATE_LIMIT_GLOBAL", "300/10m")
RATE_LIMIT_SALT = os.environ.get("RATE_LIMIT_SALT", "")
# "Check a report" (mash.check_report): asking for a code, per client address and per
# reference (known or not: the limit says nothing about which exist); entering one, per client.
CHECK_REPORT_LIMIT_CLIENT = os.environ.get("CHECK_REPORT_LIMIT_CLIENT", "20/h")
CHECK_REPORT_LIMIT_REFERENCE = os.environ.get("CHECK_REPORT_LIMIT_REFERENCE", "5/h")
CHECK_REPORT_LIMIT_CODES = os.environ.get("CHECK_REPORT_LIMIT_CODES", "30/h")

# The proxies whose X-Forwarded-For is believed (config.client.client_ip): comma-separated
# addresses or CIDR ranges, e.g. nginx's. Empty (the default): the client is REMOTE_ADDR and
# the header is never read.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
parse_networks(TRUSTED_PROXIES)  # a bad entry stops the start, not the first request

# --- Email ----------------------------------------------------------------------------------
# The console backend prints whole emails (names, addresses) to the log: development only.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
if EMAIL_BACKEND.endswith("console.EmailBackend") and not DEBUG:
    raise ImproperlyConfigured("The console email backend prints emails to the log: DEBUG only.")
# The file backend writes each email into a folder: EMAIL_FILE_PATH, else var/emails.
if EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend":
    EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH") or str(VAR_DIR / "emails")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "no-reply@example.gov.uk")

# --- Messages (notifications) ---------------------------------------------------------------
# Where every message goes: "console" (printed; DEBUG only), "django" (email through
# EMAIL_BACKEND, SMTP in production; no text messages) or "notify" (email and text messages
# through GOV.UK Notify). See README, "Sending through GOV.UK Notify".
NOTIFICATIONS_BACKEND = os.environ.get("NOTIFICATIONS_BACKEND", "console" if DEBUG else "django")
if NOTIFICATIONS_BACKEND == "console" and not DEBUG:
    raise ImproperlyConfigured("The console notifications backend prints messages: DEBUG only.")
NOTIFY_API_KEY = os.environ.get("NOTIFY_API_KEY", "")
NOTIFY_BASE_URL = os.environ.get("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
NOTIFY_TIMEOUT = 10
NOTIFY_SMS_SENDER_ID = os.environ.get("NOTIFY_SMS_SENDER_ID", "")
NOTIFY_EMAIL_REPLY_TO_ID = os.environ.get("NOTIFY_EMAIL_REPLY_TO_ID", "")
# Each kind's Notify template for each channel: NOTIFY_TEMPLATE_<KIND>_<CHANNEL>, e.g.
# NOTIFY_TEMPLATE_OUTCOME_SMS (kinds: notifications.kinds.Kind).
NOTIFY_TEMPLATE_IDS = {
    name.removeprefix("NOTIFY_TEMPLATE_").lower(): value
    for name, value in os.environ.items()
    if name.startswith("NOTIFY_TEMPLATE_") and value
}
# Notify's delivery receipts (callbacks) must carry "Authorization: Bearer <this>"; unset,
# the callback URL answers 404.
NOTIFY_CALLBACK_TOKEN = os.environ.get("NOTIFY_CALLBACK_TOKEN", "")

# --- Auth, sessions -------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out usernames
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "/mash/login/"
# Staff sessions (mash.middleware): signed out after 30 minutes idle, 12 hours at most.
STAFF_SESSION_IDLE_SECONDS = 30 * 60
STAFF_SESSION_MAX_SECONDS = 12 * 60 * 60
OTP_TOTP_ISSUER = "MASH screening"
# The TOTP step throttles per session (mash.auth_views), not per device: django-otp's own
# throttle is shared by every session of a user, so anyone with the password could keep the
# real person's right codes refused.
OTP_TOTP_THROTTLE_FACTOR = 0
# Nobody reads a TOTP secret in the admin (django-otp's key field and QR code pages, which do
# not check the admin's boroughs; the config and QR views were also a 500 for an unknown device):
# a lost phone is reset with a one-time enrolment link.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# django-axes: 5 failed logins (or wrong codes) from one client for one username lock that
# username FOR THAT CLIENT for 30 minutes, counted from the lockout: attempts during it neither
# restart the clock nor write audit rows. The same person from another client is not locked.
# The client is `mash.clients.axes_client_key`: a keyed pseudonym of the client address (axes
# stores it as an IPv6-shaped value, never the real address), read by
# `mash.clients.client_address`, which reads it as `config.client.client_ip` does (a forwarding
# header only from a TRUSTED_PROXIES address).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "mash.clients.axes_client_key"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # successful logins are in mash's own audit trail
AXES_LOCKOUT_CALLABLE = "mash.auth_views.locked_out"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token"]  # masked in axes' records
SESSION_ENGINE = "config.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 2
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and bool(os.environ.get("SECRET_KEY")))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "config.views.csrf_failure"  # the GOV.UK page, in plain words

# --- Security headers -----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY") else None
# HTTPS only and HSTS: off by default (make run, tests), on in compose (docker-compose.yml).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT")
# The container's own health check asks gunicorn over plain HTTP from inside.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Permissions-Policy (django-permissions-policy): the service uses no browser feature, so it
# allows none of those that could reveal or record someone (a shared phone, a watching abuser).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        # No inline script anywhere: GOV.UK Frontend starts from static files (static/app/), so
        # pages can be shared by caches without reusing a nonce.
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Internationalisation and time ----------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# static/build: GOV.UK Frontend assets built by `make assets` (not in git);
# static/app: the project's own small files (in git).
STATICFILES_DIRS = [BASE_DIR / "static" / "build", BASE_DIR / "static" / "app"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
        # Public files, read by nginx's own user (compose copies them into its volume): not
        # FILE_UPLOAD_PERMISSIONS (0600), which is for private uploads.
        "OPTIONS": {"file_permissions_mode": 0o644, "directory_permissions_mode": 0o755},
    },
}
WHITENOISE_MAX_AGE = 3600

# --- Uploads (signed consent forms: reporting.uploads) --------------------------------------
# Private files: never under STATIC_ROOT or a media URL; the storage has no URL at all.
PRIVATE_STORAGE = {
    "BACKEND": "reporting.uploads.PrivateFileSystemStorage",
    "OPTIONS": {
        "location": os.environ.get("PRIVATE_STORAGE_DIR", str(VAR_DIR / "private")),
        "file_permissions_mode": 0o600,
        "directory_permissions_mode": 0o700,
    },
}
CONSENT_FORM_MAX_BYTES = 10 * 1024 * 1024
# Unattached uploads are deleted after this: a journey's session ends after SESSION_COOKIE_AGE
# (2 hours) idle, and the sweep runs every 15 minutes.
CONSENT_UPLOAD_RETENTION_HOURS = 3
# Flooding: files per session and per client address ("<count>/<period>", reporting.ratelimit),
# and the most all unattached uploads together may hold before new files are refused.
UPLOAD_LIMIT_SESSION = os.environ.get("UPLOAD_LIMIT_SESSION", "5/h")
UPLOAD_LIMIT_CLIENT = os.environ.get("UPLOAD_LIMIT_CLIENT", "10/h")
CONSENT_UPLOAD_UNATTACHED_MAX_BYTES = int(
    os.environ.get("CONSENT_UPLOAD_UNATTACHED_MAX_BYTES", str(500 * 1024 * 1024))
)
# The size limit is enforced while the request is read (before anything piles up in memory
# or on disk); files under 2.5 MB stay in memory, bigger ones spool to a temporary file.
FILE_UPLOAD_HANDLERS = [
    "reporting.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # the non-file fields of one request
DATA_UPLOAD_MAX_NUMBER_FILES = 5
FILE_UPLOAD_PERMISSIONS = 0o600

# --- Forms ----------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"
# reporting.forms.TelInput (type="tel") is a GOV.UK text input like any other.
CRISPY_CLASS_CONVERTERS = {"telinput": "govuk-input"}

# --- Logging --------------------------------------------------------------------------------
# JSON lines on stderr for a log platform (python-json-logger), each with the request id
# (config.observability). Public requests log only id, method, route name, status and
# duration: never a client address, path, query, header, body, name, email or reference.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.observability.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # One line per request already (config.observability); Django's own 4xx lines name
        # the path, so only its errors (with their request id) are kept.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}

# --- Outage, monitoring, retention (ops) ----------------------------------------------------
# The contacts snapshot public pages fall back to when the database is down (contacts.snapshot);
# a shared volume where several containers serve the site.
CONTACTS_SNAPSHOT_PATH = os.environ.get(
    "CONTACTS_SNAPSHOT_PATH", str(VAR_DIR / "contacts-snapshot.json")
)
# /metrics answers only with "Authorization: Bearer <METRICS_TOKEN>"; unset, it answers 404.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
# Where operational alerts go (through the outbox); unset, alerts are only logged.
OPS_ALERT_EMAIL = os.environ.get("OPS_ALERT_EMAIL", "")
# /readyz fails, and an alert is sent, past these.
OUTBOX_MAX_LAG_SECONDS = int(os.environ.get("OUTBOX_MAX_LAG_SECONDS", str(15 * 60)))
BEAT_MAX_SILENCE_SECONDS = int(os.environ.get("BEAT_MAX_SILENCE_SECONDS", str(5 * 60)))
# Sent outbox messages keep their body this long (then it is dropped; the row stays until the
# retention schedule's outbox period).
OUTBOX_SENT_BODY_HOURS = int(os.environ.get("OUTBOX_SENT_BODY_HOURS", "48"))
# Optional error reporting: config.sentry (personal data scrubbed before sending).
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
SENTRY_ENVIRONMENT = os.environ.get("SENTRY_ENVIRONMENT", "production")

if SENTRY_DSN:
    from config.sentry import init_sentry

    init_sentry(SENTRY_DSN, environment=SENTRY_ENVIRONMENT)

# ops: boroughs with no row of their own in the admin are alerted on after this long unstaffed.
UNSTAFFED_ALERT_MINUTES = int(os.environ.get("UNSTAFFED_ALERT_MINUTES", "90"))


def refuse_weak_secret_key(key: str, *, debug: bool) -> None:
    """With DEBUG off, refuse to start on an empty key, the example's, Django's insecure
    default or one `check --deploy` calls weak (under 50 characters, or under 5 different)."""
    if debug:
        return
    if (
        not key
        or key == EXAMPLE_SECRET_KEY
        or key.startswith(SECRET_KEY_INSECURE_PREFIX)
        or len(key) < SECRET_KEY_MIN_LENGTH
        or len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
    ):
        raise ImproperlyConfigured(
            "Set a real SECRET_KEY when DEBUG is off: a long random string "
            f"(at least {SECRET_KEY_MIN_LENGTH} characters), not empty and not the example's."
        )


refuse_weak_secret_key(SECRET_KEY, debug=DEBUG)
