"""Consent form uploads: content sniffing, the size cap while the request is read, private
storage with no URL, and the periodic clean-up of abandoned uploads."""

import datetime as dt
import os
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import get_resolver
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from contacts.calendar import LONDON
from reporting import uploads
from reporting.models import ConsentForm
from reporting.tasks import delete_abandoned_uploads as cleanup_task
from tests.reporting.factories import ReferralFactory

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 50
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 50
NOON = dt.datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def private(settings, tmp_path):
    settings.PRIVATE_STORAGE = {
        "BACKEND": "reporting.uploads.PrivateFileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "private")},
    }
    return tmp_path / "private"


def upload(name, content, content_type):
    return SimpleUploadedFile(name, content, content_type=content_type)


# -- sniffing --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "content", "content_type", "label"),
    [
        ("consent.pdf", PDF, "application/pdf", "PDF"),
        ("CONSENT.PDF", PDF, "application/pdf", "PDF"),
        ("scan.jpg", JPEG, "image/jpeg", "JPG"),
        ("scan.jpeg", JPEG, "image/jpeg", "JPG"),
        ("photo.png", PNG, "image/png", "PNG"),
        ("Consent 12.03.2026.pdf", PDF, "application/pdf", "PDF"),
    ],
)
def test_accepted_files(name, content, content_type, label):
    assert uploads.validate_consent_file(upload(name, content, content_type)).label == label


@pytest.mark.parametrize(
    ("name", "content", "content_type", "code"),
    [
        ("consent.pdf", b"", "application/pdf", "empty"),
        ("consent.pdf", b"<!DOCTYPE html><script>x()</script>", "application/pdf", "content"),
        ("consent.pdf", b"MZ\x90\x00\x03" + b"\x00" * 40, "application/pdf", "content"),
        ("consent.pdf.exe", PDF, "application/pdf", "extension"),
        ("consent.exe.pdf", PDF, "application/pdf", "extension"),
        ("consent.html.png", PNG, "image/png", "extension"),
        ("consent.html", b"<html></html>", "text/html", "extension"),
        ("consent", PDF, "application/pdf", "extension"),
        ("consent.pdf", PDF, "text/html", "content"),  # declared type does not match
        ("consent.pdf", PDF, "", "content"),
        ("consent.svg", b"<svg></svg>", "image/svg+xml", "extension"),
    ],
)
def test_refused_files(name, content, content_type, code):
    with pytest.raises(ValidationError) as caught:
        uploads.validate_consent_file(upload(name, content, content_type))
    assert caught.value.code == code
    expected = {
        "empty": "The selected file is empty",
        "content": "The selected file must be a PDF, JPG or PNG",
        "extension": "The selected file must be a PDF, JPG or PNG",
    }[code]
    assert caught.value.messages == [expected]


@pytest.mark.parametrize(
    ("name", "content", "content_type", "message"),
    [
        (
            "consent.pdf",
            PNG,
            "application/pdf",
            "The selected file is a PNG, but its name ends in .pdf. "
            "Rename it to end in .png and select it again",
        ),
        (
            "consent.png",
            PDF,
            "image/png",
            "The selected file is a PDF, but its name ends in .png. "
            "Rename it to end in .pdf and select it again",
        ),
    ],
)
def test_a_renamed_file_is_named_for_what_it_really_is(name, content, content_type, message):
    with pytest.raises(ValidationError) as caught:
        uploads.validate_consent_file(upload(name, content, content_type))
    assert caught.value.code == "renamed" and caught.value.messages == [message]


@given(st.binary(min_size=1, max_size=64))
def test_sniffing_needs_a_real_signature(head):
    kind = uploads.sniff(head)
    if kind is not None:
        assert head.startswith(kind.signature)
    else:
        assert not any(head.startswith(k.signature) for k in uploads.KINDS)


def test_size_is_checked_before_reading():
    class Huge(SimpleUploadedFile):
        def read(self, *args):  # pragma: no cover - must not be called
            raise AssertionError("read an oversized file")

    big = Huge("consent.pdf", b"", content_type="application/pdf")
    big.size = 10 * 1024 * 1024 + 1
    with pytest.raises(ValidationError) as caught:
        uploads.validate_consent_file(big)
    assert caught.value.messages == ["The selected file must be smaller than 10MB"]


@pytest.mark.django_db  # the handler first checks the unattached uploads' total
def test_the_handler_stops_keeping_bytes_past_the_limit(settings):
    settings.CONSENT_FORM_MAX_BYTES = 100
    body = (
        b"--B\r\n"
        b'Content-Disposition: form-data; name="consented_by"\r\n\r\nSara\r\n'
        b"--B\r\n"
        b'Content-Disposition: form-data; name="consent_file"; filename="c.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n" + PDF + b"0" * 5000 + b"\r\n--B--\r\n"
    )
    request = RequestFactory().generic(
        "POST", "/", data=body, content_type="multipart/form-data; boundary=B"
    )
    request.upload_handlers = [
        uploads.SizeLimitUploadHandler(request),
        *request.upload_handlers,
    ]
    file = request.FILES["consent_file"]
    assert isinstance(file, uploads.OversizedUploadedFile)
    assert file.size > 100 and file.name == "c.pdf"
    assert request.POST["consented_by"] == "Sara"
    with pytest.raises(ValidationError, match="smaller than 0MB|smaller than"):
        uploads.validate_consent_file(file)


