"""Signed consent forms: checked, stored privately, attached to a referral, and cleaned up.

- Checked by content, not by what the browser says: the first bytes must be a PDF, JPEG or PNG
  signature, and the file name's extension and the declared content type must agree with them.
  A renamed HTML page or program, an empty file and a name with a second, risky extension
  (`form.pdf.exe`, `form.exe.pdf`) are refused.
- Size is capped while the request is read: `SizeLimitUploadHandler` (first in
  FILE_UPLOAD_HANDLERS) stops keeping the bytes of a file once it passes the limit, so an
  oversized upload never fills memory or disk and the form shows a GOV.UK error instead.
- Stored under a random name in `settings.PRIVATE_STORAGE` (a local folder under var/private by
  default, outside static and media files): the storage has no URL, and no URL route serves it.
- Flooding is refused while the request is read, before a byte is kept: each file counts
  against a limit per session and per client address (`reporting.ratelimit`:
  UPLOAD_LIMIT_SESSION, UPLOAD_LIMIT_CLIENT), and no file is taken while the unattached uploads
  already hold CONSENT_UPLOAD_UNATTACHED_MAX_BYTES. The form shows a GOV.UK error. Staff who are
  signed in are not limited.
- Each stored file has a `ConsentForm` row from the moment it is uploaded; submitting the
  referral attaches it. `delete_abandoned_uploads` (a periodic task, every 15 minutes) deletes
  files and rows not attached after CONSENT_UPLOAD_RETENTION_HOURS (3: a journey's session
  ends after 2 hours idle), and any stray file with no row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import secrets
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage, Storage
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.module_loading import import_string

from reporting.models import ConsentForm

logger = logging.getLogger(__name__)

SNIFF_BYTES = 16
ORIGINAL_NAME_MAX = 255


@dataclass(frozen=True)
class FileKind:
    label: str
    content_type: str
    extensions: tuple[str, ...]
    declared_types: tuple[str, ...]
    signature: bytes


KINDS = (
    FileKind(
        "PDF", "application/pdf", (".pdf",), ("application/pdf", "application/x-pdf"), b"%PDF-"
    ),
    FileKind(
        "JPG", "image/jpeg", (".jpg", ".jpeg"), ("image/jpeg", "image/pjpeg"), b"\xff\xd8\xff"
    ),
    FileKind("PNG", "image/png", (".png",), ("image/png", "image/x-png"), b"\x89PNG\r\n\x1a\n"),
)
ALLOWED_EXTENSIONS = frozenset(ext for kind in KINDS for ext in kind.extensions)
# Name parts that must never appear, even before the last dot: "form.exe.pdf", "x.html.png".
RISKY_EXTENSIONS = frozenset(
    [
        "exe",
        "com",
        "bat",
        "cmd",
        "scr",
        "pif",
        "msi",
        "msp",
        "dll",
        "cpl",
        "jar",
        "js",
        "jse",
        "mjs",
        "vbs",
        "vbe",
        "wsf",
        "wsh",
        "ps1",
        "psm1",
        "sh",
        "bash",
        "zsh",
        "py",
        "pl",
        "rb",
        "php",
        "phtml",
        "asp",
        "aspx",
        "jsp",
        "cgi",
        "htm",
        "html",
        "xhtml",
        "shtml",
        "svg",
        "xml",
        "hta",
        "mht",
        "mhtml",
        "lnk",
        "reg",
        "app",
        "dmg",
        "deb",
        "rpm",
        "apk",
        "iso",
        "img",
        "bin",
        "run",
    ]
)

WRONG_TYPE = "The selected file must be a PDF, JPG or PNG"
EMPTY = "The selected file is empty"
BUSY = "We cannot take uploads at the moment. Try again in an hour, or call us to make the referral"


def max_bytes() -> int:
    return int(settings.CONSENT_FORM_MAX_BYTES)


def size_label() -> str:
    return f"{max_bytes() // (1024 * 1024)}MB"


def too_large_message() -> str:
    return f"The selected file must be smaller than {size_label()}"


# -- storage ---------------------------------------------------------------------------------
class PrivateFileSystemStorage(FileSystemStorage):
    """A local folder that is never served: asking for a file's URL is a mistake."""

    def url(self, name):
        raise ValueError("Private files have no URL; staff download them through MASH")


