"""Logs and request metrics that cannot identify a reporter.

Every request gets a random request id (a response header too, `X-Request-ID`, so a person
reporting a fault can quote it). `RequestLogMiddleware` writes one log line per request with
the request id, method, route *name* (never the path: staff paths carry references), status
and duration, and counts it for Prometheus under the same labels. No client address, no
query string, no header, no body, no reference is ever logged for a request. Log lines are
JSON (python-json-logger, settings.LOGGING) with the request id added by `RequestIdFilter`.
"""

from __future__ import annotations

import contextvars
import logging
import time
import uuid

from prometheus_client import Counter, Histogram

logger = logging.getLogger("requests")
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

REQUESTS = Counter(
    "http_requests_total",
    "HTTP requests answered, by route name, method and status code.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer an HTTP request, by route name.",
    ["route"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
KNOWN_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (empty outside a request: tasks, commands)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


def route_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unresolved"
    return match.view_name or "unnamed"


class RequestLogMiddleware:
    """Outermost middleware: request id, one JSON log line and metrics per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = uuid.uuid4().hex
        token = request_id_var.set(request_id)
        request.request_id = request_id
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = request_id
            return response
        finally:
            duration = time.perf_counter() - started
            route = route_name(request)
            method = request.method if request.method in KNOWN_METHODS else "OTHER"
            REQUESTS.labels(route, method, str(status)).inc()
            LATENCY.labels(route).observe(duration)
            logger.info(
                "request",
                extra={
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(duration * 1000, 1),
                },
            )
            request_id_var.reset(token)
