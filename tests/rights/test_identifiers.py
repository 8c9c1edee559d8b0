import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rights.identifiers import (
    address_key,
    identifier_hash,
    name_address_key,
    normalise_customer_number,
    normalise_email,
    normalise_house_number,
    normalise_name,
    normalise_phone,
    normalise_postcode,
)

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
KEY = b"k" * 32

# Text that breaks naive code: NUL, RTL/LTR marks, zero-width space, BOM, combining marks,
# surrogate-free astral characters, and very long runs.
nasty_text = st.one_of(
    st.text(),
    st.text(alphabet=st.sampled_from(["\x00", "\u200f", "\u202e", "\u200b", "\ufeff", "\u0301"])),
    st.text(alphabet="0123456789 +-()@.aAzZ", max_size=40),
    st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=5), st.integers(1000, 50_000)),
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jan.Jansen@Example.NL", "jan.jansen@example.nl"),
        ("  jan@example.nl\t", "jan@example.nl"),
        ("mailto:Jan@Example.nl", "jan@example.nl"),
        ("jan@xn--mnchen-3ya.de", "jan@münchen.de"),
        ("JAN@MÜNCHEN.DE", "jan@münchen.de"),
        ("\u200fjan@example.nl", "jan@example.nl"),
        ("jan@example", None),
        ("jan@@example.nl", None),
        ("Jan <jan@example.nl>", None),
        ("", None),
        ("geen e-mail", None),
    ],
)
def test_normalise_email(raw, expected):
    assert normalise_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["06-12345678", "06 1234 5678", "+31 6 1234 5678", "0031612345678", "+31 (0)6 12345678",
     "612345678", "+31612345678"],
)  # fmt: skip
def test_normalise_phone_dutch_spellings(raw):
    assert normalise_phone(raw) == "+31612345678"


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("020-1234567", "NL", "+31201234567"),
        ("+32 470 12 34 56", "NL", "+32470123456"),
        ("0470 12 34 56", "BE", "+32470123456"),
        ("0612", "NL", None),
        ("06-1234567890123", "NL", None),
        ("abc", "NL", None),
        ("0612345678", "XX", None),
        ("", "NL", None),
    ],
)
def test_normalise_phone_other_cases(raw, region, expected):
    assert normalise_phone(raw, region) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234 ab", "1234AB"),
        ("1234AB", "1234AB"),
        (" 1234  ab ", "1234AB"),
        ("NL-1234 AB", "1234AB"),
        ("SW1A 1AA", "SW1A1AA"),
        ("B-1000", "B-1000"),
        ("10115", "10115"),
        ("Amsterdam", None),
        ("1234 ÄB", None),
        ("", None),
    ],
)
def test_normalise_postcode(raw, expected):
    assert normalise_postcode(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", "12"),
        ("012", "12"),
        ("12 a", "12A"),
        ("12-A", "12A"),
        ("12a", "12A"),
        ("12bis", "12BIS"),
        ("12 hs", "12HS"),
        ("12-1", "12-1"),
        ("12 2hg", "12-2HG"),
        ("a12", None),
        ("huisnummer", None),
        ("", None),
    ],
)
def test_normalise_house_number(raw, expected):
    assert normalise_house_number(raw) == expected


def test_house_number_addition_digit_is_not_a_longer_number():
    assert normalise_house_number("12-1") != normalise_house_number("121")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jan-Willem  d'Hondt", "jan willem dhondt"),
        ("Émile Zoë Ørsted", "emile zoe orsted"),
        ("  J.  de   VRIES ", "j de vries"),
        ("\u202eBob\x00", "bob"),
        ("...", ""),
    ],
)
def test_normalise_name(raw, expected):
    assert normalise_name(raw) == expected


def test_customer_number_keeps_leading_zeros():
    assert normalise_customer_number(" ab 00123 ") == "AB00123"
    assert normalise_customer_number("---") is None


def test_address_keys():
    assert address_key("1234 ab", "12 a") == "1234AB:12A"
    assert address_key("1234 ab", "") is None
    assert name_address_key("Jan de Vries", "1234AB", "12") == "jan de vries|1234AB:12"
    assert name_address_key("", "1234AB", "12") is None


def test_identifier_hash_is_keyed_and_kind_separated():
    digest = identifier_hash(KEY, "email", "jan@example.nl")
    assert re.fullmatch(r"email:[0-9a-f]{64}", digest)
    assert digest == identifier_hash(KEY, "email", "jan@example.nl")
    assert digest != identifier_hash(b"o" * 32, "email", "jan@example.nl")
    other_kind = identifier_hash(KEY, "customer_number", "jan@example.nl")
    assert other_kind.split(":")[1] != digest.split(":")[1]


@pytest.mark.parametrize(
    ("key", "kind", "value"), [(b"short", "email", "x"), (KEY, "E-mail", "x"), (KEY, "email", "")]
)
def test_identifier_hash_rejects_bad_input(key, kind, value):
    with pytest.raises(ValueError, match="identifier"):
        identifier_hash(key, kind, value)


@settings(max_examples=300, deadline=None)
@given(nasty_text)
def test_no_normaliser_raises(text):
    normalise_email(text)
    normalise_phone(text)
    normalise_postcode(text)
    normalise_house_number(text)
    normalise_name(text)
    normalise_customer_number(text)
    address_key(text, text)
    name_address_key(text, text, text)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.emails(), nasty_text))
def test_normalise_email_is_idempotent(text):
    once = normalise_email(text)
    if once is not None:
        assert normalise_email(once) == once
        assert once == once.strip().lower()


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.from_regex(r"\A(\+31|0031|0)6[ -]?[0-9]{8}\Z"), nasty_text))
def test_normalise_phone_is_e164_or_none(text):
    result = normalise_phone(text)
    assert result is None or E164.match(result)
    if result is not None:
        assert normalise_phone(result) == result


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.from_regex(r"\A[1-9][0-9]{3} ?[a-zA-Z]{2}\Z"), nasty_text))
def test_normalise_postcode_is_idempotent(text):
    once = normalise_postcode(text)
    assert once is None or normalise_postcode(once) == once


@settings(max_examples=200, deadline=None)
@given(nasty_text)
def test_name_house_number_and_customer_number_are_idempotent(text):
    assert normalise_name(normalise_name(text)) == normalise_name(text)
    for normalise in (normalise_house_number, normalise_customer_number):
        once = normalise(text)
        assert once is None or normalise(once) == once
