"""Every page a person can reach, and the htmx states outside the diary, pass axe-core with
zero violations, on a desktop and at 320 x 568 CSS px (WCAG's reflow width): signed out, as
a patient, as a clinician past her second step, and as a caregiver in the patient's diary
(issue 16).

The pages are portal/urls.py's and each package's urls.py, less what is not a page (the
CSV, FHIR and calendar downloads, `/ping/`, POST-only actions) and the staff admin (Django's
own). Each role has one browser context and goes from page to page in it; a page's
problems are collected and all reported at the end, so one run lists every page that fails.
The diary's own htmx states are in the diary's browser tests.
"""

import contextlib
import re
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils import timezone
from playwright.sync_api import Page, expect

from education.models import Section, Symptom
from portal.demo import seed_demo_records
from portal.models import (
    Alert,
    Appointment,
    CalendarFeed,
    CaregiverGrant,
    CareTeam,
    CareTeamPatient,
    CheckIn,
    DiaryEntry,
    Question,
    Severity,
    Treatment,
)
from portal.reminders.emails import unsubscribe_token
from tests.browser.conftest import PageChecks, sign_in_on
from tests.browser.test_account_journey import totp_now
from tests.conftest import example_clinic, load_vocabulary, make_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The pages each role's sweep must reach, by view name (as resolve() gives it): a URL added
# to the site fails test_every_url_is_swept_or_said_not_to_be_a_page until it is in one of
# these or in NOT_PAGES.
SIGNED_OUT_PAGES = {
    "home",
    "login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_email_verification_sent",
    "account_confirm_email",
    "account_inactive",
    "reminders:unsubscribe",
    "education:article_list",
    "education:article_detail",
    "education:section_detail",
}
PATIENT_PAGES = {
    "home",
    "education:article_list",
    "education:article_detail",
    "education:section_detail",
    "diary:section_activity",
    "diary:entry_list",
    "diary:entry_detail",
    "diary:entry_edit",
    "diary:entry_delete",
    "summary:summary",
    "appointments:appointment_list",
    "appointments:appointment_create",
    "appointments:appointment_edit",
    "appointments:appointment_delete",
    "questions:question_list",
    "questions:question_create",
    "questions:question_edit",
    "questions:question_delete",
    "treatments:treatment_list",
    "treatments:treatment_create",
    "treatments:treatment_edit",
    "treatments:treatment_delete",
    "checkin:start",
    "checkin:step",
    "checkin:anything_else",
    "checkin:review",
    "checkin:done",
    "my_account:overview",
    "my_account:profile",
    "my_account:activity",
    "my_account:care_team",
    "my_account:download",
    "my_account:delete",
    "reminders:settings",
    "calendar:feed_page",
    "caregivers:caregiver_list",
    "caregivers:invite",
    "caregivers:grant_edit",
    "caregivers:grant_revoke",
    "caregivers:accept",
    "usersessions_list",
    "account_email",
    "account_change_password",
    "account_reauthenticate",
    "mfa_index",
    "mfa_activate_totp",
    "logout",
}
CLINICIAN_PAGES = {
    "mfa_authenticate",
    "careteam:queue",
    "careteam:alert_detail",
    "careteam:patient_list",
    "careteam:patient_detail",
    "mfa_index",
    "mfa_reauthenticate",
    "mfa_deactivate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
}
CAREGIVER_PAGES = {
    "home",
    "caregivers:accept",
    "caregivers:caregiver_list",
    "diary:entry_list",
    "diary:entry_detail",
    "summary:summary",
    "questions:question_list",
    "appointments:appointment_list",
    "appointments:appointment_create",  # view only: "you may only look"
    "treatments:treatment_list",
    "checkin:start",
    "my_account:overview",
}
NOT_PAGES = {
    "ping": "plain text for monitoring",
    "favicon": "an image",
    "account_login": "the same URL as login, which comes first",
    "account_logout": "the same URL as logout, which comes first",
    "account_set_password": "for accounts without a password; every account here has one",
    "account_confirm_login_code": "sign-in by emailed code is off",
    "diary:symptom_suggestions": "POST only (the diary's tests)",
    "diary:entry_grading": "POST only (the diary's tests)",
    "diary:entry_create": "POST only (the diary's tests)",
    "diary:entry_unmatch": "POST only (the diary's tests)",
    "summary:summary_printed": "POST only, nothing shown",
    "summary:summary_csv": "a download",
    "questions:question_asked": "POST only (swept as its htmx reply)",
    "checkin:resume": "a redirect to the current question",
    "checkin:submit": "POST only (swept: the done page)",
    "calendar:appointment_ics": "a download",
    "calendar:feed": "a calendar file",
    "calendar:feed_reset": "POST only (swept: the feed page after it)",
    "calendar:feed_stop": "POST only",
    "caregivers:switch": "POST only",
    "caregivers:switch_back": "POST only",
    "my_account:download_csv": "a download",
    "my_account:download_fhir": "a download",
    "my_account:stay_signed_in": "POST only",
    "my_account:sign_out_elsewhere": "POST only",
    "mfa_download_recovery_codes": "a download",
}

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 320, "height": 568}
ARTICLE = "/learn/metastatic-breast-cancer/"
LOGIN = re.escape("/accounts/login/")
PROBLEM = "There is a problem"  # the error summary's title


