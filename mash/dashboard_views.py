"""The managers' dashboard pages: the figures of one of the manager's boroughs (now, and week by
week over a chosen period), the referrals behind each figure, and the tables as CSV.

Managers and admins only (`manager_required`: a screener gets 403, audited); a borough the
manager may not see is a 404, as a referral of another borough is. Every view is audited.
The figures come from `mash.dashboard`; the charts from `mash.charts`."""

from __future__ import annotations

import csv
import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from contacts.calendar import to_london
from mash import audit, charts, dashboard
from mash.access import manager_required
from mash.dashboard import DEFAULT_WEEKS, MAX_WEEKS, NOT_RECORDED, Period, week_start
from mash.models import AuditAction
from mash.selectors import scoped_boroughs

KIND_LABELS = dict(dashboard.KINDS)
OUTCOME_LABELS = dict(dashboard.OUTCOMES)
SOURCE_LABELS = dict(dashboard.SOURCES)
TABLES = ("now", "screeners", "weekly", "sources")


def _week_label(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


class PeriodForm(forms.Form):
    """Which borough and which weeks (GET). Weeks are Mondays; the choice covers 3 years."""

    borough = forms.ChoiceField(label="Borough")
    start = forms.ChoiceField(label="From the week beginning")
    end = forms.ChoiceField(label="To the week beginning")

    def __init__(self, data, *, boroughs, today: dt.date):
        super().__init__(data)
        self.boroughs = {b.slug: b for b in boroughs}
        self.fields["borough"].choices = [(b.slug, b.name) for b in boroughs]
        latest = week_start(today)
        weeks = [latest - dt.timedelta(weeks=i) for i in range(MAX_WEEKS)]
        choices = [(w.isoformat(), _week_label(w)) for w in weeks]
        self.fields["start"].choices = choices
        self.fields["end"].choices = choices

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "The last week must be the same as or after the first week")
        return data

    def period(self) -> Period:
        return Period(
            dt.date.fromisoformat(self.cleaned_data["start"]),
            dt.date.fromisoformat(self.cleaned_data["end"]),
        )


def _selection(request, *, now):
    """(form, borough, period): from the query, with defaults (the manager's first borough,
    the last 12 weeks). A borough the manager may not see is a 404."""
    boroughs = scoped_boroughs(request.user)
    if not boroughs:
        raise Http404("No boroughs")
    today = to_london(now).date()
    default = Period.ending(today, DEFAULT_WEEKS)
    data = {
        "borough": request.GET.get("borough") or boroughs[0].slug,
        "start": request.GET.get("from") or default.first.isoformat(),
        "end": request.GET.get("to") or default.last.isoformat(),
    }
    if data["borough"] not in {b.slug for b in boroughs}:
        raise Http404("No such borough")
    form = PeriodForm(data, boroughs=boroughs, today=today)
    if form.is_valid():
        return form, form.boroughs[data["borough"]], form.period()
    return form, form.boroughs[data["borough"]], default


def _query(borough, period: Period, **extra) -> str:
    params = {"borough": borough.slug, "from": period.first, "to": period.last}
    params.update({k: v for k, v in extra.items() if v not in (None, "")})
    return urlencode(params)


def _list_url(borough, period, figure, value="", user=None) -> str:
    query = _query(borough, period, figure=figure, value=value, user=user)
    return f"{reverse('mash:dashboard_referrals')}?{query}"


def _week_url(borough, week, figure, value="") -> str:
    return _list_url(borough, Period(week, week), figure, value)


def _hours(value) -> str:
    return "" if value is None else f"{value:.1f}"


