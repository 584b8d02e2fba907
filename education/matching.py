"""Maps what a patient types ("my hip aches", "can't catch my breath") onto Symptom rows.

Every symptom's name and lay synonyms become phrases of normalised words. A phrase matches
when each of its words appears in the text, exactly or with a small typo; the best phrase
scores its symptom. Text that matches no phrase returns [], never a guess. The vocabulary
is built once per process and rebuilt when a Symptom row changes (at once in the process
that changed it, within RECHECK_SECONDS in the others).
"""

import math
import re
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save
from rapidfuzz.distance import DamerauLevenshtein

from education.models import Symptom

MAX_TEXT_LENGTH = 300


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words that carry no symptom meaning; dropped from both the text and the phrases.
FILLER = _word_set(
    """
    i im ive id me my mine you your we our us he she him her his they them their it its itd
    this that these those a an the and or but nor to of in on at for with from by into onto
    is are was were be am do does did just also only really very so such quite pretty rather
    slightly somewhat bit abit little lot lots loads kind sort today tonight yesterday tomorrow
    morning afternoon evening night nights day days week weeks month months lately recently
    since ago again now then there here what which who whom how why some any
    think thought maybe perhaps seem seems seemed um uh er erm ok okay well oh like
    got get gets getting started starting start
    """
)

# Words a phrase may use, but that never make a match on their own ("feel", "can't").
WEAK = _word_set(
    """
    have feel been being keep go going gone went come came can cant cannot could dont wont not
    no all up out off after before when while still always never stop much more less too
    bad worse worst better want make made every everything time anything hard
    """
)

# Words that deny what follows ("no pain today", "haven't been sick"): a phrase matched
# within NEGATION_WINDOW words after one, in the same clause, is not reported, unless the
# word is part of the phrase itself ("no appetite", "not hungry").
NEGATIONS = _word_set(
    """
    no not never without none havent hasnt hadnt isnt arent wasnt werent dont doesnt didnt
    """
)
NEGATION_WINDOW = 3
# "not sure it's a rash" hedges; it does not deny.
NOT_A_NEGATION_BEFORE = _word_set("sure certain")
WEAK |= NEGATIONS

# Where one complaint ends and the next begins: "headache and threw up", "tired, sore
# mouth". Each clause is matched on its own as well as within the whole text.
_CLAUSE_BREAK = re.compile(r"[,;.!?&+\n]|\b(?:and|but|with|then|plus)\b", re.IGNORECASE)

# Words that complete a phrase ("had a fit") but say too little to suggest one on their own
# ("I feel fit").
NO_PARTIAL = _word_set(
    """
    fit new right left run white see look clearly different person body thing someth
    everyth walk eat food
    chemo radiotherapy radiation injection discharg rush
    """
)
# A partial match is for words still being typed ("naus", "bone"); a longer text must match
# a whole phrase.
PARTIAL_MAX_WORDS = 2

# British and American spellings meet at one form.
SPELLING = {
    "behaviour": "behavior",
    "behaviours": "behavior",
    "oedema": "edema",
    "diarrhoea": "diarrhea",
    "dyspnoea": "dyspnea",
    "tumour": "tumor",
    "tumours": "tumor",
    "anaemia": "anemia",
    "anaemic": "anemic",
    "haemorrhage": "hemorrhage",
    "oesophagus": "esophagus",
    "colour": "color",
    "coloured": "colored",
    "favour": "favor",
    "grey": "gray",
    "paediatric": "pediatric",
    "orthopaedic": "orthopedic",
    "recognise": "recognize",
    "realise": "realize",
    "odour": "odor",
    "odours": "odor",
    "faecal": "fecal",
    "discolouration": "discoloration",
    "discoloured": "discolored",
    "demoralised": "demoralized",
}

