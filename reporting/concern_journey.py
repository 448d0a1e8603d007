"""The "Report a concern about a child" journey: its steps, which page follows which, the
answers it hands to `submit_concern`, and the rows of its check-your-answers page."""

from __future__ import annotations

import datetime as dt

from reporting import forms as f
from reporting.answers import (
    ChildAnswers,
    ConcernAnswers,
    ConcernDetails,
    ConcernProfessional,
    ReporterAnswers,
    iso_date,
    yes_no,
)
from reporting.census import PUBLIC_SEX_CHOICES, ethnicity_label
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
)
from reporting.models import ABOUT_THEMSELF, Referral

CHILDREN = "children"
PROFESSIONAL = Referral.ReferrerType.PROFESSIONAL
CHILD = Referral.ReferrerType.CHILD


# -- reading answers -------------------------------------------------------------------------
def answer(state: State, step: str, key: str, default=None):
    return (state.answer(step) or {}).get(key, default)


def is_professional(state: State) -> bool:
    return answer(state, "who", "who") == PROFESSIONAL


def young_person(state: State) -> bool:
    """A child or young person is answering (any journey that asks "who"): the pages speak
    to them and show Childline."""
    return answer(state, "who", "who") == CHILD


def about_self(state: State) -> bool:
    return young_person(state) and answer(state, "about-self", "about_self") == "me"


def child_data(state: State, index: int) -> dict:
    """Everything known about one child, merged from their pages."""
    items = state.items(CHILDREN)
    if not 0 <= index < len(items):
        return {}
    merged: dict = {}
    for value in items[index].values():
        merged.update(value)
    return merged


def child_name(state: State, index: int) -> str:
    data = child_data(state, index)
    if data.get("name_unknown"):
        return ""
    return " ".join(part for part in (data.get("first_name"), data.get("last_name")) if part)


def voice(state: State, index: int | None = None) -> f.Voice:
    you = about_self(state) and index in (0, None)
    return f.Voice(you=you, name="" if index is None else child_name(state, index))


def today() -> dt.date:
    return f.london_today()


# -- next-page rules -------------------------------------------------------------------------
def after_danger(state, index):
    return "call-999" if answer(state, "danger", "danger") == f.YES else "who"


def after_who(state, index):
    who = answer(state, "who", "who")
    if who == PROFESSIONAL:
        return "professional-route"
    if who == CHILD:
        return "about-self"
    return first_child(state, index)


def first_child(state, index):
    return Location("name", 0)


def after_route(state, index):
    if answer(state, "professional-route", "route") == "early_help":
        return "early-help"
    return "professional-details"


def after_family_aware(state, index):
    return (
        "family-agrees"
        if answer(state, "family-aware", "family_aware") == f.YES
        else ("consent-reason")
    )


def after_family_agrees(state, index):
    if answer(state, "family-agrees", "family_agrees") == f.NO:
        return "consent-reason"
    return first_child(state, index)


def after_age_known(state, index):
    known = (state.items(CHILDREN)[index].get("age") or {}).get("age_known")
    return {"dob": "date-of-birth", "age": "age-in-years", "unborn": "due-date"}.get(known, "where")


def age_facts(state: State, index: int) -> dict:
    """The child's age as last answered: a date of birth, an age, or a due date (answers to the
    other age pages may linger from before a change, and do not count)."""
    item = state.items(CHILDREN)[index] if index < len(state.items(CHILDREN)) else {}
    known = (item.get("age") or {}).get("age_known")
    page = {"dob": "date-of-birth", "age": "age-in-years", "unborn": "due-date"}.get(known)
    facts = dict(item.get(page) or {}) if page else {}
    if known == "unborn":
        facts["unborn"] = True
    return facts


def after_child_age(state, index):
    return "adult" if f.is_adult(age_facts(state, index), today()) else "where"


def after_children(state, index):
    return "other-children"


def after_other_children(state, index):
    if answer(state, "other-children", "other_children_in_home") == f.YES:
        return "other-children-details"
    return "categories"


def after_how_known(state, index):
    if is_professional(state):
        return "check"
    # A child telling us about themself is not asked whether to give their name (they have
    # told us) nor who the child is to them: only how we can reach them safely.
    return "reach-you" if about_self(state) else "about-you"


