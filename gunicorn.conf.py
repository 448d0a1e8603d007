"""gunicorn's settings, read from the working directory as gunicorn starts (its default).

The access log carries no client address, user agent, referrer or query string (the home
page's postcode finder is a GET, `/?postcode=...`, where a child lives), and no timestamp of
its own: one JSON line per request with the request id the app gave it
(X-Request-ID, config.observability), method, path, status, bytes and duration. Public paths
hold no personal data (journey step names, borough slugs); staff paths may hold a reference,
which is a staff action. The application's own log is JSON too (settings.LOGGING).
"""

import os

accesslog = "-"
access_log_format = (
    '{"logger": "gunicorn.access", "request_id": "%({x-request-id}o)s", "method": "%(m)s", '
    '"path": "%(U)s", "status": "%(s)s", "bytes": "%(B)s", "duration_ms": "%(M)s"}'
)
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# gunicorn's own lines (start, stop, worker errors) as JSON too; access lines are JSON already.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "access": {"format": "%(message)s"},
    },
    "root": {"level": "INFO", "handlers": ["console"]},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json"},
        "error": {"class": "logging.StreamHandler", "formatter": "json"},
        "access": {"class": "logging.StreamHandler", "formatter": "access"},
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["error"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
}
