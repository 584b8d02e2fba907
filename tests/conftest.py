import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--strict-requirements",
        action="store_true",
        help="Fail, rather than skip, when Chromium is missing or DATABASE_URL is not PostgreSQL.",
    )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def article(db):
    call_command("loaddata", "fixtures/articles.json", verbosity=0)
    from education.models import Article

    return Article.objects.get(slug="metastatic-breast-cancer")


@pytest.fixture
def alice(db):
    return get_user_model().objects.create_user(
        "alice", password="alice-password-123", first_name="Alice", last_name="Archer"
    )


@pytest.fixture
def bob(db):
    return get_user_model().objects.create_user(
        "bob", password="bob-password-1234", first_name="Bob", last_name="Baker"
    )


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
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
