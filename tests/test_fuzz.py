"""Hostile input never makes a 500: every public form, every path parameter of every URL, and
the query parameters the pages read, with NUL, control, bidirectional and zero-width
characters, over-long values, invalid UTF-8 and wrong types (lists for single values, files for
text, text for numbers), as a visitor and as signed-in staff.

The URLs come from resolving the URLconf, so a page added later is fuzzed too. Each test
collects every request that answered 500 (the traceback is in the log) and fails listing them.
"""

import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.mash.factories import StaffMemberFactory, log_in_verified
from tests.mash.screening_factories import open_referrals
from tests.reporting.factories import PROFESSIONAL, eager_celery  # noqa: F401 (a fixture)
from tests.reporting.test_family_views import (
    CALLBACK,
    CARER,
    CHILD,
    CONSULT,
    FW,
    MONDAY_NOON,
    NEED,
    PDF,
    SELF,
    SELF_STEPS,
)
from tests.reporting.test_views import BASE, CHILD_ONE, CHILDREN_DONE, CONCERN, NAMED, START

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

HOSTILE_TEXT = [
    "Sam\x00Smith",
    "\x01\x07\x1b[31mred\x7f\x85",
    "\u202eevil\u202c \u2066x\u2069 \u200f\u200b\u200d\u2060\ufeff",
    "x" * 5000,
    "😀" * 600,
    "<script>alert(1)</script>\"'><img src=x>",
    "99999999999999999999999999",
    " ",
]
# Percent-encoded, for path segments (what a browser or a script can put in a URL).
HOSTILE_SEGMENTS = ["%00", "BRM-%00-X", "%E2%80%AE%FF%FE", "x" * 5000]
HOSTILE_INTS = ["99999999999999999999999999", "9223372036854775808"]
QUERY_NAMES = ["after", "at", "before", "change", "next", "page", "referral", "status", "user"]


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(MONDAY_NOON, tick=False):
        yield


@pytest.fixture(autouse=True)
def _no_limits(settings, private_storage):
    settings.RATE_LIMIT_SESSION = settings.RATE_LIMIT_SUBMISSIONS = "0"
    settings.UPLOAD_LIMIT_SESSION = settings.UPLOAD_LIMIT_CLIENT = "0"


def field_names(html: str) -> list[str]:
    names = re.findall(r'<(?:input|textarea|select)[^>]*\sname="([^"]+)"', html)
    return sorted({n for n in names if n != "csrfmiddlewaretoken"})


FAILURES: list = []


@pytest.fixture(autouse=True)
def _no_500():
    FAILURES.clear()
    yield
    found = list(FAILURES)
    FAILURES.clear()
    assert not found, f"{len(found)} request(s) answered 500: {sorted(set(found))}"


def visitor() -> Client:
    return Client(raise_request_exception=False)


def assert_not_500(response, what):
    """A 5xx is a failure, except /readyz's 503: "not ready" is its answer (no beat heartbeat
    in a test), whatever its query string."""
    match = getattr(response, "resolver_match", None)
    if response.status_code == 503 and match is not None and match.url_name == "readyz":
        return
    if response.status_code >= 500:
        FAILURES.append(str(what)[:160])


def fuzz_form(client: Client, url: str) -> None:
    """POST every hostile value into every field of the form at `url`, then wrong types."""
    response = client.get(url)
    assert_not_500(response, url)
    if response.status_code != 200:
        return
    names = field_names(response.content.decode())
    if not names:
        return
    for value in HOSTILE_TEXT:
        assert_not_500(client.post(url, {name: value for name in names}), (url, value[:20]))
    # Wrong types: every field twice, a file where text goes, nothing at all.
    assert_not_500(client.post(url, {name: ["a", "\x00"] for name in names}), url)
    files = {name: SimpleUploadedFile("x.pdf", PDF, "application/pdf") for name in names}
    assert_not_500(client.post(url, files), url)
    assert_not_500(client.post(url, {}), url)
    # Invalid UTF-8 and a NUL, as a raw form body.
    body = "&".join(f"{name}=%FF%FE%00" for name in names).encode()
    response = client.post(url, body, content_type="application/x-www-form-urlencoded")
    assert_not_500(response, (url, "raw"))


def fuzz_journey(client: Client, base: str, steps) -> None:
    """Walk a journey with good answers, fuzzing each page before answering it properly, and
    the check-your-answers page at the end."""
    for path, data in steps:
        fuzz_form(client, base + path)
        response = client.post(base + path, data)
        assert response.status_code == 302, (base + path, response.status_code)
    fuzz_form(client, base + "check-your-answers/")


