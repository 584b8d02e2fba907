"""Issue 14's journey: a patient logs a red flag, a nurse of her care team signs in with
her second step, finds it first in the alert queue, closes it with a note, and the patient
sees on her entry that her care team has seen it."""

import re
from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone
from playwright.sync_api import expect

from education.models import Symptom
from portal.models import Alert, CareTeam, CareTeamPatient, DiaryEntry
from tests.browser.conftest import PageChecks, sign_in_on
from tests.browser.test_account_journey import totp_now
from tests.conftest import example_clinic, load_vocabulary, make_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPLY = "We called you: keep sipping water, and ring us again tonight if it goes on."


@pytest.fixture
def clinic(django_user_model):
    load_vocabulary()
    example_clinic()
    team = CareTeam.objects.create(
        name="North breast unit", monitoring=True, inbox_email="north@clinic.example.org"
    )
    alice = make_patient("alice", "alice-password-123", first_name="Alice", last_name="Archer")
    CareTeamPatient.objects.create(team=team, patient=alice)
    # An older alert of another patient: a rise, so the new red flag goes before it.
    carol = make_patient("carol", "carol-password-123", first_name="Carol", last_name="Cole")
    CareTeamPatient.objects.create(team=team, patient=carol)
    fatigue, fatigue_day = Symptom.objects.get(slug="fatigue"), timezone.now() - timedelta(days=2)
    for hours, severity in ((30, 1), (0, 3)):
        moment = fatigue_day - timedelta(hours=hours)
        with time_machine.travel(moment, tick=False):
            entry = DiaryEntry(
                patient=carol, symptom=fatigue, severity=severity, occurred_at=moment
            )
            entry.record_notice()
            entry.save()
    assert Alert.objects.get().kind == Alert.Kind.RISE
    nurse = make_patient("nora", "nora-password-123", first_name="Nora", last_name="Nurse")
    team.members.add(nurse)
    secret = generate_totp_secret()
    TOTP.activate(nurse, secret)
    return secret


def test_a_red_flag_is_seen_and_closed_by_her_care_team(
    page, browser, live_server, checks, sign_in, clinic
):
    # Alice logs that she threw up 6 times.
    sign_in("alice@example.org", "alice-password-123")
    page.goto(f"{live_server.url}/diary/")
    box = page.get_by_role("textbox", name="What are you feeling?")
    box.press_sequentially("threw up 6 times", delay=40)
    vomiting = page.locator("#log-choice").get_by_role("button", name="Vomiting", exact=True)
    vomiting.click()
    expect(page.get_by_role("heading", name="Questions about Vomiting")).to_be_focused()
    expect(vomiting).to_have_attribute("aria-pressed", "true")
    # The number is left empty: it is read from her words when she saves.
    expect(page.get_by_label("How many times in the last 24 hours?")).to_have_value("")
    page.get_by_role("button", name="Save in my diary").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Saved: Vomiting"))).to_be_focused()
    entry = DiaryEntry.objects.get(patient__username="alice")
    assert (entry.times_in_24h, entry.red_flag.name) == (
        6,
        "Being sick 6 or more times in 24 hours",
    )
    checks.check()

    # Nora, in her own browser, signs in with her password and her app's code.
    context = browser.new_context()
    nurse = context.new_page()
    nurse_checks = PageChecks(nurse)
    sign_in_on(nurse, live_server.url, "nora@example.org", "nora-password-123")
    expect(nurse.get_by_role("heading", level=1)).to_have_text("Second step")
    code, _window = totp_now(clinic)
    nurse.get_by_label("Code").fill(code)
    nurse.get_by_role("button", name="Continue").click()
    nurse.wait_for_load_state()
    nurse.goto(f"{live_server.url}/care-team/")
    expect(nurse.get_by_role("heading", level=1)).to_have_text("Alert queue")
    rows = nurse.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Alice Archer")
    expect(rows.first).to_contain_text("Vomiting")
    expect(rows.first).to_contain_text("Red flag")
    expect(rows.nth(1)).to_contain_text("Carol Cole")
    nurse_checks.check()

    # She opens it: the entry in NCI's words, then closes it with a note for Alice.
    rows.first.get_by_role("link", name=re.compile("Alice Archer")).click()
    expect(nurse.get_by_role("heading", level=1)).to_contain_text("Vomiting")
    expect(nurse.locator("main")).to_contain_text("Being sick 6 or more times in 24 hours")
    nurse_checks.check()
    nurse.get_by_role("button", name="Close the alert").click()  # nothing chosen: a reason
    expect(nurse.get_by_role("alert")).to_contain_text("Choose what was done.")
    nurse_checks.check()
    nurse.get_by_label("Called her").check()
    nurse.get_by_label("A short reply for the patient (optional)").fill(REPLY)
    nurse.get_by_role("button", name="Close the alert").click()
    expect(nurse.get_by_text("Alert closed: Called her.")).to_be_visible()
    expect(nurse.get_by_role("table").locator("tbody tr")).to_have_count(1)
    nurse_checks.check()
    # Her page: the summary she prints (the same partials), with its timeline.
    nurse.goto(f"{live_server.url}/care-team/patients/{entry.patient_id}/")
    expect(nurse.get_by_role("heading", name="Appointment summary")).to_be_visible()
    expect(nurse.get_by_role("heading", name="Timeline")).to_be_visible()
    expect(nurse.locator(".red-flags")).to_contain_text("Vomiting 6 or more times in 24 h")
    nurse_checks.check()
    context.close()

    # Alice sees that her care team has seen it, and the reply.
    page.goto(f"{live_server.url}{entry.get_absolute_url()}")
    today = timezone.localdate()
    seen = page.locator("main")
    expect(seen).to_contain_text(f"Seen by your care team on {today.day} {today:%B %Y}.")
    expect(seen).to_contain_text(f"Nora Nurse wrote: “{REPLY}”")
    checks.check()