@dataclass
class Sweep:
    """One signed-in browser page going through pages, collecting what axe finds."""

    page: Page
    base: str
    checks: PageChecks
    failures: list[str] = field(default_factory=list)
    reached: set[str] = field(default_factory=set)

    def visit(
        self, path: str, *, status: int = 200, lands_on: str | re.Pattern | None = None
    ) -> None:
        response = self.page.goto(self.base + path)
        got = response.status if response else None
        if got != status:
            self.failures.append(f"{path}: answered {got}, not {status}")
        landed = urlsplit(self.page.url).path
        if not re.fullmatch(lands_on or re.escape(urlsplit(path).path), landed):
            self.failures.append(f"{path}: ended on {self.page.url}")
        self.check(path)

    def check(self, what: str) -> None:
        """axe (and no CSP errors) at both sizes, on the page as it is now."""
        for size in (DESKTOP, PHONE):
            self.page.set_viewport_size(size)
            try:
                self.checks.check()
            except AssertionError as problem:
                found = str(problem).splitlines()[0]  # the page and [(rule, impact, nodes)]
                self.failures.append(f"{what} at {size['width']}x{size['height']}: {found}")
            self.checks.console_errors.clear()
        self.page.set_viewport_size(DESKTOP)
        with contextlib.suppress(Resolver404):
            self.reached.add(resolve(urlsplit(self.page.url).path).view_name)

    def check_open_menus(self, what: str) -> None:
        """At phone size the menus are closed <details>: open each ("Menu"), check, close."""
        self.page.set_viewport_size(PHONE)
        toggles = self.page.locator("details.menu > summary")
        for toggle in toggles.all():
            toggle.click()
        expect(self.page.locator("details.menu:not([open])")).to_have_count(0)
        try:
            self.checks.check()
        except AssertionError as problem:
            found = str(problem).splitlines()[0]
            self.failures.append(f"{what}, menus open at 320x568: {found}")
        self.checks.console_errors.clear()
        for toggle in toggles.all():
            toggle.click()
        self.page.set_viewport_size(DESKTOP)

    def submit(
        self, button: str, what: str, *, form: str = "main", shows: str | None = None
    ) -> None:
        """Press a form's button and check the state it gives (an htmx swap or a new page),
        once it `shows` those words ("There is a problem" for the error states)."""
        self.page.locator(form).get_by_role("button", name=button).first.click()
        self.page.wait_for_load_state("networkidle")
        if shows:
            expect(self.page.get_by_text(shows).first).to_be_visible()
        self.check(what)

    def assert_clean(self, pages: set[str]) -> None:
        missed = sorted(pages - self.reached)
        if missed:
            self.failures.append(f"never reached: {', '.join(missed)}")
        assert self.failures == [], "\n".join(self.failures)


@dataclass
class World:
    alice: object
    entry: DiaryEntry
    alert: Alert
    appointment: Appointment
    question: Question
    treatment: Treatment
    section: Section
    grant: CaregiverGrant
    invitation: str
    pending_invitation: str
    expired_invitation: str
    nurse_secret: str


