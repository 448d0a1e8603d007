"""Sweep EVERY URL pattern under /mash/ (found by resolving the URLconf, so a view added later
is swept too), GET and POST, with every query the staff pages understand pointed at the other
borough, as:

- a verified screener and a verified manager of Bexley, asking about Bromley's referral and
  staff: referral URLs answer 404, nothing of Bromley's appears in any body (queue, filters,
  audit trail, error pages) and nothing of Bromley's changes;
- a password-only session (password given, TOTP not; and signed in with no second factor) and
  an anonymous visitor: every staff URL redirects to the sign-in or code page, never a 200.
"""

import datetime as dt

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from contacts.calendar import LONDON
from mash.models import ScreeningRecord
from mash.selectors import Cursor
from reporting.models import Child
from tests.mash.factories import (
    PASSWORD,
    StaffMemberFactory,
    log_in_password_only,
    log_in_verified,
)
from tests.mash.screening_factories import open_referrals

pytestmark = pytest.mark.django_db

# The sign-in steps: reachable before signing in, by design.
SIGN_IN = {"login", "verify", "enrol", "enrol_link", "logout"}
SECRET_CHILD = "Zebedee-Sweepsecret"
SECRET_TEXT = "sweep-secret-description"


def mash_patterns():
    """(name, converter names) of every pattern under the "mash" namespace, recursively."""

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix)
            elif isinstance(p, URLPattern) and p.name:
                yield p.name, sorted(p.pattern.converters)

    (mash,) = [
        p
        for p in get_resolver().url_patterns
        if isinstance(p, URLResolver) and p.namespace == "mash"
    ]
    return sorted(walk(mash.url_patterns))


def test_the_sweep_sees_the_queue_routes():
    names = {name for name, _ in mash_patterns()}
    assert {"queue", "take_next", "referral", "release", "reassign"} <= names
    assert {"search", "team", "alerts", "alert_acknowledge"} <= names
    assert {"exports", "annex_a_xlsx", "annex_a_csv"} <= names


@pytest.fixture
def bromley_data(bromley):
    """Bromley's referral (held by a Bromley screener), its child and its staff."""
    holder = StaffMemberFactory(boroughs=[bromley]).user
    now = dt.datetime.now(tz=LONDON)
    records = open_referrals(bromley, [now - dt.timedelta(hours=h) for h in (30, 2)])
    Child.objects.create(referral=records[0].referral, first_name=SECRET_CHILD, order=0)
    ScreeningRecord.objects.filter(pk=records[0].pk).update(claimed_by=holder, claimed_at=now)
    records[0].referral.__class__.objects.filter(pk=records[0].referral_id).update(
        description=SECRET_TEXT
    )
    for record in records:
        record.refresh_from_db()
    return {"records": records, "holder": holder}


def urls_for(name, converters, data):
    """Every URL to try for one pattern: its kwargs pointed at Bromley, with every query."""
    record = data["records"][0]
    values = {
        "reference": record.referral.reference,
        "pk": record.pk,
        "id": record.pk,
        "user_id": data["holder"].pk,
        "username": data["holder"].username,
        "token": "not-a-real-enrolment-token",
        "number": 1,  # an Annex A list
        "table": "weekly",
    }
    missing = [c for c in converters if c not in values]
    assert not missing, f"teach the sweep what to put in {missing} of mash:{name}"
    path = reverse(f"mash:{name}", kwargs={c: values[c] for c in converters})
    queries = [
        "",
        f"?referral={record.referral.reference}",
        f"?referral={record.referral.reference.lower()}",
        f"?user={data['holder'].username}",
        "?borough=bromley",
        "?borough=bromley&state=red&kind=concern",
        "?state=amber&mine=1",
        f"?after={Cursor.of(data['records'][0]).encode()}&borough=bromley",
        f"?before={Cursor.of(data['records'][1]).encode()}",
    ]
    if converters:  # a referral's own URL: what matters is the reference in the path
        queries = queries[:2]
    return [path + q for q in queries]


def assert_nothing_of_bromley(response, data, where):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    body = content.decode(errors="replace")
    for record in data["records"]:
        assert record.referral.reference not in body.upper(), where
    assert SECRET_CHILD not in body, where
    assert SECRET_TEXT not in body, where


def bromley_unchanged(data):
    for record in data["records"]:
        fresh = ScreeningRecord.objects.get(pk=record.pk)
        assert (fresh.claimed_by_id, fresh.claimed_at, fresh.decided_at) == (
            record.claimed_by_id,
            record.claimed_at,
            record.decided_at,
        )


