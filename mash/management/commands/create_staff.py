"""Create (or update) a MASH staff member:

    python manage.py create_staff USERNAME --role screener --borough bromley [--borough bexley]
        [--password PASSWORD] [--email EMAIL]

Without --password a strong one is generated and printed once. The person enrols their
authenticator app (TOTP) the first time they sign in at /mash/login/.
"""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from contacts.models import Borough
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

    @transaction.atomic
    def handle(self, *args, username, role, borough, password=None, email="", **options):
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
        user.is_superuser = role == StaffMember.Role.ADMIN
        user.save()
        member, _ = StaffMember.objects.update_or_create(user=user, defaults={"role": role})
        member.boroughs.set(boroughs)

        verb = "Created" if created else "Updated"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {role} {username} for {', '.join(b.name for b in boroughs)}."
            )
        )
        if generated:
            self.stdout.write(f"Password (shown once): {password}")
        self.stdout.write(
            "To enrol: sign in at /mash/login/ with the username and password. The first "
            "sign-in shows a QR code: scan it with an authenticator app (or type in the setup "
            "key), then enter the 6-digit code the app shows. Every later sign-in asks for a "
            "new code. To reset a lost authenticator, delete the person's TOTP device in the "
            "admin."
        )
