"""Recompute the diary's day rollups (portal.DiaryDay) from the entries."""

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.models import DiaryDay


class Command(BaseCommand):
    help = (
        "Recompute the day rollups the appointment summary reads from the diary entries: "
        "after writes that bypass DiaryEntry's save (make_demo_data's raw inserts, loaddata "
        "of diary entries), or a change of DJANGO_TIME_ZONE. Safe to run at any time, and "
        "again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--patient",
            action="append",
            default=[],
            metavar="USERNAME",
            help="only this patient's (repeatable); default everyone's",
        )

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        patients = None
        if options["patient"]:
            User = get_user_model()
            found = dict(
                User.objects.filter(username__in=options["patient"]).values_list("username", "pk")
            )
            missing = sorted(set(options["patient"]) - set(found))
            if missing:
                raise CommandError(f"No such account: {', '.join(missing)}.")
            patients = set(found.values())
        rows = DiaryDay.objects.rebuild(patients)
        self.stdout.write(
            self.style.SUCCESS(f"Rebuilt {rows} day rollups in {time.monotonic() - started:.1f} s.")
        )
