"""time-machine drives the week: when reminders fall due, that each is claimed once (the
database's unique constraint decides), caught up once after the worker was down, and
never before she opted in or after she stopped it."""

import threading
from datetime import timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django_tasks_db.models import DBTaskResult

from portal.models import Appointment, ReminderDelivery, ReminderSettings
from portal.reminders import schedule
from portal.reminders.emails import unsubscribe_token
from tests.reminders.conftest import opt_in, run_worker, utc

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
CHECK_IN = ReminderDelivery.Kind.CHECK_IN
APPOINTMENT = ReminderDelivery.Kind.APPOINTMENT


def every(start, end, step=timedelta(hours=1)):
    moment = start
    while moment <= end:
        yield moment
        moment += step


def test_the_weekly_reminder_stays_at_her_hour_when_the_clocks_go_forward(alice, scheduler):
    # Mondays at 10:00 London: 22 March 2027 is still GMT, 29 March is BST (UTC+1).
    opt_in(alice, at=utc(2027, 3, 15, 12))
    claimed = []
    for moment in every(utc(2027, 3, 21), utc(2027, 3, 30)):
        claimed += scheduler(moment)
    assert [d.due_at for d in claimed] == [utc(2027, 3, 22, 10), utc(2027, 3, 29, 9)]
    assert [d.due_at.astimezone(LONDON).hour for d in claimed] == [10, 10]
    # Claimed at the hour it fell due, not an hour early or late.
    assert [d.claimed_at for d in claimed] == [d.due_at for d in claimed]


def test_the_weekly_reminder_stays_at_her_hour_when_the_clocks_go_back(alice, scheduler):
    # 25 October 2027 is BST; 1 November is GMT.
    opt_in(alice, at=utc(2027, 10, 18, 12))
    claimed = []
    for moment in every(utc(2027, 10, 24), utc(2027, 11, 2)):
        claimed += scheduler(moment)
    assert [d.due_at for d in claimed] == [utc(2027, 10, 25, 9), utc(2027, 11, 1, 10)]


def test_in_new_york_the_hour_follows_its_own_clock_change(alice, scheduler):
    # The US moves its clocks on 14 March 2027, two weeks before the UK.
    opt_in(alice, at=utc(2027, 3, 1), weekday=ReminderSettings.Weekday.FRIDAY, hour=18,
           time_zone="America/New_York")  # fmt: skip
    claimed = []
    for moment in every(utc(2027, 3, 11), utc(2027, 3, 20)):
        claimed += scheduler(moment)
    assert [d.due_at for d in claimed] == [utc(2027, 3, 12, 23), utc(2027, 3, 19, 22)]


def test_an_hour_the_clock_skips_or_repeats_sends_one_reminder(alice, scheduler):
    # Sundays at 01:00: on 28 March 01:00 does not happen in London (the first instant after
    # is 02:00 BST); on 31 October it happens twice, and she gets one email.
    opt_in(alice, at=utc(2027, 3, 20), weekday=ReminderSettings.Weekday.SUNDAY, hour=1)
    claimed = []
    for moment in every(utc(2027, 3, 27, 22), utc(2027, 3, 28, 6), timedelta(minutes=15)):
        claimed += scheduler(moment)
    for moment in every(utc(2027, 10, 30, 22), utc(2027, 10, 31, 6), timedelta(minutes=15)):
        claimed += scheduler(moment)
    assert [d.due_at for d in claimed] == [
        utc(2027, 3, 28, 1),  # 02:00 BST
        utc(2027, 10, 31, 0),  # the first 01:00 (BST)
    ]


def test_none_before_she_opted_in(alice, scheduler):
    # She opts in at 10:30 on a Monday: that morning's 10:00 was before it.
    reminders = opt_in(alice, at=utc(2027, 5, 3, 10, 30))
    assert scheduler(utc(2027, 5, 3, 10, 31)) == []
    assert [d.due_at for d in scheduler(utc(2027, 5, 10, 10))] == [utc(2027, 5, 10, 9)]
    # Not opted in at all: nothing, whatever the settings say.
    ReminderSettings.objects.filter(pk=reminders.pk).update(enabled_at=None)
    assert scheduler(utc(2027, 5, 17, 10)) == []
    ReminderSettings.objects.filter(pk=reminders.pk).update(
        weekly_check_in=False, enabled_at=utc(2027, 5, 1)
    )
    assert scheduler(utc(2027, 5, 24, 10)) == []


