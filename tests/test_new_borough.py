"""Acceptance: a third borough goes live from the Django admin alone, with no code and no
migration. An admin (password and TOTP) creates it as they would by hand: name, slug, GSS
code, MASH details, office hours, a closure day, its lines and numbers, its services (no
early-help service here), then a screener for it. The test then proves the borough page and
API, postcode routing, every public journey it offers (and that the one it does not offer has
no pages), staff scoping, and deadlines on its own calendar.

A second test sets the new borough's screening policy in the admin (as a superuser would, the
day it goes live) and proves its deadlines follow it, and Bromley's do not move."""

import datetime as dt
import html
import json

import pytest
import time_machine
from django.core.management import call_command

from contacts.calendar import LONDON
from contacts.models import Borough
from mash import screening
from mash.models import AuditAction, AuditEvent, ScreeningPolicy, StaffMember, TimeUnit
from reporting.models import Referral
from tests.contacts.conftest import admin_client, change_form_data  # noqa: F401 (a fixture)
from tests.contacts.ons_csv import GREENWICH, SAMPLE, write_ons_csv
from tests.mash.factories import log_in_verified
from tests.reporting.factories import PROFESSIONAL, eager_celery  # noqa: F401 (a fixture)
from tests.reporting.test_views import CHILD_ONE, CHILDREN_DONE, CONCERN, NAMED, START

pytestmark = pytest.mark.usefixtures("eager_celery")

MONDAY_10AM = dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
CLOSURE_DAY = dt.date(2026, 11, 24)  # a Tuesday the Greenwich MASH is closed (training)


def ldn(*args):
    return dt.datetime(*args, tzinfo=LONDON)


def admin_post(client, url, data):
    response = client.post(url, data)
    errors = []
    if response.status_code != 302:
        context = response.context
        errors = [context["adminform"].form.errors] + [
            formset.formset.errors for formset in context["inline_admin_formsets"]
        ]
    assert response.status_code == 302, errors
    return response


def inline_rows(data: dict, prefix: str, rows: list[dict]) -> None:
    data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value


def inline_prefixes(response) -> dict[str, str]:
    return {
        inline.formset.model.__name__: inline.formset.prefix
        for inline in response.context["inline_admin_formsets"]
    }


def create_greenwich(client) -> Borough:
    """Everything an admin types into the Django admin to set a borough up."""
    add = client.get("/admin/contacts/borough/add/")
    assert add.status_code == 200
    data = change_form_data(add)
    prefixes = inline_prefixes(add)
    data.update(
        {
            "name": "Greenwich",
            "slug": "greenwich",
            "council_name": "Royal Borough of Greenwich",
            "gss_code": "e09000011",  # typed in lower case: stored as ONS write it
            "reference_prefix": "GRN",
            "mash_name": "Greenwich Multi-Agency Safeguarding Hub (MASH)",
            "address": "The Woolwich Centre\n35 Wellington Street\nLondon\nSE18 6HQ",
            "mash_email": "mash@royalgreenwich.example",
            "fax": "",
            "is_active": "on",
            "consultations": "on",
            "early_help_name": "early help",
        }
    )
    data.pop("early_help_service", None)  # unticked: Greenwich has no early help here
    inline_rows(
        data,
        prefixes["OfficeHours"],
        [
            {"weekday": str(day), "opens": "09:00", "closes": "16:30" if day == 4 else "17:00"}
            for day in range(5)
        ],
    )
    inline_rows(
        data,
        prefixes["ClosureDay"],
        [{"date": CLOSURE_DAY.isoformat(), "reason": "Staff training"}],
    )
    admin_post(client, "/admin/contacts/borough/add/", data)
    borough = Borough.objects.get(slug="greenwich")

    for line in (
        {
            "purpose": "childrens_services",
            "label": "Children's services (MASH)",
            "schedule": "office_hours",
            "numbers": ["020 8921 3172"],
        },
        {
            "purpose": "out_of_hours",
            "label": "Emergency out-of-hours team",
            "schedule": "outside_office_hours",
            "numbers": ["020 8854 8888"],
        },
    ):
        add = client.get("/admin/contacts/contactline/add/")
        data = change_form_data(add)
        prefixes = inline_prefixes(add)
        data.update(
            {
                "borough": str(borough.pk),
                "purpose": line["purpose"],
                "label": line["label"],
                "description": "",
                "schedule": line["schedule"],
                "hours_summary": "",
                "on_closed_days": "closed",
                "order": "0" if line["purpose"] == "childrens_services" else "1",
            }
        )
        inline_rows(
            data,
            prefixes["PhoneNumber"],
            [{"number": n, "order": str(i)} for i, n in enumerate(line["numbers"])],
        )
        inline_rows(data, prefixes["StaffedWindow"], [])
        admin_post(client, "/admin/contacts/contactline/add/", data)
    borough.refresh_from_db()
    return borough