# Irregular forms, common misspellings of short words (too short for fuzzy matching to be
# safe), and words that the suffix rules below would wrongly shorten.
LEMMAS = {
    "aches": "ache",
    "aching": "ache",
    "ached": "ache",
    "achy": "ache",
    "achey": "ache",
    "hurts": "hurt",
    "hurting": "hurt",
    "threw": "throw",
    "thrown": "throw",
    "throwing": "throw",
    "throws": "throw",
    "felt": "feel",
    "feeling": "feel",
    "feels": "feel",
    "having": "have",
    "had": "have",
    "has": "have",
    "cannot": "cant",
    "couldnt": "cant",
    "unable": "cant",
    "breathing": "breathe",
    "breathes": "breathe",
    "puke": "vomit",
    "puking": "vomit",
    "puked": "vomit",
    "vomiting": "vomit",
    "vomitting": "vomit",
    "vomited": "vomit",
    "vommiting": "vomit",
    "vommit": "vomit",
    "vomitted": "vomit",
    "tummy": "stomach",
    "tummies": "stomach",
    "belly": "stomach",
    "bellies": "stomach",
    "abdomen": "stomach",
    "abdominal": "stomach",
    "gut": "stomach",
    "guts": "stomach",
    "stomache": "stomach",
    "tummyache": "stomachache",
    "bellyache": "stomachache",
    "eyesight": "vision",
    "sight": "vision",
    "feet": "foot",
    "teeth": "tooth",
    "tiredness": "tired",
    "tierd": "tired",
    "tird": "tired",
    "tyred": "tired",
    "tiered": "tired",
    "coff": "cough",
    "cogh": "cough",
    "caugh": "cough",
    "couf": "cough",
    "cougth": "cough",
    "itchey": "itchy",
    "ichy": "itchy",
    "itchi": "itchy",
    "iched": "itchy",
    "breth": "breath",
    "brething": "breathe",
    "breating": "breathe",
    "rashes": "rash",
    "panting": "panting",
    "weakness": "weakness",
    "seeing": "see",
    "saw": "see",
    "lost": "lose",
    "losing": "lose",
    "loses": "lose",
    "broke": "break",
    "broken": "break",
    "breaking": "break",
    "breaks": "break",
    "fractured": "fracture",
    "fractures": "fracture",
    "swollen": "swell",
    "swelling": "swell",
    "swelled": "swell",
    "swells": "swell",
    "yellowing": "yellow",
    "yellowed": "yellow",
    "confused": "confuse",
    "confusing": "confuse",
    "confusion": "confuse",
    "eating": "eat",
    "ate": "eat",
    "eats": "eat",
    # "the runs" is diarrhoea; "a run" is not.
    "runs": "runs",
    # Winded is out of breath; wind is gas.
    "winded": "winded",
    # Spotting is bleeding; spots are skin.
    "spotting": "spotting",
    "scared": "scared",
    "worried": "worry",
    "panicking": "panic",
    "panicked": "panic",
    "giving": "give",
    "given": "give",
    "gave": "give",
    "peeing": "pee",
    "pees": "pee",
    "peed": "pee",
    "weeing": "wee",
    "wees": "wee",
    "pooing": "poo",
    "pooed": "poo",
    "poos": "poo",
}

_APOSTROPHES = str.maketrans({"\u2019": "", "\u2018": "", "'": "", "`": ""})
_NON_WORD = re.compile(r"[^a-z0-9]+")
_DOUBLED_ENDING = re.compile(r"([bcdgkmnprtv])\1$")


def _stem(word: str) -> str:
    """A deliberately small set of suffix rules; the same rules run on text and phrases."""
    if word in LEMMAS:
        return LEMMAS[word]
    stem = word
    if len(word) >= 7 and word.endswith("iness"):
        stem = word[:-5] + "y"
    elif len(word) >= 7 and word.endswith("ness"):
        stem = word[:-4]
    elif len(word) >= 6 and word.endswith("ing"):
        stem = _DOUBLED_ENDING.sub(r"\1", word[:-3])
    elif len(word) >= 6 and word.endswith("ed"):
        stem = _DOUBLED_ENDING.sub(r"\1", word[:-2])
    elif len(word) >= 5 and word.endswith("ies"):
        stem = word[:-3] + "y"
    elif word.endswith("aches"):
        stem = word[:-1]
    elif len(word) >= 5 and word.endswith(("ches", "shes", "xes", "sses")):
        stem = word[:-2]
    elif len(word) >= 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        stem = word[:-1]
    return LEMMAS.get(stem, stem)


