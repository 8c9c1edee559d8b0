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
