"""The rows of the queue page's table (`templates/mash/queue.html`), written here.

What each row shows is decided in `row_values` (plain text, one dict a row: the holder as
"Nobody", "You" or their name, the rating as "Rated Amber" or "Not rated", the deadline's
state and working time left...). `table_rows` writes the rows' HTML from those values with
`ROW` below: every value HTML-escaped once (`html.escape`, what the template's autoescaping
does), the only markup the constant's own.

Why not the template: a page is 50 rows of some 16 values, and the template engine spends
about ten Python calls on each printed value. The 50 rows were half of the whole request's
Python work (some 23,000 calls of 45,000, middleware and queries included); written here they
are about 3,000. The page's bytes are the same (tests/mash/test_queue.py checks the escaping).
"""

from __future__ import annotations

import html

from django.urls import reverse
from django.utils.safestring import SafeString

from contacts.calendar import to_london
from mash.models import UrgencyRating
from mash.screening import RED_RANK
from reporting.models import Referral

KIND_LABELS = {value: str(label) for value, label in Referral.Kind.choices}
RATED = {value: f"Rated {label}" for value, label in UrgencyRating.Rating.choices}

# One table row, as the template wrote it (indented to sit inside queue.html's <tbody>).
# {enquiry} and {rating} are markup fragments chosen below; every other field is text.
ROW = """
    <tr class="govuk-table__row">
      <th scope="row" class="govuk-table__header"><a class="govuk-link app-nowrap" href="{url}">{reference}</a>{enquiry}</th>
      <td class="govuk-table__cell">{kind}</td>
      <td class="govuk-table__cell">{borough}</td>
      <td class="govuk-table__cell"><time datetime="{received_iso}">{received}</time></td>
      <td class="govuk-table__cell">{left}<br><span class="govuk-body-s"><time datetime="{due_iso}">{calendar}</time></span></td>
      <td class="govuk-table__cell"><strong class="govuk-tag {tag_class}">{tag}</strong></td>
      <td class="govuk-table__cell">{rating}</td>
      <td class="govuk-table__cell">{holder}</td>
    </tr>
    """  # noqa: E501  (the row's markup, one line a cell, as in the template)
# screening: an enquiry to a partner agency is still unanswered
ENQUIRY_OPEN = (
    '<br><strong class="govuk-tag govuk-tag--grey govuk-!-margin-top-1">Enquiry open</strong>'
)
RATED_RED = "<strong>Rated Red</strong>"  # a Red-ranked row, in bold


def when(moment) -> tuple[str, str]:
    """(ISO 8601 to whole seconds, '23 Nov 2026, 09:00') in London time: what the
    `iso_datetime` filter and the date filter "j M Y, H:i" write (London is the project's
    only time zone), without asking Django for the current time zone twice a row."""
    local = to_london(moment)
    return local.replace(microsecond=0).isoformat(), f"{local.day} {local:%b %Y, %H:%M}"


def row_values(row, user, href: str) -> dict:
    """What one queue row shows, as plain text (`href`: the referral page's URL with
    "REFERENCE" in place of the reference), and two flags: `red`, `open_enquiry`."""
    entry, deadline = row.entry, row.deadline
    received_iso, received = when(entry.received_at)
    if entry.claimed_by_id is None:
        holder = "Nobody"
    elif entry.claimed_by_id == user.pk:
        holder = "You"
    else:
        holder = entry.holder_name
    return {
        "reference": entry.reference,
        "url": href.replace("REFERENCE", entry.reference),
        "kind": KIND_LABELS.get(entry.kind, entry.kind),
        "borough": entry.borough.name,
        "received_iso": received_iso,
        "received": received,
        "due_iso": when(deadline.due_at)[0],  # (shown as the deadline's calendar_display)
        "left": deadline.left_display,
        "calendar": deadline.calendar_display,
        "rating": RATED.get(entry.rating, "Not rated"),
        "red": entry.rank == RED_RANK,
        "tag_class": deadline.state.tag_class,
        "tag": deadline.state.label,
        "holder": holder,
        "open_enquiry": entry.has_open_enquiry,
    }


def row_html(values: dict) -> str:
    """One row's HTML from `row_values`: every text value escaped, once. (Not Django's
    `format_html`: its conditional_escape costs some ten Python calls a value, 8,000 a page,
    a third of what writing the rows here saved; `html.escape` is what it and autoescaping
    call in the end, and tests/mash/test_queue.py checks the bytes.)"""
    text = {key: html.escape(value) for key, value in values.items() if isinstance(value, str)}
    text["enquiry"] = ENQUIRY_OPEN if values["open_enquiry"] else ""
    text["rating"] = RATED_RED if values["red"] else text["rating"]
    return ROW.format_map(text)


def table_rows(page, user) -> SafeString:
    """The queue page's table rows (its <tbody> content), "" when the page has none."""
    href = reverse("mash:referral", args=["REFERENCE"])
    return SafeString("".join(row_html(row_values(row, user, href)) for row in page.rows))
