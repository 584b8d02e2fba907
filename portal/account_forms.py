"""How allauth and django-axes fit the portal: sign-up form, adapter, throttling replies."""

import hmac
import math

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class SignupForm(AllauthSignupForm):
    """Email and password; plus an invitation code when the deployment asks for one."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = "We send a link to confirm it is yours."
        self.fields["password1"].help_text = (
            "At least 12 characters. Any characters, spaces too: a few unrelated words "
            "make a strong password that is easy to remember."
        )
        if settings.PORTAL_SIGNUP_INVITATION_CODES:
            self.fields["invitation_code"] = forms.CharField(
                label="Invitation code",
                max_length=100,
                help_text="The code your clinic gave you.",
                widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
            )

    def clean_invitation_code(self) -> str:
        code = self.cleaned_data["invitation_code"].strip()
        # Compare every code in constant time, so timing says nothing about near misses.
        matches = [
            hmac.compare_digest(code.encode(), valid.encode())
            for valid in settings.PORTAL_SIGNUP_INVITATION_CODES
        ]
        if not any(matches):
            raise forms.ValidationError(
                "That invitation code is not right. Check it against the letter or email "
                "from your clinic, or ask them for a new one."
            )
        return code


def axes_username(request: HttpRequest, credentials: dict | None) -> str:
    """The account an attempt names, as its email address in lower case.

    allauth authenticates with the email address; axes resets the count on success with
    the username, so that is mapped to the account's email to clear the same counter.
    """
    credentials = credentials or {}
    email = credentials.get("email") or ""
    if not email and credentials.get("username"):
        username = credentials["username"]
        User = get_user_model()
        email = User.objects.filter(username=username).values_list("email", flat=True).first()
        email = email or username
    if not email and request.method == "POST":
        email = request.POST.get("login", "")
    return str(email).strip().lower()


def signin_blocked(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """What a person sees once too many sign-ins failed for this account from here."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    return render(
        request,
        "account/signin_blocked.html",
        {"cooloff_minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
