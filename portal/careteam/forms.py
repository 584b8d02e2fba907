from django import forms

from portal.diary.forms import reject_markup
from portal.models import Alert


class CloseAlertForm(forms.Form):
    """What was done about the alert, and a short reply the patient reads on her entry."""

    action = forms.ChoiceField(
        label="What was done",
        choices=Alert.Action.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what was done."},
    )
    reply = forms.CharField(
        label="A short reply for the patient (optional)",
        help_text=f"She reads it on her entry. Up to {Alert.REPLY_MAX_LENGTH} characters.",
        max_length=Alert.REPLY_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_markup],
        error_messages={
            "max_length": f"Write the reply in at most {Alert.REPLY_MAX_LENGTH} characters."
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
