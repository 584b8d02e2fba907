"""Sending a check-in: each answered term becomes a diary entry with its answers and the
check-in it came from; red-flag and rise rules apply as for any entry, the rise compared with
her previous check-in; her words one more entry, matched as the diary matches."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from education.models import RedFlagRule
from portal.models import AuditEvent, CheckIn, DiaryEntry, NoticeLevel
from tests.checkin.conftest import open_check_in, term


def send(client, check_in):
    return client.post(f"/check-in/{check_in.pk}/submit/")


def test_each_answered_term_becomes_an_entry_with_its_answers_and_check_in(
    alice_client, alice, check_in_set
):
    check_in = open_check_in(
        alice,
        Fatigue={"severity": 1, "interference": 2},
        **{"General pain": {"frequency": 0}, "Diarrhea": {"frequency": 1}},
    )
    response = send(alice_client, check_in)
    assert response.url == f"/check-in/{check_in.pk}/done/"
    check_in.refresh_from_db()
    assert check_in.submitted_at is not None
    entries = {entry.symptom.pro_ctcae_term: entry for entry in DiaryEntry.objects.all()}
    assert set(entries) == {"Fatigue", "General pain", "Diarrhea"}  # unanswered: no entry
    fatigue = entries["Fatigue"]
    assert (fatigue.severity, fatigue.interference, fatigue.frequency) == (1, 2, None)
    assert entries["General pain"].frequency == 0
    for entry in entries.values():
        assert entry.check_in == check_in
        assert entry.patient == alice
        assert entry.occurred_at == check_in.submitted_at
        assert (entry.own_words, entry.entered_by) == ("", None)
    assert AuditEvent.objects.filter(action="checkin.submit", record_id=str(check_in.pk)).exists()
    assert AuditEvent.objects.filter(action="checkin.entry_create").count() == 3


def test_a_top_level_answer_raises_the_red_flag_and_the_done_page_shows_it(
    alice_client, alice, check_in_set, contacts
):
    check_in = open_check_in(alice, Fatigue={"severity": 4, "interference": 1})
    send(alice_client, check_in)
    entry = DiaryEntry.objects.get()
    rule = RedFlagRule.objects.get(condition=RedFlagRule.Condition.TOP_LEVEL)
    assert (entry.notice_level, entry.red_flag) == (NoticeLevel.CONTACT, rule)
    html = alice_client.get(f"/check-in/{check_in.pk}/done/").content.decode()
    assert "Please contact your care team" in html
    assert rule.patient_wording in html
    assert f'<a href="{contacts.acute_oncology_tel}">01632 960 001</a>' in html
    assert "You rated this as very severe." in html
    assert 'href="/diary/"' in html


def test_the_rise_compares_with_her_previous_check_in(alice_client, alice, check_in_set):
    fatigue = term("Fatigue")
    week_ago = timezone.now() - timedelta(days=7)
    previous = CheckIn.objects.create(
        patient=alice, started_at=week_ago, submitted_at=week_ago + timedelta(minutes=2)
    )
    DiaryEntry.objects.create(
        patient=alice, symptom=fatigue, severity=0, occurred_at=week_ago, check_in=previous
    )
    check_in = open_check_in(alice, Fatigue={"severity": 2, "interference": 1})
    send(alice_client, check_in)
    entry = DiaryEntry.objects.get(check_in=check_in)
    assert entry.notice_level == NoticeLevel.CONTACT
    assert entry.earlier_milder_entry().check_in == previous
    html = alice_client.get(f"/check-in/{check_in.pk}/done/").content.decode()
    assert "It is 2 levels worse than on" in html


def test_the_rise_is_against_her_last_check_in_not_any_milder_earlier_one(
    alice_client, alice, check_in_set
):
    """Fatigue None, then Severe, then Severe again: the third is no rise (week one is not
    the baseline for ever)."""
    fatigue = term("Fatigue")
    for weeks_ago, severity in ((2, 0), (1, 3)):
        when = timezone.now() - timedelta(days=7 * weeks_ago)
        earlier = CheckIn.objects.create(
            patient=alice, started_at=when, submitted_at=when + timedelta(minutes=2)
        )
        DiaryEntry.objects.create(
            patient=alice, symptom=fatigue, severity=severity, occurred_at=when, check_in=earlier
        )
    check_in = open_check_in(alice, Fatigue={"severity": 3, "interference": 1})
    send(alice_client, check_in)
    entry = DiaryEntry.objects.get(check_in=check_in)
    assert entry.earlier_milder_entry() is None
    assert entry.rose is False


def test_a_diary_entry_between_check_ins_is_not_the_rises_baseline(
    alice_client, alice, check_in_set
):
    fatigue = term("Fatigue")
    week_ago = timezone.now() - timedelta(days=7)
    previous = CheckIn.objects.create(
        patient=alice, started_at=week_ago, submitted_at=week_ago + timedelta(minutes=2)
    )
    DiaryEntry.objects.create(
        patient=alice, symptom=fatigue, severity=2, occurred_at=week_ago, check_in=previous
    )
    DiaryEntry.objects.create(
        patient=alice, symptom=fatigue, severity=0, occurred_at=timezone.now() - timedelta(days=1)
    )
    check_in = open_check_in(alice, Fatigue={"severity": 2, "interference": 1})
    send(alice_client, check_in)
    assert DiaryEntry.objects.get(check_in=check_in).notice_level == NoticeLevel.NONE


def test_her_words_become_an_entry_of_the_best_match(alice_client, alice, check_in_set):
    check_in = open_check_in(alice, Fatigue={"severity": 1, "interference": 0})
    check_in.own_words = "my hip aches"
    check_in.answers["own_words"] = {"severity": 2}
    check_in.save()
    send(alice_client, check_in)
    words = DiaryEntry.objects.get(own_words="my hip aches")
    assert (words.symptom.slug, words.severity, words.check_in) == ("bone-pain", 2, check_in)
    check_in.refresh_from_db()
    assert check_in.own_words == "my hip aches"
    assert "own_words" not in check_in.answers  # only the terms' answers stay


def test_a_temperature_in_her_words_is_read_and_raises_its_red_flag(
    alice_client, alice, check_in_set
):
    check_in = open_check_in(alice, Fatigue={"severity": 0})
    check_in.own_words = "high temperature 38.6"
    check_in.answers["own_words"] = {"severity": 2}
    check_in.save()
    send(alice_client, check_in)
    words = DiaryEntry.objects.get(own_words="high temperature 38.6")
    assert words.symptom.name == "High temperature"
    assert words.temperature_c == Decimal("38.6")
    assert words.red_flag.condition == RedFlagRule.Condition.TEMPERATURE_AT_LEAST


def test_words_that_match_nothing_are_kept_in_her_own_words(alice_client, alice, check_in_set):
    check_in = open_check_in(alice, Fatigue={"severity": 0})
    check_in.own_words = "qwxz blorp"
    check_in.answers["own_words"] = {"severity": 1}
    check_in.save()
    send(alice_client, check_in)
    words = DiaryEntry.objects.get(own_words="qwxz blorp")
    assert (words.symptom, words.severity) == (None, 1)


def test_sending_twice_makes_the_entries_once(alice_client, alice, check_in_set):
    check_in = open_check_in(alice, Fatigue={"severity": 1, "interference": 0})
    send(alice_client, check_in)
    response = send(alice_client, check_in)
    assert response.url == f"/check-in/{check_in.pk}/done/"
    assert DiaryEntry.objects.count() == 1


def test_a_sent_check_in_takes_no_more_answers(alice_client, alice, check_in_set):
    from tests.checkin.conftest import answer

    check_in = open_check_in(alice, Fatigue={"severity": 1, "interference": 0})
    send(alice_client, check_in)
    response = answer(alice_client, check_in, 1, "4")
    assert response.url == f"/check-in/{check_in.pk}/done/"
    check_in.refresh_from_db()
    assert check_in.answers[str(term("Fatigue").pk)] == {"severity": 1, "interference": 0}
    # After sending, the start page offers a new one.
    assert "Start the check-in" in alice_client.get("/check-in/").content.decode()


def test_nothing_answered_is_an_error_and_sends_nothing(alice_client, alice, check_in_set):
    check_in = open_check_in(alice)
    response = send(alice_client, check_in)
    assert response.status_code == 400
    assert "Answer at least one question" in response.content.decode()
    check_in.refresh_from_db()
    assert check_in.submitted_at is None
    assert DiaryEntry.objects.count() == 0


def test_the_entries_show_in_her_diary(alice_client, alice, check_in_set):
    check_in = open_check_in(alice, Fatigue={"severity": 2, "interference": 3})
    send(alice_client, check_in)
    html = alice_client.get("/diary/").content.decode()
    assert "Fatigue" in html and "Quite a bit" in html
