"""``rights.inserts.insert_now`` writes the same row a flush writes, and leaves an object
that reads and updates like a loaded one (issue 17: the intake's request goes this way)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Text, cast, event, inspect, select
from sqlalchemy.exc import IntegrityError

from rights.inserts import insert_now, insert_values
from rights.models.org import Organisation, OrganisationKind
from rights.models.request import Channel, RequestState, RightsRequest
from rights.righttypes import RightType

NOW = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)


def _new(reference: str) -> RightsRequest:
    """A request with only what intake sets; every other column takes its default."""
    request = RightsRequest(
        reference=reference,
        right=RightType.ACCESS,
        state=RequestState.AWAITING_VERIFICATION,
        channel=Channel.WEB,
        received_at=NOW,
        created_at=NOW,
        updated_at=NOW,
        requester_name="Eva de Boer",
        requester_email="eva@example.nl",
        receipt_date=NOW.date(),
        due=NOW.date(),
        due_end=NOW,
        target_due=NOW.date(),
        extended_due=NOW.date(),
        extended_due_end=NOW,
    )
    request.suspensions = []
    return request


@contextmanager
def statements(session: Any) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if "SAVEPOINT" not in statement:
            seen.append(statement)

    engine = session.get_bind().engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _row(session: Any, request_id: int) -> dict[str, Any]:
    """The stored values as text, so SQL NULL and JSON null differ."""
    table = RightsRequest.__table__
    columns = [cast(c, Text).label(c.name) for c in table.columns]
    row = session.execute(select(*columns).where(table.c.id == request_id)).mappings().one()
    return {k: v for k, v in row.items() if k not in ("id", "reference")}


def test_the_row_equals_what_a_flush_writes(db_session) -> None:
    flushed = _new("R-FLUSHED")
    db_session.add(flushed)
    db_session.flush()
    inserted = insert_now(db_session, _new("R-INSERTED"))
    assert inserted.id is not None and inserted.id != flushed.id
    assert _row(db_session, inserted.id) == _row(db_session, flushed.id)
    assert inserted.queue_due == NOW.date()  # the mapper's before_insert listener ran
    assert inserted.version == 1
    assert _row(db_session, inserted.id)["instructed_actions"] is None  # SQL NULL


def test_a_json_column_set_to_none_is_stored_as_a_flush_stores_it(db_session) -> None:
    flushed, inserted = _new("R-F2"), _new("R-I2")
    flushed.representative = inserted.representative = None
    db_session.add(flushed)
    db_session.flush()
    insert_now(db_session, inserted)
    assert _row(db_session, inserted.id) == _row(db_session, flushed.id)


def test_the_object_is_persistent_and_reads_without_a_query(db_session) -> None:
    request = insert_now(db_session, _new("R-READ"))
    state = inspect(request)
    assert state.persistent and not state.expired_attributes
    assert request not in db_session.new and request not in db_session.dirty
    with statements(db_session) as seen:
        for attr in inspect(RightsRequest).column_attrs:
            getattr(request, attr.key)
        assert request.suspensions == []
    assert seen == []
    assert db_session.get(RightsRequest, request.id) is request


def test_a_later_change_is_an_update_with_the_version_counter(db_session) -> None:
    request = insert_now(db_session, _new("R-UPDATE"))
    request.state = RequestState.OPEN
    db_session.flush()
    db_session.expire_all()
    again = db_session.get(RightsRequest, request.id)
    assert again.state is RequestState.OPEN and again.version == 2


def test_a_duplicate_is_refused_like_a_flush(db_session) -> None:
    insert_now(db_session, _new("R-TWICE"))
    with pytest.raises(IntegrityError):
        insert_now(db_session, _new("R-TWICE"))


def test_an_object_already_in_a_session_is_refused(db_session) -> None:
    org = Organisation(kind=OrganisationKind.CONTROLLER, name="X", slug="x", created_at=NOW)
    db_session.add(org)
    with pytest.raises(ValueError, match="not in a session"):
        insert_now(db_session, org)


def test_what_was_added_before_is_written_first(db_session) -> None:
    org = Organisation(kind=OrganisationKind.CONTROLLER, name="Y", slug="y", created_at=NOW)
    db_session.add(org)
    request = _new("R-AFTER")
    insert_now(db_session, request)
    assert inspect(org).persistent and org.id is not None


def test_a_related_object_instead_of_its_key_is_refused(db_session) -> None:
    request = _new("R-RELATED")
    request.organisation = Organisation(
        kind=OrganisationKind.CONTROLLER, name="Z", slug="z", created_at=NOW
    )
    with pytest.raises(ValueError, match="foreign keys"):
        insert_now(db_session, request)


def _values(reference: str) -> dict[str, Any]:
    """What ``_new`` sets, by column."""
    request = _new(reference)
    columns = {attr.key for attr in inspect(RightsRequest).column_attrs}
    return {key: value for key, value in vars(request).items() if key in columns}


def test_insert_values_writes_the_row_a_flush_writes_and_a_loaded_object(db_session) -> None:
    flushed = _new("R-FLUSHED-V")
    db_session.add(flushed)
    db_session.flush()
    request = insert_values(db_session, RightsRequest, _values("R-VALUES"))
    assert _row(db_session, request.id) == _row(db_session, flushed.id)
    state = inspect(request)
    assert state.persistent and request not in db_session.dirty and request not in db_session.new
    assert request.queue_due == NOW.date() and request.version == 1
    with statements(db_session) as seen:
        for attr in inspect(RightsRequest).column_attrs:
            getattr(request, attr.key)
    assert seen == []  # every column is loaded
    assert request.suspensions == []  # a relationship is read when first needed
    request.state = RequestState.OPEN
    db_session.flush()
    assert _row(db_session, request.id)["state"] == "open" and request.version == 2


def test_insert_values_refuses_what_is_not_a_column(db_session) -> None:
    with pytest.raises(ValueError, match="not columns"):
        insert_values(db_session, RightsRequest, {**_values("R-BAD"), "suspensions": []})
