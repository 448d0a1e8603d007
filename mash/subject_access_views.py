"""Subject access export pages (managers): search, then read or download everything held."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from mash import audit
from mash.access import (
    get_referral_or_404,
    manager_required,
    refuse_unless_manager,
    staff_required,
)
from mash.models import AuditAction
from mash.subject_access import referral_export, referrals_naming


def _json_download(data, filename: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@manager_required
@require_safe
def search(request):
    """Find what is held about a named person (or go to one referral by reference)."""
    name = request.GET.get("name", "").strip()[:100]
    exports = None
    if name:
        referrals = list(referrals_naming(request.user, name))
        exports = [referral_export(referral) for referral in referrals]
        as_json = request.GET.get("format") == "json"
        detail = {
            "matches": len(referrals),
            "references": [referral.reference for referral in referrals],
            "format": "json" if as_json else "html",
        }
        if as_json:
            audit.record(
                action=AuditAction.SUBJECT_ACCESS_EXPORTED,
                user=request.user,
                request=request,
                **detail,
            )
        else:
            audit.record(
                action=AuditAction.SUBJECT_ACCESS_SEARCHED,
                user=request.user,
                request=request,
                **detail,
            )
        if as_json:
            return _json_download(
                {"search": "name", "matches": len(exports), "referrals": exports},
                "subject-access-search.json",
            )
    return render(
        request, "mash/subject_access.html", {"name": name, "exports": exports, "single": False}
    )


@never_cache
@staff_required
@require_safe
def referral(request, reference):
    """Everything held about one referral, as a page or (?format=json) a JSON download."""
    # Scope first: another borough's referral is a 404 for everyone, managers or not.
    referral = get_referral_or_404(request.user, reference, request=request)
    refuse_unless_manager(request, referral=referral)
    export = referral_export(referral)
    as_json = request.GET.get("format") == "json"
    audit.record(
        action=AuditAction.SUBJECT_ACCESS_EXPORTED,
        user=request.user,
        referral=referral,
        request=request,
        format="json" if as_json else "html",
    )
    if as_json:
        return _json_download(export, f"subject-access-{referral.reference}.json")
    return render(
        request, "mash/subject_access.html", {"exports": [export], "single": True, "name": ""}
    )
