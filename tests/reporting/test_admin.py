"""Submissions in the Django admin: listed, searchable, read-only, never added or deleted."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from notifications.admin import OutboxMessageAdmin
from notifications.models import OutboxMessage
from reporting.admin import ReferralAdmin
from reporting.models import Referral
from tests.notifications.factories import OutboxMessageFactory
from tests.reporting.factories import ChildFactory, ReferralFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    user = get_user_model().objects.create_superuser("admin", "admin@example.com", "x" * 16)
    user.is_verified = lambda: True  # as django-otp marks a session that passed TOTP
    return user


def _request(user, path="/admin/", data=None):
    request = RequestFactory().get(path, data or {})
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_admin_classes_pass_django_checks():
    assert ReferralAdmin(Referral, admin.site).check() == []
    assert OutboxMessageAdmin(OutboxMessage, admin.site).check() == []
    assert isinstance(admin.site._registry[Referral], ReferralAdmin)


def test_referral_list_and_search_by_reference_typed_loosely(bromley, superuser):
    wanted = ReferralFactory(borough=bromley, reference="BRM-4K7Q-X9D0")
    ReferralFactory(borough=bromley, reference="BRM-AAAA-BBBB")
    model_admin = admin.site._registry[Referral]
    response = model_admin.changelist_view(_request(superuser, data={"q": "brm 4k7q x9do"}))
    response.render()
    html = response.content.decode()
    assert wanted.reference in html
    assert "BRM-AAAA-BBBB" not in html


def test_referral_page_is_read_only_with_children(bromley, superuser):
    referral = ReferralFactory(borough=bromley, description="<b>Shouting</b> every night")
    ChildFactory(referral=referral, first_name="Amira")
    model_admin = admin.site._registry[Referral]
    request = _request(superuser, f"/admin/reporting/referral/{referral.pk}/change/")
    response = model_admin.change_view(request, str(referral.pk))
    response.render()
    html = response.content.decode()
    assert "Amira" in html
    assert "&lt;b&gt;Shouting&lt;/b&gt; every night" in html  # text, escaped
    assert 'name="description"' not in html  # no input: read-only
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_delete_permission(request, referral)
    # Everything but the legal hold (ops.retention), which an admin sets.
    fields = {f.name for f in Referral._meta.fields} - {"id", "legal_hold", "legal_hold_reason"}
    assert fields <= set(model_admin.get_readonly_fields(request, referral))
    assert "legal_hold" not in model_admin.get_readonly_fields(request, referral)


def test_family_referral_shows_carers_and_consent_forms_read_only(bromley, superuser):
    import datetime as dt

    from reporting.models import Carer, ConsentForm

    referral = ReferralFactory(borough=bromley, kind=Referral.Kind.FAMILY_WELLBEING)
    Carer.objects.create(referral=referral, name="Jo Parent", relationship="Mother")
    ConsentForm.objects.create(
        referral=referral,
        stored_name="a" * 32,
        original_name="signed-consent.pdf",
        content_type="application/pdf",
        size=1234,
        sha256="0" * 64,
        uploaded_at=dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC),
    )
    model_admin = admin.site._registry[Referral]
    request = _request(superuser, f"/admin/reporting/referral/{referral.pk}/change/")
    response = model_admin.change_view(request, str(referral.pk))
    response.render()
    html = response.content.decode()
    assert "Jo Parent" in html and "Mother" in html
    assert "signed-consent.pdf" in html
    assert "a" * 32 not in html  # the stored name (where the file lies) is not shown
    assert 'name="carers-0-name"' not in html  # no inputs: read-only
    for inline in model_admin.get_inline_instances(request, referral):
        assert not inline.has_add_permission(request, referral)
        assert not inline.has_change_permission(request, referral)
        assert not inline.has_delete_permission(request, referral)


def test_outbox_is_read_only(superuser):
    OutboxMessageFactory(last_error="SMTPServerDisconnected: gone")
    model_admin = admin.site._registry[OutboxMessage]
    request = _request(superuser)
    response = model_admin.changelist_view(request)
    response.render()
    assert "SMTPServerDisconnected" in response.content.decode()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
