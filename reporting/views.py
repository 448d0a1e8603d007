"""The public journeys' pages: one set of thin views for every journey in
reporting/registry.py. The rules are in each journey's steps (reporting/journey.py and the
journey modules), the writes in the services; these views only show pages and move between them.
"""

from __future__ import annotations

import functools
import logging

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from config.outage import invalid_fields, mark_saved
from contacts.selectors import borough_or_404, staffing_for
from reporting import ratelimit
from reporting.forms import CheckAnswersForm
from reporting.journey import Location, State
from reporting.registry import JOURNEYS, PublicJourney

logger = logging.getLogger(__name__)

# The URL segment of each repeating group's pages: /child/2/name/, /carer/1/carer/.
GROUP_SEGMENTS = {"children": "child", "carers": "carer"}
EXPIRED_TITLE = "Your answers were not saved"
PROBLEM_TITLE = "Sorry, there is a problem"


def location_url(entry: PublicJourney, slug: str, location: Location, *, change=False) -> str:
    journey = entry.journey
    if location.step == journey.finish:
        return reverse(f"report:{entry.key}_check", args=[slug])
    if location.index is None:
        url = reverse(f"report:{entry.key}_step", args=[slug, location.step])
    else:
        segment = GROUP_SEGMENTS[journey.step(location.step).group]
        url = reverse(
            f"report:{entry.key}_{segment}_step", args=[slug, location.index + 1, location.step]
        )
    return f"{url}?change=1" if change else url


def _page(request, entry: PublicJourney, borough, template, title, status=200, **extra):
    state = entry.journey.load(request.session, borough.slug)
    context = {
        "borough": borough,
        "journey": entry,
        "service": entry.service_for(borough),
        "staffing": staffing_for(borough, timezone.now()),
        "show_childline": bool(state and entry.childline(state)),
        "start_url": reverse(f"report:{entry.key}_start", args=[borough.slug]),
        "title": title,
        **extra,
    }
    return render(request, template, context, status=status)


@never_cache
@require_safe
def start(request, borough_slug: str, journey: str):
    entry = JOURNEYS[journey]
    borough = borough_or_404(borough_slug)
    first_url = location_url(entry, borough.slug, entry.journey.first)
    title = f"{entry.service_for(borough)} – {borough.council_name}"
    return _page(request, entry, borough, entry.start_template, title, first_url=first_url)


def _location_or_404(entry: PublicJourney, step_name: str, number, group) -> Location:
    step = entry.journey.by_name.get(step_name)
    if step is None or step.name == entry.journey.finish or step.group != group:
        raise Http404("No such page")
    if number is not None and number < 1:
        raise Http404("No such page")
    return Location(step.name, None if number is None else number - 1)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def step(request, borough_slug: str, step_name: str, journey: str, number=None, group=None):
    entry = JOURNEYS[journey]
    borough = borough_or_404(borough_slug)
    location = _location_or_404(entry, step_name, number, group)
    the_step = entry.journey.step(location.step)
    slug = borough.slug
    url = functools.partial(location_url, entry, slug)
    if the_step.form_class is None:  # an information page: always safe to show
        if request.method == "POST":
            return redirect(url(location))
        state = entry.journey.load(request.session, slug)
        back = entry.journey.back_location(state, location) if state else None
        return _page(
            request, entry, borough, the_step.template, the_step.title, back_url=back and url(back)
        )

    state = entry.journey.load(request.session, slug)
    if state is None:
        if location != entry.journey.first:
            return _page(request, entry, borough, "reporting/expired.html", EXPIRED_TITLE)
        state = entry.journey.start(request.session, slug)
        request.session.pop(entry.confirmation_key.format(slug), None)
    if the_step.prepare:
        the_step.prepare(state)
    if not entry.journey.may_show(state, location):
        return redirect(url(entry.journey.first_incomplete(state)))
    return _question(request, entry, borough, state, location)


