from datetime import timedelta

from allauth.account.models import EmailAddress
from django import forms
from django.utils import timezone

from portal.models import CaregiverGrant

ACCESS_MESSAGES = {
    "access": {
        "required": "Choose what they may do.",
        "invalid_choice": "Choose what they may do from the list.",
    },
    "ends_on": {"invalid": "Enter the day access ends as a real date, for example 31/12/2026."},
}


class _EndDateMixin:
    def clean_ends_on(self):
        ends_on = self.cleaned_data.get("ends_on")
        if ends_on is not None and ends_on <= timezone.localdate():
            raise forms.ValidationError("Choose a day after today, or leave it empty.")
        return ends_on


class InviteForm(_EndDateMixin, forms.ModelForm):
    """The patient invites someone by email; the email must be someone else's."""

    # Invitations send email from the portal: a day's worth is enough for anyone.
    PER_DAY = 10

    class Meta:
        model = CaregiverGrant
        fields = ["email", "patient_name", "access", "ends_on"]
        labels = {"access": "What they may do"}
        help_texts = {
            "email": "We send them a link. It works once, for 7 days.",
        }
        widgets = {
            "access": forms.RadioSelect,
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        error_messages = {
            "email": {
                "required": "Enter the email address of the person who will help.",
                "invalid": "Enter their email address in the right form, like name@example.com.",
                "max_length": "Their email address must be 254 characters or fewer.",
            },
            "patient_name": {
                "required": "Enter your name as they know you.",
                "max_length": f"Your name must be {CaregiverGrant.NAME_MAX_LENGTH} characters or "
                "fewer.",
            },
            **ACCESS_MESSAGES,
        }

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.fields["patient_name"].initial = patient.first_name

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        own = {
            address.lower()
            for address in EmailAddress.objects.filter(user=self.patient).values_list(
                "email", flat=True
            )
        }
        if self.patient.email:
            own.add(self.patient.email.lower())
        if email in own:
            raise forms.ValidationError("Enter the email address of the person who will help.")
        return email

    def clean(self):
        cleaned = super().clean()
        day_ago = timezone.now() - timedelta(days=1)
        sent = CaregiverGrant.objects.for_patient(self.patient).filter(invited_at__gte=day_ago)
        if sent.count() >= self.PER_DAY:
            raise forms.ValidationError(
                f"You have sent {self.PER_DAY} invitations today. Please try again tomorrow."
            )
        return cleaned


class ChangeAccessForm(_EndDateMixin, forms.ModelForm):
    class Meta:
        model = CaregiverGrant
        fields = ["access", "ends_on"]
        labels = {"access": "What they may do"}
        widgets = InviteForm.Meta.widgets
        error_messages = ACCESS_MESSAGES
