import datetime as dt

import pytest
from django.apps import apps

from contacts.calendar import LONDON


def ldn(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


@pytest.fixture
def admin_client(db, client):
    """A Django test client signed in to the admin as a superuser (OTP-verified where the admin
    requires a second factor)."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_superuser(
        username="contacts-admin", email="contacts-admin@example.com", password=None
    )
    client.force_login(user)
    if apps.is_installed("django_otp"):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def _value(value):
    if value is None:
        return ""
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    return value


def change_form_data(response) -> dict:
    """The POST data an admin change form would send back unchanged (main form and inlines)."""
    data = {}

    def add_form(form):
        for name in form.fields:
            value = form[name].value()
            if isinstance(value, bool):
                if value:
                    data[form.add_prefix(name)] = "on"
                continue
            if isinstance(value, list | tuple):
                data[form.add_prefix(name)] = [_value(v) for v in value]
                continue
            data[form.add_prefix(name)] = _value(value)

    add_form(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = _value(management[name].value())
        for form in formset.initial_forms:
            add_form(form)
    return data
