"""The Family Wellbeing referral (a professional, with the parent's written consent), the
self-referral (a parent, carer or young person) and the consultation request (a professional
asking MASH to talk a family through): their steps on the generic engine (reporting/journey.py),
the answers they hand to reporting/family_services.py, and their check-your-answers rows.

The children's pages are the concern journey's, with its "add another child" rules."""

from __future__ import annotations

from dataclasses import replace

from contacts.selectors import working_calendar
from reporting import concern_journey as cj
from reporting import family_forms as ff
from reporting import forms as f
from reporting.answers import (
    CarerAnswers,
    ChildAnswers,
    ConsentAnswers,
    ConsultationAnswers,
    Criterion,
    FamilyWellbeingAnswers,
    ProfessionalAnswers,
    SelfReferralAnswers,
    SelfReporter,
    iso_date,
    iso_time,
)
from reporting.concern_journey import answer
from reporting.journey import (
    AddAnother,
    Journey,
    Location,
    OnPath,
    Row,
    Section,
    State,
    Step,
    choice_label,
    format_date,
    recheck,
)
from reporting.models import CONTACT_METHODS, WELLBEING_CRITERIA

CHILDREN = cj.CHILDREN
CARERS = "carers"


# -- voice -----------------------------------------------------------------------------------
def voice(state: State, index: int | None = None) -> f.Voice:
    you = cj.young_person(state) and index == 0
    return f.Voice(you=you, name="" if index is None else cj.child_name(state, index))


def with_voice(state, index):
    return {"voice": voice(state, index)}


# -- children (the concern journey's pages and rules) ----------------------------------------
def child_row_name(state: State, index: int) -> str:
    return "You" if voice(state, index).you else (cj.child_name(state, index) or "Name not known")


def child_row_born(state: State, index: int) -> str:
    data = cj.child_data(state, index)
    if data.get("unborn"):
        return "Not born yet"
    if data.get("date_of_birth"):
        return "Born " + format_date(data["date_of_birth"])
    return ""


# The concern journey's list rules; the rows say only whether each child is born.
CHILD_LIST = replace(cj.CHILD_LIST, row_name=child_row_name, row_summary=child_row_born)


def after_child_name(state, index):
    return "date-of-birth" if voice(state, index).you else "age"


def _child(name, form_class, next_rule, **kwargs) -> Step:
    return cj.child_step(name, form_class, next_rule, with_voice, **kwargs)


def child_steps(after_children) -> list[Step]:
    return [
        _child(
            "name",
            f.ChildNameForm,
            after_child_name,
            on_save=CHILD_LIST.item_saved,
            back=CHILD_LIST.back_from_first,
        ),
        _child("age", ff.FamilyAgeKnownForm, cj.after_age_known),
        _child("date-of-birth", ff.FamilyChildDobForm, "where"),
        _child("due-date", f.ChildDueForm, "where"),
        _child("where", f.ChildWhereForm, "sex"),
        _child("sex", f.ChildSexForm, "ethnicity"),
        _child("ethnicity", f.ChildEthnicityForm, CHILD_LIST.after_last),
        CHILD_LIST.remove_step(f.RemoveChildForm),
        CHILD_LIST.list_step(f.AddAnotherChildForm, after_children, "reporting/children.html"),
    ]


# -- parents and carers (the same pattern, for the "carers" group) ---------------------------
def carer_name(state: State, index: int) -> str:
    items = state.items(CARERS)
    if not 0 <= index < len(items):
        return ""
    return (items[index].get("carer") or {}).get("name", "")


def carer_relationship(state: State, index: int) -> str:
    return (state.items(CARERS)[index].get("carer") or {}).get("relationship", "")


CARER_LIST = AddAnother(
    CARERS,
    first="carer",
    list_page="carers",
    remove_page="remove-carer",
    item_name=carer_name,
    fallback="parent or carer",
    flag="adding_carer",
    row_summary=carer_relationship,
)


def carer_steps(after_carers) -> list[Step]:
    return [
        Step(
            "carer",
            title="Their details",
            form_class=ff.CarerForm,
            next=CARER_LIST.after_last,
            group=CARERS,
            on_save=CARER_LIST.item_saved,
            back=CARER_LIST.back_from_first,
        ),
        CARER_LIST.remove_step(ff.RemoveCarerForm),
        CARER_LIST.list_step(ff.AddAnotherCarerForm, after_carers, "reporting/family/carers.html"),
    ]


