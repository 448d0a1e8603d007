from django.contrib import admin

from contacts.models import (
    Borough,
    ClosureDay,
    ContactLine,
    OfficeHours,
    PhoneNumber,
    StaffedWindow,
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
    list_display = ("name", "slug", "reference_prefix", "is_active")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [OfficeHoursInline, ClosureDayInline, ContactLineInline]


class PhoneNumberInline(admin.TabularInline):
    model = PhoneNumber
    extra = 0
    min_num = 1


class StaffedWindowInline(admin.TabularInline):
    model = StaffedWindow
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
