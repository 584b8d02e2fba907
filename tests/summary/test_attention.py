"""The summary's "Needs attention": one line per symptom, worst first, from hand-computed data."""

import re
from datetime import date, timedelta
from html import unescape

import pytest

from education.models import Urgency
from portal.models import Severity
from tests.conftest import entry, local, symptom

RANGE = "start=2026-10-01&end=2026-10-10"
OCT = lambda day: date(2026, 10, day)  # noqa: E731


def _attention(client, query=RANGE):
    """The attention lines of the page (worsening, then the rest), as text."""
    response = client.get(f"/summary/?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    lists = re.findall(r'<ul class="attention-list">(.*?)</ul>', html, re.S)
    items = [item for listed in lists for item in re.findall(r"<li[^>]*>(.*?)</li>", listed, re.S)]
    text = [unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip()) for item in items]
    return response.context["attention"], text


def test_each_symptom_gets_one_line_worst_first_then_newest(alice_client, alice, bone_pain):
    fatigue = symptom("Fatigue")
    nausea = symptom("Nausea", "liver")
    seizures = symptom(
        "Seizures",
        "brain",
        urgency=Urgency.EMERGENCY,
        guidance_text="Call 999 if a seizure lasts more than five minutes.",
        guidance_source="Epilepsy nurses, 2026",
    )
    breath = symptom(
        "Shortness of breath",
        "lung",
        urgency=Urgency.CONTACT,
        guidance_text="Contact your care team if you are more breathless than usual.",
        guidance_source="Breast care nurses, 2026",
    )
    # Bone pain, logged on 1, 2, 6 and 9 October.
    entry(alice, bone_pain, Severity.MILD, local(OCT(1), 10))
    entry(alice, bone_pain, Severity.SEVERE, local(OCT(2), 9))  # severe; rose from Mild
    entry(alice, bone_pain, Severity.VERY_SEVERE, local(OCT(2), 20))  # severe; rose from Mild
    entry(alice, bone_pain, Severity.MODERATE, local(OCT(6), 9))  # one level above Mild
    # Severe; the week before (from 2 Oct 09:00, included) is no lower than Moderate.
    entry(alice, bone_pain, Severity.SEVERE, local(OCT(9), 9))
    # Flagged only by a rise, from an entry before the range.
    entry(alice, fatigue, Severity.NONE, local(date(2026, 9, 28), 9))
    entry(alice, fatigue, Severity.MODERATE, local(OCT(3), 9))
    # Two levels over more than 7 days, then one level: not flagged.
    entry(alice, nausea, Severity.NONE, local(OCT(1), 9))
    entry(alice, nausea, Severity.MODERATE, local(OCT(8), 10))
    entry(alice, nausea, Severity.MILD, local(OCT(9), 10))
    # Own words, grouped ignoring case: a rise.
    entry(alice, "My own words", Severity.NONE, local(OCT(4), 9))
    entry(alice, "my own words", Severity.MODERATE, local(OCT(5), 9))
    # Flagged and an emergency symptom: one line, with the guidance.
    entry(alice, seizures, Severity.SEVERE, local(OCT(7), 12))
    # Not flagged, but the guidance says to contact the care team.
    entry(alice, breath, Severity.MILD, local(OCT(5)))

    attention, text = _attention(alice_client)

    assert [
        (
            line.name,
            line.worst_word,
            line.severe_days,
            line.days_logged,
            line.rises,
            line.rise_from_word,
            line.rise_to_word,
        )
        for line in attention.lines
    ] == [
        ("Bone pain", "Very severe", 2, 4, 2, "Mild", "Very severe"),
        ("Seizures", "Severe", 1, 1, 0, "", ""),
        ("my own words", "Moderate", 0, 2, 1, "None", "Moderate"),
        ("Fatigue", "Moderate", 0, 1, 1, "None", "Moderate"),
        ("Shortness of breath", "Mild", 0, 1, 0, "", ""),
    ]
    # A clinician's words: the worsening (the rise rule) first, then the rest; the
    # patient's guidance is named, not repeated.
    assert text == [
        "Bone pain — Very severe at worst; rose 2+ levels within 7 days 2 times (Mild to Very "
        "severe), last 2 Oct; Severe or worse on 2 of 4 days reported, last 9 Oct.",
        "my own words — Moderate at worst; rose 2+ levels within 7 days (None to Moderate), "
        "on 5 Oct.",
        "Fatigue — Moderate at worst; rose 2+ levels within 7 days (None to Moderate), on 3 Oct.",
        "Seizures — Severe at worst; Severe or worse on 1 of 1 day reported, last 7 Oct; "
        "the patient's guidance: an emergency.",
        "Shortness of breath — reported on 1 day, Mild at worst; the patient's guidance: "
        "contact the care team.",
    ]
    assert [line.name for line in attention.worsening] == ["Bone pain", "my own words", "Fatigue"]
    assert [line.name for line in attention.others] == ["Seizures", "Shortness of breath"]
    assert "Call 999" not in alice_client.get(f"/summary/?{RANGE}").content.decode()


