"""Enqueues the reminders that fall due, every --interval seconds (or once, with --once).

Run it beside `manage.py db_worker`, which sends them. Two schedulers at once are safe: a
database constraint lets one claim each reminder. Stopped, it loses nothing: on its next
start it claims what fell due in the meantime (within the catch-up window), once.
"""

import signal
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from portal.reminders.schedule import claim_due_reminders


class Command(BaseCommand):
    help = "Enqueue due reminder emails, every --interval seconds (db_worker sends them)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval", type=int, default=60, help="seconds between runs (default 60)"
        )
        parser.add_argument("--once", action="store_true", help="run once, then exit")

    def handle(self, *, interval: int, once: bool, **options) -> None:
        if interval < 1:
            raise CommandError("--interval must be at least 1 second.")
        self.running = True
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        while self.running:
            claimed = claim_due_reminders()
            if claimed or options["verbosity"] > 1:
                # Counts only: which patient and what kind are nobody's business in a log.
                self.stdout.write(f"Enqueued {len(claimed)} reminder(s).")
            if once:
                return
            self._sleep(interval)
            # As after a request: a connection that went stale or broke while it slept.
            close_old_connections()

    def _stop(self, signum, frame) -> None:
        self.running = False

    def _sleep(self, seconds: int) -> None:
        # In short steps, so a stop signal ends the loop within a second.
        deadline = time.monotonic() + seconds
        while self.running and time.monotonic() < deadline:
            time.sleep(min(1.0, deadline - time.monotonic()))
