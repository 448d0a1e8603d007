"""Submissions to the council: referrals (of every kind) and the children and carers they are
about (the messages they cause are `notifications.OutboxMessage` rows).

Length limits below are the model's last line of defence: the journey's forms validate first
and with friendlier messages, and `reporting.services` runs `full_clean()` before saving, so a
value longer than these never reaches the database.
"""

from django.contrib.postgres.indexes import OpClass
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

from config import inserts
from reporting.names import remember, set_keys

# Free-text limits (characters). The journey may set lower limits, never higher ones.
NAME_MAX_LENGTH = 200
SHORT_TEXT_MAX_LENGTH = 500
TEXT_MAX_LENGTH = 5_000
DESCRIPTION_MAX_LENGTH = 10_000
POSTCODE_MAX_LENGTH = 10

CONCERN_CATEGORIES = [
    ("physical", "Physical abuse"),
    ("emotional", "Emotional abuse"),
    ("sexual", "Sexual abuse"),
    ("neglect", "Neglect"),
    ("domestic_abuse", "Domestic abuse"),
    ("exploitation", "Exploitation"),
    ("other", "Something else"),
]
CONCERN_CATEGORY_CODES = frozenset(code for code, _ in CONCERN_CATEGORIES)

validate_e164 = RegexValidator(
    r"^\+[1-9][0-9]{6,14}$",
    "Enter a phone number in international format, like +447700900982",
    code="invalid_e164",
)


def validate_concern_categories(value) -> None:
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError("Concern categories must be a list of codes", code="invalid")
    unknown = sorted(set(value) - CONCERN_CATEGORY_CODES)
    if unknown:
        raise ValidationError(
            "Unknown concern category: %(codes)s",
            code="unknown_category",
            params={"codes": ", ".join(unknown)},
        )
    if len(set(value)) != len(value):
        raise ValidationError("A concern category is listed twice", code="duplicate")


WELLBEING_CRITERIA = [
    ("permanent_exclusion", "Permanent exclusion from school"),
    ("exclusion_risk", "Risk of school exclusion or school attendance issues"),
    ("mental_health", "Parental or carer mental ill-health"),
    ("learning_disability", "Parental learning disability"),
    ("domestic_abuse", "Parental domestic abuse"),
    ("substance_misuse", "Parental drug or alcohol misuse"),
    ("low_level_neglect", "Low-level neglect"),
    ("physical_chastisement", "Physical chastisement"),
]
WELLBEING_CRITERIA_CODES = frozenset(code for code, _ in WELLBEING_CRITERIA)
# The relationship recorded when a child or young person tells us about themself.
ABOUT_THEMSELF = "The child or young person themself"
CONTACT_METHODS = [("phone", "Phone"), ("email", "Email"), ("letter", "Letter")]
CONTACT_METHOD_CODES = frozenset(code for code, _ in CONTACT_METHODS)


def validate_wellbeing_criteria(value) -> None:
    if not isinstance(value, list) or not all(
        isinstance(item, dict) and isinstance(item.get("code"), str) for item in value
    ):
        raise ValidationError("Criteria must be a list of {code, details}", code="invalid")
    codes = [item["code"] for item in value]
    unknown = sorted(set(codes) - WELLBEING_CRITERIA_CODES)
    if unknown:
        raise ValidationError(
            "Unknown Family Wellbeing criterion: %(codes)s",
            code="unknown_criterion",
            params={"codes": ", ".join(unknown)},
        )
    if len(set(codes)) != len(codes):
        raise ValidationError("A criterion is listed twice", code="duplicate")
    for item in value:
        details = item.get("details", "")
        if not isinstance(details, str) or len(details) > TEXT_MAX_LENGTH:
            raise ValidationError("Criterion details must be text", code="invalid")


def validate_contact_methods(value) -> None:
    if not isinstance(value, list) or not set(value) <= CONTACT_METHOD_CODES:
        raise ValidationError("Contact methods must be phone, email or letter", code="invalid")
    if len(set(value)) != len(value):
        raise ValidationError("A contact method is listed twice", code="duplicate")


def _text(max_length: int, **kwargs) -> models.TextField:
    """A blank-allowed TextField with a model-level length limit (no DB limit to trip on)."""
    return models.TextField(blank=True, validators=[MaxLengthValidator(max_length)], **kwargs)


