"""The PRO-CTCAE library as the vocabulary: each NCI term once, asked exactly what NCI asks."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from education import pro_ctcae
from education.models import Symptom

pytestmark = pytest.mark.django_db


def test_the_library_is_numbered_1_to_80_with_each_term_once():
    assert [number for number, _, _ in pro_ctcae.TERMS] == list(range(1, 81))
    terms = [term for _, term, _ in pro_ctcae.TERMS]
    assert len(set(terms)) == len(terms) == 80
    for _, term, attributes in pro_ctcae.TERMS:
        assert attributes, term
        assert set(attributes) <= set(pro_ctcae.Attribute.values), term
        # Yes-or-no terms are asked nothing else.
        assert pro_ctcae.Attribute.PRESENCE not in attributes or len(attributes) == 1, term


def test_the_source_is_named_with_its_version_and_terms_of_use():
    assert "National Cancer Institute" in pro_ctcae.SOURCE
    assert "PRO-CTCAE" in pro_ctcae.SOURCE and "version 1.0" in pro_ctcae.SOURCE
    assert "unmodified" in pro_ctcae.SOURCE


def test_the_fixture_holds_every_term_once_with_exactly_its_attributes(symptoms):
    with_term = [s for s in symptoms.values() if s.pro_ctcae_term]
    assert sorted(s.pro_ctcae_term for s in with_term) == sorted(pro_ctcae.ATTRIBUTES_BY_TERM)
    for symptom in with_term:
        expected = pro_ctcae.ATTRIBUTES_BY_TERM[symptom.pro_ctcae_term]
        assert tuple(symptom.attributes) == expected, symptom.slug
        symptom.full_clean()


def test_nci_wording_is_kept_as_nci_writes_it(symptoms):
    terms = {s.pro_ctcae_term for s in symptoms.values()}
    assert {"Numbness & tingling", "Pain w/sexual intercourse", "Mouth/throat sores"} <= terms
    assert "Diarrhea" in terms and "Diarrhoea" not in terms
    # The article's symptoms keep their own names and carry the term that corresponds.
    assert symptoms["headaches-or-pressure-in-the-head"].pro_ctcae_term == "Headache"
    assert symptoms["loss-of-appetite"].pro_ctcae_term == "Decreased appetite"
    assert symptoms["bone-pain"].pro_ctcae_term == ""


def test_clean_rejects_a_term_nci_does_not_have(symptoms):
    symptom = symptoms["fatigue"]
    symptom.pro_ctcae_term = "Tiredness"
    with pytest.raises(ValidationError) as raised:
        symptom.clean()
    assert "pro_ctcae_term" in raised.value.message_dict


def test_clean_rejects_a_term_written_differently(symptoms):
    symptom = symptoms["diarrhea"]
    symptom.pro_ctcae_term = "diarrhoea"
    with pytest.raises(ValidationError):
        symptom.clean()


@pytest.mark.parametrize(
    ("slug", "change"),
    [
        ("diarrhea", {"asks_severity": True}),  # NCI asks only how often
        ("fatigue", {"asks_interference": False}),  # one of its two attributes missing
        ("rash", {"asks_presence": False, "asks_severity": True}),  # yes-or-no made a scale
        ("hair-loss", {"asks_amount": False, "asks_frequency": True}),
    ],
)
def test_clean_rejects_attributes_other_than_ncis(symptoms, slug, change):
    symptom = symptoms[slug]
    for name, value in change.items():
        setattr(symptom, name, value)
    with pytest.raises(ValidationError, match="PRO-CTCAE asks"):
        symptom.clean()


def test_a_symptom_without_a_term_may_ask_what_it_needs(symptoms):
    symptom = symptoms["bone-pain"]
    symptom.asks_frequency = True
    symptom.clean()


def test_the_database_refuses_presence_asked_with_another_attribute(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Symptom.objects.create(
            name="X", slug="x", body_site="general", asks_presence=True, asks_severity=True
        )


def test_the_database_refuses_a_symptom_that_asks_nothing(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Symptom.objects.create(name="X", slug="x", body_site="general", asks_severity=False)


def test_a_measurement_alone_is_something_to_ask(db):
    Symptom.objects.create(
        name="X", slug="x", body_site="general", asks_severity=False, measurement="temperature"
    )


def test_the_database_refuses_a_term_used_twice(symptoms):
    with pytest.raises(IntegrityError), transaction.atomic():
        Symptom.objects.create(
            name="Loose stools", slug="loose-stools", body_site="general", pro_ctcae_term="Diarrhea"
        )
