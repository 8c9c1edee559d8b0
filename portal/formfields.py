"""Form fields shared by the workspace and source pages: text without NUL (PostgreSQL
refuses it in text), database ids that are never an overflow, and the first error of a
form as one message for the page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Field, Form, StringField
from wtforms.validators import Length

from portal.loading import MAX_INT_ID, parse_id

TOO_LONG = _l("This text is too long (at most %(max)d characters).")
BAD_CHOICE = _l("Choose an option from the list.")


def no_nul(value: Any) -> Any:
    return value.replace("\x00", "") if isinstance(value, str) else value


def text(max_length: int, filters: Sequence[Any] = (), **kwargs: Any) -> StringField:
    """A text field of at most ``max_length`` characters, NUL removed."""
    return StringField(
        default="",
        filters=[no_nul, *filters],
        validators=[Length(max=max_length, message=TOO_LONG)],
        **kwargs,
    )


def clipped(max_length: int) -> StringField:
    """A text field cut to ``max_length`` characters instead of refused (a search box)."""
    return StringField(
        default="", filters=[no_nul, lambda v: v[:max_length] if isinstance(v, str) else v]
    )


class IdField(Field):
    """A database id (positive, fits an INTEGER column) or None when empty; anything else
    is an error of the field, never an overflow in the database."""

    data: int | None

    def __init__(
        self, *args: Any, message: Any = BAD_CHOICE, zero: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.message, self.zero = message, zero

    def process_formdata(self, valuelist: Sequence[Any]) -> None:
        raw = str(valuelist[0]).strip() if valuelist else ""
        self.data = 0 if self.zero and raw == "0" else parse_id(raw, MAX_INT_ID) if raw else None
        if raw and self.data is None:
            raise ValueError(str(self.message))


class IdListField(Field):
    """Several database ids (checkboxes), at most ``limit``; a malformed one is an error."""

    data: list[int]

    def __init__(self, *args: Any, limit: int = 50, message: Any = BAD_CHOICE, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.limit, self.message = limit, message

    def process_formdata(self, valuelist: Sequence[Any]) -> None:
        ids = [parse_id(str(raw).strip(), MAX_INT_ID) for raw in valuelist]
        self.data = [i for i in ids if i is not None]
        if None in ids or len(ids) > self.limit:
            raise ValueError(str(self.message))


class Flag(Field):
    """A checkbox sent as ``1``: ticked only when the value is exactly ``1``."""

    data: bool

    def process_formdata(self, valuelist: Sequence[Any]) -> None:
        self.data = bool(valuelist) and valuelist[0] == "1"


def first_error(form: Form) -> str:
    """The first error of a validated form, for the page's error summary."""
    for errors in form.errors.values():
        for error in errors if isinstance(errors, list) else [errors]:
            return str(error)
    return str(_l("Some of the information given is not valid."))
