"""Normalisation of the identifiers by which a data subject is found in a data file.

A request under GDPR art. 15-21 names a person by e-mail address, phone number, address or
customer number; a data file spells the same values in many ways. Every function here maps
one spelling to one canonical string, or to ``None`` when the input is not a usable value.
The functions are pure, never raise on any ``str`` input, and are idempotent on their output,
so a canonical value can be stored, compared and hashed (see :func:`identifier_hash`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

import phonenumbers
from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

__all__ = [
    "address_key",
    "identifier_hash",
    "name_address_key",
    "normalise_customer_number",
    "normalise_email",
    "normalise_house_number",
    "normalise_name",
    "normalise_phone",
    "normalise_postcode",
]

# Longer inputs are not identifiers; refusing them early keeps the libraries' work bounded.
_MAX_EMAIL = 320
_MAX_PHONE = 64
_MAX_SHORT = 64

_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_DUTCH_POSTCODE = re.compile(r"(?:NL-?)?([1-9][0-9]{3})([A-Z]{2})")
_POSTCODE = re.compile(r"(?=[A-Z0-9-]*[0-9])[A-Z0-9][A-Z0-9-]{1,11}")
_HOUSE_NUMBER = re.compile(r"([0-9]{1,6})[^A-Z0-9]*([A-Z0-9][A-Z0-9 ./-]{0,15})?")
_NOT_ALNUM = re.compile(r"[^A-Z0-9]")
_KIND = re.compile(r"[a-z][a-z0-9_]{0,31}")
# "(0)" between country code and number, as in "+31 (0)6 1234 5678".
_TRUNK_IN_BRACKETS = re.compile(r"^(\+[0-9]{1,3})\s*\(0\)")
# Letters that NFKD does not decompose but that people type without the stroke or ligature.
_LATIN_FOLD = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th"}
)
_APOSTROPHES = str.maketrans("", "", "'’‘`´ʼ")
# ASCII names: apostrophes dropped, every other non-alphanumeric character a space.
_ASCII_NAME = str.maketrans(
    {c: (None if c in "'`" else " ") for c in map(chr, range(128)) if not c.isalnum()}
)


# Fast paths for the common shapes (issue 17: normalisation was most of the ingest time).
# Each accepts only input for which it gives exactly what the library path gives; anything
# else falls through to the libraries. tests/rights/test_identifiers.py proves they agree.
_EMAIL_ATOM = r"[A-Za-z0-9_%+-]+"
_DOMAIN_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_SIMPLE_EMAIL = re.compile(
    rf"({_EMAIL_ATOM}(?:\.{_EMAIL_ATOM})*)@((?:{_DOMAIN_LABEL}\.)+[A-Za-z]{{2,63}})"
)
_SPECIAL_USE = frozenset(SPECIAL_USE_DOMAIN_NAMES)
_SPECIAL_USE_LAST = frozenset(name.rpartition(".")[2] for name in _SPECIAL_USE)
_NL_NATIONAL = re.compile(r"(?:0|\+31|0031)([1-9][0-9]{8})")
# A Dutch postcode as typed ("1234 AB", "1234ab"): what the steps of normalise_postcode give.
_TYPED_DUTCH_POSTCODE = re.compile(r"([1-9][0-9]{3}) ?([A-Za-z]{2})")


def _fast_email(value: str) -> str | None:
    """``value`` lower-cased when it is a plain ASCII address the validator would accept
    unchanged; ``None`` means "ask the validator"."""
    match = _SIMPLE_EMAIL.fullmatch(value)
    if match is None or len(match.group(1)) > 64 or len(value) > 254:
        return None
    lowered = value.lower()
    domain = lowered[len(match.group(1)) + 1 :]
    if "--" in domain:  # IDNA (xn--) and reserved labels: the validator decides
        return None
    # A special-use name can only be a suffix of the domain if it ends in the same label.
    if domain.rpartition(".")[2] in _SPECIAL_USE_LAST:
        labels = domain.split(".")
        if any(".".join(labels[i:]) in _SPECIAL_USE for i in range(len(labels))):
            return None
    return lowered


def plain_email(value: str) -> bool:
    """Whether ``value`` is a plain ASCII address that ``email_validator`` accepts as it is
    (without a DNS look-up). ``False`` means "ask the validator", not "invalid": a form checks
    the common address this way and leaves every other spelling to the library."""
    return _fast_email(value) is not None


# The number types phonenumbers' _number_type_helper tries, in its order.
_NUMBER_TYPES = (
    "premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan",
    "voicemail", "fixed_line", "mobile",
)  # fmt: skip


def _nl_nine_digits() -> re.Pattern[str]:
    """``phonenumbers``' validity test for a nine-digit Dutch national number as one regular
    expression, built from the library's own metadata: valid means the general pattern
    matches and so does the pattern of at least one number type (``_number_type_helper``),
    each only where nine is one of its possible lengths."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region("NL")
    assert meta is not None and meta.general_desc is not None
    kinds = [getattr(meta, name) for name in _NUMBER_TYPES]
    patterns = [
        f"(?:{desc.national_number_pattern})"
        for desc in kinds
        if desc is not None
        and desc.national_number_pattern
        and (not desc.possible_length or 9 in desc.possible_length)
    ]
    general = meta.general_desc
    if (general.possible_length and 9 not in general.possible_length) or not patterns:
        return re.compile(r"(?!)")  # no nine-digit number is valid
    return re.compile(rf"(?=(?:{general.national_number_pattern})\Z)(?:{'|'.join(patterns)})\Z")


