"""The screening page and its actions: urgency, Continuum of Need level, record checks,
enquiries and their answers, the decision; and the list of late outcome notifications.

Thin views over `mash.screening` (writes), `mash.matching` and `mash.notifications`. Every view
is behind `staff_required`, finds the referral through `get_referral_or_404` (another
borough's reference answers 404, as one that does not exist) and is audited: each page shown
writes a "referral_viewed" event, each change its own event (in `mash.screening`).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from contacts.selectors import working_calendar
from mash import audit, matching, notifications, screening
from mash.access import referral_and_record_or_404, staff_required, user_boroughs
from mash.deadlines import deadline_for
from mash.exceptions import ScreeningError
from mash.models import AuditAction, Decision, Enquiry
from mash.policy import current_rules
from mash.referral_details import details_context
from mash.screening_forms import (
    AnswerForm,
    ChildCensusForm,
    ContactSourceForm,
    DecisionForm,
    EnquiryForm,
    NeedLevelForm,
    RecordCheckForm,
    UrgencyForm,
)
from reporting.models import Child


def _screening_url(referral, anchor: str = "") -> str:
    url = reverse("mash:screening", args=[referral.reference])
    return f"{url}#{anchor}" if anchor else url


def _decision(record):
    try:
        return record.decision
    except Decision.DoesNotExist:
        return None


@staff_required
@require_http_methods(["GET", "HEAD"])
def screening_page(request, reference):
    referral, record = referral_and_record_or_404(request, reference)
    audit.record(
        action=AuditAction.REFERRAL_VIEWED,
        user=request.user,
        referral=referral,
        request=request,
        page="screening",
    )
    now = timezone.now()
    calendar = working_calendar(record.borough)
    details = details_context(referral)
    children = details["children"]
    checks = [
        (child, matching.find_matches(child, exclude_referral=referral, now=now))
        for child in children
    ]
    recent = sorted({m.referral.reference for _, found in checks for m in found if m.recent})
    decision = _decision(record)
    urgency = list(record.urgency_ratings.select_related("set_by"))
    levels = list(record.need_levels.select_related("set_by"))
    rules = current_rules(record.borough)
    return render(
        request,
        "mash/screening/page.html",
        {
            "nav_current": "queue",
            "referral": referral,
            "record": record,
            **details,
            "deadline": deadline_for(record, now, calendar, rules=rules),
            "rules": rules,
            "urgency": urgency[0] if urgency else None,
            "urgency_history": urgency,
            "level": levels[0] if levels else None,
            "level_history": levels,
            "checks": checks,
            "recent": recent,
            "record_checks": list(record.record_checks.select_related("checked_by")),
            "enquiries": list(record.enquiries.select_related("requested_by", "answered_by")),
            "decision": decision,
            "outcome_message": notifications.outcome_message(referral) if decision else None,
            "not_sent_reason": notifications.not_sent_reason(referral) if decision else "",
            "may_change": screening.may_change(request.user, record),
            "holds_it": record.claimed_by_id == request.user.pk,
        },
    )


def _action_view(
    *,
    form_class,
    page: str,
    title: str,
    button: str,
    perform,
    anchor: str,
    open_only: bool = True,
    extra=None,
    get_object=None,
    initial=None,
):
    """The view of one screening action: GET shows its form, POST validates and calls
    `perform(request, referral, record, data, obj)` which returns the success message.
    `get_object(record, **url_kwargs)` finds what the action is about (or raises Http404);
    `initial(referral, obj)` the form's current values."""

    @staff_required
    @require_http_methods(["GET", "HEAD", "POST"])
    def view(request, reference, **url_kwargs):
        referral, record = referral_and_record_or_404(request, reference)
        obj = get_object(record, **url_kwargs) if get_object else None
        if open_only and record.decided_at is not None:
            messages.info(request, "This referral has been decided: it can no longer be changed.")
            return HttpResponseRedirect(_screening_url(referral))
        if not screening.may_change(request.user, record):
            messages.error(request, "Someone else is screening this referral.")
            return HttpResponseRedirect(_screening_url(referral))
        form = form_class(
            request.POST if request.method == "POST" else None,
            initial=initial(referral, obj) if initial else None,
        )
        if request.method == "POST":
            if form.is_valid():
                try:
                    message = perform(request, referral, record, form.cleaned_data, obj)
                except ValidationError as exc:
                    form.add_error(None, exc)
                except ScreeningError as exc:
                    messages.error(request, str(exc))
                    return HttpResponseRedirect(_screening_url(referral))
                else:
                    messages.success(request, message)
                    return HttpResponseRedirect(_screening_url(referral, anchor))
        else:
            audit.record(
                action=AuditAction.REFERRAL_VIEWED,
                user=request.user,
                referral=referral,
                request=request,
                page=page,
            )
        return render(
            request,
            "mash/screening/form.html",
            {
                "nav_current": "queue",
                "referral": referral,
                "record": record,
                "form": form,
                "title": title,
                "button": button,
                "form_has_errors": bool(form.errors),
                "back_url": _screening_url(referral),
                **(extra(referral, obj) if extra else {}),
                **({"object": obj} if obj is not None else {}),
            },
        )

    return view


def _set_urgency(request, referral, record, data, obj):
    row = screening.set_urgency(
        user=request.user,
        referral=referral,
        rating=data["rating"],
        reason=data["reason"],
        request=request,
    )
    return f"Urgency (screener's rating) set to {row.get_rating_display().lower()}."


