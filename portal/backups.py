"""Consistent copies of the SQLite database, and bringing one back.

A backup is taken with ``VACUUM INTO``: one read transaction, so it is a snapshot of
every transaction committed before it started, and in WAL mode it does not block the
portal's writers. The copy is written under a temporary name, checked, fsynced and only
then renamed, so a file with the final name is always complete. Beside it sits
``<name>.sha256`` in ``sha256sum`` format (``sha256sum -c`` checks it too).

A restore checks the checksum and ``PRAGMA integrity_check`` first, keeps a safety copy
of the current database, then writes the backup into the live database with SQLite's
online backup API: one transaction, so the live file (and its WAL) is never half-replaced.

PostgreSQL is backed up with pg_dump; see the README.
"""

import hashlib
import os
import secrets
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

CHECKSUM_SUFFIX = ".sha256"
BUSY_TIMEOUT_SECONDS = 20


class BackupError(Exception):
    """A backup or restore that must not go ahead; the message says why."""


def sqlite_database_path(settings_dict: dict, vendor: str) -> Path:
    if vendor == "postgresql":
        raise BackupError(
            "This portal runs on PostgreSQL: back it up with pg_dump and restore with "
            "pg_restore (see the README, 'Backups'). This command copies SQLite only."
        )
    if vendor != "sqlite":
        raise BackupError(f"Backups of {vendor} databases are not supported.")
    name = str(settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file::memory:") or "mode=memory" in name:
        raise BackupError("The database is in memory; there is no file to back up.")
    return Path(name)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync_file(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def integrity_problems(path: Path) -> list[str]:
    """PRAGMA integrity_check's complaints about a database file; [] means it is sound."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = connection.execute("PRAGMA integrity_check").fetchall()
            tables = {
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    problems = [row[0] for row in rows if row[0] != "ok"]
    if not problems and "django_migrations" not in tables:
        problems.append("it is an SQLite file but not a portal database (no django_migrations)")
    return problems


def backup(database: Path, output_dir: Path, *, label: str = "portal") -> Path:
    """Write a consistent, checksummed copy of ``database`` into ``output_dir``."""
    if not database.exists():
        raise BackupError(f"There is no database file at {database}.")
    # Health data: only the account running the portal may read the copies.
    output_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    final = output_dir / f"{label}-{stamp}.sqlite3"
    partial = output_dir / f".{final.name}.{secrets.token_hex(4)}.partial"
    try:
        source = sqlite3.connect(database, timeout=BUSY_TIMEOUT_SECONDS)
        try:
            source.execute("VACUUM INTO ?", (str(partial),))
        finally:
            source.close()
        copy = sqlite3.connect(partial)
        try:
            # A self-contained file: no -wal beside it when it is opened later.
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
        problems = integrity_problems(partial)
        if problems:
            raise BackupError(f"The new copy failed its integrity check: {problems[:3]}")
        partial.chmod(0o600)
        _fsync_file(partial)
        checksum = sha256_of(partial)
        checksum_partial = partial.with_name(partial.name + CHECKSUM_SUFFIX)
        checksum_partial.write_text(f"{checksum}  {final.name}\n")
        checksum_partial.chmod(0o600)
        _fsync_file(checksum_partial)
        # The data file first: a backup without its checksum is refused, never trusted.
        partial.rename(final)
        checksum_partial.rename(final.with_name(final.name + CHECKSUM_SUFFIX))
        _fsync_directory(output_dir)
    finally:
        partial.unlink(missing_ok=True)
        partial.with_name(partial.name + CHECKSUM_SUFFIX).unlink(missing_ok=True)
    return final


def verify(backup_file: Path) -> None:
    """Raise BackupError unless the file matches its checksum and is a sound database."""
    if not backup_file.is_file():
        raise BackupError(f"There is no backup file at {backup_file}.")
    checksum_file = backup_file.with_name(backup_file.name + CHECKSUM_SUFFIX)
    if not checksum_file.is_file():
        raise BackupError(
            f"{checksum_file.name} is missing, so {backup_file.name} cannot be verified. "
            "Refusing to restore it."
        )
    words = checksum_file.read_text().split()
    expected = words[0].lower() if words else ""
    actual = sha256_of(backup_file)
    if actual != expected:
        raise BackupError(
            f"Checksum mismatch: {backup_file.name} has SHA-256 {actual}, but "
            f"{checksum_file.name} says {expected or '(nothing)'}. The file is damaged or was "
            "changed after the backup. Refusing to restore it."
        )
    problems = integrity_problems(backup_file)
    if problems:
        raise BackupError(
            f"{backup_file.name} matches its checksum but fails PRAGMA integrity_check "
            f"({'; '.join(problems[:3])}). Refusing to restore it."
        )


def restore(backup_file: Path, database: Path, *, safety_dir: Path | None) -> Path | None:
    """Replace the contents of ``database`` with a verified backup.

    Returns the safety copy of the database as it was (None if there was no database or
    no safety_dir). Stop the server first: writes made after the backup are lost, and a
    write racing the restore waits for the busy timeout rather than interleaving.
    """
    verify(backup_file)
    safety_copy = None
    if safety_dir is not None and database.exists():
        safety_copy = backup(database, safety_dir, label="pre-restore")
    source = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    target = sqlite3.connect(database, timeout=BUSY_TIMEOUT_SECONDS)
    try:
        source.backup(target)  # all pages in one step: one write transaction on the target
    finally:
        target.close()
        source.close()
    problems = integrity_problems(database)
    if problems:
        raise BackupError(f"The restored database fails its integrity check: {problems[:3]}")
    return safety_copy
