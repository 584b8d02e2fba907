"""allauth in the portal: what differs from its default adapters."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.usersessions.adapter import DefaultUserSessionsAdapter
from django.http import HttpRequest

from portal import audit


class AccountAdapter(DefaultAccountAdapter):
    def pre_authenticate(self, request: HttpRequest, **credentials) -> None:
        # django-axes alone limits password attempts, per account and address
        # (portal/account/throttling.py). allauth's "login_failed" budget here is per
        # account: it counts the attempts axes has already refused, so one address could
        # use it up and lock the patient out everywhere. That budget still guards
        # authenticator codes, which only someone with the password reaches.
        return None


class MFAAdapter(DefaultMFAAdapter):
    """The second step's messages in the words the pages use ("two-step sign-in")."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "add_email_blocked": "While two-step sign-in is on, you cannot add another email "
        "address. Turn it off first, add the address, then turn it on again.",
        "cannot_delete_authenticator": "Two-step sign-in cannot be turned off for your account.",
        "cannot_generate_recovery_codes": "Recovery codes come with two-step sign-in: set up "
        "an authenticator app first.",
        "incorrect_code": "That code is not right. Enter the code your app shows now: "
        "each one works for 30 seconds.",
        "unverified_email": "Confirm your email address before you turn on two-step sign-in: "
        "open the link in the email we sent you.",
    }


class UserSessionsAdapter(DefaultUserSessionsAdapter):
    def end_sessions(self, sessions) -> None:
        """Ends the sessions (signed out there at their next click), in the audit trail as
        one row with how many: from "Sign out everywhere else" or allauth's own page."""
        sessions = list(sessions)
        super().end_sessions(sessions)
        if sessions and self.request is not None:
            audit.record(
                self.request,
                "auth.sign_out_elsewhere",
                record_type="sessions",
                record_id=len(sessions),
            )
