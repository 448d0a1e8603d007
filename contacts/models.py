"""Boroughs, their contact lines and when each line is staffed: all of it data, edited in the
admin. The rules that read it live in `contacts.calendar` and `contacts.selectors`."""

import datetime as dt

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
    is_active = models.BooleanField(
        default=True, help_text="Only active boroughs appear on public pages."
    )
    data_version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Goes up with every change to this borough's contacts; caches key on it.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
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