class YesNoUnknown(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "I do not know"


class ContactSource(models.TextChoices):
    """Where a contact came from, as the children in need census codes it (its "referral
    source" codes, used by Ofsted's Annex A List 1 too). Derived from the journey's answers
    where it can be (`reporting.sources`), else set by the screener; always correctable on the
    screening page."""

    INDIVIDUAL = "1A", "1A Individual"
    FAMILY_MEMBER = "1B", "1B Individual: family member or relative or carer"
    ACQUAINTANCE = "1C", "1C Individual: acquaintance (including neighbours and child minders)"
    SELF = "1D", "1D Individual: self"
    SCHOOLS = "2A", "2A Schools"
    EDUCATION_SERVICES = "2B", "2B Education services"
    GP = "3A", "3A Health services: GP"
    HEALTH_VISITOR = "3B", "3B Health services: health visitor"
    SCHOOL_NURSE = "3C", "3C Health services: school nurse"
    OTHER_PRIMARY_HEALTH = "3D", "3D Health services: other primary health services"
    A_AND_E = "3E", "3E Health services: A&E (emergency department)"
    OTHER_HEALTH = "3F", "3F Health services: other (for example hospice)"
    HOUSING = "4", "4 Housing"
    LA_SOCIAL_CARE = "5A", "5A Local authority services: social care"
    LA_OTHER_INTERNAL = "5B", "5B Local authority services: other internal department"
    LA_EXTERNAL = "5C", "5C Local authority services: external (for example another authority)"
    LA_EARLY_HELP = "5D", "5D Local authority services: early help"
    POLICE = "6", "6 Police"
    OTHER_LEGAL = "7", "7 Other legal agency"
    OTHER = "8", "8 Other"
    ANONYMOUS = "9", "9 Anonymous"
    UNKNOWN = "10", "10 Unknown"


class Sex(models.TextChoices):
    """The child's sex, optional everywhere, with the census's "not known" and the person's
    right not to say. Exports map these to Annex A's gender wording."""

    MALE = "male", "Male"
    FEMALE = "female", "Female"
    NOT_SPECIFIED = "not_specified", "Not specified (indeterminate)"
    NOT_KNOWN = "not_known", "I do not know"
    PREFER_NOT_TO_SAY = "prefer_not_to_say", "Prefer not to say"


class Ethnicity(models.TextChoices):
    """The DfE/census ethnicity codes. REFU is "prefer not to say" (refused), NOBT "do not
    know" (information not yet obtained)."""

    WBRI = "WBRI", "White: British"
    WIRI = "WIRI", "White: Irish"
    WIRT = "WIRT", "White: Traveller of Irish heritage"
    WROM = "WROM", "White: Gypsy or Roma"
    WOTH = "WOTH", "White: any other White background"
    MWBC = "MWBC", "Mixed: White and Black Caribbean"
    MWBA = "MWBA", "Mixed: White and Black African"
    MWAS = "MWAS", "Mixed: White and Asian"
    MOTH = "MOTH", "Mixed: any other mixed background"
    AIND = "AIND", "Asian or Asian British: Indian"
    APKN = "APKN", "Asian or Asian British: Pakistani"
    ABAN = "ABAN", "Asian or Asian British: Bangladeshi"
    AOTH = "AOTH", "Asian or Asian British: any other Asian background"
    BCRB = "BCRB", "Black or Black British: Caribbean"
    BAFR = "BAFR", "Black or Black British: African"
    BOTH = "BOTH", "Black or Black British: any other Black background"
    CHNE = "CHNE", "Chinese"
    OOTH = "OOTH", "Any other ethnic group"
    REFU = "REFU", "Prefer not to say"
    NOBT = "NOBT", "I do not know"


class NewRowsQuerySet(models.QuerySet):
    """`insert(objs)`: a submission's new rows in one statement built once (`config.inserts`)."""

    def insert(self, objs: list) -> list:
        return inserts.insert(objs, using=self._db)  # None: the router's database for writes


class Referral(models.Model):
    """One submission of any kind: a concern, a Family Wellbeing referral, a self-referral or a
    consultation request, received online or logged by staff from a call, email or letter."""

    class Kind(models.TextChoices):
        CONCERN = "concern", "Concern about a child"
        FAMILY_WELLBEING = "family_wellbeing", "Family Wellbeing referral"
        SELF_REFERRAL = "self_referral", "Family Wellbeing self-referral"
        CONSULTATION = "consultation", "Consultation request"

    class Channel(models.TextChoices):
        ONLINE = "online", "Online"
        PHONE = "phone", "Phone"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"

    class ReferrerType(models.TextChoices):
        PUBLIC = "public", "Member of the public"
        RELATIVE = "relative", "Relative"
        PARENT_CARER = "parent_carer", "Parent or carer"
        CHILD = "child", "The child or young person"
        PROFESSIONAL = "professional", "Professional"

    class HowKnown(models.TextChoices):
        SAW = "saw", "Saw it"
        HEARD = "heard", "Heard it"
        TOLD = "told", "Was told about it"
        OTHER = "other", "Another way"

    reference = models.CharField(max_length=20, unique=True, editable=False)
    # The census source code (ContactSource); blank until derived or set by the screener.
    contact_source = models.CharField(max_length=2, choices=ContactSource.choices, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CONCERN)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    borough = models.ForeignKey(
        "contacts.Borough", on_delete=models.PROTECT, related_name="referrals"
    )
    received_at = models.DateTimeField(db_index=True)

    # Who is telling us
    referrer_type = models.CharField(max_length=20, choices=ReferrerType.choices, blank=True)
    anonymous = models.BooleanField(default=False)
    referrer_name = models.CharField(max_length=NAME_MAX_LENGTH, blank=True)
    referrer_email = models.EmailField(blank=True)
    referrer_phone = models.CharField(
        max_length=16, blank=True, validators=[validate_e164], help_text="E.164, like +447700900982"
    )
    referrer_relationship = models.CharField(max_length=NAME_MAX_LENGTH, blank=True)
    safe_to_contact = models.BooleanField(null=True, blank=True)
    # How the referrer chose to hear from us (acknowledgement, outcome) when they gave both an
    # email address and a mobile number; blank when they gave one (or none) of them.
    updates_by = models.CharField(
        max_length=5,
        blank=True,
        choices=[("email", "Email"), ("sms", "Text message")],
    )
    contact_notes = _text(TEXT_MAX_LENGTH, help_text="When and how it is safe to make contact.")
    organisation = models.CharField(max_length=NAME_MAX_LENGTH, blank=True)
    role = models.CharField(max_length=NAME_MAX_LENGTH, blank=True)
    family_aware = models.CharField(max_length=7, choices=YesNoUnknown.choices, blank=True)
    family_agrees = models.CharField(max_length=7, choices=YesNoUnknown.choices, blank=True)
    no_consent_reason = _text(TEXT_MAX_LENGTH)

    # What worries them
    concern_categories = models.JSONField(
        default=list, blank=True, validators=[validate_concern_categories]
    )
    description = models.TextField(validators=[MaxLengthValidator(DESCRIPTION_MAX_LENGTH)])
    when_happened = _text(SHORT_TEXT_MAX_LENGTH)
    still_happening = models.CharField(max_length=7, choices=YesNoUnknown.choices, blank=True)
    how_known = models.CharField(max_length=5, choices=HowKnown.choices, blank=True)
    other_children_in_home = models.CharField(
        max_length=7, choices=YesNoUnknown.choices, blank=True
    )
    other_children_details = _text(TEXT_MAX_LENGTH)

    # Family Wellbeing (referral, self-referral) and consultation requests
    consent_given_by = models.CharField(
        max_length=NAME_MAX_LENGTH, blank=True, help_text="Who gave written consent."
    )
    consent_date = models.DateField(null=True, blank=True)
    wellbeing_criteria = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_wellbeing_criteria],
        help_text='Family Wellbeing criteria that apply: [{"code": ..., "details": ...}].',
    )
    support_tried = _text(TEXT_MAX_LENGTH)
    other_agencies = _text(TEXT_MAX_LENGTH)
    contact_methods = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_contact_methods],
        help_text="How the person wants to be contacted: phone, email, letter.",
    )
    referrer_address = _text(SHORT_TEXT_MAX_LENGTH)
    referrer_postcode = models.CharField(max_length=POSTCODE_MAX_LENGTH, blank=True)
    callback_date = models.DateField(null=True, blank=True)
    callback_start = models.TimeField(null=True, blank=True)
    callback_end = models.TimeField(null=True, blank=True)

    # An online submission's key, fixed when "Check your answers" is shown: however many
    # times "Send" arrives (double clicks, retries), one referral (reporting/services.py).
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    # Retention (ops.retention): a legal hold stops anonymisation (an inquiry may order that
    # nothing is destroyed); anonymised_at says when the personal data was removed.
    legal_hold = models.BooleanField(
        default=False,
        help_text="Keep everything about this referral, whatever the retention schedule says "
        "(for example while an inquiry or court orders non-destruction).",
    )
    legal_hold_reason = models.CharField(max_length=300, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = NewRowsQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["borough", "received_at"], name="referral_borough_received"),
            models.Index(fields=["kind", "received_at"], name="referral_kind_received"),
        ]
        constraints = [
            # An anonymous referrer leaves no way to identify or contact them.
            models.CheckConstraint(
                condition=Q(anonymous=False)
                | Q(referrer_name="", referrer_email="", referrer_phone="", contact_notes=""),
                name="referral_anonymous_has_no_contact",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def about_themself(self) -> bool:
        """A child or young person told us about themself."""
        return (
            self.referrer_type == self.ReferrerType.CHILD
            and self.referrer_relationship == ABOUT_THEMSELF
        )

    @property
    def is_contactable(self) -> bool:
        """True when we may send the referrer messages: named, an email or a mobile number
        given, and not unsafe to contact (see `reporting.messages.referrer_route`)."""
        from reporting.messages import referrer_route

        return referrer_route(self) is not None


class PortableIndex(models.Index):
    """An index whose PostgreSQL operator classes (`OpClass`) are left out on other databases
    (SQLite has none), so the same model and migrations serve both."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        index = self
        if schema_editor.connection.vendor != "postgresql":
            index = self.clone()
            index.expressions = tuple(
                e.get_source_expressions()[0] if isinstance(e, OpClass) else e
                for e in self.expressions
            )
        return super(PortableIndex, index).create_sql(model, schema_editor, using, **kwargs)


class ChildQuerySet(NewRowsQuerySet):
    """Every way a child is written sets its name keys and adds its names to the vocabulary
    (`reporting.names`), as `Child.save()` does."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        names = set_keys(objs)
        created = super().bulk_create(objs, *args, **kwargs)
        remember(names)
        return created

    def insert(self, objs: list) -> list:
        names = set_keys(objs)
        created = super().insert(objs)
        remember(names)
        return created


class Child(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="children")
    first_name = models.CharField(max_length=NAME_MAX_LENGTH, blank=True)
    last_name = models.CharField(max_length=NAME_MAX_LENGTH, blank=True)
    name_unknown = models.BooleanField(default=False)
    date_of_birth = models.DateField(null=True, blank=True)
    approximate_age = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(17)]
    )
    unborn = models.BooleanField(default=False)
    due_date = models.DateField(null=True, blank=True)
    address = _text(TEXT_MAX_LENGTH)
    postcode = models.CharField(max_length=POSTCODE_MAX_LENGTH, blank=True)
    school = models.CharField(max_length=NAME_MAX_LENGTH, blank=True)
    sex = models.CharField(max_length=20, choices=Sex.choices, blank=True)
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices, blank=True)
    # A stable pseudonymous id for the child across referrals (Annex A's "Child Unique ID"
    # and re-referral counts): given when the referral arrives by MASH's record-check matching
    # (`mash.identity`): the id of the child's strong match in the borough, else a new one.
    person_key = models.CharField(max_length=16, blank=True, db_index=True, editable=False)
    order = models.PositiveSmallIntegerField(default=0)
    # The names normalised ("" when not known), set on every save and bulk create
    # (reporting.names): the staff search looks names up by these, through NameKey.
    first_key = models.CharField(max_length=NAME_MAX_LENGTH, blank=True, default="", editable=False)
    last_key = models.CharField(max_length=NAME_MAX_LENGTH, blank=True, default="", editable=False)
    # Copies of the referral's received time and borough (neither changes after receipt), set
    # with the keys: the search reads a name's children newest first straight from an index,
    # in the user's boroughs, without a join.
    received_at = models.DateTimeField(null=True, blank=True, editable=False)
    borough = models.ForeignKey(
        "contacts.Borough",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        db_index=False,
    )

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["referral", "order"]
        verbose_name_plural = "children"
        constraints = [
            models.UniqueConstraint(fields=["referral", "order"], name="child_order_in_referral"),
        ]
        # MASH record checks (mash.matching.candidates_q) look children up by date of birth,
        # postcode and name prefix. Django's istartswith on PostgreSQL is
        # UPPER("col"::text) LIKE UPPER('abc%'): the name indexes are on that expression, with
        # pattern ops so LIKE 'abc%' can use them (SQLite has no operator classes: plain UPPER).
        indexes = [
            models.Index(fields=["date_of_birth"], name="child_dob"),
            models.Index(fields=["postcode"], name="child_postcode"),
            PortableIndex(
                OpClass(Upper("first_name"), name="text_pattern_ops"),
                name="child_first_name_upper",
            ),
            PortableIndex(
                OpClass(Upper("last_name"), name="text_pattern_ops"),
                name="child_last_name_upper",
            ),
            # The staff search (mash.search): a name pair (either way round, or one name and
            # the other blank), or one name, each read newest first.
            models.Index(fields=["first_key", "last_key", "-received_at"], name="child_names"),
            models.Index(fields=["last_key", "first_key", "-received_at"], name="child_names_2"),
            models.Index(fields=["first_key", "-received_at"], name="child_first_key"),
            models.Index(fields=["last_key", "-received_at"], name="child_last_key"),
            # Person keys (mash.matching.newest_strong_match): a borough's children newest
            # first, so a date of birth or postcode shared by thousands of earlier children is
            # read from the newest until the first strong match, not all sorted (rare ones
            # still come from child_dob and child_postcode).
            models.Index(fields=["borough", "-received_at"], name="child_borough_received"),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs):
        names = set_keys([self])
        fields = kwargs.get("update_fields")
        if fields is not None and {"first_name", "last_name", "name_unknown"} & set(fields):
            kwargs["update_fields"] = {*fields, "first_key", "last_key", "received_at", "borough"}
        super().save(*args, **kwargs)
        remember(names)

    @property
    def display_name(self) -> str:
        if self.name_unknown:
            return "Name unknown"
        name = f"{self.first_name} {self.last_name}".strip()
        return name or "Name unknown"


