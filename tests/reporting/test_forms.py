"""Every validation rule of the concern journey's question pages."""

import datetime as dt

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from contacts.calendar import LONDON
from reporting import forms as f
from reporting.models import CONCERN_CATEGORIES
from reporting.text import clean_text

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 11, 23, 12, 0, tzinfo=LONDON), tick=False):
        yield


def errors(form_class, data, **kwargs) -> dict[str, list[str]]:
    form = form_class(data, **kwargs)
    form.is_valid()
    return {name: list(messages) for name, messages in form.errors.items()}


def cleaned(form_class, data, **kwargs) -> dict:
    form = form_class(data, **kwargs)
    assert form.is_valid(), form.errors
    return form.cleaned_data


def dob(day, month, year) -> dict:
    return {"date_of_birth_0": day, "date_of_birth_1": month, "date_of_birth_2": year}


def due(day, month, year) -> dict:
    return {"due_date_0": day, "due_date_1": month, "due_date_2": year}


def test_category_codes_match_the_model():
    assert [code for code, _ in f.CATEGORY_CHOICES] == [code for code, _ in CONCERN_CATEGORIES]


# -- radios ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("form_class", "field", "message"),
    [
        (f.DangerForm, "danger", "Select yes if a child is in immediate danger right now"),
        (f.WhoForm, "who", "Select who you are"),
        (f.AboutSelfForm, "about_self", "Select if you are worried about yourself or someone else"),
        (
            f.FamilyAwareForm,
            "family_aware",
            "Select yes if the family knows you are making this referral",
        ),
        (f.FamilyAgreesForm, "family_agrees", "Select if the family agrees to this referral"),
        (f.ChildAgeKnownForm, "age_known", "Select what you know about the child's age"),
        (
            f.OtherChildrenForm,
            "other_children_in_home",
            "Select if other children live in the same home",
        ),
        (f.StillHappeningForm, "still_happening", "Select if it is still happening"),
        (f.HowKnownForm, "how_known", "Select how you know about it"),
        (f.AboutYouForm, "anonymous", "Select if you want to tell us who you are"),
        (f.ContactSafeForm, "safe_to_contact", "Select yes if it is safe for us to contact you"),
        (
            f.AddAnotherChildForm,
            "add_another",
            "Select yes if you need to tell us about another child",
        ),
    ],
)
@pytest.mark.parametrize("value", [None, "", "maybe", "<script>"])
def test_a_choice_is_required_and_must_be_one_offered(form_class, field, message, value):
    data = {} if value is None else {field: value}
    assert errors(form_class, data) == {field: [message]}


def test_unborn_is_not_offered_to_a_young_person_about_themself():
    you = f.Voice(you=True)
    assert errors(f.ChildAgeKnownForm, {"age_known": "unborn"}, voice=you) == {
        "age_known": ["Select if you will give your date of birth or age"]
    }


def test_categories_required_and_known():
    message = "Select what you are worried about"
    assert errors(f.ConcernCategoriesForm, {}) == {"categories": [message]}
    assert errors(f.ConcernCategoriesForm, {"categories": ["bogus"]}) == {"categories": [message]}
    assert cleaned(f.ConcernCategoriesForm, {"categories": ["neglect", "other"]})["categories"] == [
        "neglect",
        "other",
    ]


# -- the child's name ------------------------------------------------------------------------
def test_child_name_or_unknown_but_not_both_nor_neither():
    message = "Enter the child's name, or select 'I do not know their name'"
    assert errors(f.ChildNameForm, {}) == {"first_name": [message]}
    assert errors(f.ChildNameForm, {"first_name": "Sam", "name_unknown": "on"}) == {
        "first_name": [message + ", not both"]
    }
    assert cleaned(f.ChildNameForm, {"last_name": "Smith"})["last_name"] == "Smith"
    data = cleaned(f.ChildNameForm, {"name_unknown": "on", "first_name": "  "})
    assert data["name_unknown"] and data["first_name"] == ""


def test_a_young_person_may_keep_their_name_to_themself():
    form = f.ChildNameForm({}, voice=f.Voice(you=True))
    assert form.title == "What is your name?"
    assert not form.is_valid()
    assert form.errors["first_name"] == ["Enter your name, or select 'I do not want to say'"]


