from datetime import timedelta

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from portal.models import AuditEvent, DeniedAccessCount

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(db):
    return AuditEvent.objects.create(action="auth.sign_in", actor_id=7, ip_address="127.0.0.1")


def test_a_saved_row_cannot_be_changed_or_deleted_through_the_model(event):
    event.action = "something_else"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


def test_bulk_updates_and_deletes_are_refused(event):
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "auth.sign_in"


def test_the_database_refuses_an_update(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE portal_auditevent SET action = 'x' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "auth.sign_in"


def test_postgresql_refuses_a_delete(event, database_vendor):
    if database_vendor != "postgresql":
        pytest.skip("SQLite refuses deletes in the model only (see migration 0002)")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM portal_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_rows_carry_the_request_id_the_response_names(client, alice):
    response = client.post(
        "/accounts/login/", {"login": "alice@example.org", "password": "alice-password-123"}
    )
    row = AuditEvent.objects.get(action="auth.sign_in")
    assert row.request_id == response["X-Request-ID"]
    assert row.occurred_at.utcoffset().total_seconds() == 0


def test_test_helpers_that_sign_in_write_no_audit_rows(client, alice):
    # Other tests count audit rows; force_login() is not a person signing in.
    client.force_login(alice)
    client.logout()
    assert not AuditEvent.objects.exists()


def test_a_scan_of_other_records_is_counted_without_flooding_the_trail(alice_client, alice):
    # Issue 18: one scanning account wrote thousands of denied rows in an hour.
    with time_machine.travel(timezone.now().replace(minute=1), tick=False):
        for pk in range(1, 1001):
            assert alice_client.get(f"/diary/entries/{pk}/").status_code == 404
    rows = AuditEvent.objects.filter(actor_id=alice.pk, outcome=AuditEvent.Outcome.DENIED)
    assert rows.count() <= 25
    # The first denials are in full; then one row points to where the rest are counted.
    in_full = rows.filter(action="diary.entry_detail")
    assert in_full.count() == DeniedAccessCount.ROWS_IN_FULL
    assert set(in_full.values_list("record_id", flat=True)) == {str(pk) for pk in range(1, 21)}
    counter = DeniedAccessCount.objects.get(actor_id=alice.pk)
    assert counter.count == 1000
    pointer = rows.get(action="audit.denials_counted")
    assert (pointer.record_type, pointer.record_id) == ("portal.deniedaccesscount", str(counter.pk))


def test_denials_are_kept_in_full_again_the_next_hour(alice_client, alice):
    start = timezone.now().replace(minute=1)
    for at in (start, start + timedelta(hours=1)):
        with time_machine.travel(at, tick=False):
            alice_client.force_login(alice)  # an hour on, the first session has timed out
            for pk in range(1, 31):
                assert alice_client.get(f"/diary/entries/{pk}/").status_code == 404
    rows = AuditEvent.objects.filter(actor_id=alice.pk, action="diary.entry_detail")
    assert rows.count() == 2 * DeniedAccessCount.ROWS_IN_FULL
    assert list(DeniedAccessCount.objects.values_list("count", flat=True)) == [30, 30]
