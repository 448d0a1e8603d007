"""Checking a TOTP code, once: a code signs in at most one session, however many present it at
the same moment.

django-otp's `TOTPDevice.verify_token()` reads the device's last used step, compares, and saves
it back: two sessions presenting the same code at once both read the old step and both get in.
Here the step is claimed with one conditional UPDATE (`last_t < t`), which PostgreSQL runs one
at a time per row: the first claim updates one row, every other claim of that step updates none.
"""

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def matching_step(device: TOTPDevice, token: str) -> int | None:
    """The time step whose code is `token` within the device's tolerance, or None."""
    try:
        wanted = int(token)
    except (TypeError, ValueError):
        return None
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    for offset in range(-device.tolerance, device.tolerance + 1):
        totp.drift = device.drift + offset
        if totp.token() == wanted:
            return totp.t()
    return None


def use_code(*, device: TOTPDevice, token: str) -> bool:
    """True when `token` is the device's code now and no earlier use took its step (or a later
    one); the step is then used up. Atomic: of concurrent uses of one code, one is True."""
    step = matching_step(device, token)
    if step is None:
        return False
    claimed = TOTPDevice.objects.filter(pk=device.pk, last_t__lt=step).update(last_t=step)
    if claimed:
        device.last_t = step
    return bool(claimed)
