"""Account forms: allauth's, in plain words (sign-in, sign-up with an invitation code if asked
for or if a care team has one, passwords, email, the second step), her details for the
appointment summary, and deletion."""

import hmac
from datetime import date

from allauth.account import forms as allauth_forms
from allauth.account.adapter import get_adapter
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from django import forms
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest
from django.utils import timezone

from portal.models import CareTeam, CareTeamPatient, PatientProfile, validate_nhs_number

ENTER_EMAIL = "Enter your email address"
EMAIL_FORMAT = "Enter an email address in the right format, like name@example.com"
ENTER_PASSWORD = "Enter your password"  # noqa: S105 (a message, not a password)
ENTER_CODE = "Enter the 6-digit code from your authenticator app"
PASSWORD_HINT = (
    "At least 12 characters. Any characters, spaces too: a few unrelated words make a strong "  # noqa: S105 (a hint)
    "password that is easy to remember."
)


class PlainWords:
    """GOV.UK's way with form errors: each says what to enter in that field ("Enter your
    email address"), never "This field is required."; labels in sentence case; and no
    placeholders, which vanish as she types and can read as if the field were filled in.

    `words` maps a field to its label, hint and error messages; a field not named keeps
    its own."""

    words: dict[str, dict] = {}

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.pop("placeholder", None)
            said = self.words.get(name, {})
            if "label" in said:
                field.label = said["label"]
            if "hint" in said:
                field.help_text = said["hint"]
            field.error_messages.update(said.get("errors", {}))


EMAIL = {"label": "Email address", "errors": {"required": ENTER_EMAIL, "invalid": EMAIL_FORMAT}}
NEW_PASSWORD = {
    "hint": PASSWORD_HINT,
    "errors": {"required": "Enter a password"},
}
PASSWORD_AGAIN = {"errors": {"required": "Enter the password again"}}


class LoginForm(PlainWords, allauth_forms.LoginForm):
    words = {"login": EMAIL, "password": {"errors": {"required": ENTER_PASSWORD}}}


class ReauthenticateForm(PlainWords, allauth_forms.ReauthenticateForm):
    words = {"password": {"errors": {"required": ENTER_PASSWORD}}}


class ChangePasswordForm(PlainWords, allauth_forms.ChangePasswordForm):
    words = {
        "oldpassword": {
            "label": "Current password",
            "errors": {"required": "Enter your current password"},
        },
        "password1": {
            "label": "New password",
            "hint": PASSWORD_HINT,
            "errors": {"required": "Enter a new password"},
        },
        "password2": {
            "label": "New password again",
            "errors": {"required": "Enter the new password again"},
        },
    }


class SetPasswordForm(PlainWords, allauth_forms.SetPasswordForm):
    words = {"password1": NEW_PASSWORD, "password2": {"label": "Password again", **PASSWORD_AGAIN}}


class ResetPasswordForm(PlainWords, allauth_forms.ResetPasswordForm):
    words = {
        "email": {
            **EMAIL,
            "hint": "The one you sign in with.",
            "errors": {**EMAIL["errors"], "required": "Enter the email address you sign in with"},
        }
    }


class ResetPasswordKeyForm(PlainWords, allauth_forms.ResetPasswordKeyForm):
    words = {
        "password1": {**NEW_PASSWORD, "label": "New password"},
        "password2": {"label": "New password again", **PASSWORD_AGAIN},
    }


class AddEmailForm(PlainWords, allauth_forms.AddEmailForm):
    words = {
        "email": {
            **EMAIL,
            "errors": {**EMAIL["errors"], "required": "Enter the email address to add"},
        }
    }


CODE = {"label": "Code", "errors": {"required": ENTER_CODE}}


class AuthenticateForm(PlainWords, mfa_forms.AuthenticateForm):
    """The second step of signing in: a code from her app, or one of her recovery codes."""

    words = {"code": {**CODE, "hint": "Or, if you do not have your phone, a recovery code."}}


class MfaReauthenticateForm(PlainWords, mfa_forms.ReauthenticateForm):
    words = {"code": CODE}


class ActivateTOTPForm(PlainWords, totp_forms.ActivateTOTPForm):
    words = {"code": {"label": "Authenticator code", "errors": {"required": ENTER_CODE}}}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs["inputmode"] = "numeric"

    @property
    def secret_groups(self) -> list[str]:
        """The setup key in blocks of 4, as authenticator apps show it, for reading aloud or
        typing in; the page joins them with no space, so copying still gives the key."""
        return [self.secret[start : start + 4] for start in range(0, len(self.secret), 4)]


