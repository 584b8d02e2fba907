"""Account forms: sign-up (allauth's, plus an invitation code if asked for) and deletion."""

import hmac

from allauth.account.adapter import get_adapter
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest


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

    def try_save(self, request: HttpRequest):
        if self.account_already_exists:
            # allauth only emails the owner of an existing address, while a new account
            # hashes its password, which takes most of the time. Hash this one too, and
            # discard it, so how long sign-up takes says nothing about who has an account.
            make_password(self.cleaned_data["password1"])
        return super().try_save(request)


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    understood = forms.BooleanField(
        label="I understand that my diary, appointments and questions will be deleted for "
        "good and cannot be recovered.",
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        # Through allauth, so wrong passwords here are throttled and audited like sign-ins.
        if not get_adapter().reauthenticate(self.user, password):
            raise forms.ValidationError("That is not your current password.")
        return password
