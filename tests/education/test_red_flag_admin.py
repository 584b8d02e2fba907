"""Red-flag rules in the staff admin: staff read and edit them, a clinician signs each off
(who, when), an edit clears it, a wrong threshold is an error on its field, and the admin's
index says what no clinician has signed off yet."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from education.models import RedFlagRule, Symptom
from tests.conftest import pass_second_factor

pytestmark = pytest.mark.django_db

LIST = "/staff-admin/education/redflagrule/"
SYMPTOMS = "/staff-admin/education/symptom/"
INDEX = "/staff-admin/"
CLINICIAN = ["view_redflagrule", "change_redflagrule", "add_redflagrule", "sign_off_red_flag"]


@pytest.fixture
def rules(symptoms) -> dict[str, RedFlagRule]:
    call_command("loaddata", "fixtures/red_flags.json", verbosity=0)
    return {rule.name: rule for rule in RedFlagRule.objects.all()}


def _staff(client, django_user_model, username: str, codenames: list[str]):
    staff = django_user_model.objects.create_user(
        username,
        password="staff-password-123",
        is_staff=True,
        first_name="Priya",
        last_name="Shah, clinical nurse specialist",
    )
    staff.user_permissions.set(
        Permission.objects.filter(content_type__app_label="education", codename__in=codenames)
    )
    pass_second_factor(client, staff)
    return staff


@pytest.fixture
def clinician(client, django_user_model):
    return _staff(client, django_user_model, "clinician", CLINICIAN)


def _sign(client, *rules):
    return client.post(
        LIST,
        {"action": "sign_off_rules", "_selected_action": [rule.pk for rule in rules]},
        follow=True,
    )


def _data(rule: RedFlagRule, **changes) -> dict:
    """The change form's fields as the page would post them, with `changes`."""
    data = {
        "name": rule.name,
        "symptom": rule.symptom_id or "",
        "condition": rule.condition,
        "threshold": "" if rule.threshold is None else str(rule.threshold),
        "companions": [symptom.pk for symptom in rule.companions.all()],
        "level": rule.level,
        "patient_wording": rule.patient_wording,
        "source_document": rule.source_document,
        "source_version": rule.source_version,
        "source_url": rule.source_url,
    }
    if rule.active:
        data["active"] = "on"
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def _change(client, rule: RedFlagRule, **changes):
    return client.post(f"{LIST}{rule.pk}/change/", _data(rule, **changes))


def test_staff_without_the_second_step_are_sent_to_take_it(client, django_user_model, rules):
    staff = django_user_model.objects.create_user("nurse", password="x-password-123", is_staff=True)
    client.force_login(staff)
    assert client.get(LIST).status_code == 302


def test_the_list_shows_each_rule_in_constant_queries(client, clinician, rules):
    with CaptureQueriesContext(connection) as all_rules:
        response = client.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    for name in rules:
        assert f">{name}</a>" in html.replace("&#x27;", "'")
    assert "Sign off the selected rules" in html
    RedFlagRule.objects.filter(pk__gt=3).delete()
    with CaptureQueriesContext(connection) as three_rules:
        client.get(LIST)
    assert len(all_rules) == len(three_rules)


def test_the_list_filters(client, clinician, rules):
    _sign(client, rules["Chest pain"])
    RedFlagRule.objects.filter(name="A seizure").update(active=False)
    unsigned = client.get(LIST, {"signed_off": "no"}).content.decode()
    signed = client.get(LIST, {"signed_off": "yes"}).content.decode()
    assert ">Chest pain</a>" in signed and ">Chest pain</a>" not in unsigned
    assert ">Struggling to breathe</a>" in unsigned and ">Struggling to breathe</a>" not in signed
    assert ">A seizure</a>" not in unsigned  # off: nothing to sign until it is on
    assert "Active and not signed off" in unsigned
    emergencies = client.get(LIST, {"level__exact": "emergency"}).content.decode()
    assert ">Chest pain</a>" in emergencies and ">Shivers or chills</a>" not in emergencies
    times = client.get(LIST, {"condition__exact": "times"}).content.decode()
    assert ">Being sick 2 or more times in 24 hours</a>" in times
    assert ">Chest pain</a>" not in times
    inactive = client.get(LIST, {"active__exact": "0"}).content.decode()
    assert ">A seizure</a>" in inactive and ">Chest pain</a>" not in inactive
    found = client.get(LIST, {"q": "spinal cord"}).content.decode()
    assert "Back or neck pain with weakness" in found and ">Chest pain</a>" not in found


def test_each_rule_s_page_shows_its_source_and_wording(client, clinician, rules):
    for rule in rules.values():
        response = client.get(f"{LIST}{rule.pk}/change/")
        assert response.status_code == 200, rule.name
        form = response.context["adminform"].form
        for name in ("source_document", "source_version", "source_url", "patient_wording"):
            assert name in form.fields, name
        # The sign-off is shown, never edited.
        assert "signed_off_by_name" not in form.fields
        assert "signed_off_at" not in form.fields
    html = client.get(f"{LIST}{rules['Chest pain'].pk}/change/").content.decode()
    assert "Royal Surrey NHS FT, Oncology Treatment Hotline" in html
    assert "Clinical sign-off" in html
    assert client.get(f"{LIST}add/").status_code == 200


