"""The public journeys, one entry each: what the one set of views (reporting/views.py) and
the URLs (reporting/urls.py) need to serve a journey. Adding a journey = its steps, its forms,
its templates and one entry here (docs/journeys.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from notifications.kinds import Channel
from notifications.selectors import about
from reporting import concern_journey as cj
from reporting import family_journeys as fj
from reporting import family_services, services
from reporting.journey import Journey, Location, LocationUrl, Section, State
from reporting.messages import routes
from reporting.models import Referral


def queued_channels(referral: Referral) -> set[str]:
    """The channels messages to the referrer were queued by (the acknowledgement): what the
    submission recorded on the referral it has just saved (`services.record_submission`),
    else one query."""
    if (known := getattr(referral, "queued_channels", None)) is not None:
        return set(known)
    return set(about(about_id=referral.pk).values_list("channel", flat=True).distinct())


def concern_check_context(state: State, url: LocationUrl) -> dict:
    return {
        "children_url": url(Location(cj.CHILD_LIST.list_page), change=True),
        "about_self": cj.about_self(state),
    }


def concern_sent(referral: Referral) -> dict:
    """What the confirmation page may promise: only the messages the outbox will send."""
    channels = queued_channels(referral)
    return {
        "contactable": referral.is_contactable,
        "emailed": Channel.EMAIL in channels,
        "texted": Channel.SMS in channels,
        "anonymous": referral.anonymous,
        "not_safe": referral.safe_to_contact is False,
        "contact_notes": bool(referral.contact_notes),
        "about_themself": referral.about_themself,
        "checkable": bool(routes(referral)),
    }


def request_sent(referral: Referral) -> dict:
    channels = queued_channels(referral)
    return {
        "emailed": Channel.EMAIL in channels,
        "texted": Channel.SMS in channels,
        "checkable": bool(routes(referral)),
    }


@dataclass(frozen=True)
class PublicJourney:
    key: str  # URL names: report:<key>_start, report:<key>_step, ...
    prefix: str  # its URLs, under /<borough>/
    journey: Journey
    service: str  # the service's name, for the start page's title and the caption
    build_answers: Callable[[State], object]
    check_sections: Callable[[State], list[Section]]
    submit: Callable[..., Referral]
    sent: Callable[[Referral], dict]  # what the confirmation page says, besides the reference
    start_template: str
    sent_title: str = "Request sent"
    noun: str = "request"  # "You have already sent this request"
    send_label: str = "Send request"
    too_many_title: str = "You have sent too many requests"
    templates: str = "reporting/family"  # check_answers, problem, too_many, sent
    sent_template: str = "reporting/family/sent.html"
    next_steps: str = ""  # a template the confirmation page includes
    check_context: Callable[[State, LocationUrl], dict] = field(default=lambda state, url: {})
    # A "Remove" link on the check page comes back to it (else: to the list page).
    remove_returns_to_check: bool = False
    # Whether the pages show Childline: a child or young person is answering.
    childline: Callable[[State], bool] = cj.young_person

    def service_for(self, borough) -> str:
        """The service's name in this borough (its early-help service's own words)."""
        if self.key == "wellbeing":
            return borough.early_help_referral_title
        if self.key == "self":
            return borough.early_help_request_title
        return self.service

    def template(self, name: str) -> str:
        return f"{self.templates}/{name}.html"


JOURNEYS = {
    entry.key: entry
    for entry in (
        PublicJourney(
            key="concern",
            prefix="report/",
            journey=cj.CONCERN,
            service="Report a concern about a child",
            build_answers=cj.build_answers,
            check_sections=cj.check_sections,
            submit=services.submit_concern,
            sent=concern_sent,
            start_template="reporting/start.html",
            sent_title="Report sent",
            noun="report",
            send_label="Send report",
            too_many_title="You have sent too many reports",
            templates="reporting",
            sent_template="reporting/confirmation.html",
            check_context=concern_check_context,
            remove_returns_to_check=True,
        ),
        PublicJourney(
            key="wellbeing",
            prefix="family-wellbeing/",
            journey=fj.FAMILY_WELLBEING,
            service="Refer a family to Family Wellbeing",
            build_answers=fj.family_wellbeing_answers,
            check_sections=fj.family_wellbeing_sections,
            submit=family_services.submit_family_wellbeing,
            sent=request_sent,
            start_template="reporting/family/wellbeing_start.html",
            sent_title="Referral sent",
            noun="referral",
            send_label="Send referral",
            next_steps="reporting/family/_next_wellbeing.html",
        ),
        PublicJourney(
            key="self",
            prefix="self-referral/",
            journey=fj.SELF_REFERRAL,
            service="Ask Family Wellbeing for help",
            build_answers=fj.self_referral_answers,
            check_sections=fj.self_referral_sections,
            submit=family_services.submit_self_referral,
            sent=request_sent,
            start_template="reporting/family/self_start.html",
            next_steps="reporting/family/_next_self.html",
        ),
        PublicJourney(
            key="consultation",
            prefix="consultation/",
            journey=fj.CONSULTATION,
            service="Ask MASH for a consultation",
            build_answers=fj.consultation_answers,
            check_sections=fj.consultation_sections,
            submit=family_services.submit_consultation,
            sent=request_sent,
            start_template="reporting/family/consultation_start.html",
            next_steps="reporting/family/_next_consultation.html",
        ),
    )
}