def private_storage() -> Storage:
    config = settings.PRIVATE_STORAGE
    backend = import_string(config.get("BACKEND", "reporting.uploads.PrivateFileSystemStorage"))
    options = dict(config.get("OPTIONS") or {})
    options.setdefault("location", str(settings.VAR_DIR / "private"))
    return backend(**options)


# -- reading the request ---------------------------------------------------------------------
class OversizedUploadedFile(UploadedFile):
    """Stands in for a file that was too big to keep: its name, type and how many bytes came,
    but no content."""

    def __init__(self, *, name, content_type, size, charset=None):
        super().__init__(
            file=None, name=name, content_type=content_type, size=size, charset=charset
        )

    def open(self, mode=None):  # pragma: no cover - nothing to open
        raise ValueError("An oversized upload has no content")

    def chunks(self, chunk_size=None):  # pragma: no cover
        raise ValueError("An oversized upload has no content")


class RefusedUploadedFile(OversizedUploadedFile):
    """Stands in for a file refused before it was read (too many uploads, storage full): its
    name and the GOV.UK message saying why, but no content."""

    def __init__(self, *, reason: str, **kwargs):
        super().__init__(**kwargs)
        self.reason = reason


def unattached_bytes() -> int:
    return (
        ConsentForm.objects.filter(referral__isnull=True).aggregate(total=Sum("size"))["total"] or 0
    )


def unattached_max_bytes() -> int:
    return int(getattr(settings, "CONSENT_UPLOAD_UNATTACHED_MAX_BYTES", 500 * 1024 * 1024))


