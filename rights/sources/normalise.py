"""Per-row identifiers of a data file, normalised for matching against a request."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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


@dataclass(frozen=True, slots=True)
class _Plan:
    """Which columns hold which role, looked up once per file instead of once per row."""

    name: str | None
    name_parts: tuple[str, ...]  # first_name, name_infix, last_name columns present
    house: tuple[str, ...]  # house_number, house_number_addition columns (None as "")
    postcode: str | None
    emails: tuple[str, ...]
    phones: tuple[str, ...]
    customer_numbers: tuple[str, ...]


def _plan(roles: ColumnRoles) -> _Plan:
    """The plan of ``roles``, made once and kept on the object (a file's rows share it)."""
    plan: _Plan | None = roles.__dict__.get("_normalise_plan")
    if plan is None:
        plan = _Plan(
            name=roles.first("name"),
            name_parts=tuple(
                c for r in ("first_name", "name_infix", "last_name") if (c := roles.first(r))
            ),
            house=tuple(roles.first(r) or "" for r in ("house_number", "house_number_addition")),
            postcode=roles.first("postcode"),
            emails=tuple(roles.columns("email")),
            phones=tuple(roles.columns("phone")),
            customer_numbers=tuple(roles.columns("customer_number")),
        )
        roles.__dict__["_normalise_plan"] = plan
    return plan


def _each(
    row: Mapping[str, str], columns: tuple[str, ...], normalise: Callable[[str], str | None]
) -> tuple[str, ...]:
    if len(columns) == 1:  # the common case, without the de-duplication
        value = normalise(row.get(columns[0], ""))
        return (value,) if value else ()
    return _unique([normalise(row.get(c, "")) for c in columns])


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
    plan = _plan(roles)
    name = row.get(plan.name, "").strip() if plan.name else ""
    if not name:
        parts = [row.get(c, "").strip() for c in plan.name_parts]
        name = " ".join(part for part in parts if part)
    house_number = " ".join(row.get(c, "").strip() if c else "" for c in plan.house)
    if default_region == "NL":
        phones = _each(row, plan.phones, normalise_phone)
    else:
        phones = _unique([normalise_phone(row.get(c, ""), default_region) for c in plan.phones])
    return NormalisedIdentifiers(
        row_number=row_number,
        raw=row,
        emails=_each(row, plan.emails, normalise_email),
        phones=phones,
        customer_numbers=_each(row, plan.customer_numbers, normalise_customer_number),
        address_key=address_key(row.get(plan.postcode, "") if plan.postcode else "", house_number),
        name_key=normalise_name(name) or None,
    )
