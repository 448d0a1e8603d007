"""The pages of "Check a report", under /<borough>/check-a-report/: the start page with its
form, "enter the code", the status, and signing out. Thin: the rules are in mash.check_report.

Like the journeys' pages: never stored by a cache (`never_cache`), titles that carry nothing
typed, a refused answer shown again after a redirect (post/redirect/get, so Back and reload
never resubmit), and "Exit this page" forgets all of it (the state is under the journeys'
session prefix)."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from contacts.selectors import borough_or_404, staffing_for
from mash import check_report
from mash.check_report import Entry
from mash.check_report_forms import CodeForm, StartForm
from reporting import ratelimit

SERVICE = "Check a report"
REFUSED = "refused"


def _page(request, borough, template: str, title: str, status: int = 200, **extra):
    context = {
        "borough": borough,
        "service": SERVICE,
        "title": title,
        "staffing": staffing_for(borough, timezone.now()),
        "start_url": reverse("check:start", args=[borough.slug]),
        "report_url": reverse("report:concern_start", args=[borough.slug]),
        "valid_minutes": int(check_report.VALID_FOR.total_seconds() // 60),
        "status_minutes": int(check_report.STATUS_FOR.total_seconds() // 60),
        **extra,
    }
    return render(request, template, context, status=status)


def _refuse(request, borough, form_name: str, error: str = ""):
    """Keep what was typed (and a message the form cannot give itself) for the page shown
    after the redirect."""
    state = check_report.state(request.session, borough)
    typed = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    state[REFUSED] = {"form": form_name, "data": typed, "error": error}
    check_report.save_state(request.session, borough, state)
    return redirect(request.path)


def _take_refused(request, borough, form_name: str) -> dict | None:
    state = check_report.state(request.session, borough)
    refused = state.pop(REFUSED, None)
    if refused is None:
        return None
    check_report.save_state(request.session, borough, state)
    return refused if refused.get("form") == form_name else None


def _too_many(request, borough, verdict: ratelimit.Verdict, back_url: str):
    seconds = ratelimit.retry_after(verdict=verdict)
    response = _page(
        request,
        borough,
        "mash/check_report/too_many.html",
        "Sorry, there have been too many tries",
        429,
        retry_minutes=max(1, seconds // 60),
        per_reference=verdict.limit is check_report.ASK_REFERENCE,
        back_url=back_url,
    )
    response["Retry-After"] = str(seconds)
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def start(request, borough_slug: str):
    borough = borough_or_404(borough_slug)
    if request.method == "POST":
        form = StartForm(request.POST, borough=borough)
        if not form.is_valid():
            return _refuse(request, borough, "start")
        reference = form.cleaned_data["reference"]
        verdict = ratelimit.check_and_count_limits(
            request, check_report.ASK_LIMITS, keys={"reference": reference}
        )
        if not verdict:
            return _too_many(request, borough, verdict, request.path)
        asked = check_report.ask_for_code(
            borough=borough,
            reference=reference,
            channel=form.channel,
            contact=form.cleaned_data["contact"],
            request=request,
        )
        check_report.save_state(
            request.session, borough, {"token": str(asked.token), "channel": form.channel}
        )
        return redirect("check:code", borough.slug)
    refused = _take_refused(request, borough, "start")
    form = StartForm(refused["data"], borough=borough) if refused else StartForm(borough=borough)
    return _page(
        request,
        borough,
        "mash/check_report/start.html",
        "",  # the start page's title is the service's name and the council's
        form=form,
        form_has_errors=bool(refused),
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def code(request, borough_slug: str):
    borough = borough_or_404(borough_slug)
    state = check_report.state(request.session, borough)
    token = state.get("token")
    if not token:
        return redirect("check:start", borough.slug)
    if ended := state.get("ended"):
        return _page(
            request,
            borough,
            "mash/check_report/code_ended.html",
            "You need a new code",
            dead=ended == Entry.DEAD.value,
        )
    if request.method == "POST":
        form = CodeForm(request.POST)
        if not form.is_valid():
            return _refuse(request, borough, "code")
        verdict = ratelimit.check_and_count_limits(request, check_report.ENTER_LIMITS)
        if not verdict:
            return _too_many(request, borough, verdict, request.path)
        entered = check_report.enter_code(
            token=token, code=form.cleaned_data["code"], request=request
        )
        if entered.outcome is Entry.RIGHT:
            check_report.forget(request.session, borough)
            check_report.let_see(request, borough, entered.referral_id)
            return redirect("check:status", borough.slug)
        if entered.outcome is Entry.WRONG:
            left = entered.tries_left
            return _refuse(
                request,
                borough,
                "code",
                f"The code is not right. Check it and try again: you can try {left} more "
                f"time{'s' if left != 1 else ''}",
            )
        state = check_report.state(request.session, borough)
        state["ended"] = entered.outcome.value
        check_report.save_state(request.session, borough, state)
        return redirect("check:code", borough.slug)
    refused = _take_refused(request, borough, "code")
    form = CodeForm(refused["data"]) if refused else CodeForm()
    if refused and refused.get("error"):
        form.add_error("code", refused["error"])
    return _page(
        request,
        borough,
        "mash/check_report/code.html",
        "Check your phone" if state.get("channel") == "sms" else "Check your email",
        form=form,
        form_has_errors=bool(refused),
        channel=state.get("channel"),
        back_url=reverse("check:start", args=[borough.slug]),
    )


@never_cache
@require_safe
def status(request, borough_slug: str):
    borough = borough_or_404(borough_slug)
    referral_id = check_report.allowed_referral(request.session, borough)
    found = referral_id and check_report.look(
        borough=borough, referral_id=referral_id, request=request
    )
    if not found:
        check_report.forget(request.session, borough)
        return _page(request, borough, "mash/check_report/expired.html", "This page has expired")
    return _page(
        request,
        borough,
        "mash/check_report/status.html",
        f"The progress of your {found.noun}",
        found=found,
    )


@never_cache
@require_POST
def sign_out(request, borough_slug: str):
    borough = borough_or_404(borough_slug)
    check_report.forget(request.session, borough)
    if request.session.is_empty():
        request.session.flush()
    else:
        request.session.cycle_key()
    return redirect("check:signed_out", borough.slug)


@never_cache
@require_safe
def signed_out(request, borough_slug: str):
    borough = borough_or_404(borough_slug)
    return _page(request, borough, "mash/check_report/signed_out.html", "You have signed out")