def test_none_after_she_unsubscribed(alice, client, scheduler):
    opt_in(alice, at=utc(2027, 5, 1))
    assert len(scheduler(utc(2027, 5, 3, 9))) == 1
    response = client.post(f"/reminders/unsubscribe/{unsubscribe_token(alice.pk, CHECK_IN)}/")
    assert response.status_code == 200
    for moment in every(utc(2027, 5, 3, 10), utc(2027, 5, 25), timedelta(hours=6)):
        assert scheduler(moment) == []
    assert ReminderDelivery.objects.count() == 1


def test_a_reminder_claimed_before_she_unsubscribed_is_not_sent(alice, client, scheduler):
    opt_in(alice, at=utc(2027, 5, 1))
    assert len(scheduler(utc(2027, 5, 3, 9))) == 1
    client.post(f"/reminders/unsubscribe/{unsubscribe_token(alice.pk, CHECK_IN)}/")
    assert run_worker(utc(2027, 5, 3, 9, 1)) == ["no longer wanted"]
    assert mail.outbox == []


def test_the_worker_sends_it_and_marks_it_sent(alice, scheduler):
    opt_in(alice, at=utc(2027, 5, 1))
    [delivery] = scheduler(utc(2027, 5, 3, 9))
    assert run_worker(utc(2027, 5, 3, 9, 0, 5)) == ["sent"]
    delivery.refresh_from_db()
    assert delivery.sent_at == utc(2027, 5, 3, 9, 0, 5)
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]


def test_reminders_due_while_the_worker_was_down_are_sent_late_once(alice, scheduler):
    opt_in(alice, at=utc(2027, 5, 1))
    # Down from Monday 08:00 to 20:00: the 10:00 (09:00 UTC) reminder goes at 20:00.
    [late] = scheduler(utc(2027, 5, 3, 20))
    assert late.due_at == utc(2027, 5, 3, 9) and late.claimed_at == utc(2027, 5, 3, 20)
    for moment in every(utc(2027, 5, 3, 20, 1), utc(2027, 5, 5), timedelta(minutes=30)):
        assert scheduler(moment) == []
    assert run_worker() == ["sent"]
    assert len(mail.outbox) == 1


def test_a_claimed_reminder_the_worker_reaches_a_day_late_is_dropped(alice, scheduler):
    opt_in(alice, at=utc(2027, 5, 1))
    # The scheduler ran on time; the worker was down until Tuesday midday.
    [delivery] = scheduler(utc(2027, 5, 3, 9))
    assert run_worker(utc(2027, 5, 4, 12)) == ["no longer wanted"]
    delivery.refresh_from_db()
    assert delivery.sent_at is None and mail.outbox == []


def test_catch_up_stops_after_a_day(alice, scheduler):
    opt_in(alice, at=utc(2027, 5, 1))
    # Down for the whole Monday and into Tuesday: a check-in reminder two days late is
    # no reminder at all; next week's comes on time.
    assert scheduler(utc(2027, 5, 4, 9, 1)) == []
    assert [d.due_at for d in scheduler(utc(2027, 5, 10, 9))] == [utc(2027, 5, 10, 9)]


def appointment(patient, starts_at, created_at):
    made = Appointment.objects.create(
        patient=patient, starts_at=starts_at, with_whom="Dr Oncologist", location="Ward 5"
    )
    Appointment.objects.filter(pk=made.pk).update(created_at=created_at)
    return made


def test_the_appointment_reminder_comes_the_day_before_at_her_hour(alice, scheduler):
    opt_in(alice, at=utc(2027, 5, 1), weekly_check_in=False, appointment_day_before=True)
    visit = appointment(alice, utc(2027, 5, 12, 9, 30), created_at=utc(2027, 5, 2))
    claimed = []
    for moment in every(utc(2027, 5, 10), utc(2027, 5, 13)):
        claimed += scheduler(moment)
    assert [(d.kind, d.due_at, d.appointment_key) for d in claimed] == [
        (APPOINTMENT, utc(2027, 5, 11, 9), visit.pk)  # 10:00 BST on the 11th
    ]


