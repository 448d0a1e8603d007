"""Logging a referral received by phone, email or letter (`/mash/log/`).

One staff page (`mash.intake_forms.LogReferralForm`: the public journey's forms in a staff
layout). A valid page is saved through `reporting.services.submit_concern` with the channel and
the time it was received, so the screening record and its due time come from the same signal
path as an online referral; the logging is audited in the same transaction. The borough must
be one of the staff member's: any other is a form error, and nothing is saved.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from mash import audit
from mash.access import staff_required, user_boroughs
from mash.intake_forms import MAX_CHILDREN, LogReferralForm, children_count, without_child
from mash.models import AuditAction
from reporting.services import submit_concern

logger = logging.getLogger(__name__)

ADD_CHILD = "add-child"
REMOVE_CHILD = "remove-child"


def _render(request, form, *, status=200):
    return render(
        request,
        "mash/intake/log.html",
        {
            "nav_current": "log",
            "form": form,
            "form_has_errors": form.has_errors,
        },
        status=status,
    )


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def log_referral(request):
    boroughs = list(user_boroughs(request.user).order_by("name"))
    if request.method != "POST":
        return _render(request, LogReferralForm(boroughs=boroughs))
    data = request.POST
    action = data.get("action", "")
    if action == ADD_CHILD:
        count = min(children_count(data) + 1, MAX_CHILDREN)
        return _render(
            request, LogReferralForm(data, boroughs=boroughs, children=count).unchecked()
        )
    if action.startswith(REMOVE_CHILD):
        try:
            index = int(action.removeprefix(f"{REMOVE_CHILD}-"))
        except ValueError:
            index = -1
        if 0 <= index < children_count(data) and children_count(data) > 1:
            data = without_child(data, index)
        return _render(request, LogReferralForm(data, boroughs=boroughs).unchecked())
    form = LogReferralForm(data, boroughs=boroughs)
    if not form.is_valid():
        return _render(request, form)
    try:
        with transaction.atomic():
            referral = submit_concern(
                borough=form.borough,
                answers=form.answers(),
                channel=form.channel_value,
                received_at=form.received_at,
                contact_source=form.contact_source,
            )
            audit.record(
                action=AuditAction.REFERRAL_LOGGED,
                user=request.user,
                referral=referral,
                request=request,
                channel=referral.channel,
                received_at=referral.received_at.isoformat(),
            )
    except ValidationError as exc:
        # The forms check everything the model does; this is a last line of defence.
        logger.warning("logged referral refused by the model: %s", exc.messages)
        form.add_error("The referral could not be saved: check the answers and try again")
        return _render(request, form)
    messages.success(request, f"Referral {referral.reference} logged.")
    return HttpResponseRedirect(reverse("mash:screening", args=[referral.reference]))
