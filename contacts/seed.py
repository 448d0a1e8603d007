"""Bromley and Bexley exactly as the council pages this service was created from state them.

Loaded by the data migration `0002_seed_boroughs` (with the migration's historical models) so a
fresh database already serves both boroughs. Sources, kept in the project's own words:
- Bromley, "Are you worried about a child?": children's services Mon-Fri 8:30am-5pm on
  020 8461 7373 / 7379 / 7026; out of hours, weekends and public holidays 0300 303 8671;
  children's referral and assessment team, Civic Centre, Stockwell Close, Bromley, BR1 3UH,
  020 8461 7373 / 7309, fax 020 8313 4400.
- Bexley, "Referrals to the Family Wellbeing Service": MASH 020 3045 5440 business hours
  (Monday to Friday 9am to 5pm); out of hours 020 8303 7777 or 020 8303 7171 (weekdays 6pm to
  8am, weekends and bank holidays); Civic Offices, 2 Watling Street, Bexleyheath DA6 7AT.
"""

import datetime as dt

T = dt.time
WEEKDAYS = range(0, 5)

BOROUGHS = [
    {
        "slug": "bromley",
        "name": "Bromley",
        "council_name": "London Borough of Bromley",
        "reference_prefix": "BRM",
        "mash_name": "Bromley Multi-Agency Safeguarding Hub (MASH)",
        "address": "Civic Centre\nStockwell Close\nBromley\nBR1 3UH",
        "mash_email": "",
        "fax": "+442083134400",
        "office_hours": [(day, T(8, 30), T(17, 0)) for day in WEEKDAYS],
        "lines": [
            {
                "purpose": "childrens_services",
                "label": "Children's services",
                "description": "For any concern about a child, including to speak to the MASH.",
                "schedule": "office_hours",
                "hours_summary": "Monday to Friday, 8:30am to 5pm",
                "numbers": ["+442084617373", "+442084617379", "+442084617026"],
            },
            {
                "purpose": "out_of_hours",
                "label": "Emergency out-of-hours service",
                "description": "A social worker is on duty for emergencies about a child's "
                "welfare.",
                "schedule": "outside_office_hours",
                "hours_summary": "Out of hours, weekends and public holidays",
                "numbers": ["+443003038671"],
            },
            {
                "purpose": "referral_and_assessment",
                "label": "Children's referral and assessment team",
                "description": "",
                "schedule": "office_hours",
                "hours_summary": "",
                "numbers": ["+442084617373", "+442084617309"],
            },
        ],
    },
    {
        "slug": "bexley",
        "name": "Bexley",
        "council_name": "London Borough of Bexley",
        "reference_prefix": "BXL",
        "mash_name": "Bexley Children's Services Multi-Agency Safeguarding Hub (MASH)",
        "address": "Civic Offices\n2 Watling Street\nBexleyheath\nDA6 7AT",
        "mash_email": "",
        "fax": "",
        "office_hours": [(day, T(9, 0), T(17, 0)) for day in WEEKDAYS],
        "lines": [
            {
                "purpose": "childrens_services",
                "label": "Children's Services MASH",
                "description": "For any concern about a child, referrals and consultations.",
                "schedule": "office_hours",
                "hours_summary": "Business hours: Monday to Friday, 9am to 5pm",
                "numbers": ["+442030455440"],
            },
            {
                "purpose": "out_of_hours",
                "label": "Out-of-hours service",
                "description": "For emergencies when the office is closed.",
                "schedule": "windows",
                "on_closed_days": "all_day",
                "hours_summary": "Monday to Friday, 6pm to 8am; all weekend and bank holidays",
                "numbers": ["+442083037777", "+442083037171"],
                "windows": (
                    [(day, T(18, 0), T(8, 0)) for day in WEEKDAYS]
                    + [(5, T(0), T(0)), (6, T(0), T(0)), (0, T(0), T(8, 0))]
                ),
            },
        ],
    },
]


