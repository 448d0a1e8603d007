"""The Django admin, scoped to the admin's boroughs (issue 14): a Bromley admin neither lists,
searches nor opens Bexley's referrals; every admin view of a referral (with its children and
consent forms) is audited; a borough admin cannot make anyone a superuser; an admin resets a
lost authenticator with a one-time enrolment link. The sweep of every admin URL is in
test_access_sweep.py."""

from io import StringIO

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from mash.admin_scope import BoroughScopedAdmin, SuperuserOnlyAdmin
from mash.models import AuditAction, AuditEvent, EnrolmentLink, StaffMember
from reporting.models import Child
from tests.mash.factories import StaffMemberFactory, TOTPDeviceFactory, log_in_verified
from tests.mash.screening_factories import open_referrals

pytestmark = pytest.mark.django_db

SECRET_SURNAME = "Quillfeather-Bexsecret"


def borough_admin(*boroughs, username="bromley.admin"):
    """An admin as `create_staff --role admin` makes one, with an authenticator."""
    call_command(
        "create_staff",
        username,
        "--role",
        "admin",
        *[arg for b in boroughs for arg in ("--borough", b.slug)],
        "--password",
        "a-long-enough-passphrase",
        stdout=StringIO(),
    )
    user = get_user_model().objects.get(username=username)
    TOTPDeviceFactory(user=user)
    return user


@pytest.fixture
def referrals(bromley, bexley):
    import datetime as dt

    from django.utils import timezone

    now = timezone.now() - dt.timedelta(hours=1)
    (ours,) = open_referrals(bromley, [now])
    (theirs,) = open_referrals(bexley, [now])
    Child.objects.create(referral=theirs.referral, first_name="Ann", last_name=SECRET_SURNAME)
    Child.objects.create(referral=ours.referral, first_name="Bob", last_name="Ours")
    return ours.referral, theirs.referral


def test_create_staff_admins_are_not_superusers(bromley):
    user = borough_admin(bromley)
    assert user.is_staff and not user.is_superuser


def test_a_bromley_admin_lists_and_searches_bromley_only(client, bromley, referrals):
    ours, theirs = referrals
    log_in_verified(client, borough_admin(bromley))
    page = client.get("/admin/reporting/referral/")
    assert page.status_code == 200
    assert ours.reference in page.text
    assert theirs.reference not in page.text
    for term in (SECRET_SURNAME, theirs.reference, theirs.reference.lower()):
        found = client.get("/admin/reporting/referral/", {"q": term})
        assert found.status_code == 200
        assert found.context["cl"].result_count == 0, term
    assert (
        theirs.reference not in client.get("/admin/reporting/referral/", {"q": SECRET_SURNAME}).text
    )
    change = client.get(f"/admin/reporting/referral/{theirs.pk}/change/")
    assert change.status_code == 302  # "does not exist", as for a made-up id
    assert SECRET_SURNAME not in client.get(change["Location"]).text


def test_a_superuser_sees_every_borough(client, bromley, referrals):
    ours, theirs = referrals
    user = borough_admin(bromley)
    user.is_superuser = True
    user.save()
    log_in_verified(client, user)
    page = client.get("/admin/reporting/referral/")
    assert ours.reference in page.text and theirs.reference in page.text


def test_every_admin_view_of_a_referral_is_audited(client, bromley, referrals):
    ours, _ = referrals
    user = borough_admin(bromley)
    log_in_verified(client, user)
    page = client.get(f"/admin/reporting/referral/{ours.pk}/change/")
    assert page.status_code == 200
    assert "Ours" in page.text  # the child, shown inline
    viewed = AuditEvent.objects.get(action=AuditAction.REFERRAL_VIEWED, referral=ours)
    assert viewed.user == user
    assert viewed.detail["via"] == "admin"
    assert viewed.detail["children"] == 1
    client.get("/admin/reporting/referral/", {"q": "Ours"})
    listed = AuditEvent.objects.get(action=AuditAction.ADMIN_REFERRALS_LISTED)
    assert listed.detail["searched"] is True
    assert listed.detail["shown"] == 1
    assert "Ours" not in str(listed.detail)  # the search words are not kept