def test_a_month_of_severe_days_is_one_line(alice_client, alice, bone_pain):
    for day in range(30):
        severity = Severity.MODERATE if day == 1 else Severity.SEVERE
        entry(alice, bone_pain, severity, local(date(2026, 10, 1) + timedelta(days=day), 9))
    # 00:30 on 2 October is 23:30 on 1 October in UTC (summer time): days are local ones,
    # so 2 October counts as a Severe day.
    entry(alice, bone_pain, Severity.SEVERE, local(OCT(2), 0, 30))
    entry(alice, bone_pain, Severity.VERY_SEVERE, local(OCT(20), 21))
    entry(alice, bone_pain, Severity.MILD, local(date(2026, 11, 1), 9))

    attention, text = _attention(alice_client, "start=2026-10-01&end=2026-11-01")

    assert text == [
        "Bone pain — Very severe at worst; Severe or worse on 30 of 31 days reported, last 30 Oct.",
    ]
    (line,) = attention.lines
    assert (line.severe_days, line.days_logged, line.rises) == (30, 31, 0)


def test_a_symptom_in_the_patients_own_words_is_escaped(alice_client, alice):
    entry(alice, "<b>Hip</b> & ache", Severity.SEVERE, local(OCT(3)))
    html = alice_client.get(f"/summary/?{RANGE}").content.decode()
    assert "<strong>&lt;b&gt;Hip&lt;/b&gt; &amp; ache</strong> —" in html
    assert "<b>Hip</b>" not in html


def test_an_empty_range_has_no_lines(alice_client, alice, bone_pain):
    entry(alice, bone_pain, Severity.VERY_SEVERE, local(date(2026, 9, 30), 23, 59))
    entry(alice, bone_pain, Severity.VERY_SEVERE, local(date(2026, 10, 11), 0, 0))
    attention, text = _attention(alice_client)
    assert not attention and attention.lines == [] and text == []
    html = alice_client.get(f"/summary/?{RANGE}").content.decode()
    assert "Nothing in this period was rated Severe or Very severe" in html