def normalise(text: str) -> list[str]:
    """Lower-case content words of text, with spelling, plurals and verb forms unified."""
    text = unicodedata.normalize("NFKD", text[:MAX_TEXT_LENGTH])
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.translate(_APOSTROPHES)
    words = []
    for raw in _NON_WORD.split(text):
        if not raw or raw in FILLER:
            continue
        word = _stem(SPELLING.get(raw, raw))
        if word and word not in FILLER:
            words.append(word)
    return words


# The word lists are written as people write the words; they are checked against
# normalised ones ("everything" is "everyth" there).
WEAK = frozenset(_stem(word) for word in WEAK)


def _allowed_typos(word: str) -> int:
    if len(word) >= 8:
        return 2
    if len(word) >= 6:
        return 1
    return 0


@lru_cache(maxsize=50_000)
def _word_similarity(typed: str, known: str, *, may_be_prefix: bool) -> float:
    """1.0 for the same word, less for a typo or an unfinished word, 0.0 otherwise."""
    if typed == known:
        return 1.0
    if may_be_prefix and len(typed) >= 4 and known.startswith(typed):
        return 0.7
    allowed = _allowed_typos(known)
    if (
        allowed
        and len(typed) >= 5
        and typed[0] == known[0]
        and abs(len(typed) - len(known)) <= allowed
    ):
        distance = DamerauLevenshtein.distance(typed, known, score_cutoff=allowed)
        if distance <= allowed:
            return 1.0 - 0.1 * distance
    return 0.0


@dataclass(frozen=True)
class _Phrase:
    symptom_pk: int
    words: tuple[str, ...]


@dataclass(frozen=True)
class _Vocabulary:
    fingerprint: tuple
    symptoms: dict[int, Symptom]
    phrases: tuple[_Phrase, ...]
    words: frozenset[str]
    # Each vocabulary word's phrases: only those can score for a typed text.
    phrases_by_word: dict[str, tuple[_Phrase, ...]] = field(default_factory=dict)
    # The vocabulary words by their first letter: a typed word is only ever similar to a word
    # that starts with the same letter (_word_similarity).
    words_by_initial: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # (typed word, may be a prefix) -> the vocabulary words it matches, with their score.
    # Lives and dies with this vocabulary; bounded by _SIMILAR_MAX.
    similar_cache: dict[tuple[str, bool], tuple[tuple[str, float], ...]] = field(
        default_factory=dict
    )

    def similar(self, typed: str, *, may_be_prefix: bool) -> tuple[tuple[str, float], ...]:
        key = (typed, may_be_prefix)
        found = self.similar_cache.get(key)
        if found is None:
            found = tuple(
                (known, score)
                for known in self.words_by_initial.get(typed[:1], ())
                if (score := _word_similarity(typed, known, may_be_prefix=may_be_prefix))
            )
            if len(self.similar_cache) >= _SIMILAR_MAX:
                self.similar_cache.clear()
            self.similar_cache[key] = found
        return found


_SIMILAR_MAX = 20_000


_lock = threading.Lock()
_vocabulary: _Vocabulary | None = None


def _phrases_for(symptom: Symptom) -> list[_Phrase]:
    phrases = []
    seen: set[tuple[str, ...]] = set()
    for text in [symptom.name, *symptom.synonym_list]:
        words = tuple(normalise(text))
        if not words or all(w in WEAK for w in words):
            continue
        variants = [words]
        # "head ache" and "headache" are the same phrase.
        if len(words) == 2:
            variants.append((words[0] + words[1],))
        for variant in variants:
            if variant not in seen:
                seen.add(variant)
                phrases.append(_Phrase(symptom.pk, variant))
    return phrases


def _fingerprint() -> tuple:
    row = Symptom.objects.aggregate(count=Count("pk"), latest=Max("updated_at"))
    return (row["count"], row["latest"])


# How long a process trusts its vocabulary before asking whether the symptoms changed. A
# change made in this process clears it at once (the signals below); another process, e.g.
# a second gunicorn worker, notices within this many seconds.
RECHECK_SECONDS = 5.0
_checked_at = -math.inf


