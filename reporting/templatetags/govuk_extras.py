"""Template filters every page may use: the error summary's links and machine-readable times."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from reporting.forms import error_links as _error_links

register = template.Library()


@register.filter
def error_links(form) -> list[tuple[str, str]]:
    """(href, message) pairs for a GOV.UK error summary, each landing on its input. A form may
    provide its own `error_links()` (a page made of several forms)."""
    own = getattr(form, "error_links", None)
    return own() if callable(own) else _error_links(form)


@register.filter
def iso_datetime(value) -> str:
    """A valid HTML `<time datetime>`: ISO 8601 in London time to whole seconds (HTML allows
    at most three decimal places, and Python's isoformat writes six), or a date as YYYY-MM-DD."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return ""
