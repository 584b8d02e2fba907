"""Two care teams that both monitor: North (nurse Nora, patient alice) and South (nurse
Sam, patient bob). Nora must never see bob, nor Sam alice."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model

from education.models import Symptom
from portal.models import CareTeam, CareTeamPatient, DiaryEntry
from tests.conftest import load_vocabulary, pass_second_factor

# The test SMTP server and the task worker of the reminder emails' tests.
from tests.reminders.test_email import db_worker, smtp_server  # noqa: F401

LONDON = ZoneInfo("Europe/London")


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def make_clinician(username: str, team: CareTeam, **names):
    user = get_user_model().objects.create_user(
        username,
        email=f"{username}@clinic.example.org",
        password=f"{username}-password-123",
        **names,
    )
    team.members.add(user)
    return user


def log(patient, slug_or_words: str, when: datetime, **answers) -> DiaryEntry:
    """An entry as the diary saves it: its notice worked out first (which sets red_flag and
    rose), then saved (which raises the alert)."""
    symptom = Symptom.objects.filter(slug=slug_or_words).first()
    about = {"symptom": symptom} if symptom else {"own_words": slug_or_words}
    entry = DiaryEntry(patient=patient, occurred_at=when, **about, **answers)
    entry.record_notice()
    entry.save()
    return entry


@pytest.fixture
def vocabulary(db):
    load_vocabulary()


@pytest.fixture
def north(db):
    return CareTeam.objects.create(
        name="North breast unit", monitoring=True, inbox_email="north-inbox@clinic.example.org"
    )


@pytest.fixture
def south(db):
    return CareTeam.objects.create(
        name="South breast unit", monitoring=True, inbox_email="south-inbox@clinic.example.org"
    )


@pytest.fixture
def nora(north):
    return make_clinician("nora", north, first_name="Nora", last_name="Nurse")


@pytest.fixture
def sam(south):
    return make_clinician("sam", south, first_name="Sam", last_name="Sister")


@pytest.fixture
def alice_in_north(alice, north):
    CareTeamPatient.objects.create(team=north, patient=alice)
    return alice


@pytest.fixture
def bob_in_south(bob, south):
    CareTeamPatient.objects.create(team=south, patient=bob)
    return bob


@pytest.fixture
def nora_client(client, nora):
    pass_second_factor(client, nora)
    return client


@pytest.fixture
def sam_client(client, sam):
    pass_second_factor(client, sam)
    return client
