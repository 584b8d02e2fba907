import uuid
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from education import pro_ctcae
from education.models import BodySite, RedFlagRule, Symptom, Urgency
from portal.models import AuditEvent, DiaryEntry, Severity
from tests.conftest import ROOT, load_vocabulary

pytestmark = pytest.mark.django_db

ARTICLE_SECTIONS = {
    "swelling": ["symptoms-of-bone-metastases"],
    "bones-that-break-easily": ["symptoms-of-bone-metastases"],
    "bone-pain": ["symptoms-of-bone-metastases"],
    "personality-or-behaviour-changes": ["symptoms-of-brain-metastases"],
    "nausea": ["symptoms-of-brain-metastases", "symptoms-of-liver-metastases"],
    "vomiting": ["symptoms-of-brain-metastases", "symptoms-of-liver-metastases"],
    "seizures": ["symptoms-of-brain-metastases"],
    "visual-disturbances": ["symptoms-of-brain-metastases"],
    "headaches-or-pressure-in-the-head": ["symptoms-of-brain-metastases"],
    "loss-of-appetite": [
        "symptoms-of-liver-metastases",
        "other-symptoms-of-metastatic-breast-cancer",
    ],
    "stomach-pain": ["symptoms-of-liver-metastases"],
    "rash-or-itchy-skin": ["symptoms-of-liver-metastases"],
    "jaundice": ["symptoms-of-liver-metastases"],
    "chest-pain": ["symptoms-of-lung-metastases"],
    "difficulty-catching-breath": ["symptoms-of-lung-metastases"],
    "cough-that-wont-go-away": ["symptoms-of-lung-metastases"],
    "unexplained-weight-loss": ["other-symptoms-of-metastatic-breast-cancer"],
    "fatigue": ["other-symptoms-of-metastatic-breast-cancer"],
}


def entry(patient, symptom=None, *, severity=1, days_ago=0.0, own_words=""):
    return DiaryEntry.objects.create(
        patient=patient,
        symptom=symptom,
        own_words=own_words,
        severity=severity,
        occurred_at=timezone.now() - timedelta(days=days_ago),
    )


# The vocabulary fixture ------------------------------------------------------------------------


# The symptoms outside PRO-CTCAE and the article that red-flag rules need.
RED_FLAG_SYMPTOMS = {
    "high-temperature",
    "back-or-neck-pain",
    "weakness-in-the-arms-or-legs",
    "struggling-to-breathe",
    "bleeding-that-will-not-stop",
}
# Bare "bleeding" (gums, a nosebleed) must not reach the emergency one.
OTHER_NEW_SYMPTOMS = {"bleeding"}


def test_all_fixtures_load_together_on_a_fresh_database(db):
    load_vocabulary()
    article_terms = Symptom.objects.filter(slug__in=ARTICLE_SECTIONS).exclude(pro_ctcae_term="")
    assert Symptom.objects.count() == (
        len(pro_ctcae.TERMS)
        + len(ARTICLE_SECTIONS)
        - article_terms.count()
        + len(RED_FLAG_SYMPTOMS)
        + len(OTHER_NEW_SYMPTOMS)
    )
    assert RedFlagRule.objects.count() == 13
    rules = RedFlagRule.objects.all()
    used = {*rules.values_list("symptom__slug", flat=True)}
    used |= {*rules.values_list("companions__slug", flat=True)}
    # A high temperature is judged by its number, whatever the symptom.
    assert used >= RED_FLAG_SYMPTOMS - {"high-temperature"}


# PRO-CTCAE terms that took phrases from an article symptom keep its section (and what it
# told the patient), so that "blurry vision" reads about brain metastases as it did before.
INHERITED_SECTIONS = {
    "blurred-vision": "visual-disturbances",
    "flashing-lights": "visual-disturbances",
    "visual-floaters": "visual-disturbances",
    "memory": "personality-or-behaviour-changes",
    "concentration": "personality-or-behaviour-changes",
    "wheezing": "difficulty-catching-breath",
}


def test_every_symptom_of_the_article_links_to_its_sections_main_first(symptoms):
    linked = Symptom.objects.filter(sections__isnull=False).values_list("slug", flat=True)
    assert set(linked) == set(ARTICLE_SECTIONS) | set(INHERITED_SECTIONS)
    for slug, source in INHERITED_SECTIONS.items():
        heir, article_symptom = symptoms[slug], symptoms[source]
        assert heir.main_section == article_symptom.main_section, slug
        assert (heir.urgency, heir.guidance_text) == (
            article_symptom.urgency,
            article_symptom.guidance_text,
        ), slug
    for slug, sections in ARTICLE_SECTIONS.items():
        symptom = Symptom.objects.with_main_section().get(slug=slug)
        links = sorted(symptom.symptom_sections.all(), key=lambda link: link.order)
        assert [link.section.slug for link in links] == sections, slug
        assert symptom.main_section.slug == sections[0]
        # Its own section explains it; no outside page competes with it.
        assert symptom.outside_page_url == "", slug


