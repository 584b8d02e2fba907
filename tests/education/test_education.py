import json
import re

import pytest
from django.core.management import call_command

from education.models import Article, Section
from education.rendering import render_markdown
from tests.conftest import ROOT

SEED = ROOT.parent / "shared" / "seed"
SEED_FILE = SEED / "metastatic-breast-cancer.txt"
FIXTURE = ROOT / "fixtures" / "articles.json"

# Every symptom line of the source's symptom lists, word for word.
SYMPTOM_PHRASES = [
    "Swelling",
    "Bones that fracture or break more easily",
    "Bone pain",
    "Personality or behavior changes",
    "Vomiting and nausea",
    "Seizures",
    "Visual disturbances",
    "Pressure in the head or worsening headaches",
    "Vomiting, nausea, loss of appetite, and stomach pain",
    "Rash or itchy skin",
    "Jaundice",
    "Chest pain",
    "Difficulty in catching breath",
    "Cough that won\u2019t go away",
    "Poor appetite",
    "Unexplained weight loss",
    "Fatigue",
]

SECTION_TITLES = [
    "Difference between the metastatic and stage 4 breast cancer",
    "When are people diagnosed with metastatic breast cancer?",
    "Distant recurrence",
    "De novo metastatic breast cancer",
    "People at risk for metastatic breast cancer",
    "Causes of Metastatic Breast Cancer",
    "The reason behind metastatic breast cancer",
    "Symptoms of metastatic breast cancer",
    "Symptoms of bone metastases",
    "Symptoms of brain metastases",
    "Symptoms of liver metastases",
    "Symptoms of lung metastases",
    "Other symptoms of metastatic breast cancer",
    "Diagnosis of metastatic breast cancer",
    "Emerging treatments for metastatic breast cancer",
    "Antibody-drug conjugates",
    "CDK4/6 inhibitors",
]

# Listed in the contents under the part before them.
SUBSECTION_TITLES = {
    "Distant recurrence",
    "De novo metastatic breast cancer",
    "Symptoms of bone metastases",
    "Symptoms of brain metastases",
    "Symptoms of liver metastases",
    "Symptoms of lung metastases",
    "Other symptoms of metastatic breast cancer",
    "Antibody-drug conjugates",
    "CDK4/6 inhibitors",
}


def test_the_symptom_list_matches_the_seed_text():
    """Guards the constant above against drifting from the source, when the seed is present."""
    if not SEED_FILE.exists():
        pytest.skip("shared/seed is not beside this checkout")
    bullets = [
        line.strip().lstrip("\u2022").strip()
        for line in SEED_FILE.read_text().splitlines()[55:86]
        if line.strip().startswith("\u2022")
    ]
    assert bullets == SYMPTOM_PHRASES


def test_fixture_loads_on_a_fresh_database(db):
    call_command("loaddata", str(FIXTURE), verbosity=0)
    article = Article.objects.get(slug="metastatic-breast-cancer")
    assert article.published
    assert article.sections.count() == 19


def test_article_page_shows_every_section_and_symptom_phrase(client, article):
    response = client.get("/learn/metastatic-breast-cancer/")
    assert response.status_code == 200
    html = response.content.decode()
    for title in SECTION_TITLES:
        # A part's title is an h2, a sub-section's an h3 (tests/education/test_learn_pages.py).
        heading = "h3" if title in SUBSECTION_TITLES else "h2"
        assert f">{title.replace('&', '&amp;')}</{heading}>" in html, title
    for phrase in SYMPTOM_PHRASES:
        assert f"<li>{phrase}</li>" in html, phrase


def test_symptom_lists_are_kept_as_lists(article):
    bone = article.sections.get(slug="symptoms-of-bone-metastases")
    assert str(bone.body_html).count("<li>") == 3
    assert "<ul>" in bone.body_html


def test_the_advert_is_gone(client, article):
    html = client.get("/learn/metastatic-breast-cancer/").content.decode()
    fixture_text = FIXTURE.read_text()
    for advert in ("WiseRx", "Rx discount card", "Leave a Comment", "discounts on prescription"):
        assert advert not in html
        assert advert not in fixture_text