def test_the_action_records_who_signed_and_when(client, clinician, rules):
    chest, chills = rules["Chest pain"], rules["Shivers or chills"]
    before = timezone.now()
    response = _sign(client, chest, chills)
    assert "Signed off 2 red-flag rules as Priya Shah, clinical nurse specialist." in (
        response.content.decode()
    )
    for rule in (chest, chills):
        rule.refresh_from_db()
        assert rule.signed_off_by == clinician
        assert rule.signed_off_by_name == "Priya Shah, clinical nurse specialist"
        assert before <= rule.signed_off_at <= timezone.now()
        assert LogEntry.objects.filter(
            object_id=str(rule.pk), change_message="Signed off."
        ).exists()
    assert not RedFlagRule.objects.get(name="A seizure").is_signed_off


def test_an_inactive_rule_is_not_signed(client, clinician, rules):
    seizure = rules["A seizure"]
    RedFlagRule.objects.filter(pk=seizure.pk).update(active=False)
    response = _sign(client, seizure, rules["Chest pain"])
    html = response.content.decode()
    assert "Signed off 1 red-flag rule as Priya Shah" in html
    assert "1 not active: sign a rule off once it is on." in html
    assert not RedFlagRule.objects.get(pk=seizure.pk).is_signed_off


def test_staff_without_the_permission_cannot_sign_off(client, django_user_model, rules):
    _staff(client, django_user_model, "receptionist", ["view_redflagrule", "change_redflagrule"])
    html = client.get(LIST).content.decode()
    assert client.get(LIST).status_code == 200
    assert "sign_off_rules" not in html
    _sign(client, rules["Chest pain"])
    assert not RedFlagRule.objects.get(name="Chest pain").is_signed_off


def test_editing_a_reviewed_field_in_the_admin_clears_the_sign_off(client, clinician, rules):
    sick = rules["Being sick 2 or more times in 24 hours"]
    _sign(client, sick)
    response = _change(client, sick, threshold="3")
    assert response.status_code == 302, response.context["adminform"].form.errors
    sick.refresh_from_db()
    assert sick.threshold == 3
    assert not sick.is_signed_off
    assert sick.signed_off_by is None
    assert sick.signed_off_by_name == ""