def _tables(borough, period, now_figures, trends):
    """Every table of the page, as (headers, rows), each cell (text, link or "")."""
    weeks = trends.weeks
    kinds = [k for k, _ in dashboard.KINDS]
    outcomes = [o for o, _ in dashboard.OUTCOMES]

    def link(figure, value="", week=None, user=None):
        if week is not None:
            return _week_url(borough, week, figure, value)
        return _list_url(borough, period, figure, value, user)

    now_rows = [
        [(label, ""), (str(n), link(key))]
        for key, label, n in [(k, lbl, now_figures.counts[k]) for k, lbl in dashboard.NOW_FIGURES]
    ]
    screeners = [
        [
            (p.name, ""),
            (str(p.held), link("held", user=p.user_id)),
            (str(p.held_overdue), link("held_overdue", user=p.user_id)),
            (str(p.decided_today), link("decided_today", user=p.user_id)),
        ]
        for p in now_figures.people
    ]
    contacts = [
        [(_week_label(w.start), "")]
        + [(str(w.contacts.get(k, 0)), link("contacts", k, w.start)) for k in kinds]
        + [(str(w.contacts_total), link("contacts", "", w.start))]
        for w in weeks
    ]
    contacts.append(
        [("Total", "")]
        + [(str(trends.kind_total(k)), link("contacts", k)) for k in kinds]
        + [(str(trends.contacts_total), link("contacts"))]
    )
    sources = [
        [(SOURCE_LABELS[code], ""), (str(trends.sources.get(code, 0)), link("source", code))]
        for code, _ in dashboard.SOURCES
        if trends.sources.get(code)
    ]
    timeliness = [
        [
            (_week_label(w.start), ""),
            (str(w.decided), link("decided", week=w.start)),
            (str(w.in_time), link("in_time", week=w.start)),
            (str(w.timeliness), ""),
            (_hours(w.median_hours), ""),
            (_hours(w.p90_hours), ""),
        ]
        for w in weeks
    ]
    timeliness.append(
        [
            ("Total", ""),
            (str(trends.total("decided")), link("decided")),
            (str(trends.total("in_time")), link("in_time")),
            (str(trends.timeliness), ""),
            ("", ""),
            ("", ""),
        ]
    )
    outcome_rows = [
        [(_week_label(w.start), "")]
        + [(str(w.outcomes.get(o, 0)), link("outcome", o, w.start)) for o in outcomes]
        for w in weeks
    ]
    outcome_rows.append(
        [("Total", "")] + [(str(trends.outcome_total(o)), link("outcome", o)) for o in outcomes]
    )
    conversion = [
        [
            (_week_label(w.start), ""),
            (str(w.decided), link("decided", week=w.start)),
            (str(w.converted), link("converted", week=w.start)),
            (str(w.conversion), ""),
            (str(w.re_referrals), link("re_referrals", week=w.start)),
            (str(w.re_referral_rate), ""),
        ]
        for w in weeks
    ]
    conversion.append(
        [
            ("Total", ""),
            (str(trends.total("decided")), link("decided")),
            (str(trends.total("converted")), link("converted")),
            (str(trends.conversion), ""),
            (str(trends.total("re_referrals")), link("re_referrals")),
            (str(trends.re_referral_rate), ""),
        ]
    )
    messages = [
        [
            (_week_label(w.start), ""),
            (str(w.messages_due), link("messages_due", week=w.start)),
            (str(w.messages_in_time), link("messages_in_time", week=w.start)),
            (str(w.messages_rate), ""),
        ]
        for w in weeks
    ]
    messages.append(
        [
            ("Total", ""),
            (str(trends.total("messages_due")), link("messages_due")),
            (str(trends.total("messages_in_time")), link("messages_in_time")),
            (str(trends.messages_rate), ""),
        ]
    )
    return {
        "now": (["Figure", "Referrals"], now_rows),
        "screeners": (["Person", "Held", "Overdue held", "Decided today"], screeners),
        "contacts": (["Week beginning", *[KIND_LABELS[k] for k in kinds], "All"], contacts),
        "sources": (["Source", "Contacts"], sources),
        "timeliness": (
            [
                "Week beginning",
                "Decided",
                "Within deadline",
                "% within deadline",
                "Median working hours",
                "90th percentile working hours",
            ],
            timeliness,
        ),
        "outcomes": (["Week beginning", *[OUTCOME_LABELS[o] for o in outcomes]], outcome_rows),
        "conversion": (
            [
                "Week beginning",
                "Decided",
                "Referred to social care",
                "% converted",
                "Re-referrals",
                "% re-referrals",
            ],
            conversion,
        ),
        "messages": (
            ["Week beginning", "Outcome messages due", "Sent within 24 hours", "% in time"],
            messages,
        ),
    }


def _if_data(values, draw) -> str:
    """draw() when the chart has anything to show (a count above 0, or any rate or time at
    all), else "": a period with nothing to chart says so in words instead of bare axes."""
    return draw() if any(value for value in values if value is not None) else ""


