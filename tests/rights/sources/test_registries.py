"""Every action kind has a handler and every kind of source an adapter: a new kind without
one would fail on the officer's first preview."""

from __future__ import annotations

from rights.actions.registry import HANDLERS
from rights.models.source import ActionKind, SourceKind
from rights.sources.adapters import ADAPTERS


def test_every_action_kind_has_a_handler():
    assert set(HANDLERS) == set(ActionKind)
    for handler in HANDLERS.values():
        assert callable(handler.plan) and callable(handler.apply)


def test_every_source_kind_has_an_adapter():
    assert set(ADAPTERS) == set(SourceKind)
