"""Personas (alice, and bob whose data must never reach her), builders and helpers shared
by every test."""

from datetime import date, datetime, time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

# The repository's top level: manage.py, bench/, fixtures/.
ROOT = Path(__file__).resolve().parent.parent
# The header htmx sends with every request it makes: client.get(url, headers=HX).
HX = {"HX-Request": "true"}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--strict-requirements",
        action="store_true",
        help="Fail, rather than skip, when Chromium is missing or DATABASE_URL is not PostgreSQL.",
    )


@pytest.fixture(autouse=True)
def _fresh_symptom_vocabulary():
    # The vocabulary is trusted for a few seconds; a test's rolled-back symptoms must not
    # leak into the next test through it.
    from education import matching

    matching.clear_cache()
    yield
    matching.clear_cache()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def article(db):
    call_command("loaddata", "fixtures/articles.json", verbosity=0)
    from education.models import Article

    return Article.objects.get(slug="metastatic-breast-cancer")


def make_patient(username: str, password: str, **names) -> object:
    """A patient who can sign in with email and password (a confirmed address)."""
    from allauth.account.models import EmailAddress

    email = f"{username}@example.org"
    user = get_user_model().objects.create_user(username, email=email, password=password, **names)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


def pass_second_factor(client, user) -> None:
    """Signs `user` in on `client` as if they had entered an authenticator code: what the
    staff admin requires (portal/admin_site.py). Gives the user a TOTP authenticator."""
    import time

    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
    from allauth.account.internal.flows.login import _AUTHENTICATION_METHODS_USER_SESSION_KEY
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "mfa", "at": time.time(), "type": "totp"}
    ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()


@pytest.fixture
def alice(db):
    return make_patient("alice", "alice-password-123", first_name="Alice", last_name="Archer")


@pytest.fixture
def bob(db):
    return make_patient("bob", "bob-password-1234", first_name="Bob", last_name="Baker")


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def staff_client(client, django_user_model):
    """A member of staff in the staff admin, past its second step."""
    staff = django_user_model.objects.create_superuser("nurse", password="nurse-password-123")
    pass_second_factor(client, staff)
    return client


@pytest.fixture(scope="session")
def database_vendor(django_db_setup, django_db_blocker) -> str:
    with django_db_blocker.unblock():
        return connection.vendor


@pytest.fixture
def symptoms(article):
    """The symptom vocabulary, linked to the article's sections."""
    call_command("loaddata", "fixtures/symptoms.json", verbosity=0)
    from education.models import Symptom

    return {symptom.slug: symptom for symptom in Symptom.objects.all()}


# Builders (plain ORM) ----------------------------------------------------------------------


def local(day: date, hour: int = 12, minute: int = 0) -> datetime:
    """That day and time in the current time zone."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def symptom(name: str, body_site: str = "general", sections=(), **fields):
    from education.models import Symptom, SymptomSection

    slug = name.lower().replace(" ", "-")
    created = Symptom.objects.create(name=name, slug=slug, body_site=body_site, **fields)
    for order, section in enumerate(sections):
        SymptomSection.objects.create(symptom=created, section=section, order=order)
    return created


def entry(patient, what, severity: int, when: datetime, note: str = ""):
    """`what` is a Symptom, or a string for the patient's own words."""
    from education.models import Symptom
    from portal.models import DiaryEntry

    about = {"symptom": what} if isinstance(what, Symptom) else {"own_words": what}
    return DiaryEntry.objects.create(
        patient=patient, severity=severity, occurred_at=when, note=note, **about
    )


VOCABULARY = ("fixtures/articles.json", "fixtures/symptoms.json", "fixtures/red_flags.json")


def load_vocabulary(*extra: str) -> None:
    """The article, the symptom vocabulary and the red-flag rules, and any `extra` fixtures
    ("fixtures/check_in.json")."""
    call_command("loaddata", *VOCABULARY, *extra, verbosity=0)


def example_clinic(**fields):
    """The clinic's numbers as tests use them: fictional 01632 960xxx ones (Ofcom's range for
    drama) and the real emergency number."""
    from portal.models import ClinicContacts

    defaults = {
        "clinic_name": "Example Cancer Centre",
        "acute_oncology_line": "01632 960 001",
        "breast_care_nurse_line": "01632 960 002",
        "breast_care_nurse_hours": "Monday to Friday, 9am to 5pm",
        "emergency_number": "999",
    }
    return ClinicContacts.objects.create(**{**defaults, **fields})


def sick_twice_rule(vomiting):
    """A red-flag rule as the export and query tests need one: being sick 2 or more times in
    24 hours (the seed rule's shape, with a test source)."""
    from education.models import RedFlagRule

    return RedFlagRule.objects.create(
        name="Being sick 2 or more times in 24 hours",
        symptom=vomiting,
        condition="times",
        threshold=2,
        level="contact",
        patient_wording="Call now.",
        source_document="A triage tool",
        source_version="v1",
    )
