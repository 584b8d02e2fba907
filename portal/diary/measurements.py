"""The numbers a patient's own words give: a temperature, and how many times today.

Pure functions of the text. Each returns a Reading (the number, the words it was read from,
and whether it is inside the range an entry takes) or None when the words give none, or
give it too unclearly to use. The form decides what to do with a reading: fill the empty
field when it is in range, or tell the patient when it is not; never fill it silently.

Decisions:
- A number is a temperature when a unit follows it ("38.5 °C", "38.5C", "38.5 degrees") or
  a temperature word comes shortly before it ("temperature of 38.5", "temp 38.2", "fever
  39"). A bare "38.5" is not.
- Fahrenheit is converted to Celsius (to one decimal, halves up) only when the words say
  so ("101 F", "101°F", "101 degrees Fahrenheit"). A number without a unit is Celsius; one
  that only makes sense as Fahrenheit ("temperature of 101") is not converted: it comes back
  out of range with `maybe_fahrenheit`, so that the patient is asked for °C.
- Several temperatures: the highest, as a triage line asks about the highest reading.
- Counts: "3 times", "3x", "five times", "once", "twice". A count "a week" (or a month, per
  day over several days...) is not a count in 24 hours and is left out. Several different
  counts in one text are ambiguous (parts of a total, or corrections), so none is used.
"""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from portal.models import TEMPERATURE_RANGE, TIMES_IN_24H_MAX

TIMES_RANGE = (1, TIMES_IN_24H_MAX)
# What °F a living person's temperature reads: 30-45 °C is 86-113 °F.
_FAHRENHEIT_RANGE = (Decimal("86"), Decimal("113"))
_TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Reading:
    value: Decimal | int
    words: str  # the words it was read from, as typed
    in_range: bool
    # A temperature without a unit that fits °F, not °C: ask rather than guess.
    maybe_fahrenheit: bool = False


# A temperature: a whole number of 2 or 3 digits, perhaps with a decimal point or comma.
_NUMBER = r"(?P<number>\d{2,3}(?:[.,]\d)?)(?![\d.,]*\d)"
_UNIT = (
    r"\s*(?P<unit>"
    r"(?:°|º|˚|degrees?|degs?)\s*(?:c|celsius|centigrade|f|fahrenheit)?"
    r"|c|celsius|centigrade|f|fahrenheit"
    r")(?![a-z])"
)
_TEMPERATURE_WORD = r"\b(?:temperature|temp|fever|feverish|thermometer)\b"
# Words that make the number after a temperature word something else: a duration, a time
# of day, a count.
_NOT_A_TEMPERATURE = re.compile(
    r"\s*(?:days?|nights?|hours?|hrs?|minutes?|mins?|weeks?|months?|years?|am|pm|o'?clock"
    r"|times?|x)\b|\s*:\d",
    re.IGNORECASE,
)
_WITH_UNIT = re.compile(r"(?<![\d.,:])" + _NUMBER + _UNIT, re.IGNORECASE)
_ANY_NUMBER = re.compile(r"(?<![\d.,:])" + _NUMBER)
_TEMPERATURE_WORDS = re.compile(_TEMPERATURE_WORD, re.IGNORECASE)
# How far after a temperature word its number may come ("temperature was up to 38.5"),
# within the sentence.
_WORD_REACH = 30
_SENTENCE_END = re.compile(r"[!?;]|\.(?!\d)")


def _decimal(number: str) -> Decimal:
    return Decimal(number.replace(",", "."))


def _celsius(fahrenheit: Decimal) -> Decimal:
    return ((fahrenheit - 32) * 5 / 9).quantize(_TENTH, rounding=ROUND_HALF_UP)


def _temperature_reading(celsius: Decimal, words: str, maybe_fahrenheit: bool = False) -> Reading:
    low, high = TEMPERATURE_RANGE
    celsius = celsius.quantize(_TENTH)
    return Reading(celsius, words, low <= celsius <= high, maybe_fahrenheit)