def after_about_you(state, index):
    return "check" if answer(state, "about-you", "anonymous") == f.YES else "your-details"


# -- the children's list ----------------------------------------------------------------------
def child_row_name(state: State, index: int) -> str:
    return "You" if voice(state, index).you else (child_name(state, index) or "Name not known")


def child_row_age(state: State, index: int) -> str:
    data = age_facts(state, index)
    if data.get("unborn"):
        return "Not born yet, due " + format_date(data.get("due_date"))
    if data.get("date_of_birth"):
        return "Born " + format_date(data["date_of_birth"])
    age = data.get("approximate_age")
    if age is not None:
        return f"About {age} years old" if age else "Under 1"
    return ""


CHILD_LIST = AddAnother(
    CHILDREN,
    first="name",
    list_page="children",
    remove_page="remove-child",
    item_name=child_name,
    fallback="child",
    flag="adding_child",
    row_name=child_row_name,
    row_summary=child_row_age,
)
after_where = CHILD_LIST.after_last


def with_voice(state, index):
    return {"voice": voice(state, index)}


def consent_kwargs(state, index):
    return {"family_aware": answer(state, "family-aware", "family_aware", "")}


# -- the journey -----------------------------------------------------------------------------
def child_step(name, form_class, next_rule, form_kwargs=with_voice, **kwargs) -> Step:
    """A page about one child (the "children" group), worded by `form_kwargs`' voice."""
    return Step(
        name,
        form_class=form_class,
        next=next_rule,
        group=CHILDREN,
        form_kwargs=form_kwargs,
        **kwargs,
    )


CONCERN = Journey(
    name="concern",
    item_names={CHILDREN: "child"},
    steps=[
        Step("danger", form_class=f.DangerForm, next=after_danger),
        Step("call-999", title="Call 999 now", template="reporting/call_999.html"),
        Step("who", form_class=f.WhoForm, next=after_who),
        Step("about-self", form_class=f.AboutSelfForm, next=first_child),
        Step(
            "professional-route",
            form_class=f.ProfessionalRouteForm,
            next=after_route,
            template="reporting/professional_route.html",
        ),
        Step("early-help", title="Early help for a family", template="reporting/early_help.html"),
        Step("professional-details", form_class=f.ProfessionalDetailsForm, next="family-aware"),
        Step("family-aware", form_class=f.FamilyAwareForm, next=after_family_aware),
        Step("family-agrees", form_class=f.FamilyAgreesForm, next=after_family_agrees),
        Step(
            "consent-reason",
            title="Why the family does not know or does not agree",  # not their answer
            form_class=f.ConsentReasonForm,
            next=first_child,
            form_kwargs=consent_kwargs,
        ),
        child_step(
            "name",
            f.ChildNameForm,
            "age",
            on_save=CHILD_LIST.item_saved,
            back=CHILD_LIST.back_from_first,
        ),
        child_step("age", f.ChildAgeKnownForm, after_age_known),
        child_step("date-of-birth", f.ChildDobForm, after_child_age),
        child_step("age-in-years", f.ChildAgeForm, after_child_age),
        child_step("due-date", f.ChildDueForm, "where"),
        child_step("where", f.ChildWhereForm, "sex"),
        child_step("sex", f.ChildSexForm, "ethnicity"),
        child_step("ethnicity", f.ChildEthnicityForm, after_where),
        Step("adult", title="This service is for children", template="reporting/adult.html"),
        CHILD_LIST.remove_step(f.RemoveChildForm),
        CHILD_LIST.list_step(f.AddAnotherChildForm, after_children, "reporting/children.html"),
        Step(
            "other-children",
            form_class=f.OtherChildrenForm,
            next=after_other_children,
            form_kwargs=with_voice,
        ),
        Step("other-children-details", form_class=f.OtherChildrenDetailsForm, next="categories"),
        Step("categories", form_class=f.ConcernCategoriesForm, next="description"),
        Step(
            "description", form_class=f.ConcernDescriptionForm, next="when", form_kwargs=with_voice
        ),
        Step("when", form_class=f.ConcernWhenForm, next="still-happening"),
        Step("still-happening", form_class=f.StillHappeningForm, next="how-known"),
        Step("how-known", form_class=f.HowKnownForm, next=after_how_known, form_kwargs=with_voice),
        Step("about-you", form_class=f.AboutYouForm, next=after_about_you),
        Step(
            "your-details",
            form_class=f.YourDetailsForm,
            next="contact-safe",
            form_kwargs=with_voice,
        ),
        Step("contact-safe", form_class=f.ContactSafeForm, next="check"),
        Step("reach-you", form_class=f.ReachYouForm, next="check"),
        Step(
            "check",
            title="Check your answers before sending your report",
            template="reporting/check_answers.html",
        ),
    ],
)