@pytest.fixture
def world() -> World:
    load_vocabulary("fixtures/check_in.json")
    example_clinic()
    alice = make_patient("alice", "alice-password-123", first_name="Alice", last_name="Archer")
    # The demo's month: entries, three check-ins, questions, appointments, treatments and
    # her details, so every list, the summary and the timeline have something to show.
    seed_demo_records(alice)
    team = CareTeam.objects.create(
        name="North breast unit", monitoring=True, inbox_email="north@clinic.example.org"
    )
    CareTeamPatient.objects.create(team=team, patient=alice)
    nurse = make_patient("nora", "nora-password-123", first_name="Nora", last_name="Nurse")
    team.members.add(nurse)
    secret = generate_totp_secret()
    TOTP.activate(nurse, secret)
    RecoveryCodes.activate(nurse)
    # A red flag today: an alert in the queue.
    moment = timezone.now() - timedelta(hours=1)
    red_flag = DiaryEntry(
        patient=alice,
        symptom=Symptom.objects.get(slug="vomiting"),
        frequency=2,
        severity=Severity.MODERATE,
        times_in_24h=6,
        occurred_at=moment,
    )
    red_flag.record_notice()
    red_flag.save()
    dana = make_patient("dana", "dana-password-123", first_name="Dana", last_name="Doe")
    grant = CaregiverGrant(
        patient=alice, email=dana.email, patient_name="Alice", access=CaregiverGrant.Access.LOG
    )
    invitation = grant.new_token()
    grant.save()
    # A second invitation, still pending, for the list's other state, and one run out.
    pending = CaregiverGrant(patient=alice, email="erin@example.org", patient_name="Alice")
    pending_invitation = pending.new_token()
    pending.save()
    expired = CaregiverGrant(patient=alice, email="fay@example.org", patient_name="Alice")
    expired_invitation = expired.new_token()
    expired.invitation_expires_at = timezone.now() - timedelta(days=1)
    expired.save()
    return World(
        alice=alice,
        entry=DiaryEntry.objects.for_patient(alice).order_by("-occurred_at").first(),
        alert=Alert.objects.get(),
        appointment=Appointment.objects.for_patient(alice).first(),
        question=Question.objects.for_patient(alice).first(),
        treatment=Treatment.objects.for_patient(alice).first(),
        section=Section.objects.filter(symptoms__isnull=False).distinct().first(),
        grant=grant,
        invitation=invitation,
        pending_invitation=pending_invitation,
        expired_invitation=expired_invitation,
        nurse_secret=secret,
    )


def test_every_page_signed_out_passes_axe(page, live_server, checks, world):
    sweep = Sweep(page, live_server.url, checks)
    sweep.visit("/accounts/login/")
    page.get_by_label("Email").fill("alice@example.org")
    page.get_by_label("Password").fill("not her password")
    sweep.submit("Sign in", "sign-in, wrong password", shows=PROBLEM)
    sweep.visit("/accounts/signup/")
    sweep.submit("Create account", "sign-up, nothing filled in", shows=PROBLEM)
    sweep.visit("/accounts/password/reset/")
    sweep.submit("Send me the link", "password reset, nothing filled in", shows=PROBLEM)
    sweep.visit("/accounts/password/reset/done/")
    sweep.visit("/accounts/password/reset/key/done/")
    sweep.visit("/accounts/confirm-email/not-a-key/")  # a confirmation link that does not work
    sweep.visit("/accounts/password/reset/key/1-not-a-key/")  # the "link no longer works" page
    sweep.visit("/accounts/confirm-email/")
    sweep.visit("/accounts/inactive/")
    sweep.visit(f"/reminders/unsubscribe/{unsubscribe_token(world.alice.pk, 'check_in')}/")
    sweep.visit(f"/caregivers/accept/{world.invitation}/", lands_on=LOGIN)
    # Learn is open to anyone.
    sweep.visit("/learn/")
    sweep.visit(ARTICLE)
    sweep.visit(world.section.get_absolute_url())
    sweep.visit("/")
    sweep.assert_clean(SIGNED_OUT_PAGES)


