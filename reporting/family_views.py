"""The public pages of the Family Wellbeing referral, self-referral and consultation request:
one set of thin views, driven by a `Flow` per journey. The rules are in
reporting/family_journeys.py and reporting/journey.py, the writes in reporting/family_services.py,
abuse controls (rate limit, honeypot) are the concern journey's own."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from contacts.selectors import staffing_for, working_calendar
from contacts.views import borough_or_404
from reporting import family_journeys as fj
from reporting import family_services, ratelimit
from reporting.concern_journey import child_data, format_date
from reporting.forms import CheckAnswersForm
from reporting.journey import Journey, Location

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Flow:
    key: str  # URL names: family:<key>_start, ...
    journey: Journey
    service: str  # the service's name, for the start page and titles
    build_answers: Callable
    check_sections: Callable
    submit: Callable
    sent_title: str
    send_label: str

    @property
    def confirmation_key(self) -> str:
        return f"reporting:{self.key}:sent:{{}}"


FLOWS = {
    "wellbeing": Flow(
        key="wellbeing",
        journey=fj.FAMILY_WELLBEING,
        service="Refer a family to Family Wellbeing",
        build_answers=fj.family_wellbeing_answers,
        check_sections=fj.family_wellbeing_sections,
        submit=family_services.submit_family_wellbeing,
        sent_title="Referral sent",
        send_label="Send referral",
    ),
    "self": Flow(
        key="self",
        journey=fj.SELF_REFERRAL,
        service="Ask Family Wellbeing for help",
        build_answers=fj.self_referral_answers,
        check_sections=fj.self_referral_sections,
        submit=family_services.submit_self_referral,
        sent_title="Request sent",
        send_label="Send request",
    ),
    "consultation": Flow(
        key="consultation",
        journey=fj.CONSULTATION,
        service="Ask MASH for a consultation",
        build_answers=fj.consultation_answers,
        check_sections=fj.consultation_sections,
        submit=family_services.submit_consultation,
        sent_title="Request sent",
        send_label="Send request",
    ),
}
GROUP_SEGMENTS = {fj.CHILDREN: "child", fj.CARERS: "carer"}


def location_url(flow: Flow, slug: str, location: Location, *, change: bool = False) -> str:
    if location.step == flow.journey.finish:
        return reverse(f"family:{flow.key}_check", args=[slug])
    if location.index is None:
        url = reverse(f"family:{flow.key}_step", args=[slug, location.step])
    else:
        group = flow.journey.step(location.step).group
        url = reverse(
            f"family:{flow.key}_{GROUP_SEGMENTS[group]}_step",
            args=[slug, location.index + 1, location.step],
        )
    return f"{url}?change=1" if change else url


def _context(request, flow: Flow, borough, **extra) -> dict:
    state = flow.journey.load(request.session, borough.slug)
    return {
        "borough": borough,
        "flow": flow,
        "staffing": staffing_for(borough, timezone.now()),
        "show_childline": bool(state and fj.young_person(state)),
        "start_url": reverse(f"family:{flow.key}_start", args=[borough.slug]),
        "consultation_url": reverse("family:consultation_start", args=[borough.slug]),
        **extra,
    }


def _page(request, flow, borough, template, title, status=200, **extra):
    return render(
        request,
        template,
        _context(request, flow, borough, title=title, **extra),
        status=status,
    )


@never_cache
@require_safe
def start(request, borough_slug: str, flow: str):
    the_flow = FLOWS[flow]
    borough = borough_or_404(borough_slug)
    first_url = location_url(the_flow, borough.slug, the_flow.journey.first)
    return _page(
        request,
        the_flow,
        borough,
        f"reporting/family/{flow}_start.html",
        f"{the_flow.service} – {borough.council_name}",
        first_url=first_url,
    )


def _form_kwargs(step, state, index, borough) -> dict:
    kwargs = step.form_kwargs(state, index) if step.form_kwargs else {}
    if step.name == "callback":
        kwargs["calendar"] = working_calendar(borough)
    return kwargs


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def step(
    request,
    borough_slug: str,
    step_name: str,
    flow: str,
    number: int | None = None,
    group: str | None = None,
):
    the_flow = FLOWS[flow]
    journey = the_flow.journey
    borough = borough_or_404(borough_slug)
    the_step = journey.by_name.get(step_name)
    if the_step is None or the_step.name == journey.finish or the_step.group != group:
        raise Http404("No such page")
    if number is not None and number < 1:
        raise Http404("No such page")
    location = Location(the_step.name, None if number is None else number - 1)
    slug = borough.slug

    if the_step.form_class is None:  # an information page (the no-consent stop)
        if request.method == "POST":
            return redirect(location_url(the_flow, slug, location))
        state = journey.load(request.session, slug)
        back = journey.back_location(state, location) if state else None
        return _page(
            request,
            the_flow,
            borough,
            the_step.template,
            the_step.title,
            back_url=location_url(the_flow, slug, back) if back else None,
        )

    state = journey.load(request.session, slug)
    if state is None:
        if location != journey.first:
            return _page(
                request, the_flow, borough, "reporting/expired.html", "Your answers were not saved"
            )
        state = journey.start(request.session, slug)
        request.session.pop(the_flow.confirmation_key.format(slug), None)
    if the_step.prepare:
        the_step.prepare(state)
    if not journey.may_show(state, location):
        return redirect(location_url(the_flow, slug, journey.first_incomplete(state)))

    change = request.GET.get("change") == "1"
    index = location.index
    kwargs = _form_kwargs(the_step, state, index, borough)
    if request.method == "POST":
        form = the_step.form_class(request.POST, request.FILES, **kwargs)
        if form.is_valid():
            state.extra.pop(fj.draft_key(the_step.name), None)
            target, keep_change = journey.answered(
                request.session, slug, state, location, form.dump(), change=change
            )
            return redirect(location_url(the_flow, slug, target, change=keep_change))
    else:
        stored = state.answer(the_step, index)
        if stored is None and index is None:  # an answer set aside to be asked again
            stored = state.extra.get(fj.draft_key(the_step.name))
        form = the_step.form_class(initial=the_step.form_class.initial_from(stored), **kwargs)

    if change:
        back_url = reverse(f"family:{flow}_check", args=[slug])
    else:
        back = journey.back_location(state, location)
        back_url = (
            location_url(the_flow, slug, back)
            if back
            else reverse(f"family:{flow}_start", args=[slug])
        )
    extra = {}
    if the_step.name == "children":
        extra["children"] = _children_rows(the_flow, state, slug)
    elif the_step.name == "carers":
        extra["carers"] = _carer_rows(the_flow, state, slug)
    return render(
        request,
        the_step.template,
        _context(
            request,
            the_flow,
            borough,
            form=form,
            title=form.title,
            form_has_errors=bool(form.errors),
            back_url=back_url,
            **extra,
        ),
    )


def _children_rows(flow: Flow, state, slug: str) -> list[dict]:
    rows = []
    items = state.items(fj.CHILDREN)
    for index in range(len(items)):
        data = child_data(state, index)
        you = fj.voice(state, index).you
        name = "You" if you else (fj.cj.child_name(state, index) or "Name not known")
        if data.get("unborn"):
            age = "Not born yet"
        elif data.get("date_of_birth"):
            age = "Born " + format_date(data["date_of_birth"])
        else:
            age = ""
        rows.append(
            {
                "name": name,
                "summary": age,
                "change_url": location_url(flow, slug, Location("name", index)),
                "remove_url": location_url(flow, slug, Location("remove-child", index))
                if len(items) > 1
                else None,
            }
        )
    return rows


def _carer_rows(flow: Flow, state, slug: str) -> list[dict]:
    items = state.items(fj.CARERS)
    rows = []
    for index in range(len(items)):
        carer = items[index].get("carer") or {}
        rows.append(
            {
                "name": carer.get("name", ""),
                "summary": carer.get("relationship", ""),
                "change_url": location_url(flow, slug, Location("carer", index)),
                "remove_url": location_url(flow, slug, Location("remove-carer", index))
                if len(items) > 1
                else None,
            }
        )
    return rows


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def check(request, borough_slug: str, flow: str):
    the_flow = FLOWS[flow]
    journey = the_flow.journey
    borough = borough_or_404(borough_slug)
    slug = borough.slug
    state = journey.load(request.session, slug)
    if state is None:
        if request.method == "POST" and request.session.get(the_flow.confirmation_key.format(slug)):
            return redirect(f"family:{flow}_confirmation", slug)  # a second click on "Send"
        return _page(
            request, the_flow, borough, "reporting/expired.html", "Your answers were not saved"
        )
    if not journey.is_complete(state):
        return redirect(location_url(the_flow, slug, journey.first_incomplete(state)))

    if request.method == "POST":
        form = CheckAnswersForm(request.POST)
        if form.is_bot:
            logger.info("%s refused: honeypot filled (%s)", flow, slug)
            return _page(
                request,
                the_flow,
                borough,
                "reporting/family/problem.html",
                "Sorry, there is a problem",
                status=400,
            )
        if not ratelimit.check_and_count(request):
            response = _page(
                request,
                the_flow,
                borough,
                "reporting/family/too_many.html",
                "You have sent too many requests",
                status=429,
                retry_minutes=max(1, ratelimit.retry_after() // 60),
            )
            response["Retry-After"] = str(ratelimit.retry_after())
            return response
        answers = the_flow.build_answers(state)
        try:
            referral = the_flow.submit(borough=borough, answers=answers)
        except ValidationError:
            logger.exception("%s refused by the model's rules (%s)", flow, slug)
            return _page(
                request,
                the_flow,
                borough,
                "reporting/family/problem.html",
                "Sorry, there is a problem",
                status=400,
            )
        young = fj.young_person(state)
        journey.clear(request.session, slug)
        request.session[the_flow.confirmation_key.format(slug)] = {
            "reference": referral.reference,
            "emailed": referral.outbox_messages.exists(),
            "child": young,
        }
        return redirect(f"family:{flow}_confirmation", slug)

    sections = [
        {
            "title": section.title,
            "remove_url": location_url(the_flow, slug, section.remove) if section.remove else None,
            "rows": [
                {
                    "key": row.key,
                    "value": row.value,
                    "change_url": location_url(the_flow, slug, row.change, change=True),
                    "change_label": row.change_label,
                }
                for row in section.rows
            ],
        }
        for section in the_flow.check_sections(state)
    ]
    back = journey.back_location(state, Location(journey.finish))
    return _page(
        request,
        the_flow,
        borough,
        "reporting/family/check_answers.html",
        journey.step(journey.finish).title,
        sections=sections,
        form=CheckAnswersForm(),
        back_url=location_url(the_flow, slug, back) if back else None,
    )


@never_cache
@require_safe
def confirmation(request, borough_slug: str, flow: str):
    the_flow = FLOWS[flow]
    borough = borough_or_404(borough_slug)
    sent = request.session.get(the_flow.confirmation_key.format(borough.slug))
    if not sent:
        return redirect(f"family:{flow}_start", borough.slug)
    context = _context(request, the_flow, borough, title=the_flow.sent_title, sent=sent)
    context["show_childline"] = sent.get("child", False)
    context["next_steps"] = f"reporting/family/_next_{flow}.html"
    return render(request, "reporting/family/sent.html", context)