# What each seed borough sets beyond its contacts (migration 0004; the model's defaults
# otherwise). Bexley's early help is its Family Wellbeing service, in its own page's words;
# Bromley's page names no early-help service, so Bromley keeps the neutral "early help".
BOROUGH_SETTINGS = {
    "bromley": {"gss_code": "E09000006"},
    "bexley": {
        "gss_code": "E09000004",
        "early_help_name": "Family Wellbeing",
        "early_help_summary": "The Family Wellbeing team gives families early help, before "
        "difficulties get worse.",
        "early_help_referral_title": "Refer a family to Family Wellbeing",
        "early_help_request_title": "Ask Family Wellbeing for help",
    },
}


def apply_borough_settings(apps) -> None:
    Borough = apps.get_model("contacts", "Borough")
    for slug, values in BOROUGH_SETTINGS.items():
        Borough.objects.filter(slug=slug).update(**values)


def load_boroughs(apps) -> None:
    """Create the seed boroughs that do not exist yet (idempotent)."""
    Borough = apps.get_model("contacts", "Borough")
    OfficeHours = apps.get_model("contacts", "OfficeHours")
    ContactLine = apps.get_model("contacts", "ContactLine")
    PhoneNumber = apps.get_model("contacts", "PhoneNumber")
    StaffedWindow = apps.get_model("contacts", "StaffedWindow")

    for data in BOROUGHS:
        if Borough.objects.filter(slug=data["slug"]).exists():
            continue
        borough = Borough.objects.create(
            **{
                key: data[key]
                for key in (
                    "slug",
                    "name",
                    "council_name",
                    "reference_prefix",
                    "mash_name",
                    "address",
                    "mash_email",
                    "fax",
                )
            }
        )
        for weekday, opens, closes in data["office_hours"]:
            OfficeHours.objects.create(borough=borough, weekday=weekday, opens=opens, closes=closes)
        for order, line_data in enumerate(data["lines"]):
            line = ContactLine.objects.create(
                borough=borough,
                purpose=line_data["purpose"],
                label=line_data["label"],
                description=line_data["description"],
                schedule=line_data["schedule"],
                on_closed_days=line_data.get("on_closed_days", "closed"),
                hours_summary=line_data["hours_summary"],
                order=order,
            )
            for number_order, number in enumerate(line_data["numbers"]):
                PhoneNumber.objects.create(line=line, number=number, order=number_order)
            for weekday, starts, ends in line_data.get("windows", []):
                StaffedWindow.objects.create(line=line, weekday=weekday, starts=starts, ends=ends)
        if any(f.name == "gss_code" for f in Borough._meta.get_fields()):  # since 0004
            Borough.objects.filter(pk=borough.pk).update(**BOROUGH_SETTINGS[data["slug"]])


def unload_boroughs(apps) -> None:
    Borough = apps.get_model("contacts", "Borough")
    Borough.objects.filter(slug__in=[b["slug"] for b in BOROUGHS]).delete()


# Adult social care, for someone who finds the person they are worried about is an adult
# (migration 0006; edited in the admin like any line). Sources: Bromley's adult safeguarding
# number in office hours as Healthwatch Bromley publishes it; Bexley's Single Point of Contact
# for adult social care on bexley.gov.uk ("Paying for your care").
ADULT_SOCIAL_CARE = {
    "bromley": "+442084617777",  # 020 8461 7777
    "bexley": "+442083037777",  # 020 8303 7777
}


def add_adult_social_care(apps) -> None:
    """One 'adult social care' line per seed borough that has none (idempotent)."""
    Borough = apps.get_model("contacts", "Borough")
    ContactLine = apps.get_model("contacts", "ContactLine")
    PhoneNumber = apps.get_model("contacts", "PhoneNumber")
    for slug, number in ADULT_SOCIAL_CARE.items():
        borough = Borough.objects.filter(slug=slug).first()
        if borough is None or borough.lines.filter(purpose="adult_social_care").exists():
            continue
        line = ContactLine.objects.create(
            borough=borough,
            purpose="adult_social_care",
            label="Adult social care",
            description="For adults at risk of abuse or neglect.",
            schedule="office_hours",
            order=100,
        )
        PhoneNumber.objects.create(line=line, number=number, order=0)
