from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, connections

from portal import backups


class Command(BaseCommand):
    help = (
        "Replace the SQLite database with a backup, after checking its checksum and "
        "PRAGMA integrity_check. Stop the portal first. A safety copy of the current "
        "database is written beside the backup."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a .sqlite3 file written by `backup`")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="do not ask for confirmation",
        )
        parser.add_argument(
            "--safety-dir",
            type=Path,
            default=None,
            help="where to keep the copy of the current database (default: beside FILE)",
        )

    def handle(self, *args, **options) -> None:
        backup_file: Path = options["file"]
        try:
            database = backups.sqlite_database_path(connection.settings_dict, connection.vendor)
            backups.verify(backup_file)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{backup_file.name}: checksum and integrity check ok.")
        if options["interactive"]:
            answer = input(
                f"Replace everything in {database} with {backup_file.name}? "
                "Stop the portal first. Type 'yes' to continue: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled; nothing was changed.")
        connections.close_all()
        try:
            safety = backups.restore(
                backup_file, database, safety_dir=options["safety_dir"] or backup_file.parent
            )
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from None
        if safety:
            self.stdout.write(f"The database as it was is kept in {safety}")
        self.stdout.write(self.style.SUCCESS(f"Restored {database} from {backup_file.name}."))