def create_screener(client, borough) -> StaffMember:
    """A user, then their staff record for the new borough, both in the admin."""
    admin_post(
        client,
        "/admin/auth/user/add/",
        {
            "username": "gina",
            "usable_password": "true",
            "password1": "a-long-passphrase-for-gina",
            "password2": "a-long-passphrase-for-gina",
        },
    )
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="gina")
    admin_post(
        client,
        "/admin/mash/staffmember/add/",
        {"user": str(user.pk), "role": "screener", "boroughs": [str(borough.pk)]},
    )
    return StaffMember.objects.get(user=user)


@pytest.fixture
def greenwich(admin_client, seeded_boroughs):  # noqa: F811 (the fixture imported above)
    with time_machine.travel(MONDAY_10AM, tick=False):
        borough = create_greenwich(admin_client)
        staff = create_screener(admin_client, borough)
    admin_client.logout()
    return borough, staff


STEPS = [*START, ("who/", {"who": "public"}), *CHILD_ONE, *CHILDREN_DONE, *CONCERN]


def report_concern(client, slug: str) -> Referral:
    """A member of the public reports a concern to `slug`'s MASH; the referral it makes."""
    base = f"/{slug}/report/"
    for path, data in [*STEPS, *NAMED, ("check-your-answers/", {"website": ""})]:
        response = client.post(base + path, data)
        assert response.status_code == 302, path
    assert response["Location"] == base + "sent/"
    return Referral.objects.filter(borough__slug=slug, kind=Referral.Kind.CONCERN).latest("pk")


