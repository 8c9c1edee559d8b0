"""Status callbacks reach a real HTTP receiver on 127.0.0.1, signed over the raw bytes,
retried with backoff while the receiver is down, delivered once (docs/api.md, "Callbacks")."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from operations import callbacks as delivery
from operations.jobs import JOBS
from portal.context import context_for
from portal.worker import run_jobs
from rights import lifecycle
from rights.audit import SYSTEM, Actor
from rights.models.api import CallbackDelivery, CallbackStatus
from rights.models.audit import AuditEvent
from rights.models.request import RequestState
from rights.opendsr.callbacks import MAX_ATTEMPTS, backoff
from rights.opendsr.signing import verify
from tests.rights.opendsr.helpers import submit


@dataclass
class Receiver:
    url: str
    replies: list[int | str | None]  # per call: a status; None: drop; "hang"; empty: 202
    release: threading.Event = field(default_factory=threading.Event)
    calls: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)


@contextmanager
def receiver(replies: list[int | str | None] | None = None) -> Iterator[Receiver]:
    state = Receiver(url="", replies=list(replies or []))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.calls.append((self.path, {k.lower(): v for k, v in self.headers.items()}, raw))
            reply = state.replies.pop(0) if state.replies else 202
            if reply == "hang":
                state.release.wait(10)
                reply = 202
            if reply == "garbage":
                self.wfile.write(b"NOT HTTP AT ALL\r\n\r\n")
                self.close_connection = True
                return
            if reply is None:
                self.close_connection = True
                self.connection.close()
                return
            self.send_response(int(reply))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/opendsr/callbacks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def frozen(app: Flask, now: datetime) -> list[datetime]:
    clock = [now]
    app.config["CLOCK"] = lambda: clock[0]
    return clock


def _queue(db_session, make_org, make_request, urls, now, api_version="2.0") -> Any:
    org = make_org(slug=f"acme-{len(urls)}-{api_version}")
    request = make_request()
    submission = submit(db_session, request, org, urls, now=now, api_version=api_version)
    lifecycle.transition(db_session, request, RequestState.WITHDRAWN, actor=SYSTEM, now=now)
    db_session.commit()
    return submission


def _rows(db_session: Session) -> list[CallbackDelivery]:
    rows = list(db_session.scalars(select(CallbackDelivery).order_by(CallbackDelivery.id)))
    for row in rows:
        db_session.refresh(row)
    return rows


def test_the_callback_arrives_signed_over_the_raw_bytes(
    app: Flask,
    db_session: Session,
    make_org: Callable[..., Any],
    make_request: Callable[..., Any],
    frozen: list[datetime],
) -> None:
    with receiver() as box:
        submission = _queue(db_session, make_org, make_request, [box.url], frozen[0])
        assert run_jobs(app, {"opendsr_callbacks": JOBS["opendsr_callbacks"]}) == 1
    [(path, headers, raw)] = box.calls
    assert path == "/opendsr/callbacks"
    [row] = _rows(db_session)
    assert raw == row.body.encode() and row.status is CallbackStatus.SENT
    body = json.loads(raw)
    assert body["status_callback_url"] == box.url
    assert body["subject_request_id"] == submission.subject_request_id
    assert body["request_status"] == "cancelled"
    assert headers["x-opendsr-processor-domain"] == "localhost"
    certificate = delivery.signer(context_for(app, db_session)).certificate_pem
    assert verify(certificate, raw, headers["x-opendsr-signature"])
    reserialised = json.dumps(body, indent=1).encode()
    assert not verify(certificate, reserialised, headers["x-opendsr-signature"])


def test_v1_submissions_get_the_opengdpr_header_names(
    app: Flask,
    db_session: Session,
    make_org: Callable[..., Any],
    make_request: Callable[..., Any],
    frozen: list[datetime],
) -> None:
    with receiver() as box:
        _queue(db_session, make_org, make_request, [box.url], frozen[0], api_version="1.0")
        assert delivery.deliver_due(context_for(app, db_session)) == 1
    [(_, headers, raw)] = box.calls
    assert "x-opendsr-signature" not in headers
    assert headers["x-opengdpr-processor-domain"] == "localhost"
    certificate = delivery.signer(context_for(app, db_session)).certificate_pem
    assert verify(certificate, raw, headers["x-opengdpr-signature"])


def test_a_receiver_that_is_down_is_retried_and_gets_it_once(
    app: Flask,
    db_session: Session,
    make_org: Callable[..., Any],
    make_request: Callable[..., Any],
    frozen: list[datetime],
) -> None:
    with receiver([503, None, "garbage"]) as box:
        _queue(db_session, make_org, make_request, [box.url], frozen[0])
        ctx = context_for(app, db_session)
        assert delivery.deliver_due(ctx) == 0
        [row] = _rows(db_session)
        assert row.status is CallbackStatus.PENDING and row.attempts == 1
        assert row.last_error == "HTTP 503"
        assert row.next_attempt_at == frozen[0] + backoff(1)
        assert delivery.deliver_due(ctx) == 0  # not due yet: not even tried
        assert len(box.calls) == 1
        frozen[0] += backoff(1)
        assert delivery.deliver_due(ctx) == 0  # the connection dropped
        [row] = _rows(db_session)
        assert row.attempts == 2 and row.status is CallbackStatus.PENDING
        frozen[0] += backoff(2)
        assert delivery.deliver_due(ctx) == 0  # not an HTTP answer
        frozen[0] += backoff(3)
        assert delivery.deliver_due(ctx) == 1
        frozen[0] += timedelta(days=1)
        assert delivery.deliver_due(ctx) == 0  # sent: never posted again
    assert len(box.calls) == 4
    assert len({raw for _, _, raw in box.calls}) == 1  # the same bytes each time
    [row] = _rows(db_session)
    assert row.status is CallbackStatus.SENT and row.attempts == 4


def test_a_receiver_that_does_not_answer_in_time_is_retried(
    app: Flask,
    db_session: Session,
    make_org: Callable[..., Any],
    make_request: Callable[..., Any],
    frozen: list[datetime],
) -> None:
    with receiver(["hang"]) as box:
        _queue(db_session, make_org, make_request, [box.url], frozen[0])
        ctx = context_for(app, db_session)
        assert delivery.deliver_due(ctx, timeout=0.3) == 0
        box.release.set()
        [row] = _rows(db_session)
        assert row.status is CallbackStatus.PENDING and row.attempts == 1
        assert row.last_error in ("TimeoutError", "timeout", "URLError")
        frozen[0] += backoff(1)
        assert delivery.deliver_due(ctx) == 1


def test_one_failure_never_ends_the_pass_and_the_maximum_makes_it_dead(
    app: Flask,
    db_session: Session,
    make_org: Callable[..., Any],
    make_request: Callable[..., Any],
    frozen: list[datetime],
) -> None:
    with receiver([500] * MAX_ATTEMPTS) as bad, receiver() as good:
        bad_url = bad.url.replace("/opendsr/callbacks", "/bad")
        _queue(db_session, make_org, make_request, [bad_url, good.url], frozen[0])
        ctx = context_for(app, db_session)
        assert delivery.deliver_due(ctx) == 1
        for attempt in range(1, MAX_ATTEMPTS):
            frozen[0] += backoff(attempt)
            delivery.deliver_due(ctx)
    first, second = _rows(db_session)
    assert first.status is CallbackStatus.DEAD and first.attempts == MAX_ATTEMPTS
    assert second.status is CallbackStatus.SENT and len(good.calls) == 1


def test_an_origin_removed_from_the_allow_list_stops_delivery(
    app: Flask,
    db_session: Session,
    make_org: Callable[..., Any],
    make_request: Callable[..., Any],
    frozen: list[datetime],
) -> None:
    app.config["ENV_NAME"] = "production"  # no loopback exception: the allow-list decides
    app.config["OPENDSR_KEY_FILE"], app.config["OPENDSR_CERT_FILE"] = _pair(app)
    _queue(db_session, make_org, make_request, ["https://crm.example.nl/cb"], frozen[0])
    assert delivery.deliver_due(context_for(app, db_session)) == 0
    [row] = _rows(db_session)
    assert row.status is CallbackStatus.DEAD and row.attempts == 0
    assert row.last_error == delivery.NOT_ALLOWED


def _pair(app: Flask) -> tuple[str, str]:
    from pathlib import Path

    from rights.opendsr.signing import ensure_development_pair

    folder = Path(app.instance_path) / "pair"
    ensure_development_pair(folder, "localhost")
    return str(folder / "opendsr-key.pem"), str(folder / "opendsr-cert.pem")


def test_an_extension_is_reported_once_with_the_new_expected_completion_time(
    app: Flask,
    db_session: Session,
    make_org: Callable[..., Any],
    make_user: Callable[..., Any],
    frozen: list[datetime],
) -> None:
    """The complaint: "the deadline was extended by two months and our system still shows
    the old completion date". The submission goes through the real use case, so the date
    first reported is the one the 201 answer gave."""
    from operations import opendsr
    from rights.models.org import Role
    from rights.models.request import RightsRequest
    from rights.opendsr.callbacks import queue_status_change
    from rights.opendsr.keys import create_key
    from rights.requests import extend

    org = make_org(slug="bakkerij-eta")
    contact = make_user(Role.CONTROLLER, organisation=org)
    contact.designated = True
    key = create_key(db_session, org, actor=SYSTEM, now=frozen[0]).key
    with receiver() as box:
        body = {
            "regulation": "gdpr", "subject_request_id": "0c3e7c1e-8d1f-4b7a-9a57-2f1d0e6b5a41",
            "subject_request_type": "access", "submitted_time": "2026-03-04T09:00:00Z",
            "subject_identities": [{"identity_type": "email", "identity_value": "k@example.nl"}],
            "status_callback_urls": [box.url],
        }  # fmt: skip
        ctx = context_for(app, db_session)
        created = opendsr.submit(ctx, key, body, json.dumps(body).encode(), version="2.0")
        db_session.commit()
        assert _rows(db_session) == []  # nothing has changed yet
        request = db_session.scalar(select(RightsRequest))
        extend(db_session, request, "complexity", "Zes systemen doorzoeken.",
               actor=Actor.user(contact.id), now=frozen[0])  # fmt: skip
        db_session.commit()
        assert queue_status_change(db_session, request, frozen[0]) == 0  # once per change
        assert delivery.deliver_due(context_for(app, db_session)) == 1
    [(_, headers, raw)] = box.calls
    sent = json.loads(raw)
    assert sent["request_status"] == "pending"
    assert sent["expected_completion_time"] != created.body["expected_completion_time"]
    assert sent["expected_completion_time"].startswith("2026-06-04")
    certificate = delivery.signer(context_for(app, db_session)).certificate_pem
    assert verify(certificate, raw, headers["x-opendsr-signature"])
    events = db_session.scalars(
        select(AuditEvent.action).where(AuditEvent.action == "api.completion_moved")
    ).all()
    assert events == ["api.completion_moved"]
