"""manage.py import_postcodes PATH: load (or refresh) the postcode directory from the ONS
Postcode Directory or the National Statistics Postcode Lookup, as ONS publish them (the CSV,
or the .zip it comes in). Re-run it with each new release: the new directory replaces the old
in one transaction, and a file that cannot be read leaves the old one in place."""

from django.core.management.base import BaseCommand, CommandError

from contacts.postcodes import ImportRefused, import_postcodes


class Command(BaseCommand):
    help = (
        "Load the postcode directory from an ONSPD (pcds, oslaua) or NSPL (pcds, laua) CSV "
        "or .zip, replacing the one loaded before."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the ONSPD or NSPL CSV file, or its .zip")
        parser.add_argument(
            "--authority-column",
            help="the local authority column's name, if not oslaua (ONSPD) or laua (NSPL)",
        )
        parser.add_argument(
            "--min-rows",
            type=int,
            default=1,
            help="refuse a file with fewer usable rows than this (default 1)",
        )

    def handle(self, *args, path, authority_column=None, min_rows=1, **options):
        try:
            result = import_postcodes(
                path=path, authority_column=authority_column, min_rows=min_rows
            )
        except ImportRefused as exc:
            raise CommandError(str(exc)) from exc
        postcode_column, authority_column = result.columns
        self.stdout.write(
            f"Loaded {result.loaded:,} postcodes ({postcode_column} -> {authority_column}) "
            f"in {result.seconds:.1f} s; skipped {result.skipped:,} rows without a postcode "
            "or a local authority."
        )
