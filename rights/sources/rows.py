"""A row of an SQL source as the portal holds it while it reads, plans or changes it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rights.errors import SourceError

__all__ = ["Row"]


@dataclass(frozen=True)
class Row:
    table: str
    pk: Any
    values: dict[str, Any]

    def __post_init__(self) -> None:
        # Keys are stored in JSON (matches, plans): integers and text only.
        if isinstance(self.pk, bool) or not isinstance(self.pk, int | str):
            raise SourceError(
                "The primary key of a mapped table must be an integer or text.",
                code="unsupported_key",
                table=self.table,
            )
