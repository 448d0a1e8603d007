"""The public "Report a concern about a child" pages. Thin: the journey's rules are in
reporting/concern_journey.py and reporting/journey.py, the writes in reporting/services.py."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from contacts.selectors import staffing_for
from contacts.views import borough_or_404
from reporting import ratelimit
from reporting.concern_journey import (
    CHILDREN,
    CONCERN,
    about_self,
    age_facts,
    answer,
    check_sections,
    child_name,
    format_date,
    voice,
)
from reporting.concern_journey import build_answers as build_concern_answers
from reporting.forms import CheckAnswersForm
from reporting.journey import Location
from reporting.services import submit_concern

logger = logging.getLogger(__name__)

CONFIRMATION_KEY = "reporting:confirmation:{}"


def location_url(borough_slug: str, location: Location, *, change: bool = False) -> str:
    if location.step == CONCERN.finish:
        return reverse("report:check", args=[borough_slug])
    if location.index is None:
        url = reverse("report:step", args=[borough_slug, location.step])
    else:
        url = reverse("report:child_step", args=[borough_slug, location.index + 1, location.step])
    return f"{url}?change=1" if change else url


def _context(request, borough, **extra) -> dict:
    state = CONCERN.load(request.session, borough.slug)
    is_child = bool(state and answer(state, "who", "who") == "child")
    return {
        "borough": borough,
        "staffing": staffing_for(borough, timezone.now()),
        "show_childline": is_child,
        "start_url": reverse("report:start", args=[borough.slug]),
        **extra,
    }


def _expired(request, borough):
    return render(
        request,
        "reporting/expired.html",
        _context(request, borough, title=("Your answers were not saved")),
    )


@never_cache
@require_safe
def start(request, borough_slug: str):
    borough = borough_or_404(borough_slug)
    first_url = location_url(borough.slug, CONCERN.first)
    return render(request, "reporting/start.html", _context(request, borough, first_url=first_url))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def step(request, borough_slug: str, step_name: str, number: int | None = None):
    borough = borough_or_404(borough_slug)
    the_step = CONCERN.by_name.get(step_name)
    if the_step is None or the_step.name == CONCERN.finish:
        raise Http404("No such page")
    if (the_step.group is None) != (number is None) or (number is not None and number < 1):
        raise Http404("No such page")
    location = Location(the_step.name, None if number is None else number - 1)
    slug = borough.slug

    if the_step.form_class is None:  # an information page: always safe to show
        if request.method == "POST":
            return redirect(location_url(slug, location))
        state = CONCERN.load(request.session, slug)
        back = CONCERN.back_location(state, location) if state else None
        return render(
            request,
            the_step.template,
            _context(
                request,
                borough,
                title=the_step.title,
                back_url=location_url(slug, back) if back else None,
            ),
        )

    state = CONCERN.load(request.session, slug)
    if state is None:
        if location != CONCERN.first:
            return _expired(request, borough)
        state = CONCERN.start(request.session, slug)
        request.session.pop(CONFIRMATION_KEY.format(slug), None)
    if the_step.prepare:
        the_step.prepare(state)
    if not CONCERN.may_show(state, location):
        return redirect(location_url(slug, CONCERN.first_incomplete(state)))

    change = request.GET.get("change") == "1"
    index = location.index
    kwargs = the_step.form_kwargs(state, index) if the_step.form_kwargs else {}
    if request.method == "POST":
        form = the_step.form_class(request.POST, **kwargs)
        if form.is_valid():
            target, keep_change = CONCERN.answered(
                request.session, slug, state, location, form.dump(), change=change
            )
            return redirect(location_url(slug, target, change=keep_change))
    else:
        form = the_step.form_class(
            initial=the_step.form_class.initial_from(state.answer(the_step, index)), **kwargs
        )

    if change:
        back_url = reverse("report:check", args=[slug])
    else:
        back = CONCERN.back_location(state, location)
        back_url = location_url(slug, back) if back else reverse("report:start", args=[slug])
    context = _context(
        request,
        borough,
        form=form,
        title=form.title,
        form_has_errors=bool(form.errors),
        back_url=back_url,
    )
    if the_step.name == "children":
        context["children"] = children_rows(state, slug)
    return render(request, the_step.template, context)


def children_rows(state, slug: str) -> list[dict]:
    """The "You have told us about N children" list: name, age, change and remove links."""
    rows = []
    items = state.items(CHILDREN)
    for index in range(len(items)):
        data = age_facts(state, index)
        name = "You" if voice(state, index).you else (child_name(state, index) or "Name not known")
        if data.get("unborn"):
            age = "Not born yet, due " + format_date(data.get("due_date"))
        elif data.get("date_of_birth"):
            age = "Born " + format_date(data["date_of_birth"])
        elif data.get("approximate_age") is not None:
            age = (
                f"About {data['approximate_age']} years old"
                if data["approximate_age"]
                else "Under 1"
            )
        else:
            age = ""
        rows.append(
            {
                "name": name,
                "summary": age,
                "change_url": location_url(slug, Location("name", index)),
                "remove_url": location_url(slug, Location("remove-child", index))
                if len(items) > 1
                else None,
            }
        )
    return rows


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def check(request, borough_slug: str):
    borough = borough_or_404(borough_slug)
    slug = borough.slug
    state = CONCERN.load(request.session, slug)
    if state is None:
        if request.method == "POST" and request.session.get(CONFIRMATION_KEY.format(slug)):
            return redirect("report:confirmation", slug)  # a second click on "Send"
        return _expired(request, borough)
    if not CONCERN.is_complete(state):
        return redirect(location_url(slug, CONCERN.first_incomplete(state)))

    if request.method == "POST":
        form = CheckAnswersForm(request.POST)
        if form.is_bot:
            logger.info("report refused: honeypot filled (%s)", slug)
            return render(
                request,
                "reporting/problem.html",
                _context(request, borough, title="Sorry, there is a problem"),
                status=400,
            )
        if not ratelimit.check_and_count(request):
            response = render(
                request,
                "reporting/too_many.html",
                _context(
                    request,
                    borough,
                    title="You have sent too many reports",
                    retry_minutes=max(1, ratelimit.retry_after() // 60),
                ),
                status=429,
            )
            response["Retry-After"] = str(ratelimit.retry_after())
            return response
        answers = build_concern_answers(state)
        try:
            referral = submit_concern(borough=borough, answers=answers)
        except ValidationError:
            logger.exception("report refused by the model's rules (%s)", slug)
            return render(
                request,
                "reporting/problem.html",
                _context(request, borough, title="Sorry, there is a problem"),
                status=400,
            )
        is_child = answers["who"] == "child"
        CONCERN.clear(request.session, slug)
        request.session[CONFIRMATION_KEY.format(slug)] = {
            "reference": referral.reference,
            "contactable": referral.is_contactable,
            "anonymous": referral.anonymous,
            "child": is_child,
        }
        return redirect("report:confirmation", slug)

    sections = []
    for section in check_sections(state):
        sections.append(
            {
                "title": section.title,
                "remove_url": location_url(slug, section.remove, change=True)
                if section.remove
                else None,
                "add_child": section.add_child,
                "rows": [
                    {
                        "key": row.key,
                        "value": row.value,
                        "change_url": location_url(slug, row.change, change=True),
                        "change_label": row.change_label,
                    }
                    for row in section.rows
                ],
            }
        )
    back = CONCERN.back_location(state, Location(CONCERN.finish))
    return render(
        request,
        "reporting/check_answers.html",
        _context(
            request,
            borough,
            title=CONCERN.step(CONCERN.finish).title,
            sections=sections,
            children_url=location_url(slug, Location("children"), change=True),
            form=CheckAnswersForm(),
            about_self=about_self(state),
            back_url=location_url(slug, back) if back else None,
        ),
    )


@never_cache
@require_safe
def confirmation(request, borough_slug: str):
    borough = borough_or_404(borough_slug)
    sent = request.session.get(CONFIRMATION_KEY.format(borough.slug))
    if not sent:
        return redirect("report:start", borough.slug)
    context = _context(request, borough, title="Report sent", sent=sent)
    context["show_childline"] = sent.get("child", False)
    return render(request, "reporting/confirmation.html", context)
