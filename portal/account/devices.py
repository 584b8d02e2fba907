"""Which browser on which device, in plain words ("Firefox on Windows"), for her sign-in
activity, and the browsers where she is signed in now."""

from django import template
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from ua_parser import parse

from portal.middleware import LAST_SEEN_AT, SIGNED_IN_AT

register = template.Library()

# The longest description kept: the audit trail's record_id column.
DESCRIPTION_LENGTH = 64
UNKNOWN = "an unknown browser"
# ua-parser's names, as a patient would say them.
BROWSERS = {
    "Chrome Mobile": "Chrome",
    "Chrome Mobile iOS": "Chrome",
    "Mobile Safari": "Safari",
    "Mobile Safari UI/WKWebView": "an app's browser",
    "Firefox Mobile": "Firefox",
    "Firefox iOS": "Firefox",
    "Edge Mobile": "Edge",
    "Samsung Internet": "Samsung Internet",
    "HeadlessChrome": "Chrome",
}
SYSTEMS = {"Mac OS X": "Mac", "Chrome OS": "a Chromebook"}
# On iOS the device says more than the system does.
APPLE_DEVICES = {"iPhone", "iPad", "iPod"}


@register.filter
def device(user_agent: str) -> str:
    """ "Firefox on Windows", "Safari on iPhone", "Chrome on Android"; never the version or
    the model, which say nothing more to her and would make the row a fingerprint."""
    if not user_agent:
        return UNKNOWN
    result = parse(user_agent)
    browser = result.user_agent.family if result.user_agent else "Other"
    system = result.os.family if result.os else "Other"
    if result.device and result.device.family in APPLE_DEVICES:
        system = result.device.family
    browser = BROWSERS.get(browser, browser)
    system = SYSTEMS.get(system, system)
    if browser == "Other":
        words = UNKNOWN if system == "Other" else f"a browser on {system}"
    else:
        words = browser if system == "Other" else f"{browser} on {system}"
    return words[:DESCRIPTION_LENGTH]


def signed_in_sessions(user) -> list:
    """Her allauth UserSession rows whose session is still live: not ended or expired, not
    from before a password change (Django signs those out at their next request), nor past
    the idle or absolute limit (SessionTimeoutMiddleware would). Two queries however many
    there are. Sessions are in the database (Django's default engine, which allauth's
    UserSession needs too), so one query tells which are live."""
    from allauth.usersessions.models import UserSession

    sessions = list(UserSession.objects.filter(user=user).order_by("-created_at"))
    if not sessions:
        return []
    live = Session.objects.filter(
        session_key__in=[session.session_key for session in sessions],
        expire_date__gt=timezone.now(),
    )
    now = timezone.now().timestamp()
    idle = settings.PORTAL_IDLE_TIMEOUT.total_seconds()
    absolute = settings.PORTAL_ABSOLUTE_TIMEOUT.total_seconds()
    auth_hash = user.get_session_auth_hash()
    usable = set()
    for session in live:
        data = session.get_decoded()
        if data.get(SESSION_KEY) != str(user.pk):
            continue
        if not constant_time_compare(data.get(HASH_SESSION_KEY, ""), auth_hash):
            continue
        last_seen, signed_in = data.get(LAST_SEEN_AT), data.get(SIGNED_IN_AT)
        if last_seen is not None and now - last_seen >= idle:
            continue
        if signed_in is not None and now - signed_in >= absolute:
            continue
        usable.add(session.session_key)
    return [session for session in sessions if session.session_key in usable]
