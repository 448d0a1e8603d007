"""Edge checks that apply to every request, before any view."""

from __future__ import annotations

import logging

from config.views import bad_request

logger = logging.getLogger(__name__)


def _has_nul(values) -> bool:
    return any("\x00" in value for value in values)


class RefuseNulMiddleware:
    """A NUL character is never part of a real answer, reference or filter (PostgreSQL cannot
    even store one in text), and looking one up made the database refuse the query: a 500.
    A request with a NUL in its path, query string or form fields gets the 400 page instead.
    File contents are not looked at (a PDF is full of NUL bytes)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._refused(request):
            logger.info("request refused: NUL character in the path, query or form")
            return bad_request(request, None)
        return self.get_response(request)

    @staticmethod
    def _refused(request) -> bool:
        if "\x00" in request.path_info or "\x00" in request.path:
            return True
        if any(_has_nul([key, *values]) for key, values in request.GET.lists()):
            return True
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            return any(_has_nul([key, *values]) for key, values in request.POST.lists())
        return False