def _question(request, entry: PublicJourney, borough, state: State, location: Location):
    """A question page: show its form, or store a valid answer and go on."""
    slug = borough.slug
    url = functools.partial(location_url, entry, slug)
    the_step = entry.journey.step(location.step)
    change = request.GET.get("change") == "1"
    kwargs = the_step.kwargs(state, location.index, borough)
    if request.method == "POST":
        form = the_step.form_class(request.POST, request.FILES, **kwargs)
        if form.is_valid():
            target, keep_change = entry.journey.answered(
                request.session, slug, state, location, form.dump(), change=change
            )
            return redirect(url(target, change=keep_change))
    else:
        stored = state.stored_or_draft(the_step, location.index)
        form = the_step.form_class(initial=the_step.form_class.initial_from(stored), **kwargs)

    if change:
        back_url = url(Location(entry.journey.finish))
    else:
        back = entry.journey.back_location(state, location)
        back_url = url(back) if back else reverse(f"report:{entry.key}_start", args=[slug])
    return _page(
        request,
        entry,
        borough,
        the_step.template,
        entry.journey.page_title(location),
        form=form,
        form_has_errors=bool(form.errors),
        back_url=back_url,
        **(the_step.context(state, url) if the_step.context else {}),
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def check(request, borough_slug: str, journey: str):
    entry = JOURNEYS[journey]
    borough = borough_or_404(borough_slug)
    slug = borough.slug
    url = functools.partial(location_url, entry, slug)
    state = entry.journey.load(request.session, slug)
    if state is None:
        if request.method == "POST" and request.session.get(entry.confirmation_key.format(slug)):
            return redirect(f"report:{entry.key}_confirmation", slug)  # a second click on "Send"
        return _page(request, entry, borough, "reporting/expired.html", EXPIRED_TITLE)
    if not entry.journey.is_complete(state):
        return redirect(url(entry.journey.first_incomplete(state)))
    if request.method == "POST":
        return _send(request, entry, borough, state)

    back = entry.journey.back_location(state, Location(entry.journey.finish))
    return _page(
        request,
        entry,
        borough,
        entry.template("check_answers"),
        entry.journey.step(entry.journey.finish).title,
        sections=[_section(entry, section, url) for section in entry.check_sections(state)],
        form=CheckAnswersForm(),
        back_url=back and url(back),
        **entry.check_context(state, url),
    )


def _section(entry: PublicJourney, section, url) -> dict:
    remove = section.remove
    return {
        "title": section.title,
        "remove_url": remove and url(remove, change=entry.remove_returns_to_check),
        "add_child": section.add_child,
        "rows": [
            {
                "key": row.key,
                "value": row.value,
                "change_url": url(row.change, change=True),
                "change_label": row.change_label,
            }
            for row in section.rows
        ],
    }


def _send(request, entry: PublicJourney, borough, state: State):
    """'Send' on the check page: the honeypot, the rate limit, then the submission."""
    slug = borough.slug
    if CheckAnswersForm(request.POST).is_bot:
        logger.info("%s refused: honeypot filled (%s)", entry.key, slug)
        return _page(request, entry, borough, entry.template("problem"), PROBLEM_TITLE, 400)
    if not ratelimit.check_and_count(request):
        response = _page(
            request,
            entry,
            borough,
            entry.template("too_many"),
            entry.too_many_title,
            429,
            retry_minutes=max(1, ratelimit.retry_after() // 60),
            check_url=reverse(f"report:{entry.key}_check", args=[slug]),
        )
        response["Retry-After"] = str(ratelimit.retry_after())
        return response
    try:
        referral = entry.submit(borough=borough, answers=entry.build_answers(state))
    except ValidationError as exc:
        # Field names only: the messages and a traceback can carry what was typed.
        logger.error(
            "%s refused by the model's rules (%s): %s", entry.key, slug, invalid_fields(exc)
        )
        return _page(request, entry, borough, entry.template("problem"), PROBLEM_TITLE, 400)
    mark_saved(request, referral.reference)
    young = entry.childline(state)
    entry.journey.clear(request.session, slug)
    request.session[entry.confirmation_key.format(slug)] = {
        "reference": referral.reference,
        **entry.sent(referral),
        "child": young,
    }
    return redirect(f"report:{entry.key}_confirmation", slug)


@never_cache
@require_safe
def confirmation(request, borough_slug: str, journey: str):
    entry = JOURNEYS[journey]
    borough = borough_or_404(borough_slug)
    sent = request.session.get(entry.confirmation_key.format(borough.slug))
    if not sent:
        return redirect(f"report:{entry.key}_start", borough.slug)
    response = _page(
        request,
        entry,
        borough,
        entry.sent_template,
        entry.sent_title,
        sent=sent,
        next_steps=entry.next_steps,
        show_childline=sent.get("child", False),
    )
    return response
