"""The red-flag rules of fixtures/red_flags.json, each at and either side of its
threshold: through RedFlagRule.fires() and through an entry's red_flags_raised() and
care_notice(), on entries unsaved and saved."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from education import pro_ctcae
from education.models import RedFlagRule
from portal.models import DiaryEntry

pytestmark = pytest.mark.django_db

HIGH = "Temperature 37.5 °C or above"
LOW = "Temperature below 36 °C"
CHILLS = "Shivers or chills"
SICK_2 = "Being sick 2 or more times in 24 hours"
SICK_6 = "Being sick 6 or more times in 24 hours"
DIARRHOEA = "Diarrhoea more than 4 times in 24 hours"
SPINE = "Back or neck pain with weakness, numbness or bladder or bowel problems"
CHEST = "Chest pain"
BREATHE = "Struggling to breathe"
SEIZURE = "A seizure"
BLEEDING = "Bleeding that will not stop"
TOP = "Any answer at its top level"
FEVERISH = "Feeling hot, cold or shivery, with or without a high temperature"

# NCI's top answer of each graded attribute, and the one below it.
TOP_OF = {a: pro_ctcae.top_level(a) for a in ("frequency", "severity", "interference", "amount")}

# (symptom slug, the entry's answers and numbers, the rules it raises in order).
CASES = [
    # Temperature, whatever the symptom: 37.5 °C and above; below 36.0 °C.
    ("high-temperature", {"temperature_c": Decimal("37.4")}, []),
    ("high-temperature", {"temperature_c": Decimal("37.5")}, [HIGH]),
    ("high-temperature", {"temperature_c": Decimal("37.6")}, [HIGH]),
    ("high-temperature", {"temperature_c": Decimal("35.9")}, [LOW]),
    ("high-temperature", {"temperature_c": Decimal("36.0")}, []),
    ("vomiting", {"times_in_24h": 1, "temperature_c": Decimal("38.0")}, [HIGH]),
    # Being sick: 2 or more times, and 6 or more times, in 24 hours.
    ("vomiting", {"times_in_24h": 1}, []),
    ("vomiting", {"times_in_24h": 2}, [SICK_2]),
    ("vomiting", {"times_in_24h": 3}, [SICK_2]),
    ("vomiting", {"times_in_24h": 5}, [SICK_2]),
    # The more specific rule first: it is the one the entry keeps (record_notice).
    ("vomiting", {"times_in_24h": 6}, [SICK_6, SICK_2]),
    ("vomiting", {"times_in_24h": 7}, [SICK_6, SICK_2]),
    # Diarrhoea more than 4 times in 24 hours.
    ("diarrhea", {"times_in_24h": 4}, []),
    ("diarrhea", {"times_in_24h": 5}, [DIARRHOEA]),
    ("diarrhea", {"times_in_24h": 6}, [DIARRHOEA]),
    # Reported at all, however mild.
    ("chills", {"frequency": 0, "severity": 1}, [CHILLS]),
    ("chest-pain", {"severity": 1}, [CHEST]),
    ("seizures", {"severity": 1}, [SEIZURE]),
    ("struggling-to-breathe", {"severity": 1}, [BREATHE]),
    ("bleeding-that-will-not-stop", {"severity": 2}, [BLEEDING]),
    ("fatigue", {"severity": 2}, []),
    # "I have a temperature" with no thermometer: a Yes is a report; a No is not.
    ("high-temperature", {"presence": True}, [FEVERISH]),
    ("high-temperature", {"presence": False}, []),
    ("high-temperature", {"presence": True, "temperature_c": Decimal("38.1")}, [HIGH, FEVERISH]),
    # The lowest answer says she does not have it: no flag, however grave the symptom.
    ("chest-pain", {"severity": 0}, []),
    ("seizures", {"severity": 0}, []),
    ("chills", {"frequency": 0}, []),
    ("chills", {"frequency": 0, "severity": 0}, []),
    ("struggling-to-breathe", {"severity": 0}, []),
    ("bleeding-that-will-not-stop", {"severity": 0}, []),
    # Any graded answer at NCI's top level; the one below it, or a yes-or-no Yes, does not.
    ("vomiting", {"severity": TOP_OF["severity"]}, [TOP]),
    ("vomiting", {"severity": TOP_OF["severity"] - 1}, []),
    ("vomiting", {"frequency": TOP_OF["frequency"]}, [TOP]),
    ("vomiting", {"frequency": TOP_OF["frequency"] - 1}, []),
    ("numbness-tingling", {"interference": TOP_OF["interference"]}, [TOP]),
    ("numbness-tingling", {"interference": TOP_OF["interference"] - 1}, []),
    ("hair-loss", {"amount": TOP_OF["amount"]}, [TOP]),
    ("hair-loss", {"amount": TOP_OF["amount"] - 1}, []),
    ("rash", {"presence": True}, []),
    # An emergency comes before a call, whatever their names.
    ("chest-pain", {"severity": TOP_OF["severity"]}, [CHEST, TOP]),
    ("seizures", {"severity": 1, "temperature_c": Decimal("39.0")}, [SEIZURE, HIGH]),
]


@pytest.fixture
def rules(symptoms) -> dict[str, RedFlagRule]:
    call_command("loaddata", "fixtures/red_flags.json", verbosity=0)
    return {rule.name: rule for rule in RedFlagRule.objects.prefetch_related("companions")}


def _entry(patient, symptom, *, when=None, own_words="", saved=False, **answers) -> DiaryEntry:
    entry = DiaryEntry(
        patient=patient,
        symptom=symptom,
        own_words=own_words,
        occurred_at=when or timezone.now(),
        **answers,
    )
    if saved:
        entry.record_notice()
        entry.save()
        entry = DiaryEntry.objects.get(pk=entry.pk)
    return entry


def _raised(entry: DiaryEntry) -> list[str]:
    return [rule.name for rule in entry.red_flags_raised()]


def test_the_words_of_the_top_levels_are_nci_s():
    assert pro_ctcae.response_word("frequency", TOP_OF["frequency"]) == "Almost constantly"
    assert pro_ctcae.response_word("severity", TOP_OF["severity"]) == "Very severe"
    assert pro_ctcae.response_word("severity", TOP_OF["severity"] - 1) == "Severe"
    assert pro_ctcae.response_word("interference", TOP_OF["interference"]) == "Very much"
    assert pro_ctcae.response_word("amount", TOP_OF["amount"]) == "Very much"


def test_every_fixture_rule_is_tested(rules):
    tested = {name for _, _, raised in CASES for name in raised} | {SPINE}
    assert tested == set(rules)
    assert len(rules) == 13


@pytest.mark.parametrize(("slug", "answers", "expected"), CASES)
def test_each_rule_fires_exactly_where_its_threshold_says(
    alice, symptoms, rules, slug, answers, expected
):
    entry = _entry(alice, symptoms[slug], **answers)
    for rule in rules.values():
        assert rule.fires(entry, frozenset()) == (rule.name in expected), rule.name


@pytest.mark.parametrize("saved", [False, True], ids=["unsaved", "saved"])
@pytest.mark.parametrize(("slug", "answers", "expected"), CASES)
def test_an_entry_raises_the_rules_emergencies_first(
    alice, symptoms, rules, slug, answers, expected, saved
):
    entry = _entry(alice, symptoms[slug], saved=saved, **answers)
    assert _raised(entry) == expected
    notice = entry.care_notice()
    if expected:
        assert [rule.name for rule in notice.red_flags] == expected
    else:
        assert notice is None or notice.red_flags == []


def test_a_saved_entry_keeps_its_level_and_first_red_flag(alice, symptoms, rules):
    entry = _entry(alice, symptoms["chest-pain"], saved=True, severity=TOP_OF["severity"])
    assert entry.notice_level == "emergency"
    assert entry.red_flag == rules[CHEST]
    calm = _entry(alice, symptoms["high-temperature"], saved=True, temperature_c=Decimal("37.0"))
    assert calm.notice_level == ""
    assert calm.red_flag is None


def test_own_words_with_a_temperature_raise_the_temperature_rule(alice, rules):
    entry = _entry(alice, None, own_words="feel hot and shaky", temperature_c=Decimal("38.2"))
    assert HIGH in _raised(entry)


def test_an_emergency_rule_makes_the_notice_an_emergency(alice, symptoms, rules):
    # Struggling to breathe and bleeding carry no urgency of their own: the rule decides.
    for slug, rule in [
        ("struggling-to-breathe", BREATHE),
        ("bleeding-that-will-not-stop", BLEEDING),
    ]:
        assert symptoms[slug].urgency == "routine"
        notice = _entry(alice, symptoms[slug], severity=1).care_notice()
        assert notice.level == "emergency"
        assert notice.is_emergency
        assert notice.red_flags == [rules[rule]]


def test_a_contact_rule_makes_the_notice_a_call(alice, symptoms, rules):
    assert symptoms["chills"].urgency == "routine"
    notice = _entry(alice, symptoms["chills"], frequency=1).care_notice()
    assert notice.level == "contact"
    assert notice.red_flags == [rules[CHILLS]]


def test_nothing_raised_is_no_notice(alice, symptoms, rules):
    assert (
        _entry(alice, symptoms["high-temperature"], temperature_c=Decimal("37.4")).care_notice()
        is None
    )


def test_an_inactive_rule_never_fires(alice, symptoms, rules):
    RedFlagRule.objects.filter(name=CHEST).update(active=False)
    entry = _entry(alice, symptoms["chest-pain"], severity=TOP_OF["severity"])
    assert _raised(entry) == [TOP]
    RedFlagRule.objects.update(active=False)
    assert _raised(entry) == []
    spine = _entry(
        alice, symptoms["back-or-neck-pain"], own_words="back pain and weak legs", severity=1
    )
    assert _raised(spine) == []


def test_every_rule_names_its_source_and_its_words_for_the_patient(rules):
    for rule in rules.values():
        assert rule.source_document.strip(), rule.name
        assert rule.source_version.strip(), rule.name
        assert rule.patient_wording.strip(), rule.name
        assert rule.source == f"{rule.source_document} ({rule.source_version})"
        assert rule.source_url == "" or rule.source_url.startswith("https://"), rule.name
        assert rule.active, rule.name


# The companion rule: back or neck pain with weakness, numbness or bladder or bowel problems.

COMPANIONS = [
    "weakness-in-the-arms-or-legs",
    "numbness-tingling",
    "urinary-incontinence",
    "fecal-incontinence",
]


def test_the_companions_are_the_ones_the_source_names(symptoms, rules):
    assert rules[SPINE].symptom == symptoms["back-or-neck-pain"]
    assert {s.slug for s in rules[SPINE].companions.all()} == set(COMPANIONS)


def test_back_pain_alone_raises_nothing(alice, symptoms, rules):
    assert (
        _raised(_entry(alice, symptoms["back-or-neck-pain"], own_words="back pain", severity=1))
        == []
    )


@pytest.mark.parametrize("saved", [False, True], ids=["unsaved", "saved"])
def test_back_pain_and_weakness_in_the_same_words_raise_it(alice, symptoms, rules, saved):
    entry = _entry(
        alice,
        symptoms["back-or-neck-pain"],
        own_words="back pain and weak legs",
        severity=1,
        saved=saved,
    )
    assert _raised(entry) == [SPINE]
    assert entry.care_notice().level == "contact"


@pytest.mark.parametrize("companion", COMPANIONS)
@pytest.mark.parametrize("hours_before", [1, 23.9, 24])
def test_a_companion_logged_within_a_day_before_raises_it(
    alice, symptoms, rules, companion, hours_before
):
    now = timezone.now()
    _entry(
        alice, symptoms[companion], when=now - timedelta(hours=hours_before), severity=1, saved=True
    )
    entry = _entry(alice, symptoms["back-or-neck-pain"], when=now, severity=1)
    assert _raised(entry) == [SPINE]


def test_a_companion_logged_more_than_a_day_before_does_not(alice, symptoms, rules):
    now = timezone.now()
    weakness = symptoms["weakness-in-the-arms-or-legs"]
    _entry(alice, weakness, when=now - timedelta(hours=24, minutes=1), severity=1, saved=True)
    assert _raised(_entry(alice, symptoms["back-or-neck-pain"], when=now, severity=1)) == []


def test_a_companion_logged_after_the_pain_raises_it_on_the_later_entry(alice, symptoms, rules):
    now = timezone.now()
    back = _entry(
        alice, symptoms["back-or-neck-pain"], when=now - timedelta(hours=2), severity=1, saved=True
    )
    assert back.notice_level == ""
    weakness = _entry(
        alice, symptoms["weakness-in-the-arms-or-legs"], when=now, severity=1, saved=True
    )
    assert weakness.notice_level == "contact"
    assert weakness.red_flag == rules[SPINE]
    # The earlier entry's look back does not reach the later one.
    assert _raised(DiaryEntry.objects.get(pk=back.pk)) == []


def test_a_companion_answered_none_or_pain_answered_none_raises_nothing(alice, symptoms, rules):
    now = timezone.now()
    weakness = symptoms["weakness-in-the-arms-or-legs"]
    _entry(alice, weakness, when=now - timedelta(hours=1), severity=0, saved=True)
    back = symptoms["back-or-neck-pain"]
    assert _raised(_entry(alice, back, when=now, severity=1)) == []
    _entry(alice, weakness, when=now - timedelta(hours=1), severity=2, saved=True)
    assert _raised(_entry(alice, back, when=now, severity=0)) == []
    assert _raised(_entry(alice, back, when=now, severity=1)) == [SPINE]


def test_a_companion_alone_raises_nothing(alice, symptoms, rules):
    assert _raised(_entry(alice, symptoms["weakness-in-the-arms-or-legs"], severity=1)) == []


def test_someone_else_s_entries_are_not_nearby(alice, bob, symptoms, rules):
    now = timezone.now()
    _entry(
        bob,
        symptoms["weakness-in-the-arms-or-legs"],
        when=now - timedelta(hours=1),
        severity=1,
        saved=True,
    )
    assert _raised(_entry(alice, symptoms["back-or-neck-pain"], when=now, severity=1)) == []


def test_the_companion_rule_reads_the_nearby_symptoms_it_is_given(alice, symptoms, rules):
    rule = rules[SPINE]
    back, weakness = symptoms["back-or-neck-pain"], symptoms["weakness-in-the-arms-or-legs"]
    fatigue = symptoms["fatigue"]
    assert rule.fires(_entry(alice, back, severity=1), frozenset({weakness.pk}))
    assert not rule.fires(_entry(alice, back, severity=1), frozenset({back.pk, fatigue.pk}))
    assert rule.fires(_entry(alice, weakness, severity=1), frozenset({back.pk}))
    assert not rule.fires(_entry(alice, weakness, severity=1), frozenset({fatigue.pk}))
    # Another symptom with both nearby is not the pair.
    assert not rule.fires(_entry(alice, fatigue, severity=1), frozenset({back.pk, weakness.pk}))


def test_a_symptoms_own_guidance_needs_a_report_not_a_none(alice, symptoms, rules):
    """A weekly check-in asks every term: "None" for breathlessness is not a complaint."""
    breath = symptoms["difficulty-catching-breath"]
    assert breath.urgency == "contact"
    assert _entry(alice, breath, severity=0, interference=0).care_notice() is None
    notice = _entry(alice, breath, severity=1).care_notice()
    assert notice.level == "contact" and notice.guidance_text == breath.guidance_text
