"""The consultation queue (`/mash/consultations/`): open and closed consultation requests of the
user's boroughs, one request's page, claiming it and recording the advice given.

Thin views over `mash.consultations`. Every view is behind `staff_required`; a consultation is
found only within the user's boroughs (another borough's reference, or a reference that is not
a consultation, answers 404); views and changes are audited.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from mash import audit, consultations
from mash.access import get_referral_or_404, staff_required
from mash.consultation_forms import AdviceForm
from mash.exceptions import ScreeningError
from mash.models import AuditAction
from reporting.forms import display_phone


@staff_required
@require_http_methods(["GET", "HEAD"])
def consultation_queue(request):
    status = request.GET.get("status", consultations.OPEN)
    if status not in {consultations.OPEN, consultations.CLOSED}:
        status = consultations.OPEN
    rows = list(consultations.consultation_queue(user=request.user, status=status)[:200])
    for referral in rows:
        referral.advice = consultations.advice_for(referral.screening)
    audit.record(
        action=AuditAction.CONSULTATIONS_VIEWED,
        user=request.user,
        request=request,
        status=status,
        rows=len(rows),
    )
    return render(
        request,
        "mash/consultations/queue.html",
        {
            "nav_current": "consultations",
            "rows": rows,
            "status": status,
            "statuses": consultations.STATUSES,
            "counts": consultations.counts(user=request.user),
        },
    )


def _consultation(request, reference):
    queryset = consultations.consultations_for(request.user)
    return get_referral_or_404(request.user, reference, request=request, queryset=queryset)


def _url(referral) -> str:
    return reverse("mash:consultation", args=[referral.reference])


def _page(request, referral, form=None, *, status=200):
    record = referral.screening
    return render(
        request,
        "mash/consultations/detail.html",
        {
            "nav_current": "consultations",
            "referral": referral,
            "record": record,
            "advice": consultations.advice_for(record),
            "phone": display_phone(referral.referrer_phone),
            "holds_it": record.claimed_by_id == request.user.pk,
            "may_advise": record.decided_at is None
            and record.claimed_by_id in (None, request.user.pk),
            "form": form or AdviceForm(max_length=consultations.ADVICE_MAX),
            "form_has_errors": bool(form is not None and form.errors),
        },
        status=status,
    )


@staff_required
@require_http_methods(["GET", "HEAD"])
def consultation_view(request, reference):
    referral = _consultation(request, reference)
    audit.record(
        action=AuditAction.REFERRAL_VIEWED,
        user=request.user,
        referral=referral,
        request=request,
        page="consultation",
    )
    return _page(request, referral)


@staff_required
@require_POST
def claim_view(request, reference):
    referral = _consultation(request, reference)
    try:
        consultations.claim(user=request.user, referral=referral, request=request)
    except ScreeningError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"You have claimed consultation {referral.reference}.")
    return HttpResponseRedirect(_url(referral))


@staff_required
@require_POST
def advice_view(request, reference):
    referral = _consultation(request, reference)
    form = AdviceForm(request.POST, max_length=consultations.ADVICE_MAX)
    if form.is_valid():
        try:
            consultations.record_advice(
                user=request.user,
                referral=referral,
                advice=form.cleaned_data["advice"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error("advice", exc)
        except ScreeningError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(_url(referral))
        else:
            messages.success(
                request, f"Advice recorded: consultation {referral.reference} is closed."
            )
            return HttpResponseRedirect(_url(referral))
    return _page(request, referral, form)
