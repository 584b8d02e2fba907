"""backup and restore, run as the operator would: `manage.py` against a SQLite file.

The writer is a thread with its own sqlite3 connection, like a second portal process.
"""

import hashlib
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.conftest import ROOT


def manage(*args: str, database: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DJANGO_DEBUG="true", SQLITE_PATH=str(database))
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def migrated_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    result = manage("migrate", "--noinput", "-v", "0", database=path)
    assert result.returncode == 0, result.stderr
    db = sqlite3.connect(path, isolation_level=None)
    db.execute(
        "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name,"
        " email, is_staff, is_active, date_joined)"
        " VALUES ('!', 0, 'writer', '', '', '', 0, 1, '2026-01-01 00:00:00')"
    )
    # Everything into the main file, so a plain file copy is the whole database.
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


@pytest.fixture
def database(migrated_template, tmp_path) -> Path:
    path = tmp_path / "live" / "db.sqlite3"
    path.parent.mkdir()
    shutil.copy(migrated_template, path)
    return path


def connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=20, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    return db


def add_entries(db: sqlite3.Connection, count: int, start: int = 0) -> list[str]:
    """Commit `count` entries (one transaction) and return their submission ids."""
    ids = [uuid.uuid4().hex for _ in range(count)]
    db.execute("BEGIN IMMEDIATE")
    db.executemany(
        "INSERT INTO portal_diaryentry (patient_id, symptom_id, own_words, severity,"
        " occurred_at, note, submission_id, created_at, updated_at)"
        " VALUES ((SELECT id FROM auth_user WHERE username='writer'), NULL, ?, ?,"
        " '2026-01-01 10:00:00', '', ?, '2026-01-01 10:00:00', '2026-01-01 10:00:00')",
        [(f"entry {start + n}", (start + n) % 5, sid) for n, sid in enumerate(ids)],
    )
    db.execute("COMMIT")
    return ids


def submission_ids(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT submission_id FROM portal_diaryentry")]


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as db:
        return db.execute("PRAGMA integrity_check").fetchone()[0]


def take_backup(database: Path, output: Path) -> Path:
    result = manage("backup", "--output", str(output), database=database)
    assert result.returncode == 0, result.stderr
    (written,) = output.glob("portal-*.sqlite3")
    return written


def test_a_backup_has_a_checksum_that_sha256sum_accepts(database, tmp_path):
    add_entries(connect(database), 10)
    written = take_backup(database, tmp_path / "backups")
    checksum = written.with_name(written.name + ".sha256")
    assert checksum.read_text().endswith(f"  {written.name}\n")
    assert not list(written.parent.glob(".*partial*"))
    if shutil.which("sha256sum"):
        check = subprocess.run(
            ["sha256sum", "-c", checksum.name], cwd=written.parent, capture_output=True
        )
        assert check.returncode == 0
    assert integrity(written) == "ok"


def test_only_the_portals_account_can_read_a_backup(database, tmp_path):
    old = os.umask(0o022)  # a typical server's umask, which would leave files world-readable
    try:
        written = take_backup(database, tmp_path / "backups")
    finally:
        os.umask(old)
    checksum = written.with_name(written.name + ".sha256")
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert stat.S_IMODE(checksum.stat().st_mode) == 0o600
    assert stat.S_IMODE(written.parent.stat().st_mode) == 0o700


def test_round_trip_brings_back_exactly_what_was_backed_up(database, tmp_path):
    db = connect(database)
    before = add_entries(db, 50)
    written = take_backup(database, tmp_path / "backups")
    add_entries(db, 20, start=50)
    db.execute("DELETE FROM portal_diaryentry WHERE own_words = 'entry 0'")
    db.close()
    changed = sorted(submission_ids(database))

    result = manage("restore", "--noinput", str(written), database=database)

    assert result.returncode == 0, result.stderr
    assert sorted(submission_ids(database)) == sorted(before)
    assert integrity(database) == "ok"
    # The database as it was just before the restore is kept, and is itself verified.
    (safety,) = written.parent.glob("pre-restore-*.sqlite3")
    assert sorted(submission_ids(safety)) == changed
    assert "The database as it was is kept in" in result.stdout


def test_a_backup_taken_during_writes_has_every_entry_committed_before_it(database, tmp_path):
    seed = connect(database)
    seeded = set(add_entries(seed, 20000))  # enough pages that the copy takes a moment
    seed.close()
    committed: list[str] = []
    stop = threading.Event()
    failures: list[BaseException] = []

    def writer() -> None:
        db = connect(database)
        try:
            n = 0
            while not stop.is_set():
                committed.extend(add_entries(db, 1, start=n))
                n += 1
        except BaseException as exc:  # reported by the test, not lost in the thread
            failures.append(exc)
        finally:
            db.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(committed) < 200:
            time.sleep(0.01)
        before_backup = set(committed)
        written = take_backup(database, tmp_path / "backups")
        during_backup = len(committed)
        time.sleep(0.2)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not failures, failures
    all_committed = set(committed)
    assert during_backup > len(before_backup), "the writer must have run while backing up"

    result = manage("restore", "--noinput", str(written), database=database)

    assert result.returncode == 0, result.stderr
    restored = submission_ids(database)
    assert len(restored) == len(set(restored))
    restored_set = set(restored)
    assert seeded <= restored_set
    assert before_backup <= restored_set
    assert restored_set <= seeded | all_committed  # nothing half-written or invented
    assert all_committed - restored_set  # writes after the snapshot are, rightly, not in it
    assert integrity(database) == "ok"


def test_a_damaged_backup_is_refused_and_the_database_left_alone(database, tmp_path):
    add_entries(connect(database), 30)
    written = take_backup(database, tmp_path / "backups")
    data = bytearray(written.read_bytes())
    data[len(data) // 2] ^= 0xFF
    written.write_bytes(bytes(data))
    before = sorted(submission_ids(database))

    result = manage("restore", "--noinput", str(written), database=database)

    assert result.returncode != 0
    assert "Checksum mismatch" in result.stderr
    assert "Refusing to restore it" in result.stderr
    assert sorted(submission_ids(database)) == before
    assert not list(written.parent.glob("pre-restore-*"))


def test_a_backup_that_fails_the_integrity_check_is_refused(database, tmp_path):
    add_entries(connect(database), 3000)
    written = take_backup(database, tmp_path / "backups")
    data = written.read_bytes()
    written.write_bytes(data[: len(data) // 2])  # a truncated file, checksum made to match
    checksum = written.with_name(written.name + ".sha256")
    checksum.write_text(f"{hashlib.sha256(data[: len(data) // 2]).hexdigest()}  {written.name}\n")

    result = manage("restore", "--noinput", str(written), database=database)

    assert result.returncode != 0
    assert "fails PRAGMA integrity_check" in result.stderr
    assert len(submission_ids(database)) == 3000


def test_a_backup_without_its_checksum_file_is_refused(database, tmp_path):
    written = take_backup(database, tmp_path / "backups")
    written.with_name(written.name + ".sha256").unlink()

    result = manage("restore", "--noinput", str(written), database=database)

    assert result.returncode != 0
    assert ".sha256 is missing" in result.stderr


@pytest.mark.django_db
def test_backup_refuses_postgresql_and_points_to_pg_dump(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL")
    with pytest.raises(CommandError, match="pg_dump"):
        call_command("backup", "--output", str(tmp_path))
    assert not list(tmp_path.iterdir())


@pytest.mark.django_db
def test_backup_refuses_an_in_memory_database(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite test database is the in-memory one")
    with pytest.raises(CommandError, match="in memory"):
        call_command("backup", "--output", str(tmp_path))
