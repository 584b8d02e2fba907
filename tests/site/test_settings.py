import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-key-for-the-deploy-check-0123456789",
    "DJANGO_ALLOWED_HOSTS": "portal.example.org",
    "DJANGO_SMTP_HOST": "smtp.example.org",
}


def run_python(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Python in a fresh process whose environment has no DJANGO_ variable but env's."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return run_python("manage.py", *args, env=env)


def test_production_settings_pass_the_deploy_check():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION_ENV}
    del env["DJANGO_SECRET_KEY"]
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    env = {**PRODUCTION_ENV}
    del env["DJANGO_ALLOWED_HOSTS"]
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must be set" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DJANGO_DEBUG", "maybe", "DJANGO_DEBUG must be true or false"),
        ("DJANGO_CONN_MAX_AGE", "ten", "DJANGO_CONN_MAX_AGE must be a whole number"),
        ("DATABASE_URL", "nosuchdb://x", "DATABASE_URL is not a usable database URL"),
        ("DJANGO_SMTP_PORT", "submission", "DJANGO_SMTP_PORT must be a whole number"),
        # A count or a duration below its floor would break requests, not only settings.
        ("DJANGO_PROXY_COUNT", "-1", "DJANGO_PROXY_COUNT must be at least 0"),
        ("DJANGO_HSTS_SECONDS", "-5", "DJANGO_HSTS_SECONDS must be at least 0"),
        ("PORTAL_IDLE_TIMEOUT_MINUTES", "0", "PORTAL_IDLE_TIMEOUT_MINUTES must be at least 1"),
        ("PORTAL_SIGNIN_FAILURE_LIMIT", "0", "PORTAL_SIGNIN_FAILURE_LIMIT must be at least 1"),
        ("DJANGO_SMTP_STARTTLS", "perhaps", "DJANGO_SMTP_STARTTLS must be true or false"),
        ("DJANGO_ADMIN_PATH", "admin", "DJANGO_ADMIN_PATH must be set to a path other than"),
    ],
)
def test_bad_environment_values_fail_loudly(name, value, message):
    result = run_manage("check", env={**PRODUCTION_ENV, name: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_production_needs_a_mail_relay_to_pass_the_deploy_check():
    env = {**PRODUCTION_ENV}
    del env["DJANGO_SMTP_HOST"]
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "portal.E001" in result.stderr + result.stdout


def test_production_sends_mail_over_smtp_with_starttls():
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps(s.MAILERS))"
    )
    result = run_python("-c", script, env={**PRODUCTION_ENV, "DJANGO_SMTP_USERNAME": "portal"})
    assert result.returncode == 0, result.stderr
    mailer = json.loads(result.stdout)["default"]
    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert mailer["OPTIONS"]["host"] == "smtp.example.org"
    assert mailer["OPTIONS"]["port"] == 587
    assert mailer["OPTIONS"]["use_tls"] is True
    assert mailer["OPTIONS"]["username"] == "portal"


def test_the_admin_path_comes_from_the_environment():
    script = (
        "import django; django.setup(); from django.urls import reverse; "
        "print(reverse('admin:index'))"
    )
    result = run_python(
        "-c", script, env={**PRODUCTION_ENV, "DJANGO_ADMIN_PATH": "clinic-staff-7f3k"}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "/clinic-staff-7f3k/"
