"""The census questions' choices as forms offer them: the child's sex (radios) and ethnicity
(a select grouped as the census groups it, with "Prefer not to say" and "I do not know"
last), and the contact source codes (a select). One place for the journeys, the staff "log a
referral" form and the screening page."""

from __future__ import annotations

from reporting.models import ContactSource, Ethnicity, Sex

# The journeys ask the public; "Not specified (indeterminate)" is a recorder's category.
PUBLIC_SEX_CHOICES = [
    (Sex.FEMALE.value, "Female"),
    (Sex.MALE.value, "Male"),
    (Sex.PREFER_NOT_TO_SAY.value, Sex.PREFER_NOT_TO_SAY.label),
    (Sex.NOT_KNOWN.value, Sex.NOT_KNOWN.label),
]
STAFF_SEX_CHOICES = [
    (Sex.FEMALE.value, "Female"),
    (Sex.MALE.value, "Male"),
    (Sex.NOT_SPECIFIED.value, Sex.NOT_SPECIFIED.label),
    (Sex.PREFER_NOT_TO_SAY.value, "Not stated (they preferred not to say)"),
    (Sex.NOT_KNOWN.value, "Not known"),
]
NOT_GIVEN = (Ethnicity.REFU, Ethnicity.NOBT)


def ethnicity_choices(blank: str = "") -> list:
    """Grouped choices for a <select>: ("White", [("WBRI", "British"), ...]), ..., then
    "Prefer not to say" and "I do not know". `blank` adds an empty first option."""
    groups: dict[str, list] = {}
    singles = []
    for member in Ethnicity:
        if member in NOT_GIVEN:
            continue
        # Each option keeps its whole label ("White: British"): not every screen reader
        # announces the group an option is in.
        group, _, name = member.label.partition(": ")
        if name:
            groups.setdefault(group, []).append((member.value, member.label))
        else:
            singles.append((member.value, member.label))
    choices = [("", blank)] if blank else []
    choices += list(groups.items())
    choices.append(("Other ethnic group", singles))
    choices += [(member.value, member.label) for member in NOT_GIVEN]
    return choices


def source_choices(blank: str = "") -> list:
    choices = [("", blank)] if blank else []
    return choices + [(member.value, member.label) for member in ContactSource]


def ethnicity_label(code: str) -> str:
    return Ethnicity(code).label if code in Ethnicity.values else ""