def too_many_message(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return (
        f"You have uploaded too many files in a short time. Try again in {minutes} "
        f"minute{'s' if minutes != 1 else ''}, or call us to make the referral"
    )


def refusal(request) -> str | None:
    """Why a file arriving in this request is refused (the GOV.UK message), or None to take
    it. Counts the file against the upload limits."""
    from reporting import ratelimit

    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return None  # staff logging a referral
    verdict = ratelimit.check_and_count_upload(request)
    if not verdict:
        logger.warning("consent form upload refused: %s limit", verdict.scope)
        return too_many_message(verdict.retry_after)
    if unattached_bytes() >= unattached_max_bytes():
        logger.warning("consent form upload refused: unattached uploads at their limit")
        return BUSY
    return None


class SizeLimitUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: refuses a file at once when this client or session has
    uploaded too many or the unattached uploads are at their limit; otherwise passes its bytes
    on to the usual handlers until it passes the size limit, then swallows the rest. A refused
    file reaches the form as a `RefusedUploadedFile`, an oversized one as an
    `OversizedUploadedFile`, neither with any content."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.too_large = False
        self.refused = refusal(self.request)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.refused:
            return None
        if self.received > max_bytes():
            self.too_large = True
            return None  # later handlers never see bytes past the limit
        return raw_data

    def file_complete(self, file_size):
        kwargs = {
            "name": self.file_name,
            "content_type": self.content_type,
            "size": self.received,
            "charset": self.charset,
        }
        if self.refused:
            return RefusedUploadedFile(reason=self.refused, **kwargs)
        if self.too_large:
            return OversizedUploadedFile(**kwargs)
        return None


# -- checking --------------------------------------------------------------------------------
def clean_original_name(name: str) -> str:
    name = unicodedata.normalize("NFC", os.path.basename((name or "").replace("\\", "/")))
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[-ORIGINAL_NAME_MAX:]


def sniff(head: bytes) -> FileKind | None:
    for kind in KINDS:
        if head.startswith(kind.signature):
            return kind
    return None


def validate_consent_file(upload: UploadedFile) -> FileKind:
    """The kind of file this is, or a ValidationError with the GOV.UK message. Reads only the
    first bytes: the size comes from the upload handler."""
    if isinstance(upload, RefusedUploadedFile):
        raise ValidationError(upload.reason, code="refused")
    if isinstance(upload, OversizedUploadedFile) or (upload.size or 0) > max_bytes():
        raise ValidationError(too_large_message(), code="too_large")
    if not upload.size:
        raise ValidationError(EMPTY, code="empty")
    name = clean_original_name(upload.name).lower()
    stem, extension = os.path.splitext(name)
    inner = stem.split(".")[1:]
    if extension not in ALLOWED_EXTENSIONS or any(part in RISKY_EXTENSIONS for part in inner):
        raise ValidationError(WRONG_TYPE, code="extension")
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    kind = sniff(head)
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    if kind is None:
        raise ValidationError(WRONG_TYPE, code="content")
    if extension not in kind.extensions:
        # A real PDF, JPG or PNG under another kind's name (a PNG renamed .pdf): say what it
        # really is, so the person can rename it or export the right kind.
        named = extension.lstrip(".").upper().replace("JPEG", "JPG")
        raise ValidationError(
            f"The selected file is a {kind.label}, but its name ends in .{named.lower()}. "
            f"Rename it to end in {kind.extensions[0]} and select it again",
            code="renamed",
        )
    if declared not in kind.declared_types:
        raise ValidationError(WRONG_TYPE, code="content")
    return kind


# -- storing ---------------------------------------------------------------------------------
def store_consent_file(upload: UploadedFile, kind: FileKind) -> dict:
    """Save a checked upload under a new random name and record it (not yet attached). Returns
    what the journey keeps in the session: names, size and checksum, never the content."""
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    storage = private_storage()
    name = f"{secrets.token_hex(16)}{kind.extensions[0]}"
    stored_name = storage.save(name, upload)
    original = clean_original_name(upload.name)
    try:
        ConsentForm.objects.create(
            stored_name=stored_name,
            original_name=original,
            content_type=kind.content_type,
            size=upload.size,
            sha256=digest.hexdigest(),
            uploaded_at=timezone.now(),
        )
    except Exception:
        storage.delete(stored_name)
        raise
    logger.info("consent form stored as %s (%s bytes)", stored_name, upload.size)
    return {
        "stored_name": stored_name,
        "original_name": original,
        "size": upload.size,
        "sha256": digest.hexdigest(),
    }


def discard_unattached(stored_name: str) -> bool:
    """Delete an upload nobody attached (it was replaced by another). True if deleted."""
    with transaction.atomic():
        deleted, _ = ConsentForm.objects.filter(
            stored_name=stored_name, referral__isnull=True
        ).delete()
    if deleted:
        private_storage().delete(stored_name)
    return bool(deleted)


def retention() -> dt.timedelta:
    return dt.timedelta(hours=int(settings.CONSENT_UPLOAD_RETENTION_HOURS))


def delete_abandoned_uploads(*, now: dt.datetime | None = None) -> int:
    """Delete consent forms uploaded more than the retention period ago and never attached to
    a referral, with their files, and any file in private storage with no row at all (older
    than the same period). Returns how many files were deleted."""
    now = now or timezone.now()
    cutoff = now - retention()
    storage = private_storage()
    deleted = 0
    stale = ConsentForm.objects.filter(referral__isnull=True, uploaded_at__lt=cutoff)
    for stored_name in list(stale.values_list("stored_name", flat=True)):
        with transaction.atomic():
            # Only if still unattached: a submission may have attached it meanwhile.
            gone, _ = ConsentForm.objects.filter(
                stored_name=stored_name, referral__isnull=True
            ).delete()
        if gone:
            storage.delete(stored_name)
            deleted += 1
    try:
        _, files = storage.listdir("")
    except FileNotFoundError:
        files = []
    known = set(
        ConsentForm.objects.filter(stored_name__in=files).values_list("stored_name", flat=True)
    )
    for name in files:
        if name in known:
            continue
        try:
            modified = storage.get_modified_time(name)
        except (FileNotFoundError, NotImplementedError):
            continue
        if modified < cutoff:
            storage.delete(name)
            deleted += 1
    if deleted:
        logger.info("deleted %s abandoned consent form upload(s)", deleted)
    return deleted
