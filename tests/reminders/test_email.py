"""The real message, over SMTP: a test server on 127.0.0.1 receives what db_worker sends.
Its body and headers hold no symptom name, note or appointment detail, and carry both
RFC 8058 headers, whose link stops the reminder in one click."""

import re
import signal
import socket
from email import message_from_bytes, policy

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.test import override_settings

from education.models import Symptom
from portal.models import Appointment, DiaryEntry, ReminderSettings
from portal.reminders.schedule import claim_due_reminders
from tests.reminders.conftest import opt_in, utc

NOTE = "private words about the scan and my liver"


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it so
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    mailers = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": "127.0.0.1",
                "port": controller.port,
                "use_tls": False,
                "timeout": 10,
            },
        }
    }
    with override_settings(MAILERS=mailers, PORTAL_BASE_URL="https://portal.example.org"):
        yield inbox
    controller.stop()


@pytest.fixture
def db_worker():
    """`manage.py db_worker --batch`, the command production runs, in this process; the
    signal handlers it installs are put back afterwards."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}

    def run():
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    yield run
    for sig, handler in saved.items():
        signal.signal(sig, handler)


@pytest.fixture
def alices_diary(alice, symptoms):
    nausea = Symptom.objects.get(slug="nausea")
    DiaryEntry.objects.create(
        patient=alice, symptom=nausea, severity=3, occurred_at=utc(2027, 5, 2, 8), note=NOTE
    )
    DiaryEntry.objects.create(
        patient=alice, own_words="tingling toes", severity=2, occurred_at=utc(2027, 5, 2, 9)
    )
    appointment = Appointment.objects.create(
        patient=alice,
        starts_at=utc(2027, 5, 4, 9, 30),
        with_whom="Dr Oncologist",
        location="Breast unit, ward 5",
        purpose="scan results",
        notes="ask about the liver",
    )
    Appointment.objects.filter(pk=appointment.pk).update(created_at=utc(2027, 5, 1))
    return appointment


def received(inbox):
    return [(to, message_from_bytes(raw, policy=policy.default)) for to, raw in inbox.messages]


def words_that_must_not_appear() -> list[str]:
    names = [s.name for s in Symptom.objects.all()] + [
        s.pro_ctcae_term for s in Symptom.objects.all()
    ]
    extra = [NOTE, "tingling", "Oncologist", "Breast", "ward", "scan", "liver", "cancer"]
    return sorted({word for word in names + extra if word})


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_both_reminders_over_smtp_with_no_health_data(
    alice, alices_diary, smtp_server, db_worker, client
):
    opt_in(alice, at=utc(2027, 4, 1), appointment_day_before=True)
    with time_machine.travel(utc(2027, 5, 3, 9, 0, 30)):
        assert len(claim_due_reminders()) == 2  # Monday 10:00 BST: check-in and tomorrow's visit
        db_worker()
    messages = received(smtp_server)
    raw = {
        id(message): content
        for (_, message), (_, content) in zip(messages, smtp_server.messages, strict=True)
    }
    assert len(messages) == 2
    by_subject = {message["Subject"]: (to, message) for to, message in messages}
    assert set(by_subject) == {
        "Patient portal: your weekly check-in",
        "Patient portal: appointment reminder",
    }
    forbidden = words_that_must_not_appear()
    for to, message in by_subject.values():
        assert to == ["alice@example.org"]
        text = message.as_string()
        headers = "\n".join(f"{k}: {v}" for k, v in message.items())
        for word in forbidden:
            pattern = rf"\b{re.escape(word)}\b"
            assert not re.search(pattern, text, re.IGNORECASE), word
            assert not re.search(pattern, headers, re.IGNORECASE), word
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        # On the wire as the address itself, on one line: no RFC 2047 encoded-words.
        assert re.search(rb"\r\nList-Unsubscribe: <https://[^\r\n=?]+>\r\n", raw[id(message)])
        assert re.fullmatch(
            r"<https://portal\.example\.org/reminders/unsubscribe/[^/>]+/>",
            message["List-Unsubscribe"],
        )
        body = message.get_body().get_content()
        assert body.startswith("Hello Alice,")
        assert message["List-Unsubscribe"].strip("<>") in body  # how to stop, in words too
    check_in = by_subject["Patient portal: your weekly check-in"][1].get_body().get_content()
    assert "https://portal.example.org/check-in/" in check_in
    visit = by_subject["Patient portal: appointment reminder"][1].get_body().get_content()
    assert "You have an appointment tomorrow at 10:30." in visit
    assert "https://portal.example.org/appointments/" in visit

    # One click in her mail app: a POST to the link, with no session and no CSRF token.
    stop = by_subject["Patient portal: your weekly check-in"][1]["List-Unsubscribe"]
    path = stop.strip("<>").removeprefix("https://portal.example.org")
    client.handler.enforce_csrf_checks = True
    response = client.post(path, "List-Unsubscribe=One-Click", content_type="text/plain")
    assert response.status_code == 200
    reminders = ReminderSettings.objects.get(patient=alice)
    assert not reminders.weekly_check_in and reminders.appointment_day_before


@pytest.mark.django_db(transaction=True)
def test_without_a_first_name_the_greeting_is_hello(alice, smtp_server, db_worker):
    type(alice).objects.filter(pk=alice.pk).update(first_name="")
    opt_in(alice, at=utc(2027, 4, 1))
    with time_machine.travel(utc(2027, 5, 3, 9)):
        claim_due_reminders()
        db_worker()
    [(_, message)] = received(smtp_server)
    assert message.get_body().get_content().startswith("Hello,\r\n\r\nIt is time")
