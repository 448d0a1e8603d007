"""Staff session limits and caching headers.

- A signed-in session ends after 30 minutes without a request (STAFF_SESSION_IDLE_SECONDS) and
  12 hours after sign-in whatever happens (STAFF_SESSION_MAX_SECONDS); the expiry is audited
  and the person is simply signed out (staff views then send them to the login page).
  The last-seen time is kept to the minute (SEEN_RESOLUTION_SECONDS), so that a page view
  does not write the session every time.
- A half-finished sign-in (password given, TOTP code not yet) lasts 10 minutes.
- Every response under /mash/ and /admin/ is `Cache-Control: no-store`.
"""

from django.conf import settings
from django.contrib.auth import logout
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control

from mash import audit
from mash.models import AuditAction

SESSION_AUTH_AT = "mash_auth_at"
SESSION_SEEN_AT = "mash_seen_at"
SESSION_PENDING = "mash_pending"
PENDING_SECONDS = 10 * 60
# The last-seen time is written at most this often: each write is a session UPDATE and a
# commit on every staff request otherwise. The idle limit is then counted from up to this
# much earlier, so a session can only end early by that much, never late.
SEEN_RESOLUTION_SECONDS = 60


def no_store_prefixes() -> tuple[str, ...]:
    """The back office's and the admin's URL prefixes: their pages are never stored."""
    return (reverse("mash:queue"), reverse("admin:index"))


def start_staff_session(request) -> None:
    """Call right after a full sign-in (password + TOTP)."""
    now = timezone.now().timestamp()
    request.session[SESSION_AUTH_AT] = now
    request.session[SESSION_SEEN_AT] = now


class StaffSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        self._enforce_limits(request)
        response = self.get_response(request)
        if request.path.startswith(no_store_prefixes()):
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        return response

    def _enforce_limits(self, request) -> None:
        session = getattr(request, "session", None)
        if session is None:
            return
        now = timezone.now().timestamp()
        pending = session.get(SESSION_PENDING)
        if pending and now - pending.get("at", 0) > PENDING_SECONDS:
            del session[SESSION_PENDING]
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return
        auth_at = session.get(SESSION_AUTH_AT)
        seen_at = session.get(SESSION_SEEN_AT)
        reason = None
        if auth_at is None or seen_at is None:
            # Signed in some other way (never OTP-verified, so no staff page opens): the
            # limits count from now.
            session[SESSION_AUTH_AT] = session[SESSION_SEEN_AT] = now
            return
        if now - auth_at > settings.STAFF_SESSION_MAX_SECONDS:
            reason = "absolute"
        elif now - seen_at > settings.STAFF_SESSION_IDLE_SECONDS:
            reason = "idle"
        if reason is None:
            if now - seen_at >= SEEN_RESOLUTION_SECONDS:
                session[SESSION_SEEN_AT] = now
            return
        audit.record(action=AuditAction.SESSION_EXPIRED, user=user, request=request, reason=reason)
        logout(request)
        request.session["mash_expired"] = reason
