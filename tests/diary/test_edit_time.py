"""An edit that shows the entry's own time again (the edit form's time choice, filled from
the saved time to the minute) keeps the saved time exactly."""

from datetime import UTC, datetime

import pytest

from portal.diary.forms import when_initial
from portal.models import DiaryEntry
from tests.conftest import entry


def _edit(client, saved: DiaryEntry, **overrides):
    shown = when_initial(saved.occurred_at)
    data = {
        "own_words": saved.own_words,
        "severity": str(saved.severity),
        "when": shown["when"],
        "time_today": f"{shown.get('time_today', ''):%H:%M}" if "time_today" in shown else "",
        "other_date": f"{shown['other_date']:%Y-%m-%d}" if "other_date" in shown else "",
        "other_time": f"{shown['other_time']:%H:%M}" if "other_time" in shown else "",
        "note": "changed only the note",
        **overrides,
    }
    return client.post(f"/diary/entries/{saved.pk}/edit/", data)


@pytest.mark.parametrize(
    "at",
    [
        datetime(2026, 6, 3, 9, 41, 27, 500000, tzinfo=UTC),  # seconds the form does not show
        # 01:30 GMT on 25 October 2026: the second 01:30 of the night the clocks go back
        # (the first was 00:30 UTC).
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
    ],
    ids=["seconds", "clocks-go-back"],
)
def test_an_edit_that_keeps_the_shown_time_keeps_the_saved_time(alice_client, alice, at):
    saved = entry(alice, "tired", 1, at)
    response = _edit(alice_client, saved)
    assert response.status_code == 302
    saved.refresh_from_db()
    assert saved.note == "changed only the note"
    assert saved.occurred_at == at


def test_an_edit_to_another_minute_still_moves_it(alice_client, alice):
    saved = entry(alice, "tired", 1, datetime(2026, 6, 3, 9, 41, 27, tzinfo=UTC))
    assert _edit(alice_client, saved, other_time="11:05").status_code == 302
    saved.refresh_from_db()
    assert saved.occurred_at == datetime(2026, 6, 3, 10, 5, tzinfo=UTC)  # 11:05 BST


def test_a_bad_time_left_in_a_hidden_box_does_not_block_now(alice_client):
    data = {
        "own_words": "tired",
        "severity": "1",
        "when": "now",
        "time_today": "25:99",
        "other_date": "not a date",
        "other_time": "",
        "submission_id": "3b0f1a52-6f0e-4d8e-9a59-0d6c1b7c2a11",
    }
    response = alice_client.post("/diary/entries/new/", data)
    assert response.status_code == 302
    assert DiaryEntry.objects.get().own_words == "tired"


def test_a_bad_time_in_the_chosen_box_is_still_its_error(alice_client):
    data = {"own_words": "tired", "severity": "1", "when": "today", "time_today": "25:99"}
    response = alice_client.post("/diary/entries/new/", data)
    assert response.status_code == 400
    assert "Enter the time, for example" in response.content.decode()
    assert not DiaryEntry.objects.exists()
