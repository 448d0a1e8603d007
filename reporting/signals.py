"""Signals `reporting` sends. It never imports `mash`: `mash` listens.

`children_received` is sent with `sender=Child, referral=<Referral>, children=[<Child>...]`
INSIDE the submission transaction, after the referral is saved and before its children are:
receivers may set fields on the unsaved children (MASH's person keys), which are inserted
with them. Receivers must not save the children themselves.

`referral_submitted` is sent with `sender=Referral, referral=<Referral>, children=[<Child>...]`
(the saved children, so receivers need not read them back) INSIDE the submission
transaction, after the referral and its children are saved and before commit. Receivers may
write to the database; an exception from a receiver aborts the whole submission.
"""

import django.dispatch

children_received = django.dispatch.Signal()
referral_submitted = django.dispatch.Signal()
