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
    ("my back is killing me", "back-or-neck-pain"),
    ("sore ribs", "bone-pain"),
    ("my spine hurts", "back-or-neck-pain"),
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
    ("I keep forgetting things", "memory"),
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
    ("blurry vision", "blurred-vision"),
    ("seeing double", "visual-disturbances"),
    ("flashing lights in my eyes", "flashing-lights"),
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
    ("itchy", "itching"),
    ("I'm itching all over", "itching"),
    ("really itchy skin", "rash-or-itchy-skin"),
    ("rash on my arms", "rash"),
    ("can't stop scratching", "itching"),
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
    ("struggling to breathe", "struggling-to-breathe"),
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
    ("pain in my joints", "joint-pain"),
    ("fluid in my legs", "swelling"),
    ("my husband says I'm a different person", "personality-or-behaviour-changes"),
    ("my body went stiff and shook", "seizures"),
    ("my vision is fuzzy", "blurred-vision"),
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


def test_the_table_covers_every_symptom_of_the_article(symptoms):
    # The PRO-CTCAE terms and the red-flag symptoms are in tests/education/test_phrase_table.py.
    # The article's own symptoms: those it names, not the PRO-CTCAE terms that link to it.
    article = set(
        Symptom.objects.filter(sections__isnull=False)
        .exclude(pro_ctcae_term__in=["Blurred vision", "Flashing lights", "Visual floaters"])
        .exclude(pro_ctcae_term__in=["Memory", "Concentration", "Wheezing"])
        .values_list("slug", flat=True)
    )
    assert len(article) == 18
    assert article <= {slug for _, slug in LAY_PHRASINGS}
    assert len(LAY_PHRASINGS) >= 60


@pytest.mark.parametrize("text", UNRELATED)
def test_unrelated_text_matches_nothing(symptoms, text):
    assert match_symptoms(text) == []


def test_ambiguous_words_offer_every_fitting_symptom(symptoms):
    # Being sick is vomiting (British English); feeling sick is nausea.
    assert [s.slug for s in match_symptoms("sick")][:2] == ["vomiting", "nausea"]
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


# A symptom denied shortly before it, in the same clause, is not that symptom.
NEGATED = [
    "no pain today",
    "no pain",
    "not sick anymore",
    "haven't been sick",
    "I haven't been sick",
    "I have not been sick since Monday",
    "not feeling sick",
    "didn't throw up",
    "no headache",
    "never had a fit",
    "no rash",
    "without a cough",
    "isn't itchy any more",
    "wasn't itchy",
    "hasn't coughed",
    "no longer tired",
    "not tired at all",
    "no swelling in my legs",
    "my legs are not swollen",
    "my ankles aren't swollen",
]

# Phrases whose own words deny something ("no appetite") still mean their symptom, and a
# hedge ("not sure") denies nothing.
NOT_NEGATED = [
    ("no appetite", "loss-of-appetite"),
    ("not hungry", "loss-of-appetite"),
    ("I don't feel like eating", "loss-of-appetite"),
    ("I'm not myself", "personality-or-behaviour-changes"),
    ("no energy", "fatigue"),
    ("I can't catch my breath", "difficulty-catching-breath"),
    ("not sure if it is a rash", "rash"),
    ("I've lost weight without trying", "unexplained-weight-loss"),
]

# One complaint denied, another reported: only the reported one.
ONE_DENIED_ONE_REPORTED = [
    ("no headache today but I threw up", "vomiting", "headaches-or-pressure-in-the-head"),
    ("no nausea but I was sick twice", "vomiting", "nausea"),
    ("not sick but really tired", "fatigue", "vomiting"),
    ("I haven't been sick, just tired", "fatigue", "vomiting"),
    ("no vomiting, but a rash on my arms", "rash", "vomiting"),
    ("no pain but I was sick", "vomiting", "bone-pain"),
]

# Several complaints in one sentence: each is offered, the first-written one first.
SEVERAL = [
    ("headache and threw up", ["headaches-or-pressure-in-the-head", "vomiting"]),
    ("headache, threw up", ["headaches-or-pressure-in-the-head", "vomiting"]),
    ("threw up with a headache", ["vomiting", "headaches-or-pressure-in-the-head"]),
    ("tired and sore bones", ["fatigue", "bone-pain"]),
    ("itchy skin and yellow eyes", ["rash-or-itchy-skin", "jaundice"]),
    ("I feel sick and my head hurts", ["nausea", "headaches-or-pressure-in-the-head"]),
    ("coughing then out of breath", ["cough-that-wont-go-away", "difficulty-catching-breath"]),
    ("splitting headache and a bit queasy", ["headaches-or-pressure-in-the-head", "nausea"]),
    ("chest pain plus short of breath", ["chest-pain", "difficulty-catching-breath"]),
    ("my back hurts and I feel sick", ["back-or-neck-pain", "nausea"]),
    ("I was sick, then had a headache", ["vomiting", "headaches-or-pressure-in-the-head"]),
    ("swollen ankles and no appetite", ["swelling", "loss-of-appetite"]),
]