def _charts(trends):
    labels = [_week_label(w.start) for w in trends.weeks]
    weeks = trends.weeks
    series = charts.Series
    sources = [(code, trends.sources.get(code, 0)) for code, _ in dashboard.SOURCES]
    sources = [(SOURCE_LABELS[c], n) for c, n in sources if n]
    contacts = [w.contacts_total for w in weeks]
    source_counts = [n for _, n in sources]
    timeliness = [w.timeliness.percent for w in weeks]
    median = [w.median_hours for w in weeks]
    outcomes = [trends.outcome_total(o) for o, _ in dashboard.OUTCOMES]
    conversion = [w.conversion.percent for w in weeks]
    messages = [w.messages_rate.percent for w in weeks]
    return {
        "contacts": _if_data(
            contacts,
            lambda: charts.bar_chart(
                "chart-contacts", "Contacts received a week", labels, contacts
            ),
        ),
        "sources": _if_data(
            source_counts,
            lambda: charts.hbar_chart(
                "chart-sources",
                "Contacts by source over the period",
                [label for label, _ in sources],
                source_counts,
            ),
        ),
        "timeliness": _if_data(
            timeliness,
            lambda: charts.line_chart(
                "chart-timeliness",
                "Decided within their deadline, % a week",
                labels,
                [series("Within deadline", timeliness)],
                unit="%",
                top=100,
            ),
        ),
        "hours": _if_data(
            median,
            lambda: charts.line_chart(
                "chart-hours",
                "Working hours from receipt to decision",
                labels,
                [series("Median", median), series("90th percentile", [w.p90_hours for w in weeks])],
            ),
        ),
        "outcomes": _if_data(
            outcomes,
            lambda: charts.hbar_chart(
                "chart-outcomes",
                "Outcomes over the period",
                [OUTCOME_LABELS[o] for o, _ in dashboard.OUTCOMES],
                outcomes,
            ),
        ),
        "conversion": _if_data(
            conversion,
            lambda: charts.line_chart(
                "chart-conversion",
                "Contact-to-referral conversion and re-referrals, % a week",
                labels,
                [
                    series("Converted", conversion),
                    series("Re-referrals", [w.re_referral_rate.percent for w in weeks]),
                ],
                unit="%",
                top=100,
            ),
        ),
        "messages": _if_data(
            messages,
            lambda: charts.line_chart(
                "chart-messages",
                "Outcome messages sent within 24 hours, % a week",
                labels,
                [series("Sent in time", messages)],
                unit="%",
                top=100,
            ),
        ),
    }


@manager_required
@require_http_methods(["GET", "HEAD"])
def dashboard_view(request):
    now = timezone.now()
    form, borough, period = _selection(request, now=now)
    now_figures = dashboard.now_figures(borough=borough, now=now)
    trends = dashboard.trends(borough=borough, period=period, now=now)
    audit.record(
        action=AuditAction.DASHBOARD_VIEWED,
        user=request.user,
        request=request,
        borough=borough,
        first_week=period.first.isoformat(),
        last_week=period.last.isoformat(),
    )
    query = _query(borough, period)
    return render(
        request,
        "mash/dashboard.html",
        {
            "nav_current": "dashboard",
            "form": form,
            "form_has_errors": bool(form.errors),
            "borough": borough,
            "period": period,
            "first_label": _week_label(period.first),
            "last_label": _week_label(period.last),
            "now": now,
            "tables": _tables(borough, period, now_figures, trends),
            "charts": _charts(trends),
            "csv_urls": {t: f"{reverse('mash:dashboard_csv', args=[t])}?{query}" for t in TABLES},
            "not_recorded": NOT_RECORDED,
        },
    )


def _figure_label(figure: str, value: str) -> str:
    labels = dict(dashboard.NOW_FIGURES) | {
        "held": "Held",
        "held_overdue": "Overdue and held",
        "decided_today": "Decided today",
        "contacts": "Contacts received",
        "source": "Contacts from",
        "decided": "Decided",
        "in_time": "Decided within their deadline",
        "late": "Decided after their deadline",
        "outcome": "Outcome",
        "converted": "Referred to children's social care",
        "re_referrals": "Re-referrals",
        "messages_due": "Outcome messages due",
        "messages_in_time": "Outcome messages sent within 24 hours",
    }
    label = labels[figure]
    detail = {"contacts": KIND_LABELS, "source": SOURCE_LABELS, "outcome": OUTCOME_LABELS}
    if figure in detail and (value or figure == "source"):
        label = f"{label}: {detail[figure].get(value, value)}"
    return label


FIGURES = (
    set(dict(dashboard.NOW_FIGURES))
    | dashboard.PERSON_FIGURES
    | {
        "contacts",
        "source",
        "decided",
        "in_time",
        "late",
        "outcome",
        "converted",
        "re_referrals",
        "messages_due",
        "messages_in_time",
    }
)
VALUES = {
    "contacts": set(KIND_LABELS),
    "source": set(SOURCE_LABELS),
    "outcome": set(OUTCOME_LABELS),
}


