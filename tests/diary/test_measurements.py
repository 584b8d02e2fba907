"""The numbers read from a patient's own words: pure functions, no database."""

from decimal import Decimal

import pytest

from portal.diary.measurements import temperature_in, times_in

TEMPERATURES = {
    "temperature of 38.5": "38.5",
    "I have a temperature of 38.5": "38.5",
    "temp 38.2C": "38.2",
    "38.5 degrees": "38.5",
    "38.5 °C": "38.5",
    "38.5°": "38.5",
    "39C": "39.0",
    "my temperature was up to 38.5 at 3pm": "38.5",
    "temperature at 10pm was 38.9": "38.9",
    "fever 39.1 earlier, 38 now": "39.1",  # the highest reading
    "temp was 37,8": "37.8",  # a decimal comma
    "temperature 36.8, feeling fine": "36.8",
    # Fahrenheit only where the words say so, converted to °C to one decimal.
    "101 F": "38.3",
    "101°F": "38.3",
    "100.4 degrees fahrenheit": "38.0",
    "temp 99.5 F": "37.5",
}


@pytest.mark.parametrize(("text", "celsius"), TEMPERATURES.items(), ids=TEMPERATURES.keys())
def test_a_temperature_in_words_is_read_in_celsius(text, celsius):
    reading = temperature_in(text)
    assert reading is not None
    assert reading.value == Decimal(celsius)
    assert reading.in_range
    assert not reading.maybe_fahrenheit


NO_TEMPERATURE = [
    "I have a temperature",
    "38.5",  # a bare number could be anything
    "temperature for 10 days",
    "temperature since 11 o'clock",
    "temperature at 10:30",
    "temperature 38.55",  # a reading no thermometer gives: not guessed at
    "threw up 3 times",
    "feel hot and 40 years old",
    "",
]


@pytest.mark.parametrize("text", NO_TEMPERATURE)
def test_words_without_a_clear_temperature_give_none(text):
    assert temperature_in(text) is None


def test_a_number_that_only_fits_fahrenheit_is_not_converted_but_flagged():
    reading = temperature_in("temperature of 101")
    assert reading is not None
    assert not reading.in_range and reading.maybe_fahrenheit
    assert reading.words == "temperature of 101"


@pytest.mark.parametrize("text", ["temperature of 55", "25 degrees", "38.5 degrees F"])
def test_an_impossible_temperature_comes_back_out_of_range(text):
    reading = temperature_in(text)
    assert reading is not None
    assert not reading.in_range and not reading.maybe_fahrenheit


COUNTS = {
    "threw up twice": 2,
    "3 times": 3,
    "five times today": 5,
    "once": 1,
    "threw up once this morning": 1,
    "been sick 4 times since lunch": 4,
    "threw up 3x": 3,
    "diarrhoea 6 times a day": 6,  # a day is 24 hours
    "twice every day": 2,
    "sick 2 times today, 3 days after chemo": 2,  # days since chemo, not a count
}


@pytest.mark.parametrize(("text", "count"), COUNTS.items(), ids=COUNTS.keys())
def test_a_count_in_words_is_read(text, count):
    reading = times_in(text)
    assert reading is not None
    assert (reading.value, reading.in_range) == (count, True)


NO_COUNT = [
    "threw up",
    "at once",
    "all at once",
    "once I ate, I felt sick",
    "sick once more",
    "3 times a week",
    "twice this month",
    "once every two days",
    "5 times over 3 days",
    "twice and then 3 times",  # parts of a total, or a correction: not guessed at
    "1.5 times",
    "",
]


@pytest.mark.parametrize("text", NO_COUNT)
def test_words_without_a_count_in_24_hours_give_none(text):
    assert times_in(text) is None


@pytest.mark.parametrize(("text", "count"), [("60 times", 60), ("0 times", 0)])
def test_a_count_outside_1_to_50_comes_back_out_of_range(text, count):
    reading = times_in(text)
    assert reading is not None
    assert (reading.value, reading.in_range) == (count, False)
