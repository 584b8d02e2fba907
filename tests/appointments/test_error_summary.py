"""templates/portal/_error_summary.html, the one error summary every form includes (the
appointment and treatment pages through portal/records.py): each error links to the input
that takes focus, whatever the widget, and its context variables change what it says."""

from django import forms
from django.template.loader import render_to_string


class EveryWidgetForm(forms.Form):
    name = forms.CharField(label="Name", error_messages={"required": "Enter your name."})
    when = forms.SplitDateTimeField(
        label="When", error_messages={"required": "Enter the date and time."}
    )
    kind = forms.ChoiceField(
        label="Kind",
        choices=[("a", "A"), ("b", "B")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a kind."},
    )
    days = forms.MultipleChoiceField(
        label="Days",
        choices=[("mon", "Monday"), ("tue", "Tuesday")],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one day."},
    )
    agree = forms.BooleanField(label="I agree", error_messages={"required": "Tick to agree."})
    token = forms.CharField(widget=forms.HiddenInput, error_messages={"required": "Start again."})

    def clean(self):
        raise forms.ValidationError("Something else went wrong.")


def _summary(**context) -> str:
    form = EveryWidgetForm({})
    assert not form.is_valid()
    return render_to_string("portal/_error_summary.html", {"form": form, **context})


def test_each_error_links_to_the_input_that_takes_focus():
    html = _summary()
    assert '<a href="#id_name">Name: Enter your name.</a>' in html
    # A split widget, a group of radios or of checkboxes: their first input.
    assert '<a href="#id_when_0">When: Enter the date and time.</a>' in html
    assert '<a href="#id_kind_0">Kind: Choose a kind.</a>' in html
    assert '<a href="#id_days_0">Days: Choose at least one day.</a>' in html
    assert '<a href="#id_agree">I agree: Tick to agree.</a>' in html
    # Nothing to link to: a hidden field's error and the form's own are plain text.
    assert "<li>Start again.</li>" in html
    assert "<li>Something else went wrong.</li>" in html


def test_it_is_gov_uk_s_summary_that_takes_focus():
    html = _summary()
    assert (
        '<div class="error-summary" role="alert" id="form-errors" tabindex="-1"'
        ' aria-labelledby="form-errors-title">'
    ) in html
    assert '<h2 class="error-summary-title" id="form-errors-title">There is a problem</h2>' in html
    assert "<p>Nothing has been saved yet.</p>" in html


def test_its_context_variables_change_the_id_the_words_and_the_heading():
    html = _summary(
        errors_id="entry-7-errors",
        errors_title="Check the entry",
        errors_detail="Nothing has been deleted.",
        errors_heading="h4",
    )
    assert 'id="entry-7-errors" tabindex="-1" aria-labelledby="entry-7-errors-title"' in html
    assert '<h4 class="error-summary-title" id="entry-7-errors-title">Check the entry</h4>' in html
    assert "<p>Nothing has been deleted.</p>" in html


def test_a_form_without_errors_shows_nothing():
    form = EveryWidgetForm()
    assert render_to_string("portal/_error_summary.html", {"form": form}).strip() == ""
