"""The consultation queue's form: the advice given to a professional who asked for a
consultation (`mash.consultation_views`)."""

from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.core.exceptions import ValidationError

from reporting.text import clean_text


class AdviceForm(forms.Form):
    """The advice given to a professional who asked for a consultation."""

    advice = forms.CharField(
        label="Advice given",
        help_text="What you discussed and advised, and anything agreed. This closes the "
        "consultation.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter the advice given"},
    )

    def __init__(self, *args, max_length: int, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.max_length = max_length
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field.textarea("advice", label_size=Size.SMALL, max_characters=max_length)
        )

    def clean_advice(self):
        value = clean_text(self.cleaned_data["advice"], multiline=True)
        if not value:
            raise ValidationError("Enter the advice given", code="required")
        if len(value) > self.max_length:
            raise ValidationError(f"Advice given must be {self.max_length:,} characters or less")
        return value
