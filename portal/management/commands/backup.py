from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from portal import backups


class Command(BaseCommand):
    help = (
        "Write a consistent copy of the SQLite database (safe while the portal runs), "
        "with a SHA-256 checksum file beside it. PostgreSQL: use pg_dump (see README)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            default=settings.BASE_DIR / "backups",
            help="directory for the backup (default: backups/ in the project)",
        )

    def handle(self, *args, **options) -> None:
        try:
            database = backups.sqlite_database_path(connection.settings_dict, connection.vendor)
            path = backups.backup(database, options["output"])
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Backup written: {path}"))
        self.stdout.write(f"Checksum: {path.name}{backups.CHECKSUM_SUFFIX}")