def test_every_page_a_patient_reaches_passes_axe(page, live_server, checks, world):
    sweep = Sweep(page, live_server.url, checks)
    sign_in_on(page, live_server.url, "alice@example.org", "alice-password-123")
    sweep.check("home, just signed in (with its message)")

    # Learn.
    sweep.visit("/learn/")
    sweep.visit(ARTICLE)
    sweep.visit(world.section.get_absolute_url())
    expect(page.locator(".diary-activity")).not_to_contain_text("How often you logged")
    sweep.check("section, its diary activity loaded")
    sweep.visit(f"/diary/sections/{world.section.pk}/activity/")

    # The diary's pages (its htmx states are the diary tests').
    sweep.visit("/")
    sweep.check_open_menus("home")
    sweep.visit("/diary/")
    entry = world.entry.pk
    sweep.visit(f"/diary/entries/{entry}/")
    sweep.visit(f"/diary/entries/{entry}/edit/")
    sweep.visit(f"/diary/entries/{entry}/delete/")
    sweep.visit("/diary/entries/999999/", status=404)

    # The summary and its date form.
    sweep.visit("/summary/")
    sweep.visit("/summary/?start=2026-06-30&end=2026-06-01", status=400)  # "to" before "from"
    sweep.visit("/summary/?days=7")

    # Appointments, questions, treatments.
    sweep.visit("/appointments/")
    sweep.visit("/appointments/new/")
    sweep.submit(
        "Save", "new appointment, nothing filled in", form="main form.stack-form", shows=PROBLEM
    )
    sweep.visit(f"/appointments/{world.appointment.pk}/edit/")
    sweep.visit(f"/appointments/{world.appointment.pk}/delete/")
    sweep.visit("/questions/new/")
    sweep.visit("/questions/")
    sweep.submit("Add question", "questions: add, nothing written (htmx)", shows=PROBLEM)
    page.get_by_label("Your question").fill("Can I still travel in the summer?")
    sweep.submit(
        "Add question", "questions: one added (htmx)", shows="Can I still travel in the summer?"
    )
    sweep.submit("Mark as asked", "questions: marked as asked (htmx)", shows="Mark as not asked")
    sweep.visit(f"/questions/{world.question.pk}/edit/")
    sweep.visit(f"/questions/{world.question.pk}/delete/")
    sweep.visit("/treatments/")
    sweep.visit("/treatments/new/")
    sweep.submit(
        "Save", "new treatment, nothing filled in", form="main form.stack-form", shows=PROBLEM
    )
    sweep.visit(f"/treatments/{world.treatment.pk}/edit/")
    sweep.visit(f"/treatments/{world.treatment.pk}/delete/")

    # The weekly check-in, from the start to done.
    sweep.visit("/check-in/")
    sweep.submit("Start the check-in", "check-in: the first question")
    sweep.submit("Next", "check-in: no answer given (htmx)", shows=PROBLEM)
    page.locator("main form input[type=radio]").first.check()
    sweep.submit("Next", "check-in: the next question (htmx)")
    page.locator(".check-in-back").click()
    page.wait_for_load_state("networkidle")
    sweep.check("check-in: back (htmx)")
    check_in = CheckIn.objects.get(patient=world.alice, submitted_at__isnull=True).pk
    sweep.visit(f"/check-in/{check_in}/", lands_on=rf"/check-in/{check_in}/questions/\d+/")
    sweep.visit(f"/check-in/{check_in}/anything-else/")
    sweep.visit(f"/check-in/{check_in}/review/")
    page.locator(".check-in-change").first.click()
    page.wait_for_load_state("networkidle")
    sweep.check("check-in: change an answer from the review (htmx)")
    sweep.visit(f"/check-in/{check_in}/review/")
    sweep.submit("Send my check-in", "check-in: done")

    # My account and what hangs off it.
    sweep.visit("/account/")
    sweep.check_open_menus("my account")
    sweep.visit("/account/details/")
    page.get_by_label("NHS number (optional)").fill("123")
    sweep.submit("Save your details", "your details: a wrong NHS number (htmx)", shows=PROBLEM)
    page.get_by_label("NHS number (optional)").fill("")
    sweep.submit("Save your details", "your details: saved (htmx)")
    sweep.visit("/account/activity/")
    sweep.visit("/account/care-team/")
    sweep.visit("/account/download/")
    sweep.visit("/account/delete/")
    sweep.submit("Delete my account", "delete the account: nothing filled in", shows=PROBLEM)
    sweep.visit("/reminders/")
    sweep.submit("Save your reminders", "reminders: saved (htmx)")
    sweep.visit("/calendar/")
    sweep.submit("Make my calendar address", "calendar: the address made")
    assert CalendarFeed.objects.filter(patient=world.alice).exists()
    sweep.visit("/caregivers/")
    sweep.visit("/caregivers/invite/")
    sweep.submit("Send the invitation", "invite someone: nothing filled in", shows=PROBLEM)
    sweep.visit(f"/caregivers/{world.grant.pk}/edit/")
    sweep.visit(f"/caregivers/{world.grant.pk}/revoke/")
    sweep.visit(f"/caregivers/accept/{world.pending_invitation}/")  # her own invitation
    sweep.visit(f"/caregivers/accept/{world.expired_invitation}/", status=410)

    # The sign-in pages she can open (allauth's, in our templates).
    sweep.visit("/accounts/sessions/")
    sweep.visit("/accounts/email/")
    sweep.visit("/accounts/password/change/")
    sweep.submit("Change password", "change password: nothing filled in", shows=PROBLEM)
    sweep.visit("/accounts/reauthenticate/")
    sweep.visit("/accounts/2fa/")
    sweep.visit("/accounts/2fa/totp/activate/", lands_on=re.escape("/accounts/reauthenticate/"))
    page.get_by_label("Password").fill("alice-password-123")
    sweep.submit("Continue", "set up an authenticator app")
    sweep.submit("Turn on two-step sign-in", "set up an authenticator app: no code", shows=PROBLEM)
    sweep.visit("/accounts/logout/")
    sweep.assert_clean(PATIENT_PAGES)


