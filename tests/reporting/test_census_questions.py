"""The child's sex and ethnic group: optional questions, one a page, on every journey that asks
about children (the concern, the Family Wellbeing referral, the self-referral), worded to the
child when they tell us about themself, with the census's "prefer not to say" and "I do not
know"; the check-your-answers page shows them with change links."""

import pytest

from reporting import forms as f
from reporting.census import ethnicity_choices
from reporting.models import Ethnicity
from reporting.registry import JOURNEYS


@pytest.mark.parametrize("name", ["concern", "wellbeing", "self"])
def test_every_child_journey_asks_both_after_where(name):
    journey = JOURNEYS[name].journey
    assert journey.step("sex").form_class is f.ChildSexForm
    assert journey.step("ethnicity").form_class is f.ChildEthnicityForm
    assert journey.step("sex").group == journey.step("where").group == "children"


def test_the_questions_are_optional_and_worded_to_the_child():
    assert f.ChildSexForm(data={}).is_valid()
    assert f.ChildEthnicityForm(data={}).is_valid()
    sam = f.Voice(name="Sam")
    assert f.ChildSexForm(voice=sam).title == "What is Sam's sex? (optional)"
    assert f.ChildEthnicityForm(voice=f.Voice(you=True)).title == (
        "What is your ethnic group? (optional)"
    )
    sex = f.ChildSexForm(data={"sex": "prefer_not_to_say"})
    assert sex.is_valid() and sex.cleaned_data["sex"] == "prefer_not_to_say"
    assert f.ChildSexForm(data={"sex": "not_known"}).is_valid()
    assert f.ChildSexForm(data={"sex": "robot"}).errors["sex"] == [
        "Select the child's sex, or leave it blank"
    ]
    assert f.ChildEthnicityForm(data={"ethnicity": "NOBT"}).is_valid()
    assert f.ChildEthnicityForm(data={"ethnicity": "XXXX"}).errors["ethnicity"] == [
        "Select an ethnic group from the list"
    ]


def test_ethnicity_is_grouped_and_ends_with_the_answers_that_are_not_one():
    choices = ethnicity_choices(blank="Not answered")
    assert choices[0] == ("", "Not answered")
    groups = [label for label, options in choices if isinstance(options, list)]
    assert groups == [
        "White",
        "Mixed",
        "Asian or Asian British",
        "Black or Black British",
        "Other ethnic group",
    ]
    assert choices[-2:] == [("REFU", "Prefer not to say"), ("NOBT", "I do not know")]
    # every census code is offered once
    codes = []
    for value, options in choices[1:]:
        codes += [code for code, _ in options] if isinstance(options, list) else [value]
    assert sorted(codes) == sorted(Ethnicity.values)
