import pytest

from education.matching import match_symptoms, normalise
from education.models import BodySite, Symptom

pytestmark = pytest.mark.django_db


# How patients describe what they feel (from patient forums, nurse helpline notes and the
# PRO-CTCAE plain-language items), with the symptom that must come first.
LAY_PHRASINGS = [
    ("my hip aches", "bone-pain"),
    ("my bones ache", "bone-pain"),
    ("achy bones", "bone-pain"),
    ("pain in my hip", "bone-pain"),
    ("my back is killing me", "bone-pain"),
    ("sore ribs", "bone-pain"),
    ("my spine hurts", "bone-pain"),
    ("deep ache in my bones at night", "bone-pain"),
    ("I think I cracked a rib", "bones-that-break-easily"),
    ("fell and broke my wrist", "bones-that-break-easily"),
    ("fractured hip", "bones-that-break-easily"),
    ("my bones break so easily", "bones-that-break-easily"),
    ("my legs are swollen", "swelling"),
    ("swollen ankles", "swelling"),
    ("puffy arm", "swelling"),
    ("I'm not myself", "personality-or-behaviour-changes"),
    ("my family say I'm acting strange", "personality-or-behaviour-changes"),
    ("mood swings", "personality-or-behaviour-changes"),
    ("I keep forgetting things", "personality-or-behaviour-changes"),
    ("behavior changes", "personality-or-behaviour-changes"),
    ("I feel sick", "nausea"),
    ("feeling queasy", "nausea"),
    ("nausia", "nausea"),
    ("nauseated", "nausea"),
    ("I keep throwing up", "vomiting"),
    ("being sick", "vomiting"),
    ("I was sick twice", "vomiting"),
    ("vommitting", "vomiting"),
    ("puking", "vomiting"),
    ("threw up my breakfast", "vomiting"),
    ("I had a fit", "seizures"),
    ("had a seizure last night", "seizures"),
    ("convulsions", "seizures"),
    ("blurry vision", "visual-disturbances"),
    ("seeing double", "visual-disturbances"),
    ("flashing lights in my eyes", "visual-disturbances"),
    ("my eyesight is going", "visual-disturbances"),
    ("my head hurts", "headaches-or-pressure-in-the-head"),
    ("headake", "headaches-or-pressure-in-the-head"),
    ("head ache", "headaches-or-pressure-in-the-head"),
    ("pressure in my head", "headaches-or-pressure-in-the-head"),
    ("headaches are getting worse", "headaches-or-pressure-in-the-head"),
    ("migraine", "headaches-or-pressure-in-the-head"),
    ("no appetite", "loss-of-appetite"),
    ("off my food", "loss-of-appetite"),
    ("I don't feel like eating", "loss-of-appetite"),
    ("not hungry", "loss-of-appetite"),
    ("tummy ache", "stomach-pain"),
    ("my stomach hurts", "stomach-pain"),
    ("stomach pains", "stomach-pain"),
    ("belly ache", "stomach-pain"),
    ("pain under my ribs on the right", "stomach-pain"),
    ("itchy", "rash-or-itchy-skin"),
    ("I'm itching all over", "rash-or-itchy-skin"),
    ("really itchy skin", "rash-or-itchy-skin"),
    ("rash on my arms", "rash-or-itchy-skin"),
    ("can't stop scratching", "rash-or-itchy-skin"),
    ("yellow eyes", "jaundice"),
    ("the whites of my eyes are yellow", "jaundice"),
    ("my skin looks yellow", "jaundice"),
    ("jaundiced", "jaundice"),
    ("chest pains", "chest-pain"),
    ("tight chest", "chest-pain"),
    ("my chest hurts when I breathe", "chest-pain"),
    ("can't catch my breath", "difficulty-catching-breath"),
    ("cant catch my breath", "difficulty-catching-breath"),
    ("out of breath climbing the stairs", "difficulty-catching-breath"),
    ("short of breath", "difficulty-catching-breath"),
    ("breathless", "difficulty-catching-breath"),
    ("struggling to breathe", "difficulty-catching-breath"),
    ("cough that won't go away", "cough-that-wont-go-away"),
    ("I've been coughing for weeks", "cough-that-wont-go-away"),
    ("dry cough", "cough-that-wont-go-away"),
    ("coff", "cough-that-wont-go-away"),
    ("bringing up phlegm", "cough-that-wont-go-away"),
    ("I've lost weight without trying", "unexplained-weight-loss"),
    ("my clothes are loose", "unexplained-weight-loss"),
    ("losing weight", "unexplained-weight-loss"),
    ("tired all the time", "fatigue"),
    ("exhausted", "fatigue"),
    ("no energy", "fatigue"),
    ("knackered", "fatigue"),
    ("so tierd", "fatigue"),
    ("worn out", "fatigue"),
    ("I can't get out of bed", "fatigue"),
    ("my legs ache", "bone-pain"),
    ("I broke my ankle", "bones-that-break-easily"),
    ("my trousers are falling down", "unexplained-weight-loss"),
    ("my breathing is bad", "difficulty-catching-breath"),
    ("pain in my joints", "bone-pain"),
    ("fluid in my legs", "swelling"),
    ("my husband says I'm a different person", "personality-or-behaviour-changes"),
    ("my body went stiff and shook", "seizures"),
    ("my vision is fuzzy", "visual-disturbances"),
    ("my liver hurts", "stomach-pain"),
    ("I've dropped a dress size", "unexplained-weight-loss"),
    ("everything is an effort", "fatigue"),
    ("Fatigue", "fatigue"),
]

