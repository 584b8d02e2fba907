"""Caregiver personas: dana helps alice; bob is another patient with his own diary."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.middleware import DIARY_OF
from portal.models import CaregiverGrant
from tests.conftest import make_patient


def make_grant(patient, caregiver, access=CaregiverGrant.Access.LOG, **fields):
    """An accepted grant (or a pending invitation when caregiver is None)."""
    grant = CaregiverGrant(
        patient=patient,
        caregiver=caregiver,
        email=caregiver.email if caregiver else "helper@example.org",
        patient_name=patient.first_name or "the patient",
        access=access,
        accepted_at=timezone.now() - timedelta(minutes=5) if caregiver else None,
        **fields,
    )
    token = grant.new_token()
    grant.save()
    grant.token = token
    return grant


def enter(client, grant) -> None:
    """The caregiver's session is in the grant's diary, as after the switch form."""
    session = client.session
    session[DIARY_OF] = grant.pk
    session.save()


@pytest.fixture
def dana(db):
    return make_patient("dana", "dana-password-123", first_name="Dana", last_name="Doe")


@pytest.fixture
def dana_client(client, dana):
    client.force_login(dana)
    return client


@pytest.fixture
def logs_for_alice(alice, dana):
    return make_grant(alice, dana, CaregiverGrant.Access.LOG)


@pytest.fixture
def views_for_alice(alice, dana):
    return make_grant(alice, dana, CaregiverGrant.Access.VIEW)
