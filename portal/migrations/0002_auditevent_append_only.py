"""The database itself refuses to change audit rows, whatever code or admin tries.

PostgreSQL: row triggers refuse UPDATE and DELETE. (TRUNCATE, which the test runner uses
to empty tables, stays with the database owner: grant the application role only SELECT and
INSERT on portal_auditevent in production.)
SQLite: a trigger refuses UPDATE; DELETE is refused by the model and queryset only, because
the test runner empties SQLite tables with DELETE.
"""

from django.db import migrations

POSTGRESQL_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION portal_auditevent_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'portal_auditevent is append-only: % refused', TG_OP;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER portal_auditevent_no_update BEFORE UPDATE ON portal_auditevent
    FOR EACH ROW EXECUTE FUNCTION portal_auditevent_append_only();
    """,
    """
    CREATE TRIGGER portal_auditevent_no_delete BEFORE DELETE ON portal_auditevent
    FOR EACH ROW EXECUTE FUNCTION portal_auditevent_append_only();
    """,
]
POSTGRESQL_BACKWARD = [
    "DROP TRIGGER IF EXISTS portal_auditevent_no_delete ON portal_auditevent;",
    "DROP TRIGGER IF EXISTS portal_auditevent_no_update ON portal_auditevent;",
    "DROP FUNCTION IF EXISTS portal_auditevent_append_only();",
]
SQLITE_FORWARD = [
    """
    CREATE TRIGGER portal_auditevent_no_update BEFORE UPDATE ON portal_auditevent
    BEGIN
        SELECT RAISE(ABORT, 'portal_auditevent is append-only: UPDATE refused');
    END;
    """,
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS portal_auditevent_no_update;"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
