"""manage.py run_scheduler: what `make run` and the systemd unit start beside db_worker."""

import signal
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from portal.models import ReminderDelivery
from tests.reminders.conftest import opt_in, run_worker, utc

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _signal_handlers_put_back():
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def test_once_enqueues_what_is_due_and_says_how_many(
    alice, django_capture_on_commit_callbacks, mailoutbox
):
    opt_in(alice, at=utc(2027, 5, 1))
    out = StringIO()
    with (
        time_machine.travel(utc(2027, 5, 3, 9, 0, 20), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("run_scheduler", "--once", stdout=out)
    # A count only: no patient and no kind of reminder in the log.
    assert out.getvalue() == "Enqueued 1 reminder(s).\n"
    assert ReminderDelivery.objects.get().patient == alice
    assert run_worker(utc(2027, 5, 3, 9, 1)) == ["sent"]
    assert len(mailoutbox) == 1
    out = StringIO()
    with time_machine.travel(utc(2027, 5, 3, 9, 1), tick=False):
        call_command("run_scheduler", "--once", stdout=out)
    assert out.getvalue() == ""


def test_an_interval_under_a_second_is_refused():
    with pytest.raises(CommandError, match=r"--interval must be at least 1 second\."):
        call_command("run_scheduler", "--interval", "0")