# -- Family Wellbeing referral by a professional ---------------------------------------------
def after_consent(state, index):
    return "professional" if answer(state, "consent", "consent") == f.YES else "no-consent"


def consent_form_kwargs(state, index):
    return {"existing": (state.answer("consent-form") or {}).get("file")}


def criteria_kwargs(state, index):
    return {"codes": answer(state, "criteria", "criteria", [])}


def contact_kwargs(state, index):
    return {"methods": answer(state, "contact", "methods", [])}


CHECK_TITLE = "Check your answers before sending"

FAMILY_WELLBEING = Journey(
    name="family_wellbeing",
    item_names={CHILDREN: "child", CARERS: "parent or carer"},
    steps=[
        # Consent first: without it there is no referral, so nothing else is asked.
        Step("consent", form_class=ff.HaveConsentForm, next=after_consent),
        Step(
            "no-consent",
            title="We cannot accept a referral without consent",
            template="reporting/family/no_consent.html",
        ),
        Step("professional", form_class=ff.ProfessionalForm, next="consent-form"),
        Step(
            "consent-form",
            form_class=ff.ConsentUploadForm,
            next=cj.first_child,
            form_kwargs=consent_form_kwargs,
        ),
        *child_steps(lambda state, index: Location("carer", 0)),
        *carer_steps("criteria"),
        Step(
            "criteria",
            form_class=ff.CriteriaForm,
            next="criteria-details",
            on_save=recheck("criteria-details", ff.CriteriaDetailsForm, criteria_kwargs),
        ),
        Step(
            "criteria-details",
            form_class=ff.CriteriaDetailsForm,
            next="support-tried",
            form_kwargs=criteria_kwargs,
        ),
        Step("support-tried", form_class=ff.SupportTriedForm, next="other-agencies"),
        Step("other-agencies", form_class=ff.OtherAgenciesForm, next="check"),
        Step("check", title=CHECK_TITLE, template="reporting/family/check_answers.html"),
    ],
)

# -- self-referral ---------------------------------------------------------------------------
SELF_REFERRAL = Journey(
    name="self_referral",
    item_names={CHILDREN: "child"},
    steps=[
        Step("who", form_class=ff.SelfWhoForm, next=cj.first_child),
        *child_steps("help"),
        Step("help", form_class=ff.SelfHelpForm, next="description"),
        Step("description", form_class=ff.SelfDescriptionForm, next="contact"),
        Step(
            "contact",
            form_class=ff.ContactMethodsForm,
            next="your-details",
            on_save=recheck("your-details", ff.SelfDetailsForm, contact_kwargs),
        ),
        Step(
            "your-details",
            form_class=ff.SelfDetailsForm,
            next="check",
            form_kwargs=contact_kwargs,
        ),
        Step("check", title=CHECK_TITLE, template="reporting/family/check_answers.html"),
    ],
)


# -- consultation ----------------------------------------------------------------------------
def calendar_kwargs(borough):
    """The callback is asked for within the borough's working days and hours."""
    return {"calendar": working_calendar(borough)}


CONSULTATION = Journey(
    name="consultation",
    steps=[
        Step("your-details", form_class=ff.ConsultationProfessionalForm, next="summary"),
        Step("summary", form_class=ff.ConsultationSummaryForm, next="callback"),
        Step("callback", form_class=ff.CallbackForm, next="check", borough_kwargs=calendar_kwargs),
        Step("check", title=CHECK_TITLE, template="reporting/family/check_answers.html"),
    ],
)


# -- answers ---------------------------------------------------------------------------------
def professional_answers(details: dict) -> ProfessionalAnswers:
    keys = ("name", "organisation", "role", "email", "phone")
    return ProfessionalAnswers(**{key: details.get(key, "") for key in keys})


def carer_answers(on_path: OnPath) -> list[CarerAnswers]:
    carers = []
    for index in on_path.items("carer"):
        carer = on_path.get("carer", index)
        keys = ("name", "relationship", "phone", "email", "address", "postcode", "language")
        carers.append(
            CarerAnswers(
                **{key: carer.get(key, "") for key in keys},
                interpreter_needed=carer.get("interpreter") == f.YES,
            )
        )
    return carers