def test_every_symptom_has_a_body_site_and_many_lay_synonyms(symptoms):
    assert set(symptoms) >= set(ARTICLE_SECTIONS) | RED_FLAG_SYMPTOMS
    for symptom in symptoms.values():
        assert symptom.body_site in BodySite.values
        least = 15 if symptom.slug in ARTICLE_SECTIONS else 8
        assert len(symptom.synonym_list) >= least, symptom.slug
        # More than the term itself: lay words, not only NCI's.
        assert len({s.lower() for s in symptom.synonym_list} - {symptom.name.lower()}) >= 7
    assert symptoms["bone-pain"].body_site == "bone"
    assert symptoms["jaundice"].body_site == "liver"
    assert symptoms["difficulty-catching-breath"].body_site == "lung"


BRITISH_AND_AMERICAN = [
    ("diarrhea", ["diarrhoea", "diarrhea"]),
    ("hot-flashes", ["hot flushes", "hot flashes"]),
    ("fecal-incontinence", ["faecal incontinence", "fecal incontinence"]),
    ("body-odor", ["body odour", "body odor"]),
    ("nail-discoloration", ["discoloured nails", "discolored nails"]),
    ("change-in-usual-urine-color", ["urine changed colour", "urine changed color"]),
    ("swelling", ["oedema", "edema"]),
    ("urinary-frequency", ["weeing all the time", "peeing all the time"]),
    ("constipation", ["can't poo", "can't poop"]),
    ("gas", ["trapped wind", "gas"]),
]


@pytest.mark.parametrize(("slug", "words"), BRITISH_AND_AMERICAN)
def test_synonyms_hold_british_and_american_words(symptoms, slug, words):
    assert set(words) <= set(symptoms[slug].synonym_list)


def test_outside_pages_are_named_and_only_for_symptoms_no_section_explains(symptoms):
    with_page = [s for s in symptoms.values() if s.outside_page_url]
    assert len(with_page) >= 10
    for symptom in with_page:
        assert symptom.outside_page_name, symptom.slug
        assert symptom.outside_page_url.startswith(
            (
                "https://www.cancer.gov/",
                "https://survivorship.cancer.gov/",
                "https://www.cancer.net/",
            )
        ), symptom.slug
        assert not symptom.symptom_sections.exists(), symptom.slug


def test_guidance_is_conservative_and_sourced(symptoms):
    assert symptoms["seizures"].urgency == Urgency.EMERGENCY
    assert symptoms["chest-pain"].urgency == Urgency.EMERGENCY
    for slug in ["jaundice", "difficulty-catching-breath", "visual-disturbances"]:
        assert symptoms[slug].urgency == Urgency.CONTACT
    for symptom in symptoms.values():
        if symptom.urgency != Urgency.ROUTINE:
            # The source is named; no clinician has signed the seed guidance off.
            assert symptom.guidance_source.startswith("Portal default based on the article")
            assert "pending review" not in symptom.guidance_source
            assert not symptom.is_signed_off
        if symptom.snomed_code:
            assert symptom.snomed_code in symptom.snomed_source


# Database constraints --------------------------------------------------------------------------


