"""The postcode directory: postcodes read as people type them, the ONS CSV import (streamed,
COPY on PostgreSQL, re-runnable), and where a postcode lies among the served boroughs."""

import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from contacts import postcodes
from contacts.models import Borough, Postcode
from tests.contacts.ons_csv import (
    BEXLEY,
    BROMLEY,
    GREENWICH,
    SAMPLE,
    ons_row,
    write_ons_csv,
)


# -- reading a postcode ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("BR1 3UH", "BR1 3UH"),
        ("br13uh", "BR1 3UH"),
        ("  Br1   3uH ", "BR1 3UH"),
        ("da6\t7at", "DA6 7AT"),
        ("SW1A 2AA", "SW1A 2AA"),
        ("sw1a2aa", "SW1A 2AA"),
        ("W1A 1AA", "W1A 1AA"),
        ("M1 1AE", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("gir 0aa", "GIR 0AA"),
        ("BR1\u00a03UH", "BR1 3UH"),  # a non-breaking space pasted from a web page
    ],
)
def test_a_postcode_is_read_in_any_case_and_spacing(typed, normalised):
    assert postcodes.normalise(typed) == normalised


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "BR1",  # a district alone
        "BR1 3",  # a sector alone
        "BR1 3UHX",
        "12345",
        "BR1 3CI",  # C and I are never in the inward code
        "QR1 3UH",  # Q never starts a postcode
        "BR1 UH3",
        "<script>",
        "BR1-3UH",
        "ＢＲ１ ３ＵＨ",  # full-width letters are not a postcode
    ],
)
def test_anything_else_is_not_a_postcode(typed):
    assert postcodes.normalise(typed) is None


@given(st.text(max_size=12))
def test_normalise_never_raises_and_its_answer_is_a_fixed_point(text):
    normalised = postcodes.normalise(text)
    if normalised is not None:
        assert postcodes.normalise(normalised) == normalised
        assert normalised == normalised.upper() and normalised.count(" ") == 1


# -- the import ------------------------------------------------------------------------------
def directory() -> set[tuple[str, str]]:
    return set(Postcode.objects.values_list("postcode", "gss_code"))


@pytest.fixture
def onspd(tmp_path):
    return write_ons_csv(tmp_path / "ONSPD_NOV_2026_UK.csv", SAMPLE)


def test_importing_onspd_loads_postcode_and_authority(db, onspd):
    call_command("import_postcodes", str(onspd))
    assert directory() == set(SAMPLE)


def test_importing_nspl_reads_its_laua_column(db, tmp_path):
    path = write_ons_csv(tmp_path / "NSPL21_NOV_2026_UK.csv", SAMPLE[:4], layout="nspl")
    call_command("import_postcodes", str(path))
    assert directory() == set(SAMPLE[:4])


def test_the_zip_ons_publish_is_read_without_unpacking(db, tmp_path, onspd):
    archive = tmp_path / "ONSPD_NOV_2026.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("Documents/readme.csv", "a,b\n1,2\n")  # smaller: not the directory
        zipped.write(onspd, "Data/ONSPD_NOV_2026_UK.csv")
    call_command("import_postcodes", str(archive))
    assert directory() == set(SAMPLE)


def test_rows_without_an_authority_or_a_postcode_are_skipped(db, tmp_path, capsys):
    path = write_ons_csv(
        tmp_path / "onspd.csv",
        [("BR1 3UH", BROMLEY), ("BR1 3UQ", ""), ("DA6 7AT", BEXLEY)],
    )
    with open(path, "a", encoding="utf-8", newline="") as file:
        file.write(",".join(ons_row("DA6 7AT", BEXLEY)).replace("DA6 7AT", "", 3) + "\n")
        file.write("short,row\n")
    out = _import(path)
    assert directory() == {("BR1 3UH", BROMLEY), ("DA6 7AT", BEXLEY)}
    assert "Loaded 2 postcodes (pcds -> oslaua)" in out and "skipped 3 rows" in out


