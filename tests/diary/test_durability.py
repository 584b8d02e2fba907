"""The load and crash scripts in bench/, run short: gunicorn on 127.0.0.1, a scratch
database, the diary's real create endpoint (POST /diary/entries/new/).

The SQLite runs belong to the SQLite leg of `make test`, the PostgreSQL runs to the leg
with DATABASE_URL=postgres://… (CI always has that leg: `make test STRICT=1` fails without
DATABASE_URL, so there the PostgreSQL tests run rather than skip).
"""

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

WRITE_URL = "/diary/entries/new/"


def postgres_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else ""


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request) -> list[str]:
    if request.param == "postgresql":
        if not postgres_url():
            pytest.skip("set DATABASE_URL=postgres://… to run the PostgreSQL durability tests")
        return ["--db", "postgresql", "--database-url", postgres_url()]
    if postgres_url():
        pytest.skip("the SQLite durability tests run in the SQLite leg (no DATABASE_URL)")
    return ["--db", "sqlite"]


def run(script: str, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, f"bench/{script}", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result


def test_concurrent_writers_lose_nothing_and_see_no_errors(database):
    result = run("load_test.py", *database, "--duration", "10", "--patients", "4")
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert '"passed": true' in result.stdout


def test_killing_the_server_mid_write_loses_and_doubles_nothing(database):
    result = run("crash_test.py", *database, "--kills", "3", "--patients", "2")
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert '"passed": true' in result.stdout


def test_two_servers_on_one_postgresql_share_sessions_throttling_and_rows():
    """bench/load_test.py --servers 2 checks it all itself and exits 1 otherwise: a session
    signed in on one server is signed in on the other, failed sign-ins alternated between
    them pause the account at the configured limit as on one server, no 5xx, and rows
    equal acknowledged writes over both."""
    if not postgres_url():
        pytest.skip("set DATABASE_URL=postgres://… to run the two-server test (PostgreSQL)")
    result = run(
        "load_test.py",
        *("--db", "postgresql", "--database-url", postgres_url()),
        *("--servers", "2", "--duration", "10", "--patients", "4", "--workers", "2"),
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert '"passed": true' in result.stdout
    assert '"servers": 2' in result.stdout


def test_two_servers_on_one_sqlite_file_are_refused_with_a_reason():
    result = run("load_test.py", "--db", "sqlite", "--servers", "2", "--duration", "1")
    assert result.returncode == 2
    assert "needs PostgreSQL" in result.stderr
