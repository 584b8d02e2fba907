"""Where one-off messages ("Saved in your diary.") wait for the next page: Django's own
cookie storage, under the session cookie's prefix.

CookieStorage already sets the session cookie's Secure, HttpOnly and SameSite flags; only
its name ("messages", a class attribute) lacks the __Host- prefix production cookies carry.
A cookie, not the session, so showing a message costs no database write.
"""

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.messages.storage.session import SessionStorage

HOST_PREFIX = "__Host-"


class PrefixedCookieStorage(CookieStorage):
    @property
    def cookie_name(self) -> str:
        prefix = HOST_PREFIX if settings.SESSION_COOKIE_NAME.startswith(HOST_PREFIX) else ""
        return f"{prefix}messages"


class MessageStorage(FallbackStorage):
    """Django's default (a cookie, and the session for what does not fit), renamed."""

    storage_classes = (PrefixedCookieStorage, SessionStorage)