def _import(path, *args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_postcodes", str(path), *args, stdout=out)
    return out.getvalue()


def test_postcodes_are_stored_in_one_form_whatever_the_file_says(db, tmp_path):
    path = tmp_path / "onspd.csv"
    write_ons_csv(path, [("BR1 3UH", BROMLEY)])
    text = path.read_text(encoding="utf-8-sig").replace(",BR1 3UH,", ",br13uh ,", 1)
    path.write_text(text, encoding="utf-8")
    _import(path)
    assert directory() == {("BR1 3UH", BROMLEY)}


def test_reimporting_replaces_the_directory(db, tmp_path, onspd):
    _import(onspd)
    newer = write_ons_csv(tmp_path / "newer.csv", [("BR1 3UH", BROMLEY), ("ZE1 0AA", "S12000027")])
    _import(newer)
    assert directory() == {("BR1 3UH", BROMLEY), ("ZE1 0AA", "S12000027")}
    assert _index_names() == {postcodes.INDEX}  # the fresh copy's index took the live name
    assert postcodes.STAGING not in connection.introspection.table_names()


def _index_names() -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, postcodes.TABLE)
    return {name for name, info in constraints.items() if info["index"]}


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("pcd,pcd2,oslaua", "No postcode column"),
        ("pcd,pcds,lad23cd", "No local authority column"),
    ],
)
def test_a_file_without_the_columns_is_refused_and_the_directory_kept(
    db, tmp_path, onspd, header, message
):
    _import(onspd)
    bad = tmp_path / "bad.csv"
    bad.write_text(header + "\nBR1 3UH,BR1 3UH,E09000006\n", encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        _import(bad)
    assert directory() == set(SAMPLE)


def test_an_authority_column_can_be_named(db, tmp_path):
    path = tmp_path / "renamed.csv"
    path.write_text("pcds,lad25cd\nBR1 3UH,E09000006\n", encoding="utf-8")
    _import(path, "--authority-column", "LAD25CD")
    assert directory() == {("BR1 3UH", BROMLEY)}


def test_a_file_with_too_few_rows_is_refused(db, tmp_path, onspd):
    _import(onspd)
    with pytest.raises(CommandError, match="Only 13 usable rows"):
        _import(onspd, "--min-rows", "100")
    empty = write_ons_csv(tmp_path / "empty.csv", [])
    with pytest.raises(CommandError, match="Only 0 usable rows"):
        _import(empty)
    with pytest.raises(CommandError, match="No file"):
        _import(tmp_path / "missing.csv")
    assert directory() == set(SAMPLE)


@pytest.mark.postgres
def test_on_postgresql_the_lookup_is_one_index_only_scan(transactional_db, onspd):
    """Outside a transaction, as the command runs in production: the fresh copy is vacuumed
    so a lookup answers from the index alone."""
    _import(onspd)
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(
            f"EXPLAIN SELECT DISTINCT gss_code FROM {postcodes.TABLE} WHERE postcode = %s",  # noqa: S608
            ["BR1 3UH"],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    assert f"Index Only Scan using {postcodes.INDEX}" in plan
    assert postcodes.councils_of("BR1 3UH") == {BROMLEY}


@pytest.mark.postgres
def test_on_postgresql_a_second_import_at_once_is_refused(transactional_db, onspd):
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    other = psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"]
    )
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [postcodes.LOCK_KEY])
        with pytest.raises(CommandError, match="Another postcode import is running"):
            _import(onspd)
    finally:
        other.execute("SELECT pg_advisory_unlock(%s)", [postcodes.LOCK_KEY])
        other.close()
    _import(onspd)
    assert directory() == set(SAMPLE)


# -- where a postcode lies -------------------------------------------------------------------
@pytest.fixture
def loaded(seeded_boroughs, onspd):
    _import(onspd)
    return list(Borough.objects.filter(is_active=True))


def where(postcode, boroughs):
    return postcodes.place(postcode=postcode, boroughs=boroughs)


def test_a_postcode_in_one_served_borough(loaded):
    found = where("BR1 3UH", loaded)
    assert found.borough.slug == "bromley" and found.known
    assert where("DA6 7AT", loaded).borough.slug == "bexley"


def test_a_postcode_in_a_council_not_served(loaded):
    found = where("SE10 9NN", loaded)
    assert found.borough is None and found.not_served and found.known


def test_an_unknown_postcode_is_placed_by_its_sector_then_its_district(loaded):
    sector = where("SE9 4ZZ", loaded)  # SE9 4 has Bromley, Bexley and Greenwich postcodes
    assert [b.slug for b in sector.boroughs] == ["bexley", "bromley"]
    assert sector.elsewhere and not sector.known and sector.borough is None
    # a new postcode in a sector wholly in Bromley may be in Bromley: not a certainty
    new = where("BR1 3ZZ", loaded)
    assert [b.slug for b in new.boroughs] == ["bromley"] and new.borough is None
    greenwich_only = where("SE9 5ZZ", loaded)
    assert greenwich_only.not_served and not greenwich_only.known
    district = where("SE9 6AA", loaded)  # no SE9 6 postcodes: SE9 as a whole
    assert [b.slug for b in district.boroughs] == ["bexley", "bromley"]


def test_a_postcode_listed_under_two_councils_may_be_in_either(loaded, tmp_path):
    _import(write_ons_csv(tmp_path / "two.csv", [("BR5 2AA", BROMLEY), ("BR5 2AA", BEXLEY)]))
    found = where("BR5 2AA", loaded)
    assert [b.slug for b in found.boroughs] == ["bexley", "bromley"] and found.known
    assert found.borough is None and not found.elsewhere


def test_nowhere_near_anything_known(loaded):
    found = where("ZE1 0AA", loaded)
    assert found.unknown and found.boroughs == ()


def test_an_inactive_borough_or_one_without_a_gss_code_is_not_served(loaded):
    Borough.objects.filter(slug="bromley").update(is_active=False)
    served = list(Borough.objects.filter(is_active=True))
    assert where("BR1 3UH", served).not_served
    Borough.objects.filter(slug="bexley").update(gss_code="")
    assert where("DA6 7AT", list(Borough.objects.all())).not_served
    assert GREENWICH not in {b.gss_code for b in served}
