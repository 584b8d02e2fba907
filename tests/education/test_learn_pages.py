"""The Learn pages: sections rendered to HTML once, when saved or loaded, never per request; an
article's contents grouped into its parts; a section page with its own h1, the way back up and
previous and next; the same section fetched into a diary entry one heading level below the
entry's h4; a description for each page; and a fixed number of queries per page."""

import json
import re
from html import unescape
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from pytest_django.asserts import assertInHTML

from education.models import Article, Section, parts_of
from education.rendering import render_markdown
from tests.conftest import HX

ARTICLE = "/learn/metastatic-breast-cancer/"
BONE = f"{ARTICLE}symptoms-of-bone-metastases/"
FIRST = f"{ARTICLE}overview/"
LAST = f"{ARTICLE}key-points/"


def _no_markdown():
    """Fails the test if anything renders Markdown while it is active."""
    return mock.patch("education.models.render_markdown", side_effect=AssertionError("rendered"))


# Rendered once ------------------------------------------------------------------------------


def test_loading_the_fixture_renders_every_section(article):
    sections = list(article.sections.all())
    assert len(sections) == 19
    for section in sections:
        assert section.rendered_body == render_markdown(section.body), section.slug
    bone = article.sections.get(slug="symptoms-of-bone-metastases")
    assert "<li>Bone pain</li>" in bone.body_html


@pytest.mark.parametrize(
    ("url", "headers"),
    [(ARTICLE, {}), (BONE, {}), (BONE, HX), ("/learn/", {})],
    ids=["article", "section", "section-inline", "list"],
)
def test_no_page_renders_markdown(client, article, url, headers):
    with _no_markdown() as renderer:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    assert not renderer.called


def test_a_signed_in_patient_is_shown_stored_html_too(alice_client, symptoms):
    with _no_markdown() as renderer:
        assert alice_client.get(ARTICLE).status_code == 200
        assert alice_client.get(BONE).status_code == 200
    assert not renderer.called


def test_saving_a_section_renders_it_again(client, article):
    section = article.sections.get(slug="overview")
    section.body = "Now with **strong** words"
    section.save()
    section.refresh_from_db()
    assert section.rendered_body == "<p>Now with <strong>strong</strong> words</p>"
    assert "<strong>strong</strong> words" in client.get(ARTICLE).content.decode()


def test_saving_only_the_body_saves_its_html(article):
    section = article.sections.get(slug="overview")
    section.body = "Only the body"
    section.save(update_fields=["body"])
    assert Section.objects.get(pk=section.pk).rendered_body == "<p>Only the body</p>"


def test_html_is_sanitised_when_stored(article):
    section = Section.objects.create(
        article=article,
        order=999,
        title="Bad",
        slug="bad",
        body="Hi <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>",
    )
    stored = Section.objects.get(pk=section.pk).rendered_body
    assert stored.startswith("<p>Hi")
    for bad in ("<script", "javascript:", "onerror", "<img"):
        assert bad not in stored


def test_a_loaded_fixture_is_rendered_from_its_markdown_not_its_html(db, tmp_path):
    """loaddata saves rows as given, past Section.save(): its HTML is still made from the body,
    whatever HTML a fixture (or an old dump) carries."""
    call_command("loaddata", "fixtures/articles.json", verbosity=0)
    rows = [
        {
            "model": "education.section",
            "pk": 1,
            "fields": {
                "article": 1,
                "order": 10,
                "title": "Overview",
                "slug": "overview",
                "body": "Fresh *text*",
                "rendered_body": "<script>alert('stale')</script>",
            },
        }
    ]
    fixture = tmp_path / "stale.json"
    fixture.write_text(json.dumps(rows))
    call_command("loaddata", str(fixture), verbosity=0)
    assert Section.objects.get(pk=1).rendered_body == "<p>Fresh <em>text</em></p>"


