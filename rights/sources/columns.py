"""Which column of a data file holds which identifier, guessed from Dutch and English names."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

from rights.errors import DataFileError

__all__ = ["IDENTIFIER_ROLES", "ROLES", "ColumnRoles", "guess_roles", "resolve_roles"]

# role -> header names, compared after header_key() (case, accents, punctuation removed).
_ALIASES: dict[str, tuple[str, ...]] = {
    "email": ("email", "emailadres", "emailadress", "emailaddress", "mail", "mailadres"),
    "phone": (
        "telefoon", "telefoonnummer", "telefoonnr", "tel", "telnr", "telnummer", "mobiel",
        "mobielnummer", "mobieltelefoon", "mobielnr", "gsm", "phone", "phonenumber",
        "telephone", "mobile", "mobilenumber", "mobilephone", "cellphone",
    ),
    "postcode": ("postcode", "zip", "zipcode", "postalcode", "postcodes"),
    "house_number": ("huisnummer", "huisnr", "huisno", "housenumber", "houseno", "housenr"),
    "house_number_addition": (
        "toevoeging", "huisnummertoevoeging", "huisnrtoevoeging", "toev",
        "housenumberaddition", "housenumbersuffix", "addition",
    ),
    "name": ("naam", "name", "volledigenaam", "fullname"),
    "first_name": ("voornaam", "voornamen", "roepnaam", "firstname", "givenname"),
    "name_infix": ("tussenvoegsel", "tussenvoegsels", "infix"),
    "last_name": (
        "achternaam", "familienaam", "geslachtsnaam", "lastname", "surname", "familyname",
    ),
    "customer_number": (
        "klantnummer", "klantnr", "klantid", "customernumber", "customerno", "customerid",
        "relatienummer", "relatienr", "relatieid", "debiteurnummer", "debiteurnr", "lidnummer",
        "abonneenummer",
    ),
    "street": ("straat", "straatnaam", "street", "streetname", "adres", "address"),
    "city": ("woonplaats", "plaats", "plaatsnaam", "city", "town", "stad"),
}  # fmt: skip
ROLES: frozenset[str] = frozenset(_ALIASES)
# A row can be matched to a person through any of these (postcode only with a house number).
IDENTIFIER_ROLES: frozenset[str] = frozenset({"email", "phone", "customer_number"})
# Roles a file may hold more than once ("email2", "telefoon 2", "mobiel" next to "telefoon").
_REPEATABLE = frozenset({"email", "phone", "customer_number"})
_BY_KEY = {alias: role for role, aliases in _ALIASES.items() for alias in aliases}


def header_key(name: str) -> str:
    """Reduce a column name for comparison: ``"E-mailadres "`` -> ``"emailadres"``."""
    name = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in name if ch.isascii() and ch.isalnum())


def _role_for(name: str) -> str | None:
    key = header_key(name)
    role = _BY_KEY.get(key)
    if role is None:
        role = _BY_KEY.get(re.sub(r"[0-9]+$", "", key))
        if role not in _REPEATABLE:
            return None
    return role


def guess_roles(columns: Sequence[str]) -> dict[str, str]:
    """Return ``{column: role}`` for the columns whose name is a known alias.

    Only e-mail, phone and customer number may belong to more than one column; for the other
    roles the leftmost column wins.
    """
    roles: dict[str, str] = {}
    for column in columns:
        role = _role_for(column)
        if role is None:
            continue
        if role not in _REPEATABLE and role in roles.values():
            continue
        roles[column] = role
    return roles


def resolve_roles(
    columns: Sequence[str], override: Mapping[str, str | None] | None = None
) -> dict[str, str]:
    """Return the column roles: guessed, then changed by ``override`` (``None`` removes one).

    Raises :class:`DataFileError` ``unknown_column`` or ``unknown_role`` for a bad override,
    and ``no_identifier_column`` when no column identifies a person (an e-mail address,
    phone number, customer number, or postcode together with house number).
    """
    roles = guess_roles(columns)
    for column, role in (override or {}).items():
        if column not in columns:
            raise DataFileError("The mapping names a column the file lacks.", code="unknown_column")
        if role is None:
            roles.pop(column, None)
            continue
        if role not in ROLES:
            raise DataFileError(
                "The mapping names an unknown role.", code="unknown_role", role=role
            )
        roles[column] = role
    present = set(roles.values())
    if not (present & IDENTIFIER_ROLES or {"postcode", "house_number"} <= present):
        raise DataFileError(
            "No column holds an e-mail address, phone number, customer number or address.",
            code="no_identifier_column",
        )
    return {column: roles[column] for column in columns if column in roles}


class ColumnRoles:
    """The inverse of ``{column: role}``: the columns of each role, in file order."""

    def __init__(self, column_roles: Mapping[str, str]) -> None:
        self._columns: dict[str, list[str]] = {}
        for column, role in column_roles.items():
            self._columns.setdefault(role, []).append(column)

    def columns(self, role: str) -> list[str]:
        return self._columns.get(role, [])

    def first(self, role: str) -> str | None:
        found = self._columns.get(role)
        return found[0] if found else None