class SignupForm(PlainWords, allauth_forms.SignupForm):
    """Email and password; plus an invitation code when the deployment asks for one
    (PORTAL_SIGNUP_INVITATION_CODES) or a care team has one. A team's code joins her to the
    team; where the deployment asks for no code, a team's code is optional."""

    words = {
        "email": {**EMAIL, "hint": "We send a link to confirm it is yours."},
        "password1": NEW_PASSWORD,
        "password2": {"label": "Password again", **PASSWORD_AGAIN},
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.care_team: CareTeam | None = None
        required = bool(settings.PORTAL_SIGNUP_INVITATION_CODES)
        if required or CareTeam.objects.filter(invitation_code__isnull=False).exists():
            self.fields["invitation_code"] = forms.CharField(
                label="Invitation code" if required else "Invitation code (optional)",
                max_length=100,
                required=required,
                help_text="The code your clinic gave you."
                if required
                else "If your clinic gave you a code, it puts you in touch with its care team.",
                widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
            )

    def clean_invitation_code(self) -> str:
        code = self.cleaned_data["invitation_code"].strip()
        if not code and not settings.PORTAL_SIGNUP_INVITATION_CODES:
            return ""
        # Compare every code in constant time, so timing says nothing about near misses.
        matches = [
            hmac.compare_digest(code.encode(), valid.encode())
            for valid in settings.PORTAL_SIGNUP_INVITATION_CODES
        ]
        # A team's code is a unique key: the database finds it or not, near misses alike.
        self.care_team = CareTeam.objects.filter(invitation_code=code).first() if code else None
        if not any(matches) and self.care_team is None:
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
            # (Nor does it join anyone to a team: the owner signed up already.)
            make_password(self.cleaned_data["password1"])
        return super().try_save(request)

    def save(self, request: HttpRequest):
        user = super().save(request)
        if self.care_team is not None:
            CareTeamPatient.objects.create(team=self.care_team, patient=user)
        return user


EARLIEST_BIRTH_YEAR = 1900
# "943 476 5919", as NHS letters print it; a few more characters than that is still a typo.
NHS_NUMBER_INPUT_LENGTH = 20


def nhs_number_spaced(digits: str) -> str:
    """The 3-3-4 grouping NHS letters and the NHS App show."""
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}" if len(digits) == 10 else digits


class ProfileForm(forms.ModelForm):
    """Who the appointment summary is about; every field optional."""

    date_of_birth = forms.DateField(
        label="Date of birth (optional)",
        required=False,
        error_messages={"invalid": "Enter your date of birth as a date, for example 27/3/1968"},
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
        help_text="For example 27/3/1968.",
    )
    nhs_number = forms.CharField(
        label="NHS number (optional)",
        required=False,
        max_length=NHS_NUMBER_INPUT_LENGTH,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text="10 digits, on your NHS letters or in the NHS App. Spaces are fine.",
    )

    class Meta:
        model = PatientProfile
        fields = ["date_of_birth", "hospital_number", "nhs_number", "show_to_caregivers"]
        labels = {
            "hospital_number": "Hospital number (optional)",
            "show_to_caregivers": "Show these details to the people I share my diary with",
        }
        widgets = {"hospital_number": forms.TextInput(attrs={"autocomplete": "off"})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, label_suffix="", **kwargs)
        if self.instance.nhs_number:
            self.initial["nhs_number"] = nhs_number_spaced(self.instance.nhs_number)

    def clean_date_of_birth(self) -> date | None:
        born = self.cleaned_data["date_of_birth"]
        if born is None:
            return None
        if born > timezone.localdate():
            raise forms.ValidationError("Your date of birth cannot be in the future.")
        if born.year < EARLIEST_BIRTH_YEAR:
            raise forms.ValidationError(f"Enter a date of birth in {EARLIEST_BIRTH_YEAR} or later.")
        return born

    def clean_nhs_number(self) -> str:
        """Stored as its 10 digits; the spaces people type from their letters are dropped."""
        digits = "".join(self.cleaned_data["nhs_number"].split())
        if not digits:
            return ""
        # ASCII only: "\d" in the model's validator would also pass Arabic-Indic or
        # full-width digits, which the database's constraint refuses.
        if not (digits.isascii() and digits.isdigit()):
            raise forms.ValidationError(
                "Enter the 10 digits of your NHS number.", code="nhs_format"
            )
        validate_nhs_number(digits)
        return digits


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        # Not sent back after an error (render_value=False, as GOV.UK does): the page
        # would hold her password in its HTML, in the browser's cache and history.
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": ENTER_PASSWORD},
    )
    understood = forms.BooleanField(
        label="I understand that my diary, appointments, questions, treatments and details "
        "will be deleted for good and cannot be recovered.",
        error_messages={
            "required": "Tick the box to show that you understand everything will be deleted"
        },
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, label_suffix="", **kwargs)
        self.user = user
        if self.is_bound:
            # The page comes back only with an error, and the box is empty again.
            self.fields["password"].help_text = (
                "Enter your password again: for your safety we never send it back to "
                "the page, so the box is empty after a problem."
            )

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        # Through allauth, so wrong passwords here are throttled and audited like sign-ins.
        if not get_adapter().reauthenticate(self.user, password):
            raise forms.ValidationError("That is not your current password.")
        return password
