"""The site's URLs plus two baselines: /bare/, a Django view that returns a fixed page (the
borough page is measured against it: same middleware, same server, no database, no template),
and /bare-session/, the same with a session read and written (the submit path is measured
against it: benchmarks/submit_cpu.py)."""

import os
from functools import cache
from pathlib import Path

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


@cache
def bare_body() -> bytes:
    """The page to serve: written by the benchmark before the load starts (a copy of the
    borough page, so both answers are the same size)."""
    return Path(os.environ["BENCH_BARE_FILE"]).read_bytes()


def bare(request):
    return HttpResponse(bare_body(), content_type="text/html; charset=utf-8")


def bare_session(request):
    """A fixed small page after loading the visitor's session and saving a change to it."""
    request.session["bare_visits"] = request.session.get("bare_visits", 0) + 1
    return HttpResponse(b"<!DOCTYPE html><title>bare</title><p>ok</p>", content_type="text/html")


urlpatterns = [
    path("bare/", bare, name="bench_bare"),
    path("bare-session/", bare_session, name="bench_bare_session"),
    *site_urlpatterns,
]
