"""The generic journey engine, on a small made-up journey, and the concern journey's answers."""

import datetime as dt
import json

import pytest
from django import forms

from reporting.answers import ChildAnswers, ConcernAnswers, ConcernDetails, ReporterAnswers
from reporting.concern_journey import CONCERN, build_answers, check_sections
from reporting.journey import Journey, JourneyForm, Location, State, Step, to_json


class PetForm(JourneyForm):
    pet = forms.ChoiceField(choices=[("cat", "Cat"), ("dog", "Dog"), ("none", "None")])


class NameForm(JourneyForm):
    name = forms.CharField()


class BornForm(JourneyForm):
    date_fields = ("born",)
    born = forms.DateField()


class MoreForm(JourneyForm):
    more = forms.ChoiceField(choices=[("yes", "Yes"), ("no", "No")])


def after_pet(state, index):
    pet = state.answer("pet")["pet"]
    return "sorry" if pet == "none" else Location("name", 0)


def after_name(state, index):
    return Location("name", index + 1) if index + 1 < len(state.items("pets")) else "more"


TOY = Journey(
    name="toy",
    steps=[
        Step("pet", form_class=PetForm, next=after_pet),
        Step("sorry"),
        Step("name", form_class=NameForm, next=after_name, group="pets"),
        Step("remove", form_class=MoreForm, group="pets", detached=True),
        Step("more", form_class=MoreForm, next="born"),
        Step("born", form_class=BornForm, next="check"),
        Step("check"),
    ],
)


def answered(**answers) -> State:
    state = State()
    for name, value in answers.items():
        state.set_answer(TOY.step(name), None, value)
    return state


def test_path_stops_at_the_first_unanswered_question():
    state = State()
    assert TOY.path(state) == [Location("pet")]
    state = answered(pet={"pet": "cat"})
    assert TOY.path(state) == [Location("pet"), Location("name", 0)]
    assert TOY.first_incomplete(state) == Location("name", 0)
    assert not TOY.is_complete(state)


def test_path_stops_at_an_information_page():
    state = answered(pet={"pet": "none"})
    assert TOY.path(state) == [Location("pet"), Location("sorry")]
    assert TOY.first_incomplete(state) == Location("sorry")


def test_repeating_items_and_completion():
    state = answered(pet={"pet": "dog"})
    name = TOY.step("name")
    state.set_answer(name, 0, {"name": "Rex"})  # the first answer creates the item
    state.set_answer(TOY.step("more"), None, {"more": "no"})
    state.set_answer(TOY.step("born"), None, {"born": "2020-01-02"})
    assert TOY.is_complete(state)
    assert state.items("pets") == [{"name": {"name": "Rex"}}]
    state.set_answer(name, 1, {"name": "Fido"})
    assert Location("name", 1) in TOY.path(state)
    assert [value for _, value in TOY.answers_on_path(state)][1:3] == [
        {"name": "Rex"},
        {"name": "Fido"},
    ]
    state.remove_item("pets", 0)
    assert state.answer(name, 0) == {"name": "Fido"}
    assert state.answer(name, 1) is None
    state.remove_item("pets", 7)  # out of range: nothing happens
    assert len(state.items("pets")) == 1


def test_answers_off_the_path_are_kept_but_do_not_count():
    state = answered(pet={"pet": "cat"})
    state.set_answer(TOY.step("name"), 0, {"name": "Tom"})
    state.set_answer(TOY.step("pet"), None, {"pet": "none"})
    assert state.items("pets")  # kept, in case they change their mind back
    assert [loc.step for loc, _ in TOY.answers_on_path(state)] == ["pet"]


def test_may_show_only_pages_on_the_path():
    state = answered(pet={"pet": "cat"})
    assert TOY.may_show(state, Location("pet"))
    assert TOY.may_show(state, Location("name", 0))
    assert not TOY.may_show(state, Location("name", 1))
    assert not TOY.may_show(state, Location("more"))
    assert not TOY.may_show(state, Location("name"))  # a repeating step needs an index
    assert not TOY.may_show(state, Location("pet", 0))
    # A detached page is shown for any existing item.
    assert not TOY.may_show(state, Location("remove", 0))
    state.set_answer(TOY.step("name"), 0, {"name": "Tom"})
    assert TOY.may_show(state, Location("remove", 0))
    assert not TOY.may_show(state, Location("remove", 1))


def test_back_location_is_the_previous_page_on_the_path():
    state = answered(pet={"pet": "cat"})
    state.set_answer(TOY.step("name"), 0, {"name": "Tom"})
    assert TOY.back_location(state, Location("pet")) is None
    assert TOY.back_location(state, Location("name", 0)) == Location("pet")
    assert TOY.back_location(state, Location("more")) == Location("name", 0)
    assert TOY.back_location(state, Location("born")) is None  # not on the path


def test_a_step_can_override_its_back_link():
    journey = Journey(
        name="j",
        steps=[
            Step("a", form_class=NameForm, next="b"),
            Step("b", form_class=NameForm, next="check", back=lambda s, i: Location("check")),
            Step("c", form_class=NameForm, next="check", back=lambda s, i: None),
            Step("check"),
        ],
    )
    state = State()
    state.set_answer(journey.step("a"), None, {"name": "x"})
    assert journey.back_location(state, Location("b")) == Location("check")


