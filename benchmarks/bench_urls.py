"""The site's URLs plus /bare/: a Django view that returns a fixed page, the baseline the
borough page is measured against (same middleware, same server, no database, no template)."""

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


urlpatterns = [path("bare/", bare, name="bench_bare"), *site_urlpatterns]