# -- the answers for submit_concern ------------------------------------------------------------
def children_answers(on_path: OnPath) -> list[ChildAnswers]:
    """The children, from their pages (the Family Wellbeing journeys ask the same pages). Only
    the age page that was last chosen is on the path."""
    children = []
    for index in on_path.items("name"):
        name, where = on_path.get("name", index), on_path.get("where", index)
        age = on_path.get("age-in-years", index).get("approximate_age")
        children.append(
            ChildAnswers(
                first_name=name.get("first_name", ""),
                last_name=name.get("last_name", ""),
                name_unknown=bool(name.get("name_unknown")),
                date_of_birth=iso_date(on_path.get("date-of-birth", index).get("date_of_birth")),
                approximate_age=None if age is None else int(age),
                unborn=on_path.get("age", index).get("age_known") == "unborn",
                due_date=iso_date(on_path.get("due-date", index).get("due_date")),
                address=where.get("address", ""),
                postcode=where.get("postcode", ""),
                school=where.get("school", ""),
                sex=on_path.get("sex", index).get("sex", ""),
                ethnicity=on_path.get("ethnicity", index).get("ethnicity", ""),
            )
        )
    return children


def own_answers(state: State, on_path: OnPath) -> ReporterAnswers:
    """A child telling us about themself: their name (from their own name page) and how to
    reach them safely. With no way to reach them, they are anonymous."""
    reach = on_path.get("reach-you")
    phone, email = reach.get("phone", ""), reach.get("email", "")
    if not (phone or email):
        return ReporterAnswers(anonymous=True, relationship=ABOUT_THEMSELF)
    return ReporterAnswers(
        name=child_name(state, 0),
        phone=phone,
        email=email,
        relationship=ABOUT_THEMSELF,
        safe_to_contact=True,
        contact_notes=reach.get("contact_notes", ""),
        updates_by=reach.get("updates_by", ""),
    )


def reporter_answers(state: State, on_path: OnPath) -> ReporterAnswers:
    if about_self(state):
        return own_answers(state, on_path)
    if on_path.get("about-you").get("anonymous") == f.YES:
        return ReporterAnswers(anonymous=True)
    details, safe = on_path.get("your-details"), on_path.get("contact-safe")
    relationship = details.get("relationship", "")
    return ReporterAnswers(
        name=details.get("name", ""),
        phone=details.get("phone", ""),
        email=details.get("email", ""),
        relationship=relationship,
        safe_to_contact=yes_no(safe.get("safe_to_contact")),
        contact_notes=safe.get("contact_notes", ""),
        updates_by=details.get("updates_by", ""),
    )


def professional_answers(on_path: OnPath) -> ConcernProfessional:
    details = on_path.get("professional-details")
    return ConcernProfessional(
        **{key: details.get(key, "") for key in ("name", "organisation", "role", "email", "phone")},
        family_aware=on_path.get("family-aware").get("family_aware", ""),
        family_agrees=on_path.get("family-agrees").get("family_agrees", ""),
        no_consent_reason=on_path.get("consent-reason").get("no_consent_reason", ""),
    )