def test_loading_the_fixture_again_keeps_the_html_in_step(article):
    Section.objects.filter(slug="overview").update(rendered_body="")  # a row the save missed
    call_command("loaddata", "fixtures/articles.json", verbosity=0)
    overview = Section.objects.get(slug="overview")
    assert overview.rendered_body == render_markdown(overview.body) != ""


def test_saving_in_the_admin_renders_the_section_again(staff_client, article):
    section = article.sections.get(slug="key-points")
    response = staff_client.post(
        f"/staff-admin/education/section/{section.pk}/change/",
        {
            "article": article.pk,
            "order": section.order,
            "level": section.level,
            "title": section.title,
            "slug": section.slug,
            "body": "Edited in the admin with a [link](https://example.org)\n\n<script>x()</script>",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    section.refresh_from_db()
    assert 'href="https://example.org"' in section.rendered_body
    assert "<script" not in section.rendered_body
    html = staff_client.get(LAST).content.decode()
    assert "Edited in the admin with a" in html


def test_the_admin_offers_the_level_and_not_the_html(staff_client, article):
    section = article.sections.get(slug="key-points")
    html = staff_client.get(f"/staff-admin/education/section/{section.pk}/change/").content
    assert b'name="level"' in html
    assert b'name="rendered_body"' not in html


@pytest.mark.django_db(transaction=True)
def test_the_migration_renders_sections_saved_before_it():
    executor = MigrationExecutor(connection)
    before = [("education", "0007_red_flag_level_wording")]
    after = [("education", "0008_section_level_and_rendered_body")]
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    OldArticle = old_apps.get_model("education", "Article")
    OldSection = old_apps.get_model("education", "Section")
    old = OldArticle.objects.create(title="A", slug="a", source="s", last_reviewed="2026-01-01")
    OldSection.objects.create(article=old, title="T", slug="t", body="**Old** body")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    try:
        assert Section.objects.get(slug="t").body_html == "<p><strong>Old</strong> body</p>"
    finally:
        # Going back to 0007 also unapplied the migrations that depend on it (the portal's
        # day rollups): every app forward again, for the tests that run after this one.
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())


# The article ----------------------------------------------------------------------------------


def test_the_contents_are_grouped_into_the_articles_parts(client, article):
    html = client.get(ARTICLE).content.decode()
    parts = parts_of(article.sections.all())
    assert [len(part.subsections) for part in parts] == [0, 0, 2, 0, 0, 0, 5, 0, 2, 0]
    expected = "".join(
        f'<li><a href="#{part.section.slug}">{part.section.title}</a>'
        + (
            "<ol>"
            + "".join(f'<li><a href="#{s.slug}">{s.title}</a></li>' for s in part.subsections)
            + "</ol>"
            if part.subsections
            else ""
        )
        + "</li>"
        for part in parts
    )
    assertInHTML(f"<ol>{expected}</ol>", html, count=1)


def test_each_sub_section_is_an_h3_inside_its_part(client, article):
    html = client.get(ARTICLE).content.decode()
    symptoms = html[html.index('<section id="symptoms-of-metastatic-breast-cancer"') :]
    symptoms = symptoms[: symptoms.index('<section id="diagnosis-of-metastatic-breast-cancer"')]
    for slug in ("bone", "brain", "liver", "lung"):
        assert f'<section id="symptoms-of-{slug}-metastases" class="article-subsection"' in symptoms
    assert '<h3 id="symptoms-of-bone-metastases-title">Symptoms of bone metastases</h3>' in symptoms


def test_a_sub_section_before_any_part_is_a_part(article):
    first = Section(article=article, title="First", slug="first", level=Section.Level.SUBSECTION)
    second = Section(article=article, title="Second", slug="second", level=Section.Level.PART)
    parts = parts_of([first, second])
    assert [(p.section.slug, p.subsections) for p in parts] == [("first", []), ("second", [])]


def test_the_article_opens_with_its_title_and_contents_not_the_editorial_note(client, article):
    html = client.get(ARTICLE).content.decode()
    note = "Edited only to leave out an advertisement"
    assert html.count(note) == 1
    assert html.index('id="toc-heading"') < html.index('<h2 id="overview-title"')
    # The note comes after the last section, under its own heading, linked from the top.
    assert html.index('<section id="key-points"') < html.index(note)
    assert html.index('href="#about-this-article"') < html.index('id="toc-heading"')
    assertInHTML('<h2 id="about-heading">About this text</h2>', html)
    assert "Last reviewed" in html[: html.index('id="toc-heading"')]


def test_the_level_is_a_database_constraint(article):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Section.objects.filter(slug="overview").update(level=3)


# A section page -------------------------------------------------------------------------------


def test_a_section_page_has_one_h1_its_title(client, article):
    html = client.get(BONE).content.decode()
    assert len(re.findall(r"<h1\b", html)) == 1
    assertInHTML(
        '<h1 id="section-symptoms-of-bone-metastases-title">Symptoms of bone metastases</h1>', html
    )


def test_a_section_page_links_to_its_neighbours(client, article):
    html = client.get(BONE).content.decode()
    assertInHTML(
        f'<a href="{ARTICLE}symptoms-of-metastatic-breast-cancer/" rel="prev">'
        '<span class="pager-label">Previous section</span>'
        " Symptoms of metastatic breast cancer</a>",
        html,
    )
    assertInHTML(
        f'<a href="{ARTICLE}symptoms-of-brain-metastases/" rel="next">'
        '<span class="pager-label">Next section</span> Symptoms of brain metastases</a>',
        html,
    )
    assert '<nav class="pager no-print" aria-label="Previous and next sections">' in html


def test_the_first_and_last_sections_link_one_way(client, article):
    first = client.get(FIRST).content.decode()
    assert 'rel="prev"' not in first
    assert (
        f'href="{ARTICLE}difference-between-the-metastatic-and-stage-4-breast-cancer/" rel="next"'
        in first
    )
    last = client.get(LAST).content.decode()
    assert 'rel="next"' not in last
    assert f'href="{ARTICLE}cdk46-inhibitors/" rel="prev"' in last


def test_a_sub_sections_breadcrumb_names_its_part(client, article):
    html = client.get(BONE).content.decode()
    assertInHTML(
        '<nav class="breadcrumb" aria-label="Breadcrumb"><ol>'
        '<li><a href="/learn/">Learn</a></li>'
        f'<li><a href="{ARTICLE}">Metastatic breast cancer</a></li>'
        f'<li><a href="{ARTICLE}symptoms-of-metastatic-breast-cancer/">'
        "Symptoms of metastatic breast cancer</a></li></ol></nav>",
        html,
    )
    part = client.get(f"{ARTICLE}symptoms-of-metastatic-breast-cancer/").content.decode()
    assert f'<li><a href="{ARTICLE}symptoms-of-metastatic-breast-cancer/">' not in part


def test_fetched_into_a_diary_entry_the_heading_is_an_h5(client, article):
    """The diary's entry card has an h4 title; the section inside it is one level below, no
    landmark and no ids (two entries may show it at once), without the page's furniture."""
    html = client.get(BONE, headers=HX).content.decode()
    assertInHTML("<h5>Symptoms of bone metastases</h5>", html)
    for furniture in ("<h1", "<h2", "<h3", "<h4", "<html", "Breadcrumb", 'rel="next"', " id="):
        assert furniture not in html
    assert "aria-labelledby" not in html


# Descriptions ---------------------------------------------------------------------------------


@pytest.fixture
def base_with_description(settings):
    """A stand-in for base.html with its description tag, so that these tests read what each
    page puts in the tag (the layout's own tests check the real base.html)."""
    base = (
        '<meta name="description" content="{% block meta_description %}{% endblock %}">'
        "{% block content %}{% endblock %}"
    )
    engine = settings.TEMPLATES[0]
    loaders = [
        ("django.template.loaders.locmem.Loader", {"base.html": base}),
        "django.template.loaders.filesystem.Loader",
        "django.template.loaders.app_directories.Loader",
    ]
    settings.TEMPLATES = [
        {**engine, "APP_DIRS": False, "OPTIONS": {**engine["OPTIONS"], "loaders": loaders}}
    ]


def _description(client, url: str) -> str:
    html = client.get(url).content.decode()
    (content,) = re.findall(r'<meta name="description" content="([^"]*)">', html)
    return unescape(content)


def test_each_page_has_its_own_description(client, article, base_with_description):
    assert _description(client, ARTICLE) == (
        "Metastatic Cancer: Meaning, Causes, Symptoms, Diagnosis & Treatment"
    )
    assert "split into sections" in _description(client, "/learn/")
    reason = _description(client, f"{ARTICLE}the-reason-behind-metastatic-breast-cancer/")
    assert reason.startswith(
        "Metastatic cancer most often occurs because the treatment doesn\u2019t"
    )
    assert reason.endswith("…")
    assert len(reason) <= 160
    bone = _description(client, BONE)
    assert bone == "Swelling Bones that fracture or break more easily Bone pain"
    assert bone != _description(client, f"{ARTICLE}symptoms-of-lung-metastases/")


def test_the_layout_shows_the_sections_description_once(client, article):
    bone = article.sections.get(slug="symptoms-of-bone-metastases")
    html = client.get(BONE).content.decode()
    assert re.findall(r'<meta name="description" content="([^"]*)">', html) == [bone.description]


def test_a_description_is_plain_text(article):
    section = article.sections.get(slug="overview")
    section.body = 'A & B <b>bold</b> [link](https://example.org) "quoted"'
    section.save()
    assert section.description == 'A & B bold link "quoted"'


# Queries ----------------------------------------------------------------------------------------


def test_the_article_page_takes_two_queries(client, article, django_assert_num_queries):
    with django_assert_num_queries(2):
        assert client.get(ARTICLE).status_code == 200


@pytest.mark.parametrize("url", [FIRST, BONE, LAST])
def test_a_section_page_takes_one_query_wherever_it_is(
    client, article, django_assert_num_queries, url
):
    # The section, its article and its neighbours.
    with django_assert_num_queries(1):
        assert client.get(url).status_code == 200


def test_a_section_fetched_into_the_diary_takes_one_query(
    client, article, django_assert_num_queries
):
    with django_assert_num_queries(1):
        assert client.get(BONE, headers=HX).status_code == 200


def test_the_pages_cost_no_more_with_a_longer_article(client, article, django_assert_num_queries):
    for n in range(40):
        Section.objects.create(
            article=article,
            order=1000 + n,
            level=1 + n % 2,
            title=f"Extra {n}",
            slug=f"x{n}",
            body="b",
        )
    with django_assert_num_queries(2):
        client.get(ARTICLE)
    with django_assert_num_queries(1):
        client.get(f"{ARTICLE}x5/")


def test_signed_in_pages_take_a_fixed_number_of_queries(
    alice_client, symptoms, django_assert_num_queries
):
    alice_client.get(ARTICLE)  # the session's first touches are not the page's
    with django_assert_num_queries(_signed_in_floor(alice_client) + 2):
        alice_client.get(ARTICLE)
    # The section page asks one more: whether the diary may say how often she logged these.
    for url in (FIRST, BONE, LAST):
        with django_assert_num_queries(_signed_in_floor(alice_client) + 2):
            alice_client.get(url)


def _signed_in_floor(client) -> int:
    """What the layout costs a signed-in person on a page with no queries of its own."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get("/learn/nothing-here/")  # a 404: the layout's queries and one lookup
    return len(queries) - 1


def test_an_unpublished_articles_section_is_a_404(client, article):
    Article.objects.filter(pk=article.pk).update(published=False)
    assert client.get(BONE).status_code == 404
    assert client.get(BONE, headers=HX).status_code == 404
