"""Words for times on contact pages: '5pm today', '8:30am tomorrow', '9am on Monday 30 November'."""

import datetime as dt

from django import template

from contacts.calendar import to_london
from contacts.phone import display_number
from contacts.selectors import contacts_for
from contacts.staffing import describe_hours, format_time

register = template.Library()


@register.filter
def when(moment: dt.datetime, now: dt.datetime) -> str:
    moment, now = to_london(moment), to_london(now)
    time_text = format_time(moment.time())
    days_ahead = (moment.date() - now.date()).days
    if days_ahead == 0:
        return f"{time_text} today"
    if days_ahead == 1:
        return f"{time_text} tomorrow ({moment:%A} {moment.day} {moment:%B})"
    year = f" {moment.year}" if moment.year != now.year else ""
    return f"{time_text} on {moment:%A} {moment.day} {moment:%B}{year}"


@register.filter
def london_date(moment: dt.datetime) -> str:
    moment = to_london(moment)
    return f"{moment:%A} {moment.day} {moment:%B %Y}"


@register.filter
def clock(moment: dt.datetime) -> str:
    """'4:14pm' in London time."""
    return format_time(to_london(moment).time().replace(second=0, microsecond=0))


@register.filter
def phone(value: str) -> str:
    """A stored (E.164) number as people read it: '+447700900982' -> '07700 900982'."""
    return display_number(value) if value else ""


@register.simple_tag
def adult_social_care(borough) -> list[dict]:
    """The borough's adult social care lines with when each is staffed, for the page that
    tells someone worried about an adult where to go (never among the children's lines)."""
    contacts = contacts_for(borough)
    return [
        {"line": line, "hours": describe_hours(line, contacts.calendar)}
        for line in contacts.adult_lines
    ]