# Words for which nothing in the vocabulary fits, with the new clause breaks and negations.
STILL_UNRELATED = [
    "I went shopping and had lunch",
    "nice day with my grandchildren",
    "no news",
    "not much to say",
    "I feel fine and had a walk",
    "the cat and the dog",
    "nothing new, no problems",
    "never better",
]


@pytest.mark.parametrize("text", NEGATED)
def test_a_denied_symptom_is_not_matched(symptoms, text):
    assert match_symptoms(text) == []


@pytest.mark.parametrize(("text", "slug"), NOT_NEGATED)
def test_a_phrase_made_of_a_denial_still_matches(symptoms, text, slug):
    assert [s.slug for s in match_symptoms(text)][:1] == [slug]


@pytest.mark.parametrize(("text", "reported", "denied"), ONE_DENIED_ONE_REPORTED)
def test_only_the_complaint_not_denied_is_matched(symptoms, text, reported, denied):
    slugs = [s.slug for s in match_symptoms(text)]
    assert slugs[:1] == [reported], slugs
    assert denied not in slugs


@pytest.mark.parametrize(("text", "slugs"), SEVERAL)
def test_each_complaint_of_a_sentence_is_offered_in_the_order_written(symptoms, text, slugs):
    found = [s.slug for s in match_symptoms(text)]
    assert found[: len(slugs)] == slugs, found


@pytest.mark.parametrize("text", STILL_UNRELATED)
def test_text_outside_the_vocabulary_still_matches_nothing(symptoms, text):
    assert match_symptoms(text) == []


def test_a_word_still_being_typed_after_a_first_complaint_already_suggests(symptoms):
    assert [s.slug for s in match_symptoms("headache and naus")] == [
        "headaches-or-pressure-in-the-head",
        "nausea",
    ]


def test_a_phrase_that_spans_a_break_still_matches(symptoms):
    assert [s.slug for s in match_symptoms("problems with my vision")][:1] == [
        "visual-disturbances"
    ]
    assert [s.slug for s in match_symptoms("fell and broke my wrist")][:1] == [
        "bones-that-break-easily"
    ]


@pytest.mark.parametrize("text", ["everything", "anything", "always", "cannot"])
def test_weak_words_in_any_form_never_suggest_on_their_own(symptoms, text):
    # The weak-word list is written as people write; it must hold in normalised form too.
    assert match_symptoms(text) == []


def test_a_whole_phrase_written_across_a_break_leads_its_clause(symptoms):
    # "pain" alone is general pain, but here it starts the name of another symptom.
    assert [s.slug for s in match_symptoms("pain and swelling at injection site")][:1] == [
        "pain-and-swelling-at-injection-site"
    ]
    assert [s.slug for s in match_symptoms("pins and needles")][:1] == ["numbness-tingling"]
    # A clause's own phrase still leads when nothing longer spans it.
    assert [s.slug for s in match_symptoms("back pain and weak legs")][:2] == [
        "back-or-neck-pain",
        "weakness-in-the-arms-or-legs",
    ]


def test_each_phrase_of_the_vocabulary_belongs_to_one_symptom(symptoms):
    owner: dict[frozenset[str], str] = {}
    for symptom in symptoms.values():
        for text in [symptom.name, *symptom.synonym_list]:
            words = frozenset(normalise(text))
            assert owner.setdefault(words, symptom.slug) == symptom.slug, (text, owner[words])


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("I went for a run", None),
        ("the runs", "diarrhea"),
        ("red spots", "rash"),
        ("spotting", "irregular-periods-vaginal-bleeding"),
        ("winded", "difficulty-catching-breath"),
        ("trapped wind", "gas"),
        ("I'm worried", "anxious"),
        ("haven't had a poo", "constipation"),
    ],
)
def test_words_that_look_alike_keep_their_own_meaning(symptoms, text, slug):
    assert [s.slug for s in match_symptoms(text)][:1] == ([slug] if slug else [])
