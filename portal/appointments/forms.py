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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)

    def clean_starts_at(self) -> datetime:
        starts_at = self.cleaned_data["starts_at"]
        if not EARLIEST_YEAR <= timezone.localtime(starts_at).year <= LATEST_YEAR:
            raise forms.ValidationError(f"Enter a date between {EARLIEST_YEAR} and {LATEST_YEAR}.")
        return starts_at
