from datetime import datetime

from django import forms
from django.utils import timezone

from portal.models import Appointment

EARLIEST_YEAR = 2000
LATEST_YEAR = 2100


class AppointmentForm(forms.ModelForm):
    starts_at = forms.DateTimeField(
        label="Date and time",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="For example 14/12/2026, 10:30.",
        error_messages={
            "required": "Enter the date and time of the appointment.",
            "invalid": "Enter the date and time of the appointment as a real date and time, "
            "for example 14/12/2026, 10:30.",
        },
    )

    class Meta:
        model = Appointment
        fields = ["starts_at", "with_whom", "location", "purpose", "notes"]
        labels = {
            "with_whom": "With whom (optional)",
            "location": "Where (optional)",
            "purpose": "What it is for (optional)",
            "notes": "Notes (optional)",
        }
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}
        error_messages = {
            "with_whom": {"max_length": "Who it is with must be 200 characters or fewer."},
            "location": {"max_length": "Where it is must be 200 characters or fewer."},
            "purpose": {"max_length": "What it is for must be 200 characters or fewer."},
            "notes": {"max_length": "Your notes must be 2,000 characters or fewer."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)

    def clean_starts_at(self) -> datetime:
        starts_at = self.cleaned_data["starts_at"]
        if not EARLIEST_YEAR <= timezone.localtime(starts_at).year <= LATEST_YEAR:
            raise forms.ValidationError(
                f"The date of the appointment must be between {EARLIEST_YEAR} and {LATEST_YEAR}."
            )
        return starts_at
