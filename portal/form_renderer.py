"""Django's form renderer, with its smallest templates written in Python.

Every field on a page goes through three of Django's templates: its label, its error list
(rendered even when empty) and its input, each an include or two deep. On the diary page
that was about 26 template renders and a third of the page's cost. The functions below
write the same markup directly.

They stand in for the templates only while every template they copy has, byte for byte,
the source they were written from. The renderer reads those templates once; if any
differs (a project override, a Django upgrade), it renders all of them as templates again,
still correct, only slower, and `tests/test_form_renderer.py` fails so that somebody
looks. The same tests render every stand-in both ways and compare the output.

A value the template language treats specially (a callable, which it would call) goes to
the template too.
"""

from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.template import TemplateDoesNotExist
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData
from django.utils.timezone import template_localtime


class _UseTheTemplate(Exception):
    """A value the stand-ins do not handle as the template would: render the template."""


def _plain(value: Any) -> Any:
    if callable(value):  # the template language would call it
        raise _UseTheTemplate
    return value


def _text(value: Any) -> str:
    """What `{{ value }}` writes: Django's render_value_in_context()."""
    value = localize(template_localtime(_plain(value)))
    if not issubclass(type(value), str):
        value = str(value)
    return conditional_escape(value)


def _as_string(value: Any) -> str:
    """What `{{ value|stringformat:'s' }}` writes."""
    value = _plain(value)
    formatted = "%s" % (str(value) if isinstance(value, tuple) else value)
    return formatted if isinstance(value, SafeData) else escape(formatted)


def _attrs(attrs: Mapping[str, Any]) -> str:
    """django/forms/widgets/attrs.html and django/forms/attrs.html."""
    if "items" in attrs:  # `attrs.items` in the template would read that key instead
        raise _UseTheTemplate
    parts = []
    for name, value in attrs.items():
        if value is not False:
            parts.append(
                f" {_text(name)}" if value is True else f' {_text(name)}="{_as_string(value)}"'
            )
    return "".join(parts)


def _input(widget: Mapping[str, Any]) -> str:
    """django/forms/widgets/input.html, without the file's final newline."""
    value = widget["value"]
    shown = f' value="{_as_string(value)}"' if value != None else ""  # noqa: E711 - as the template
    attrs = _attrs(widget["attrs"])
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{shown}{attrs}>'


def _input_widget(context: Mapping[str, Any]) -> str:
    return _input(context["widget"])


def _input_option(context: Mapping[str, Any]) -> str:
    widget = context["widget"]
    if not widget.get("wrap_label"):
        return _input(widget)
    option_id = widget["attrs"].get("id")
    label_for = f' for="{_text(option_id)}"' if option_id else ""
    # The included input.html ends in a newline, which stays inside the label.
    return f"<label{label_for}>{_input(widget)}\n {_text(widget['label'])}</label>"


def _textarea(context: Mapping[str, Any]) -> str:
    widget = context["widget"]
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _label(context: Mapping[str, Any]) -> str:
    if not context["use_tag"]:
        return _text(context["label"])
    tag = _text(context["tag"])
    return f"<{tag}{_attrs(context['attrs'] or {})}>{_text(context['label'])}</{tag}>"


def _errors(context: Mapping[str, Any]) -> str | None:
    # Only the common case, no errors at all; a list with errors renders its template.
    return None if context["errors"] else ""


_INCLUDES_INPUT = '{% include "django/forms/widgets/input.html" %}\n'
_INCLUDES_INPUT_OPTION = '{% include "django/forms/widgets/input_option.html" %}\n'