def test_bobs_entries_never_make_a_rise_in_alices_lines(alice_client, alice, bob, bone_pain):
    # Bob's milder entries in the week before Alice's: no rise for Alice.
    entry(bob, bone_pain, Severity.NONE, local(OCT(1), 9))
    entry(bob, "Hip ache", Severity.NONE, local(OCT(1), 9))
    entry(alice, bone_pain, Severity.MODERATE, local(OCT(3), 9))
    entry(alice, "hip ache", Severity.MODERATE, local(OCT(3), 9))
    # Bob's severe entries and rises are his alone.
    entry(bob, bone_pain, Severity.VERY_SEVERE, local(OCT(4), 9))
    entry(bob, "Hip ache", Severity.VERY_SEVERE, local(OCT(4), 9))

    attention, text = _attention(alice_client)
    assert attention.lines == [] and text == []

    # The same entries from Alice herself are a rise.
    entry(alice, bone_pain, Severity.NONE, local(OCT(1), 9))
    attention, text = _attention(alice_client)
    assert text == [
        "Bone pain — Moderate at worst; rose 2+ levels within 7 days (None to Moderate), on 3 Oct."
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_window_query_agrees_with_the_rule_checked_entry_by_entry(alice, bob, seed):
    """Random diaries, with the awkward cases on purpose: entries exactly a week apart, a
    microsecond either side of that, several at the same instant, entries just before the
    range, own words in other cases and spacing, and another patient's entries."""
    import random
    from collections import defaultdict

    from django.utils import timezone

    from portal.models import DiaryEntry
    from portal.summary import queries as summaries

    rng = random.Random(seed)
    kinds = [symptom(f"Symptom {n}") for n in range(3)] + ["my hip aches", "  My Hip ACHES "]
    base = local(date(2026, 9, 20), 0)
    week, tick = timedelta(days=7), timedelta(microseconds=1)
    for patient in (alice, bob):
        for _ in range(90):
            when = base + timedelta(minutes=rng.randrange(0, 40 * 24 * 60))
            what = rng.choice(kinds)
            entry(patient, what, rng.randrange(0, 5), when)
            if rng.random() < 0.3:  # a partner exactly a week (or a microsecond off) before
                shift = week + rng.choice([timedelta(0), tick, -tick])
                entry(patient, what, rng.randrange(0, 5), when - shift)
            if rng.random() < 0.3:  # another at the same instant
                entry(patient, what, rng.randrange(0, 5), when)
    # Logged at the same instant, neither is "before" the other: no rise.
    alone = symptom("Logged twice at once")
    entry(alice, alone, Severity.NONE, local(date(2026, 10, 12), 9))
    entry(alice, alone, Severity.SEVERE, local(date(2026, 10, 12), 9))
    summary_range = summaries.SummaryRange(date(2026, 10, 1), date(2026, 10, 25))

    def key(e):
        return (e.symptom_id, "" if e.symptom_id else e.own_words.strip().lower())

    mine = list(DiaryEntry.objects.for_patient(alice))
    low = summaries.start_of_day(summary_range.start)
    high = summaries.start_of_day(summary_range.end + timedelta(days=1))
    expected = defaultdict(list)
    for e in mine:
        if not low <= e.occurred_at < high:
            continue
        before = [
            x.severity
            for x in mine
            if key(x) == key(e) and e.occurred_at - week <= x.occurred_at < e.occurred_at
        ]
        lowest = min(before, default=None)
        severe = e.severity >= Severity.SEVERE
        rose = e.severity >= 2 and lowest is not None and lowest <= e.severity - 2
        if severe or rose:
            expected[key(e)].append((e, severe, rose, lowest))

    def summed(flagged):
        severe = [e for e, is_severe, _, _ in flagged if is_severe]
        rises = [(e, lowest) for e, _, is_rise, lowest in flagged if is_rise]
        return (
            max(e.severity for e, *_ in flagged),
            max(e.occurred_at for e, *_ in flagged),
            len({timezone.localdate(e.occurred_at) for e in severe}),
            max((e.occurred_at for e in severe), default=None),
            len(rises),
            min((lowest for _, lowest in rises), default=None),
            max((e.severity for e, _ in rises), default=None),
            max((e.occurred_at for e, _ in rises), default=None),
        )

    got = {
        (symptom_id, words): tuple(values)
        for symptom_id, words, *values in summaries._flagged_groups(alice, summary_range)
    }
    assert got == {k: summed(v) for k, v in expected.items()}
    assert any(values[4] for values in got.values())  # some rises, not only severe days


def test_the_week_before_is_exactly_seven_days_across_the_clock_change(alice, bone_pain):
    """The clocks went forward on 29 March 2026: a range from 1 April looks back to 24 March
    23:00 UTC (168 hours before its first midnight), not to 25 March 00:00 UTC."""
    from datetime import UTC, datetime

    from portal.summary import queries as summaries

    mild_before = datetime(2026, 3, 24, 23, 30, tzinfo=UTC)  # 24 March 23:30 GMT
    entry(alice, bone_pain, Severity.MILD, mild_before)
    # 1 April 00:10 BST, 167 hours 40 minutes later: within the week, so a rise.
    entry(alice, bone_pain, Severity.MODERATE + 1, datetime(2026, 3, 31, 23, 10, tzinfo=UTC))
    summary_range = summaries.SummaryRange(date(2026, 4, 1), date(2026, 4, 7))
    [group] = summaries._flagged_groups(alice, summary_range)
    rises, rise_from = group[6], group[7]
    assert (rises, rise_from) == (1, Severity.MILD)
