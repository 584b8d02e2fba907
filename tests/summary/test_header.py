"""The summary's header (who and what), the appointment it is for, and choices that stick."""

import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from portal.models import Appointment, PatientProfile, Treatment
from portal.summary.header import nhs_number_display
from tests.caregivers.conftest import enter, make_grant
from tests.conftest import local, make_patient

VALID_NHS_NUMBER = "9434765919"


def _profile(patient, **fields):
    defaults = {
        "date_of_birth": date(1961, 3, 14),
        "hospital_number": "RX1234567",
        "nhs_number": VALID_NHS_NUMBER,
    }
    return PatientProfile.objects.create(patient=patient, **{**defaults, **fields})


def _text(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_header_names_her_with_her_identifiers_and_current_treatments(alice_client, alice):
    _profile(alice)
    today = timezone.localdate()
    Treatment.objects.create(
        patient=alice,
        name="Ribociclib and letrozole",
        kind=Treatment.Kind.CDK46_INHIBITOR,
        started_on=date(2025, 6, 3),
        line=2,
    )
    Treatment.objects.create(patient=alice, name="Denosumab", started_on=date(2026, 1, 9))
    # Stopped, and not started yet: neither is current.
    Treatment.objects.create(
        patient=alice,
        name="Capecitabine",
        started_on=date(2024, 1, 1),
        stopped_on=today - timedelta(days=1),
    )
    Treatment.objects.create(patient=alice, name="Later", started_on=today + timedelta(days=3))

    response = alice_client.get("/summary/")
    assert response.status_code == 200
    who = response.context["who"]
    assert who.identifiers == [
        ("Born", "14 Mar 1961"),
        ("Hospital no.", "RX1234567"),
        ("NHS no.", "943 476 5919"),
    ]
    assert who.treatment_lines == [
        "Ribociclib and letrozole (CDK4/6 inhibitor; line 2), since 3 Jun 2025",
        "Denosumab, since 9 Jan 2026",
    ]
    text = _text(response)
    assert "Born 14 Mar 1961 · Hospital no. RX1234567 · NHS no. 943 476 5919" in text
    assert "Current treatment: Ribociclib and letrozole (CDK4/6 inhibitor; line 2)" in text
    assert "Capecitabine" not in text and "Later" not in text


def test_a_cdk46_inhibitor_or_an_adc_links_to_the_articles_section_on_screen(
    alice_client, alice, article
):
    Treatment.objects.create(
        patient=alice,
        name="Ribociclib",
        kind=Treatment.Kind.CDK46_INHIBITOR,
        started_on=date(2025, 6, 3),
    )
    Treatment.objects.create(
        patient=alice,
        name="Trastuzumab deruxtecan",
        kind=Treatment.Kind.ANTIBODY_DRUG_CONJUGATE,
        started_on=date(2025, 9, 1),
    )
    Treatment.objects.create(patient=alice, name="Denosumab", started_on=date(2026, 1, 9))
    html = alice_client.get("/summary/").content.decode()
    for slug in ("cdk46-inhibitors", "antibody-drug-conjugates"):
        section = article.sections.get(slug=slug)
        link = f'<a class="no-print" href="{section.get_anchor_url()}">(about {section.title})</a>'
        assert link in html
    assert html.count('class="no-print" href="/learn/') == 2  # none for Denosumab


def test_without_a_profile_the_header_is_her_name_alone(alice_client, alice):
    response = alice_client.get("/summary/")
    assert response.context["who"].identifiers == []
    assert "NHS no." not in _text(response) and "Born " not in _text(response)


def test_an_nhs_number_prints_in_groups_of_three_three_and_four():
    assert nhs_number_display("9434765919") == "943 476 5919"
    assert nhs_number_display("") == ""


def test_a_caregiver_sees_the_identifiers_only_when_she_allows_it(client, alice):
    dana = make_patient("dana", "dana-password-123", first_name="Dana")
    profile = _profile(alice)
    Treatment.objects.create(patient=alice, name="Letrozole", started_on=date(2025, 1, 1))
    client.force_login(dana)
    enter(client, make_grant(alice, dana))

    response = client.get("/summary/")
    assert response.status_code == 200
    text = _text(response)
    assert response.context["who"].identifiers == []
    assert "RX1234567" not in text and "943 476 5919" not in text and "1961" not in text
    assert "Letrozole" in text  # what she takes is part of the diary she shares

    profile.show_to_caregivers = True
    profile.save()
    text = _text(client.get("/summary/"))
    assert "Hospital no. RX1234567" in text and "NHS no. 943 476 5919" in text


def test_her_own_summary_shows_the_identifiers_whatever_she_chose_for_caregivers(
    alice_client, alice
):
    _profile(alice, show_to_caregivers=False)
    assert "NHS no. 943 476 5919" in _text(alice_client.get("/summary/"))


# -- The appointment it is for ------------------------------------------------------------


@pytest.fixture
def visits(alice):
    now = timezone.now()
    return {
        "last": Appointment.objects.create(
            patient=alice, starts_at=now - timedelta(days=20), with_whom="Dr Okafor"
        ),
        "next": Appointment.objects.create(
            patient=alice,
            starts_at=now + timedelta(days=5),
            with_whom="Dr Okafor",
            purpose="Treatment review",
        ),
        "later": Appointment.objects.create(patient=alice, starts_at=now + timedelta(days=40)),
    }


def test_the_summary_is_for_the_next_appointment_by_default(alice_client, visits):
    response = alice_client.get("/summary/")
    assert response.context["who"].appointment == visits["next"]
    text = _text(response)
    assert "For the appointment: " in text and "Dr Okafor (Treatment review)" in text
    select = response.context["form"]["appointment"]
    assert select.value() == str(visits["next"].pk)
    choices = [value for value, _ in select.field.choices]
    assert choices == [str(visits[name].pk) for name in ("next", "later", "last")]


def test_another_appointment_can_be_chosen(alice_client, visits):
    response = alice_client.get(f"/summary/?appointment={visits['later'].pk}")
    assert response.context["who"].appointment == visits["later"]


@pytest.mark.parametrize("value", ["bob", "x", "99999999", "²"])
def test_another_patients_appointment_is_a_field_error_and_never_shown(
    alice_client, bob, visits, value
):
    bobs = Appointment.objects.create(
        patient=bob,
        starts_at=timezone.now() + timedelta(days=2),
        with_whom="Bob's secret doctor",
    )
    value = str(bobs.pk) if value == "bob" else value
    response = alice_client.get(f"/summary/?appointment={value}")
    assert response.status_code == 400
    assert "Choose one of your appointments." in response.content.decode()
    assert "secret doctor" not in response.content.decode()


def test_without_appointments_none_is_chosen(alice_client, alice):
    response = alice_client.get("/summary/")
    assert response.context["who"].appointment is None
    assert "For the appointment: none chosen." in _text(response)


# -- Choices that stick -------------------------------------------------------------------


def test_the_range_links_keep_the_sections_and_the_appointment(alice_client, visits):
    chosen = visits["later"].pk
    response = alice_client.get(
        f"/summary/?days=30&show=overview&show=notes&chosen=true&appointment={chosen}"
    )
    assert response.status_code == 200
    assert response.context["shown"] == {"overview", "notes"}
    html = response.content.decode()
    links = re.findall(r'<a href="(/summary/\?[^"]*)">(\d+ days|since my last appointment)', html)
    assert len(links) == 4
    for href, _ in links:
        query = parse_qs(urlsplit(href.replace("&amp;", "&")).query)
        assert query["show"] == ["overview", "notes"]
        assert query["chosen"] == ["true"] and query["appointment"] == [str(chosen)]
    seven = alice_client.get(links[0][0].replace("&amp;", "&"))
    assert seven.context["shown"] == {"overview", "notes"}
    assert seven.context["summary_range"].days == 7
    assert seven.context["who"].appointment == visits["later"]


def test_the_print_button_without_javascript_comes_back_to_the_same_choices(alice_client, visits):
    response = alice_client.post(
        "/summary/printed/",
        {
            "start": "2026-10-01",
            "end": "2026-10-31",
            "show": ["overview", "questions"],
            "chosen": "true",
            "appointment": str(visits["later"].pk),
        },
    )
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.url).query)
    assert query == {
        "start": ["2026-10-01"],
        "end": ["2026-10-31"],
        "show": ["overview", "questions"],
        "chosen": ["true"],
        "appointment": [str(visits["later"].pk)],
    }


def test_the_print_form_carries_the_choices(alice_client, visits):
    html = alice_client.get("/summary/?days=7&show=notes&chosen=true").content.decode()
    form = re.search(r'<form method="post" action="/summary/printed/".*?</form>', html, re.S)
    assert '<input type="hidden" name="show" value="notes">' in form.group(0)
    assert f'name="appointment" value="{visits["next"].pk}"' in form.group(0)


# -- Questions in print -------------------------------------------------------------------


def test_each_question_has_a_blank_answer_line_in_print(alice_client, alice):
    from portal.models import Question

    Question.objects.create(patient=alice, text="Is the scan booked?")
    html = alice_client.get("/summary/").content.decode()
    assert 'Is the scan booked?<span class="answer-line print-only">Answer:</span>' in html


def test_a_past_appointment_sets_the_default_range(alice_client, alice):
    Appointment.objects.create(patient=alice, starts_at=local(date.today() - timedelta(days=9)))
    summary_range = alice_client.get("/summary/").context["summary_range"]
    assert summary_range.since_appointment and summary_range.days == 10