def test_next_keeps_the_index_within_a_group():
    journey = Journey(
        name="g",
        steps=[
            Step("one", form_class=NameForm, next="two", group="items"),
            Step("two", form_class=NameForm, next="end", group="items"),
            Step("end", form_class=NameForm, next="check"),
            Step("check"),
        ],
    )
    state = State()
    assert journey.first == Location("one", 0)
    assert journey.next_location(state, Location("one", 3)) == Location("two", 3)
    assert journey.next_location(state, Location("two", 3)) == Location("end")


def test_a_journey_needs_its_finish_step():
    with pytest.raises(AssertionError):
        Journey(name="x", steps=[Step("a")])


def test_session_storage_is_json_and_scoped(client, db):
    session = client.session
    state = TOY.start(session, "bromley")
    state.set_answer(TOY.step("pet"), None, {"pet": "cat"})
    TOY.save(session, "bromley", state)
    assert json.loads(json.dumps(session["journey:toy:bromley"]))["steps"] == {
        "pet": {"pet": "cat"}
    }
    assert TOY.load(session, "bexley") is None
    assert TOY.load(session, "bromley").answer("pet") == {"pet": "cat"}
    session["journey:toy:bexley"] = {"v": 999}
    assert TOY.load(session, "bexley") is None
    session["journey:toy:bexley"] = "junk"
    assert TOY.load(session, "bexley") is None
    TOY.clear(session, "bromley")
    assert TOY.load(session, "bromley") is None
    TOY.clear(session, "bromley")  # twice is fine


def test_forms_dump_json_and_load_back():
    form = BornForm({"born": "2020-01-02"})
    assert form.is_valid()
    assert form.dump() == {"born": "2020-01-02"}
    assert BornForm.initial_from(form.dump()) == {"born": dt.date(2020, 1, 2)}
    assert BornForm.initial_from(None) == {}
    assert to_json({"a": [dt.date(2020, 1, 2), (1, "x")], "b": None}) == {
        "a": ["2020-01-02", [1, "x"]],
        "b": None,
    }


# -- the concern journey's answers -----------------------------------------------------------
def concern_state(**steps) -> State:
    state = State()
    for name, value in steps.items():
        if name == "children":
            for index, child in enumerate(value):
                for step_name, answer in child.items():
                    state.set_answer(CONCERN.step(step_name), index, answer)
        else:
            state.set_answer(CONCERN.step(name.replace("_", "-")), None, value)
    return state


CHILD = {
    "name": {"first_name": "Sam", "last_name": "", "name_unknown": False},
    "age": {"age_known": "age"},
    "age-in-years": {"approximate_age": 7},
    "date-of-birth": {"date_of_birth": "2015-01-01"},  # an earlier answer, changed since
    "where": {"address": "", "postcode": "BR1 3UH", "school": ""},
    "sex": {"sex": "female"},
    "ethnicity": {"ethnicity": ""},  # optional: not answered
}
COMMON = {
    "danger": {"danger": "no"},
    "children": [CHILD],
    "other_children": {"other_children_in_home": "unknown"},
    "categories": {"categories": ["other"]},
    "description": {"description": "Worried"},
    "when": {"when_happened": ""},
    "still_happening": {"still_happening": "unknown"},
    "how_known": {"how_known": "told"},
}


def complete(**extra) -> State:
    state = concern_state(**COMMON, **extra)
    state.set_answer(CONCERN.step("children"), None, {"add_another": "no"})
    return state


def test_concern_answers_follow_the_contract():
    state = complete(who={"who": "public"}, about_you={"anonymous": "yes"})
    assert CONCERN.is_complete(state)
    answers = build_answers(state)
    assert answers == ConcernAnswers(
        who="public",
        children=[
            ChildAnswers(first_name="Sam", approximate_age=7, postcode="BR1 3UH", sex="female")
        ],
        other_children_in_home="unknown",
        other_children_details="",
        concern=ConcernDetails(
            categories=["other"],
            description="Worried",
            when_happened="",
            still_happening="unknown",
            how_known="told",
        ),
        reporter=ReporterAnswers(anonymous=True),
    )


def test_professional_answers_are_named_and_leave_the_public_pages_out():
    state = complete(
        who={"who": "professional"},
        professional_route={"route": "safeguarding"},
        professional_details={
            "name": "Ann",
            "organisation": "School",
            "role": "Head",
            "email": "ann@school.example",
            "phone": "",
        },
        family_aware={"family_aware": "yes"},
        family_agrees={"family_agrees": "unknown"},
        about_you={"anonymous": "yes"},  # left over from before: not on a professional's path
    )
    assert CONCERN.is_complete(state)
    answers = build_answers(state)
    assert answers.professional.family_agrees == "unknown"
    assert answers.professional.no_consent_reason == ""
    assert answers.professional.email == "ann@school.example"
    assert answers.reporter == ReporterAnswers()  # the anonymity answer is not on the path
    titles = [section.title for section in check_sections(state)]
    assert titles == ["About you", "The child", "Other children", "What you are worried about"]


def test_check_sections_offer_a_change_link_for_every_answer():
    state = complete(
        who={"who": "relative"},
        about_you={"anonymous": "no"},
        your_details={"name": "Pat", "phone": "+442084617373", "email": "", "relationship": ""},
        contact_safe={"safe_to_contact": "yes", "contact_notes": ""},
    )
    rows = [row for section in check_sections(state) for row in section.rows]
    assert all(CONCERN.may_show(state, row.change) for row in rows)
    values = {row.key: row.value for row in rows}
    assert values["Phone"] == "020 8461 7373"
    assert values["Age"] == "About 7 years old"
    assert values["Address"] == "BR1 3UH"
    assert values["Sex"] == "Female" and values["Ethnic group"] == "Not given"
