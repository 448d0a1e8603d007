"""Forms of the staff sign-in: username and password, then a TOTP security code."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout, Size
from django import forms
from django.contrib.auth.forms import AuthenticationForm

USERNAME_MAX_LENGTH = 150  # Django's User.username


class StaffLoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password",
        "inactive": "This account has been switched off. Ask your manager.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "spellcheck": "false", "autocapitalize": "none"}
        )
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["password"].widget.attrs.pop("autofocus", None)
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.fields["username"].max_length = USERNAME_MAX_LENGTH
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.text("username", field_width=20),
            Field.text("password", field_width=20),
            Button("submit", "Continue"),
        )

    def clean_username(self):
        """Refuse an over-long username before it reaches authentication (axes would try to
        store it in a 255-character column)."""
        username = self.cleaned_data["username"]
        if len(username) > USERNAME_MAX_LENGTH:
            raise forms.ValidationError(self.error_messages["invalid_login"])
        return username


class TokenForm(forms.Form):
    otp_token = forms.CharField(
        label="Security code",
        help_text="The 6-digit code shown in your authenticator app",
        max_length=8,
        error_messages={"required": "Enter the security code from your authenticator app"},
    )

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["otp_token"].label = label
        self.fields["otp_token"].widget.attrs.update(
            {
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
            }
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.text("otp_token", field_width=5, label_size=Size.SMALL),
            Button("submit", "Continue"),
        )

    def clean_otp_token(self):
        token = "".join(self.cleaned_data["otp_token"].split())
        if not (token.isdigit() and len(token) == 6):
            raise forms.ValidationError("Enter the 6-digit security code")
        return token
