"""The day rollups (DiaryDay) the summary reads always equal a recomputation from the
entries: after random creates, edits (across local midnight and the clock change, to
another symptom or other words), deletes, "Not this", check-ins and bulk writes; and the
summary's cost follows days and symptoms, not entries."""

import random
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.models import CheckIn, DiaryDay, DiaryEntry, Severity
from portal.summary import queries
from tests.checkin.conftest import check_in_set, open_check_in  # noqa: F401 - a fixture
from tests.conftest import local, make_patient, symptom

WEEK = timedelta(days=7)
# Europe/London's clock changes of 2026 (01:00 UTC both), and ordinary midnights.
CLOCK_CHANGES = [datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC)]
WORDS = ["Sore hip", "sore hip ", "SORE HIP", "tired all day", "Tired all day"]
DAY_FIELDS = [
    field.name
    for field in DiaryDay._meta.concrete_fields
    if field.name not in {"id", "patient", "symptom"}
]


def expected_days(patient) -> dict:
    """The rollups worked out from her entries here, by the rules as written."""
    entries = list(DiaryEntry.objects.filter(patient=patient).order_by("occurred_at", "pk"))

    def key(entry):
        words = "" if entry.symptom_id else entry.own_words.strip().lower()
        return (entry.symptom_id, words)

    groups = defaultdict(list)
    for entry in entries:
        groups[(*key(entry), timezone.localdate(entry.occurred_at))].append(entry)
    found = {}
    for (symptom_id, words, day), group in groups.items():
        latest = max(group, key=lambda entry: (entry.occurred_at, entry.pk))
        rated = [entry.severity for entry in group if entry.severity is not None]
        severe = [entry for entry in group if entry.severity is not None and entry.severity >= 3]
        rises = []
        for entry in group:
            before = [
                other.severity
                for other in entries
                if key(other) == key(entry)
                and other.severity is not None
                and entry.occurred_at - WEEK <= other.occurred_at < entry.occurred_at
            ]
            lowest = min(before, default=None)
            severity = entry.severity
            if (
                severity is not None
                and lowest is not None
                and severity >= 2
                and lowest <= severity - 2
            ):
                rises.append((entry, lowest))
        row = {
            "words_key": words,
            "day": day,
            "own_words": max(entry.own_words for entry in group),
            "entries": len(group),
            "entered_by_others": sum(entry.entered_by_id is not None for entry in group),
            "notes": sum(entry.note != "" for entry in group),
            "first_at": min(entry.occurred_at for entry in group),
            "last_at": max(entry.occurred_at for entry in group),
            "severity_sum": sum(rated),
            "severity_count": len(rated),
            "severe_entries": len(severe),
            "last_severe_at": max((entry.occurred_at for entry in severe), default=None),
            "rises": len(rises),
            "rise_from": min((lowest for _, lowest in rises), default=None),
            "rise_to": max((entry.severity for entry, _ in rises), default=None),
            "last_rise_at": max((entry.occurred_at for entry, _ in rises), default=None),
        }
        for name in queries.ANSWER_FIELDS:
            values = [getattr(e, name) for e in group if getattr(e, name) is not None]
            row[f"max_{name}"] = max(values) if values else None
            row[f"latest_{name}"] = getattr(latest, name)
        found[(symptom_id, words, day)] = row
    return found


def stored_days(patient) -> dict:
    return {
        (row["symptom_id"], row["words_key"], row["day"]): {name: row[name] for name in DAY_FIELDS}
        for row in DiaryDay.objects.filter(patient=patient).values("symptom_id", *DAY_FIELDS)
    }


def assert_in_step(*patients) -> None:
    for patient in patients:
        assert stored_days(patient) == expected_days(patient)


