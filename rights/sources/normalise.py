"""Per-row identifiers of a data file, normalised for matching against a request."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from operator import itemgetter

from rights.identifiers import (
    address_key,
    normalise_customer_number,
    normalise_email,
    normalise_name,
    normalise_phone,
)
from rights.sources.columns import ColumnRoles

__all__ = ["Identifiers", "NormalisedIdentifiers", "normalise_row", "row_identifiers"]


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


# The first e-mail, phone and customer number, the address key and the name key of a row.
Identifiers = tuple[str | None, str | None, str | None, str | None, str | None]


def _first(
    normalise: Callable[[str], str | None], indices: tuple[int, ...]
) -> Callable[[Sequence[str]], str | None]:
    """The first value of the cells at ``indices`` that normalises (as ``_unique(...)[0]``)."""
    if not indices:
        return lambda cells: None
    if len(indices) == 1:
        (index,) = indices
        return lambda cells: normalise(cells[index]) or None

    def first(cells: Sequence[str]) -> str | None:
        for index in indices:
            if value := normalise(cells[index]):
                return value
        return None

    return first


def row_identifiers(
    columns: Sequence[str], roles: Mapping[str, str], *, default_region: str = "NL"
) -> Callable[[Sequence[str]], Identifiers]:
    """What :func:`normalise_row` stores of a row (the first of each repeatable identifier,
    the address key, the name key), for rows given as one cell per column of ``columns``.

    The columns of each role are found once; per row there is no dictionary and no
    :class:`NormalisedIdentifiers`. ``tests/rights/test_identifier_fast_paths.py`` proves it
    gives what ``normalise_row`` gives. A role's column missing from ``columns`` reads ``""``.
    """
    plan = _plan(ColumnRoles(roles))
    where = {column: index for index, column in enumerate(columns)}

    def indices(names: Sequence[str | None]) -> tuple[int, ...]:
        return tuple(where[name] for name in names if name and name in where)

    def index(name: str | None) -> int | None:
        found = indices([name])
        return found[0] if found else None

    phone: Callable[[str], str | None] = normalise_phone
    if default_region != "NL":
        phone = partial(normalise_phone, default_region=default_region)
    email_of = _first(normalise_email, indices(plan.emails))
    phone_of = _first(phone, indices(plan.phones))
    customer_of = _first(normalise_customer_number, indices(plan.customer_numbers))
    name_at, parts, postcode_at = index(plan.name), indices(plan.name_parts), index(plan.postcode)
    house_at, addition_at = (index(column) for column in plan.house)
    # The parts as they are: normalise_name turns all white space into single spaces, so
    # trimming them and leaving out empty ones first (as normalise_row does) changes nothing.
    name_from_parts: Callable[[Sequence[str]], str] = lambda cells: ""  # noqa: E731
    if len(parts) > 1:
        getter = itemgetter(*parts)
        name_from_parts = lambda cells: " ".join(getter(cells))  # noqa: E731
    elif parts:
        (part,) = parts
        name_from_parts = lambda cells: cells[part]  # noqa: E731

    def identifiers(cells: Sequence[str]) -> Identifiers:
        name = cells[name_at].strip() if name_at is not None else ""
        if not name:
            name = name_from_parts(cells)
        house = cells[house_at].strip() if house_at is not None else ""
        if addition_at is not None:
            house = f"{house} {cells[addition_at].strip()}"
        # Without an addition column normalise_row passes "<house> ", which normalises the
        # same as "<house>" (trimmed first); "12" takes normalise_house_number's shortcut.
        return (
            email_of(cells),
            phone_of(cells),
            customer_of(cells),
            address_key(cells[postcode_at] if postcode_at is not None else "", house),
            normalise_name(name) or None,
        )

    return identifiers
