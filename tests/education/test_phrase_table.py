"""How patients on treatment describe what they feel, and the symptom each must find first.

Every PRO-CTCAE term is here at least twice, with British and American words, misspellings,
the cases issue 11 reported, several complaints in one sentence, and text that must match
nothing at all.
"""

import pytest

from education import pro_ctcae
from education.matching import match_symptoms
from education.models import Symptom

pytestmark = pytest.mark.django_db

# (what she typed, the slug of the symptom that must come first)
PHRASES = [
    # The cases issue 11 reported.
    ("tingling in my fingers", "numbness-tingling"),
    ("pins and needles", "numbness-tingling"),
    ("feel dizzy", "dizziness"),
    ("diarrhoea", "diarrhea"),
    ("constipated", "constipation"),
    ("sore mouth", "mouth-throat-sores"),
    ("hot flushes", "hot-flashes"),
    ("anxious", "anxious"),
    ("I have a temperature", "high-temperature"),
    ("can't sleep", "insomnia"),
    ("feel low", "sad"),
    ("weak legs", "weakness-in-the-arms-or-legs"),
    ("my ribs ache", "bone-pain"),
    ("threw up this morning", "vomiting"),
    ("threw up twice", "vomiting"),
    # Dry mouth
    ("my mouth is so dry", "dry-mouth"),
    ("no saliva at all", "dry-mouth"),
    ("dry mouth", "dry-mouth"),
    # Difficulty swallowing
    ("trouble swallowing", "difficulty-swallowing"),
    ("food gets stuck in my throat", "difficulty-swallowing"),
    ("it's hard to swallow my tablets", "difficulty-swallowing"),
    # Mouth/throat sores
    ("mouth ulcers", "mouth-throat-sores"),
    ("I've got a sore throat", "mouth-throat-sores"),
    ("my gums are sore", "mouth-throat-sores"),
    # Cracking at the corners of the mouth
    ("cracked lips", "cracking-at-the-corners-of-the-mouth-cheilosis-cheilitis"),
    (
        "cracks at the corners of my mouth",
        "cracking-at-the-corners-of-the-mouth-cheilosis-cheilitis",
    ),
    # Voice quality changes
    ("my voice has changed", "voice-quality-changes"),
    ("lost my voice", "voice-quality-changes"),
    # Hoarseness
    ("hoarse", "hoarseness"),
    ("my voice is croaky", "hoarseness"),
    ("raspy voice", "hoarseness"),
    # Taste changes
    ("everything tastes of metal", "taste-changes"),
    ("food tastes funny", "taste-changes"),
    ("metalic taste", "taste-changes"),
    # Decreased appetite
    ("off my food", "loss-of-appetite"),
    ("no appetite", "loss-of-appetite"),
    # Nausea
    ("feeling queasy", "nausea"),
    ("I feel sick", "nausea"),
    ("nausous", "nausea"),
    # Vomiting
    ("I was sick twice", "vomiting"),
    ("puking", "vomiting"),
    ("vomitting all night", "vomiting"),
    # Heartburn
    ("heartburn", "heartburn"),
    ("acid reflux after meals", "heartburn"),
    ("indigestion", "heartburn"),
    # Gas
    ("trapped wind", "gas"),
    ("gassy", "gas"),
    ("farting a lot", "gas"),
    # Bloating
    ("bloated", "bloating"),
    ("my tummy is swollen", "bloating"),
    ("bloated belly", "bloating"),
    # Hiccups
    ("hiccups", "hiccups"),
    ("can't stop hiccuping", "hiccups"),
    ("hiccoughs", "hiccups"),
    # Constipation
    ("can't poo", "constipation"),
    ("haven't pooed for three days", "constipation"),
    ("constipation", "constipation"),
    ("constapated", "constipation"),
    ("bunged up", "constipation"),
    # Diarrhea
    ("diarrhea", "diarrhea"),
    ("the runs", "diarrhea"),
    ("loose stools", "diarrhea"),
    ("watery poo", "diarrhea"),
    ("diarhea", "diarrhea"),
    ("diarrohea six times", "diarrhea"),
    # Fecal incontinence
    ("I soiled myself", "fecal-incontinence"),
    ("can't control my bowels", "fecal-incontinence"),
    ("faecal incontinence", "fecal-incontinence"),
    # Abdominal pain
    ("tummy ache", "stomach-pain"),
    ("stomach cramps", "stomach-pain"),
    # Shortness of breath
    ("short of breath", "difficulty-catching-breath"),
    ("out of breath on the stairs", "difficulty-catching-breath"),
    # Cough
    ("coughing a lot", "cough-that-wont-go-away"),
    ("dry cough", "cough-that-wont-go-away"),
    # Wheezing
    ("wheezy", "wheezing"),
    ("my chest is whistling", "wheezing"),
    ("wheezing", "wheezing"),
    # Swelling
    ("swollen ankles", "swelling"),
    ("my rings are too tight", "swelling"),
    # Heart palpitations
    ("palpitations", "heart-palpitations"),
    ("my heart is racing", "heart-palpitations"),
    ("heart fluttering", "heart-palpitations"),
    # Rash
    ("rash on my arms", "rash"),
    ("a red rash", "rash"),
    ("spots on my skin", "rash"),
    # Skin dryness
    ("dry skin", "skin-dryness"),
    ("my skin is flaky", "skin-dryness"),
    # Acne
    ("spots on my face", "acne"),
    ("acne", "acne"),
    ("pimples", "acne"),
    # Hair loss
    ("my hair is falling out", "hair-loss"),
    ("going bald", "hair-loss"),
    ("hair loss", "hair-loss"),
    # Itching
    ("itchy", "itching"),
    ("I'm itching all over", "itching"),
    ("can't stop scratching", "itching"),
    # Hives
    ("hives", "hives"),
    ("nettle rash", "hives"),
    ("welts on my arms", "hives"),
    # Hand-foot syndrome
    ("hand foot syndrome", "hand-foot-syndrome"),
    ("the soles of my feet are sore", "hand-foot-syndrome"),
    ("peeling palms", "hand-foot-syndrome"),
    # Nail loss
    ("a nail fell off", "nail-loss"),
    ("losing my nails", "nail-loss"),
    # Nail ridging
    ("ridges on my nails", "nail-ridging"),
    ("ridged nails", "nail-ridging"),
    # Nail discoloration
    ("my nails have gone dark", "nail-discoloration"),
    ("discoloured nails", "nail-discoloration"),
    ("discolored nails", "nail-discoloration"),
    # Sensitivity to sunlight
    ("I burn easily in the sun", "sensitivity-to-sunlight"),
    ("sunburnt after ten minutes", "sensitivity-to-sunlight"),
    # Bed/pressure sores
    ("bed sores", "bed-pressure-sores"),
    ("pressure sore on my bottom", "bed-pressure-sores"),
    # Radiation skin reaction
    ("radiotherapy burn", "radiation-skin-reaction"),
    ("skin sore from radiotherapy", "radiation-skin-reaction"),
    # Skin darkening
    ("dark patches on my skin", "skin-darkening"),
    ("my skin is getting darker", "skin-darkening"),
    # Stretch marks
    ("stretch marks", "stretch-marks"),
    ("new stretchmarks on my tummy", "stretch-marks"),
    # Numbness & tingling
    ("numb toes", "numbness-tingling"),
    ("neuropathy in my feet", "numbness-tingling"),
    ("a strange tingling in my toes", "numbness-tingling"),
    ("tingleing fingers", "numbness-tingling"),
    # Dizziness
    ("lightheaded", "dizziness"),
    ("light headed when I stand up", "dizziness"),
    ("the room is spinning", "dizziness"),
    ("dizzy", "dizziness"),
    ("dizzyness", "dizziness"),
    # Blurred vision
    ("blurry vision", "blurred-vision"),
    ("my vision is fuzzy", "blurred-vision"),
    # Flashing lights
    ("flashing lights in my eyes", "flashing-lights"),
    ("seeing flashes", "flashing-lights"),
    # Visual floaters
    ("floaters", "visual-floaters"),
    ("seeing spots in front of my eyes", "visual-floaters"),
    # Watery eyes
    ("my eyes keep watering", "watery-eyes"),
    ("watery eyes", "watery-eyes"),
    # Ringing in ears
    ("ringing in my ears", "ringing-in-ears"),
    ("tinnitus", "ringing-in-ears"),
    # Concentration
    ("can't concentrate", "concentration"),
    ("brain fog", "concentration"),
    ("chemo brain", "concentration"),
    # Memory
    ("I keep forgetting things", "memory"),
    ("my memory is bad", "memory"),
    ("can't remember things", "memory"),
    # General pain
    ("pain all over", "general-pain"),
    ("aches and pains", "general-pain"),
    ("it hurts", "general-pain"),
    # Headache
    ("headache", "headaches-or-pressure-in-the-head"),
    ("headake", "headaches-or-pressure-in-the-head"),
    # Muscle pain
    ("my muscles ache", "muscle-pain"),
    ("sore muscles", "muscle-pain"),
    ("cramp in my legs", "muscle-pain"),
    # Joint pain
    ("my joints hurt", "joint-pain"),
    ("sore knees", "joint-pain"),
    ("joint pain", "joint-pain"),
    ("stiff joints in the morning", "joint-pain"),
    # Insomnia
    ("awake all night", "insomnia"),
    ("trouble sleeping", "insomnia"),
    ("insomnia", "insomnia"),
    ("can't get to sleep", "insomnia"),
    # Fatigue
    ("tired all the time", "fatigue"),
    ("knackered", "fatigue"),
    ("exausted", "fatigue"),
    # Anxious
    ("worried sick", "anxious"),
    ("panicky", "anxious"),
    ("I'm so worried", "anxious"),
    ("anxiety", "anxious"),
    ("anxous", "anxious"),
    # Discouraged
    ("I feel hopeless", "discouraged"),
    ("fed up", "discouraged"),
    ("disheartened", "discouraged"),
    # Sad
    ("feeling down", "sad"),
    ("depressed", "sad"),
    ("tearful", "sad"),
    ("low mood", "sad"),
    # Irregular periods/vaginal bleeding
    ("spotting", "irregular-periods-vaginal-bleeding"),
    ("irregular periods", "irregular-periods-vaginal-bleeding"),
    ("bleeding between periods", "irregular-periods-vaginal-bleeding"),
    # Missed expected menstrual period
    ("missed my period", "missed-expected-menstrual-period"),
    ("my period is late", "missed-expected-menstrual-period"),
    # Vaginal discharge
    ("unusual discharge", "vaginal-discharge"),
    ("vaginal discharge", "vaginal-discharge"),
    # Vaginal dryness
    ("vaginal dryness", "vaginal-dryness"),
    ("dry down below", "vaginal-dryness"),
    # Painful urination
    ("it stings when I wee", "painful-urination"),
    ("burning when I pee", "painful-urination"),
    ("cystitis", "painful-urination"),
    # Urinary urgency
    ("sudden urge to pee", "urinary-urgency"),
    ("rushing to the loo", "urinary-urgency"),
    # Urinary frequency
    ("peeing all the time", "urinary-frequency"),
    ("weeing more than usual", "urinary-frequency"),
    # Change in usual urine color
    ("dark urine", "change-in-usual-urine-color"),
    ("my wee is orange", "change-in-usual-urine-color"),
    ("urine changed colour", "change-in-usual-urine-color"),
    # Urinary incontinence
    ("leaking when I cough", "urinary-incontinence"),
    ("I wet myself", "urinary-incontinence"),
    ("weak bladder", "urinary-incontinence"),
    # Achieve and maintain erection
    ("erection problems", "achieve-and-maintain-erection"),
    ("trouble keeping an erection", "achieve-and-maintain-erection"),
    # Ejaculation
    ("problems with ejaculation", "ejaculation"),
    ("can't ejaculate", "ejaculation"),
    # Decreased libido
    ("low sex drive", "decreased-libido"),
    ("lost interest in sex", "decreased-libido"),
    ("no libido", "decreased-libido"),
    # Delayed orgasm
    ("takes longer to climax", "delayed-orgasm"),
    ("delayed orgasm", "delayed-orgasm"),
    # Unable to have orgasm
    ("can't orgasm", "unable-to-have-orgasm"),
    ("unable to climax", "unable-to-have-orgasm"),
    # Pain w/sexual intercourse
    ("painful sex", "pain-w-sexual-intercourse"),
    ("sex hurts", "pain-w-sexual-intercourse"),
    # Breast swelling and tenderness
    ("tender breasts", "breast-swelling-and-tenderness"),
    ("my breast is swollen", "breast-swelling-and-tenderness"),
    # Bruising
    ("I bruise easily", "bruising"),
    ("bruises on my legs", "bruising"),
    ("black and blue", "bruising"),
    # Chills
    ("shivering", "chills"),
    ("the chills", "chills"),
    ("shivery", "chills"),
    # Increased sweating
    ("night sweats", "increased-sweating"),
    ("sweating a lot", "increased-sweating"),
    ("clammy", "increased-sweating"),
    # Decreased sweating
    ("I've stopped sweating", "decreased-sweating"),
    ("can't sweat", "decreased-sweating"),
    # Hot flashes
    ("hot flashes", "hot-flashes"),
    ("hot flush", "hot-flashes"),
    ("hot flushs at work", "hot-flashes"),
    # Nosebleed
    ("nosebleed", "nosebleed"),
    ("my nose is bleeding", "nosebleed"),
    ("nose bleed", "nosebleed"),
    # Pain and swelling at injection site
    ("sore injection site", "pain-and-swelling-at-injection-site"),
    ("lump where I had the injection", "pain-and-swelling-at-injection-site"),
    ("pain and swelling at injection site", "pain-and-swelling-at-injection-site"),
    # Body odor
    ("body odour", "body-odor"),
    ("body odor", "body-odor"),
    ("my sweat smells different", "body-odor"),
    # The red-flag symptoms outside PRO-CTCAE.
    ("temperature of 38.5", "high-temperature"),
    ("fever", "high-temperature"),
    ("feverish", "high-temperature"),
    ("running a temperature", "high-temperature"),
    ("back pain", "back-or-neck-pain"),
    ("my back hurts", "back-or-neck-pain"),
    ("neck pain", "back-or-neck-pain"),
    ("legs giving way", "weakness-in-the-arms-or-legs"),
    ("heavy legs", "weakness-in-the-arms-or-legs"),
    ("weakness in my arms", "weakness-in-the-arms-or-legs"),
    ("can't breathe", "struggling-to-breathe"),
    ("struggling to breathe", "struggling-to-breathe"),
    ("gasping for air", "struggling-to-breathe"),
    ("breathless at rest", "struggling-to-breathe"),
    ("won't stop bleeding", "bleeding-that-will-not-stop"),
    ("bleeding", "bleeding"),
    ("my gums are bleeding", "bleeding"),
    ("bleeding that won't stop", "bleeding-that-will-not-stop"),
    ("nosebleed that won't stop", "bleeding-that-will-not-stop"),
    # The article's own symptoms keep their words.
    ("my hip aches", "bone-pain"),
    ("sore ribs", "bone-pain"),
    ("fell and broke my wrist", "bones-that-break-easily"),
    ("I had a fit", "seizures"),
    ("double vision", "visual-disturbances"),
    ("yellow eyes", "jaundice"),
    ("chest pain", "chest-pain"),
    ("itchy skin", "rash-or-itchy-skin"),
    ("I'm not myself", "personality-or-behaviour-changes"),
    ("confused", "personality-or-behaviour-changes"),
    ("lost weight without trying", "unexplained-weight-loss"),
]

