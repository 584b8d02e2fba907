from datetime import date

from django import forms

from portal.models import Treatment

EARLIEST_YEAR = 1900
LATEST_YEAR = 2100
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def _date_field(label: str, *, required: bool, help_text: str, what: str) -> forms.DateField:
    """`what` names the date in its messages: "the date you started it"."""
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=help_text,
        error_messages={
            "required": f"Enter {what}.",
            "invalid": f"Enter {what} as a real date, for example 3/2/2026.",
        },
    )


LINE_MESSAGE = "Enter the line of treatment as a whole number from 1 to 20, or leave it empty."


class TreatmentForm(forms.ModelForm):
    started_on = _date_field(
        "Started", required=True, help_text="For example 3/2/2026.", what="the date you started it"
    )
    stopped_on = _date_field(
        "Stopped (optional)",
        required=False,
        help_text="Leave empty while you still take it.",
        what="the date you stopped it",
    )
    line = forms.IntegerField(
        label="Line of treatment (optional)",
        required=False,
        min_value=1,
        max_value=20,
        help_text="1 for the first treatment for metastatic disease, 2 for the next, and so on.",
        error_messages={
            "invalid": LINE_MESSAGE,
            "min_value": LINE_MESSAGE,
            "max_value": LINE_MESSAGE,
        },
    )

    class Meta:
        model = Treatment
        fields = ["name", "kind", "started_on", "stopped_on", "line"]
        labels = {"name": "Drug or regimen", "kind": "What kind of treatment it is"}
        help_texts = {"name": "As your clinic names it, for example “Palbociclib and letrozole”."}
        error_messages = {
            "name": {
                "required": "Enter the name of the drug or regimen.",
                "max_length": "The name of the drug or regimen must be 200 characters or fewer.",
            },
            "kind": {
                "required": "Choose what kind of treatment it is.",
                "invalid_choice": "Choose what kind of treatment it is from the list.",
            },
        }
        widgets = {
            "kind": forms.RadioSelect,
            "name": forms.TextInput(attrs={"autocomplete": "off"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)

    def _in_range(self, field: str, what: str) -> date | None:
        day = self.cleaned_data[field]
        if day is not None and not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
            raise forms.ValidationError(
                f"{what} must be between {EARLIEST_YEAR} and {LATEST_YEAR}."
            )
        return day

    def clean_started_on(self) -> date:
        return self._in_range("started_on", "The date you started it")

    def clean_stopped_on(self) -> date | None:
        return self._in_range("stopped_on", "The date you stopped it")

    def clean(self) -> dict:
        cleaned = super().clean()
        started, stopped = cleaned.get("started_on"), cleaned.get("stopped_on")
        if started and stopped and stopped < started:
            self.add_error(
                "stopped_on", "The date you stopped it must be on or after the date you started it."
            )
        return cleaned
