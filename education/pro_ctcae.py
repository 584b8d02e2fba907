"""NCI's PRO-CTCAE item library, version 1.0: the symptom terms and the attributes asked of each.

Source: National Cancer Institute, Patient-Reported Outcomes version of the Common Terminology
Criteria for Adverse Events (PRO-CTCAE™), item library version 1.0 (English). NCI has made
PRO-CTCAE exempt from copyright under its terms of use: the terms and the response words are
kept exactly as NCI words them, and every place that shows them names the source.

The numbering is the item library's (1 to 80). The list was checked against two independent
transcriptions of the library (a scoring library's item definitions and a translated item
library that keeps the English terms), which agree on every term, its number and its
attributes. Each term's attributes are the questions the library asks of it: how often
(frequency), how bad at its worst (severity), how much it interfered with usual or daily
activities (interference), how much (amount) or whether at all (presence).
"""

from django.db import models

SOURCE = (
    "National Cancer Institute, PRO-CTCAE™ item library version 1.0 (English). "
    "Used under NCI's terms of use; its terms, item wording and response words unmodified."
)


class Attribute(models.TextChoices):
    FREQUENCY = "frequency", "How often"
    SEVERITY = "severity", "How bad at its worst"
    INTERFERENCE = "interference", "How much it got in the way of usual or daily activities"
    AMOUNT = "amount", "How much"
    PRESENCE = "presence", "Whether you had it"


# NCI's response words for each attribute, lowest first; the stored value is the position.
FREQUENCY_WORDS = ("Never", "Rarely", "Occasionally", "Frequently", "Almost constantly")
SEVERITY_WORDS = ("None", "Mild", "Moderate", "Severe", "Very severe")
INTERFERENCE_WORDS = ("Not at all", "A little bit", "Somewhat", "Quite a bit", "Very much")
AMOUNT_WORDS = INTERFERENCE_WORDS
PRESENCE_WORDS = ("No", "Yes")

RESPONSE_WORDS: dict[str, tuple[str, ...]] = {
    Attribute.FREQUENCY: FREQUENCY_WORDS,
    Attribute.SEVERITY: SEVERITY_WORDS,
    Attribute.INTERFERENCE: INTERFERENCE_WORDS,
    Attribute.AMOUNT: AMOUNT_WORDS,
    Attribute.PRESENCE: PRESENCE_WORDS,
}


def top_level(attribute: str) -> int:
    """The highest response: Almost constantly, Very severe, Very much, or Yes."""
    return len(RESPONSE_WORDS[attribute]) - 1


def response_word(attribute: str, value: int | None) -> str:
    if value is None:
        return ""
    return RESPONSE_WORDS[attribute][value]


F, S, INT, A, P = (
    Attribute.FREQUENCY,
    Attribute.SEVERITY,
    Attribute.INTERFERENCE,
    Attribute.AMOUNT,
    Attribute.PRESENCE,
)

# (item number, NCI term, attributes in the library's order)
TERMS: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (1, "Dry mouth", (S,)),
    (2, "Difficulty swallowing", (S,)),
    (3, "Mouth/throat sores", (S, INT)),
    (4, "Cracking at the corners of the mouth (cheilosis/cheilitis)", (S,)),
    (5, "Voice quality changes", (P,)),
    (6, "Hoarseness", (S,)),
    (7, "Taste changes", (S,)),
    (8, "Decreased appetite", (S, INT)),
    (9, "Nausea", (F, S)),
    (10, "Vomiting", (F, S)),
    (11, "Heartburn", (F, S)),
    (12, "Gas", (P,)),
    (13, "Bloating", (F, S)),
    (14, "Hiccups", (F, S)),
    (15, "Constipation", (S,)),
    (16, "Diarrhea", (F,)),
    (17, "Abdominal pain", (F, S, INT)),
    (18, "Fecal incontinence", (F, INT)),
    (19, "Shortness of breath", (S, INT)),
    (20, "Cough", (S, INT)),
    (21, "Wheezing", (S,)),
    (22, "Swelling", (F, S, INT)),
    (23, "Heart palpitations", (F, S)),
    (24, "Rash", (P,)),
    (25, "Skin dryness", (S,)),
    (26, "Acne", (S,)),
    (27, "Hair loss", (A,)),
    (28, "Itching", (S,)),
    (29, "Hives", (P,)),
    (30, "Hand-foot syndrome", (S,)),
    (31, "Nail loss", (P,)),
    (32, "Nail ridging", (P,)),
    (33, "Nail discoloration", (P,)),
    (34, "Sensitivity to sunlight", (P,)),
    (35, "Bed/pressure sores", (P,)),
    (36, "Radiation skin reaction", (S,)),
    (37, "Skin darkening", (P,)),
    (38, "Stretch marks", (P,)),
    (39, "Numbness & tingling", (S, INT)),
    (40, "Dizziness", (S, INT)),
    (41, "Blurred vision", (S, INT)),
    (42, "Flashing lights", (P,)),
    (43, "Visual floaters", (P,)),
    (44, "Watery eyes", (S, INT)),
    (45, "Ringing in ears", (S,)),
    (46, "Concentration", (S, INT)),
    (47, "Memory", (S, INT)),
    (48, "General pain", (F, S, INT)),
    (49, "Headache", (F, S, INT)),
    (50, "Muscle pain", (F, S, INT)),
    (51, "Joint pain", (F, S, INT)),
    (52, "Insomnia", (S, INT)),
    (53, "Fatigue", (S, INT)),
    (54, "Anxious", (F, S, INT)),
    (55, "Discouraged", (F, S, INT)),
    (56, "Sad", (F, S, INT)),
    (57, "Irregular periods/vaginal bleeding", (P,)),
    (58, "Missed expected menstrual period", (P,)),
    (59, "Vaginal discharge", (A,)),
    (60, "Vaginal dryness", (S,)),
    (61, "Painful urination", (S,)),
    (62, "Urinary urgency", (F, INT)),
    (63, "Urinary frequency", (F, INT)),
    (64, "Change in usual urine color", (P,)),
    (65, "Urinary incontinence", (F, INT)),
    (66, "Achieve and maintain erection", (S,)),
    (67, "Ejaculation", (F,)),
    (68, "Decreased libido", (S,)),
    (69, "Delayed orgasm", (P,)),
    (70, "Unable to have orgasm", (P,)),
    (71, "Pain w/sexual intercourse", (S,)),
    (72, "Breast swelling and tenderness", (S,)),
    (73, "Bruising", (P,)),
    (74, "Chills", (F, S)),
    (75, "Increased sweating", (F, S)),
    (76, "Decreased sweating", (P,)),
    (77, "Hot flashes", (F, S)),
    (78, "Nosebleed", (F, S)),
    (79, "Pain and swelling at injection site", (P,)),
    (80, "Body odor", (S,)),
)

ATTRIBUTES_BY_TERM: dict[str, tuple[str, ...]] = {term: attrs for _, term, attrs in TERMS}