# -- dates -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "message", "parts"),
    [
        (dob("", "", ""), "Enter the child's date of birth", [0, 1, 2]),
        (dob("3", "", "2015"), "Date of birth must include a month", [1]),
        (dob("", "", "2015"), "Date of birth must include a day and a month", [0, 1]),
        (dob("3", "4", ""), "Date of birth must include a year", [2]),
        (dob("31", "2", "2015"), "Date of birth must be a real date", [0]),
        (dob("30", "13", "2015"), "Date of birth must be a real date", [1]),
        (dob("x", "4", "2015"), "Date of birth must be a real date", [0]),
        (dob("1", "4", "２０１５"), "Date of birth must be a real date", [2]),
        (dob("-1", "4", "2015"), "Date of birth must be a real date", [0]),
        (dob("3", "4", "15"), "Year must include 4 numbers", [2]),
        (dob("24", "11", "2026"), "Date of birth must be today or in the past", []),
        (dob("1", "1", "1899"), "Date of birth must be after 1900", []),
    ],
)
def test_date_of_birth_rules(data, message, parts):
    form = f.ChildDobForm(data)
    assert not form.is_valid()
    assert form.errors["date_of_birth"] == [message]
    field = form.fields["date_of_birth"]
    marked = [i for i, sub in enumerate(field.fields) if getattr(sub.widget, "errors", None)]
    assert marked == parts
    (href, text), *_ = form.error_links()
    assert text == message
    assert href == f"#id_date_of_birth_{parts[0] if parts else 0}"


def test_date_of_birth_today_and_29_february():
    assert cleaned(f.ChildDobForm, dob("23", "11", "2026"))["date_of_birth"] == TODAY
    assert cleaned(f.ChildDobForm, dob("29", "2", "2024"))["date_of_birth"] == dt.date(2024, 2, 29)
    assert "date_of_birth" in errors(f.ChildDobForm, dob("29", "2", "2025"))


def test_date_of_birth_with_spaces_and_control_characters_is_read():
    assert cleaned(f.ChildDobForm, dob(" 3 ", "\x004", "2015\t"))["date_of_birth"] == dt.date(
        2015, 4, 3
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (due("", "", ""), "Enter the baby's due date"),
        (due("22", "11", "2026"), "Due date must be today or in the future"),
        (due("24", "9", "2027"), "Due date must be within the next 10 months"),
        (due("31", "4", "2027"), "Due date must be a real date"),
    ],
)
def test_due_date_rules(data, message):
    assert errors(f.ChildDueForm, data) == {"due_date": [message]}


def test_due_date_today_up_to_ten_months():
    assert cleaned(f.ChildDueForm, due("23", "11", "2026"))["due_date"] == TODAY
    assert cleaned(f.ChildDueForm, due("23", "9", "2027"))["due_date"] == dt.date(2027, 9, 23)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY))
@settings(max_examples=60, deadline=None)
def test_any_real_past_date_is_accepted_as_typed(day):
    with time_machine.travel(dt.datetime(2026, 11, 23, 12, 0, tzinfo=LONDON), tick=False):
        data = dob(str(day.day), f"{day.month:02d}", str(day.year))
        assert cleaned(f.ChildDobForm, data)["date_of_birth"] == day


@given(st.integers(1, 40), st.integers(1, 15), st.integers(1900, 2026))
@settings(max_examples=80, deadline=None)
def test_impossible_dates_are_refused_never_crash(day, month, year):
    with time_machine.travel(dt.datetime(2026, 11, 23, 12, 0, tzinfo=LONDON), tick=False):
        form = f.ChildDobForm(dob(str(day), str(month), str(year)))
        try:
            real = dt.date(year, month, day) <= TODAY
        except ValueError:
            real = False
        assert form.is_valid() == real


@given(st.lists(st.text(max_size=12), min_size=0, max_size=4))
@settings(max_examples=80, deadline=None)
def test_date_input_survives_any_text(parts):
    data = {f"date_of_birth_{i}": value for i, value in enumerate(parts)}
    form = f.ChildDobForm(data)
    form.is_valid()  # never raises
    if not form.is_valid():
        assert len(form.errors["date_of_birth"]) == 1


def test_adult_by_date_of_birth_or_age():
    assert f.is_adult({"date_of_birth": "2008-11-23"}, TODAY)
    assert not f.is_adult({"date_of_birth": "2008-11-24"}, TODAY)
    assert f.is_adult({"approximate_age": 18}, TODAY)
    assert not f.is_adult({"approximate_age": 17}, TODAY)
    assert not f.is_adult({"unborn": True, "due_date": "2027-01-01"}, TODAY)
    # Born on 29 February: 18 on 1 March in a year without one.
    assert not f.is_adult({"date_of_birth": "2008-02-29"}, dt.date(2026, 2, 28))
    assert f.is_adult({"date_of_birth": "2008-02-29"}, dt.date(2026, 3, 1))


# -- ages ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Enter the child's age"),
        ("eight", "Enter the age in years as a number, like 8"),
        ("-1", "Enter the age in years as a number, like 8"),
        ("7.5", "Enter the age in years as a number, like 8"),
        ("٣", "Enter the age in years as a number, like 8"),
        ("9" * 40, "Enter the age in years as a number, like 8"),
        ("121", "Enter a real age, in years"),
    ],
)
def test_age_rules(value, message):
    assert errors(f.ChildAgeForm, {"approximate_age": value}) == {"approximate_age": [message]}


