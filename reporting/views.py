"""The public journeys' pages: one set of thin views for every journey in
reporting/registry.py. The rules are in each journey's steps (reporting/journey.py and the
journey modules), the writes in the services; these views only show pages and move between them.
"""

from __future__ import annotations

import functools
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from config.outage import invalid_fields, mark_saved
from contacts.selectors import borough_or_404, staffing_for
from reporting import ratelimit, selectors, services
from reporting.forms import CheckAnswersForm
from reporting.journey import Location, State, forget_all
from reporting.models import Referral
from reporting.registry import JOURNEYS, PublicJourney

logger = logging.getLogger(__name__)

# The URL segment of each repeating group's pages: /child/2/name/, /carer/1/carer/.
GROUP_SEGMENTS = {"children": "child", "carers": "carer"}
EXPIRED_TITLE = "This page has expired"
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
@require_http_methods(["GET", "HEAD", "POST"])
def start(request, borough_slug: str, journey: str):
    """The start page; its "Start now" (a POST) begins a new report, even after one was sent
    from this browser (every page of a sent one says so, see `_already_sent`)."""
    entry = JOURNEYS[journey]
    borough = borough_or_404(borough_slug)
    first_url = location_url(entry, borough.slug, entry.journey.first)
    if request.method == "POST":
        entry.journey.forget_sent(request.session, borough.slug)
        if entry.journey.load(request.session, borough.slug) is None:
            entry.journey.start(request.session, borough.slug)
        return redirect(first_url)
    title = f"{entry.service_for(borough)} – {borough.council_name}"
    return _page(request, entry, borough, entry.start_template, title)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def exit_page(request):
    """ "Exit this page" (a link, so it works without JavaScript; govuk-frontend's Shift x3
    follows it too): every journey's answers leave the session before the person lands on the
    exit site, and the session's key changes, so Back shows only "This page has expired"."""
    forget_all(request.session)
    if request.session.is_empty():
        request.session.flush()
    else:
        request.session.cycle_key()  # a signed-in member of staff stays signed in
    response = HttpResponseRedirect(settings.EXIT_PAGE_URL)
    response["Referrer-Policy"] = "no-referrer"
    return response


def _already_sent(request, entry: PublicJourney, borough, reference: str):
    return _page(
        request,
        entry,
        borough,
        "reporting/already_sent.html",
        f"You have already sent this {entry.noun}",
        reference=reference,
    )


def _expired(request, entry: PublicJourney, borough):
    return _page(request, entry, borough, "reporting/expired.html", EXPIRED_TITLE)


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
        if reference := entry.journey.sent_reference(request.session, slug):
            return _already_sent(request, entry, borough, reference)
        if location != entry.journey.first:
            return _expired(request, entry, borough)
        state = entry.journey.start(request.session, slug)
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
        # Post/redirect/get for a refused answer too: Back and reload never resubmit a form.
        typed = {k: v for k, v in request.POST.lists() if k != "csrfmiddlewaretoken"}
        file_errors = {name: list(form.errors.get(name, [])) for name in request.FILES}
        entry.journey.refused(request.session, slug, state, location, typed, file_errors)
        return redirect(request.get_full_path())
    if refused := entry.journey.take_refused(request.session, slug, state, location):
        form = _refused_form(the_step.form_class, refused, kwargs)
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
        if reference := entry.journey.sent_reference(request.session, slug):
            if request.method == "POST":  # "Send" again, after the first one was answered
                return redirect(f"report:{entry.key}_confirmation", slug)
            return _already_sent(request, entry, borough, reference)
        return _expired(request, entry, borough)
    if not entry.journey.is_complete(state):
        return redirect(url(entry.journey.first_incomplete(state)))
    if request.method == "POST":
        return _send(request, entry, borough, state)
    entry.journey.submission_key(request.session, slug, state)  # fixed from now on

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


def _refused_form(form_class, refused: dict, kwargs: dict):
    """The form of a refused answer, as typed, with its messages (file fields keep theirs)."""
    data = QueryDict(mutable=True)
    for name, values in refused["data"].items():
        data.setlist(name, values)
    form = form_class(data, **kwargs)
    for name, messages in refused["file_errors"].items():
        if messages:
            form.errors[name] = form.error_class(messages)
        else:
            form.errors.pop(name, None)
    return form


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
    """'Send' on the check page: the honeypot, the rate limit, then the submission, once per
    submission key: a double click, concurrent sends or a retry after an error that followed
    the commit all lead to the one referral's confirmation."""
    slug = borough.slug
    key = entry.journey.submission_key(request.session, slug, state)
    reference = selectors.submitted_reference(submission_key=key)
    page = None
    if reference is None:
        if (refusal := _refusal(request, entry, borough)) is not None:
            return refusal
        try:
            referral = services.submit_once(
                entry.submit,
                submission_key=key,
                borough=borough,
                answers=entry.build_answers(state),
            )
            reference, page = referral.reference, _sent_page(entry, referral)
        except ValidationError as exc:
            # Field names only: the messages and a traceback can carry what was typed.
            logger.error(
                "%s refused by the model's rules (%s): %s", entry.key, slug, invalid_fields(exc)
            )
            return _page(request, entry, borough, entry.template("problem"), PROBLEM_TITLE, 400)
    mark_saved(request, reference)
    entry.journey.mark_sent(request.session, slug, reference, page=page)
    return redirect(f"report:{entry.key}_confirmation", slug)


def _sent_page(entry: PublicJourney, referral) -> dict:
    """What the confirmation page says about this referral (never an answer: the reference
    and facts such as "emailed"), worked out once, from the referral just saved."""
    return {
        "sent": {"reference": referral.reference, **entry.sent(referral)},
        "show_childline": referral.referrer_type == Referral.ReferrerType.CHILD,
    }


def _refusal(request, entry: PublicJourney, borough):
    """The page refusing a send (a bot's honeypot, too many sends), or None."""
    if CheckAnswersForm(request.POST).is_bot:
        logger.info("%s refused: honeypot filled (%s)", entry.key, borough.slug)
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
            check_url=reverse(f"report:{entry.key}_check", args=[borough.slug]),
        )
        response["Retry-After"] = str(ratelimit.retry_after())
        return response
    return None


@never_cache
@require_safe
def confirmation(request, borough_slug: str, journey: str):
    """The confirmation: what the send worked out and the session keeps (`_sent_page`), else
    from the reference the session keeps and the referral itself."""
    entry = JOURNEYS[journey]
    borough = borough_or_404(borough_slug)
    page = entry.journey.sent_page(request.session, borough.slug)
    if page is None:  # sent again after the first answer, or an older session: ask the database
        reference = entry.journey.sent_reference(request.session, borough.slug)
        referral = reference and selectors.sent_referral(borough=borough, reference=reference)
        if not referral:
            return redirect(f"report:{entry.key}_start", borough.slug)
        page = _sent_page(entry, referral)
    return _page(
        request,
        entry,
        borough,
        entry.sent_template,
        entry.sent_title,
        next_steps=entry.next_steps,
        **page,
    )