def test_moving_her_hour_after_the_claim_does_not_remind_her_twice(alice, scheduler):
    settings = opt_in(alice, at=utc(2027, 5, 1), weekly_check_in=False, appointment_day_before=True)
    appointment(alice, utc(2027, 5, 12, 9, 30), created_at=utc(2027, 5, 2))
    assert len(scheduler(utc(2027, 5, 11, 9))) == 1  # 10:00 BST the day before
    # At noon she moves her hour to 18:00 (the page renews enabled_at): no second one.
    ReminderSettings.objects.filter(pk=settings.pk).update(hour=18, enabled_at=utc(2027, 5, 11, 11))
    assert scheduler(utc(2027, 5, 11, 17)) == []
    assert ReminderDelivery.objects.filter(kind=APPOINTMENT).count() == 1


def test_an_appointment_reminder_is_never_sent_after_it_began(alice, scheduler):
    opt_in(alice, at=utc(2027, 5, 1), weekly_check_in=False, appointment_day_before=True)
    appointment(alice, utc(2027, 5, 12, 8), created_at=utc(2027, 5, 2))
    # The worker was down from the day before until after the appointment began.
    assert scheduler(utc(2027, 5, 12, 8, 1)) == []
    # Down until an hour before it: sent late, once, before it begins.
    other = appointment(alice, utc(2027, 5, 20, 8), created_at=utc(2027, 5, 2))
    [late] = scheduler(utc(2027, 5, 20, 7))
    assert late.appointment_key == other.pk
    assert run_worker(utc(2027, 5, 20, 7)) == ["sent"]
    assert "today at 09:00" in mail.outbox[0].body


def test_an_appointment_entered_after_its_reminder_time_gets_none(alice, scheduler):
    opt_in(alice, at=utc(2027, 5, 1), weekly_check_in=False, appointment_day_before=True)
    appointment(alice, utc(2027, 5, 12, 8), created_at=utc(2027, 5, 11, 15))
    assert scheduler(utc(2027, 5, 11, 15, 1)) == []


def test_a_deleted_appointment_is_not_reminded_of(alice, scheduler):
    opt_in(alice, at=utc(2027, 5, 1), weekly_check_in=False, appointment_day_before=True)
    visit = appointment(alice, utc(2027, 5, 12, 8), created_at=utc(2027, 5, 2))
    assert len(scheduler(utc(2027, 5, 11, 9))) == 1
    visit.delete()
    assert run_worker(utc(2027, 5, 11, 9, 1)) == ["no longer wanted"]
    assert mail.outbox == []


def test_a_second_claim_of_the_same_reminder_is_refused_by_the_database(alice, scheduler):
    opt_in(alice, at=utc(2027, 5, 1))
    now = utc(2027, 5, 3, 9)
    [due] = schedule.due_reminders(now)
    # Two schedulers that both saw it unclaimed: the unique constraint lets one through.
    first, second = schedule.claim(due, now), schedule.claim(due, now)
    assert first is not None and second is None
    assert ReminderDelivery.objects.count() == 1
    # And a whole second run at the same minute claims nothing.
    assert scheduler(now) == []


def test_the_loser_of_a_claim_enqueues_nothing(alice):
    opt_in(alice, at=utc(2027, 5, 1))
    now = utc(2027, 5, 3, 9)
    [due] = schedule.due_reminders(now)
    assert schedule.claim(due, now) is not None
    assert schedule.claim(due, now) is None
    assert DBTaskResult.objects.count() == 1