@given(st.integers(0, 120))
def test_any_age_in_years_is_read(age):
    assert cleaned(f.ChildAgeForm, {"approximate_age": f" {age} "})["approximate_age"] == age


# -- where to find them ----------------------------------------------------------------------
def test_at_least_one_way_to_find_the_child():
    message = "Enter where the child lives or the school they go to"
    assert errors(f.ChildWhereForm, {}) == {"address": [message]}
    assert errors(f.ChildWhereForm, {"address": " \x00 ", "school": "\t"}) == {"address": [message]}
    assert cleaned(f.ChildWhereForm, {"school": "St Mary's"})["school"] == "St Mary's"
    # A child telling us about themself need not say where they live: we ask how to reach them.
    assert errors(f.ChildWhereForm, {}, voice=f.Voice(you=True)) == {}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("br13uh", "BR1 3UH"),
        (" da6 7ab ", "DA6 7AB"),
        ("SW1A1AA", "SW1A 1AA"),
        ("m1 1ae", "M1 1AE"),
    ],
)
def test_postcode_normalised(typed, stored):
    assert cleaned(f.ChildWhereForm, {"postcode": typed})["postcode"] == stored


@pytest.mark.parametrize(
    "typed",
    ["BR1", "12345", "BR1 3UHX", "<b>", "BR1 3U", "not a postcode at all", "x" * 300],
)
def test_postcode_must_be_real(typed):
    assert errors(f.ChildWhereForm, {"postcode": typed}) == {
        "postcode": ["Enter a real postcode, like BR1 3UH"]
    }


@given(st.from_regex(r"\A[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}\Z"))
def test_postcode_normalising_is_stable(postcode):
    once = cleaned(f.ChildWhereForm, {"postcode": postcode.lower()})["postcode"]
    assert cleaned(f.ChildWhereForm, {"postcode": once})["postcode"] == once


# -- text ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("form_class", "field", "limit", "message"),
    [
        (
            f.ConcernDescriptionForm,
            "description",
            5000,
            "What is worrying you must be 5,000 characters or less",
        ),
        (
            f.ConcernWhenForm,
            "when_happened",
            500,
            "When it happened must be 500 characters or less",
        ),
        (f.ChildNameForm, "first_name", 100, "First name must be 100 characters or less"),
        (f.ChildWhereForm, "address", 500, "Address must be 500 characters or less"),
        (
            f.OtherChildrenDetailsForm,
            "other_children_details",
            2000,
            "What you know about the other children must be 2,000 characters or less",
        ),
        (
            f.ConsentReasonForm,
            "no_consent_reason",
            2000,
            "The reason must be 2,000 characters or less",
        ),
        (f.YourDetailsForm, "name", 100, "Your name must be 100 characters or less"),
        (
            f.ContactSafeForm,
            "contact_notes",
            500,
            "When and how it is safe to contact you must be 500 characters or less",
        ),
    ],
)
def test_long_text_is_refused_with_a_clear_message(form_class, field, limit, message):
    assert message in errors(form_class, {field: "a" * (limit + 1)}).get(field, [])
    assert field not in errors(form_class, {field: "a" * limit})
    assert errors(form_class, {field: "x" * 100_000})[field] == [message]


def test_required_text():
    assert errors(f.ConcernDescriptionForm, {"description": "  \n "}) == {
        "description": ["Enter what is worrying you"]
    }
    assert errors(f.OtherChildrenDetailsForm, {}) == {
        "other_children_details": ["Enter what you know about the other children"]
    }
    assert errors(f.ConsentReasonForm, {}, family_aware="no") == {
        "no_consent_reason": ["Enter why you have not told the family"]
    }
    assert errors(f.ConsentReasonForm, {}, family_aware="yes") == {
        "no_consent_reason": ["Enter why the family does not agree"]
    }


def test_control_characters_are_stripped_and_lines_kept():
    data = cleaned(
        f.ConcernDescriptionForm, {"description": "Line one\x00\x07\r\nLine two\x1b[31m\u0085"}
    )
    assert data["description"] == "Line one\nLine two[31m"
    assert cleaned(f.ConcernWhenForm, {"when_happened": "last\nnight\x0b"})["when_happened"] == (
        "last night"
    )


def test_html_is_kept_as_text():
    text = "<script>alert(1)</script>"
    assert cleaned(f.ConcernDescriptionForm, {"description": text})["description"] == text