class RandomDiary:
    """Random writes of every kind the portal makes, with times near midnights and the
    clock changes."""

    def __init__(self, rng: random.Random, patients, symptoms, helper):
        self.rng, self.patients, self.symptoms, self.helper = rng, patients, symptoms, helper

    def moment(self) -> datetime:
        rng = self.rng
        if rng.random() < 0.5:
            base = rng.choice(CLOCK_CHANGES)
        else:
            day = date(2026, 3, 20) + timedelta(days=rng.randrange(20))
            base = timezone.make_aware(datetime.combine(day, datetime.min.time()))
        return base + timedelta(minutes=rng.randrange(-26 * 60, 26 * 60, 7))

    def subject(self) -> dict:
        if self.rng.random() < 0.35:
            return {"symptom": None, "own_words": self.rng.choice(WORDS)}
        return {"symptom": self.rng.choice(self.symptoms), "own_words": ""}

    def answers(self) -> dict:
        rng = self.rng
        found = {
            "severity": rng.choice([None, 0, 1, 2, 3, 4, 4]),
            "frequency": rng.choice([None, None, 0, 2, 4]),
            "presence": rng.choice([None, None, True, False]),
            "temperature_c": rng.choice([None, None, Decimal("36.4"), Decimal("38.1")]),
            "times_in_24h": rng.choice([None, None, 1, 7]),
        }
        if all(value is None for value in found.values()):
            found["severity"] = rng.randrange(5)
        return found

    def new_entry(self, **fields) -> DiaryEntry:
        rng = self.rng
        values = {
            "patient": rng.choice(self.patients),
            "occurred_at": self.moment(),
            "note": rng.choice(["", "", "A note"]),
            "entered_by": self.helper if rng.random() < 0.2 else None,
            **self.subject(),
            **self.answers(),
        }
        return DiaryEntry(**{**values, **fields})

    def some_entry(self) -> DiaryEntry | None:
        pks = list(DiaryEntry.objects.values_list("pk", flat=True))
        return DiaryEntry.objects.get(pk=self.rng.choice(pks)) if pks else None

    def step(self) -> str:
        rng = self.rng
        kind = rng.choice(
            ["create"] * 4
            + ["move", "move", "resubject", "regrade", "unmatch", "delete", "check_in"]
            + ["bulk_create", "bulk_update", "bulk_delete", "update_fields"]
        )
        entry = self.some_entry()
        if entry is None or kind == "create":
            self.new_entry().save()
            return "create"
        if kind == "move":  # across midnight, a clock change, or more than a week
            entry.occurred_at += timedelta(minutes=rng.choice([-90, -30, 45, 600, -1500, 11000]))
            entry.save()
        elif kind == "resubject":
            for name, value in self.subject().items():
                setattr(entry, name, value)
            entry.save()
        elif kind == "regrade":
            entry.severity = rng.choice([0, 1, 2, 3, 4])
            entry.note = rng.choice(["", "Changed"])
            entry.save()
        elif kind == "update_fields":
            entry.severity = rng.choice([0, 2, 4])
            entry.save(update_fields=["severity", "updated_at"])
        elif kind == "unmatch":  # "Not this": as portal/diary/views.py entry_unmatch saves it
            if entry.symptom_id:
                entry.symptom, entry.own_words = None, entry.own_words or rng.choice(WORDS)
                entry.save(update_fields=["symptom", "own_words", "entered_by", "updated_at"])
        elif kind == "delete":
            entry.delete()
        elif kind == "check_in":  # the submit's entries: one instant, one per term
            now = self.moment()
            check_in = CheckIn.objects.create(
                patient=entry.patient, started_at=now - timedelta(minutes=3), submitted_at=now
            )
            for item in rng.sample(self.symptoms, 2):
                self.new_entry(
                    patient=entry.patient,
                    check_in=check_in,
                    occurred_at=now,
                    symptom=item,
                    own_words="",
                ).save()
        elif kind == "bulk_create":
            DiaryEntry.objects.bulk_create([self.new_entry() for _ in range(rng.randrange(1, 4))])
        elif kind == "bulk_update":
            DiaryEntry.objects.filter(pk__in=[entry.pk]).update(
                occurred_at=entry.occurred_at + timedelta(hours=rng.choice([-25, 3, 30])),
                severity=rng.choice([1, 3]),
            )
        elif kind == "bulk_delete":
            DiaryEntry.objects.filter(patient=entry.patient, symptom_id=entry.symptom_id).filter(
                occurred_at__gte=entry.occurred_at - timedelta(hours=12),
                occurred_at__lte=entry.occurred_at,
            ).delete()
        return kind


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_rollups_equal_a_recomputation_after_every_random_write(alice, bob, seed):
    symptoms = [symptom(name) for name in ("Bone pain", "Fatigue", "Nausea")]
    helper = make_patient("carer", "carer-password-123")
    diary = RandomDiary(random.Random(seed), [alice, bob], symptoms, helper)
    kinds = set()
    for _ in range(70):
        kinds.add(diary.step())
        assert_in_step(alice, bob)
    assert DiaryDay.objects.filter(rises__gt=0).exists()
    assert len(kinds) >= 8, kinds
    # Her helper's account goes: the entries she entered are the patients' own.
    helper.delete()
    assert_in_step(alice, bob)
    # Rebuilding from scratch changes nothing, and is idempotent.
    before = stored_days(alice), stored_days(bob)
    call_command("rebuild_diary_days", verbosity=0)
    call_command("rebuild_diary_days", verbosity=0)
    assert (stored_days(alice), stored_days(bob)) == before


