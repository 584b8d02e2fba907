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
