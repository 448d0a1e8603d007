"""Signals `reporting` sends. It never imports `mash`: `mash` listens.

`referral_submitted` is sent with `sender=Referral, referral=<Referral>, children=[<Child>...]`
(the saved children, so receivers need not read them back) INSIDE the submission
transaction, after the referral and its children are saved and before commit. Receivers may
write to the database; an exception from a receiver aborts the whole submission.
"""

import django.dispatch

referral_submitted = django.dispatch.Signal()