@pytest.mark.parametrize(
    "changes",
    [
        {"patient_wording": "Being sick twice: call the line."},
        {"source_version": "version 2"},
        {"level": "emergency"},
        {"active": None},
    ],
    ids=["wording", "version", "level", "turned off"],
)
def test_every_reviewed_field_clears_it(client, clinician, rules, changes):
    sick = rules["Being sick 2 or more times in 24 hours"]
    _sign(client, sick)
    data = _data(sick, **changes)
    response = client.post(f"{LIST}{sick.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not RedFlagRule.objects.get(pk=sick.pk).is_signed_off


def test_renaming_a_rule_keeps_the_sign_off(client, clinician, rules):
    sick = rules["Being sick 2 or more times in 24 hours"]
    _sign(client, sick)
    response = _change(client, sick, name="Vomiting twice or more in a day")
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert RedFlagRule.objects.get(pk=sick.pk).is_signed_off


BAD = [
    ("Temperature 37.5 °C or above", {"threshold": "50.0"}, "threshold", "from 30.0 to 45.0 °C"),
    ("Temperature below 36 °C", {"threshold": "29.9"}, "threshold", "from 30.0 to 45.0 °C"),
    ("Temperature 37.5 °C or above", {"threshold": ""}, "threshold", "needs a threshold (°C)"),
    ("Temperature 37.5 °C or above", {"threshold": "warm"}, "threshold", "a number"),
    ("Being sick 2 or more times in 24 hours", {"threshold": "0"}, "threshold", "from 1 to 50"),
    ("Being sick 2 or more times in 24 hours", {"threshold": "51"}, "threshold", "from 1 to 50"),
    ("Being sick 2 or more times in 24 hours", {"threshold": "2.5"}, "threshold", "whole number"),
    ("Being sick 2 or more times in 24 hours", {"threshold": ""}, "threshold", "needs a threshold"),
    ("Chest pain", {"threshold": "2"}, "threshold", "has no threshold"),
    ("Any answer at its top level", {"threshold": "4"}, "threshold", "has no threshold"),
    ("Chest pain", {"symptom": ""}, "symptom", "Choose the symptom"),
    ("Being sick 2 or more times in 24 hours", {"symptom": ""}, "symptom", "Choose the symptom"),
    # An entry of chest pain takes no count, so the rule could never fire.
    ("Being sick 2 or more times in 24 hours", {"symptom": 14}, "symptom", "takes no count"),
    ("Chest pain", {"companions": [92]}, "companions", "Only a companion rule"),
    (
        "Back or neck pain with weakness, numbness or bladder or bowel problems",
        {"companions": []},
        "companions",
        "needs at least one companion",
    ),
    (
        "Back or neck pain with weakness, numbness or bladder or bowel problems",
        {"companions": [91, 92]},
        "companions",
        "cannot be its companion",
    ),
    # A yes-or-no term (Rash) has no top answer.
    ("Any answer at its top level", {"symptom": 35}, "symptom", "asks nothing graded"),
    ("Chest pain", {"condition": "sometimes"}, "condition", "Select a valid choice"),
]


@pytest.mark.parametrize(("name", "changes", "field", "message"), BAD)
def test_a_bad_rule_is_an_error_on_its_field_and_nothing_is_saved(
    client, clinician, rules, name, changes, field, message
):
    rule = rules[name]
    _sign(client, rule)
    before = _data(RedFlagRule.objects.get(pk=rule.pk))
    response = _change(client, rule, **changes)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert field in errors, errors
    assert any(message in error for error in errors[field]), errors
    assert message in response.content.decode().replace("&#x27;", "'")
    after = RedFlagRule.objects.get(pk=rule.pk)
    assert _data(after) == before
    assert after.is_signed_off


def test_a_new_rule_is_checked_too(client, clinician, rules, symptoms):
    data = _data(rules["Temperature 37.5 °C or above"], name="Temperature 46 °C", threshold="46")
    response = client.post(f"{LIST}add/", data)
    assert response.status_code == 200
    assert "threshold" in response.context["adminform"].form.errors
    assert not RedFlagRule.objects.filter(name="Temperature 46 °C").exists()
    data["threshold"] = "38.0"
    data["name"] = "Temperature 38 °C or above"
    assert client.post(f"{LIST}add/", data).status_code == 302
    assert not RedFlagRule.objects.get(name="Temperature 38 °C or above").is_signed_off


def test_the_symptom_page_shows_its_pro_ctcae_fields(client, django_user_model, symptoms):
    _staff(client, django_user_model, "editor", ["view_symptom", "change_symptom"])
    vomiting = symptoms["vomiting"]
    response = client.get(f"{SYMPTOMS}{vomiting.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    for label in ("What an entry asks", "Where to read about it", "When to contact the care team"):
        assert label in html
    form = response.context["adminform"].form
    for name in (
        "pro_ctcae_term",
        "asks_frequency",
        "asks_severity",
        "asks_interference",
        "asks_amount",
        "asks_presence",
        "measurement",
        "outside_page_name",
        "outside_page_url",
    ):
        assert name in form.fields, name


def test_a_symptom_asking_what_nci_does_not_is_an_error(client, django_user_model, symptoms):
    _staff(client, django_user_model, "editor", ["view_symptom", "change_symptom"])
    chills = symptoms["chills"]
    form = client.get(f"{SYMPTOMS}{chills.pk}/change/").context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None and value is not False
    }
    data.update(
        {
            "asks_presence": "on",
            "symptom_sections-TOTAL_FORMS": "0",
            "symptom_sections-INITIAL_FORMS": "0",
        }
    )
    response = client.post(f"{SYMPTOMS}{chills.pk}/change/", data)
    assert response.status_code == 200
    assert "PRO-CTCAE asks &#x27;Chills&#x27; these and only these" in response.content.decode()
    assert not Symptom.objects.get(pk=chills.pk).asks_presence


# The admin's index says what is not signed off.


def test_the_index_says_how_many_are_not_signed_off(client, django_user_model, rules):
    _staff(client, django_user_model, "clinician", [*CLINICIAN, "view_symptom"])
    guided = Symptom.objects.exclude(guidance_text="").count()
    html = client.get(INDEX).content.decode()
    assert (
        '<li class="warning">13 active red-flag rules are not signed off by a clinician. '
        '<a href="/staff-admin/education/redflagrule/?signed_off=no">See which</a>.</li>'
    ) in html
    assert (
        f'<li class="warning">{guided} symptom guidances are not signed off by a clinician. '
        '<a href="/staff-admin/education/symptom/?signed_off=no">See which</a>.</li>'
    ) in html
    # The link lists exactly those.
    listed = client.get(LIST, {"signed_off": "no"}).context["cl"].result_count
    assert listed == 13
    assert client.get(SYMPTOMS, {"signed_off": "no"}).context["cl"].result_count == guided


def test_the_count_falls_as_rules_are_signed(client, clinician, rules):
    _sign(client, *[rule for rule in rules.values() if rule.name != "Chest pain"])
    html = client.get(INDEX).content.decode()
    assert "1 active red-flag rule is not signed off by a clinician." in html
    _sign(client, rules["Chest pain"])
    assert "red-flag rule" not in client.get(INDEX).content.decode()


def test_staff_who_cannot_see_the_rules_are_not_told_of_them(client, django_user_model, rules):
    _staff(client, django_user_model, "clerk", ["view_article"])
    html = client.get(INDEX).content.decode()
    assert "not signed off" not in html