def family_wellbeing_answers(state: State) -> FamilyWellbeingAnswers:
    on_path = OnPath(FAMILY_WELLBEING, state)
    get = on_path.get
    details, consent = get("criteria-details"), get("consent-form")
    return FamilyWellbeingAnswers(
        professional=professional_answers(get("professional")),
        consent=ConsentAnswers(
            given=get("consent").get("consent") == f.YES,
            consented_by=consent.get("consented_by", ""),
            consent_date=iso_date(consent.get("consent_date")),
            file=consent.get("file"),
        ),
        children=cj.children_answers(on_path),
        carers=carer_answers(on_path),
        criteria=[
            Criterion(code, details.get(code, "")) for code in get("criteria").get("criteria", [])
        ],
        support_tried=get("support-tried").get("support_tried", ""),
        other_agencies=get("other-agencies").get("other_agencies", ""),
    )


def self_referral_answers(state: State) -> SelfReferralAnswers:
    on_path = OnPath(SELF_REFERRAL, state)
    get = on_path.get
    details = get("your-details")
    keys = ("name", "phone", "email", "address", "postcode", "updates_by")
    return SelfReferralAnswers(
        who=get("who").get("who", ""),
        children=cj.children_answers(on_path),
        reporter=SelfReporter(**{key: details.get(key, "") for key in keys}),
        methods=get("contact").get("methods", []),
        contact_notes=get("contact").get("contact_notes", ""),
        criteria=get("help").get("criteria", []),
        description=get("description").get("description", ""),
    )


def consultation_answers(state: State) -> ConsultationAnswers:
    get = OnPath(CONSULTATION, state).get
    callback = get("callback")
    return ConsultationAnswers(
        professional=professional_answers(get("your-details")),
        description=get("summary").get("description", ""),
        callback_date=iso_date(callback.get("callback_date")),
        callback_start=iso_time(callback.get("callback_start")),
        callback_end=iso_time(callback.get("callback_end")),
    )


# -- check your answers ----------------------------------------------------------------------
def professional_rows(pro: ProfessionalAnswers, step: str) -> list[Row]:
    at = Location(step)
    return [
        Row("Your name", pro.name, at, "your name"),
        Row("Organisation", pro.organisation, at, "your organisation"),
        Row("Role", pro.role, at, "your role"),
        Row("Work email", pro.email, at, "your work email"),
        Row("Work phone", f.display_phone(pro.phone) or "Not given", at, "your work phone"),
    ]


def children_sections(children: list[ChildAnswers], state: State) -> list[Section]:
    sections = []
    several = len(children) > 1
    for index, child in enumerate(children):
        you = voice(state, index).you
        title = "You" if you else (f"Child {index + 1}" if several else "The child")
        label = title.lower()
        if child.unborn:
            value, key = f"Not born yet, due {format_date(child.due_date)}", "Due date"
        else:
            value, key = format_date(child.date_of_birth), "Date of birth"
        age = Location("date-of-birth", index) if you else Location("age", index)
        where = Location("where", index)
        address = "\n".join(p for p in (child.address, child.postcode) if p)
        section = Section(
            title,
            [
                Row("Name", child.name, Location("name", index), f"{label}'s name"),
                Row(key, value, age, f"{label}'s {key.lower()}"),
                Row("Address", address or "Not given", where, f"{label}'s address"),
                Row("School or nursery", child.school or "Not given", where, f"{label}'s school"),
                *cj.census_rows(child, index, label + "'s"),
            ],
            remove=Location("remove-child", index) if several else None,
        )
        sections.append(section)
    return sections


def consent_section(consent: ConsentAnswers) -> Section:
    upload = Location("consent-form")
    file = consent.file or {}
    return Section(
        "Consent",
        [
            Row("Written consent", "Yes", Location("consent"), "whether you have consent"),
            Row(
                "Signed consent form",
                f"{file.get('original_name', '')} ({_size(file.get('size', 0))})",
                upload,
                "the signed consent form",
            ),
            Row("Consent given by", consent.consented_by, upload, "who gave consent"),
            Row("Date signed", format_date(consent.consent_date), upload, "the date signed"),
        ],
    )