def test_a_claim_and_its_task_are_written_together(alice, monkeypatch):
    """A crash while enqueueing leaves no claim behind to block the reminder for good."""
    from portal.reminders import tasks

    opt_in(alice, at=utc(2027, 5, 1))
    now = utc(2027, 5, 3, 9)
    [due] = schedule.due_reminders(now)

    def crash(*args, **kwargs):
        raise RuntimeError("the worker's database went away")

    monkeypatch.setattr(tasks, "send_reminder", SimpleNamespace(enqueue=crash))
    with pytest.raises(RuntimeError):
        schedule.claim(due, now)
    assert not ReminderDelivery.objects.exists()
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_racing_send_each_reminder_once(alice, bob, database_vendor):
    # make test's PostgreSQL leg runs it (CI requires that leg); SQLite has the simulated claim.
    if database_vendor != "postgresql":
        pytest.skip("two threads writing at once need PostgreSQL (SQLite: the simulated claim)")
    opt_in(alice, at=utc(2027, 5, 1))
    opt_in(bob, at=utc(2027, 5, 1), appointment_day_before=True)
    appointment(bob, utc(2027, 5, 4, 12), created_at=utc(2027, 5, 2))
    now = utc(2027, 5, 3, 9, 30)
    due = schedule.due_reminders(now)
    assert len(due) == 3
    start = threading.Barrier(2)
    claimed: list = []

    def one_scheduler():
        try:
            start.wait(timeout=10)
            # Both saw every reminder unclaimed; the inserts race.
            claimed.extend(d for d in (schedule.claim(r, now) for r in due) if d is not None)
        finally:
            connection.close()

    threads = [threading.Thread(target=one_scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(claimed) == 3
    assert ReminderDelivery.objects.count() == 3
    assert DBTaskResult.objects.count() == 3
    assert run_worker(now) == ["sent"] * 3
    assert len(mail.outbox) == 3


def test_a_worker_killed_mid_send_leaves_the_claim_and_nothing_sends_it_again(alice, scheduler):
    opt_in(alice, at=utc(2027, 5, 1))
    [delivery] = scheduler(utc(2027, 5, 3, 9))
    # The worker took the task and died before marking anything: its task row stays
    # RUNNING, the claim stays unsent.
    task = DBTaskResult.objects.get()
    task.claim("killed-worker")
    for moment in every(utc(2027, 5, 3, 9, 1), utc(2027, 5, 4, 12), timedelta(minutes=30)):
        assert scheduler(moment) == []
    assert run_worker(utc(2027, 5, 4, 12)) == []
    delivery.refresh_from_db()
    assert delivery.sent_at is None
    assert mail.outbox == []


def test_a_send_that_fails_midway_is_not_retried(alice, scheduler, monkeypatch):
    opt_in(alice, at=utc(2027, 5, 1))
    scheduler(utc(2027, 5, 3, 9))

    def connection_lost(self, *args, **kwargs):
        raise ConnectionResetError("the mail relay went away mid-message")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", connection_lost)
    assert run_worker(utc(2027, 5, 3, 9)) == ["FAILED"]
    monkeypatch.undo()
    # It may have reached her: at most once, so it is neither claimed nor sent again.
    assert scheduler(utc(2027, 5, 3, 9, 1)) == []
    assert run_worker(utc(2027, 5, 3, 9, 1)) == []
    assert mail.outbox == []


def test_the_scheduler_costs_the_same_queries_for_one_or_many_patients(
    alice, django_assert_num_queries, django_user_model
):
    opt_in(alice, at=utc(2027, 5, 1))
    with time_machine.travel(utc(2027, 5, 5, 12), tick=False), django_assert_num_queries(2):
        schedule.claim_due_reminders()
    for n in range(5):
        patient = django_user_model.objects.create_user(f"p{n}", email=f"p{n}@example.org")
        opt_in(patient, at=utc(2027, 5, 1), appointment_day_before=True)
    with time_machine.travel(utc(2027, 5, 5, 12), tick=False), django_assert_num_queries(2):
        schedule.claim_due_reminders()


def test_an_unknown_stored_time_zone_falls_back_to_the_clinics(alice, scheduler):
    reminders = opt_in(alice, at=utc(2027, 5, 1))
    ReminderSettings.objects.filter(pk=reminders.pk).update(time_zone="Mars/Olympus_Mons")
    assert [d.due_at for d in scheduler(utc(2027, 5, 3, 9))] == [utc(2027, 5, 3, 9)]