@pytest.mark.parametrize("role", ["screener", "manager"])
def test_other_borough_staff_see_nothing_of_bromley(client, bromley, bexley, bromley_data, role):
    outsider = StaffMemberFactory(boroughs=[bexley], role=role).user
    # Bexley has one referral of its own, so empty pages are not what passes the test.
    (own,) = open_referrals(bexley, [dt.datetime.now(tz=LONDON) - dt.timedelta(hours=1)])
    swept, not_found, after_sign_in = 0, set(), False
    for name, converters in mash_patterns():
        for url in urls_for(name, converters, bromley_data):
            for method in ("get", "post"):
                if name in SIGN_IN or after_sign_in or not swept:
                    log_in_verified(client, outsider)  # (again: sign-in pages may end it)
                after_sign_in = name in SIGN_IN
                response = getattr(client, method)(url, {"to": bromley_data["holder"].pk})
                where = f"{method.upper()} {url} as a Bexley {role}"
                assert response.status_code != 500, where
                if "reference" in converters:
                    # 404, exactly as for a reference that does not exist (405 for a method
                    # the view never takes, also whatever the reference): no existence oracle.
                    real = bromley_data["records"][0].referral.reference
                    made_up = getattr(client, method)(url.replace(real, "BRM-0000-0000"))
                    assert response.status_code == made_up.status_code, where
                    assert response.status_code in {404, 405}, where
                    if response.status_code == 404:
                        not_found.add(name)
                elif name in SIGN_IN:
                    # (404: the enrolment link page with a token that is no link)
                    assert response.status_code in {200, 302, 404, 405}, where
                else:
                    # 403: a screener on a manager-only page (whatever it is asked about)
                    assert response.status_code in {200, 302, 403, 404, 405}, where
                if response.status_code == 302:
                    assert bromley_data["records"][0].referral.reference not in response["Location"]
                assert_nothing_of_bromley(response, bromley_data, where)
                swept += 1
    assert swept >= 2 * 9 * 2 + 3 * 2 * 2
    # every referral URL answered 404 to the method it takes
    assert not_found == {name for name, converters in mash_patterns() if "reference" in converters}
    bromley_unchanged(bromley_data)
    # the queue does show Bexley's own referral to them (the sweep was not looking at nothing)
    log_in_verified(client, outsider)
    assert own.referral.reference in client.get("/mash/").text


