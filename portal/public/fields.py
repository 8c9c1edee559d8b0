"""Two WTForms fields of the public request form with a direct path for the common input
(issue 17, fifth round: on an intake POST the choice checks of the radio buttons and the
parsing of the two dates were about a quarter of binding and validating the form).

- ``ChoiceRadioField``: WTForms' ``RadioField`` checks the chosen value by building a
  ``Choice`` for every declared option; this one compares the value with the declared values
  directly. Options it does not know the shape of (groups, a callable) go to WTForms.
- ``IsoDateField``: WTForms' ``DateField`` parses with ``strptime``, which looks up the
  process locale on every call; a value spelled exactly ``YYYY-MM-DD`` in ASCII digits (what
  a browser's date input sends) is read with ``date.fromisoformat`` instead. Anything else,
  and any value ``fromisoformat`` refuses, goes to WTForms, which gives its own message.

Both accept and refuse exactly what WTForms does, with the same data and messages:
``tests/public/test_fast_form_fields.py`` checks them against WTForms on generated input.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from wtforms import DateField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_MISSING = object()
# WTForms' own message, translated from WTForms' catalogue by the field's ``gettext`` (a
# name, not a literal, so our catalogue's extraction leaves it to WTForms).
NOT_A_CHOICE = "Not a valid choice."


def _declared_value(choice: Any) -> Any:
    """The value of one declared option as WTForms reads it, or ``_MISSING`` for a shape
    left to WTForms."""
    if isinstance(choice, SelectChoice):
        return choice.value
    if isinstance(choice, str):
        return choice
    if isinstance(choice, tuple) and len(choice) in (2, 3):
        return choice[0]
    return _MISSING


class ChoiceRadioField(RadioField):  # type: ignore[misc]  # WTForms is untyped
    """``RadioField`` with its choice check done directly on the declared values."""

    def pre_validate(self, form: Any) -> None:
        choices = self.choices
        if self.process_errors or not self.validate_choice:
            return
        if not isinstance(choices, list | tuple):
            super().pre_validate(form)  # None, groups in a dict
            return
        for choice in choices:
            value = _declared_value(choice)
            if value is _MISSING:
                super().pre_validate(form)
                return
            if self.coerce(value) == self.data:
                return
        raise ValidationError(self.invalid_choice_message or self.gettext(NOT_A_CHOICE))


class IsoDateField(DateField):  # type: ignore[misc]  # WTForms is untyped
    """``DateField`` reading an ISO date (``YYYY-MM-DD``) without ``strptime``."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist and list(self.strptime_format) == ["%Y-%m-%d"]:
            try:
                text = " ".join(valuelist)
            except TypeError:
                text = ""  # not text: WTForms' own handling below
            if _ISO_DATE.match(text):
                try:
                    self.data = date.fromisoformat(text)
                    return
                except ValueError:
                    pass  # not a calendar date: WTForms' own message below
        super().process_formdata(valuelist)
