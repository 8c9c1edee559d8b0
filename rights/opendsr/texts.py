"""The machine API's problem texts: English, marked for the catalogue so the web edge can
say them in the caller's language (docs/api.md, "Language of the messages"). Flask-free:
``N_`` only marks a text; ``Text`` keeps the template and its values apart, so the English
message and a translation are made from the same two."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def N_(message: str) -> str:  # noqa: N802 - the gettext convention babel extracts
    """Mark ``message`` for the catalogue without translating it."""
    return message


@dataclass(frozen=True)
class Text:
    template: str  # English, with %(name)s placeholders
    values: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.template % self.values if self.values else self.template
