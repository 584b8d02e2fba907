import pytest

pytestmark = pytest.mark.django_db


def assert_security_headers(response) -> None:
    policy = response["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in policy
    assert "default-src 'self'" in policy
    assert "unsafe-" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert len(response["X-Request-ID"]) == 32
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]


def test_a_public_page_carries_the_headers(client):
    response = client.get("/")
    assert response.status_code == 200
    assert_security_headers(response)


def test_a_signed_in_page_carries_the_headers_and_is_never_stored(alice_client):
    response = alice_client.get("/account/")
    assert response.status_code == 200
    assert_security_headers(response)
    assert response["Cache-Control"] == "no-store"


def test_every_response_to_a_signed_in_person_is_never_stored(alice_client, article):
    for url in ("/", "/learn/", "/learn/metastatic-breast-cancer/", "/account/activity/"):
        assert alice_client.get(url)["Cache-Control"] == "no-store", url


def test_an_htmx_fragment_carries_the_headers(alice_client, article):
    response = alice_client.get(
        "/learn/metastatic-breast-cancer/symptoms-of-bone-metastases/",
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert_security_headers(response)
    assert response["Cache-Control"] == "no-store"


def test_a_404_carries_the_headers(client, alice_client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert_security_headers(response)
    signed_in = alice_client.get("/no/such/page/")
    assert_security_headers(signed_in)
    assert signed_in["Cache-Control"] == "no-store"


def test_a_500_carries_the_headers_and_no_details(client, settings):
    settings.ROOT_URLCONF = "tests.site.error_urls"
    client.raise_request_exception = False
    response = client.get("/broken-for-test/")
    assert response.status_code == 500
    assert_security_headers(response)
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "deliberate failure" not in html


def test_a_static_file_carries_the_headers_and_keeps_its_cache(client, settings):
    settings.WHITENOISE_USE_FINDERS = True  # serve from static/ without collectstatic
    response = client.get("/static/css/portal.css")
    assert response.status_code == 200
    assert_security_headers(response)
    assert "no-store" not in response.get("Cache-Control", "")


def test_a_proxy_request_id_is_kept_only_when_it_is_well_formed(client):
    response = client.get("/", headers={"X-Request-ID": "lb-2f9c1a7e-0001"})
    assert response["X-Request-ID"] == "lb-2f9c1a7e-0001"
    response = client.get("/", headers={"X-Request-ID": "bad id\r\nSet-Cookie: x=1"})
    assert response["X-Request-ID"] != "bad id\r\nSet-Cookie: x=1"
    assert len(response["X-Request-ID"]) == 32


def test_production_sends_hsts(settings, client):
    # The production values (tests/test_sessions.py reads them from a real process).
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_behind_a_proxy_the_client_address_comes_from_x_forwarded_for(client, alice, settings):
    from portal.models import AuditEvent

    settings.PORTAL_PROXY_COUNT = 1
    client.post(
        "/accounts/login/",
        {"login": "alice@example.org", "password": "alice-password-123"},
        headers={"X-Forwarded-For": "192.0.2.1, 198.51.100.7"},
    )
    assert AuditEvent.objects.get(action="auth.sign_in").ip_address == "198.51.100.7"


def test_without_a_proxy_x_forwarded_for_is_ignored(client, alice):
    from portal.models import AuditEvent

    client.post(
        "/accounts/login/",
        {"login": "alice@example.org", "password": "alice-password-123"},
        headers={"X-Forwarded-For": "198.51.100.7"},
    )
    assert AuditEvent.objects.get(action="auth.sign_in").ip_address == "127.0.0.1"