def test_an_edit_across_midnight_moves_the_entry_to_the_new_day(alice, bone_pain):
    late = DiaryEntry.objects.create(
        patient=alice, symptom=bone_pain, severity=2, occurred_at=local(date(2026, 3, 28), 23, 30)
    )
    assert list(DiaryDay.objects.values_list("day", "entries")) == [(date(2026, 3, 28), 1)]
    # The clocks go forward that night: 00:30 on the 29th is 00:30 GMT, an hour later.
    late.occurred_at += timedelta(hours=1)
    late.save()
    assert list(DiaryDay.objects.values_list("day", "entries")) == [(date(2026, 3, 29), 1)]
    assert_in_step(alice)


def test_the_clock_change_day_has_its_local_hours(alice, bone_pain):
    """25 October 2026 has 25 hours in London: 00:30 BST is 23:30 UTC the day before, and
    23:30 GMT is 23:30 UTC the same day."""
    for moment in (
        datetime(2026, 10, 24, 23, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 23, 30, tzinfo=UTC),
    ):
        DiaryEntry.objects.create(patient=alice, symptom=bone_pain, severity=1, occurred_at=moment)
    assert list(DiaryDay.objects.values_list("day", "entries")) == [(date(2026, 10, 25), 2)]


def _edit_time(client, entry: DiaryEntry, moved_to: datetime) -> None:
    """Moves the entry through its edit page, as she would, and checks that it moved."""
    response = client.post(
        f"/diary/entries/{entry.pk}/edit/",
        {
            "own_words": "sore ribs",
            "severity": "4",
            "symptom": "",
            "when": "other",
            "other_date": moved_to.strftime("%Y-%m-%d"),
            "other_time": moved_to.strftime("%H:%M"),
        },
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.occurred_at == moved_to


def test_the_writes_through_the_pages_keep_the_rollups_in_step(
    alice_client,
    alice,
    check_in_set,  # noqa: F811 - the fixture imported above
):
    """Log, edit (its time, across midnight and the clock change), "Not this" and delete in
    the diary, and a check-in, as she does them."""
    response = alice_client.post(
        "/diary/entries/new/",
        {
            "own_words": "my hip aches",
            "severity": "2",
            "when": "now",
            "submission_id": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302
    assert_in_step(alice)
    logged = DiaryEntry.objects.get()
    today = timezone.localdate(logged.occurred_at)
    assert list(DiaryDay.objects.values_list("day", flat=True)) == [today]
    # Edits with the form's "Another day": back across midnight to yesterday, then to the
    # night the clocks go forward (23:30 GMT, then 00:30 GMT on the 29th, an hour later).
    for moved_to in (
        local(today - timedelta(days=1)),
        local(date(2026, 3, 28), 23, 30),
        local(date(2026, 3, 29), 0, 30),
    ):
        _edit_time(alice_client, logged, moved_to)
        assert list(DiaryDay.objects.values_list("day", flat=True)) == [moved_to.date()]
        assert_in_step(alice)
    assert logged.occurred_at == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    check_in = open_check_in(alice, Fatigue={"severity": 3, "interference": 2})
    assert alice_client.post(f"/check-in/{check_in.pk}/submit/").status_code == 302
    assert DiaryEntry.objects.count() == 2
    assert_in_step(alice)
    matched = DiaryEntry.objects.exclude(pk=logged.pk).get()
    matched.own_words = "so tired"
    matched.save()
    assert alice_client.post(f"/diary/entries/{matched.pk}/unmatch/").status_code == 302
    assert DiaryEntry.objects.get(pk=matched.pk).symptom_id is None
    assert_in_step(alice)
    assert alice_client.post(f"/diary/entries/{logged.pk}/delete/").status_code == 302
    assert_in_step(alice)
    assert DiaryDay.objects.filter(patient=alice).count() == 1


def test_deleting_her_account_deletes_her_rollups(alice, bob, bone_pain):
    for patient in (alice, bob):
        DiaryEntry.objects.create(
            patient=patient, symptom=bone_pain, severity=1, occurred_at=timezone.now()
        )
    alice.delete()
    assert list(DiaryDay.objects.values_list("patient", flat=True)) == [bob.pk]


# The summary's cost -------------------------------------------------------------------------


def _daily(patient, symptoms, start: date, days: int, per_day: int = 3) -> None:
    rng = random.Random(7)
    DiaryEntry.objects.bulk_create(
        DiaryEntry(
            patient=patient,
            symptom=item,
            severity=rng.randrange(5),
            occurred_at=local(start + timedelta(days=day), 8 + 4 * time),
            note="A note" if rng.random() < 0.1 else "",
        )
        for day in range(days)
        for item in symptoms
        for time in range(per_day)
    )


@pytest.fixture
def three_symptoms(db):
    return [symptom(name) for name in ("Bone pain", "Fatigue", "Nausea")]


def test_five_years_cost_the_queries_of_thirty_days(
    client, alice, bob, three_symptoms, django_assert_num_queries
):
    end = date(2026, 10, 31)
    month_start, years_start = end - timedelta(days=29), end - timedelta(days=5 * 365)
    _daily(alice, three_symptoms, month_start, 30)
    _daily(bob, three_symptoms, years_start, 5 * 365 + 1)
    client.force_login(alice)
    with CaptureQueriesContext(connection) as month:
        assert client.get(f"/summary/?start={month_start}&end={end}").status_code == 200
    client.force_login(bob)
    with django_assert_num_queries(len(month)):
        assert client.get(f"/summary/?start={years_start}&end={end}").status_code == 200


def test_the_summary_reads_day_rows_not_entries(client, bob, three_symptoms):
    end = date(2026, 10, 31)
    start = end - timedelta(days=5 * 365)
    days = (end - start).days + 1
    _daily(bob, three_symptoms, start, days)
    entries = DiaryEntry.objects.filter(patient=bob).count()
    day_rows = DiaryDay.objects.for_patient(bob).between(start, end).count()
    # One row per symptom and day, a third of the entries (three a day).
    assert day_rows == days * len(three_symptoms) == entries // 3
    client.force_login(bob)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/summary/?start={start}&end={end}")
    assert response.status_code == 200
    entry_table, day_table = DiaryEntry._meta.db_table, DiaryDay._meta.db_table
    reading_entries = [q["sql"] for q in captured if entry_table in q["sql"]]
    # The overview, its latest answers, the flagged days and the timeline read the day rows;
    # of the entries, only the newest notes (LIMIT) and the red flags (none here) are read.
    assert sum(day_table in q["sql"] for q in captured) == 4
    assert len(reading_entries) == 2, reading_entries
    assert any("LIMIT" in sql for sql in reading_entries)
    rows = response.context["rows"]
    assert sum(row.entries for row in rows) == entries
    assert sum(row.days_logged for row in rows) == day_rows
    assert response.context["notes"][0].total == (
        DiaryEntry.objects.filter(patient=bob).exclude(note="").count()
    )


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_the_notes_and_red_flags_use_their_indexes(bob, three_symptoms):
    """SQLite's plan names the partial indexes (PostgreSQL's planner may scan a small table)."""
    summary_range = queries.SummaryRange(date(2026, 10, 1), date(2026, 10, 31))
    notes = (
        queries._entries(bob, summary_range).exclude(note="").order_by("-occurred_at", "-pk")[:5]
    )
    assert "entry_patient_note_time" in notes.explain()
    flags = queries._entries(bob, summary_range).filter(red_flag__isnull=False)
    assert "entry_patient_red_flag_time" in flags.explain()
    helpers = queries._entries(bob, summary_range).filter(entered_by__isnull=False)
    assert "entry_patient_entered_by_time" in helpers.explain()


def test_the_trend_splits_the_range_by_whole_days(alice_client, alice, bone_pain):
    """Seven days: the first three are the first half, the middle day and the last three
    the second."""
    start = date(2026, 10, 1)
    for offset, severity in ((0, 1), (2, 1), (3, 3), (6, 3)):
        DiaryEntry.objects.create(
            patient=alice,
            symptom=bone_pain,
            severity=severity,
            occurred_at=local(start + timedelta(days=offset), 13),
        )
    summary_range = queries.SummaryRange(start, start + timedelta(days=6))
    assert summary_range.second_half_start == date(2026, 10, 4)
    [row] = queries.symptom_overview(alice, summary_range)
    assert (row.first_half_average, row.second_half_average) == (Severity.MILD, Severity.SEVERE)
    assert row.trend == "worse"


def test_a_save_that_changes_nothing_rolled_up_leaves_the_rollups_alone(
    alice, bone_pain, django_assert_num_queries
):
    entry = DiaryEntry.objects.create(
        patient=alice, symptom=bone_pain, severity=3, occurred_at=timezone.now()
    )
    entry.notice_level = "contact"
    with django_assert_num_queries(1):  # the UPDATE alone
        entry.save(update_fields=["notice_level"])
    with django_assert_num_queries(1):
        DiaryEntry.objects.filter(pk=entry.pk).update(rose=True)
    assert_in_step(alice)


def test_a_new_entry_costs_four_queries_for_its_rollups(
    alice, bone_pain, django_assert_num_queries
):
    """Her account row locked, the entry's insert, its complaint's week before and after
    read in one aggregate (nothing later: it is her latest), its day's row read and
    updated in place."""
    DiaryEntry.objects.create(
        patient=alice, symptom=bone_pain, severity=1, occurred_at=timezone.now()
    )
    with django_assert_num_queries(5):
        DiaryEntry.objects.create(
            patient=alice, symptom=bone_pain, severity=2, occurred_at=timezone.now()
        )
    assert_in_step(alice)


@pytest.mark.parametrize("seed", [5, 6])
def test_a_new_latest_entry_updates_its_day_in_place_and_any_other_recomputes(
    alice, bone_pain, seed
):
    """Her newest entry (nothing of its complaint after it within the week) is counted
    into its day's row in place, however many the day holds, its words in any case and
    at one instant with others included; an entry before one of the week recomputes."""
    rng = random.Random(seed)
    moment = local(date(2026, 3, 27), 22)  # over midnight and the clock change
    in_place = recomputed = 0
    for _ in range(60):
        if rng.random() < 0.8:  # her next entry: later, or at the same instant
            moment += timedelta(minutes=rng.choice([0, 0, 7, 50, 200]))
            at = moment
        else:  # one she forgot: earlier in the week
            at = moment - timedelta(hours=rng.randrange(1, 100))
        subject = rng.choice([{"symptom": bone_pain}, {"own_words": rng.choice(WORDS)}])
        with CaptureQueriesContext(connection) as queries_run:
            DiaryEntry.objects.create(
                patient=alice,
                occurred_at=at,
                severity=rng.choice([0, 1, 2, 2, 3, 4, 4, None]),
                frequency=2,
                temperature_c=rng.choice([None, Decimal("37.9")]),
                note=rng.choice(["", "A note"]),
                **subject,
            )
        deleted = any(q["sql"].startswith("DELETE") for q in queries_run.captured_queries)
        if at == moment:  # nothing of hers is later: never recomputed
            assert not deleted
        recomputed += deleted
        in_place += not deleted
        assert_in_step(alice)
    assert in_place > 30 and recomputed > 5, (in_place, recomputed)
    assert DiaryDay.objects.filter(rises__gt=0).exists()


def test_a_new_instance_saved_over_an_entry_is_not_counted_twice(alice, bone_pain):
    """Given an existing entry's pk, a new instance updates that row: its day is
    recomputed, not counted into in place as a new entry would be."""
    first = DiaryEntry.objects.create(
        patient=alice, symptom=bone_pain, severity=1, occurred_at=local(date(2026, 5, 4), 10)
    )
    DiaryEntry(
        pk=first.pk,
        patient=alice,
        symptom=bone_pain,
        severity=3,
        occurred_at=first.occurred_at,
        submission_id=first.submission_id,
        created_at=first.created_at,
    ).save()
    assert DiaryEntry.objects.count() == 1
    assert_in_step(alice)


def test_the_rise_rule_looks_back_exactly_a_week_and_not_at_the_same_instant(alice, bone_pain):
    """The lowest rating of the week before each entry, as the week moves on: the lowest
    drops out exactly a week after it, and the next lowest counts; entries at one instant
    (a check-in's, or the benchmark's hundreds at one minute) are not before each other."""
    first, week_on = date(2026, 5, 4), date(2026, 5, 11)

    def log(moment: datetime, severity: int) -> None:
        DiaryEntry.objects.create(
            patient=alice, symptom=bone_pain, severity=severity, occurred_at=moment
        )

    log(local(first, 10), Severity.MILD)
    log(local(first, 12), Severity.MODERATE)
    # Exactly a week after the Mild: it still counts (Mild to Severe is a rise).
    log(local(week_on, 10), Severity.SEVERE)
    # The Mild has dropped out; the lowest is the Moderate (Moderate to Very severe).
    log(local(week_on, 11), Severity.VERY_SEVERE)
    # The Moderate has dropped out too; the lowest is the Severe: no rise.
    log(local(week_on, 13), Severity.VERY_SEVERE)
    # At one instant: the None does not count for the Moderate beside it ...
    for severity in (Severity.NONE, *[Severity.MODERATE] * 30):
        log(local(week_on + timedelta(days=1), 9), severity)
    # ... but counts for the Moderate a minute later.
    log(local(week_on + timedelta(days=1), 9, 1), Severity.MODERATE)
    days = {
        row["day"]: row
        for row in DiaryDay.objects.values("day", "entries", "rises", "rise_from", "rise_to")
    }
    assert days[week_on] | {"day": None} == {
        "day": None,
        "entries": 3,
        "rises": 2,
        "rise_from": Severity.MILD,
        "rise_to": Severity.VERY_SEVERE,
    }
    assert days[week_on + timedelta(days=1)] | {"day": None} == {
        "day": None,
        "entries": 32,
        "rises": 1,
        "rise_from": Severity.NONE,
        "rise_to": Severity.MODERATE,
    }
    assert_in_step(alice)