UNRELATED = [
    "I went shopping",
    "the weather is nice",
    "I feel fit and well",
    "I tried a new recipe",
    "sat on the couch",
    "I was in a rush",
    "my grandson visited",
    "lunch with friends",
    "appointment on Tuesday",
    "I slept well",
    "had a lovely walk",
    "feeling good",
    "nothing to report",
    "I took my tablets",
    "it rained all day",
    "I can breathe fine",
    "I can see clearly now",
    "a different day",
    "I ate lunch",
    "thinking about my holiday",
    "my daughter phoned",
    "watching tv with my husband",
    "I have",
    "",
    "   ",
    "!!!",
    "<script>alert(1)</script>",
]


@pytest.mark.parametrize(("text", "slug"), LAY_PHRASINGS)
def test_it_puts_the_symptom_a_patient_means_first(symptoms, text, slug):
    matches = match_symptoms(text)
    assert matches, f"{text!r} matched nothing"
    assert matches[0].slug == slug, f"{text!r} -> {[s.slug for s in matches]}"


def test_the_table_covers_every_symptom_in_the_fixture(symptoms):
    assert {slug for _, slug in LAY_PHRASINGS} == set(
        Symptom.objects.values_list("slug", flat=True)
    )
    assert len(LAY_PHRASINGS) >= 60


@pytest.mark.parametrize("text", UNRELATED)
def test_unrelated_text_matches_nothing(symptoms, text):
    assert match_symptoms(text) == []


def test_ambiguous_words_offer_every_fitting_symptom(symptoms):
    assert {s.slug for s in match_symptoms("sick")} == {"nausea", "vomiting"}
    assert {s.slug for s in match_symptoms("bone")} >= {"bone-pain", "bones-that-break-easily"}


def test_an_unfinished_word_already_suggests(symptoms):
    assert [s.slug for s in match_symptoms("naus")] == ["nausea"]


def test_limit_caps_the_number_of_suggestions(symptoms):
    assert len(match_symptoms("pain", limit=2)) == 2
    assert match_symptoms("pain", limit=0) == []


def test_normalise_unifies_spelling_plurals_and_filler():
    assert normalise("My HIPS are Aching!") == ["hip", "ache"]
    assert normalise("behaviour") == normalise("behavior")
    assert normalise("I can\u2019t catch my breath") == ["cant", "catch", "breath"]


def test_a_new_synonym_is_used_without_a_restart(symptoms):
    assert match_symptoms("gubbins in my knee") == []
    swelling = Symptom.objects.get(slug="swelling")
    swelling.synonyms += "\ngubbins in my knee"
    swelling.save()
    assert [s.slug for s in match_symptoms("gubbins in my knee")] == ["swelling"]


def test_a_deleted_symptom_is_no_longer_suggested(db):
    Symptom.objects.create(name="Hiccups", slug="hiccups", body_site=BodySite.GENERAL)
    assert [s.slug for s in match_symptoms("hiccups")] == ["hiccups"]
    Symptom.objects.all().delete()
    assert match_symptoms("hiccups") == []


def test_matching_asks_the_database_at_most_twice(symptoms, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        match_symptoms("my hip aches")
    with django_assert_max_num_queries(1):
        match_symptoms("yellow eyes")
