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
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

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


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once for this install in var/."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


DEBUG = env_bool("DEBUG")
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

COUNCIL_NAME = os.environ.get("COUNCIL_NAME", "Report a concern about a child")
SERVICE_NAME = os.environ.get("SERVICE_NAME", "Report a concern about a child")

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
    "reporting",
    "mash",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "mash.middleware.StaffSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # keep last
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
# reporting: re-send outbox emails still unsent (Redis was down, a worker died, SMTP failed).
CELERY_BEAT_SCHEDULE["reporting-sweep-outbox"] = {
    "task": "reporting.sweep_outbox",
    "schedule": 60.0,
    "options": {"expires": 55},
}
# reporting: delete consent form uploads never attached to a referral (abandoned journeys).
CELERY_BEAT_SCHEDULE["reporting-delete-abandoned-uploads"] = {
    "task": "reporting.delete_abandoned_uploads",
    "schedule": 60.0 * 60,
    "options": {"expires": 30 * 60},
}
# mash: flag decisions whose outcome email to the referrer was not sent within 24 hours.
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

# reporting: per-client limit on submissions (reporting.ratelimit), "<count>/<period>" with
# period s, m, h or d ("10/h", "30/15m"); "0" turns it off. Clients are keyed on an HMAC of
# REMOTE_ADDR with RATE_LIMIT_SALT (default SECRET_KEY): no raw IP is stored.
RATE_LIMIT_SUBMISSIONS = os.environ.get("RATE_LIMIT_SUBMISSIONS", "10/h")
RATE_LIMIT_SALT = os.environ.get("RATE_LIMIT_SALT", "")

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "no-reply@example.gov.uk")

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
# django-axes: 5 failed logins lock the username for 30 minutes. Locking is by username only,
# and the client IP callable returns None, so axes stores no IP addresses at all.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_CLIENT_IP_CALLABLE = "mash.access.no_client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # successful logins are in mash's own audit trail
AXES_LOCKOUT_CALLABLE = "mash.auth_views.locked_out"
# W006 warns that username-only locking lets one address try many usernames; we lock by
# username on purpose, so that no client IP address is ever stored.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
SESSION_ENGINE = "config.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 2
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and bool(os.environ.get("SECRET_KEY")))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True

# --- Security headers -----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY") else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))

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
STATIC_ROOT = BASE_DIR / "staticfiles"
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
        )
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
CONSENT_UPLOAD_RETENTION_HOURS = 24  # unattached uploads are deleted after this
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

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

if not DEBUG and SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured("Set a real SECRET_KEY when DEBUG is off.")
