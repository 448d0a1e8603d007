"""Create (or update) a MASH staff member:

    python manage.py create_staff USERNAME --role screener --borough bromley [--borough bexley]
        [--password PASSWORD] [--email EMAIL]

Without --password a strong one is generated and printed once. Until the person has an
authenticator app, a one-time enrolment link (24 hours) is printed too: they open it, then sign
in with the password and set up the app. `--new-link` makes a fresh link (an earlier one stops
working); `--reset-device` also deletes their authenticator (a lost phone).

An admin is staff of the Django admin (not a superuser): the admin shows them only their
boroughs' records.
"""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from contacts.models import Borough
from mash.admin_scope import grant_admin_permissions
from mash.enrolment import create_link
from mash.models import StaffMember


class Command(BaseCommand):
    help = "Create or update a MASH staff member (role and boroughs) and say how to enrol."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", choices=StaffMember.Role.values, default="screener")
        parser.add_argument(
            "--borough",
            action="append",
            required=True,
            help="A borough slug, like bromley. Repeat for more than one.",
        )
        parser.add_argument("--password", help="Default: a generated one, printed once.")
        parser.add_argument("--email", default="")
        parser.add_argument("--new-link", action="store_true", help="A fresh enrolment link.")
        parser.add_argument(
            "--reset-device",
            action="store_true",
            help="Delete their authenticator and print an enrolment link to set up a new one.",
        )
        parser.add_argument(
            "--site", default="", help="The site's address to print before the link path."
        )

    @transaction.atomic
    def handle(
        self,
        *args,
        username,
        role,
        borough,
        password=None,
        email="",
        new_link=False,
        reset_device=False,
        site="",
        **options,
    ):
        boroughs = list(Borough.objects.filter(slug__in=borough))
        missing = sorted(set(borough) - {b.slug for b in boroughs})
        if missing:
            known = ", ".join(Borough.objects.values_list("slug", flat=True))
            raise CommandError(f"No borough {', '.join(missing)}. Known: {known}")
        User = get_user_model()
        user, created = User.objects.get_or_create(username=username)
        generated = password is None and created
        if generated:
            password = secrets.token_urlsafe(15)
        if password is not None:
            try:
                validate_password(password, user)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
            user.set_password(password)
        if email:
            user.email = email
        user.is_active = True
        user.is_staff = role == StaffMember.Role.ADMIN
        user.save()
        member, _ = StaffMember.objects.update_or_create(user=user, defaults={"role": role})
        member.boroughs.set(boroughs)
        grant_admin_permissions(user, admin=role == StaffMember.Role.ADMIN)
        enrolled = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        link = None
        if reset_device or new_link or not enrolled:
            link = create_link(user=user, reset_device=reset_device)

        verb = "Created" if created else "Updated"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {role} {username} for {', '.join(b.name for b in boroughs)}."
            )
        )
        if generated:
            self.stdout.write(f"Password (shown once): {password}")
        if link is None:
            self.stdout.write(
                "They have an authenticator app already. To replace a lost one: --reset-device "
                "(or reset it in the admin)."
            )
            return
        self.stdout.write(f"Enrolment link (shown once, works once, for 24 hours): {site}{link}")
        self.stdout.write(
            "To enrol: open the link in a browser, then sign in with the username and password. "
            "The page then shows a QR code: scan it with an authenticator app (or type in the "
            "setup key), then enter the 6-digit code the app shows. Every later sign-in at "
            "/mash/login/ asks for a new code. Give the link and the password separately."
        )