def temperature_in(text: str) -> Reading | None:
    """The temperature the words give, in °C."""
    readings: list[Reading] = []
    taken: list[tuple[int, int]] = []
    for found in _WITH_UNIT.finditer(text):
        unit = found["unit"].lower()
        number = _decimal(found["number"])
        if unit.endswith(("f", "fahrenheit")):
            readings.append(_temperature_reading(_celsius(number), found[0].strip()))
        else:
            readings.append(_temperature_reading(number, found[0].strip()))
        taken.append(found.span("number"))
    for word in _TEMPERATURE_WORDS.finditer(text):
        for found in _ANY_NUMBER.finditer(text, word.end(), word.end() + _WORD_REACH):
            between = text[word.end() : found.start()]
            if _SENTENCE_END.search(between):
                break
            if _NOT_A_TEMPERATURE.match(text, found.end()):
                continue  # "temperature at 10pm 38.9": the time of day, then the reading
            if found.span("number") not in taken:
                number = _decimal(found["number"])
                reading = _temperature_reading(number, text[word.start() : found.end()])
                low, high = _FAHRENHEIT_RANGE
                if not reading.in_range and low <= number <= high:
                    reading = _temperature_reading(number, reading.words, maybe_fahrenheit=True)
                readings.append(reading)
            break
    if not readings:
        return None
    usable = [reading for reading in readings if reading.in_range]
    # The highest reading in range; one out of range only when no reading is usable.
    return max(usable or readings, key=lambda reading: reading.value)


_COUNT_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
}
_ONCE_WORDS = {"once": 1, "twice": 2, "thrice": 3}
_COUNT = re.compile(
    r"(?<![\d.,])\b(?:(?P<digits>\d{1,3})\s*(?:times?\b|x(?![a-z]))"
    r"|(?P<word>" + "|".join(_COUNT_WORDS) + r")\s+times?\b"
    r"|(?P<once>once|twice|thrice)\b)",
    re.IGNORECASE,
)
# "3 times a week", "twice this month", "once every two days", "5 times over 3 days": not
# counts in 24 hours. "A day" is: "3 times a day".
_LONGER_PERIOD = re.compile(
    r"(?:\s+[\w']+){0,3}?\s+(?:weeks?|fortnights?|months?|years?)\b"
    r"|\s+every\b(?!\s+day\b)"
    r"|\s+(?:in|over|during|for|across)\s+(?:the\s+(?:last|past)\s+)?"
    r"(?:\d+|two|three|four|five|six|seven|a\s+few|few|several|a\s+couple\s+of)\s+days\b",
    re.IGNORECASE,
)
# "at once", "all at once", "for once", "once again", "once I ate": "once" is not a count.
_NOT_ONCE_BEFORE = re.compile(r"\b(?:at|for)\s+$", re.IGNORECASE)
_NOT_ONCE_AFTER = re.compile(
    r"\s+(?:again|more|or|i|we|you|he|she|it|they|the|my|that)\b", re.IGNORECASE
)


def times_in(text: str) -> Reading | None:
    """How many times (in the last 24 hours) the words say, e.g. "threw up twice": 2."""
    counts: dict[int, str] = {}
    for found in _COUNT.finditer(text):
        if _LONGER_PERIOD.match(text, found.end()):
            continue
        if found["once"]:
            once = found["once"].lower()
            if once == "once" and (
                _NOT_ONCE_BEFORE.search(text, 0, found.start())
                or _NOT_ONCE_AFTER.match(text, found.end())
            ):
                continue
            count = _ONCE_WORDS[once]
        elif found["word"]:
            count = _COUNT_WORDS[found["word"].lower()]
        else:
            count = int(found["digits"])
        counts.setdefault(count, found[0].strip())
    if len(counts) != 1:
        return None
    ((count, words),) = counts.items()
    low, high = TIMES_RANGE
    return Reading(count, words, low <= count <= high)