urgency_view = _action_view(
    form_class=UrgencyForm,
    page="urgency",
    title="Set the urgency rating",
    button="Save the urgency rating",
    perform=_set_urgency,
    anchor="urgency",
)


def _set_need_level(request, referral, record, data, obj):
    row = screening.set_need_level(
        user=request.user,
        referral=referral,
        level=data["level"],
        reason=data["reason"],
        request=request,
    )
    return f"Continuum of Need recorded: {row.get_level_display().lower()}."


need_level_view = _action_view(
    form_class=NeedLevelForm,
    page="need_level",
    title="Record the Continuum of Need level",
    button="Save the level",
    perform=_set_need_level,
    anchor="need-level",
)


def _record_check(request, referral, record, data, obj):
    screening.record_check(
        user=request.user, referral=referral, notes=data["notes"], request=request
    )
    return "Record check saved."


record_check_view = _action_view(
    form_class=RecordCheckForm,
    page="record_check",
    title="Record the checks",
    button="Save the record check",
    perform=_record_check,
    anchor="checks",
    extra=lambda referral, obj: {"matches": matching.matches_for_referral(referral)},
)


def _request_enquiry(request, referral, record, data, obj):
    row = screening.request_enquiry(
        user=request.user,
        referral=referral,
        agency=data["agency"],
        agency_detail=data.get("agency_detail", ""),
        question=data["question"],
        request=request,
    )
    return f"Enquiry to {row.agency_name} recorded."


enquiry_view = _action_view(
    form_class=EnquiryForm,
    page="enquiry",
    title="Record an enquiry to a partner agency",
    button="Save the enquiry",
    perform=_request_enquiry,
    anchor="enquiries",
)


def _set_contact_source(request, referral, record, data, obj):
    changed = screening.set_contact_source(
        user=request.user, referral=referral, source=data["contact_source"], request=request
    )
    label = referral.get_contact_source_display()
    return f"Contact source recorded: {label}." if changed else "Contact source unchanged."


contact_source_view = _action_view(
    form_class=ContactSourceForm,
    page="contact_source",
    title="Record where the contact came from",
    button="Save the contact source",
    perform=_set_contact_source,
    anchor="census",
    open_only=False,
    initial=lambda referral, obj: {"contact_source": referral.contact_source},
)


def _child_or_404(record, pk):
    child = Child.objects.filter(pk=pk, referral_id=record.referral_id).first()
    if child is None:
        raise Http404("No such child")
    return child


def _set_child_census(request, referral, record, data, obj):
    changed = screening.set_child_census(
        user=request.user,
        referral=referral,
        child_id=obj.pk,
        sex=data["sex"],
        ethnicity=data["ethnicity"],
        request=request,
    )
    return "Sex and ethnicity recorded." if changed else "Sex and ethnicity unchanged."


child_census_view = _action_view(
    form_class=ChildCensusForm,
    page="child_census",
    title="Record the child's sex and ethnicity",
    button="Save",
    perform=_set_child_census,
    anchor="census",
    open_only=False,
    get_object=_child_or_404,
    initial=lambda referral, child: {"sex": child.sex, "ethnicity": child.ethnicity},
    extra=lambda referral, child: {"about_child": child},
)


def _enquiry_or_404(record, pk):
    enquiry = Enquiry.objects.filter(pk=pk, record=record).first()
    if enquiry is None:
        raise Http404("No such enquiry")
    return enquiry


def _answer_enquiry(request, referral, record, data, obj):
    screening.answer_enquiry(
        user=request.user,
        referral=referral,
        enquiry_id=obj.pk,
        answer=data["answer"],
        request=request,
    )
    return f"Answer from {obj.agency_name} recorded."


answer_view = _action_view(
    form_class=AnswerForm,
    page="enquiry_answer",
    title="Record the agency's answer",
    button="Save the answer",
    perform=_answer_enquiry,
    anchor="enquiries",
    open_only=False,
    get_object=_enquiry_or_404,
)


def _record_decision(request, referral, record, data, obj):
    decision = screening.record_decision(
        user=request.user,
        referral=referral,
        outcome=data["outcome"],
        rationale=data["rationale"],
        request=request,
    )
    told = (
        " The outcome message to the referrer is in the outbox." if decision.notify_referrer else ""
    )
    return f"Decision recorded: {decision.get_outcome_display().lower()}.{told}"


decision_view = _action_view(
    form_class=DecisionForm,
    page="decision",
    title="Record the decision",
    button="Record the decision",
    perform=_record_decision,
    anchor="decision",
)


@staff_required
@require_http_methods(["GET", "HEAD"])
def late_notifications_view(request):
    boroughs = list(user_boroughs(request.user))
    late = list(notifications.late_notifications(boroughs=boroughs)[:200])
    failed = notifications.failed_referrer_messages(boroughs=boroughs)
    failed_count = failed.count()
    failed = notifications.with_references(failed[:200])
    audit.record(
        action=AuditAction.LATE_NOTIFICATIONS_VIEWED,
        user=request.user,
        request=request,
        rows=len(late),
        failed=len(failed),
    )
    return render(
        request,
        "mash/screening/late_notifications.html",
        {
            "nav_current": "queue",
            "late": late,
            "boroughs": boroughs,
            "failed": failed,
            "failed_count": failed_count,
        },
    )
