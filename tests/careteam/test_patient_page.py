"""Her teams' patients, and one patient's page: the summary she prints (the same code),
her check-ins, her alerts open and closed, her questions. Read only; each view audited."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from portal.models import Alert, AuditEvent, CheckIn, PatientProfile, Question
from tests.careteam.conftest import log
from tests.conftest import example_clinic

pytestmark = pytest.mark.usefixtures("vocabulary")


def main(response) -> str:
    """The page's own part, without the site's header and footer."""
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def test_the_list_shows_her_teams_patients_with_their_open_alerts(
    nora_client, nora, alice_in_north, bob_in_south
):
    log(alice_in_north, "vomiting", timezone.now() - timedelta(hours=1), times_in_24h=2)
    response = nora_client.get("/care-team/patients/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<a href="/care-team/patients/{alice_in_north.pk}/">Alice Archer</a>' in html
    assert "North breast unit</td><td>1</td>" in html
    assert "Bob" not in html
    (event,) = AuditEvent.objects.filter(action="careteam.patients_view")
    assert (event.actor_id, event.patient_id) == (nora.pk, alice_in_north.pk)


@pytest.fixture
def alices_record(alice_in_north, nora):
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=3), tick=False):
        log(alice_in_north, "vomiting", now - timedelta(days=3), times_in_24h=6)
    Alert.objects.update(
        closed_at=now - timedelta(days=2),
        action="booked",
        closed_by=nora,
        closed_by_name="Nora Nurse",
    )
    log(alice_in_north, "chest-pain", now - timedelta(hours=2), severity=2, note="tight at night")
    CheckIn.objects.create(
        patient=alice_in_north,
        started_at=now - timedelta(days=8, minutes=10),
        submitted_at=now - timedelta(days=8),
    )
    Question.objects.create(patient=alice_in_north, text="Should I change my dose?")
    Question.objects.create(
        patient=alice_in_north, text="Is the scan on Friday?", asked=True, answer="Yes, at 9."
    )
    PatientProfile.objects.create(patient=alice_in_north, hospital_number="RX1234")
    return alice_in_north


def test_her_page_has_her_summary_check_ins_alerts_and_questions(nora_client, alices_record):
    response = nora_client.get(f"/care-team/patients/{alices_record.pk}/")
    assert response.status_code == 200
    html = main(response)
    # The summary, as she prints it: who (with her hospital number), red flags, overview.
    assert "<strong>Alice Archer</strong> · Hospital no. <strong>RX1234</strong>" in html
    assert "Red flags" in html
    assert "Chest pain" in html and "Vomiting" in html
    assert "tight at night" in html
    # Her check-in's date, her alerts open and closed, her questions.
    submitted = timezone.localtime(CheckIn.objects.get().submitted_at)
    assert f"{submitted:%A} {submitted.day} {submitted:%B %Y}" in html
    assert "Closed" in html and "by Nora Nurse (Booked an appointment)" in html
    assert html.count('id="alert-') == 2
    assert "Should I change my dose?" in html
    assert "Answer she wrote down: Yes, at 9." in html
    # Read only: nothing on the page posts.
    assert 'method="post"' not in html


def test_her_summary_is_the_one_she_prints(nora_client, alices_record):
    """The same rows and attention lines: both pages come from summary_context."""
    from portal.summary.views import summary_context

    class Request:
        patient, grant, GET = alices_record, None, {}

    _form, context = summary_context(Request(), {})
    page = nora_client.get(f"/care-team/patients/{alices_record.pk}/").content.decode()
    for row in context["rows"]:
        assert f'<th scope="row">{row.name}</th>' in page
    for flag in context["attention"].red_flags:
        assert flag.heading in page


def test_viewing_her_page_is_in_her_trail(nora_client, nora, alices_record):
    nora_client.get(f"/care-team/patients/{alices_record.pk}/")
    event = AuditEvent.objects.get(action="careteam.patient_view")
    assert (event.actor_id, event.patient_id) == (nora.pk, alices_record.pk)
    assert (event.record_type, event.record_id) == ("auth.user", str(alices_record.pk))
    # Her activity page reads these: what others did about her.
    assert AuditEvent.objects.by_others_about(alices_record).filter(pk=event.pk).exists()


def test_a_bad_date_is_a_400_with_the_reason(nora_client, alices_record):
    response = nora_client.get(
        f"/care-team/patients/{alices_record.pk}/?start=2027-02-30&end=2027-03-01"
    )
    assert response.status_code == 400
    assert "Enter a real date" in response.content.decode()


def test_a_range_chosen_stays_on_her_page(nora_client, alices_record):
    response = nora_client.get(f"/care-team/patients/{alices_record.pk}/?days=7")
    html = main(response)
    assert response.status_code == 200
    assert f'href="/care-team/patients/{alices_record.pk}/?days=30"' in html
    assert 'href="/summary/' not in html


def test_her_page_costs_the_same_however_much_she_logged(
    nora_client, alices_record, django_assert_num_queries
):
    url = f"/care-team/patients/{alices_record.pk}/"
    nora_client.get(url)
    with django_assert_num_queries(QUERIES):
        nora_client.get(url)
    now = timezone.now()
    for day in range(1, 20):
        log(alices_record, "fatigue", now - timedelta(days=day), severity=day % 4, note="tired")
        log(alices_record, f"own words {day}", now - timedelta(days=day), severity=1)
        Question.objects.create(patient=alices_record, text=f"Question {day}")
        CheckIn.objects.create(
            patient=alices_record,
            started_at=now - timedelta(days=day, minutes=5),
            submitted_at=now - timedelta(days=day),
        )
    with django_assert_num_queries(QUERIES):
        nora_client.get(url)


def test_the_patients_list_costs_the_same_for_one_and_many(
    nora_client, alice_in_north, north, django_user_model, django_assert_num_queries
):
    from portal.models import CareTeamPatient

    nora_client.get("/care-team/patients/")
    with django_assert_num_queries(LIST_QUERIES):
        nora_client.get("/care-team/patients/")
    for number in range(30):
        patient = django_user_model.objects.create_user(f"patient{number}")
        CareTeamPatient.objects.create(team=north, patient=patient)
    with django_assert_num_queries(LIST_QUERIES):
        response = nora_client.get("/care-team/patients/")
    assert len(re.findall(r'href="/care-team/patients/\d+/"', main(response))) == 31


# Her summary's (as on her own page), her check-ins, alerts and questions, and the
# clinic's contacts once for her summary and once for the page around it.
QUERIES = 27
LIST_QUERIES = 8


def test_the_pages_footer_speaks_to_the_clinician_not_for_her_patient(nora_client, alices_record):

    example_clinic()
    html = nora_client.get(f"/care-team/patients/{alices_record.pk}/").content.decode()
    footer = html[html.index('<footer class="site-footer') :]
    assert "It is monitored by your care team" not in footer
    assert "It is not monitored by your care team." in footer