_NL_VALID_NINE = _nl_nine_digits()


def _fast_phone(value: str) -> str | None:
    """E.164 for a Dutch number written as 0, +31 or 0031 and nine digits (spaces, hyphens
    and dots allowed), when ``phonenumbers`` calls it valid; ``None`` means "parse it".
    Validity is the library's metadata compiled once (``_nl_nine_digits``)."""
    digits = value.replace(" ", "").replace("-", "").replace(".", "")  # faster than translate
    match = _NL_NATIONAL.fullmatch(digits)
    if match is None or not _NL_VALID_NINE.match(match.group(1)):
        return None
    return "+31" + match.group(1)


def _clean(value: str) -> str:
    """Compatibility-normalise and trim, also dropping format characters (RTL marks, ZWSP)."""
    if value.isascii():
        return value.strip()  # ASCII is NFKC-stable and has no format characters
    value = unicodedata.normalize("NFKC", value)
    value = "".join(ch for ch in value if unicodedata.category(ch) != "Cf")
    return value.strip()


def normalise_email(value: str) -> str | None:
    """Return the canonical form of an e-mail address, or ``None`` if it is not one.

    The address is trimmed, validated by ``email_validator`` without a DNS look-up, and
    lower-cased as a whole (mailbox providers treat the local part case-insensitively in
    practice). An IDNA domain (``xn--...``) is turned into its Unicode form, so both
    spellings of a domain give the same result. A leading ``mailto:`` is accepted.
    """
    fast = _fast_email(value)  # a plain address as typed: trimming and mailto: change nothing
    if fast is not None:
        return fast
    value = _clean(value)
    if value[:7].lower() == "mailto:":
        value = value[7:].strip()
    if "@" not in value or len(value) > _MAX_EMAIL:
        return None
    fast = _fast_email(value)
    if fast is not None:
        return fast
    try:
        result = validate_email(value, check_deliverability=False)
        canonical = f"{result.local_part}@{result.domain}".lower()
        if canonical.isascii():
            return canonical
        # Lower-casing can change a valid Unicode address into an invalid one; only a value
        # that validates again unchanged is canonical, which keeps this idempotent.
        again = validate_email(canonical, check_deliverability=False)
    except (EmailNotValidError, ValueError):
        return None
    return canonical if f"{again.local_part}@{again.domain}".lower() == canonical else None


def is_email_address(value: str) -> bool:
    """True if ``value`` is, exactly as given, one e-mail address (``email_validator``,
    no DNS look-up): the one check for addresses in source definitions, transmissions and
    data-file headers."""
    if not value or value != value.strip() or len(value) > _MAX_EMAIL or "@" not in value:
        return False
    try:
        validate_email(value, check_deliverability=False)
    except (EmailNotValidError, ValueError):
        return False
    return True


def normalise_phone(value: str, default_region: str = "NL") -> str | None:
    """Return a phone number in E.164 form (``+31612345678``), or ``None`` if it is not valid.

    National numbers (``06-12345678``) are read in ``default_region``; ``+31 6 1234 5678``,
    ``0031 6 12345678`` and ``+31 (0)6 12345678`` are accepted. Extensions are dropped.
    Only numbers that ``phonenumbers`` considers valid for their region are returned.
    """
    # Digits and separators as typed: trimming changes nothing that _fast_phone keeps.
    if default_region == "NL" and len(value) <= _MAX_PHONE and (fast := _fast_phone(value)):
        return fast
    value = _clean(value)
    if not value or len(value) > _MAX_PHONE:
        return None
    if default_region == "NL" and (fast := _fast_phone(value)) is not None:
        return fast
    value = _TRUNK_IN_BRACKETS.sub(r"\1 ", value)
    try:
        number = phonenumbers.parse(value, default_region)
        if not phonenumbers.is_valid_number(number):
            return None
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    except (phonenumbers.NumberParseException, ValueError, IndexError, KeyError):
        return None
    return e164 if _E164.fullmatch(e164) else None


def normalise_postcode(value: str) -> str | None:
    """Return a postcode without spaces in upper case (``1234 ab`` -> ``1234AB``), or ``None``.

    A Dutch postcode (four digits, not starting with 0, then two letters; an ``NL-`` prefix
    is dropped) is recognised first. Other postcodes are kept as ASCII letters, digits and
    hyphens, 2-12 characters with at least one digit; anything else is not a postcode.
    """
    typed = _TYPED_DUTCH_POSTCODE.fullmatch(value)
    if typed is not None:  # the common case, without the trimming and joining steps
        return typed[1] + typed[2].upper()
    value = "".join(_clean(value[: _MAX_SHORT * 4]).split()).upper()
    if not value.isascii() or len(value) > _MAX_SHORT:
        return None
    dutch = _DUTCH_POSTCODE.fullmatch(value)
    if dutch:
        return dutch.group(1) + dutch.group(2)
    return value if _POSTCODE.fullmatch(value) else None