def build_answers(state: State) -> ConcernAnswers:
    """The concern's answers for `submit_concern`, from the answers on the path."""
    on_path = OnPath(CONCERN, state)
    get = on_path.get
    who = get("who").get("who", "")
    answers = ConcernAnswers(
        who=who,
        children=children_answers(on_path),
        concern=ConcernDetails(
            categories=get("categories").get("categories", []),
            description=get("description").get("description", ""),
            when_happened=get("when").get("when_happened", ""),
            still_happening=get("still-happening").get("still_happening", ""),
            how_known=get("how-known").get("how_known", ""),
        ),
        other_children_in_home=get("other-children").get("other_children_in_home", ""),
        other_children_details=get("other-children-details").get("other_children_details", ""),
    )
    if who == PROFESSIONAL:
        answers.professional = professional_answers(on_path)
    else:
        answers.reporter = reporter_answers(state, on_path)
    return answers


# -- check your answers ----------------------------------------------------------------------
def professional_rows(pro: ConcernProfessional) -> list[Row]:
    details = Location("professional-details")
    rows = [
        Row("Your name", pro.name, details, "your name"),
        Row("Organisation", pro.organisation, details, "your organisation"),
        Row("Role", pro.role, details, "your role"),
        Row("Work email", pro.email or "Not given", details, "your work email"),
        Row("Work phone", f.display_phone(pro.phone) or "Not given", details, "your work phone"),
        Row(
            "Does the family know?",
            choice_label(f.YES_NO, pro.family_aware),
            Location("family-aware"),
            "whether the family knows",
        ),
    ]
    if pro.family_aware == f.YES:
        rows.append(
            Row(
                "Does the family agree?",
                choice_label(f.YES_NO_UNKNOWN, pro.family_agrees),
                Location("family-agrees"),
                "whether the family agrees",
            )
        )
    if pro.no_consent_reason:
        rows.append(
            Row(
                "Why not",
                pro.no_consent_reason,
                Location("consent-reason"),
                "why the family does not know or agree",
            )
        )
    return rows


def own_rows(reporter: ReporterAnswers) -> list[Row]:
    """A child about themself: how we can reach them, nothing about 'the child'."""
    reach = Location("reach-you")
    if reporter.anonymous:
        return [
            Row("How we can contact you", "You did not give a way", reach, "how we can contact you")
        ]
    rows = [
        Row("Phone", f.display_phone(reporter.phone) or "Not given", reach, "your phone number"),
        Row("Email", reporter.email or "Not given", reach, "your email address"),
    ]
    if reporter.contact_notes:
        rows.append(
            Row(
                "When and how to contact you",
                reporter.contact_notes,
                reach,
                "when and how to contact you",
            )
        )
    rows += updates_rows(reporter, reach)
    return rows


def updates_rows(reporter: ReporterAnswers, page: Location) -> list[Row]:
    """The channel they chose for updates, when they were asked (an email and a mobile)."""
    if not reporter.updates_by:
        return []
    label = dict(f.UPDATES_BY)[reporter.updates_by]
    return [Row("How we send you updates", label, page, "how we send you updates")]


def reporter_rows(reporter: ReporterAnswers) -> list[Row]:
    if reporter.anonymous:
        return [
            Row(
                "Your name and contact details",
                "Not given: you want to stay anonymous",
                Location("about-you"),
                "whether you want to stay anonymous",
            )
        ]
    details, safe = Location("your-details"), Location("contact-safe")
    rows = [
        Row("Your name", reporter.name, details, "your name"),
        Row("Phone", f.display_phone(reporter.phone) or "Not given", details, "your phone number"),
        Row("Email", reporter.email or "Not given", details, "your email address"),
        Row(
            "How you know the child",
            reporter.relationship or "Not given",
            details,
            "how you know the child",
        ),
        Row(
            "Safe to contact you",
            {True: "Yes", False: "No"}.get(reporter.safe_to_contact, ""),
            safe,
            "whether it is safe to contact you",
        ),
    ]
    if reporter.contact_notes:
        rows.append(
            Row(
                "When and how to contact you",
                reporter.contact_notes,
                safe,
                "when and how to contact you",
            )
        )
    rows += updates_rows(reporter, details)
    return rows


