"""Boroughs, their contact lines and when each line is staffed: all of it data, edited in the
admin. The rules that read it live in `contacts.calendar` and `contacts.selectors`."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import models

from contacts.phone import display_number, uk_to_e164


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


GSS_CODE = re.compile(r"^[EWSNLM][0-9]{8}$")

# The London Continuum of Need, in plain words: a new borough starts with it, and its admin
# rewrites it as the borough's own. One paragraph per level, blank lines between.
NEED_LEVELS_GUIDE = """\
Level 1, universal: the child's needs are met by everyday services such as school, the GP \
and health visitors. You do not need to refer.

Level 2, early help: the family needs extra support that one or more services can give, \
with the family's agreement, before difficulties get worse.

Level 3, complex: the child has several needs or needs that are getting worse, and a \
social work assessment under section 17 (a child in need) is likely to be needed.

Level 4, acute: the child is suffering or likely to suffer significant harm. This is a \
child protection concern: report it at once, and call 999 if the child is in immediate \
danger."""

EARLY_HELP_SUMMARY = (
    "Early help is support for families, with their agreement, before difficulties get worse."
)


class Borough(models.Model):
    slug = models.SlugField(unique=True, help_text="Used in web addresses, like 'bromley'.")
    name = models.CharField(max_length=100, help_text="Short name, like 'Bromley'.")
    council_name = models.CharField(
        max_length=200, help_text="Full name, like 'London Borough of Bromley'."
    )
    reference_prefix = models.CharField(
        max_length=3,
        unique=True,
        help_text="Three capital letters that start every reference, like 'BRM'.",
    )
    mash_name = models.CharField(
        "MASH name",
        max_length=200,
        help_text="Like 'Bromley Multi-Agency Safeguarding Hub (MASH)'.",
    )
    address = models.TextField(help_text="The MASH postal address, one line per line.")
    mash_email = models.EmailField("MASH email", blank=True)
    fax = models.CharField(max_length=30, blank=True)
    bsl_video_relay_url = models.URLField(
        "BSL video relay link",
        blank=True,
        db_default="",
        help_text="Optional: the web address of the council's British Sign Language video "
        "relay service. Shown on the borough page only when set.",
    )
    is_active = models.BooleanField(
        default=True, help_text="Only active boroughs appear on public pages."
    )
    gss_code = models.CharField(
        "GSS code",
        max_length=9,
        blank=True,
        default="",
        db_default="",
        help_text="The council's ONS local authority code, like E09000006 for Bromley. The "
        "postcode finder on the home page sends people with a postcode in this council here.",
    )
    # Services the borough offers online. A service that is off has no pages: its web
    # addresses answer "page not found" and no page links to it.
    early_help_service = models.BooleanField(
        "offers early help",
        default=True,
        db_default=True,
        help_text="Professionals can refer a family for early help, and families can ask for "
        "it themselves. Untick if this council has no early-help service to refer to.",
    )
    consultations = models.BooleanField(
        "offers consultations",
        default=True,
        db_default=True,
        help_text="Professionals who are not sure can ask the MASH to call them to talk a "
        "family through.",
    )
    early_help_name = models.CharField(
        "early-help service name",
        max_length=60,
        default="early help",
        db_default="early help",
        help_text="What the public knows the early-help service as, written as it reads in "
        "the middle of a sentence: like 'Family Wellbeing' or 'early help'.",
    )
    early_help_summary = models.CharField(
        "early-help service in one sentence",
        max_length=300,
        default=EARLY_HELP_SUMMARY,
        db_default=EARLY_HELP_SUMMARY,
        help_text="Shown on the borough's page above the early-help links.",
    )
    early_help_referral_title = models.CharField(
        "title of the professionals' referral",
        max_length=100,
        default="Refer a family for early help",
        db_default="Refer a family for early help",
    )
    early_help_request_title = models.CharField(
        "title of a family's own request",
        max_length=100,
        default="Ask for early help",
        db_default="Ask for early help",
    )
    need_levels_guide = models.TextField(
        "levels of need",
        default=NEED_LEVELS_GUIDE,
        db_default=NEED_LEVELS_GUIDE,
        help_text="A short guide to the levels of need professionals use in this council, "
        "shown on the professionals' pages. One paragraph per level, with a blank line between.",
    )
    data_version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Goes up with every change to this borough's contacts; caches key on it.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["gss_code"],
                condition=~models.Q(gss_code=""),
                name="one_borough_a_gss_code",
                violation_error_message="Another borough already has this GSS code",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        """An update never writes data_version: only the signals move it, with an UPDATE ...
        + 1. A stale instance (an admin form opened before another edit) would otherwise set
        it back to a version pages were already rendered and kept under."""
        if not self._state.adding and self.pk and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "data_version"
            ]
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors = {}
        self.gss_code = (self.gss_code or "").strip().upper()
        if self.gss_code and not GSS_CODE.match(self.gss_code):
            errors["gss_code"] = "Enter a GSS code: a capital letter then 8 digits, like E09000006"
        elif (
            self.gss_code
            and Borough.objects.filter(gss_code=self.gss_code).exclude(pk=self.pk).exists()
        ):
            errors["gss_code"] = "Another borough already has this GSS code"
        if self.reference_prefix and not (
            len(self.reference_prefix) == 3
            and self.reference_prefix.isascii()
            and self.reference_prefix.isalpha()
            and self.reference_prefix.isupper()
        ):
            errors["reference_prefix"] = "Enter three capital letters, like BRM"
        if self.fax:
            try:
                self.fax = uk_to_e164(self.fax)
            except ValidationError as exc:
                errors["fax"] = exc
        if errors:
            raise ValidationError(errors)

    def offers(self, service: str) -> bool:
        """Whether the borough offers this online service: "concern" (always), "wellbeing"
        and "self" (its early-help service), "consultation"."""
        if service in {"wellbeing", "self"}:
            return self.early_help_service
        if service == "consultation":
            return self.consultations
        return service == "concern"

    @property
    def need_levels(self) -> list[str]:
        """The levels-of-need guide as paragraphs."""
        return [
            " ".join(paragraph.split())
            for paragraph in re.split(r"\n\s*\n", self.need_levels_guide or "")
            if paragraph.strip()
        ]

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.address.splitlines() if line.strip()]

    @property
    def fax_display(self) -> str:
        return display_number(self.fax) if self.fax else ""


class OfficeHours(models.Model):
    """When the MASH office is open on one weekday: the borough's working calendar."""

    borough = models.ForeignKey(Borough, on_delete=models.CASCADE, related_name="office_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["borough", "weekday"]
        verbose_name_plural = "office hours"
        constraints = [
            models.UniqueConstraint(fields=["borough", "weekday"], name="one_office_day_a_weekday"),
            models.CheckConstraint(
                condition=models.Q(opens__lt=models.F("closes")), name="office_opens_before_closes"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"

    def clean(self) -> None:
        if self.opens and self.closes and self.opens >= self.closes:
            raise ValidationError({"closes": "The office must close after it opens"})


class ClosureDay(models.Model):
    """A day the office is closed besides bank holidays, like the Christmas closure."""

    borough = models.ForeignKey(Borough, on_delete=models.CASCADE, related_name="closure_days")
    date = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["borough", "date"]
        constraints = [
            models.UniqueConstraint(fields=["borough", "date"], name="one_closure_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d %B %Y}" + (f" ({self.reason})" if self.reason else "")


class ContactLine(models.Model):
    class Purpose(models.TextChoices):
        CHILDRENS_SERVICES = "childrens_services", "Children's services (MASH)"
        OUT_OF_HOURS = "out_of_hours", "Out-of-hours emergency duty"
        REFERRAL_AND_ASSESSMENT = "referral_and_assessment", "Referral and assessment team"
        FAMILY_WELLBEING = "family_wellbeing", "Family Wellbeing"
        DISABLED_CHILDREN = "disabled_children", "Disabled children's team"
        # For adults, not children: shown on the page for someone worried about an adult,
        # never among the lines to call about a child.
        ADULT_SOCIAL_CARE = "adult_social_care", "Adult social care (for adults)"

    class Schedule(models.TextChoices):
        OFFICE_HOURS = "office_hours", "During office hours (closed on bank holidays)"
        OUTSIDE_OFFICE_HOURS = (
            "outside_office_hours",
            "Whenever the office is closed (evenings, weekends, bank holidays, closure days)",
        )
        WINDOWS = "windows", "At the weekly times listed below"

    class OnClosedDays(models.TextChoices):
        CLOSED = "closed", "Not staffed on bank holidays and closure days"
        ALL_DAY = "all_day", "Staffed all day on bank holidays and closure days"
        AS_USUAL = "as_usual", "Same times as any other day of that weekday"

    borough = models.ForeignKey(Borough, on_delete=models.CASCADE, related_name="lines")
    purpose = models.CharField(max_length=40, choices=Purpose.choices)
    label = models.CharField(
        max_length=200, help_text="What the public reads, like 'Children's services'."
    )
    description = models.CharField(
        max_length=300, blank=True, help_text="Optional: one sentence on who answers."
    )
    schedule = models.CharField(max_length=30, choices=Schedule.choices)
    hours_summary = models.CharField(
        max_length=200,
        blank=True,
        help_text="When it is staffed, in words. Leave blank to have it written from the times.",
    )
    on_closed_days = models.CharField(
        "on bank holidays and closure days",
        max_length=20,
        choices=OnClosedDays.choices,
        default=OnClosedDays.CLOSED,
        help_text="Only for lines staffed at weekly times.",
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["borough", "order", "id"]

    def __str__(self) -> str:
        return f"{self.borough}: {self.label}"


class PhoneNumber(models.Model):
    line = models.ForeignKey(ContactLine, on_delete=models.CASCADE, related_name="numbers")
    number = models.CharField(
        max_length=20, help_text="A UK number, like 020 8461 7373. Stored in +44 form."
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["line", "order", "id"]

    def __str__(self) -> str:
        return self.display

    def clean(self) -> None:
        if self.number:
            try:
                self.number = uk_to_e164(self.number)
            except ValidationError as exc:
                raise ValidationError({"number": exc}) from exc

    @property
    def display(self) -> str:
        return display_number(self.number)


class StaffedWindow(models.Model):
    """A weekly time window when a line is staffed.

    A window whose end is at or before its start runs past midnight into the next day;
    00:00 to 00:00 is the whole day.
    """

    line = models.ForeignKey(ContactLine, on_delete=models.CASCADE, related_name="windows")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts = models.TimeField()
    ends = models.TimeField(help_text="At or before the start means it ends the next day.")

    class Meta:
        ordering = ["line", "weekday", "starts"]

    def __str__(self) -> str:
        suffix = " (next day)" if self.runs_past_midnight else ""
        return f"{self.get_weekday_display()} {self.starts:%H:%M}-{self.ends:%H:%M}{suffix}"

    @property
    def runs_past_midnight(self) -> bool:
        return self.ends <= self.starts and self.ends != dt.time(0)

    def clean(self) -> None:
        if self.starts == self.ends and self.starts != dt.time(0):
            raise ValidationError(
                {
                    "ends": "A window cannot start and end at the same time; "
                    "use 00:00 to 00:00 for the whole day"
                }
            )


class Postcode(models.Model):
    """One line of the postcode directory: a postcode and the local authority (ONS GSS code)
    it lies in, as the ONS Postcode Directory or the National Statistics Postcode Lookup
    publish them. About 2.7 million rows, loaded and refreshed by `manage.py import_postcodes`
    (contacts.postcodes), never edited by hand. A postcode may have more than one row (a
    directory that places it in more than one council): there is no primary key in the
    database, only the index `contacts_postcode_lookup` on (postcode, gss_code), which answers
    a lookup from the index alone. The table is created by migration SQL, so that the
    importer can build a fresh copy with exactly the same shape and swap it in."""

    postcode = models.CharField(max_length=8, primary_key=True)  # "BR1 3UH", as ONS's pcds
    gss_code = models.CharField("GSS code", max_length=9)

    class Meta:
        managed = False
        db_table = "contacts_postcode"

    def __str__(self) -> str:
        return f"{self.postcode} {self.gss_code}"
