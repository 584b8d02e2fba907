"""The settings the reminders need, read from the environment and refused when wrong:
the worker's task backend, the address in the emails' links, the development mail folder."""

import json

import pytest

from tests.site.test_settings import PRODUCTION_ENV, run_python

SHOW = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'base': s.PORTAL_BASE_URL, 'tasks': s.TASKS['default']['BACKEND'], "
    "'mail': s.MAILERS['default']['BACKEND'], "
    "'folder': s.MAILERS['default'].get('OPTIONS', {}).get('file_path')}))"
)


def shown(env: dict) -> dict:
    result = run_python("-c", SHOW, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_links_go_to_the_first_allowed_host_over_https_by_default():
    values = shown(PRODUCTION_ENV)
    assert values["base"] == "https://portal.example.org"
    assert values["tasks"] == "django_tasks_db.DatabaseBackend"
    assert values["mail"] == "django.core.mail.backends.smtp.EmailBackend"


def test_a_given_base_url_is_used_without_its_trailing_slash():
    env = {**PRODUCTION_ENV, "PORTAL_BASE_URL": "https://care.example.org:8443/"}
    assert shown(env)["base"] == "https://care.example.org:8443"


def test_development_writes_mail_to_the_folder_it_is_given(tmp_path):
    values = shown({"DJANGO_DEBUG": "true", "DJANGO_EMAIL_FILE_PATH": str(tmp_path)})
    assert values["mail"] == "django.core.mail.backends.filebased.EmailBackend"
    assert values["folder"] == str(tmp_path)
    assert values["base"] == "http://127.0.0.1:8000"
    assert shown({"DJANGO_DEBUG": "true"})["mail"].endswith("console.EmailBackend")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PORTAL_BASE_URL": "ftp://portal.example.org"}, "PORTAL_BASE_URL must be a scheme"),
        ({"PORTAL_BASE_URL": "https://portal.example.org/app"}, "PORTAL_BASE_URL must be"),
        ({"PORTAL_BASE_URL": "portal.example.org"}, "PORTAL_BASE_URL must be a scheme"),
        ({"PORTAL_BASE_URL": "http://portal.example.org"}, "must use https in production"),
        ({"DJANGO_ALLOWED_HOSTS": ".example.org"}, "PORTAL_BASE_URL must be set"),
        ({"DJANGO_EMAIL_FILE_PATH": "mail-folder"}, "DJANGO_EMAIL_FILE_PATH is for development"),
    ],
)
def test_a_bad_value_stops_the_process_with_a_clear_error(env, message):
    result = run_python("-c", SHOW, env={**PRODUCTION_ENV, **env})
    assert result.returncode != 0
    assert message in result.stderr