def normalise_house_number(value: str) -> str | None:
    """Return a canonical house number with its addition (toevoeging), or ``None``.

    ``12``, ``012``, ``12 a``, ``12-A`` and ``12a`` all give ``12A``; ``12bis`` gives
    ``12BIS``. An addition that starts with a digit keeps a hyphen (``12-1``, ``12 2hg`` ->
    ``12-2HG``) so that it cannot be confused with house number ``121``.
    """
    if value.isascii() and value.isdigit() and len(value) <= 6:  # the common case: "12"
        return str(int(value))  # what the steps below give: nothing to trim or upper-case
    value = _clean(value[: _MAX_SHORT * 4]).upper()
    if value.isdigit() and value.isascii() and len(value) <= 6:
        return str(int(value))
    match = None
    if value.isascii() and len(value) <= _MAX_SHORT:
        match = _HOUSE_NUMBER.fullmatch(value)
    if not match:
        return None
    number = str(int(match.group(1)))
    addition = _NOT_ALNUM.sub("", match.group(2) or "")
    if not addition:
        return number
    if len(addition) > 8:
        return None
    return f"{number}-{addition}" if addition[0].isdigit() else number + addition


def normalise_name(value: str) -> str:
    """Return a name reduced for comparison: ``"Jan-Willem  d'Hondt"`` -> ``"jan willem dhondt"``.

    Case is folded, accents are removed (NFKD, combining marks dropped), apostrophes are
    removed, other punctuation becomes a space, and white space is collapsed. Returns ``""``
    when nothing of a name is left.
    """
    if value.isascii():  # the common case: the same result without the Unicode passes
        return " ".join(value.lower().translate(_ASCII_NAME).split())
    return _unicode_name(value)


def _unicode_name(value: str) -> str:
    value = unicodedata.normalize("NFKD", value.casefold())
    value = "".join(ch for ch in value if not unicodedata.combining(ch))
    value = value.translate(_LATIN_FOLD).translate(_APOSTROPHES)
    value = "".join(ch if ch.isalnum() else " " for ch in value)
    # casefold/NFKD may leave forms that fold further; a second pass makes the result stable.
    value = unicodedata.normalize("NFKD", value.casefold())
    value = "".join(ch for ch in value if ch.isalnum() or ch == " ")
    return " ".join(value.split())


def normalise_customer_number(value: str) -> str | None:
    """Return a customer or relation number without white space, in upper case, or ``None``.

    Leading zeros are kept: whether ``00123`` and ``123`` are the same customer is the
    controller's numbering, not ours to guess. At most 64 ASCII characters, with a letter
    or digit.
    """
    if value.isalnum() and value.isascii() and len(value) <= _MAX_SHORT:  # "K0001234"
        return value.upper()  # nothing to trim or to drop: what the steps below give
    value = "".join(_clean(value[: _MAX_SHORT * 4]).split()).upper()
    if not value.isascii() or len(value) > _MAX_SHORT or not any(ch.isalnum() for ch in value):
        return None
    return value


def address_key(postcode: str, house_number: str) -> str | None:
    """Return ``"<postcode>:<house number>"`` (``1234AB:12A``), or ``None`` if either is invalid."""
    pc = normalise_postcode(postcode)
    hn = normalise_house_number(house_number)
    if pc is None or hn is None:
        return None
    return f"{pc}:{hn}"


def name_address_key(name: str, postcode: str, house_number: str) -> str | None:
    """Return ``"<name>|<address key>"`` (``jan de vries|1234AB:12A``), or ``None``."""
    address = address_key(postcode, house_number)
    normalised = normalise_name(name)
    if address is None or not normalised:
        return None
    return f"{normalised}|{address}"


def identifier_hash(key: bytes, kind: str, normalised_value: str) -> str:
    """Return ``"<kind>:<hex HMAC-SHA256>"`` of a normalised identifier.

    Used where the portal must recognise an identifier without storing it: suppression
    lists (GDPR art. 21(3), objection to direct marketing) and before/after values in the
    audit trail. The kind is part of the MAC input, so the same string hashed as ``email``
    and as ``customer_number`` gives unrelated values. The caller normalises first.

    Raises ``ValueError`` for a key shorter than 16 bytes, an invalid kind (lower-case
    ASCII identifier, at most 32 characters) or an empty value.
    """
    if len(key) < 16:
        raise ValueError("identifier_hash needs a key of at least 16 bytes")
    if not _KIND.fullmatch(kind):
        raise ValueError("identifier kind must be a lower-case identifier")
    if not normalised_value:
        raise ValueError("identifier value must not be empty")
    message = kind.encode("ascii") + b"\x00" + normalised_value.encode("utf-8", "surrogatepass")
    return f"{kind}:{hmac.new(key, message, hashlib.sha256).hexdigest()}"
