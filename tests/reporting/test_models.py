import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from notifications.selectors import about
from reporting.models import (
    CONCERN_CATEGORIES,
    DESCRIPTION_MAX_LENGTH,
    Child,
    Referral,
    validate_concern_categories,
    validate_e164,
)
from tests.notifications.factories import OutboxMessageFactory
from tests.reporting.factories import ChildFactory, ReferralFactory


def test_concern_category_codes_as_agreed():
    assert [code for code, _ in CONCERN_CATEGORIES] == [
        "physical",
        "emotional",
        "sexual",
        "neglect",
        "domestic_abuse",
        "exploitation",
        "other",
    ]


@pytest.mark.parametrize(
    ("anonymous", "email", "safe", "expected"),
    [
        (False, "a@example.com", True, True),
        (False, "a@example.com", None, True),
        (False, "a@example.com", False, False),
        (False, "", True, False),
        (True, "", None, False),
    ],
)
def test_is_contactable(anonymous, email, safe, expected):
    referral = Referral(anonymous=anonymous, referrer_email=email, safe_to_contact=safe)
    assert referral.is_contactable is expected


@pytest.mark.django_db
def test_str_is_the_reference(bromley):
    referral = ReferralFactory(borough=bromley)
    assert str(referral) == referral.reference


@pytest.mark.django_db
def test_reference_is_unique(bromley):
    ReferralFactory(borough=bromley, reference="BRM-AAAA-BBBB")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferralFactory(borough=bromley, reference="BRM-AAAA-BBBB")


@pytest.mark.django_db
def test_an_anonymous_referral_cannot_hold_contact_details(bromley):
    ReferralFactory(borough=bromley, anonymous_referrer=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferralFactory(borough=bromley, anonymous_referrer=True, referrer_email="a@example.com")


@pytest.mark.django_db
def test_borough_with_referrals_cannot_be_deleted(bromley):
    from django.db.models import ProtectedError

    ReferralFactory(borough=bromley)
    with pytest.raises(ProtectedError):
        bromley.delete()


@pytest.mark.django_db
def test_children_and_outbox_rows_belong_to_the_referral(bromley):
    referral = ReferralFactory(borough=bromley)
    ChildFactory(referral=referral, order=1, first_name="Leo")
    ChildFactory(referral=referral, order=0, first_name="Amira")
    OutboxMessageFactory(about_id=referral.pk)
    assert [c.first_name for c in referral.children.all()] == ["Amira", "Leo"]
    assert about(about_id=referral.pk).count() == 1


def test_display_name():
    assert Child(first_name="Amira", last_name="Hughes").display_name == "Amira Hughes"
    assert Child(first_name="Amira").display_name == "Amira"
    assert Child(first_name="Amira", name_unknown=True).display_name == "Name unknown"
    assert Child().display_name == "Name unknown"
    assert str(Child(first_name="Leo")) == "Leo"


def test_concern_categories_validator():
    validate_concern_categories(["neglect", "other"])
    validate_concern_categories([])
    with pytest.raises(ValidationError, match="Unknown concern category: bullying"):
        validate_concern_categories(["neglect", "bullying"])
    with pytest.raises(ValidationError, match="twice"):
        validate_concern_categories(["neglect", "neglect"])
    with pytest.raises(ValidationError):
        validate_concern_categories("neglect")


@pytest.mark.parametrize("good", ["+447700900982", "+442084617373"])
def test_e164_accepts(good):
    validate_e164(good)


@pytest.mark.parametrize("bad", ["07700900982", "+44 7700 900982", "+0123456789", "+44"])
def test_e164_rejects(bad):
    with pytest.raises(ValidationError):
        validate_e164(bad)


@pytest.mark.django_db
def test_model_limits_are_checked_by_full_clean(bromley):
    referral = ReferralFactory.build(
        borough=bromley, description="x" * (DESCRIPTION_MAX_LENGTH + 1)
    )
    with pytest.raises(ValidationError) as info:
        referral.full_clean(exclude=["reference"])
    assert "description" in info.value.message_dict

    child = Child(approximate_age=18)
    with pytest.raises(ValidationError) as info:
        child.full_clean(exclude=["referral"])
    assert "approximate_age" in info.value.message_dict


@pytest.mark.django_db
def test_selectors(bromley, bexley):
    import datetime as dt

    from django.utils import timezone

    from reporting.selectors import find_referral, referrals_received

    now = timezone.now()
    old = ReferralFactory(borough=bromley, received_at=now - dt.timedelta(days=3))
    new = ReferralFactory(borough=bromley, received_at=now - dt.timedelta(hours=1))
    ReferralFactory(borough=bexley, received_at=now - dt.timedelta(hours=1))

    assert find_referral(reference=new.reference.lower().replace("-", " ")) == new
    assert find_referral(reference="BRM-0000-0000") is None
    assert find_referral(reference="not a reference") is None

    since = now - dt.timedelta(days=1)
    assert list(referrals_received(borough=bromley, since=since)) == [new]
    assert list(referrals_received(borough=bromley, since=now - dt.timedelta(days=7))) == [
        new,
        old,
    ]
    assert list(referrals_received(borough=bromley, since=since, until=since)) == []


NAME_INDEXES = ["child_first_name_upper", "child_last_name_upper"]


def _indexdef(cursor, name):
    cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [name])
    (row,) = cursor.fetchall()
    return row[0]


@pytest.mark.postgres
@pytest.mark.django_db
def test_name_indexes_declared_on_the_model_are_those_in_the_database():
    """Migration 0003 made the name-prefix indexes with raw SQL; the model declares them now
    (0004 records them without rebuilding): Django's own CREATE INDEX for the declared index
    gives exactly the definition the database has."""
    from django.db import connection

    declared = {index.name: index for index in Child._meta.indexes}
    with connection.schema_editor(atomic=False) as editor, connection.cursor() as cursor:
        for name in NAME_INDEXES:
            twin = declared[name].clone()
            twin.name = f"{name}_twin"
            editor.add_index(Child, twin)
            try:
                expected = _indexdef(cursor, name).replace(name, twin.name)
                assert _indexdef(cursor, twin.name) == expected
                assert "text_pattern_ops" in expected
            finally:
                editor.remove_index(Child, twin)