class NameKey(models.Model):
    """The vocabulary of children's names (normalised), each with its deletion neighbourhood:
    one row per (key, name). Kept by `reporting.names.remember` as children are saved; read by
    the staff search to turn a typed name into the stored names within its allowed typos."""

    key = models.CharField(max_length=NAME_MAX_LENGTH)
    name = models.CharField(max_length=NAME_MAX_LENGTH)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "name"], name="one_name_key")]
        indexes = [
            # names starting with a prefix (a shortened first name typed): key = name rows
            PortableIndex(OpClass("key", name="varchar_pattern_ops"), name="namekey_key_prefix"),
            models.Index(fields=["name"], name="namekey_name"),  # forgetting a name
        ]

    def __str__(self) -> str:
        return f"{self.key} -> {self.name}"


class Carer(models.Model):
    """A parent or carer in a family referred to Family Wellbeing."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="carers")
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    relationship = models.CharField(max_length=NAME_MAX_LENGTH, blank=True)
    phone = models.CharField(max_length=16, blank=True, validators=[validate_e164])
    email = models.EmailField(blank=True)
    address = _text(SHORT_TEXT_MAX_LENGTH)
    postcode = models.CharField(max_length=POSTCODE_MAX_LENGTH, blank=True)
    language = models.CharField(max_length=NAME_MAX_LENGTH, blank=True)
    interpreter_needed = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)

    objects = NewRowsQuerySet.as_manager()

    class Meta:
        ordering = ["referral", "order"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "order"], name="carer_order_in_referral"),
        ]

    def __str__(self) -> str:
        return self.name


class ConsentForm(models.Model):
    """A parent's or carer's signed consent form, uploaded with a Family Wellbeing referral.

    The file lives in private storage (settings.PRIVATE_STORAGE) under `stored_name`, a random
    name: nothing serves it by URL. The row is written when the file is uploaded, with no
    referral; submitting the referral attaches it. Rows (and files) never attached are deleted
    by `reporting.uploads.delete_abandoned_uploads`."""

    referral = models.ForeignKey(
        Referral,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="consent_forms",
    )
    stored_name = models.CharField(max_length=100, unique=True, editable=False)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.original_name
