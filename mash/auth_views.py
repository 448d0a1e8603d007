"""Staff sign-in: username and password, then a TOTP code (enrolling an authenticator app the
first time), sign-out and the lockout page.

Nobody is signed in (in Django's sense) until both factors pass: after the password the
session only holds a short-lived "pending" marker, so a password alone opens nothing.
"""

import base64
import datetime as dt
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import get_user_model, login, logout
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from contacts.calendar import LONDON
from mash import audit
from mash.access import is_verified
from mash.auth_forms import StaffLoginForm, TokenForm
from mash.middleware import SESSION_PENDING, start_staff_session
from mash.models import AuditAction

DEVICE_NAME = "Authenticator app"


def _safe_next(request, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("mash:queue")


def _pending_user(request):
    pending = request.session.get(SESSION_PENDING)
    if not pending:
        return None
    user = get_user_model()._default_manager.filter(pk=pending.get("user")).first()
    if user is None or not user.is_active:
        return None
    return user


def _confirmed_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login_view(request):
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.user.is_authenticated and is_verified(request.user):
        return HttpResponseRedirect(next_url)
    expired = request.session.pop("mash_expired", None)
    form = StaffLoginForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        if request.user.is_authenticated:
            logout(request)
        request.session.cycle_key()
        request.session[SESSION_PENDING] = {
            "user": user.pk,
            "username": user.get_username(),
            "at": timezone.now().timestamp(),
            "next": next_url,
        }
        audit.record(action=AuditAction.PASSWORD_ACCEPTED, user=user, request=request)
        if _confirmed_device(user) is None:
            return HttpResponseRedirect(reverse("mash:enrol"))
        return HttpResponseRedirect(reverse("mash:verify"))
    return render(
        request,
        "mash/auth/login.html",
        {
            "form": form,
            "form_has_errors": bool(form.errors),
            "next": next_url,
            "expired": expired,
        },
    )


def _finish_sign_in(request, user, device):
    next_url = request.session.get(SESSION_PENDING, {}).get("next")
    del request.session[SESSION_PENDING]
    user.backend = "django.contrib.auth.backends.ModelBackend"
    login(request, user)  # audited by the user_logged_in receiver
    otp_login(request, device)
    start_staff_session(request)
    return HttpResponseRedirect(_safe_next(request, next_url))


def _check_code(device, token) -> str | None:
    """None when the code is right, else the error to show. After each wrong code django-otp
    makes the device wait (1, 2, 4, 8... seconds) before it checks another: say so rather than
    "wrong" again."""
    allowed, _ = device.verify_is_allowed()
    if device.verify_token(token):
        return None
    if not allowed:
        return "Too many wrong codes. Wait a minute, then enter the code your app shows"
    return "The security code is not right or has expired. Enter the code your app shows now"


def _restart(request):
    return HttpResponseRedirect(reverse("mash:login"))


@require_http_methods(["GET", "POST"])
def verify_view(request):
    user = _pending_user(request)
    if user is None:
        return _restart(request)
    device = _confirmed_device(user)
    if device is None:
        return HttpResponseRedirect(reverse("mash:enrol"))
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        error = _check_code(device, form.cleaned_data["otp_token"])
        if error is None:
            return _finish_sign_in(request, user, device)
        audit.record(action=AuditAction.OTP_FAILED, user=user, request=request)
        form.add_error("otp_token", error)
    return render(
        request,
        "mash/auth/verify.html",
        {"form": form, "form_has_errors": bool(form.errors)},
    )


def _qr_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _spaced(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@require_http_methods(["GET", "POST"])
def enrol_view(request):
    """First sign-in: show a QR code for a new TOTP device, confirm it with a code."""
    user = _pending_user(request)
    if user is None:
        return _restart(request)
    if _confirmed_device(user) is not None:
        # Enrolment happens once; replacing a device is an admin job (delete it in the admin).
        return HttpResponseRedirect(reverse("mash:verify"))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    form = TokenForm(
        request.POST if request.method == "POST" else None,
        label="Enter the security code from your authenticator app",
    )
    if request.method == "POST" and form.is_valid():
        error = _check_code(device, form.cleaned_data["otp_token"])
        if error is None:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            audit.record(action=AuditAction.OTP_ENROLLED, user=user, request=request)
            return _finish_sign_in(request, user, device)
        audit.record(action=AuditAction.OTP_FAILED, user=user, request=request, enrolling=True)
        form.add_error("otp_token", error)
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "mash/auth/enrol.html",
        {
            "form": form,
            "form_has_errors": bool(form.errors),
            "qr_data_uri": _qr_data_uri(device.config_url),
            "secret": _spaced(secret),
        },
    )


@require_http_methods(["GET", "POST"])
def logout_view(request):
    request.session.pop(SESSION_PENDING, None)
    if request.user.is_authenticated:
        logout(request)  # audited by the user_logged_out receiver
    return render(request, "mash/auth/signed_out.html")


def locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: a GOV.UK page saying when to try again."""
    try_again_at = timezone.now() + settings.AXES_COOLOFF_TIME
    return render(
        request,
        "mash/auth/locked.html",
        {
            "try_again_at": try_again_at.astimezone(LONDON),
            "cooloff_minutes": int(settings.AXES_COOLOFF_TIME / dt.timedelta(minutes=1)),
        },
        status=429,
    )
