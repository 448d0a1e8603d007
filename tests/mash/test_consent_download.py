"""Downloading a Family Wellbeing consent form: staff of the referral's borough only (404
otherwise, and for a consent id of another referral), audited, an attachment under a generated
name with the stored content type, nosniff and no-store, read from private storage."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mash.downloads import download_name
from mash.models import AuditEvent
from reporting import uploads
from reporting.models import ConsentForm, Referral
from tests.mash.factories import log_in_password_only
from tests.reporting.factories import ReferralFactory

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def private_dir(settings, tmp_path):
    settings.PRIVATE_STORAGE = {
        "BACKEND": "reporting.uploads.PrivateFileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "private")},
    }
    return tmp_path / "private"


def stored_consent(referral, *, name="signed consent.pdf", content=PDF, content_type=None):
    """A consent form stored as the upload path stores it, then attached to `referral`."""
    declared = content_type or ("application/pdf" if content.startswith(b"%PDF") else "image/png")
    upload = SimpleUploadedFile(name, content, content_type=declared)
    kind = uploads.validate_consent_file(upload)
    stored = uploads.store_consent_file(upload, kind)
    ConsentForm.objects.filter(stored_name=stored["stored_name"]).update(referral=referral)
    return ConsentForm.objects.get(stored_name=stored["stored_name"])


@pytest.fixture
def wellbeing(bromley):
    return ReferralFactory(borough=bromley, kind=Referral.Kind.FAMILY_WELLBEING)


def url(referral, consent) -> str:
    return reverse("mash:consent_download", args=[referral.reference, consent.pk])


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_download_serves_the_file_as_a_safe_attachment(client_in, screener, wellbeing):
    consent = stored_consent(wellbeing)
    response = client_in.get(url(wellbeing, consent))
    assert response.status_code == 200
    assert body(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    expected = f"consent-{wellbeing.reference}-{consent.pk}.pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{expected}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    directives = [d.strip() for d in response["Cache-Control"].split(",")]
    assert "no-store" in directives and "public" not in directives
    event = AuditEvent.objects.get(action="consent_downloaded")
    assert event.user == screener and event.referral == wellbeing
    assert event.detail["consent_id"] == consent.pk
    assert "signed consent" not in str(event.detail)


def test_png_keeps_its_type_and_extension(client_in, wellbeing):
    consent = stored_consent(wellbeing, name="scan.png", content=PNG)
    response = client_in.get(url(wellbeing, consent))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].endswith(f'-{consent.pk}.png"')
    assert body(response) == PNG


@pytest.mark.parametrize(
    "original",
    [
        'evil"; filename="x.html.pdf',
        "../../etc/passwd.pdf",
        "résumé\r\nSet-Cookie: a=b.pdf",
        "<script>alert(1)</script>.pdf",
    ],
)
def test_the_uploaders_name_never_reaches_the_header(client_in, wellbeing, original):
    consent = stored_consent(wellbeing)
    ConsentForm.objects.filter(pk=consent.pk).update(original_name=original)
    response = client_in.get(url(wellbeing, consent))
    disposition = response["Content-Disposition"]
    assert disposition == (f'attachment; filename="consent-{wellbeing.reference}-{consent.pk}.pdf"')
    assert "Set-Cookie" not in response


def test_download_name_is_built_from_safe_parts_only(wellbeing):
    consent = ConsentForm(pk=7, content_type="text/html", original_name="a.html")
    assert download_name(consent, 'BRM-AB"C\r\n') == "consent-BRM-ABC-7.bin"
    consent.content_type = "image/jpeg"
    assert download_name(consent, wellbeing.reference) == f"consent-{wellbeing.reference}-7.jpg"


def test_an_unexpected_stored_type_is_served_as_octet_stream(client_in, wellbeing):
    consent = stored_consent(wellbeing)
    ConsentForm.objects.filter(pk=consent.pk).update(content_type="text/html")
    response = client_in.get(url(wellbeing, consent))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].endswith('.bin"')


def test_another_borough_is_404_and_audited(client_in, bexley):
    elsewhere = ReferralFactory(borough=bexley, kind=Referral.Kind.FAMILY_WELLBEING)
    consent = stored_consent(elsewhere)
    response = client_in.get(url(elsewhere, consent))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="consent_downloaded").exists()
    refused = AuditEvent.objects.get(action="access_refused")
    assert refused.referral == elsewhere and refused.detail["reason"] == "not_in_scope"


def test_a_consent_id_of_another_referral_is_404(client_in, bromley, wellbeing):
    other = ReferralFactory(borough=bromley, kind=Referral.Kind.FAMILY_WELLBEING)
    consent = stored_consent(other)
    response = client_in.get(url(wellbeing, consent))  # own borough, wrong referral
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="consent_downloaded").exists()
    refused = AuditEvent.objects.get(action="access_refused")
    assert refused.referral == wellbeing and refused.detail["consent_id"] == consent.pk


def test_an_unattached_upload_is_404(client_in, wellbeing):
    upload = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    stored = uploads.store_consent_file(upload, uploads.validate_consent_file(upload))
    consent = ConsentForm.objects.get(stored_name=stored["stored_name"])
    assert client_in.get(url(wellbeing, consent)).status_code == 404


def test_a_missing_file_is_404(client_in, wellbeing, private_dir):
    consent = stored_consent(wellbeing)
    (private_dir / consent.stored_name).unlink()
    assert client_in.get(url(wellbeing, consent)).status_code == 404
    assert not AuditEvent.objects.filter(action="consent_downloaded").exists()


def test_unknown_reference_is_404(client_in, wellbeing):
    consent = stored_consent(wellbeing)
    response = client_in.get(reverse("mash:consent_download", args=["BRM-XXXX-XXXX", consent.pk]))
    assert response.status_code == 404


def test_password_only_and_anonymous_are_sent_to_sign_in(client, screener, wellbeing):
    consent = stored_consent(wellbeing)
    response = client.get(url(wellbeing, consent))
    assert response.status_code == 302 and "/mash/login/" in response["Location"]
    log_in_password_only(client, screener)
    response = client.get(url(wellbeing, consent))
    assert response.status_code == 302 and "/mash/login/" in response["Location"]
    assert not AuditEvent.objects.filter(action="consent_downloaded").exists()


def test_only_get(client_in, wellbeing):
    consent = stored_consent(wellbeing)
    assert client_in.post(url(wellbeing, consent)).status_code == 405


def test_the_file_is_not_in_any_served_place(wellbeing, private_dir):
    consent = stored_consent(wellbeing)
    assert (private_dir / consent.stored_name).read_bytes() == PDF
    with pytest.raises(ValueError):
        uploads.private_storage().url(consent.stored_name)


def test_the_screening_page_links_to_each_consent_form(client_in, wellbeing):
    from tests.mash.screening_factories import ScreeningRecordFactory

    ScreeningRecordFactory(referral=wellbeing)
    consent = stored_consent(wellbeing)
    response = client_in.get(reverse("mash:screening", args=[wellbeing.reference]))
    assert response.status_code == 200
    assert f'href="{url(wellbeing, consent)}"' in response.content.decode()
    assert "Download signed consent form" in response.content.decode()
