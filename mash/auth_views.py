"""Staff sign-in: username and password, then a TOTP code (enrolling an authenticator app the
first time), sign-out and the lockout page.

Nobody is signed in (in Django's sense) until both factors pass: after the password the
session only holds a short-lived "pending" marker, so a password alone opens nothing. Enrolling
needs a one-time enrolment link as well as the password (`mash.enrolment`): the password alone
never shows a TOTP secret. Sign-out is by POST only.
"""

import base64
import datetime as dt
import io
import math

import qrcode
import qrcode.image.svg
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth.signals import user_login_failed
from django.db.models import Max
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
from mash import audit, enrolment
from mash.access import is_verified
from mash.auth_forms import StaffLoginForm, TokenForm
from mash.clients import axes_client_key
from mash.middleware import SESSION_PENDING, start_staff_session
from mash.models import AuditAction
from mash.totp import use_code

DEVICE_NAME = "Authenticator app"
# This session's wrong-code count and when it may try its next code.
SESSION_CODE_WAIT = "mash_code_wait"
CODE_WAIT_MAX_SECONDS = 5 * 60


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


def _is_locked(request, username: str) -> bool:
    """axes' lock of this username for this client (not for the same person elsewhere)."""
    return not AxesProxyHandler.is_allowed(request, {"username": username})


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
        request.session.pop(SESSION_CODE_WAIT, None)
        audit.record(action=AuditAction.PASSWORD_ACCEPTED, user=user, request=request)
        enrolling = False
        if _confirmed_device(user) is None:
            link_id = request.session.pop(enrolment.SESSION_LINK, None)
            if not (link_id and enrolment.use_link(link_id=link_id, user=user, request=request)):
                audit.record(
                    action=AuditAction.ACCESS_REFUSED,
                    user=user,
                    request=request,
                    reason="enrolment_link_missing",
                )
                return render(request, "mash/auth/need_link.html", status=403)
            enrolling = True
        request.session[SESSION_PENDING] = {
            "user": user.pk,
            "username": user.get_username(),
            "at": timezone.now().timestamp(),
            "next": next_url,
            "enrolling": enrolling,
        }
        return HttpResponseRedirect(reverse("mash:enrol" if enrolling else "mash:verify"))
    return render(
        request,
        "mash/auth/login.html",
        {
            "form": form,
            "form_has_errors": bool(form.errors),
            "next": next_url,
            "expired": expired,
            "enrolling": enrolment.SESSION_LINK in request.session,
        },
    )


def _finish_sign_in(request, user, device):
    next_url = request.session.get(SESSION_PENDING, {}).get("next")
    del request.session[SESSION_PENDING]
    request.session.pop(SESSION_CODE_WAIT, None)
    user.backend = "django.contrib.auth.backends.ModelBackend"
    login(request, user)  # audited by the user_logged_in receiver
    otp_login(request, device)
    start_staff_session(request)
    return HttpResponseRedirect(_safe_next(request, next_url))


def code_wait_seconds(failures: int) -> int:
    """How long a session waits after its n-th wrong code: 1, 2, 4, 8... seconds, at most
    CODE_WAIT_MAX_SECONDS."""
    return min(2 ** max(failures - 1, 0), CODE_WAIT_MAX_SECONDS)


def _check_code(request, user, device, token) -> str | None:
    """None when the code is right (its time step is then used up), else the error to show.

    Wrong codes are throttled per session (this browser's sign-in), never per person: after
    the n-th wrong code this session's next code is not even checked for 2^(n-1) seconds, so
    another session hammering codes never refuses the real person's right one. A code refused
    while waiting is not audited (no row per attempt); each wrong code that was checked is,
    and counts as a failed sign-in of this username from this client (axes: 5 lock it for
    this client only)."""
    now = timezone.now().timestamp()
    wait = request.session.get(SESSION_CODE_WAIT) or {"failures": 0, "until": 0}
    if now < wait["until"]:
        seconds = math.ceil(wait["until"] - now)
        return f"Too many wrong codes. Wait {seconds} seconds, then enter the code your app shows"
    if use_code(device=device, token=token):
        return None
    failures = wait["failures"] + 1
    request.session[SESSION_CODE_WAIT] = {
        "failures": failures,
        "until": now + code_wait_seconds(failures),
    }
    audit.record(
        action=AuditAction.OTP_FAILED,
        user=user,
        request=request,
        failures=failures,
        **({"enrolling": True} if not device.confirmed else {}),
    )
    user_login_failed.send(
        sender=__name__,
        credentials={"username": user.get_username(), "mash_wrong_code": True},
        request=request,
    )
    return "The security code is not right or has expired. Enter the code your app shows now"


