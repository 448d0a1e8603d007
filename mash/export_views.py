"""Ofsted's Annex A exports (managers only, audited, streamed): the exports page, each list as
CSV, and the three lists as one .xlsx workbook. Each takes `?borough=<slug>&until=<YYYY-MM-DD>`
(the six months ending on that date; today by default). Another borough, or one the user does
not work for, is a 404 like any other; a date that is not a date is a 400 page.

CSV: a StreamingHttpResponse writing each row as the selector yields it (`mash.annex_a`), so
nothing is held in memory. The workbook: openpyxl in write-only mode into a temporary file
(rows go to disk as they come), then streamed from disk with FileResponse."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile

from django import forms
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from mash import annex_a, audit
from mash.access import manager_required, user_boroughs
from mash.models import AuditAction

DATE_FORMAT = "%d/%m/%Y"  # as Ofsted's template shows dates
XLSX_DATE_FORMAT = "DD/MM/YYYY"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class BadTerms(Exception):
    """The request's terms cannot be read (a 400 page says which)."""


class Echo:
    """A file-like object whose write returns what it is given, for csv.writer to stream."""

    def write(self, value: str) -> str:
        return value


def _borough(request, slug: str | None):
    """The borough named by `slug` among the user's boroughs, else Http404 (another borough
    and one that does not exist answer alike). With no slug: the user's only borough."""
    mine = user_boroughs(request.user).order_by("name")
    if slug:
        borough = mine.filter(slug=slug).first()
    else:
        boroughs = list(mine[:2])
        borough = boroughs[0] if len(boroughs) == 1 else None
    if borough is None:
        raise Http404("No such borough")
    return borough


def _until(value: str | None) -> dt.date:
    if not value:
        return timezone.localdate()
    try:
        until = dt.date.fromisoformat(value)
    except ValueError as exc:
        raise BadTerms("Enter the date as YYYY-MM-DD, like 2026-05-31") from exc
    if until > timezone.localdate():  # as the exports page: a period not yet over has no lists
        raise BadTerms("The six months must end today or in the past")
    return until


def _terms(request):
    if "borough" not in request.GET and not user_boroughs(request.user).exists():
        raise Http404("No such borough")
    borough = _borough(request, request.GET.get("borough"))
    until = _until(request.GET.get("until"))
    return borough, annex_a.Period(until)


def _bad_request(request, error: str):
    return render(
        request,
        "mash/exports_bad_request.html",
        {"error": error, "nav_current": "exports"},
        status=400,
    )


def _filename(borough, period, suffix: str) -> str:
    return f"annex-a-{suffix}-{borough.slug}-{period.until.isoformat()}"


def _audit(request, borough, period, *, what: str, fmt: str) -> None:
    audit.record(
        action=AuditAction.ANNEX_A_EXPORTED,
        user=request.user,
        borough=borough,
        request=request,
        export=what,
        format=fmt,
        borough_slug=borough.slug,
        start=period.start.isoformat(),
        until=period.until.isoformat(),
    )


def csv_cell(value) -> str:
    if isinstance(value, dt.date):
        return value.strftime(DATE_FORMAT)
    return "" if value is None else str(value)


def csv_lines(number: int, *, borough, period):
    writer = csv.writer(Echo())
    yield writer.writerow(annex_a.HEADINGS[number])
    for row in annex_a.rows(number, borough=borough, period=period):
        yield writer.writerow([csv_cell(value) for value in row])


@never_cache
@manager_required
@require_safe
def list_csv(request, number: int):
    if number not in annex_a.HEADINGS:
        raise Http404("No such list")
    try:
        borough, period = _terms(request)
    except BadTerms as exc:
        return _bad_request(request, str(exc))
    _audit(request, borough, period, what=f"list-{number}", fmt="csv")
    response = StreamingHttpResponse(
        csv_lines(number, borough=borough, period=period), content_type="text/csv; charset=utf-8"
    )
    name = _filename(borough, period, f"list-{number}")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def write_workbook(file, *, borough, period) -> None:
    """The three lists, one sheet each, headings in bold, dates as dates shown DD/MM/YYYY."""
    workbook = Workbook(write_only=True)
    for number, headings in annex_a.HEADINGS.items():
        sheet = workbook.create_sheet(annex_a.TITLES[number])
        bold = Font(bold=True)
        header = []
        for heading in headings:
            cell = WriteOnlyCell(sheet, value=heading)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in annex_a.rows(number, borough=borough, period=period):
            for index, value in enumerate(row):
                if isinstance(value, dt.date):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = XLSX_DATE_FORMAT
                    row[index] = cell
            sheet.append(row)
    workbook.save(file)


