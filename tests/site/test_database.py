import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_it_runs_on_the_database_the_environment_names(request):
    wants_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql"))
    if wants_postgres:
        assert connection.vendor == "postgresql"
    else:
        assert connection.vendor == "sqlite"


@pytest.mark.django_db
def test_sqlite_uses_immediate_transactions_and_a_busy_timeout():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-specific settings")
    assert connection.transaction_mode == "IMMEDIATE"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 20000


def test_strict_runs_have_postgresql_when_asked(request):
    """Under --strict-requirements a PostgreSQL leg must really be PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    if request.config.getoption("--strict-requirements") and url:
        assert url.startswith(("postgres://", "postgresql://"))