def _restart(request):
    return HttpResponseRedirect(reverse("mash:login"))


def _code_step(request, *, user, device, template, context, label=None):
    """The code form of the verify and enrol pages; signs in on the right code."""
    if _is_locked(request, user.get_username()):
        del request.session[SESSION_PENDING]
        return locked_out(request, credentials={"username": user.get_username()})
    form = TokenForm(request.POST if request.method == "POST" else None, label=label)
    if request.method == "POST" and form.is_valid():
        error = _check_code(request, user, device, form.cleaned_data["otp_token"])
        if error is None:
            if not device.confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                audit.record(action=AuditAction.OTP_ENROLLED, user=user, request=request)
            return _finish_sign_in(request, user, device)
        if getattr(request, "axes_locked_out", False):  # that wrong code was the fifth
            del request.session[SESSION_PENDING]
            return locked_out(request, credentials={"username": user.get_username()})
        form.add_error("otp_token", error)
    return render(
        request, template, {"form": form, "form_has_errors": bool(form.errors), **context}
    )


@require_http_methods(["GET", "POST"])
def verify_view(request):
    user = _pending_user(request)
    if user is None:
        return _restart(request)
    device = _confirmed_device(user)
    if device is None:
        return HttpResponseRedirect(reverse("mash:enrol"))
    return _code_step(
        request, user=user, device=device, template="mash/auth/verify.html", context={}
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
    """First sign-in, after the password AND a one-time enrolment link: show a QR code for a
    new TOTP device, confirm it with a code."""
    user = _pending_user(request)
    if user is None:
        return _restart(request)
    if _confirmed_device(user) is not None:
        # Enrolment happens once; replacing a device is an admin job (reset it in the admin).
        return HttpResponseRedirect(reverse("mash:verify"))
    if not request.session[SESSION_PENDING].get("enrolling"):
        return _restart(request)  # the password alone never shows a secret
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    secret = base64.b32encode(device.bin_key).decode()
    return _code_step(
        request,
        user=user,
        device=device,
        template="mash/auth/enrol.html",
        context={"qr_data_uri": _qr_data_uri(device.config_url), "secret": _spaced(secret)},
        label="Enter the security code from your authenticator app",
    )


@require_http_methods(["GET"])
def enrol_link_view(request, token):
    """A one-time enrolment link: remembered in this browser's session until the person gives
    their password (which uses it up). Opening it uses nothing (a mail scanner may open it)."""
    link = enrolment.find_link(token)
    if link is None:
        audit.record(
            action=AuditAction.ACCESS_REFUSED, request=request, reason="enrolment_link_invalid"
        )
        return render(request, "mash/auth/link_invalid.html", status=404)
    request.session[enrolment.SESSION_LINK] = link.pk
    return HttpResponseRedirect(reverse("mash:login"))


@require_http_methods(["GET", "POST"])
def logout_view(request):
    """Sign out by POST only (a GET, from a link or a prefetch, only shows the button)."""
    if request.method == "GET":
        signed_in = request.user.is_authenticated or SESSION_PENDING in request.session
        return render(request, "mash/auth/sign_out.html", {"signed_in": signed_in})
    request.session.pop(SESSION_PENDING, None)
    if request.user.is_authenticated:
        logout(request)  # audited by the user_logged_out receiver
    return render(request, "mash/auth/signed_out.html")


def locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE (and a wrong fifth code): a GOV.UK page saying when this client
    may try again, counted from the lockout (attempts during it do not move it)."""
    username = str((credentials or {}).get("username") or "")[:255]
    last = AccessAttempt.objects.filter(
        username=username, ip_address=axes_client_key(request)
    ).aggregate(last=Max("attempt_time"))["last"]
    try_again_at = (last or timezone.now()) + settings.AXES_COOLOFF_TIME
    return render(
        request,
        "mash/auth/locked.html",
        {
            "try_again_at": try_again_at.astimezone(LONDON),
            "cooloff_minutes": int(settings.AXES_COOLOFF_TIME / dt.timedelta(minutes=1)),
        },
        status=429,
    )