@given(st.text(max_size=300))
@settings(max_examples=150)
def test_no_control_characters_survive(value):
    out = clean_text(value, multiline=True)
    assert not any((ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F for c in out)
    single = clean_text(value, multiline=False)
    assert "\n" not in single and "\t" not in single
    assert out == out.strip()


def test_no_maxlength_attribute_so_a_paste_can_be_edited():
    html = str(f.ConcernDescriptionForm()["description"])
    assert "maxlength" not in html


# -- contact details -------------------------------------------------------------------------
def test_your_details_rules():
    assert errors(f.YourDetailsForm, {}) == {
        "name": ["Enter your full name"],
        "phone": ["Enter a phone number or email address"],
    }
    assert errors(f.YourDetailsForm, {"name": "Pat", "email": "pat@"}) == {
        "email": ["Enter an email address in the correct format, like name@example.com"]
    }
    assert errors(f.YourDetailsForm, {"name": "Pat", "phone": "12345"}) == {
        "phone": ["Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"]
    }
    data = cleaned(f.YourDetailsForm, {"name": "Pat", "phone": "020 8461 7373"})
    assert data["phone"] == "+442084617373" and data["email"] == ""
    data = cleaned(f.YourDetailsForm, {"name": "Pat", "email": "pat@example.com"})
    assert data["phone"] == ""


def test_professional_details_rules():
    assert errors(f.ProfessionalDetailsForm, {}) == {
        "name": ["Enter your full name"],
        "organisation": ["Enter the name of your organisation"],
        "role": ["Enter your role"],
        "email": ["Enter a work email address or phone number"],
    }
    data = cleaned(
        f.ProfessionalDetailsForm,
        {"name": "A", "organisation": "B", "role": "C", "phone": "+44 20 8461 7373"},
    )
    assert data["phone"] == "+442084617373"


@given(st.text(max_size=40))
@settings(max_examples=100)
def test_phone_is_e164_or_refused(value):
    form = f.YourDetailsForm({"name": "Pat", "phone": value, "email": "p@example.com"})
    if form.is_valid():
        phone = form.cleaned_data["phone"]
        assert phone == "" or (phone.startswith("+") and phone[1:].isdigit())
    else:
        assert list(form.errors) == ["phone"]


# -- words -----------------------------------------------------------------------------------
def test_questions_name_the_child_when_known():
    sam = f.Voice(name="Sam")
    assert f.ChildDobForm(voice=sam).title == "What is Sam's date of birth?"
    assert f.ChildWhereForm(voice=sam).title == "Where can we find Sam?"
    assert f.ChildAgeForm(voice=sam).title == "How old is Sam?"
    assert f.ChildAgeForm(voice=f.Voice(you=True)).title == "How old are you?"
    assert f.ChildDobForm().title == "What is the child's date of birth?"


def test_one_message_per_field():
    form = f.ChildWhereForm({"postcode": "nope", "address": "a" * 600})
    assert not form.is_valid()
    assert all(len(messages) == 1 for messages in form.errors.values())


def test_honeypot():
    assert f.CheckAnswersForm({"website": "x"}).is_bot
    assert not f.CheckAnswersForm({"website": ""}).is_bot
    assert not f.CheckAnswersForm({}).is_bot


def test_inputs_in_error_have_the_error_class():
    form = f.YourDetailsForm({"name": "", "email": "nope"})
    form.is_valid()
    assert "govuk-input--error" in form.fields["email"].widget.attrs["class"]
    form = f.ConcernDescriptionForm({"description": ""})
    form.is_valid()
    assert "govuk-textarea--error" in form.fields["description"].widget.attrs["class"]


# -- what real people type ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("month", "number"),
    [("March", 3), ("mar", 3), ("MAR", 3), ("Mar.", 3), ("sept", 9), ("September", 9), ("03", 3)],
)
def test_month_names_and_abbreviations_are_read(month, number):
    value = cleaned(f.ChildDobForm, dob("27", month, "2015"))["date_of_birth"]
    assert value == dt.date(2015, number, 27)


def test_the_month_input_lets_people_type_words():
    widget = f.ChildDobForm().fields["date_of_birth"].widget
    assert [w.attrs.get("inputmode") for w in widget.widgets] == ["numeric", None, "numeric"]


def test_a_neighbour_can_say_they_do_not_know_the_childs_age():
    assert cleaned(f.ChildAgeKnownForm, {"age_known": "unknown"})["age_known"] == "unknown"
    # a child telling us about themself is not offered it
    you = f.ChildAgeKnownForm(voice=f.Voice(you=True)).fields["age_known"].choices
    assert "unknown" not in dict(you)


@pytest.mark.parametrize(
    "typed", ["07700 900 982", "01632 960 001", "07911 333444", "+44 7911 333444"]
)
def test_uk_phone_numbers_people_type_are_accepted(typed):
    data = {"name": "Sam Taylor", "phone": typed}
    assert cleaned(f.YourDetailsForm, data)["phone"].startswith("+44")