def _get_vocabulary() -> _Vocabulary:
    """No query when checked in the last RECHECK_SECONDS; else one small query, plus one
    more when the symptom rows have changed."""
    global _vocabulary, _checked_at
    vocabulary = _vocabulary
    now = time.monotonic()
    if vocabulary is not None and now - _checked_at < RECHECK_SECONDS:
        return vocabulary
    fingerprint = _fingerprint()
    if vocabulary is None or vocabulary.fingerprint != fingerprint:
        symptoms = {s.pk: s for s in Symptom.objects.all()}
        phrases = tuple(p for s in symptoms.values() for p in _phrases_for(s))
        words = frozenset(word for phrase in phrases for word in phrase.words)
        by_word: dict[str, list[_Phrase]] = {}
        for phrase in phrases:
            for word in dict.fromkeys(phrase.words):
                by_word.setdefault(word, []).append(phrase)
        phrases_by_word = {word: tuple(found) for word, found in by_word.items()}
        by_initial: dict[str, list[str]] = {}
        for word in sorted(words):
            by_initial.setdefault(word[0], []).append(word)
        words_by_initial = {initial: tuple(found) for initial, found in by_initial.items()}
        vocabulary = _Vocabulary(
            fingerprint, symptoms, phrases, words, phrases_by_word, words_by_initial
        )
    with _lock:
        _vocabulary = vocabulary
        _checked_at = now
    return vocabulary


def clear_cache(**kwargs) -> None:
    """Forget the vocabulary; also a receiver for changes to Symptom rows."""
    global _vocabulary, _checked_at
    with _lock:
        _vocabulary = None
        _checked_at = -math.inf


post_save.connect(clear_cache, sender=Symptom, dispatch_uid="matching.symptom_saved")
post_delete.connect(clear_cache, sender=Symptom, dispatch_uid="matching.symptom_deleted")


def _score_phrase(
    phrase: _Phrase,
    full: dict[str, list[tuple[int, float]]],
    partial: dict[str, list[tuple[int, float]]],
    strong_count: int,
) -> tuple[float, set[int]]:
    """How well the typed words carry the phrase, and which of them do; 0.0 when they do not.

    full maps a phrase word to the typed words (by index) that match it; partial does the
    same for the typed content words, allowing an unfinished last word.
    """
    # Full match: every word of the phrase is in the text, each matched by a different word.
    if all(known in full for known in phrase.words):
        total = 0.0
        used: set[int] = set()
        for known in phrase.words:
            best, best_index = 0.0, -1
            for index, score in full[known]:
                if index not in used and score > best:
                    best, best_index = score, index
            if best == 0.0:
                break
            used.add(best_index)
            total += best
        else:
            if any(known not in WEAK for known in phrase.words):
                return total + 0.5, used
    # Partial match: the text so far ("bone", "naus") is part of a longer phrase.
    if not strong_count:
        return 0.0, set()
    best_by_typed: dict[int, float] = {}
    strong_words = {known for known in phrase.words if known not in WEAK}
    carried = 0
    for known in strong_words:
        found = partial.get(known, ())
        carried += bool(found)
        for index, score in found:
            if score > best_by_typed.get(index, 0.0):
                best_by_typed[index] = score
    if len(best_by_typed) < strong_count:
        return 0.0, set()
    # Of two phrases the words start, the one they say more of comes first: "sick" is more
    # of "feel sick" than of "worried sick".
    coverage = carried / len(strong_words)
    return 0.4 * sum(best_by_typed.values()) * (0.5 + 0.5 * coverage), set(best_by_typed)


# A whole phrase scores at least this; a part of one ("naus") less.
WHOLE_PHRASE_SCORE = 1.0


def _is_negated(words: list[str], clause_of: list[int], positions: set[int]) -> bool:
    """Whether a negation shortly before the matched words or among them ("my legs are not
    swollen"), in their clause, denies them."""
    first = min(positions)
    for position in range(max(0, first - NEGATION_WINDOW), max(positions)):
        if (
            words[position] in NEGATIONS
            and position not in positions
            and clause_of[position] == clause_of[first]
            and words[position + 1] not in NOT_A_NEGATION_BEFORE
        ):
            return True
    return False


