from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from education.models import BodySite, Symptom
from portal.models import Appointment, DiaryEntry, Question

SMALL = ["--patients", "3", "--years", "1", "--entries", "10", "--end", "2026-06-30"]


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True


def make(*args: str) -> str:
    out = StringIO()
    call_command("make_demo_data", *SMALL, *args, stdout=out)
    return out.getvalue()


def snapshot() -> list[tuple]:
    return list(
        DiaryEntry.objects.order_by(
            "patient__username", "occurred_at", "submission_id"
        ).values_list(
            "patient__username",
            "symptom__name",
            "own_words",
            "severity",
            "occurred_at",
            "note",
            "submission_id",
        )
    )


@pytest.mark.django_db
def test_it_makes_a_heavy_patient_and_ordinary_ones(debug_on):
    output = make("--seed", "1")
    User = get_user_model()
    heavy = User.objects.get(username="heavy")
    assert sorted(User.objects.values_list("username", flat=True)) == [
        "heavy",
        "patient0001",
        "patient0002",
        "patient0003",
    ]
    # Three a day for 365 days, all inside the period.
    assert DiaryEntry.objects.filter(patient=heavy).count() == 3 * 365
    days = DiaryEntry.objects.filter(patient=heavy).dates("occurred_at", "day")
    assert len(days) == 365
    assert str(days[0]) == "2025-07-01"
    assert str(days.last()) == "2026-06-30"
    for number in (1, 2, 3):
        count = DiaryEntry.objects.filter(patient__username=f"patient000{number}").count()
        assert 5 <= count <= 15
    assert Appointment.objects.filter(patient=heavy).count() == 20
    assert Question.objects.filter(patient=heavy).exists()
    assert "username 'heavy', password 'demo-data-password-2026'" in output


@pytest.mark.django_db
def test_every_demo_patient_can_sign_in_with_the_printed_password(debug_on, client):
    make("--password", "a-long-demo-password")
    User = get_user_model()
    hashes = set(User.objects.values_list("password", flat=True))
    assert len(hashes) == 1  # hashed once, shared
    # Sign-in is by a confirmed email address (allauth).
    assert EmailAddress.objects.filter(email="patient0002@example.org", verified=True).exists()
    assert client.login(email="patient0002@example.org", password="a-long-demo-password")
    assert not client.login(email="patient0002@example.org", password="wrong")


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_rows(debug_on):
    make("--seed", "5")
    first = snapshot()
    make("--seed", "5", "--force")
    assert snapshot() == first
    make("--seed", "6", "--force")
    assert snapshot() != first


@pytest.mark.django_db
def test_it_refuses_to_add_to_existing_demo_data_without_force(debug_on):
    make()
    count = DiaryEntry.objects.count()
    with pytest.raises(CommandError, match=r"already exists.*--force"):
        make()
    assert DiaryEntry.objects.count() == count


@pytest.mark.django_db
def test_force_replaces_only_demo_users(debug_on, alice):
    make()
    first = (get_user_model().objects.count(), DiaryEntry.objects.count())
    make("--force")
    assert get_user_model().objects.filter(username="alice").exists()
    # The same seed again: the demo users and their entries replaced, not added to.
    assert (get_user_model().objects.count(), DiaryEntry.objects.count()) == first


@pytest.mark.django_db
def test_it_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        make()
    assert not DiaryEntry.objects.exists()


@pytest.mark.django_db
def test_on_a_bare_database_it_creates_a_few_symptoms(debug_on, article):
    make()
    assert Symptom.objects.count() == 5
    bone = Symptom.objects.get(name="Bone pain")
    assert bone.main_section.slug == "symptoms-of-bone-metastases"
    assert DiaryEntry.objects.filter(symptom__isnull=False).exists()
    assert DiaryEntry.objects.filter(symptom__isnull=True).exclude(own_words="").exists()


@pytest.mark.django_db
def test_it_uses_the_symptoms_that_exist(debug_on):
    existing = Symptom.objects.create(name="Hiccups", slug="hiccups", body_site=BodySite.GENERAL)
    make()
    assert list(Symptom.objects.all()) == [existing]
    assert set(DiaryEntry.objects.exclude(symptom=None).values_list("symptom", flat=True)) == {
        existing.pk
    }
