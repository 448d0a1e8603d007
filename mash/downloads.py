"""Download of a Family Wellbeing referral's signed consent form.

Staff of the referral's borough only: the referral is found through `get_referral_or_404`
(another borough's reference is a 404, as one that does not exist) and the consent form must
belong to that referral (another referral's form id is a 404 too). Every download is audited.
The file comes from private storage (it has no URL), as an attachment under a generated name
(`consent-<reference>-<id>.<ext>`: the uploader's file name never reaches the header), with the
content type recorded when it was checked at upload, `nosniff` and `no-store`.
"""

from __future__ import annotations

import logging

from django.http import FileResponse, Http404
from django.views.decorators.http import require_http_methods

from mash import audit
from mash.access import get_referral_or_404, staff_required
from mash.models import AuditAction
from reporting.models import ConsentForm
from reporting.uploads import KINDS, private_storage

logger = logging.getLogger(__name__)

EXTENSIONS = {kind.content_type: kind.extensions[0] for kind in KINDS}
DEFAULT_TYPE = "application/octet-stream"


def download_name(consent: ConsentForm, reference: str) -> str:
    """A safe file name made only of the reference, the form's id and its checked kind."""
    extension = EXTENSIONS.get(consent.content_type, ".bin")
    safe_reference = "".join(ch for ch in reference if ch.isascii() and (ch.isalnum() or ch == "-"))
    return f"consent-{safe_reference}-{consent.pk}{extension}"


@staff_required
@require_http_methods(["GET"])
def consent_form_download(request, reference, pk):
    referral = get_referral_or_404(request.user, reference, request=request)
    consent = ConsentForm.objects.filter(referral=referral, pk=pk).first()
    if consent is None:
        audit.record(
            action=AuditAction.ACCESS_REFUSED,
            user=request.user,
            referral=referral,
            request=request,
            reason="consent_not_found",
            consent_id=pk,
        )
        raise Http404("No such consent form on this referral")
    try:
        handle = private_storage().open(consent.stored_name, "rb")
    except FileNotFoundError as exc:
        logger.error("consent form %s of %s is missing from storage", consent.pk, referral)
        raise Http404("The consent form file is missing") from exc
    audit.record(
        action=AuditAction.CONSENT_DOWNLOADED,
        user=request.user,
        referral=referral,
        request=request,
        consent_id=consent.pk,
        size=consent.size,
    )
    content_type = consent.content_type if consent.content_type in EXTENSIONS else DEFAULT_TYPE
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(consent, referral.reference),
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
