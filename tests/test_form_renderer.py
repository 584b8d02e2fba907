"""The Python stand-ins for Django's form templates write exactly what the templates write."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.forms.utils import ErrorList
from django.utils.safestring import mark_safe

from portal import form_renderer
from portal.form_renderer import STAND_INS, FastRenderer
from portal.forms import DiaryEntryForm, DiaryFilterForm


class EveryWidget(forms.Form):
    text = forms.CharField(label="Your <b>words</b>", help_text="Hint", max_length=20)
    optional = forms.CharField(required=False, widget=forms.TextInput(attrs={"disabled": True}))
    hidden = forms.CharField(widget=forms.HiddenInput)
    number = forms.IntegerField(min_value=0)
    decimal = forms.DecimalField(initial=1.5)
    email = forms.EmailField()
    password = forms.CharField(widget=forms.PasswordInput(render_value=True))
    when = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField()
    agree = forms.BooleanField(required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "data-x": 'a"b'}))
    level = forms.ChoiceField(
        choices=[("1", "Mild & <slight>"), ("2", mark_safe("<em>Moderate</em>"))],
        widget=forms.RadioSelect,
    )
    places = forms.MultipleChoiceField(
        choices=[("a", "Arm"), ("b", "Back")], widget=forms.CheckboxSelectMultiple
    )
    url = forms.URLField(required=False)


class _HtmlAndText:
    """Not a string, but with __html__: the template writes str() escaped, not __html__()."""

    def __html__(self):
        return "<b>html</b>"

    def __str__(self):
        return "<i>text</i>"


def _called():
    return "called"


class Awkward(forms.Form):
    """Values the template language treats specially; the stand-ins hand them back."""

    called = forms.CharField(widget=forms.TextInput(attrs={"data-value": _called}))
    spaced = forms.CharField(label="  Spaced out  ")
    odd = forms.ChoiceField(choices=[("1", _HtmlAndText())], widget=forms.RadioSelect)
    number = forms.IntegerField(initial=12345)


def _forms(renderer):
    unbound = EveryWidget(
        initial={"when": datetime.datetime(2026, 3, 1, 9, 30), "agree": True}, renderer=renderer
    )
    bound = EveryWidget(
        {
            "text": "x" * 30,
            "hidden": '<script>"',
            "number": "-1",
            "decimal": "2.25",
            "email": "not an email",
            "when": "2026-03-01T09:30",
            "day": "2026-02-30",
            "note": "line one\n<b>two</b> & three",
            "level": "2",
            "places": ["a", "b"],
            "agree": "on",
        },
        renderer=renderer,
    )
    bound.is_valid()
    return [
        unbound,
        bound,
        EveryWidget(auto_id=False, renderer=renderer),
        EveryWidget(auto_id="f_%s", label_suffix=":", renderer=renderer),
        DiaryEntryForm(renderer=renderer),
        DiaryFilterForm(renderer=renderer),
        Awkward(renderer=renderer),
        Awkward(auto_id=False, renderer=renderer),
    ]


def _render_all(form, renderer):
    """Everything a template can ask a field for: label, errors, the input, each option."""
    out = []
    for field in form:
        out += [field.label_tag(), field.legend_tag(), str(field.errors), str(field)]
        out += [field.label_tag(attrs={"class": "big", "hidden": True}, tag="span")]
        if hasattr(field.field.widget, "choices") and not isinstance(
            field.field.widget, forms.Select
        ):
            out += [option.tag() for option in field] + [str(option) for option in field]
    out.append(str(form.non_field_errors()))
    errors = ErrorList(["<one>", mark_safe("<b>two</b>")], field_id="x", renderer=renderer)
    out += [str(errors), str(ErrorList(renderer=renderer))]
    return out


def test_every_template_is_the_one_the_stand_ins_copy():
    """Fails after a Django upgrade or a project override changes one: update the stand-in."""
    assert FastRenderer().stand_ins().keys() == STAND_INS.keys()


@pytest.mark.parametrize("index", range(8))
def test_stand_ins_write_what_the_templates_write(index, db):
    fast_renderer, slow_renderer = FastRenderer(), DjangoTemplates()
    fast = _render_all(_forms(fast_renderer)[index], fast_renderer)
    slow = _render_all(_forms(slow_renderer)[index], slow_renderer)
    assert fast == slow
    assert any("<input" in html for html in fast)


def test_a_changed_template_turns_every_stand_in_off(monkeypatch):
    monkeypatch.setitem(
        form_renderer._INCLUDED, "django/forms/attrs.html", "{% for name in attrs %}{% endfor %}"
    )
    renderer = FastRenderer()
    assert renderer.stand_ins() == {}
    slow = DjangoTemplates()
    assert _render_all(EveryWidget(renderer=renderer), renderer) == _render_all(
        EveryWidget(renderer=slow), slow
    )


def test_the_portal_uses_the_fast_renderer(settings):
    from django.forms.renderers import get_default_renderer

    assert settings.FORM_RENDERER == "portal.form_renderer.FastRenderer"
    assert isinstance(get_default_renderer(), FastRenderer)
