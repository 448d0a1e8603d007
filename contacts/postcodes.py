"""The postcode directory: which council a postcode lies in.

Postcodes are read as people type them (any case, any spacing) and checked against the shape
of a UK postcode. The directory is a table of postcode -> local authority GSS code
(`contacts.models.Postcode`), loaded from the ONS Postcode Directory (ONSPD: columns `pcds`
and `oslaua`) or the National Statistics Postcode Lookup (NSPL: `pcds` and `laua`) by
`manage.py import_postcodes PATH`, which streams the CSV into a fresh copy of the table (COPY
on PostgreSQL) and swaps it in in one short transaction: a refresh never leaves the live
table empty or half-loaded, and readers are never blocked while it loads.

A lookup is one query on the index (postcode, gss_code). A postcode the directory does not
know (new, or mistyped into another real-looking one) is placed by its neighbours: the
councils of the known postcodes in its sector (BR1 3), else its district (BR1).
"""

from __future__ import annotations

import csv
import io
import re
import time
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction

TABLE = "contacts_postcode"
INDEX = "contacts_postcode_lookup"
STAGING = "contacts_postcode_new"
POSTCODE_COLUMN = "pcds"
AUTHORITY_COLUMNS = ("oslaua", "laua")  # ONSPD, NSPL

# The shape of a UK postcode (Royal Mail's rules for the outward code's letters, and the
# inward code's: a digit then two letters, never C, I, K, M, O or V), plus GIR 0AA.
_OUTWARD = (
    r"(?:[A-PR-UWYZ][0-9][0-9]?"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?"
    r"|[A-PR-UWYZ][0-9][A-HJKPSTUW]"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])"
)
_INWARD = r"[0-9][ABD-HJLNP-UW-Z]{2}"
POSTCODE = re.compile(rf"^(?:{_OUTWARD}{_INWARD}|GIR0AA)$")