def test_a_borough_admin_cannot_grant_superuser_or_take_other_boroughs(client, bromley, bexley):
    admin_user = borough_admin(bromley)
    both = StaffMemberFactory(boroughs=[bromley, bexley])
    log_in_verified(client, admin_user)
    form = client.get(f"/admin/auth/user/{both.user.pk}/change/")
    assert form.status_code == 200
    assert 'name="is_superuser"' not in form.text
    # Editing the person's boroughs offers Bromley only, and keeps their Bexley.
    page = client.get(f"/admin/mash/staffmember/{both.pk}/change/")
    assert page.status_code == 200
    response = client.post(
        f"/admin/mash/staffmember/{both.pk}/change/",
        {"user": both.user.pk, "role": "manager", "boroughs": [bromley.pk]},
    )
    assert response.status_code == 302, response.content[:2000]
    both.refresh_from_db()
    assert both.role == "manager"
    assert set(both.boroughs.values_list("slug", flat=True)) == {"bromley", "bexley"}
    # A Bexley borough cannot be given by a Bromley admin.
    response = client.post(
        f"/admin/mash/staffmember/{both.pk}/change/",
        {"user": both.user.pk, "role": "manager", "boroughs": [bexley.pk]},
    )
    assert response.status_code == 200  # the form refuses the choice


def test_a_borough_admin_cannot_touch_a_superusers_account(client, bromley):
    admin_user = borough_admin(bromley)
    chief = StaffMemberFactory(boroughs=[bromley]).user
    chief.is_staff = chief.is_superuser = True
    chief.save()
    log_in_verified(client, admin_user)
    for url in (f"/admin/auth/user/{chief.pk}/change/", f"/admin/auth/user/{chief.pk}/password/"):
        assert client.get(url).status_code in (302, 404), url
    response = client.post(
        f"/admin/auth/user/{chief.pk}/password/",
        {"password1": "a-new-long-passphrase", "password2": "a-new-long-passphrase"},
    )
    assert response.status_code in (302, 404)
    chief.refresh_from_db()
    assert not chief.check_password("a-new-long-passphrase")


def test_an_admin_resets_a_lost_authenticator_with_an_enrolment_link(client, bromley):
    admin_user = borough_admin(bromley)
    member = StaffMemberFactory(boroughs=[bromley])
    log_in_verified(client, admin_user)
    response = client.post(
        "/admin/mash/staffmember/",
        {"action": "reset_authenticator", "_selected_action": [member.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=member.user).exists()
    link = EnrolmentLink.objects.get(user=member.user)
    assert link.created_by == admin_user
    assert "/mash/enrol/" in response.text
    assert AuditEvent.objects.filter(action=AuditAction.OTP_DEVICE_RESET, user=admin_user).exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.ENROLMENT_LINK_CREATED,
        user=admin_user,
        detail__subject_user=member.user.username,
    ).exists()


def test_every_registered_model_is_scoped_or_for_superusers_only():
    unscoped = [
        f"{model._meta.label}"
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, BoroughScopedAdmin | SuperuserOnlyAdmin)
    ]
    assert not unscoped, f"scope these in mash.admin: {unscoped}"


def test_create_staff_prints_a_one_time_link_until_enrolled(bromley):
    out = StringIO()
    call_command("create_staff", "new.person", "--borough", "bromley", stdout=out)
    assert "/mash/enrol/" in out.getvalue()
    user = get_user_model().objects.get(username="new.person")
    assert EnrolmentLink.objects.filter(user=user).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.ENROLMENT_LINK_CREATED).count() == 1
    TOTPDeviceFactory(user=user)
    out = StringIO()
    call_command("create_staff", "new.person", "--borough", "bromley", stdout=out)
    assert "/mash/enrol/" not in out.getvalue()
    out = StringIO()
    call_command("create_staff", "new.person", "--borough", "bromley", "--reset-device", stdout=out)
    assert "/mash/enrol/" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert StaffMember.objects.get(user=user).role == "screener"
