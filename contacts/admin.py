import contextlib

import phonenumbers
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from contacts.models import (
    Borough,
    ClosureDay,
    ContactLine,
    OfficeHours,
    PhoneNumber,
    StaffedWindow,
)
from contacts.phone import national_format


def _show_nationally(form: forms.ModelForm, field: str) -> None:
    """Stored in +44 form; shown to the admin as people write it (020 8461 7373)."""
    value = getattr(form.instance, field, "")
    if form.instance.pk and value:
        # a value phonenumbers cannot read stays as typed, for the admin to correct
        with contextlib.suppress(phonenumbers.NumberParseException):
            form.initial[field] = national_format(value)


class BoroughForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _show_nationally(self, "fax")


class PhoneNumberForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _show_nationally(self, "number")


class StaffedWindowFormSet(forms.BaseInlineFormSet):
    """A line staffed "at the weekly times listed" needs at least one weekly time."""

    def clean(self):
        super().clean()
        if any(self.errors) or self.instance.schedule != ContactLine.Schedule.WINDOWS:
            return
        kept = [
            form
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE", False)
        ]
        if not kept:
            raise ValidationError(
                "Add at least one weekly time when this line is staffed, or choose another "
                "'when is it staffed' option"
            )


class OfficeHoursInline(admin.TabularInline):
    model = OfficeHours
    extra = 0


class ClosureDayInline(admin.TabularInline):
    model = ClosureDay
    extra = 0


class ContactLineInline(admin.TabularInline):
    model = ContactLine
    extra = 0
    fields = ("label", "purpose", "schedule", "order")
    show_change_link = True


@admin.register(Borough)
class BoroughAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "slug",
        "gss_code",
        "reference_prefix",
        "early_help_service",
        "consultations",
        "is_active",
    )
    prepopulated_fields = {"slug": ("name",)}
    form = BoroughForm
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    "council_name",
                    "gss_code",
                    "reference_prefix",
                    "is_active",
                ]
            },
        ),
        ("MASH", {"fields": ["mash_name", "address", "mash_email", "fax"]}),
        ("Help to report", {"fields": ["bsl_video_relay_url"]}),
        (
            "Services offered online",
            {
                "description": "Reporting a concern about a child is always offered. A service "
                "that is off has no pages, and no page links to it.",
                "fields": ["early_help_service", "consultations"],
            },
        ),
        (
            "Early help, in this council's words",
            {
                "fields": [
                    "early_help_name",
                    "early_help_summary",
                    "early_help_referral_title",
                    "early_help_request_title",
                ]
            },
        ),
        ("Levels of need, for professionals", {"fields": ["need_levels_guide"]}),
    ]
    inlines = [OfficeHoursInline, ClosureDayInline, ContactLineInline]


class PhoneNumberInline(admin.TabularInline):
    model = PhoneNumber
    form = PhoneNumberForm
    extra = 0
    min_num = 1


class StaffedWindowInline(admin.TabularInline):
    model = StaffedWindow
    formset = StaffedWindowFormSet
    extra = 0


@admin.register(ContactLine)
class ContactLineAdmin(admin.ModelAdmin):
    list_display = ("label", "borough", "purpose", "schedule")
    list_filter = ("borough", "purpose")
    inlines = [PhoneNumberInline, StaffedWindowInline]


@admin.register(ClosureDay)
class ClosureDayAdmin(admin.ModelAdmin):
    list_display = ("date", "borough", "reason")
    list_filter = ("borough",)
    date_hierarchy = "date"
