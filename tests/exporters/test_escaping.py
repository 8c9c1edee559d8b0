from hypothesis import given
from hypothesis import strategies as st

from exporters.escaping import TRIGGERS, escape_cell, needs_escape
from tests.exporters.conftest import TRIGGER_VALUES


def test_every_trigger_gets_an_apostrophe() -> None:
    for value in TRIGGER_VALUES:
        assert escape_cell(value) == "'" + value
        assert needs_escape(value)


def test_harmless_strings_are_unchanged() -> None:
    for value in ["", "Jan", "jan@example.nl", "'=1", " =1+1", "3-1", "#N/A", "06-12345678"]:
        assert escape_cell(value) == value


@given(st.text())
def test_escaped_value_never_starts_with_a_trigger(value: str) -> None:
    escaped = escape_cell(value)
    assert escaped[:1] not in TRIGGERS
    if value[:1] in TRIGGERS:
        assert escaped == "'" + value
    else:
        assert escaped == value


@given(st.sampled_from(sorted(TRIGGERS)), st.text())
def test_any_string_starting_with_a_trigger_is_escaped(trigger: str, rest: str) -> None:
    assert escape_cell(trigger + rest) == "'" + trigger + rest