def test_upload_settings():
    assert django_settings.FILE_UPLOAD_HANDLERS[0] == "reporting.uploads.SizeLimitUploadHandler"
    assert django_settings.CONSENT_FORM_MAX_BYTES == 10 * 1024 * 1024
    assert django_settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 2_621_440
    task = django_settings.CELERY_BEAT_SCHEDULE["reporting-delete-abandoned-uploads"]
    assert task["task"] == "reporting.delete_abandoned_uploads"


# -- private storage -------------------------------------------------------------------------
def test_default_private_storage_is_outside_anything_served(settings):
    from config import settings as project

    location = Path(project.PRIVATE_STORAGE["OPTIONS"]["location"]).resolve()
    served = [Path(django_settings.STATIC_ROOT), *map(Path, django_settings.STATICFILES_DIRS)]
    if django_settings.MEDIA_ROOT:
        served.append(Path(django_settings.MEDIA_ROOT))
    for folder in served:
        assert not location.is_relative_to(folder.resolve())
    assert location.is_relative_to(Path(django_settings.VAR_DIR).resolve())
    settings.PRIVATE_STORAGE = project.PRIVATE_STORAGE
    assert isinstance(uploads.private_storage(), uploads.PrivateFileSystemStorage)
    with pytest.raises(ValueError):
        uploads.private_storage().url("anything.pdf")


@pytest.mark.django_db
def test_stored_file_has_a_random_name_and_a_row(private):
    meta = uploads.store_consent_file(
        upload("../../etc/pass\x00wd.pdf", PDF, "application/pdf"), uploads.KINDS[0]
    )
    row = ConsentForm.objects.get()
    assert row.stored_name == meta["stored_name"] and row.referral is None
    assert row.original_name == "passwd.pdf"
    assert (private / row.stored_name).read_bytes() == PDF
    assert row.size == len(PDF) and len(row.sha256) == 64
    other = uploads.store_consent_file(
        upload("consent.pdf", PDF, "application/pdf"), uploads.KINDS[0]
    )
    assert other["stored_name"] != meta["stored_name"]


@pytest.mark.django_db
def test_no_url_serves_a_private_file(client, private, seeded_boroughs):
    meta = uploads.store_consent_file(upload("c.pdf", PDF, "application/pdf"), uploads.KINDS[0])
    name = meta["stored_name"]
    for url in (
        f"/{name}",
        f"/private/{name}",
        f"/media/{name}",
        f"/static/{name}",
        f"/var/private/{name}",
        f"/bromley/family-wellbeing/{name}",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert PDF not in b"".join(getattr(response, "streaming_content", [response.content]))
    # No URL pattern anywhere routes to a file-serving view.
    views = list(_views(get_resolver().url_patterns))
    assert views and not [
        v
        for v in views
        if v.__module__.startswith(("django.views.static", "django.contrib.staticfiles"))
    ]


def _views(patterns):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            yield from _views(pattern.url_patterns)
        else:
            yield pattern.callback


# -- clean-up --------------------------------------------------------------------------------
@pytest.mark.django_db
def test_abandoned_uploads_are_deleted_after_the_retention_period(private, seeded_boroughs):
    with time_machine.travel(NOON, tick=False):
        abandoned = uploads.store_consent_file(
            upload("a.pdf", PDF, "application/pdf"), uploads.KINDS[0]
        )
        attached = uploads.store_consent_file(
            upload("b.pdf", PDF, "application/pdf"), uploads.KINDS[0]
        )
        ConsentForm.objects.filter(stored_name=attached["stored_name"]).update(
            referral=ReferralFactory()
        )
    with time_machine.travel(NOON + dt.timedelta(hours=2, minutes=59), tick=False):
        assert uploads.delete_abandoned_uploads() == 0
        assert (private / abandoned["stored_name"]).exists()
    with time_machine.travel(NOON + dt.timedelta(hours=3, minutes=1), tick=False):
        assert cleanup_task.apply().get() == 1  # the task itself, whatever the broker
    assert not ConsentForm.objects.filter(stored_name=abandoned["stored_name"]).exists()
    assert not (private / abandoned["stored_name"]).exists()
    assert (private / attached["stored_name"]).exists()
    assert ConsentForm.objects.filter(stored_name=attached["stored_name"]).exists()


@pytest.mark.django_db
def test_stray_files_without_a_row_are_deleted_too(private):
    private.mkdir(parents=True, exist_ok=True)
    stray = private / "0123456789abcdef0123456789abcdef.pdf"
    stray.write_bytes(PDF)
    now = timezone.now()
    os.utime(stray, (now.timestamp(), now.timestamp()))  # the file's age on the test's clock
    assert uploads.delete_abandoned_uploads() == 0  # new: could be mid-upload
    later = now + dt.timedelta(hours=25)
    assert uploads.delete_abandoned_uploads(now=later) == 1
    assert not stray.exists()


@pytest.mark.django_db
def test_clean_up_with_no_folder_yet():
    assert uploads.delete_abandoned_uploads() == 0