def password_only_by_form(client, user):
    """The real first step: password accepted, TOTP code not given yet."""
    response = client.post("/mash/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and "/mash/verify/" in response["Location"]


def signed_in_without_otp(client, user):
    log_in_password_only(client, user)


def anonymous(client, user):
    client.logout()


@pytest.mark.parametrize("session", [password_only_by_form, signed_in_without_otp, anonymous])
def test_no_staff_page_opens_without_the_second_factor(client, bromley, bromley_data, session):
    screener = StaffMemberFactory(boroughs=[bromley]).user
    swept = 0
    for name, converters in mash_patterns():
        if name in SIGN_IN:
            continue
        for url in urls_for(name, converters, bromley_data)[:4]:
            for method in ("get", "post"):
                client.logout()
                session(client, screener)
                response = getattr(client, method)(url)
                where = f"{method.upper()} {url} ({session.__name__})"
                assert response.status_code == 302, where
                location = response["Location"]
                assert location.startswith(("/mash/login/", "/mash/verify/")), where
                assert_nothing_of_bromley(response, bromley_data, where)
                swept += 1
    assert swept >= 5 * 4 * 2
    bromley_unchanged(bromley_data)


# --- the urgency pages (issue 15): search, team, alerts --------------------------------------


@pytest.fixture
def bromley_alert(bromley_data):
    from mash.alerts import raise_alerts

    raise_alerts(now=dt.datetime.now(tz=LONDON) + dt.timedelta(days=30))
    from mash.models import Alert

    return Alert.objects.filter(referral=bromley_data["records"][0].referral).first()


@pytest.mark.parametrize("role", ["screener", "manager"])
def test_other_borough_cannot_search_move_or_acknowledge_bromleys(
    client, bromley, bexley, bromley_data, bromley_alert, role
):
    from mash.models import Alert

    outsider = StaffMemberFactory(boroughs=[bexley], role=role).user
    colleague = StaffMemberFactory(boroughs=[bexley]).user
    log_in_verified(client, outsider)
    record = bromley_data["records"][0]
    for terms in (
        {"name": SECRET_CHILD},
        {"name": "Zebedee Sweepsecret"},
        {"reference": record.referral.reference},
        {"referrer": "@"},
    ):
        response = client.post("/mash/search/", terms)
        assert response.status_code == 200
        # (the form shows back what was typed; nothing found)
        assert 'id="no-results"' in response.text, terms
        assert 'id="results"' not in response.text
        assert record.referral.reference.lower() not in response.text.lower().replace(
            f'value="{record.referral.reference.lower()}"', ""
        )
        assert SECRET_TEXT not in response.text
    moved = client.post(
        "/mash/team/",
        {
            "to": colleague.pk,
            "records": [record.pk],
            f"seen-{record.pk}": data_holder(bromley_data),
        },
        follow=True,
    )
    assert moved.status_code == (200 if role == "manager" else 403)
    assert_nothing_of_bromley(moved, bromley_data, "team")
    acknowledged = client.post(f"/mash/alerts/{bromley_alert.pk}/acknowledge/")
    assert acknowledged.status_code == (404 if role == "manager" else 403)
    for path in ("/mash/alerts/", "/mash/team/", "/mash/"):
        response = client.get(path)
        assert_nothing_of_bromley(response, bromley_data, path)
    bromley_unchanged(bromley_data)
    assert Alert.objects.get(pk=bromley_alert.pk).acknowledged_at is None


def data_holder(data):
    return data["holder"].pk


def test_screeners_get_403_on_manager_pages(client, bromley, bromley_data, bromley_alert):
    from mash.models import AuditEvent

    screener = StaffMemberFactory(boroughs=[bromley]).user
    log_in_verified(client, screener)
    assert client.get("/mash/team/").status_code == 403
    assert client.post("/mash/team/", {"to": screener.pk}).status_code == 403
    assert client.get("/mash/alerts/").status_code == 403
    assert client.post(f"/mash/alerts/{bromley_alert.pk}/acknowledge/").status_code == 403
    assert 'id="alert-banner"' not in client.get("/mash/").text
    assert (
        AuditEvent.objects.filter(
            action="access_refused", user=screener, detail__reason="not_manager"
        ).count()
        == 4
    )
    # the search is for every staff member
    assert client.get("/mash/search/").status_code == 200
    bromley_unchanged(bromley_data)


# --- Annex A exports (issue 16) -------------------------------------------------------------

EXPORTS = [
    "/mash/exports/",
    "/mash/exports/annex-a.xlsx",
    "/mash/exports/annex-a/list-1.csv",
    "/mash/exports/annex-a/list-2.csv",
    "/mash/exports/annex-a/list-3.csv",
]


def test_exports_are_for_managers_of_the_borough(client, bromley, bexley, bromley_data):
    """A Bexley manager asking for Bromley's exports gets 404 (as for a borough that does not
    exist); Bexley's own lists hold nothing of Bromley's, even unzipped; a screener gets 403."""
    import io
    import zipfile

    from mash.models import Decision

    record = bromley_data["records"][0]
    Decision.objects.create(
        record=record,
        outcome=Decision.Outcome.ASSESSMENT,
        rationale="Sweep",
        decided_by=bromley_data["holder"],
    )
    outsider = StaffMemberFactory(boroughs=[bexley], role="manager").user
    log_in_verified(client, outsider)
    for url in EXPORTS[1:]:
        assert client.get(f"{url}?borough=bromley").status_code == 404, url
        own = client.get(f"{url}?borough=bexley")
        assert own.status_code == 200, url
        content = b"".join(own.streaming_content)
        if url.endswith(".xlsx"):
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                content = b"".join(archive.read(name) for name in archive.namelist())
        assert record.referral.reference.encode() not in content, url
    bromley_manager = StaffMemberFactory(boroughs=[bromley], role="manager").user
    log_in_verified(client, bromley_manager)
    mine = client.get("/mash/exports/annex-a/list-3.csv?borough=bromley")
    assert record.referral.reference.encode() in b"".join(mine.streaming_content)
    screener = StaffMemberFactory(boroughs=[bromley]).user
    log_in_verified(client, screener)
    for url in EXPORTS:
        assert client.get(f"{url}?borough=bromley").status_code == 403, url


# --- The Django admin ----------------------------------------------------------------------

SECRET_STAFF = "zz-bromley-only-staffer"


def admin_models():
    from django.contrib import admin

    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def admin_url_patterns(model_admin):
    """(name, converters) of every URL of a ModelAdmin (its own views too, e.g. django-otp's
    QR code page), for those that take an object's id or none."""
    for pattern in model_admin.get_urls():
        converters = sorted(pattern.pattern.converters)
        if pattern.name and set(converters) <= {"object_id", "pk", "id"}:
            yield pattern.name, converters


def _admin_url(model, action, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


def _bexley_admin(bexley):
    from io import StringIO

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command(
        "create_staff",
        "bexley.admin",
        "--role",
        "admin",
        "--borough",
        "bexley",
        "--password",
        "a-long-enough-passphrase",
        stdout=StringIO(),
    )
    return get_user_model().objects.get(username="bexley.admin")


def test_a_borough_admin_sees_nothing_of_another_borough_in_the_admin(
    client, bromley, bexley, bromley_data, rf
):
    """Every model registered in the admin (found from the registry, so a model added later is
    swept too): its list, its searches for Bromley's reference, child and staff, its add page,
    and the change, history and delete pages of every Bromley object, GET and POST, as an
    admin of Bexley only. Nothing of Bromley's appears; nothing of Bromley's changes."""
    from django.contrib.admin.views.main import SEARCH_VAR

    from mash import audit
    from mash.models import AuditAction, AuditEvent

    StaffMemberFactory(boroughs=[bromley], user__username=SECRET_STAFF)
    record = bromley_data["records"][0]
    audit.record(
        action=AuditAction.REFERRAL_VIEWED, referral=record.referral, user=bromley_data["holder"]
    )
    outsider = _bexley_admin(bexley)
    (own,) = open_referrals(bexley, [dt.datetime.now(tz=LONDON) - dt.timedelta(hours=1)])
    request = rf.get("/admin/")
    request.user = outsider
    swept, hidden = 0, 0
    log_in_verified(client, outsider)
    secrets = [record.referral.reference, SECRET_CHILD, SECRET_TEXT, SECRET_STAFF]
    for model, model_admin in admin_models():
        visible = model_admin.get_queryset(request).values("pk")
        others = list(model._default_manager.exclude(pk__in=visible).values_list("pk", flat=True))
        hidden += len(others)
        urls = []
        for name, converters in admin_url_patterns(model_admin):
            if not converters:
                urls.append((reverse(f"admin:{name}"), None))
            for pk in others[:5] if converters else []:
                urls.append((reverse(f"admin:{name}", kwargs=dict.fromkeys(converters, pk)), None))
        for term in secrets:
            urls.append((f"{_admin_url(model, 'changelist')}?{SEARCH_VAR}={term}", term))
        for url, searched in urls:
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                where = f"{method.upper()} {url} as a Bexley admin"
                assert response.status_code in {200, 302, 403, 404}, where
                body = response.content.decode(errors="replace")
                for secret in secrets:
                    if secret != searched:  # (a search shows back what was typed, in links too)
                        assert secret not in body, (where, secret)
                if response.status_code == 302:
                    assert "login" not in response["Location"], where  # still signed in
                swept += 1
    assert hidden >= 6  # Bromley's referral, its child's... there was something to hide
    assert swept >= 2 * 6 * len(admin_models())
    bromley_unchanged(bromley_data)
    assert AuditEvent.objects.filter(referral=record.referral).count() >= 1
    # the admin does show Bexley's own referral to them (the sweep was not looking at nothing)
    assert (
        own.referral.reference in client.get(_admin_url(own.referral.__class__, "changelist")).text
    )


@pytest.mark.parametrize("session", [password_only_by_form, signed_in_without_otp, anonymous])
def test_no_admin_page_opens_without_the_second_factor(client, bromley, bromley_data, session):
    user = StaffMemberFactory(boroughs=[bromley], admin=True).user
    user.is_staff = user.is_superuser = True
    user.save()
    record = bromley_data["records"][0]
    swept = 0
    for model, _ in admin_models():
        urls = [_admin_url(model, "changelist"), _admin_url(model, "add")]
        if model is record.referral.__class__:
            urls.append(_admin_url(model, "change", record.referral.pk))
        for url in urls:
            for method in ("get", "post"):
                client.logout()
                session(client, user)
                response = getattr(client, method)(url)
                where = f"{method.upper()} {url} ({session.__name__})"
                assert response.status_code == 302, where
                assert response["Location"].startswith(("/admin/login/", "/mash/")), where
                assert_nothing_of_bromley(response, bromley_data, where)
                swept += 1
    assert swept >= 4 * len(admin_models())
