"""The contact's source, as the children in need census codes it (`ContactSource`), derived from
what the journey asked. `derive_source(referral)` reads only the unsaved referral's own fields
(its kind, who is telling us, whether they are anonymous, their relationship to the child, a
professional's role and organisation) and answers a code, or "" when the answers do not say
(the screener then sets it on the screening page, where it is always correctable).

The rules, in order:
- a self-referral (a parent, carer or young person asking Family Wellbeing for help): 1D self;
- a child or young person telling us about themself: 1D self;
- anyone else who chose to stay anonymous: 9 anonymous;
- a relative, or a parent or carer: 1B family member;
- a member of the public, or a young person about another child: by what they said the
  child is to them: a family word (mum, aunt, sister, grandparent...) 1B, a neighbour, friend,
  childminder or the like 1C, anything else (or nothing) 1A individual;
- a professional (concern, Family Wellbeing referral, consultation): by their role and
  organisation, the first rule that fits, most specific first (a school nurse is 3C, not 2A;
  a health visitor 3B; A&E 3E; a GP 3A; police 6; probation, youth offending, Cafcass or a
  court 7; housing 4; early help or Family Wellbeing 5D; a social worker 5A; a school or a
  teacher 2A; nursery, early years or education services 2B; a midwife, nurse, pharmacist or
  dentist 3D; a hospital, CAMHS or other health service 3F); nothing fits: "" (the screener).

Staff logging a referral from a call, email or letter may set the source themselves; a source
already set is never overwritten (`reporting.services.record_submission`).
"""

from __future__ import annotations

import re

from reporting.models import ContactSource, Referral

Kind = Referral.Kind
Who = Referral.ReferrerType

_FAMILY = (
    r"mum|mother|mom|dad|father|parent|step|grand|nan|nana|gran|granny|grandad|aunt|auntie|"
    r"uncle|sister|brother|sibling|cousin|niece|nephew|relative|family|carer|guardian|"
    r"son|daughter|foster"
)
_ACQUAINTANCE = (
    r"neighbour|neighbor|friend|child ?minder|babysitter|acquaintance|colleague|"
    r"coach|landlord|lodger|classmate|parent at|parent of"
)

# (pattern, code): the first that matches a professional's role and organisation wins.
_PROFESSIONS: list[tuple[str, str]] = [
    (r"school nurse", ContactSource.SCHOOL_NURSE),
    (r"health visitor", ContactSource.HEALTH_VISITOR),
    (
        r"\ba ?& ?e\b|accident and emergency|emergency department|\bed\b",
        ContactSource.A_AND_E,
    ),
    (r"\bgp\b|general practi|doctors'? surgery|medical practice|family doctor", ContactSource.GP),
    (r"police|\bpcso\b|constable|detective", ContactSource.POLICE),
    (
        r"probation|youth offending|youth justice|\byot\b|cafcass|solicitor|court|prison",
        ContactSource.OTHER_LEGAL,
    ),
    (r"housing", ContactSource.HOUSING),
    (r"early help|family wellbeing|family hub", ContactSource.LA_EARLY_HELP),
    (r"social worker|social care|children'?s services", ContactSource.LA_SOCIAL_CARE),
    (
        r"nursery|early years|pre-?school|education welfare|education service|"
        r"\bsend(co)?\b|\bsenco\b|local education",
        ContactSource.EDUCATION_SERVICES,
    ),
    (
        r"school|teacher|head ?teacher|academy|college|\bdsl\b|safeguarding lead|"
        r"pastoral|teaching assistant|head of year",
        ContactSource.SCHOOLS,
    ),
    (r"midwife|nurse|pharmac|dentist|dental|optician", ContactSource.OTHER_PRIMARY_HEALTH),
    (
        r"hospital|camhs|mental health|paediatric|pediatric|\bnhs\b|health|doctor|clinic",
        ContactSource.OTHER_HEALTH,
    ),
]
_PROFESSION_RES = [(re.compile(pattern), code) for pattern, code in _PROFESSIONS]
_FAMILY_RE = re.compile(rf"\b({_FAMILY})")
_ACQUAINTANCE_RE = re.compile(rf"\b({_ACQUAINTANCE})")


def _text(*parts: str) -> str:
    return " ".join((part or "").casefold() for part in parts)


def professional_source(role: str, organisation: str) -> str:
    """The code a professional's role and organisation point to, or "" when none fits."""
    text = _text(role, organisation)
    for pattern, code in _PROFESSION_RES:
        if pattern.search(text):
            return str(code)
    return ""


def individual_source(relationship: str) -> str:
    """1B, 1C or 1A for a named individual, by what they said the child is to them."""
    text = _text(relationship)
    if _ACQUAINTANCE_RE.search(text):
        return str(ContactSource.ACQUAINTANCE)
    if _FAMILY_RE.search(text):
        return str(ContactSource.FAMILY_MEMBER)
    return str(ContactSource.INDIVIDUAL)


def derive_source(referral: Referral) -> str:
    """The census source code the referral's own answers give, or "" (for the screener)."""
    if referral.kind == Kind.SELF_REFERRAL or referral.about_themself:
        return str(ContactSource.SELF)
    who = referral.referrer_type
    if who == Who.PROFESSIONAL or referral.kind in (Kind.FAMILY_WELLBEING, Kind.CONSULTATION):
        return professional_source(referral.role, referral.organisation)
    if referral.anonymous:
        return str(ContactSource.ANONYMOUS)
    if who in (Who.RELATIVE, Who.PARENT_CARER):
        return str(ContactSource.FAMILY_MEMBER)
    if who in (Who.PUBLIC, Who.CHILD):
        return individual_source(referral.referrer_relationship)
    return ""