# Diary notes that name no symptom: nothing may be linked to them.
NOTHING = [
    "I went for a run",
    "had a lovely walk by the sea",
    "the sun is shining",
    "watched a film with my husband",
    "good day today",
    "feeling great",
    "I feel fine",
    "nothing to report",
    "I slept well",
    "slept like a log",
    "my sister came round for tea",
    "I was discharged from hospital",
    "picked up my prescription",
    "took my tablets on time",
    "had my scan today",
    "blood test at the surgery",
    "saw the oncologist",
    "chemo day",
    "started my new tablets",
    "the windy weather",
    "cooked a roast dinner",
    "the grandchildren visited",
    "went to the shops",
    "phoned my daughter",
    "read a good book",
    "did the crossword",
    "a quiet day at home",
    "lunch with friends",
    "bought new shoes",
    "no fever",
    "not dizzy any more",
    "no diarrhoea today",
    "haven't been sick",
    "no pain at all",
    "not anxious",
    "I'm not constipated",
    "didn't throw up",
    "no tingling",
    "not feeling low",
    "no hot flushes today",
]

# Several complaints in one sentence: each is offered, the first-written first.
SEVERAL = [
    ("headache and threw up", ["headaches-or-pressure-in-the-head", "vomiting"]),
    ("diarrhoea and tummy cramps", ["diarrhea", "stomach-pain"]),
    ("hot flushes and night sweats", ["hot-flashes", "increased-sweating"]),
    ("can't sleep and feel low", ["insomnia", "sad"]),
    ("back pain and weak legs", ["back-or-neck-pain", "weakness-in-the-arms-or-legs"]),
    ("sore mouth, can't taste my food", ["mouth-throat-sores", "taste-changes"]),
    ("fever and shivering", ["high-temperature", "chills"]),
]


