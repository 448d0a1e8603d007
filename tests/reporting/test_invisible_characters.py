"""Bidirectional and zero-width characters in what people type are removed at input: a name
typed as "Sam\u202eenoB" would show staff "SamBone" while "SamenoB" is stored and searched."""

import pytest

from reporting.models import Child, Referral
from reporting.text import clean_text
from tests.reporting.test_views import CHILD_ONE, CHILDREN_DONE, CONCERN, NAMED, START, submit, walk

TRICKS = (
    "\u202e\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
    "\u200b\u200c\u200d\u2060\ufeff"
)


@pytest.mark.parametrize("multiline", [False, True])
def test_the_text_cleaner_removes_them(multiline):
    assert clean_text(f"Sam{TRICKS}eno\u202eB", multiline=multiline) == "SamenoB"
    assert clean_text(f" Sam{TRICKS}\nSmith ") == "Sam\nSmith"


@pytest.mark.django_db
def test_a_name_typed_with_them_is_stored_and_shown_without(bromley, client):
    name = {"first_name": "Sam\u202eenoB", "last_name": "Sm\u200bith\ufeff"}
    child = [(p, name if p == "child/1/name/" else d) for p, d in CHILD_ONE]
    named = [
        (p, {**d, "name": "Pat\u2066 Jones\u2069"} if p == "your-details/" else d) for p, d in NAMED
    ]
    walk(client, [*START, ("who/", {"who": "public"}), *child, *CHILDREN_DONE, *CONCERN, *named])
    submit(client)
    stored = Child.objects.get()
    assert (stored.first_name, stored.last_name) == ("SamenoB", "Smith")
    assert Referral.objects.get().referrer_name == "Pat Jones"