def get_text(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return html.unescape(response.content.decode())


def test_a_third_borough_from_the_admin_alone(client, greenwich, tmp_path, bromley):
    borough, staff = greenwich
    assert borough.gss_code == "E09000011" and not borough.early_help_service

    with time_machine.travel(MONDAY_10AM, tick=False):
        # -- the borough page, listed on the home page --------------------------------------
        assert 'href="/greenwich/"' in get_text(client, "/")
        page = get_text(client, "/greenwich/")
        assert "Royal Borough of Greenwich" in page
        assert "020 8921 3172" in page and "020 8854 8888" in page
        assert 'href="/greenwich/report/"' in page
        assert 'href="/greenwich/signs-a-child-may-be-at-risk/"' in page
        assert 'href="/greenwich/consultation/"' in page
        assert "/greenwich/family-wellbeing/" not in page
        assert "/greenwich/self-referral/" not in page

    # -- the API, on its own hours -----------------------------------------------------------
    def api(at):
        response = client.get("/api/contacts/greenwich/", {"at": at})
        assert response.status_code == 200
        return json.loads(response.content)

    monday = api("2026-11-23T10:00")
    assert monday["in_hours"] is True
    assert [line["numbers"] for line in monday["open_lines"]] == [["020 8921 3172"]]
    friday_late = api("2026-11-27T16:45")  # Greenwich closes at 16:30 on Fridays
    assert friday_late["in_hours"] is False
    assert [line["purpose"] for line in friday_late["open_lines"]] == ["out_of_hours"]
    closure = api("2026-11-24T11:00")  # the closure day typed into the admin
    assert closure["in_hours"] is False
    assert [line["numbers"] for line in closure["open_lines"]] == [["020 8854 8888"]]

    # -- postcode routing --------------------------------------------------------------------
    call_command("import_postcodes", str(write_ons_csv(tmp_path / "onspd.csv", SAMPLE)))
    assert ("SE10 9NN", GREENWICH) in SAMPLE
    assert client.get("/", {"postcode": "se10 9nn"})["Location"] == "/greenwich/"
    boundary = get_text(client, "/?postcode=SE9+4ZZ")  # SE9 4: Bromley, Bexley, Greenwich
    assert all(f'href="/{slug}/"' in boundary for slug in ("bromley", "bexley", "greenwich"))

    # -- every public journey it offers ------------------------------------------------------
    with time_machine.travel(MONDAY_10AM, tick=False):
        base = "/greenwich/report/"
        assert "Greenwich Multi-Agency Safeguarding Hub" in get_text(client, base)
        concern = report_concern(client, "greenwich")
        assert concern.reference.startswith("GRN-")
        assert concern.reference in get_text(client, base + "sent/")

        consult = "/greenwich/consultation/"
        assert "Level 2, early help" in get_text(client, consult)  # the default guide
        callback = {
            "callback_date_0": "24",  # the closure day is not a working day in Greenwich
            "callback_date_1": "11",
            "callback_date_2": "2026",
            "callback_start": "10:00",
            "callback_end": "11:30",
        }
        for path, data in [
            ("your-details/", PROFESSIONAL),
            ("summary/", {"description": "A family with a lot going on; I would like advice."}),
        ]:
            assert client.post(consult + path, data).status_code == 302, path
        refused = client.post(consult + "callback/", callback)  # post/redirect/get
        assert refused.status_code == 302 and refused["Location"] == consult + "callback/"
        response = client.get(consult + "callback/")
        assert response.status_code == 200 and "Choose a working day" in html.unescape(
            response.content.decode()
        )
        callback["callback_date_0"] = "25"
        assert client.post(consult + "callback/", callback).status_code == 302
        response = client.post(consult + "check-your-answers/", {"website": ""})
        assert response["Location"] == consult + "sent/"
        consultation = Referral.objects.get(borough=borough, kind=Referral.Kind.CONSULTATION)
        assert consultation.reference.startswith("GRN-")

        # the service it does not offer has no pages
        for url in ("/greenwich/family-wellbeing/", "/greenwich/self-referral/consent/"):
            assert client.get(url).status_code == 404, url
        early = get_text(client, "/greenwich/report/early-help/")
        assert "does not take early help referrals online" in early

    # -- deadlines on its own calendar -------------------------------------------------------
    # received Monday 10:00; Tuesday is its closure day: due Wednesday 10:00
    assert concern.screening.due_at == ldn(2026, 11, 25, 10, 0)
    with time_machine.travel(ldn(2026, 11, 27, 16, 0), tick=False):  # Friday, 30 min left
        friday = report_concern(client, "greenwich")
    # 30 minutes on Friday (to 16:30), the rest of the day's 8 hours from 09:00 Monday
    assert friday.screening.due_at == ldn(2026, 11, 30, 16, 30)

    # -- staff scoping: its screener sees only Greenwich -------------------------------------
    from tests.reporting.factories import ReferralFactory

    other = ReferralFactory(borough=bromley)
    staff_client = client.__class__()
    with time_machine.travel(ldn(2026, 11, 23, 11, 0), tick=False):
        log_in_verified(staff_client, staff.user)
        queue = get_text(staff_client, "/mash/")
        assert concern.reference in queue and friday.reference in queue
        assert other.reference not in queue
        assert get_text(staff_client, f"/mash/referrals/{concern.reference}/")
        get_text(staff_client, f"/mash/referrals/{other.reference}/", status=404)
        assert consultation.reference in get_text(staff_client, "/mash/consultations/")


def test_the_new_boroughs_screening_policy_set_in_the_admin_sets_its_deadlines(
    client, greenwich, bromley
):
    """Greenwich screens every referral within 4 working hours and a Red rating within one
    hour of clock time: typed into its screening policy's admin page, nothing else."""
    borough, staff = greenwich
    policy = ScreeningPolicy.objects.get(borough=borough)  # made with the borough
    assert (policy.screening_amount, policy.screening_unit) == (1, TimeUnit.WORKING_DAYS)
    bromley_policy = ScreeningPolicy.objects.get(borough=bromley)
    before = {f.name: getattr(bromley_policy, f.name) for f in ScreeningPolicy._meta.fields}

    from django.contrib.auth import get_user_model

    superuser = get_user_model().objects.create_superuser(username="go-live", password=None)
    admin = client.__class__()
    with time_machine.travel(MONDAY_10AM, tick=False):
        log_in_verified(admin, superuser)
        url = f"/admin/mash/screeningpolicy/{policy.pk}/change/"
        data = change_form_data(admin.get(url))
        data.update(
            screening_amount="4",
            screening_unit=TimeUnit.WORKING_HOURS,
            red_amount="1",
            red_unit=TimeUnit.CLOCK_HOURS,
            managers_inbox="mash-managers@royalgreenwich.gov.uk",
        )
        admin_post(admin, url, data)
    policy.refresh_from_db()
    assert (policy.screening_amount, policy.screening_unit) == (4, TimeUnit.WORKING_HOURS)
    changed = AuditEvent.objects.get(action=AuditAction.SCREENING_POLICY_CHANGED)
    assert changed.borough == borough and changed.user == superuser
    bromley_policy.refresh_from_db()
    assert {f.name: getattr(bromley_policy, f.name) for f in ScreeningPolicy._meta.fields} == (
        before
    )

    with time_machine.travel(MONDAY_10AM, tick=False):
        monday = report_concern(client, "greenwich")
        in_bromley = report_concern(client, "bromley")
    # 4 working hours from Monday 10:00, not the day (with Tuesday closed) it was
    assert monday.screening.due_at == ldn(2026, 11, 23, 14, 0)
    assert in_bromley.screening.due_at > ldn(2026, 11, 23, 17, 0)  # Bromley's policy still
    with time_machine.travel(ldn(2026, 11, 27, 16, 0), tick=False):  # Friday, 30 min left
        friday = report_concern(client, "greenwich")
    # 30 minutes on Friday (to 16:30), 3h30 from 09:00 Monday
    assert friday.screening.due_at == ldn(2026, 11, 30, 12, 30)

    # Red: one hour of clock time from the rating, earlier than the statutory deadline
    with time_machine.travel(ldn(2026, 11, 23, 10, 30), tick=False):
        screening.set_urgency(
            user=staff.user, referral=monday, rating="red", reason="Scared to go home"
        )
    record = monday.screening
    record.refresh_from_db()
    assert (record.rating, record.effective_due_at) == ("red", ldn(2026, 11, 23, 11, 30))
    assert record.due_at == ldn(2026, 11, 23, 14, 0)


# MASH-only settings (timescales, alert windows, escalation inboxes) live in the borough's
# mash.ScreeningPolicy, never on contacts.Borough, whose every field is public contact data or
# a public service switch.
MASH_ONLY = ("screening", "assessment", "timescale", "inbox", "escalat", "warning", "red_", "due")


def test_mash_only_settings_are_not_on_the_borough_nor_on_its_public_pages(
    client, greenwich, bromley
):
    borough, _ = greenwich
    borough_fields = {f.name for f in Borough._meta.get_fields() if f.concrete}
    policy_fields = {f.name for f in ScreeningPolicy._meta.concrete_fields} - {"id", "borough"}
    assert not borough_fields & policy_fields
    assert not [f for f in borough_fields if any(word in f for word in MASH_ONLY)]

    for place in (borough, bromley):
        ScreeningPolicy.objects.filter(borough=place).update(
            managers_inbox=f"managers-{place.slug}@mash.example",
            out_of_hours_inbox=f"edt-{place.slug}@mash.example",
        )
        for url in (
            f"/{place.slug}/",
            f"/api/contacts/{place.slug}/",
            f"/{place.slug}/signs-a-child-may-be-at-risk/",
        ):
            page = get_text(client, url)
            assert "@mash.example" not in page, url
            assert place.slug in page, url
