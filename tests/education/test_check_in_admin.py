"""The weekly check-in's questions in the staff admin: listed in their order with the order
and whether each is asked edited in the list, the symptom chosen among PRO-CTCAE terms only
(a symptom without one is an error on its field), and the seed set's source named."""

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from education.models import CheckInItem, Symptom
from tests.conftest import pass_second_factor

pytestmark = pytest.mark.django_db

LIST = "/staff-admin/education/checkinitem/"
AUTOCOMPLETE = "/staff-admin/autocomplete/"
SEED_SOURCE = "Reeve BB et al., J Natl Cancer Inst 2014;106(7):dju129"
STAFF = ["view_checkinitem", "change_checkinitem", "add_checkinitem", "view_symptom"]


@pytest.fixture
def items(symptoms) -> list[CheckInItem]:
    call_command("loaddata", "fixtures/check_in.json", verbosity=0)
    return list(CheckInItem.objects.select_related("symptom"))


@pytest.fixture
def staff(client, django_user_model):
    member = django_user_model.objects.create_user(
        "nurse", password="staff-password-123", is_staff=True
    )
    member.user_permissions.set(
        Permission.objects.filter(content_type__app_label="education", codename__in=STAFF)
    )
    pass_second_factor(client, member)
    return member


def _list_form(items: list[CheckInItem], changes: dict) -> dict:
    """The list's editable form as the page posts it, with `changes` by item pk:
    {pk: {"order": ..., "active": bool}}."""
    data = {
        "form-TOTAL_FORMS": str(len(items)),
        "form-INITIAL_FORMS": str(len(items)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for index, item in enumerate(items):
        change = changes.get(item.pk, {})
        data[f"form-{index}-id"] = str(item.pk)
        data[f"form-{index}-order"] = str(change.get("order", item.order))
        if change.get("active", item.active):
            data[f"form-{index}-active"] = "on"
    return data


def test_the_list_shows_the_seed_set_in_order_with_its_source(client, staff, items):
    with CaptureQueriesContext(connection) as twelve:
        response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert len(items) == 12
    names = [item.symptom.name for item in items]
    positions = [html.index(f">{escape(name)}</a>") for name in names]
    assert positions == sorted(positions)  # in the items' order
    assert '<td class="field-term">Shortness of breath</td>' in html
    assert f"Seed set: the 12 core symptoms of {SEED_SOURCE}" in html
    assert [item.symptom.pro_ctcae_term for item in items][:3] == [
        "Fatigue",
        "Insomnia",
        "General pain",
    ]
    # The order and whether it is asked are edited in the list.
    form = response.context["cl"].formset.forms[0]
    assert set(form.fields) >= {"order", "active"}
    CheckInItem.objects.filter(pk__gt=3).delete()
    with CaptureQueriesContext(connection) as three:
        client.get(LIST)
    assert len(twelve) == len(three)


def test_the_order_and_active_change_in_the_list(client, staff, items):
    fatigue, insomnia = items[0], items[1]
    response = client.post(
        LIST, _list_form(items, {fatigue.pk: {"order": 500}, insomnia.pk: {"active": False}})
    )
    assert response.status_code == 302
    fatigue.refresh_from_db()
    insomnia.refresh_from_db()
    assert fatigue.order == 500 and fatigue.active
    assert insomnia.order == 20 and not insomnia.active
    assert CheckInItem.objects.last() == fatigue


def test_the_change_page_names_the_seed_set_and_ncis_item_library(client, staff, items):
    response = client.get(f"{LIST}{items[0].pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "J Natl Cancer Inst 2014;106(7):dju129" in html
    assert "Recommended patient-reported core set of symptoms" in html
    assert "PRO-CTCAE™ item library version 1.0" in html
    assert "symptom" in response.context["adminform"].form.fields
    assert client.get(f"{LIST}add/").status_code == 200


def test_the_symptom_box_suggests_pro_ctcae_terms_only(client, staff, items):
    params = {"app_label": "education", "model_name": "checkinitem", "field_name": "symptom"}
    found = client.get(AUTOCOMPLETE, {**params, "term": "temperature"}).json()["results"]
    assert found == []  # "High temperature" is a red-flag symptom, not a PRO-CTCAE term
    found = client.get(AUTOCOMPLETE, {**params, "term": "pain"}).json()["results"]
    names = {result["text"] for result in found}
    assert "General pain" in names
    assert "Back or neck pain" not in names
    ids = [int(result["id"]) for result in found]
    assert not Symptom.objects.filter(pk__in=ids, pro_ctcae_term="").exists()


def test_the_symptom_admin_s_own_search_still_finds_every_symptom(client, django_user_model):
    call_command("loaddata", "fixtures/articles.json", "fixtures/symptoms.json", verbosity=0)
    admin = django_user_model.objects.create_superuser("root", password="root-password-123")
    pass_second_factor(client, admin)
    html = client.get("/staff-admin/education/symptom/", {"q": "temperature"}).content.decode()
    assert ">High temperature</a>" in html


def test_a_symptom_without_a_pro_ctcae_term_is_an_error_on_its_field(client, staff, items):
    fever = Symptom.objects.get(slug="high-temperature")
    assert fever.pro_ctcae_term == ""
    response = client.post(f"{LIST}add/", {"symptom": fever.pk, "order": "130", "active": "on"})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["symptom"] == ["Choose a PRO-CTCAE term: the check-in asks NCI's items."]
    assert "Choose a PRO-CTCAE term: the check-in asks NCI&#x27;s items." in (
        response.content.decode()
    )
    assert not CheckInItem.objects.filter(symptom=fever).exists()


def test_a_term_already_asked_is_an_error_and_a_new_term_is_added(client, staff, items):
    response = client.post(
        f"{LIST}add/", {"symptom": items[0].symptom_id, "order": "5", "active": "on"}
    )
    assert response.status_code == 200
    assert "symptom" in response.context["adminform"].form.errors
    assert CheckInItem.objects.count() == 12
    vomiting = Symptom.objects.get(pro_ctcae_term="Vomiting")
    response = client.post(f"{LIST}add/", {"symptom": vomiting.pk, "order": "130", "active": "on"})
    assert response.status_code == 302
    assert CheckInItem.objects.get(symptom=vomiting).order == 130


def test_staff_without_the_permission_see_no_check_in_questions(client, django_user_model, items):
    member = django_user_model.objects.create_user(
        "receptionist", password="staff-password-123", is_staff=True
    )
    pass_second_factor(client, member)
    assert client.get(LIST).status_code == 403
