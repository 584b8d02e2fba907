"""allauth in the portal: what differs from its default adapter."""

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def pre_authenticate(self, request: HttpRequest, **credentials) -> None:
        # django-axes alone limits password attempts, per account and address
        # (portal/account/throttling.py). allauth's "login_failed" budget here is per
        # account: it counts the attempts axes has already refused, so one address could
        # use it up and lock the patient out everywhere. That budget still guards
        # authenticator codes, which only someone with the password reaches.
        return None