def test_every_page_a_clinician_reaches_passes_axe(browser, live_server, world):
    context = browser.new_context()
    page = context.new_page()
    sweep = Sweep(page, live_server.url, PageChecks(page))
    sign_in_on(page, live_server.url, "nora@example.org", "nora-password-123")
    sweep.check("the second step")
    sweep.submit("Continue", "the second step: no code", shows=PROBLEM)
    code, _window = totp_now(world.nurse_secret)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()

    sweep.visit("/care-team/")
    sweep.visit(f"/care-team/alerts/{world.alert.pk}/")
    sweep.submit("Close the alert", "an alert: closed with nothing chosen", shows=PROBLEM)
    sweep.visit("/care-team/patients/")
    patient = f"/care-team/patients/{world.alice.pk}/"
    sweep.visit(patient)
    sweep.visit(f"{patient}?start=2026-06-30&end=2026-06-01", status=400)
    page.goto(f"{live_server.url}/care-team/alerts/{world.alert.pk}/")
    page.get_by_label("Called her").check()
    sweep.submit("Close the alert", "an alert: closed")
    sweep.visit("/care-team/")  # now empty
    sweep.visit("/accounts/2fa/")
    sweep.visit("/accounts/2fa/reauthenticate/")
    sweep.visit("/accounts/2fa/totp/deactivate/", lands_on=re.escape("/accounts/reauthenticate/"))
    page.get_by_label("Password").fill("nora-password-123")
    sweep.submit("Continue", "turn off two-step sign-in")
    sweep.visit("/accounts/2fa/recovery-codes/")
    sweep.visit("/accounts/2fa/recovery-codes/generate/")
    context.close()
    sweep.assert_clean(CLINICIAN_PAGES)


def test_every_page_a_caregiver_reaches_passes_axe(browser, live_server, world):
    context = browser.new_context()
    page = context.new_page()
    sweep = Sweep(page, live_server.url, PageChecks(page))
    sign_in_on(page, live_server.url, "dana@example.org", "dana-password-123")
    sweep.check("her own home, just signed in")
    for path in ("/diary/", "/summary/", "/questions/"):  # her own, empty
        sweep.visit(path)
    sweep.visit(f"/caregivers/accept/{world.invitation}/")
    sweep.submit("Accept", "caregiver: accepted")
    sweep.visit("/caregivers/")
    page.get_by_role("button", name=re.compile("Open Alice")).first.click()
    page.wait_for_load_state()
    sweep.check("caregiver: in Alice's diary")
    for path in ("/", "/diary/", "/summary/", "/questions/", "/appointments/", "/treatments/"):
        sweep.visit(path)
    sweep.visit(f"/diary/entries/{world.entry.pk}/")
    sweep.visit("/check-in/")
    sweep.visit("/account/")  # always her own
    sweep.visit("/caregivers/", status=404)  # not while in Alice's diary
    sweep.submit("Back to my own diary", "caregiver: back in her own diary")
    # Gail lets her view only: a page for logging says so.
    gail = make_patient("gail", "gail-password-123", first_name="Gail")
    view_only = CaregiverGrant(patient=gail, email="dana@example.org", patient_name="Gail")
    view_only.new_token()
    view_only.caregiver = get_user_model().objects.get(username="dana")
    view_only.accepted_at = timezone.now()
    view_only.save()
    page.goto(f"{live_server.url}/caregivers/")
    page.get_by_role("button", name=re.compile("Open Gail")).first.click()
    page.wait_for_load_state()
    sweep.visit("/appointments/new/", status=403)
    context.close()
    sweep.assert_clean(CAREGIVER_PAGES)


def url_names(patterns=None, namespace: str = "") -> set[str]:
    names = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern) == settings.ADMIN_PATH:
                continue  # the staff admin: Django's own pages, for staff
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            names |= url_names(pattern.url_patterns, inner)
        elif pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def test_every_url_is_swept_or_said_not_to_be_a_page():
    swept = SIGNED_OUT_PAGES | PATIENT_PAGES | CLINICIAN_PAGES | CAREGIVER_PAGES
    assert swept.isdisjoint(NOT_PAGES), swept & NOT_PAGES.keys()
    assert sorted(url_names() - swept - NOT_PAGES.keys()) == []
    assert sorted((swept | NOT_PAGES.keys()) - url_names()) == []  # none left over