def test_every_public_form_with_hostile_values(bromley):
    concern = [*START, ("who/", {"who": "public"}), *CHILD_ONE, *CHILDREN_DONE, *CONCERN, *NAMED]
    fuzz_journey(visitor(), BASE, concern)
    consent = {
        "consent_file": SimpleUploadedFile("c.pdf", PDF, "application/pdf"),
        "consented_by": "Sara Hughes",
        "consent_date_0": "20",
        "consent_date_1": "11",
        "consent_date_2": "2026",
    }
    wellbeing = [
        ("consent/", {"consent": "yes"}),
        ("professional/", PROFESSIONAL),
        ("consent-form/", consent),
        *CHILD,
        *CARER,
        *NEED,
    ]
    fuzz_journey(visitor(), FW, wellbeing)
    self_referral = [
        *SELF_STEPS,
        ("contact/", {"methods": ["phone"], "contact_notes": "After 3pm"}),
    ]
    client = visitor()
    for path, data in self_referral:
        fuzz_form(client, SELF + path)
        client.post(SELF + path, data)
    consultation = [
        ("your-details/", PROFESSIONAL),
        ("summary/", {"description": "Advice please."}),
        ("callback/", CALLBACK),
    ]
    fuzz_journey(visitor(), CONSULT, consultation)


def all_patterns():
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p.pattern.converters

    return list(walk(get_resolver().url_patterns))


def urls_with(values_for) -> list[str]:
    """Every route with its parameters filled by `values_for(converter name, name)` (a list of
    values; one URL per value, other parameters left at their first value)."""
    urls = []
    for route, _ in all_patterns():
        if route.startswith("^") or "(?P" in route:  # the admin's regex routes
            continue
        params = re.findall(r"<(?:(\w+):)?(\w+)>", route)
        if not params:
            urls.append("/" + route)
            continue
        for index, (converter, name) in enumerate(params):
            for value in values_for(converter or "str", name):
                url = route
                for other, (other_converter, other_name) in enumerate(params):
                    fill = (
                        value
                        if other == index
                        else values_for(other_converter or "str", other_name)[0]
                    )
                    url = re.sub(rf"<(?:\w+:)?{other_name}>", fill, url, count=1)
                urls.append("/" + url)
    return urls


def hostile_values(reference: str):
    def values_for(converter: str, name: str) -> list[str]:
        if name == "borough_slug":
            return ["bromley", "x" * 5000]
        if name == "reference":
            return [reference, *HOSTILE_SEGMENTS]
        if converter == "int":
            return ["1", *HOSTILE_INTS]
        if converter == "slug":
            return ["name", "x" * 5000]
        return ["x", *HOSTILE_SEGMENTS]

    return values_for


def fuzz_urls(client: Client, urls: list[str]) -> None:
    for url in urls:
        assert_not_500(client.get(url), url)
        assert_not_500(client.post(url, {"reason": "\x00", "user": "\u202e"}), url)
    # The query parameters the pages read, once per route with ordinary path values.
    queries = [
        "&".join(f"{name}={value}" for name in QUERY_NAMES)
        for value in ("%00", "%E2%80%AE" + "9" * 30, "x" * 3000)
    ]
    for url in dict.fromkeys(urls):
        if "%" in url or "xxxxx" in url or "99999" in url:
            continue
        for query in queries:
            assert_not_500(client.get(f"{url}?{query}"), (url, query[:30]))


def test_every_path_parameter_as_a_visitor(bromley):
    fuzz_urls(visitor(), urls_with(hostile_values("BRM-4K7Q-X9D2")))


def test_every_path_parameter_as_signed_in_staff(bromley):
    """Including a NUL in a reference in a staff URL (a 500 before: PostgreSQL refuses NUL)."""
    records = open_referrals(bromley, [MONDAY_NOON])
    staff = StaffMemberFactory(boroughs=[bromley], role="manager").user
    staff.is_staff = staff.is_superuser = True
    staff.save()
    client = visitor()
    log_in_verified(client, staff)
    urls = [
        url
        for url in urls_with(hostile_values(records[0].referral.reference))
        if url.startswith(("/mash/", "/admin/")) and "logout" not in url
    ]
    fuzz_urls(client, urls)


def test_a_5000_character_username_at_sign_in(bromley):
    client = visitor()
    for username in ("x" * 5000, "\x00", "a\u202eb"):
        response = client.post("/mash/login/", {"username": username, "password": "x"})
        assert_not_500(response, username[:10])