@never_cache
@manager_required
@require_safe
def workbook_xlsx(request):
    try:
        borough, period = _terms(request)
    except BadTerms as exc:
        return _bad_request(request, str(exc))
    _audit(request, borough, period, what="workbook", fmt="xlsx")
    # Gone from disk once closed; FileResponse closes it when the download ends.
    file = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (closed by the response)
    try:
        write_workbook(file, borough=borough, period=period)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    return FileResponse(
        file,
        as_attachment=True,
        filename=_filename(borough, period, "lists") + ".xlsx",
        content_type=XLSX,
    )


# --- The exports page ---------------------------------------------------------------------


class ExportsForm(forms.Form):
    borough = forms.ChoiceField(
        label="Borough",
        error_messages={"required": "Choose a borough", "invalid_choice": "Choose a borough"},
    )
    day = forms.IntegerField(required=False, min_value=1, max_value=31)
    month = forms.IntegerField(required=False, min_value=1, max_value=12)
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100)

    def __init__(self, *args, boroughs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["borough"].choices = [(b.slug, b.name) for b in boroughs]

    def clean(self):
        data = super().clean()
        parts = [self.data.get(p, "").strip() for p in ("day", "month", "year")]
        for p in ("day", "month", "year"):
            self.errors.pop(p, None)
        if not any(parts):
            data["until"] = timezone.localdate()
            return data
        try:
            data["until"] = dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            self.add_error(None, "Enter a real date, like 31 5 2026")
            return data
        if data["until"] > timezone.localdate():  # a period not yet over has no lists to give
            self.add_error(None, "The six months must end today or in the past")
        return data


@never_cache
@manager_required
@require_safe
def exports_page(request):
    boroughs = list(user_boroughs(request.user).order_by("name"))
    bound = "borough" in request.GET
    form = ExportsForm(request.GET if bound else None, boroughs=boroughs)
    if not bound:
        form.initial = {"borough": boroughs[0].slug if boroughs else ""}
    downloads, period = [], None
    if bound and form.is_valid():
        period = annex_a.Period(form.cleaned_data["until"])
        query = f"?borough={form.cleaned_data['borough']}&until={period.until.isoformat()}"
        downloads = [("Annex A workbook (.xlsx, all three lists)", reverse("mash:annex_a_xlsx"))]
        downloads += [
            (f"{annex_a.TITLES[n]} (CSV)", reverse("mash:annex_a_csv", args=[n]))
            for n in annex_a.HEADINGS
        ]
        downloads = [(label, url + query) for label, url in downloads]
    date_error = borough_error = ""
    if bound and not form.is_valid():
        date_error = next((str(e) for e in form.non_field_errors()), "")
        borough_error = next((str(e) for e in form.errors.get("borough", [])), "")
    first = boroughs[0].slug if boroughs else ""
    errors = [
        (message, anchor)
        for message, anchor in (
            (borough_error, f"#borough-{first}" if len(boroughs) > 1 else "#exports-submit"),
            (date_error, "#until-day"),
        )
        if message
    ]
    return render(
        request,
        "mash/exports.html",
        {
            "nav_current": "exports",
            "form": form,
            "boroughs": boroughs,
            "chosen": form.data.get("borough") if bound else form.initial.get("borough"),
            "downloads": downloads,
            "period": period,
            "errors": errors,
            "date_error": date_error,
            "borough_error": borough_error,
            "form_has_errors": bool(errors),
        },
    )
