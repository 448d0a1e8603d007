"""Factories for MASH staff: users with a StaffMember and a confirmed TOTP device, a helper
computing the TOTP code a device shows now, and one logging a test client in fully verified
(password and TOTP done) so staff views open."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from contacts.models import Borough
from mash.middleware import SESSION_AUTH_AT, SESSION_SEEN_AT
from mash.models import StaffMember

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.gov.uk")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = "Authenticator app"
    confirmed = True


class StaffMemberFactory(factory.django.DjangoModelFactory):
    """A staff member (screener by default) of the given boroughs (default Bromley), with a
    confirmed TOTP device unless `with_device=False`."""

    class Meta:
        model = StaffMember
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    role = StaffMember.Role.SCREENER

    @factory.post_generation
    def boroughs(obj, create, extracted, **kwargs):
        if not create:
            return
        obj.boroughs.set(
            extracted if extracted is not None else Borough.objects.filter(slug="bromley")
        )

    @factory.post_generation
    def with_device(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            TOTPDeviceFactory(user=obj.user)

    class Params:
        manager = factory.Trait(role=StaffMember.Role.MANAGER)
        admin = factory.Trait(role=StaffMember.Role.ADMIN)


def device_for(user) -> TOTPDevice:
    return TOTPDevice.objects.filter(user=user).order_by("pk").first()


def totp_code(device: TOTPDevice, *, offset_steps: int = 0) -> str:
    """The code the device's authenticator app shows now (or `offset_steps` steps away)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


def log_in_verified(client, user, device: TOTPDevice | None = None) -> None:
    """Sign `client` in as `user` as if they had given their password and a TOTP code."""
    device = device or device_for(user) or TOTPDeviceFactory(user=user)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    now = timezone.now().timestamp()
    session[SESSION_AUTH_AT] = now
    session[SESSION_SEEN_AT] = now
    session.save()


def log_in_password_only(client, user) -> None:
    """Sign `client` in as `user` with no second factor (for tests that must be refused)."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
