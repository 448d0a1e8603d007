"""Optional error reporting to Sentry (SENTRY_DSN), with personal data kept out of every event.

- `send_default_pii=False`: no user, no client address, no cookies from the SDK itself;
- request bodies are never attached (`max_request_body_size="never"`), frames carry no local
  variables, and `scrub_event` (before_send) drops what is left of the request (query string,
  cookies, headers, data), the user, and the breadcrumbs (log messages, SQL), and masks email
  addresses and IP addresses in messages and exception values;
- no performance tracing (nothing sampled).
"""

from __future__ import annotations

import re

EMAIL_RE = re.compile(r"[^\s@<>()\"',;:]+@[^\s@<>()\"',;:]+\.[A-Za-z]{2,}")
IPV4_RE = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
IPV6_RE = re.compile(r"\b(?:[0-9a-fA-F]{1,4}:){2,7}[0-9a-fA-F]{1,4}\b")
REQUEST_KEEP = {"method", "url"}


def mask(text):
    if not isinstance(text, str):
        return text
    text = EMAIL_RE.sub("[email]", text)
    text = IPV4_RE.sub("[ip]", text)
    return IPV6_RE.sub("[ip]", text)


def scrub_event(event, hint=None):
    """before_send: keep what locates a fault (exception type, stack, route), nothing personal."""
    request = event.get("request")
    if isinstance(request, dict):
        kept = {key: request[key] for key in REQUEST_KEEP if key in request}
        if "url" in kept:
            kept["url"] = str(kept["url"]).split("?", 1)[0]
        event["request"] = kept
    event.pop("user", None)
    event.pop("breadcrumbs", None)
    event.pop("extra", None)
    event.pop("server_name", None)
    if "message" in event:
        event["message"] = mask(event["message"])
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        logentry["message"] = mask(logentry.get("message"))
        logentry.pop("params", None)
        logentry.pop("formatted", None)
    for exception in (event.get("exception") or {}).get("values") or []:
        exception["value"] = mask(exception.get("value"))
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    return event


def init_sentry(dsn: str, *, environment: str = "production") -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        traces_sample_rate=0,
        before_send=scrub_event,
        before_send_transaction=lambda event, hint: None,
        integrations=[DjangoIntegration(), CeleryIntegration()],
    )