def test_de_novo_section_uses_the_sources_own_definition(article):
    de_novo = article.sections.get(slug="de-novo-metastatic-breast-cancer")
    distant = article.sections.get(slug="distant-recurrence")
    assert "has already spread out in the body parts at the initial diagnosis" in de_novo.body
    assert "diagnosed after the initial breast cancer treatment" not in de_novo.body
    assert "diagnosed after the initial breast cancer treatment" in distant.body


def test_no_paragraph_appears_twice(article):
    paragraphs = [
        p.strip()
        for section in article.sections.all()
        for p in section.body.split("\n\n")
        if not p.startswith("- ")
    ]
    assert len(paragraphs) == len(set(paragraphs))


def test_anchors_are_unique_and_on_each_section(client, article):
    html = client.get("/learn/metastatic-breast-cancer/").content.decode()
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    for slug in Section.objects.values_list("slug", flat=True):
        assert f'<section id="{slug}"' in html
        assert f'href="#{slug}"' in html
    assert 'id="symptoms-of-bone-metastases"' in html


def test_section_slugs_are_unique_within_an_article_in_the_database(article):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Section.objects.create(article=article, title="Again", slug="overview", body="x")


def test_fixture_sections_have_unique_slugs():
    slugs = [o["fields"]["slug"] for o in json.loads(FIXTURE.read_text()) if "slug" in o["fields"]]
    assert len(slugs) == len(set(slugs))


def test_article_shows_last_reviewed_and_source(client, article):
    html = client.get("/learn/metastatic-breast-cancer/").content.decode()
    assert "Last reviewed" in html
    assert "24 November 2026" in html
    assert "Source:" in html


def test_learn_lists_published_articles_only(client, article):
    Article.objects.create(
        title="Draft article", slug="draft", source="s", last_reviewed="2026-01-01"
    )
    html = client.get("/learn/").content.decode()
    assert "Metastatic breast cancer" in html
    assert "Draft article" not in html
    assert client.get("/learn/draft/").status_code == 404


def test_section_page_is_a_full_page_normally(client, article):
    response = client.get("/learn/metastatic-breast-cancer/symptoms-of-bone-metastases/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert "Bone pain" in html
    assert "/learn/metastatic-breast-cancer/#symptoms-of-bone-metastases" in html


def test_section_page_is_a_fragment_for_htmx(client, article):
    response = client.get(
        "/learn/metastatic-breast-cancer/symptoms-of-bone-metastases/",
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert "Bone pain" in html
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_full_page(client, article):
    response = client.get(
        "/learn/metastatic-breast-cancer/symptoms-of-bone-metastases/",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in response.content.decode()


def test_unknown_section_is_a_friendly_404(client, article):
    response = client.get("/learn/metastatic-breast-cancer/no-such-section/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_article_page_query_count_is_small(client, article, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        client.get("/learn/metastatic-breast-cancer/")


@pytest.mark.parametrize(
    "markdown_text",
    [
        "Hello <script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src='https://evil.example'></iframe>",
    ],
)
def test_markdown_is_sanitised(markdown_text):
    html = str(render_markdown(markdown_text))
    assert "<script" not in html
    assert "alert(1)</script>" not in html
    assert "javascript:" not in html
    assert "onerror" not in html
    assert "<iframe" not in html


def test_markdown_keeps_safe_formatting():
    html = str(render_markdown("**Bold** and [a link](https://example.org)\n\n- one\n- two"))
    assert "<strong>Bold</strong>" in html
    assert 'href="https://example.org"' in html
    assert "<li>one</li>" in html


def test_a_section_with_a_script_in_its_body_is_shown_safely(client, article):
    section = article.sections.get(slug="overview")
    section.body = "Intro <script>alert('x')</script> [bad](javascript:alert(1))"
    section.save()
    html = client.get("/learn/metastatic-breast-cancer/").content.decode()
    assert "alert('x')" not in html
    assert "javascript:alert" not in html