def normalise(value: str | None) -> str | None:
    """The postcode in the directory's form ("BR1 3UH"), or None when `value` is not a UK
    postcode. Any case and any spacing are accepted."""
    compact = "".join((value or "").split()).upper()
    if not POSTCODE.match(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


# -- lookups ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Place:
    """Where the directory places a postcode, among the councils this service serves."""

    postcode: str
    known: bool  # the directory lists this postcode itself (else: placed by its neighbours)
    boroughs: tuple  # the served boroughs it is, or may be, in
    elsewhere: bool  # it is, or may be, in a council this service does not serve

    @property
    def borough(self):
        """The one served borough it is in, when that is certain; else None."""
        if self.known and len(self.boroughs) == 1 and not self.elsewhere:
            return self.boroughs[0]
        return None

    @property
    def not_served(self) -> bool:
        return self.elsewhere and not self.boroughs

    @property
    def unknown(self) -> bool:
        return not self.boroughs and not self.elsewhere


def _codes(sql: str, params: list) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {code for (code,) in cursor.fetchall()}


def councils_of(postcode: str) -> set[str]:
    """The GSS codes the directory gives this postcode (in its "BR1 3UH" form): one indexed
    query."""
    return _codes(f"SELECT DISTINCT gss_code FROM {TABLE} WHERE postcode = %s", [postcode])  # noqa: S608


def councils_near(postcode: str) -> set[str]:
    """The GSS codes of the known postcodes in the same sector, else the same district."""
    outward, inward = postcode.split(" ")
    for prefix in (f"{outward} {inward[0]}", f"{outward} "):
        # "~" sorts after every digit, letter and space (the column's collation is bytewise)
        codes = _codes(
            f"SELECT DISTINCT gss_code FROM {TABLE} WHERE postcode >= %s AND postcode < %s",  # noqa: S608
            [prefix, prefix + "~"],
        )
        if codes:
            return codes
    return set()


def place(*, postcode: str, boroughs: Iterable) -> Place:
    """Where the postcode (normalised) lies among `boroughs` (the served ones, with their GSS
    codes)."""
    by_code = {b.gss_code: b for b in boroughs if b.gss_code}
    codes = councils_of(postcode)
    known = bool(codes)
    if not known:
        codes = councils_near(postcode)
    served = tuple(sorted((by_code[c] for c in codes if c in by_code), key=lambda b: b.name))
    return Place(
        postcode=postcode,
        known=known,
        boroughs=served,
        elsewhere=any(c not in by_code for c in codes),
    )


# -- the directory's table -------------------------------------------------------------------
def create_table_sql(table: str, vendor: str) -> str:
    collate = ' COLLATE "C"' if vendor == "postgresql" else ""
    return (
        f"CREATE TABLE {table} (postcode varchar(8){collate} NOT NULL, "
        f"gss_code varchar(9){collate} NOT NULL)"
    )


def create_index_sql(table: str, index: str) -> str:
    return f"CREATE INDEX {index} ON {table} (postcode, gss_code)"


def create_table(schema_editor) -> None:
    """The empty directory (migration 0003)."""
    vendor = schema_editor.connection.vendor
    schema_editor.execute(create_table_sql(TABLE, vendor))
    schema_editor.execute(create_index_sql(TABLE, INDEX))


def drop_table(schema_editor) -> None:
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


# -- import ----------------------------------------------------------------------------------
class ImportRefused(Exception):
    """The file cannot be loaded; the directory is left as it was."""


@dataclass
class ImportResult:
    loaded: int = 0
    skipped: int = 0  # rows with no authority, or no postcode of a postcode's length
    seconds: float = 0.0
    columns: tuple[str, str] = ("", "")
    notes: list[str] = field(default_factory=list)


@contextmanager
def open_text(path: Path) -> Iterator[io.TextIOBase]:
    """The CSV as text, streamed. A .zip as ONS publish it (the directory's main CSV is the
    largest in the archive's Data folder) is read without unpacking it to disk."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if m.filename.lower().endswith(".csv")]
            if not members:
                raise ImportRefused(f"{path} holds no CSV file")
            member = max(members, key=lambda m: m.file_size)
            with archive.open(member) as raw:
                yield io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        return
    with open(path, encoding="utf-8-sig", newline="") as text:
        yield text


def _column(header: list[str], names: Iterable[str], what: str) -> int:
    for name in names:
        if name in header:
            return header.index(name)
    raise ImportRefused(
        f"No {what} column: expected one of {', '.join(names)}; the file has "
        f"{', '.join(header[:12])}{'...' if len(header) > 12 else ''}"
    )


def _rows(reader, postcode_at: int, authority_at: int, result: ImportResult) -> Iterator[str]:
    """Lines of "postcode<TAB>gss_code<NEWLINE>", for COPY's text format."""
    width = max(postcode_at, authority_at) + 1
    for row in reader:
        if len(row) < width:
            result.skipped += 1
            continue
        compact = row[postcode_at].replace(" ", "").upper()
        code = row[authority_at].strip().upper()
        if not 5 <= len(compact) <= 7 or len(code) != 9 or not compact.isalnum():
            result.skipped += 1
            continue
        result.loaded += 1
        yield f"{compact[:-3]} {compact[-3:]}\t{code}\n"


def _chunks(lines: Iterator[str], size: int = 1 << 20) -> Iterator[str]:
    batch: list[str] = []
    length = 0
    for line in lines:
        batch.append(line)
        length += len(line)
        if length >= size:
            yield "".join(batch)
            batch, length = [], 0
    if batch:
        yield "".join(batch)


LOCK_KEY = 0x706F7374636F6465  # "postcode": one import at a time (PostgreSQL advisory lock)


@contextmanager
def _one_import_at_a_time(cursor):
    if connection.vendor != "postgresql":
        yield
        return
    cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
    if not cursor.fetchone()[0]:
        raise ImportRefused("Another postcode import is running; try again when it has finished")
    try:
        yield
    finally:
        cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


def _load_postgresql(cursor, lines: Iterator[str]) -> None:
    with cursor.copy(f"COPY {STAGING} (postcode, gss_code) FROM STDIN") as copy:
        for chunk in _chunks(lines):
            copy.write(chunk)


def _load_other(cursor, lines: Iterator[str]) -> None:
    batch: list[tuple[str, str]] = []
    sql = f"INSERT INTO {STAGING} (postcode, gss_code) VALUES (%s, %s)"  # noqa: S608
    for line in lines:
        postcode, code = line.rstrip("\n").split("\t")
        batch.append((postcode, code))
        if len(batch) >= 10_000:
            cursor.executemany(sql, batch)
            batch = []
    if batch:
        cursor.executemany(sql, batch)


def _swap(cursor) -> None:
    """The fresh copy replaces the live table in one transaction. On PostgreSQL the swap waits
    at most a few seconds for readers to finish (while it waits, new readers queue behind it),
    and tries again rather than stall the home page."""
    statements = [
        f"DROP TABLE {TABLE}",
        f"ALTER TABLE {STAGING} RENAME TO {TABLE}",
    ]
    if connection.vendor == "postgresql":
        statements.append(f"ALTER INDEX {STAGING}_lookup RENAME TO {INDEX}")
    else:  # SQLite cannot rename an index: build it again under the live name (small there)
        statements += [f"DROP INDEX {STAGING}_lookup", create_index_sql(TABLE, INDEX)]
    for attempt in range(10):
        try:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    cursor.execute("SET LOCAL lock_timeout = '2s'")
                for statement in statements:
                    cursor.execute(statement)
            return
        except Exception as exc:  # lock not granted in time: try again
            if connection.vendor != "postgresql" or "lock timeout" not in str(exc) or attempt == 9:
                raise
            time.sleep(1)


def import_postcodes(
    *, path: Path | str, authority_column: str | None = None, min_rows: int = 1
) -> ImportResult:
    """Load the ONSPD or NSPL CSV at `path` as the new postcode directory. Raises ImportRefused
    (the directory unchanged) when the file has not the expected columns or fewer than
    `min_rows` usable rows."""
    path = Path(path)
    if not path.exists():
        raise ImportRefused(f"No file at {path}")
    result = ImportResult()
    started = time.monotonic()
    vendor = connection.vendor
    with connection.cursor() as cursor, _one_import_at_a_time(cursor):
        cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
        cursor.execute(create_table_sql(STAGING, vendor))
        try:
            with open_text(path) as text:
                reader = csv.reader(text)
                header = [name.strip().lower() for name in next(reader, [])]
                postcode_at = _column(header, [POSTCODE_COLUMN], "postcode")
                names = [authority_column.lower()] if authority_column else AUTHORITY_COLUMNS
                authority_at = _column(header, names, "local authority")
                result.columns = (header[postcode_at], header[authority_at])
                lines = _rows(reader, postcode_at, authority_at, result)
                if vendor == "postgresql":
                    _load_postgresql(cursor, lines)
                else:
                    _load_other(cursor, lines)
            if result.loaded < min_rows:
                raise ImportRefused(
                    f"Only {result.loaded} usable rows (at least {min_rows} needed): "
                    "the directory is unchanged"
                )
            cursor.execute(create_index_sql(STAGING, f"{STAGING}_lookup"))
            if vendor == "postgresql":
                # VACUUM marks every page all-visible, so lookups answer from the index alone
                # (it cannot run inside a transaction, as in a test: ANALYZE then).
                in_transaction = connection.in_atomic_block
                cursor.execute(f"{'ANALYZE' if in_transaction else 'VACUUM (ANALYZE)'} {STAGING}")
            _swap(cursor)
        except BaseException:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
            raise
    result.seconds = time.monotonic() - started
    return result
