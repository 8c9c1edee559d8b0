"""The fast paths of rights.identifiers give exactly what the library paths give.

The library path is the reference: ``_library_email`` / ``_library_phone`` call the same
functions with the fast paths switched off. Hypothesis generates plain and tricky spellings
(case, separators, special-use and IDNA domains, dots in odd places, numbers that are not
valid, other countries' numbers); a fixed list adds real-looking data-file values.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rights import identifiers
from rights.identifiers import normalise_email, normalise_phone


def _library(fn, value: str, monkeypatch: pytest.MonkeyPatch) -> str | None:
    with monkeypatch.context() as m:
        m.setattr(identifiers, "_fast_email", lambda v: None)
        m.setattr(identifiers, "_fast_phone", lambda v: None)
        return fn(value)


atom = st.text(alphabet="abcXYZ019_%+-.'", min_size=1, max_size=12)
label = st.one_of(
    st.text(alphabet="abcxyz09-", min_size=1, max_size=10),
    st.sampled_from(["xn--bcher-kva", "ab--cd", "-a", "a-", "0", "a" * 63, "a" * 64]),
)
tld = st.one_of(
    st.sampled_from(
        ["nl", "com", "NL", "test", "local", "localhost", "invalid", "arpa", "onion", "123", "x"]
    ),
    st.text(alphabet="abcz", min_size=1, max_size=8),
)
emails = st.builds(
    lambda local, labels, top, pre, post: f"{pre}{local}@{'.'.join([*labels, top])}{post}",
    atom,
    st.lists(label, min_size=0, max_size=3),
    tld,
    st.sampled_from(["", " ", "mailto:", "MAILTO: "]),
    st.sampled_from(["", " ", "."]),
)
phones = st.builds(
    lambda prefix, digits, sep: (
        prefix + sep.join(digits[i : i + 2] for i in range(0, len(digits), 2))
    ),
    st.sampled_from(["0", "+31", "0031", "+32", "", "+31 (0)", "00", "+", "06"]),
    st.text(alphabet="0123456789", min_size=6, max_size=11),
    st.sampled_from(["", " ", "-", ".", "/"]),
)

REAL = [
    "Jan.Jansen@Example.NL",
    "p.smit@bakkerij-jansen.nl",
    "info@sportclub-zuid.example",
    "a..b@example.nl",
    ".a@example.nl",
    "a.@example.nl",
    "x@localhost",
    "x@example.test",
    "x@xn--bcher-kva.de",
    "user+tag@sub.domain.co.uk",
    "o'brien@example.ie",
    "06-12345678",
    "06 1234 5678",
    "+31 6 12345678",
    "0031612345678",
    "+31 (0)6 1234 5678",
    "020-1234567",
    "0201234567",
    "010.123.4567",
    "0900-1234",
    "+32 470 12 34 56",
    "06123",
    "0612345678901",
]


@pytest.mark.parametrize("value", REAL)
def test_real_looking_values_agree(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for fn in (normalise_email, normalise_phone):
        assert fn(value) == _library(fn, value, monkeypatch), (fn.__name__, value)


@settings(max_examples=600, deadline=None)
@given(value=emails)
@example(value="A@B.NL")
def test_generated_emails_agree(value: str) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert normalise_email(value) == _library(normalise_email, value, monkeypatch)


@settings(max_examples=600, deadline=None)
@given(value=phones)
@example(value="06-12345678")
def test_generated_phones_agree(value: str) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert normalise_phone(value) == _library(normalise_phone, value, monkeypatch)


@settings(max_examples=600, deadline=None)
@given(value=emails)
@example(value="A@B.NL")
@example(value="x@localhost")
def test_a_plain_email_is_one_the_form_validator_accepts(value: str) -> None:
    """The public form passes ``plain_email`` addresses without calling the library: each
    of them must be one WTForms' ``Email`` check (email_validator, no DNS) accepts."""
    from email_validator import EmailNotValidError, validate_email

    if not identifiers.plain_email(value):
        return
    try:
        validate_email(value, check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError as exc:  # pragma: no cover - the failure this test is for
        pytest.fail(f"{value!r} passed as plain but the validator refuses it: {exc}")


def test_the_form_refuses_what_the_validator_refuses_and_passes_the_plain_shape() -> None:
    """The form's check: a plain address passes at once; others go to the library, which
    still refuses a bad one and accepts an unusual good one."""
    from types import SimpleNamespace

    from wtforms.validators import ValidationError

    from portal.public.forms import PlainFirstEmail

    check = PlainFirstEmail(check_deliverability=False)
    for good in ("Jan.Jansen@Example.NL", "x@xn--bcher-kva.de", "jan@bücher.de"):
        check(None, SimpleNamespace(data=good, gettext=lambda s: s))
    for bad in ("a..b@example.nl", "x@localhost", "no-at-sign", ".a@example.nl"):
        with pytest.raises(ValidationError):
            check(None, SimpleNamespace(data=bad, gettext=lambda s: s))


def test_the_fast_paths_are_taken_for_the_common_shapes() -> None:
    """Not a timing test: the common shapes are answered without the libraries."""
    assert identifiers._fast_email("Jan.Jansen@Example.NL") == "jan.jansen@example.nl"
    assert identifiers._fast_phone("06-12345678") == "+31612345678"
    assert identifiers._fast_email("x@xn--bcher-kva.de") is None
    assert identifiers._fast_phone("+32 470 12 34 56") is None


@settings(max_examples=600, deadline=None)
@given(value=st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
@example(value="Jan-Willem  d'Hondt")
@example(value="  O`Brien, J.P. ")
def test_generated_ascii_names_agree(value: str) -> None:
    """The ASCII shortcut of ``normalise_name`` gives what the Unicode passes give."""
    assert identifiers.normalise_name(value) == identifiers._unicode_name(value)


def test_the_compiled_dutch_validity_agrees_with_phonenumbers_on_every_prefix() -> None:
    """``_NL_VALID_NINE`` is built from the library's metadata; every four-digit prefix of a
    nine-digit national number, with suffixes at both ends and in between, gets the
    library's own ``is_valid_number`` answer."""
    import phonenumbers

    for prefix in range(1000, 10000):
        for suffix in ("00000", "49999", "99999", f"{prefix * 7 % 100000:05d}"):
            digits = f"{prefix}{suffix}"
            number = phonenumbers.PhoneNumber(country_code=31, national_number=int(digits))
            expected = phonenumbers.is_valid_number(number)
            assert bool(identifiers._NL_VALID_NINE.match(digits)) is expected, digits


@settings(max_examples=600, deadline=None)
@given(
    value=st.one_of(
        st.text(alphabet="0123456789", min_size=0, max_size=8),
        st.text(alphabet="0123456789 -aAbB/.", max_size=12),
    )
)
@example(value="000012")
@example(value="0")
def test_the_house_number_shortcut_agrees_with_the_pattern(value: str) -> None:
    """Plain digits take a shortcut in ``normalise_house_number``; the reference is the
    pattern path written out here, without the shortcut."""
    cleaned = value.strip().upper()
    match = identifiers._HOUSE_NUMBER.fullmatch(cleaned) if cleaned.isascii() else None
    if match is None or len(cleaned) > 64:
        expected = None
    else:
        addition = identifiers._NOT_ALNUM.sub("", match.group(2) or "")
        number = str(int(match.group(1)))
        if not addition:
            expected = number
        elif len(addition) > 8:
            expected = None
        else:
            expected = f"{number}-{addition}" if addition[0].isdigit() else number + addition
    assert identifiers.normalise_house_number(value) == expected


def _reference_row(row: dict[str, str], roles: dict[str, str]) -> tuple[object, ...]:
    """``normalise_row`` as it was before the per-file plan: every role looked up per row."""
    from rights.identifiers import address_key, normalise_customer_number, normalise_name
    from rights.sources.columns import ColumnRoles

    cr = ColumnRoles(roles)

    def value(column: str | None) -> str:
        return row.get(column, "") if column else ""

    def unique(values: list[str | None]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v for v in values if v))

    name = value(cr.first("name")).strip()
    if not name:
        parts = (value(cr.first(r)) for r in ("first_name", "name_infix", "last_name"))
        name = " ".join(part.strip() for part in parts if part.strip())
    house = " ".join(value(cr.first(r)).strip() for r in ("house_number", "house_number_addition"))
    return (
        unique([normalise_email(row.get(c, "")) for c in cr.columns("email")]),
        unique([normalise_phone(row.get(c, "")) for c in cr.columns("phone")]),
        unique([normalise_customer_number(row.get(c, "")) for c in cr.columns("customer_number")]),
        address_key(value(cr.first("postcode")), house),
        normalise_name(name) or None,
    )


ROLES = [
    "email", "phone", "customer_number", "name", "first_name", "name_infix", "last_name",
    "postcode", "house_number", "house_number_addition", "other",
]  # fmt: skip
cells = st.sampled_from(
    ["", " ", "Jan", "de", "Vries", "jan@example.nl", "JAN@Example.NL", "06-12345678",
     "+31 6 12345678", "K-1", "1234 ab", "12", " 12 a", "b", "x@localhost"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    roles=st.dictionaries(st.sampled_from("ABCDEFG"), st.sampled_from(ROLES), max_size=7),
    values=st.dictionaries(st.sampled_from("ABCDEFG"), cells, max_size=7),
)
def test_the_per_file_plan_gives_what_the_per_row_look_ups_gave(
    roles: dict[str, str], values: dict[str, str]
) -> None:
    from rights.sources.columns import ColumnRoles
    from rights.sources.normalise import normalise_row

    for given_roles in (roles, ColumnRoles(roles)):
        got = normalise_row(values, given_roles, row_number=2)
        assert (
            got.emails, got.phones, got.customer_numbers, got.address_key, got.name_key
        ) == _reference_row(values, roles)  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(value=st.text(alphabet="aZ09 -_.éß\u00a0", max_size=70))
@example(value="k0001234")
@example(value="a" * 64)
@example(value="a" * 65)
def test_the_customer_number_shortcut_agrees_with_the_steps(value: str) -> None:
    """Plain ASCII letters and digits skip the trimming; the reference is the steps."""
    cleaned = "".join(identifiers._clean(value[:256]).split()).upper()
    ok = cleaned.isascii() and len(cleaned) <= 64 and any(ch.isalnum() for ch in cleaned)
    assert identifiers.normalise_customer_number(value) == (cleaned if ok else None)
