import pytest


@pytest.mark.django_db
def test_home_is_public_and_points_to_learn(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'href="/learn/"' in response.content.decode()
    assert 'href="/accounts/login/"' in response.content.decode()


def test_home_welcomes_a_signed_in_patient(alice_client):
    html = alice_client.get("/").content.decode()
    assert "Welcome back" in html
    assert "Sign out" in html


@pytest.mark.django_db
def test_learn_is_readable_signed_out(client, article):
    assert client.get("/learn/").status_code == 200
    assert client.get("/learn/metastatic-breast-cancer/").status_code == 200


@pytest.mark.django_db
def test_admin_is_not_at_the_default_path(client):
    assert client.get("/admin/").status_code == 404


@pytest.mark.django_db
def test_admin_asks_an_anonymous_visitor_to_sign_in(client):
    response = client.get("/staff-admin/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.django_db
def test_sign_in_with_the_right_password(client, alice):
    response = client.post(
        "/accounts/login/", {"login": "alice@example.org", "password": "alice-password-123"}
    )
    assert response.status_code == 302
    assert client.get("/").context["user"] == alice


@pytest.mark.django_db
def test_sign_in_with_a_wrong_password_says_so(client, alice):
    response = client.post("/accounts/login/", {"login": "alice@example.org", "password": "wrong"})
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in (
        response.content.decode()
    )


def test_sign_out_ends_the_session(alice_client):
    response = alice_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert not alice_client.get("/").context["user"].is_authenticated


@pytest.mark.django_db
def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


@pytest.mark.django_db
def test_500_page_is_friendly(client, settings):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong on our side" in html


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


@pytest.mark.django_db
def test_pages_have_no_inline_styles_or_scripts(client, article):
    for url in ("/", "/learn/", "/learn/metastatic-breast-cancer/", "/accounts/login/"):
        html = client.get(url).content.decode()
        assert "style=" not in html, url
        assert "<style" not in html, url
        for script in html.split("<script")[1:]:
            assert " src=" in script.split(">")[0], url


@pytest.mark.django_db
def test_htmx_comes_from_our_own_static_files(client):
    html = client.get("/").content.decode()
    assert "/static/django_htmx/htmx" in html
    assert "https://" not in html.split("</head>")[0]


@pytest.mark.django_db
def test_htmx_is_configured_without_history_cache_or_eval(client):
    html = client.get("/").content.decode()
    assert '"historyCacheSize":0' in html
    assert '"allowEval":false' in html
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
