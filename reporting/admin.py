"""Submissions in the Django admin, for staff until the MASH screens land: read-only.

Nobody adds a referral here (the public journey and, later, staff's own logging form do) and
staff cannot delete one; what the person told us (the narrative) is never edited.
"""

from django.contrib import admin
from django.contrib.admin.utils import flatten

from reporting.models import Carer, Child, ConsentForm, Referral


class ReadOnlyInline:
    """An inline that shows rows and never adds, changes or deletes them."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return flatten(self.fields)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CarerInline(ReadOnlyInline, admin.StackedInline):
    """Parents and carers of a family referred to Family Wellbeing."""

    model = Carer
    fields = (
        ("name", "relationship"),
        ("phone", "email"),
        ("address", "postcode"),
        ("language", "interpreter_needed"),
    )


class ConsentFormInline(ReadOnlyInline, admin.TabularInline):
    """That a signed consent form came with the referral, and what it was. The file itself is
    opened only from the MASH screening page, where each download is audited."""

    model = ConsentForm
    fields = ("original_name", "content_type", "size", "uploaded_at", "sha256")
    verbose_name_plural = "Signed consent forms (download from the screening page)"


class ChildInline(ReadOnlyInline, admin.StackedInline):
    model = Child
    fields = (
        ("first_name", "last_name", "name_unknown"),
        ("date_of_birth", "approximate_age"),
        ("unborn", "due_date"),
        "address",
        "postcode",
        "school",
    )


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = (
        "reference",
        "borough",
        "kind",
        "channel",
        "received_at",
        "referrer_type",
        "anonymous",
    )
    list_filter = ("borough", "kind", "channel", "referrer_type", "received_at", "legal_hold")
    search_fields = ("=reference", "children__last_name", "children__postcode")
    date_hierarchy = "received_at"
    list_select_related = ("borough",)
    show_full_result_count = False
    inlines = [ChildInline, CarerInline, ConsentFormInline]
    fieldsets = (
        (None, {"fields": ("reference", "kind", "channel", "borough", "received_at")}),
        (
            "Who told us",
            {
                "fields": (
                    "referrer_type",
                    "anonymous",
                    "referrer_name",
                    "referrer_email",
                    "referrer_phone",
                    "referrer_relationship",
                    "safe_to_contact",
                    "contact_notes",
                    "organisation",
                    "role",
                    "family_aware",
                    "family_agrees",
                    "no_consent_reason",
                )
            },
        ),
        (
            "What they told us",
            {
                "fields": (
                    "concern_categories",
                    "description",
                    "when_happened",
                    "still_happening",
                    "how_known",
                    "other_children_in_home",
                    "other_children_details",
                )
            },
        ),
        ("Record", {"fields": ("created_at",)}),
        ("Retention", {"fields": ("legal_hold", "legal_hold_reason", "anonymised_at")}),
    )
    # The only fields an admin changes: a legal hold stops the retention schedule.
    EDITABLE = ("legal_hold", "legal_hold_reason")

    def get_fieldsets(self, request, obj=None):
        """The sections above, then any field they do not name (so a new field shows up)."""
        named = {field for _, options in self.fieldsets for field in options["fields"]}
        rest = [
            field.name
            for field in Referral._meta.concrete_fields
            if field.name not in named and not field.primary_key
        ]
        return [*self.fieldsets, *([("More", {"fields": rest})] if rest else [])]

    def get_readonly_fields(self, request, obj=None):
        """Everything but the legal hold: what the person told us is never edited here."""
        return [
            field.name
            for field in Referral._meta.concrete_fields
            if not field.primary_key and field.name not in self.EDITABLE
        ]

    def get_search_results(self, request, queryset, search_term):
        from reporting.references import normalise_reference

        # A reference typed with the usual slips (lower case, spaces, O for 0) still matches.
        return super().get_search_results(
            request, queryset, normalise_reference(search_term) or search_term
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
