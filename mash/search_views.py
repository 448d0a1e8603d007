"""The staff search page: find a referral of your boroughs (`mash.search`). A POST form, so a
child's name never sits in a URL, a server log or the browser history. Every search is audited
with its terms."""

import datetime as dt

from django import forms
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from contacts.selectors import working_calendar
from mash import audit
from mash.access import staff_required
from mash.deadlines import deadline_for
from mash.models import AuditAction
from mash.policy import current_rules
from mash.search import SearchTerms, search

TEXT = {"max_length": 200, "required": False, "strip": True}


class SearchForm(forms.Form):
    reference = forms.CharField(**TEXT)
    name = forms.CharField(**TEXT)
    dob_day = forms.IntegerField(required=False, min_value=1, max_value=31)
    dob_month = forms.IntegerField(required=False, min_value=1, max_value=12)
    dob_year = forms.IntegerField(required=False, min_value=1900, max_value=2100)
    postcode = forms.CharField(**TEXT)
    address = forms.CharField(**TEXT)
    school = forms.CharField(**TEXT)
    referrer = forms.CharField(**TEXT)

    def clean(self):
        data = super().clean()
        parts = [data.get(f"dob_{p}") for p in ("day", "month", "year")]
        data["date_of_birth"] = None
        if any(p is not None for p in parts) or any(
            self.errors.get(f"dob_{p}") for p in ("day", "month", "year")
        ):
            for p in ("day", "month", "year"):
                self.errors.pop(f"dob_{p}", None)
            try:
                data["date_of_birth"] = dt.date(parts[2], parts[1], parts[0])
            except (TypeError, ValueError):
                self.add_error(None, "Enter a real date of birth, like 27 3 2012")
                return data
        terms = self.terms(data)
        if terms.empty and not self.errors:
            raise forms.ValidationError("Enter at least one thing to search for")
        return data

    @staticmethod
    def terms(data) -> SearchTerms:
        return SearchTerms(
            reference=data.get("reference") or "",
            name=data.get("name") or "",
            date_of_birth=data.get("date_of_birth"),
            postcode=data.get("postcode") or "",
            address=data.get("address") or "",
            school=data.get("school") or "",
            referrer=data.get("referrer") or "",
        )


def _rows(hits):
    now = timezone.now()
    rows = []
    for hit in hits:
        record, deadline = hit.record, None
        if record is not None and record.decided_at is None:
            deadline = deadline_for(
                record,
                now,
                working_calendar(hit.referral.borough),
                rules=current_rules(record.borough),
            )
        rows.append({"hit": hit, "deadline": deadline})
    return rows


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def search_view(request):
    form = SearchForm(request.POST if request.method == "POST" else None)
    rows, searched = [], False
    if request.method == "POST" and form.is_valid():
        terms = form.terms(form.cleaned_data)
        hits = search(user=request.user, terms=terms)
        rows, searched = _rows(hits), True
        audit.record(
            action=AuditAction.REFERRALS_SEARCHED,
            user=request.user,
            request=request,
            terms=terms.for_audit(),
            results=len(hits),
        )
    elif request.method == "POST":
        audit.record(
            action=AuditAction.REFERRALS_SEARCHED,
            user=request.user,
            request=request,
            terms={},
            invalid=True,
        )
    return render(
        request,
        "mash/search.html",
        {
            "nav_current": "search",
            "form": form,
            "rows": rows,
            "searched": searched,
            "errors": [str(e) for e in form.non_field_errors()] if form.is_bound else [],
            "form_has_errors": form.is_bound and not form.is_valid(),
        },
    )
