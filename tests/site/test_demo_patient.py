import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command


@pytest.mark.django_db
def test_demo_patient_is_created_in_debug(settings, capsys):
    settings.DEBUG = True
    call_command("create_demo_patient")
    user = get_user_model().objects.get(username="demo")
    assert user.check_password("demo-patient-2026")
    assert "email 'demo@example.org'" in capsys.readouterr().out


@pytest.mark.django_db
def test_demo_patient_is_refused_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("create_demo_patient")
    assert not get_user_model().objects.filter(username="demo").exists()
