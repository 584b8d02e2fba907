from django import forms


class LongSelect(forms.Select):
    """Django's select, its options written in place (templates/portal/widgets): for the
    lists of many options a page renders every time (the diary filter's symptoms, the
    summary's appointments)."""

    template_name = "portal/widgets/long_select.html"