def carer_sections(carers: list[CarerAnswers]) -> list[Section]:
    sections = []
    several = len(carers) > 1
    for index, carer in enumerate(carers):
        title = f"Parent or carer {index + 1}" if several else "Parent or carer"
        at, label = Location("carer", index), title.lower()
        ways = (f.display_phone(carer.phone), carer.email, carer.address, carer.postcode)
        language = carer.language or "Not given"
        if carer.interpreter_needed:
            language += "\nNeeds an interpreter"
        relationship = carer.relationship or "Not given"
        rows = [
            Row("Name", carer.name, at, f"{label}'s name"),
            Row("Relationship", relationship, at, f"{label}'s relationship"),
            Row(
                "Contact details", "\n".join(p for p in ways if p), at, f"{label}'s contact details"
            ),
            Row("Language", language, at, f"{label}'s language"),
        ]
        remove = Location("remove-carer", index) if several else None
        sections.append(Section(title, rows, remove=remove))
    return sections


def need_section(answers: FamilyWellbeingAnswers) -> Section:
    labels = dict(WELLBEING_CRITERIA)
    codes = [criterion.code for criterion in answers.criteria]
    return Section(
        "Why the family needs support",
        [
            Row(
                "Criteria",
                "\n".join(labels[code] for code in codes),
                Location("criteria"),
                "which criteria apply",
            ),
            *(
                Row(
                    labels[c.code],
                    c.details,
                    Location("criteria-details"),
                    f"details about {labels[c.code].lower()}",
                )
                for c in answers.criteria
            ),
            Row(
                "Support tried",
                answers.support_tried,
                Location("support-tried"),
                "what support has been tried",
            ),
            Row(
                "Other agencies",
                answers.other_agencies or "None given",
                Location("other-agencies"),
                "other agencies involved",
            ),
        ],
    )


def family_wellbeing_sections(state: State) -> list[Section]:
    answers = family_wellbeing_answers(state)
    return [
        Section("About you", professional_rows(answers.professional, "professional")),
        consent_section(answers.consent),
        *children_sections(answers.children, state),
        *carer_sections(answers.carers),
        need_section(answers),
    ]


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f}MB"
    return f"{max(1, round(size / 1024))}KB"


def self_referral_sections(state: State) -> list[Section]:
    answers = self_referral_answers(state)
    who = choice_label(ff.SelfWhoForm.base_fields["who"].choices, answers.who)
    reporter = answers.reporter
    at, contact = Location("your-details"), Location("contact")
    address = "\n".join(p for p in (reporter.address, reporter.postcode) if p)
    methods = "\n".join(choice_label(CONTACT_METHODS, m) for m in answers.methods)
    you = Section(
        "About you",
        [
            Row("Who you are", who, Location("who"), "who you are"),
            Row("Your name", reporter.name, at, "your name"),
            Row("Phone", f.display_phone(reporter.phone) or "Not given", at, "your phone"),
            Row("Email", reporter.email or "Not given", at, "your email address"),
            Row("Address", address or "Not given", at, "your address"),
            Row("Contact me by", methods, contact, "how to contact you"),
            Row(
                "When it is safe to contact me",
                answers.contact_notes or "Any time",
                contact,
                "when it is safe to contact you",
            ),
        ],
    )
    help_labels = dict(ff.SELF_CRITERIA)
    help_section = Section(
        "The help you would like",
        [
            Row(
                "Help with",
                "\n".join(help_labels[c] for c in answers.criteria) or "Not given",
                Location("help"),
                "what you would like help with",
            ),
            Row(
                "About your family",
                answers.description,
                Location("description"),
                "about your family",
            ),
        ],
    )
    return [you, *children_sections(answers.children, state), help_section]


def consultation_sections(state: State) -> list[Section]:
    answers = consultation_answers(state)
    when = ""
    if answers.callback_date:
        start = ff.time_label(answers.callback_start)
        end = ff.time_label(answers.callback_end)
        day = answers.callback_date
        when = f"{day:%A} {format_date(day)}, {start} to {end}"
    return [
        Section("About you", professional_rows(answers.professional, "your-details")),
        Section(
            "What you would like to talk through",
            [
                Row(
                    "Summary",
                    answers.description,
                    Location("summary"),
                    "what you would like to talk through",
                ),
                Row("Call me back", when, Location("callback"), "when we can call you back"),
            ],
        ),
    ]
