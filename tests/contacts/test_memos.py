"""Per-process memos: one registry (contacts.memos), one way to clear them, each in the docs."""

from pathlib import Path

import pytest

from contacts import memos

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = {
    "bank holidays",
    "borough pages",
    "borough rows",
    "contact lines",
    "screening rules",
    "staffing",
    "working calendars",
}


def test_every_memo_is_registered():
    import contacts.views  # noqa: F401 (creates the borough pages memo)

    assert set(memos.all_memos()) == EXPECTED


def test_clear_all_empties_every_memo(client, seeded_boroughs):
    assert client.get("/bromley/").status_code == 200
    assert client.get("/api/contacts/bexley/").status_code == 200
    filled = {name for name, memo in memos.all_memos().items() if len(memo)}
    assert filled == EXPECTED - {"screening rules"}  # filled by a submission
    memos.clear_all()
    assert all(len(memo) == 0 for memo in memos.all_memos().values())


def test_a_name_is_one_memo():
    with pytest.raises(ValueError):
        memos.Memo("staffing")


def test_each_memo_is_justified_in_the_architecture_doc():
    text = (ROOT / "docs" / "architecture.md").read_text()
    section = text.split("## Per-process memos", 1)[1].split("\n## ", 1)[0]
    for name in EXPECTED:
        assert f"`{name}`" in section, name
