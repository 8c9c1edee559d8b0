"""The form macros' field rendering without WTForms' widget machinery (issue 17: rendering
the public form's fields was about half of an intake GET).

``render_field(field, **attrs)`` and ``render_label(label, **attrs)`` give exactly what
``field(**attrs)`` and ``label(**attrs)`` give, for the plain widgets the forms use (text,
e-mail, telephone, search, URL, hidden and radio inputs, text areas); any other widget, a
datalist or a date field with a format goes to WTForms itself.
tests/portal/test_fastfields.py renders every field of the public forms both ways.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape
from wtforms import widgets
from wtforms.meta import DefaultMeta
from wtforms.widgets.core import clean_key

__all__ = ["html_params", "render_field", "render_label"]

_INPUTS = frozenset(
    {
        widgets.TextInput,
        widgets.EmailInput,
        widgets.TelInput,
        widgets.SearchInput,
        widgets.URLInput,
        widgets.HiddenInput,
        widgets.RadioInput,
    }
)
_QUOTE, _RAW_QUOTE = Markup("&quot;"), Markup('"')


def html_params(**kwargs: Any) -> Markup:
    """``wtforms.widgets.html_params``: sorted keys, ``True`` bare, ``False`` left out,
    values escaped with ``"`` as ``&quot;`` (the same string without ``Markup.format``)."""
    params = []
    for key, value in sorted(kwargs.items()):
        if value is True:
            params.append(str(escape(clean_key(key))))
        elif value is not False:
            text = escape(value).replace(_RAW_QUOTE, _QUOTE)
            params.append(f'{escape(clean_key(key))}="{text}"')
    return Markup(" ".join(params))  # noqa: S704 - every part escaped above


def _plain(field: Any) -> bool:
    return type(field.meta).render_field is DefaultMeta.render_field


def render_field(field: Any, **attrs: Any) -> Markup:
    """``field(**attrs)``, for the plain widgets without WTForms' per-call machinery."""
    widget = field.widget
    kind = type(widget)
    if (
        (kind not in _INPUTS and kind is not widgets.TextArea)
        or not _plain(field)
        or getattr(field, "_datalist", None) is not None
    ):
        return Markup(field(**attrs))  # noqa: S704 - WTForms returns Markup
    kwargs = {clean_key(k): v for k, v in attrs.items()}
    other = getattr(field, "render_kw", None)
    if other is not None:
        kwargs = dict({clean_key(k): v for k, v in other.items()}, **kwargs)
    kwargs.setdefault("id", field.id)
    if kind is widgets.TextArea:
        _flags(field, widget, kwargs, call=False)
        params = html_params(name=field.name, **kwargs)
        return Markup(f"<textarea {params}>\r\n{escape(field._value())}</textarea>")  # noqa: S704
    if kind is widgets.RadioInput and field.checked:
        kwargs.setdefault("checked", True)
    kwargs.setdefault("type", widget.input_type)
    if "value" not in kwargs:
        kwargs["value"] = field._value()
    _flags(field, widget, kwargs, call=True)
    return Markup(f"<input {html_params(name=field.name, **kwargs)}>")  # noqa: S704


def _flags(field: Any, widget: Any, kwargs: dict[str, Any], *, call: bool) -> None:
    """The validators' flags the widget renders (``required``, ``maxlength``, ...). Flags
    live in the instance's ``__dict__``; ``dir`` would list the class's names as well,
    none of which is a validation attribute. Inputs call a callable flag, text areas not."""
    flags = getattr(field, "flags", None)
    if flags is None:
        return
    for key in sorted(vars(flags)):
        if key in widget.validation_attrs and key not in kwargs:
            value = getattr(flags, key)
            kwargs[key] = value() if call and callable(value) else value


def render_label(label: Any, text: str | None = None, **attrs: Any) -> Markup:
    """``label(text, **attrs)`` of a ``wtforms.Label``."""
    if "for_" in attrs:
        attrs["for"] = attrs.pop("for_")
    else:
        attrs.setdefault("for", label.field_id)
    attributes = html_params(**attrs)
    attributes = Markup(f" {attributes}") if attributes else Markup("")  # noqa: S704
    return Markup(f"<label{attributes}>{escape(text or label.text)}</label>")  # noqa: S704
