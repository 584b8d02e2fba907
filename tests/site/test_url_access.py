"""Every URL in the URL conf, requested by someone who is not signed in.

The list is read from the resolver, so URLs added later are covered without editing this
file: anything not on the public allow-list below must send the visitor to sign in.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

pytestmark = pytest.mark.django_db

# URL names anyone may open. Everything else must ask for sign-in.
PUBLIC = {
    "home",
    "education:article_list",
    "education:article_detail",
    "education:section_detail",
    # Sign-up, sign-in and getting back into an account (django-allauth).
    "login",
    "logout",
    "account_login",
    "account_logout",
    "account_inactive",
    "account_signup",
    "account_email_verification_sent",
    "account_confirm_email",
    "account_confirm_login_code",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "mfa_authenticate",
    # A reminder email's one-click unsubscribe: its signed token is the key (a sample one is 400).
    "reminders:unsubscribe",
    # Her calendar feed: calendar apps cannot sign in; the secret token in the URL is the key.
    "calendar:feed",
    # The icon browsers and tools ask for at the site's root: a redirect to the static file.
    "favicon",
}
SIGN_IN = "/accounts/login/"
SAMPLE = {
    "int": "1",
    "slug": "a-slug",
    "str": "a1",
    "path": "1",
    "uuid": "00000000-0000-0000-0000-000000000001",
}


def _sample_route(route: str) -> str:
    def replace(match: re.Match) -> str:
        converter = match.group(1) or "str"
        return SAMPLE.get(converter, "1")

    return re.sub(r"<(?:(\w+):)?\w+>", replace, route)


def _sample_regex(regex: str) -> str:
    def replace(match: re.Match) -> str:
        body = match.group(1)
        if re.fullmatch(r"[\w|]+", body):  # an alternation of literals: take the first
            return body.split("|")[0]
        return "abc1"

    text = re.sub(r"\(\?P<\w+>((?:[^()]|\([^()]*\))*)\)", replace, regex)
    return text.lstrip("^").rstrip("$").replace("\\", "")


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for pattern in patterns:
        regex = getattr(pattern.pattern, "_regex", None)
        if regex is not None and not hasattr(pattern.pattern, "_route"):
            piece = _sample_regex(regex)
        else:
            piece = _sample_route(str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}{pattern.namespace}:"
            yield from _walk(pattern.url_patterns, prefix + piece, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name or ''}", "/" + prefix + piece


def all_urls() -> list[tuple[str, str]]:
    return list(_walk(get_resolver().url_patterns))


def test_the_walk_finds_every_url_and_each_sample_path_resolves():
    urls = all_urls()
    assert len(urls) > 50
    for name, path in urls:
        try:
            resolve(path)
        except Resolver404:
            pytest.fail(f"could not build a sample path for {name}: {path}")


def test_every_public_name_still_exists():
    names = {name for name, _ in all_urls()}
    assert names >= PUBLIC, PUBLIC - names


def test_the_walk_covers_the_treatments_and_your_details_pages_and_none_is_public():
    private = {
        "treatments:treatment_list": "/treatments/",
        "treatments:treatment_create": "/treatments/new/",
        "treatments:treatment_edit": "/treatments/1/edit/",
        "treatments:treatment_delete": "/treatments/1/delete/",
        "my_account:profile": "/account/details/",
    }
    assert private.items() <= dict(all_urls()).items()
    assert not set(private) & PUBLIC


def _ends_at_sign_in(client, response, path: str) -> None:
    # Admin URLs go through the admin's own login view, which sends on to the sign-in page.
    for _ in range(3):
        assert response.status_code in (301, 302), (path, response.status_code)
        location = response["Location"]
        if location.startswith(SIGN_IN):
            assert "next=" in location, (path, location)
            return
        response = client.get(location)
    pytest.fail(f"{path} did not lead to the sign-in page")


@pytest.mark.parametrize("method", ["get", "post"])
def test_every_private_url_sends_an_anonymous_visitor_to_sign_in(client, method):
    client.raise_request_exception = True
    checked = 0
    for name, path in all_urls():
        if name in PUBLIC:
            continue
        response = getattr(client, method)(path)
        _ends_at_sign_in(client, response, f"{method.upper()} {path} ({name})")
        checked += 1
    assert checked > 40


@pytest.mark.parametrize("method", ["get", "post"])
def test_public_urls_answer_without_an_error(client, method):
    for name, path in all_urls():
        if name not in PUBLIC:
            continue
        response = getattr(client, method)(path)
        # The unsubscribe link's sample token is not one the portal signed: its 400 page.
        ok = (400 if name == "reminders:unsubscribe" else 200, 302, 404, 405)
        assert response.status_code in ok, (name, path, response.status_code)
