"""The MASH queue: the list, "take next", a referral's summary, release and reassignment.

Thin views over `mash.selectors` and `mash.services`. Every view is behind `staff_required`
(password + TOTP + a StaffMember), every referral is found through `get_referral_or_404`
(another borough's reference answers 404), and every view of a referral is audited.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from contacts.selectors import working_calendar
from mash import audit, queue_table, services
from mash.access import referral_and_record_or_404, refuse_unless_manager, staff_required
from mash.deadlines import deadline_for
from mash.exceptions import ScreeningError
from mash.models import AuditAction
from mash.policy import current_rules
from mash.referral_details import details_context
from mash.selectors import (
    KINDS,
    STATES,
    Cursor,
    QueueFilters,
    queue_page,
)


def _queue_url(filters: QueueFilters, **cursor) -> str:
    query = {**filters.as_query(), **{k: v.encode() for k, v in cursor.items() if v}}
    return reverse("mash:queue") + (f"?{urlencode(query)}" if query else "")


@staff_required
@require_http_methods(["GET", "HEAD"])
def queue(request):
    filters = QueueFilters.from_query(request.GET)
    after = Cursor.decode(request.GET.get("after"))
    before = None if after else Cursor.decode(request.GET.get("before"))
    page = queue_page(user=request.user, filters=filters, after=after, before=before)
    audit.record(
        action=AuditAction.QUEUE_VIEWED,
        user=request.user,
        request=request,
        filters=filters.as_query(),
        rows=len(page.rows),
    )
    return render(
        request,
        "mash/queue.html",
        {
            "nav_current": "queue",
            "page": page,
            "rows_html": queue_table.table_rows(page, request.user),
            "filters": filters,
            "kinds": KINDS,
            "states": [(s.value, s.label) for s in STATES],
            "paged": bool(after or before),
            "first_url": _queue_url(filters),
            "next_url": _queue_url(filters, after=page.next_cursor) if page.has_next else "",
            "previous_url": (
                _queue_url(filters, before=page.previous_cursor) if page.has_previous else ""
            ),
        },
    )


@staff_required
@require_POST
def take_next_view(request):
    record = services.take_next(user=request.user, request=request)
    if record is None:
        messages.info(request, "There are no referrals waiting that nobody holds.")
        return HttpResponseRedirect(reverse("mash:queue"))
    messages.success(request, f"You are now screening {record.referral.reference}.")
    return HttpResponseRedirect(reverse("mash:referral", args=[record.referral.reference]))


@staff_required
@require_http_methods(["GET", "HEAD"])
def referral_view(request, reference):
    referral, record = referral_and_record_or_404(request, reference)
    audit.record(
        action=AuditAction.REFERRAL_VIEWED, user=request.user, referral=referral, request=request
    )
    calendar = working_calendar(record.borough)
    member = request.user.staff
    return render(
        request,
        "mash/referral.html",
        {
            "nav_current": "queue",
            "referral": referral,
            "record": record,
            **details_context(referral),
            "deadline": deadline_for(
                record, timezone.now(), calendar, rules=current_rules(record.borough)
            ),
            "holds_it": record.claimed_by_id == request.user.pk,
            "is_manager": member.is_manager,
        },
    )


@staff_required
@require_POST
def release_view(request, reference):
    referral, record = referral_and_record_or_404(request, reference)
    try:
        services.release(user=request.user, record=record, request=request)
    except ScreeningError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("mash:referral", args=[referral.reference]))
    messages.success(request, f"{referral.reference} is back in the queue.")
    return HttpResponseRedirect(reverse("mash:queue"))


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def reassign_view(request, reference):
    # Scope first: another borough's referral is a 404 for everyone, managers or not.
    referral, record = referral_and_record_or_404(request, reference)
    refuse_unless_manager(request, referral=referral)
    staff = list(services.staff_of_borough(record.borough_id))
    error = ""
    chosen = request.POST.get("to", "")
    if request.method == "POST":
        target = next((m.user for m in staff if str(m.user.pk) == chosen), None)
        if target is None:
            error = "Select who should screen this referral"
        else:
            try:
                services.reassign(
                    manager=request.user, record=record, to_user=target, request=request
                )
            except ScreeningError as exc:
                error = str(exc)
            else:
                name = target.get_full_name() or target.get_username()
                messages.success(request, f"{referral.reference} is now held by {name}.")
                return HttpResponseRedirect(reverse("mash:referral", args=[referral.reference]))
    else:
        audit.record(
            action=AuditAction.REFERRAL_VIEWED,
            user=request.user,
            referral=referral,
            request=request,
            page="reassign",
        )
    return render(
        request,
        "mash/reassign.html",
        {
            "nav_current": "queue",
            "referral": referral,
            "record": record,
            "staff": staff,
            "chosen": chosen,
            "error": error,
            "form_has_errors": bool(error),
        },
    )
