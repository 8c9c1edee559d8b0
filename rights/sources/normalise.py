"""Per-row identifiers of a data file, normalised for matching against a request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rights.identifiers import (
    address_key,
    normalise_customer_number,
    normalise_email,
    normalise_name,
    normalise_phone,
)
from rights.sources.columns import ColumnRoles

__all__ = ["NormalisedIdentifiers", "normalise_row"]


@dataclass(frozen=True, slots=True)
class NormalisedIdentifiers:
    """One row's raw values and the canonical identifiers found in them.

    Values that do not normalise (an invalid e-mail address, a landline typed as ``06``)
    are left out; the raw text stays in ``raw``. ``name_address_key`` combines
    ``name_key`` and ``address_key`` as :func:`rights.identifiers.name_address_key` does.
    """

    row_number: int | None
    raw: Mapping[str, str]
    emails: tuple[str, ...]
    phones: tuple[str, ...]
    customer_numbers: tuple[str, ...]
    address_key: str | None
    name_key: str | None

    @property
    def name_address_key(self) -> str | None:
        if self.name_key is None or self.address_key is None:
            return None
        return f"{self.name_key}|{self.address_key}"

    @property
    def is_empty(self) -> bool:
        """True when the row holds no identifier at all (it can never match a person)."""
        return not (self.emails or self.phones or self.customer_numbers or self.address_key)


def _unique(values: list[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value for value in values if value))


def _value(row: Mapping[str, str], column: str | None) -> str:
    return row.get(column, "") if column else ""


def normalise_row(
    row: Mapping[str, str],
    roles: ColumnRoles | Mapping[str, str],
    *,
    row_number: int | None = None,
    default_region: str = "NL",
) -> NormalisedIdentifiers:
    """Normalise the identifier columns of one row (``roles``: ``{column: role}``).

    The name is the ``name`` column, or else ``first_name``, ``name_infix`` and
    ``last_name`` joined; the house number is ``house_number`` plus
    ``house_number_addition``. Phone numbers without a country code are read in
    ``default_region``.
    """
    if not isinstance(roles, ColumnRoles):
        roles = ColumnRoles(roles)
    name = _value(row, roles.first("name")).strip()
    if not name:
        parts = (_value(row, roles.first(r)) for r in ("first_name", "name_infix", "last_name"))
        name = " ".join(part.strip() for part in parts if part.strip())
    house_number = " ".join(
        _value(row, roles.first(role)).strip() for role in ("house_number", "house_number_addition")
    )
    return NormalisedIdentifiers(
        row_number=row_number,
        raw=row,
        emails=_unique([normalise_email(row.get(c, "")) for c in roles.columns("email")]),
        phones=_unique(
            [normalise_phone(row.get(c, ""), default_region) for c in roles.columns("phone")]
        ),
        customer_numbers=_unique(
            [normalise_customer_number(row.get(c, "")) for c in roles.columns("customer_number")]
        ),
        address_key=address_key(_value(row, roles.first("postcode")), house_number),
        name_key=normalise_name(name) or None,
    )
