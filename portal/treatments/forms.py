from datetime import date

from django import forms

from portal.models import Treatment

EARLIEST_YEAR = 1900
LATEST_YEAR = 2100
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def _date_field(label: str, *, required: bool, help_text: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=help_text,
    )


class TreatmentForm(forms.ModelForm):
    started_on = _date_field("Started", required=True, help_text="For example 3/2/2026.")
    stopped_on = _date_field(
        "Stopped (optional)", required=False, help_text="Leave empty while you still take it."
    )
    line = forms.IntegerField(
        label="Line of treatment (optional)",
        required=False,
        min_value=1,
        max_value=20,
        help_text="1 for the first treatment for metastatic disease, 2 for the next, and so on.",
    )

    class Meta:
        model = Treatment
        fields = ["name", "kind", "started_on", "stopped_on", "line"]
        labels = {"name": "Drug or regimen", "kind": "What kind of treatment it is"}
        help_texts = {"name": "As your clinic names it, for example “Palbociclib and letrozole”."}
        widgets = {
            "kind": forms.RadioSelect,
            "name": forms.TextInput(attrs={"autocomplete": "off"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)

    def _in_range(self, field: str) -> date | None:
        day = self.cleaned_data[field]
        if day is not None and not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
            raise forms.ValidationError(f"Enter a date between {EARLIEST_YEAR} and {LATEST_YEAR}.")
        return day

    def clean_started_on(self) -> date:
        return self._in_range("started_on")

    def clean_stopped_on(self) -> date | None:
        return self._in_range("stopped_on")

    def clean(self) -> dict:
        cleaned = super().clean()
        started, stopped = cleaned.get("started_on"), cleaned.get("stopped_on")
        if started and stopped and stopped < started:
            self.add_error("stopped_on", "The stop date cannot be before the start date.")
        return cleaned