def test_severity_outside_0_to_4_is_refused_by_the_database(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        entry(alice, own_words="hip", severity=5)


def test_an_entry_needs_a_symptom_or_own_words(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        entry(alice, own_words="")


def test_a_submission_is_saved_once_per_patient(alice, bob):
    key = uuid.uuid4()
    DiaryEntry.objects.create(
        patient=alice, own_words="hip", severity=1, occurred_at=timezone.now(), submission_id=key
    )
    DiaryEntry.objects.create(
        patient=bob, own_words="hip", severity=1, occurred_at=timezone.now(), submission_id=key
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        DiaryEntry.objects.create(
            patient=alice,
            own_words="hip",
            severity=1,
            occurred_at=timezone.now(),
            submission_id=key,
        )


def test_a_symptom_cannot_hold_a_code_without_its_source(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Symptom.objects.create(name="X", slug="x", body_site="general", snomed_code="123")


def test_urgent_guidance_needs_text_and_source(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Symptom.objects.create(name="X", slug="x", body_site="general", urgency="emergency")


def test_a_symptom_in_use_cannot_be_deleted_from_under_a_diary(alice, symptoms):
    entry(alice, symptoms["fatigue"])
    with pytest.raises(Exception, match="protected"):
        symptoms["fatigue"].delete()


# Querysets -------------------------------------------------------------------------------------


def test_queryset_helpers_select_by_patient_and_day(alice, bob, symptoms):
    today = timezone.localdate()
    recent = entry(alice, symptoms["fatigue"], days_ago=1)
    old = entry(alice, symptoms["fatigue"], days_ago=10)
    entry(bob, symptoms["fatigue"], days_ago=1)
    mine = DiaryEntry.objects.for_patient(alice)
    assert list(mine.newest_first()) == [recent, old]
    assert list(mine.between(today - timedelta(days=3), today)) == [recent]
    assert list(mine.between(None, today - timedelta(days=5))) == [old]
    assert list(mine.since(timezone.now() - timedelta(days=2))) == [recent]


# Pattern rules ---------------------------------------------------------------------------------


def test_severe_and_very_severe_count_as_severe(alice, symptoms):
    assert [
        entry(alice, symptoms["fatigue"], severity=level).is_severe for level in Severity.values
    ] == [False, False, False, True, True]


def test_a_rise_of_two_levels_within_seven_days_is_found(alice, symptoms):
    earlier = entry(alice, symptoms["fatigue"], severity=1, days_ago=6)
    now = entry(alice, symptoms["fatigue"], severity=3)
    assert now.earlier_milder_entry() == earlier


def test_a_rise_of_one_level_is_not_a_rise(alice, symptoms):
    entry(alice, symptoms["fatigue"], severity=1, days_ago=2)
    assert entry(alice, symptoms["fatigue"], severity=2).earlier_milder_entry() is None


def test_a_rise_from_more_than_seven_days_ago_does_not_count(alice, symptoms):
    entry(alice, symptoms["fatigue"], severity=0, days_ago=8)
    assert entry(alice, symptoms["fatigue"], severity=2).earlier_milder_entry() is None


def test_a_rise_needs_the_same_symptom_and_the_same_patient(alice, bob, symptoms):
    entry(alice, symptoms["nausea"], severity=0, days_ago=1)
    entry(bob, symptoms["fatigue"], severity=0, days_ago=1)
    assert entry(alice, symptoms["fatigue"], severity=2).earlier_milder_entry() is None


def test_a_rise_in_the_same_own_words_counts(alice):
    entry(alice, own_words="Tingling toes", severity=0, days_ago=1)
    assert entry(alice, own_words="tingling toes", severity=2).earlier_milder_entry()


def test_a_later_milder_entry_is_not_a_rise(alice, symptoms):
    entry(alice, symptoms["fatigue"], severity=0, days_ago=-0.5)
    assert entry(alice, symptoms["fatigue"], severity=2).earlier_milder_entry() is None


def test_the_notice_combines_symptom_guidance_and_pattern_rules(alice, symptoms):
    assert entry(alice, symptoms["fatigue"], severity=1).care_notice() is None
    notice = entry(alice, symptoms["jaundice"], severity=1).care_notice()
    assert notice.level == Urgency.CONTACT
    assert "Yellowing" in notice.guidance_text and notice.reasons == []
    notice = entry(alice, symptoms["seizures"], severity=4).care_notice()
    assert notice.is_emergency
    assert notice.reasons == ["You rated this as very severe."]
    notice = entry(alice, own_words="odd feeling", severity=3).care_notice()
    assert notice.level == Urgency.CONTACT and notice.guidance_text == ""


# Admin -----------------------------------------------------------------------------------------


def test_staff_edit_symptoms_and_their_sections_in_the_admin(staff_client, symptoms):
    pk = symptoms["seizures"].pk
    html = staff_client.get(f"/staff-admin/education/symptom/{pk}/change/").content.decode()
    assert "When to contact the care team" in html
    assert "symptom_sections-0-section" in html
    assert staff_client.get("/staff-admin/education/symptom/").status_code == 200


def test_staff_can_read_but_not_write_diary_entries(staff_client, alice, symptoms):
    diary_entry = entry(alice, symptoms["fatigue"])
    assert staff_client.get("/staff-admin/portal/diaryentry/").status_code == 200
    page = staff_client.get(f"/staff-admin/portal/diaryentry/{diary_entry.pk}/change/")
    assert page.status_code == 200
    assert 'name="severity"' not in page.content.decode()
    assert staff_client.get("/staff-admin/portal/diaryentry/add/").status_code == 403


def test_staff_reading_and_deleting_entries_is_audited_without_health_data(
    staff_client, alice, symptoms
):
    from django.contrib.admin.models import LogEntry

    diary_entry = entry(alice, symptoms["fatigue"], own_words="private words")
    staff_client.get(f"/staff-admin/portal/diaryentry/{diary_entry.pk}/change/")
    staff_client.post(f"/staff-admin/portal/diaryentry/{diary_entry.pk}/delete/", {"post": "yes"})
    assert not DiaryEntry.objects.filter(pk=diary_entry.pk).exists()
    actions = list(
        AuditEvent.objects.filter(record_id=str(diary_entry.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions[:2] == ["admin.diaryentry_view", "admin.diaryentry_delete"]
    assert LogEntry.objects.get().object_repr == f"Diary entry {diary_entry.pk}"


def test_education_never_imports_portal():

    paths = list((ROOT / "education").rglob("*.py"))
    assert len(paths) > 5
    for path in paths:
        source = path.read_text()
        assert "import portal" not in source and "from portal" not in source, path