def you_section(state: State, answers: ConcernAnswers) -> Section:
    you = Section("About you")
    who = choice_label(f.WHO_CHOICES, answers.who)
    you.rows.append(Row("Who you are", who, Location("who"), "who you are"))
    if answers.who == CHILD:
        you.rows.append(
            Row(
                "Who you are worried about",
                "You" if about_self(state) else "Another child or young person",
                Location("about-self"),
                "who you are worried about",
            )
        )
    if answers.professional is not None:
        you.rows += professional_rows(answers.professional)
    elif about_self(state):
        you.rows += own_rows(answers.reporter)
    else:
        you.rows += reporter_rows(answers.reporter)
    return you


def child_age_row(child: ChildAnswers, index: int, whose: str) -> Row:
    age = Location("age", index)
    if child.unborn:
        due = f"Not born yet, due {format_date(child.due_date)}"
        return Row("Due date", due, age, f"{whose} due date")
    if child.date_of_birth:
        born = format_date(child.date_of_birth)
        return Row("Date of birth", born, age, f"{whose} date of birth")
    if child.approximate_age is None:
        return Row("Age", "Not known", age, f"{whose} age")
    years = "Under 1" if child.approximate_age == 0 else f"About {child.approximate_age} years old"
    return Row("Age", years, age, f"{whose} age")


def census_rows(child: ChildAnswers, index: int, whose: str) -> list[Row]:
    """The optional sex and ethnic group, each with its change link."""
    sex = choice_label(PUBLIC_SEX_CHOICES, child.sex) if child.sex else "Not given"
    ethnicity = ethnicity_label(child.ethnicity) or "Not given"
    return [
        Row("Sex", sex, Location("sex", index), f"{whose} sex"),
        Row("Ethnic group", ethnicity, Location("ethnicity", index), f"{whose} ethnic group"),
    ]


def child_sections(state: State, children: list[ChildAnswers]) -> list[Section]:
    sections = []
    several = len(children) > 1
    for index, child in enumerate(children):
        speaks = voice(state, index)
        title = "You" if speaks.you else (f"Child {index + 1}" if several else "The child")
        whose = speaks.childs if child_name(state, index) or speaks.you else f"{title.lower()}'s"
        where = Location("where", index)
        address = "\n".join(p for p in (child.address, child.postcode) if p) or "Not given"
        section = Section(
            title,
            [
                Row("Name", child.name, Location("name", index), f"{whose} name"),
                child_age_row(child, index, whose),
                Row("Address", address, where, f"{whose} address"),
                Row("School", child.school or "Not given", where, f"{whose} school"),
                *census_rows(child, index, whose),
            ],
            remove=Location("remove-child", index) if several else None,
            add_child=index == len(children) - 1,
        )
        sections.append(section)
    return sections


def home_section(answers: ConcernAnswers) -> Section:
    home = Section("Other children")
    home.rows.append(
        Row(
            "Other children in the home",
            choice_label(f.YES_NO_UNKNOWN, answers.other_children_in_home),
            Location("other-children"),
            "whether other children live there",
        )
    )
    if answers.other_children_details:
        home.rows.append(
            Row(
                "About the other children",
                answers.other_children_details,
                Location("other-children-details"),
                "about the other children",
            )
        )
    return home


def worry_section(state: State, concern: ConcernDetails) -> Section:
    how_known = f.HowKnownForm(voice=voice(state)).fields["how_known"].choices
    harm = "\n".join(choice_label(f.CATEGORY_CHOICES, code) for code in concern.categories)
    return Section(
        "What you are worried about",
        [
            Row("Type of harm", harm, Location("categories"), "the type of harm"),
            Row(
                "What is worrying you",
                concern.description,
                Location("description"),
                "what is worrying you",
            ),
            Row(
                "When it happened",
                concern.when_happened or "Not given",
                Location("when"),
                "when it happened",
            ),
            Row(
                "Still happening",
                choice_label(f.YES_NO_UNKNOWN, concern.still_happening),
                Location("still-happening"),
                "whether it is still happening",
            ),
            Row(
                "How you know",
                choice_label(how_known, concern.how_known),
                Location("how-known"),
                "how you know",
            ),
        ],
    )


def check_sections(state: State) -> list[Section]:
    answers = build_answers(state)
    return [
        you_section(state, answers),
        *child_sections(state, answers.children),
        home_section(answers),
        worry_section(state, answers.concern),
    ]