def _scores(
    words: list[str], clause_of: list[int], vocabulary: _Vocabulary, may_suggest: bool
) -> tuple[dict[int, float], dict[int, set[int]]]:
    """Each symptom's best score for the typed words, and the clauses its best phrase was
    found in; negated matches score nothing."""
    count = len(words)
    last = count - 1
    # Compare each typed word with each vocabulary word once, not once per phrase.
    full: dict[str, list[tuple[int, float]]] = {}
    partial: dict[str, list[tuple[int, float]]] = {}
    for index, typed in enumerate(words):
        for known, score in vocabulary.similar(typed, may_be_prefix=False):
            full.setdefault(known, []).append((index, score))
        if may_suggest and typed not in WEAK:
            for known, score in vocabulary.similar(typed, may_be_prefix=index == last):
                if known not in WEAK:
                    partial.setdefault(known, []).append((index, score))
    # Neighbouring words joined up must match exactly: "head ache" -> "headache", "throw up"
    # -> "throwup". A joined pair's index is count + the index of its first word.
    for start, (a, b) in enumerate(pairwise(words)):
        if clause_of[start] == clause_of[start + 1] and a + b in vocabulary.words:
            full.setdefault(a + b, []).append((count + start, 1.0))
    strong_count = sum(1 for w in words if w not in WEAK) if may_suggest else 0
    best: dict[int, float] = {}
    clauses: dict[int, set[int]] = {}
    # A phrase none of whose words matched scores 0.0: look only at the others (the best
    # score per symptom does not depend on the order).
    candidates = {
        phrase: None
        for known in (*full, *partial)
        for phrase in vocabulary.phrases_by_word.get(known, ())
    }
    for phrase in candidates:
        score, used = _score_phrase(phrase, full, partial, strong_count)
        if score <= best.get(phrase.symptom_pk, 0.0):
            continue
        positions = {
            i
            for index in used
            for i in ((index,) if index < count else (index - count, index - count + 1))
        }
        if not _is_negated(words, clause_of, positions):
            best[phrase.symptom_pk] = score
            clauses[phrase.symptom_pk] = {clause_of[i] for i in positions}
    return best, clauses


def match_symptoms(text: str, limit: int = 5) -> list[Symptom]:
    """The symptoms that text describes, best first; [] when nothing fits.

    With several complaints in one text ("headache and threw up"), the best match of each
    clause comes first, in the order she wrote them; then the rest by score.
    """
    clauses = [
        words
        for part in _CLAUSE_BREAK.split((text or "")[:MAX_TEXT_LENGTH])
        if (words := normalise(part))
    ]
    words = [word for clause in clauses for word in clause]
    strong = [w for w in words if w not in WEAK]
    if not strong or limit < 1:
        return []
    vocabulary = _get_vocabulary()
    may_suggest = len(strong) <= PARTIAL_MAX_WORDS and not any(w in NO_PARTIAL for w in strong)
    clause_of = [number for number, clause in enumerate(clauses) for _ in clause]
    # The whole text, for phrases that span a break ("fell and broke", "problems with my
    # vision"); then each clause alone.
    best, found_in = _scores(words, clause_of, vocabulary, may_suggest)
    leaders: dict[int, None] = {}
    if len(clauses) > 1:
        # A whole phrase written across a break is one complaint ("pins and needles", "pain
        # and swelling at injection site"): it may lead the clause it starts in.
        across = {
            pk: (min(numbers), best[pk])
            for pk, numbers in found_in.items()
            if len(numbers) > 1 and best[pk] >= WHOLE_PHRASE_SCORE
        }
        for number, clause in enumerate(clauses):
            # Only the last clause may still be being typed.
            last = number == len(clauses) - 1
            found, _ = _scores(clause, [0] * len(clause), vocabulary, may_suggest and last)
            for pk, score in found.items():
                best[pk] = max(best.get(pk, 0.0), score)
            whole = {pk: score for pk, score in found.items() if score >= WHOLE_PHRASE_SCORE}
            own_best = max(whole.values(), default=0.0)
            for pk, (start, score) in across.items():
                if start == number and score > own_best:
                    whole[pk] = score
            if whole:
                leader = min(whole, key=lambda pk: (-whole[pk], vocabulary.symptoms[pk].name))
                leaders.setdefault(leader)

    def rank(pk: int) -> tuple:
        return (-best[pk], vocabulary.symptoms[pk].name)

    ranked = [*leaders, *sorted(best.keys() - leaders.keys(), key=rank)]
    return [vocabulary.symptoms[pk] for pk in ranked[:limit]]
