"""Account forms: sign-up (allauth's, plus an invitation code if asked for or if a care team
has one), her details for the appointment summary, and deletion."""

import hmac
from datetime import date

from allauth.account.adapter import get_adapter
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest
from django.utils import timezone

from portal.models import CareTeam, CareTeamPatient, PatientProfile, validate_nhs_number


class SignupForm(AllauthSignupForm):
    """Email and password; plus an invitation code when the deployment asks for one
    (PORTAL_SIGNUP_INVITATION_CODES) or a care team has one. A team's code joins her to the
    team; where the deployment asks for no code, a team's code is optional."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = "We send a link to confirm it is yours."
        self.fields["password1"].help_text = (
            "At least 12 characters. Any characters, spaces too: a few unrelated words "
            "make a strong password that is easy to remember."
        )
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
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    understood = forms.BooleanField(
        label="I understand that my diary, appointments, questions, treatments and details "
        "will be deleted for good and cannot be recovered.",
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
