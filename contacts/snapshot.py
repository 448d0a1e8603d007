"""The outage snapshot: every active borough's numbers, hours, office hours and closure days,
kept in a JSON file outside the database, so that with PostgreSQL down the public pages still
show the last known numbers (`config.outage`), and who is staffed now is worked out from it by
the same code as always (`contacts.staffing.compute_staffing`).

Written atomically (a temporary file in the same folder, then a rename): a reader sees the old
file or the new one, never half of one. Refreshed when a change to contacts commits
(`contacts.signals`), when a web process starts (`config.wsgi`), after `migrate`, and by a
periodic beat task (`ops.refresh_contacts_snapshot`) for processes that did not see the edit.
Where several containers serve the site, point CONTACTS_SNAPSHOT_PATH at a shared volume.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from contacts.calendar import WorkingCalendar
from contacts.phone import display_number, national_format
from contacts.selectors import BoroughContacts
from contacts.staffing import LineSpec, Number, Window

logger = logging.getLogger(__name__)
FORMAT_VERSION = 1


def snapshot_path() -> Path:
    return Path(settings.CONTACTS_SNAPSHOT_PATH)


def _time(value: dt.time) -> str:
    return value.strftime("%H:%M")


def _parse_time(value: str) -> dt.time:
    return dt.time.fromisoformat(value)


def build_snapshot() -> dict:
    """Every active borough's public facts, as plain JSON (reads the database)."""
    from contacts.models import Borough

    boroughs = []
    queryset = Borough.objects.filter(is_active=True).prefetch_related(
        "office_hours", "closure_days", "lines__numbers", "lines__windows"
    )
    for borough in queryset.order_by("name"):
        boroughs.append(
            {
                "slug": borough.slug,
                "name": borough.name,
                "council_name": borough.council_name,
                "mash_name": borough.mash_name,
                "address": borough.address,
                "mash_email": borough.mash_email,
                "fax": borough.fax,
                "data_version": borough.data_version,
                "office_hours": [
                    [oh.weekday, _time(oh.opens), _time(oh.closes)]
                    for oh in borough.office_hours.all()
                ],
                "closures": sorted(day.date.isoformat() for day in borough.closure_days.all()),
                "lines": [
                    {
                        "id": line.pk,
                        "purpose": line.purpose,
                        "label": line.label,
                        "description": line.description,
                        "numbers": [n.number for n in line.numbers.all()],
                        "schedule": line.schedule,
                        "on_closed_days": line.on_closed_days,
                        "windows": [
                            [w.weekday, _time(w.starts), _time(w.ends)] for w in line.windows.all()
                        ],
                        "hours_summary": line.hours_summary,
                    }
                    for line in sorted(borough.lines.all(), key=lambda line: (line.order, line.pk))
                ],
            }
        )
    return {
        "format": FORMAT_VERSION,
        "written_at": timezone.now().isoformat(),
        "boroughs": boroughs,
    }


def write_snapshot(path: Path | None = None) -> Path:
    """Write the snapshot file atomically; returns its path. Raises on database errors."""
    path = path or snapshot_path()
    data = json.dumps(build_snapshot(), indent=1, sort_keys=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".contacts-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)  # public facts only: numbers and hours
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def refresh_snapshot() -> bool:
    """write_snapshot, logging (not raising) a failure: callers are start-up and signals."""
    try:
        write_snapshot()
    except Exception as exc:  # noqa: BLE001 - a stale snapshot must never fail the caller
        logger.warning("contacts snapshot not refreshed (%s)", type(exc).__name__)
        return False
    return True


@dataclass(frozen=True)
class SnapshotBorough:
    """What the public pages read of a borough, from the snapshot (no database)."""

    slug: str
    name: str
    council_name: str
    mash_name: str
    address: str
    mash_email: str
    fax: str
    contacts: BoroughContacts

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.address.splitlines() if line.strip()]

    @property
    def fax_display(self) -> str:
        return display_number(self.fax) if self.fax else ""


def _borough(data: dict) -> SnapshotBorough:
    calendar = WorkingCalendar(
        hours={
            weekday: (_parse_time(opens), _parse_time(closes))
            for weekday, opens, closes in data["office_hours"]
        },
        closures=frozenset(dt.date.fromisoformat(day) for day in data["closures"]),
    )
    lines = tuple(
        LineSpec(
            id=line["id"],
            purpose=line["purpose"],
            label=line["label"],
            description=line["description"],
            numbers=tuple(Number(n, national_format(n)) for n in line["numbers"]),
            schedule=line["schedule"],
            on_closed_days=line["on_closed_days"],
            windows=tuple(
                Window(weekday, _parse_time(starts), _parse_time(ends))
                for weekday, starts, ends in line["windows"]
            ),
            hours_summary=line["hours_summary"],
        )
        for line in data["lines"]
    )
    return SnapshotBorough(
        slug=data["slug"],
        name=data["name"],
        council_name=data["council_name"],
        mash_name=data["mash_name"],
        address=data["address"],
        mash_email=data["mash_email"],
        fax=data["fax"],
        contacts=BoroughContacts.of(calendar, lines),
    )


def load_snapshot(path: Path | None = None) -> dict[str, SnapshotBorough]:
    """The boroughs in the snapshot by slug; empty when there is no readable snapshot."""
    path = path or snapshot_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT_VERSION:
            return {}
        return {item["slug"]: _borough(item) for item in data["boroughs"]}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        logger.error("contacts snapshot unreadable (%s)", type(exc).__name__)
        return {}