@pytest.mark.parametrize(("text", "slug"), PHRASES)
def test_each_phrasing_finds_its_symptom_first(symptoms, text, slug):
    found = [s.slug for s in match_symptoms(text)]
    assert found[:1] == [slug], f"{text!r} -> {found}"


@pytest.mark.parametrize("text", NOTHING)
def test_text_naming_no_symptom_matches_nothing(symptoms, text):
    assert match_symptoms(text) == [], text


@pytest.mark.parametrize(("text", "slugs"), SEVERAL)
def test_each_complaint_of_a_sentence_is_offered(symptoms, text, slugs):
    found = [s.slug for s in match_symptoms(text)]
    assert found[: len(slugs)] == slugs, found


def test_the_table_is_big_enough_and_names_every_pro_ctcae_term_twice(symptoms):
    assert len(PHRASES) + len(NOTHING) + len(SEVERAL) >= 250
    assert len(NOTHING) >= 40
    assert len({text for text, _ in PHRASES}) == len(PHRASES), "a phrase is there twice"
    slug_of_term = dict(
        Symptom.objects.exclude(pro_ctcae_term="").values_list("pro_ctcae_term", "slug")
    )
    expected = [slug for _, slug in PHRASES]
    for _, term, _ in pro_ctcae.TERMS:
        assert expected.count(slug_of_term[term]) >= 2, term
    # Every symptom in the vocabulary is somebody's first match.
    assert set(expected) == set(symptoms)