@manager_required
@require_http_methods(["GET", "HEAD"])
def referrals_view(request):
    """The referrals behind one figure, newest (or most urgent) first, 50 a page."""
    now = timezone.now()
    form, borough, period = _selection(request, now=now)
    figure, value = request.GET.get("figure", ""), request.GET.get("value", "")
    if figure not in FIGURES or (figure in VALUES and value not in VALUES[figure]):
        raise Http404("No such figure")
    user_id = None
    if figure in dashboard.PERSON_FIGURES:
        try:
            user_id = int(request.GET.get("user", ""))
        except ValueError as exc:
            raise Http404("No such person") from exc
    records = dashboard.records_behind(
        borough=borough, figure=figure, value=value, period=period, now=now, user_id=user_id
    ).select_related("referral", "decision", "claimed_by")
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    audit.record(
        action=AuditAction.DASHBOARD_LISTED,
        user=request.user,
        request=request,
        borough=borough,
        figure=figure,
        value=value,
        first_week=period.first.isoformat(),
        last_week=period.last.isoformat(),
        count=page.paginator.count,
    )
    base = _query(borough, period, figure=figure, value=value, user=user_id)
    live = figure in dict(dashboard.NOW_FIGURES) or figure in dashboard.PERSON_FIGURES
    label = _figure_label(figure, value)
    if user_id is not None and (name := dashboard.person_name(borough=borough, user_id=user_id)):
        label = f"{label} by {name}"
    return render(
        request,
        "mash/dashboard_referrals.html",
        {
            "nav_current": "dashboard",
            "borough": borough,
            "label": label,
            "live": live,
            "first_label": _week_label(period.first),
            "last_label": _week_label(period.last),
            "page": page,
            "outcome_labels": OUTCOME_LABELS,
            "kind_labels": KIND_LABELS,
            "page_query": base,
            "back_url": f"{reverse('mash:dashboard')}?{_query(borough, period)}",
        },
    )


class _Echo:
    def write(self, value):
        return value


def _csv_cell(text: str) -> str:
    """No cell may start like a spreadsheet formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@manager_required
@require_http_methods(["GET", "HEAD"])
def csv_view(request, table):
    """One of the dashboard's tables as CSV, streamed (managers only, audited)."""
    if table not in TABLES:
        raise Http404("No such table")
    now = timezone.now()
    _form, borough, period = _selection(request, now=now)
    audit.record(
        action=AuditAction.DASHBOARD_EXPORTED,
        user=request.user,
        request=request,
        borough=borough,
        table=table,
        first_week=period.first.isoformat(),
        last_week=period.last.isoformat(),
    )

    def rows():
        if table in {"now", "screeners"}:
            figures = dashboard.now_figures(borough=borough, now=now)
            empty = dashboard.Trends(period=period, weeks=[], sources={})
            headers, body = _tables(borough, period, figures, empty)[table]
            yield headers
            yield from ([text for text, _ in row] for row in body)
            return
        trends = dashboard.trends(borough=borough, period=period, now=now)
        if table == "sources":
            yield ["Source code", "Source", "Contacts"]
            for code, label in dashboard.SOURCES:
                yield [code, label, trends.sources.get(code, 0)]
            return
        kinds = [k for k, _ in dashboard.KINDS]
        outcomes = [o for o, _ in dashboard.OUTCOMES]
        yield [
            "Week beginning",
            *[f"Contacts: {KIND_LABELS[k]}" for k in kinds],
            "Contacts",
            "Decided",
            "Within deadline",
            "% within deadline",
            "Median working hours",
            "90th percentile working hours",
            *[f"Outcome: {OUTCOME_LABELS[o]}" for o in outcomes],
            "Referred to social care",
            "% converted",
            "Re-referrals",
            "% re-referrals",
            "Outcome messages due",
            "Sent within 24 hours",
            "% sent in time",
        ]
        for w in trends.weeks:
            yield [
                w.start.isoformat(),
                *[w.contacts.get(k, 0) for k in kinds],
                w.contacts_total,
                w.decided,
                w.in_time,
                w.timeliness.percent if w.decided else "",
                _hours(w.median_hours),
                _hours(w.p90_hours),
                *[w.outcomes.get(o, 0) for o in outcomes],
                w.converted,
                w.conversion.percent if w.decided else "",
                w.re_referrals,
                w.re_referral_rate.percent if w.converted else "",
                w.messages_due,
                w.messages_in_time,
                w.messages_rate.percent if w.messages_due else "",
            ]

    writer = csv.writer(_Echo())
    stream = (writer.writerow([_csv_cell(str(cell)) for cell in row]) for row in rows())
    response = StreamingHttpResponse(stream, content_type="text/csv; charset=utf-8")
    name = f"mash-dashboard-{table}-{borough.slug}-{period.first}-{period.last}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
