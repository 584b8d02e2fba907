"""Reminder helpers: alice opted in, the scheduler at a moment, and the worker's own code
running the tasks it enqueued."""

from datetime import UTC, datetime

import pytest
import time_machine
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from portal.models import ReminderSettings
from portal.reminders.schedule import claim_due_reminders


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def opt_in(patient, at: datetime, **fields) -> ReminderSettings:
    """Her settings as the page saves them at `at` (weekly on Mondays at 10:00 London)."""
    values = {
        "weekly_check_in": True,
        "weekday": ReminderSettings.Weekday.MONDAY,
        "hour": 10,
        "time_zone": "Europe/London",
        "enabled_at": at,
        **fields,
    }
    return ReminderSettings.objects.create(patient=patient, **values)


@pytest.fixture
def scheduler(django_capture_on_commit_callbacks):
    """scheduler(at) runs the scheduler at that moment, its enqueues committed."""

    def run(at: datetime):
        with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
            return claim_due_reminders()

    return run


def run_worker(at: datetime | None = None) -> list[str]:
    """Runs every ready task with db_worker's own Worker.run_task (without its loop, which
    closes the test's connection); returns their results."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    results = []
    with time_machine.travel(at or datetime.now(UTC), tick=False):
        while (task := DBTaskResult.objects.ready().first()) is not None:
            task.claim("test-worker")
            worker.run_task(task)
            task.refresh_from_db()
            results.append(task.return_value if task.status == "SUCCESSFUL" else task.status)
    return results