# Template name -> (the template's source as written in Django 6.1, its Python version).
# A function may answer None to hand a case it does not cover back to the template.
STAND_INS: dict[str, tuple[str, Callable[[Mapping[str, Any]], str | None]]] = {
    "django/forms/widgets/input.html": (
        '<input type="{{ widget.type }}" name="{{ widget.name }}"{% if widget.value != None %}'
        " value=\"{{ widget.value|stringformat:'s' }}\"{% endif %}"
        '{% include "django/forms/widgets/attrs.html" %}>\n',
        _input_widget,
    ),
    **{
        f"django/forms/widgets/{name}.html": (_INCLUDES_INPUT, _input_widget)
        for name in (
            "checkbox",
            "color",
            "date",
            "datetime",
            "email",
            "hidden",
            "number",
            "password",
            "search",
            "tel",
            "text",
            "time",
            "url",
        )
    },
    "django/forms/widgets/input_option.html": (
        '{% if widget.wrap_label %}<label{% if widget.attrs.id %} for="{{ widget.attrs.id }}"'
        '{% endif %}>{% endif %}{% include "django/forms/widgets/input.html" %}'
        "{% if widget.wrap_label %} {{ widget.label }}</label>{% endif %}\n",
        _input_option,
    ),
    "django/forms/widgets/radio_option.html": (_INCLUDES_INPUT_OPTION, _input_option),
    "django/forms/widgets/checkbox_option.html": (_INCLUDES_INPUT_OPTION, _input_option),
    "django/forms/widgets/textarea.html": (
        '<textarea name="{{ widget.name }}"{% include "django/forms/widgets/attrs.html" %}>\n'
        "{% if widget.value %}{{ widget.value }}{% endif %}</textarea>\n",
        _textarea,
    ),
    "django/forms/label.html": (
        "{% if use_tag %}<{{ tag }}{% include 'django/forms/attrs.html' %}>{{ label }}</{{ tag }}>"
        "{% else %}{{ label }}{% endif %}\n",
        _label,
    ),
    "django/forms/errors/list/default.html": (
        '{% include "django/forms/errors/list/ul.html" %}',
        _errors,
    ),
    "django/forms/errors/list/ul.html": (
        '{% if errors %}<ul class="{{ error_class }}"{% if errors.field_id %} '
        'id="{{ errors.field_id }}_error"{% endif %}>{% for error in errors %}<li>{{ error }}</li>'
        "{% endfor %}</ul>{% endif %}",
        _errors,
    ),
}

# The templates the stand-ins above include, which must be unchanged too.
_INCLUDED = {
    "django/forms/widgets/attrs.html": (
        "{% for name, value in widget.attrs.items %}{% if value is not False %} {{ name }}"
        "{% if value is not True %}=\"{{ value|stringformat:'s' }}\"{% endif %}{% endif %}"
        "{% endfor %}"
    ),
    "django/forms/attrs.html": (
        "{% for name, value in attrs.items %}{% if value is not False %} {{ name }}"
        "{% if value is not True %}=\"{{ value|stringformat:'s' }}\"{% endif %}{% endif %}"
        "{% endfor %}"
    ),
}


class FastRenderer(DjangoTemplates):
    """FORM_RENDERER: Django's default renderer, with the stand-ins above where they apply."""

    def __init__(self) -> None:
        super().__init__()
        self._fast: dict[str, Callable[[Mapping[str, Any]], str | None]] | None = None

    def _source(self, name: str) -> str | None:
        try:
            return self.get_template(name).template.source
        except TemplateDoesNotExist:
            return None

    def stand_ins(self) -> dict[str, Callable[[Mapping[str, Any]], str | None]]:
        """The stand-ins, or none at all if any template they copy has changed.

        All or nothing, because the stand-ins share code (every input goes through
        `_input()`), so one changed template may affect several of them.
        """
        if self._fast is None:
            expected = {name: source for name, (source, _) in STAND_INS.items()} | _INCLUDED
            unchanged = all(self._source(name) == source for name, source in expected.items())
            self._fast = {name: f for name, (_, f) in STAND_INS.items()} if unchanged else {}
        return self._fast

    def render(self, template_name: str, context: Mapping[str, Any], request=None) -> str:
        fast = self.stand_ins().get(template_name)
        if fast is not None:
            try:
                html = fast(context)
            except _UseTheTemplate:
                html = None
            if html is not None:
                return html.strip()  # as BaseRenderer.render() does
        return super().render(template_name, context, request=request)
