"""The case page ``/staff/requests/<reference>`` and its actions. Every action is a POST
with the hidden ``version`` of the request (a stale form gets the 409 page), calls one
domain function and commits once. Irreversible actions need the ``confirm`` box."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from portal.auth.guards import staff_required
from portal.db import get_session
from portal.staff import labels
from portal.staff.blueprint import bp
from portal.staff.helpers import actor, check_version, load_case, parse_id, policy
from portal.storage import document_store
from rights import answers, audit, casework, followups
from rights import requests as ops
from rights.db import now_utc
from rights.deadlines import local_date
from rights.errors import DomainError, ValidationFailed
from rights.lifecycle import OPEN_STATES
from rights.messages import post_message, thread
from rights.models.audit import AuditEvent
from rights.models.case import Document, Party
from rights.models.casework import CaseLink, CaseNote, IdentityCheck
from rights.models.org import Organisation, Role, User
from rights.models.request import RightsRequest
from rights.righttypes import RIGHTS


def state_names() -> dict[str, str]:
    from flask import get_template_attribute

    label = get_template_attribute("macros/requests.html", "state_label")
    from rights.models.request import RequestState

    return {s.value: str(label(s)).strip() for s in RequestState}


def right_names() -> dict[str, str]:
    from flask import get_template_attribute

    from rights.righttypes import RightType

    label = get_template_attribute("macros/requests.html", "right_label")
    return {r.value: str(label(r)).strip() for r in RightType}


def _confirmed() -> None:
    if request.form.get("confirm") != "yes":
        raise ValidationFailed("confirmation missing", code="confirm")


def case_context(r: RightsRequest) -> dict[str, Any]:
    session = get_session()
    return {
        "r": r,
        "today": local_date(now_utc()),
        "is_open": r.state in OPEN_STATES,
        "can_extend": not r.extended and now_utc() < r.due_end,
        "messages": thread(session, r),
        "documents": session.scalars(
            select(Document).where(Document.request_id == r.id).order_by(Document.id)
        ).all(),
        "checks": session.scalars(
            select(IdentityCheck).where(IdentityCheck.request_id == r.id).order_by(IdentityCheck.id)
        ).all(),
        "notes": session.scalars(
            select(CaseNote).where(CaseNote.request_id == r.id).order_by(CaseNote.id)
        ).all(),
        "links": session.scalars(
            select(CaseLink).where((CaseLink.request_id == r.id) | (CaseLink.other_id == r.id))
        ).all(),
        "group": session.scalars(
            select(RightsRequest).where(
                RightsRequest.group_reference == r.group_reference, RightsRequest.id != r.id
            )
        ).all()
        if r.group_reference
        else [],
        "events": session.scalars(
            select(AuditEvent).where(AuditEvent.request_id == r.id).order_by(AuditEvent.seq)
        ).all(),
        "draft": answers.current_draft(session, r),
        "letters": answers.sent_letters(session, r),
        "officers": session.scalars(
            select(User)
            .where(User.role.in_([Role.OFFICER, Role.ADMIN]), User.active.is_(True))
            .order_by(User.name)
        ).all(),
        "organisations": session.scalars(select(Organisation).order_by(Organisation.name)).all(),
        "grounds": answers.allowed_grounds(r),
        "follow_up": followups.follow_up_ground(r),
        "follow_up_case": followups.existing_follow_up(session, r),
        "article": RIGHTS[r.right].article,
        "labels": labels,
        "approvals": pending_approvals(session, r),
        "remedy": answers.remedy_notice(),
        "users": {u.id: u for u in session.scalars(select(User)).all()},
    }


def _render_case(r: RightsRequest, error: str | None = None, status: int = 200) -> tuple[str, int]:
    return render_template("staff/case.html", error=error, **case_context(r)), status


@bp.get("/requests/<reference>")
@staff_required
def case(reference: str) -> tuple[str, int]:
    session = get_session()
    r = load_case(reference)
    audit.record(session, "case.viewed", actor=actor(), now=now_utc(), request_id=r.id)
    session.commit()
    return _render_case(r)


def _act(
    reference: str, action: Callable[[RightsRequest], Any], *, anchor: str = ""
) -> Response | tuple[str, int]:
    """Load, version-check, run one domain action, commit, redirect. Domain refusals
    re-render the case page with the reason (422 for input, 409 for state)."""
    session = get_session()
    r = load_case(reference)
    check_version(r, request.form.get("version"))
    try:
        result = action(r)
        session.commit()
    except DomainError as exc:
        session.rollback()
        r = load_case(reference)
        return _render_case(r, labels.error_text(exc.code), exc.http_status)
    if isinstance(result, Response):
        return result
    return redirect(url_for("staff.case", reference=r.reference) + anchor, 303)


def _form(name: str) -> str:
    # NUL never reaches the database (PostgreSQL refuses it in text).
    return (request.form.get(name) or "")[:50_000].replace("\x00", "")


@bp.get("/requests/<reference>/documents/<int:document_id>")
@staff_required
def document(reference: str, document_id: int) -> Response:
    """An evidence document, decrypted, as a download (never rendered inline); audited."""
    from flask import abort

    session = get_session()
    r = load_case(reference)
    doc = session.get(Document, document_id)
    if doc is None or doc.request_id != r.id:
        abort(404)
    data = document_store().read(doc)  # Gone (410) once deleted
    audit.record(
        session,
        "document.viewed",
        actor=actor(),
        now=now_utc(),
        request_id=r.id,
        object_type="document",
        object_id=doc.id,
    )
    session.commit()
    return Response(
        data,
        mimetype=doc.content_type or "application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="document-{doc.id}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


@bp.post("/requests/<reference>/identity")
@staff_required
def record_identity(reference: str) -> Any:
    def do(r: RightsRequest) -> None:
        _confirmed()
        casework.record_identity(
            get_session(),
            document_store(),
            r,
            _form("method"),
            _form("note"),
            actor=actor(),
            now=now_utc(),
        )

    return _act(reference, do)


@bp.post("/requests/<reference>/ask")
@staff_required
def ask(reference: str) -> Any:
    def do(r: RightsRequest) -> None:
        casework.ask_information(
            get_session(),
            r,
            _form("reason"),
            _form("question"),
            actor=actor(),
            now=now_utc(),
            policy=policy(),
            asks_document=request.form.get("asks_document") == "1",
        )

    return _act(reference, do, anchor="#messages")


@bp.post("/requests/<reference>/answered")
@staff_required
def information_received(reference: str) -> Any:
    return _act(
        reference,
        lambda r: casework.information_received(
            get_session(), r, actor=actor(), now=now_utc(), policy=policy()
        ),
    )


@bp.post("/requests/<reference>/assign")
@staff_required
def assign(reference: str) -> Any:
    def do(r: RightsRequest) -> None:
        raw = _form("assignee")
        user_id = parse_id(raw)
        user = get_session().get(User, user_id) if user_id else None
        if raw and user is None:
            raise ValidationFailed("unknown officer", code="assignee")
        casework.assign(get_session(), r, user, actor=actor(), now=now_utc())

    return _act(reference, do)


@bp.post("/requests/<reference>/extend")
@staff_required
def extend(reference: str) -> Any:
    def do(r: RightsRequest) -> None:
        _confirmed()
        ops.extend(
            get_session(), r, _form("ground"), _form("justification"), actor=actor(), now=now_utc()
        )

    return _act(reference, do)


@bp.post("/requests/<reference>/withdraw")
@staff_required
def withdraw(reference: str) -> Any:
    def do(r: RightsRequest) -> None:
        _confirmed()
        casework.withdraw(get_session(), r, _form("note"), actor=actor(), now=now_utc())

    return _act(reference, do)


@bp.post("/requests/<reference>/reopen")
@staff_required
def reopen(reference: str) -> Any:
    return _act(
        reference,
        lambda r: casework.reopen(
            get_session(), r, _form("note"), actor=actor(), now=now_utc(), policy=policy()
        ),
    )


@bp.post("/requests/<reference>/split")
@staff_required
def split(reference: str) -> Any:
    def do(r: RightsRequest) -> None:
        _confirmed()
        session = get_session()
        ids = [i for x in request.form.getlist("organisations")[:50] if (i := parse_id(x))]
        orgs = [o for i in ids if (o := session.get(Organisation, i)) is not None]
        casework.split(session, r, orgs, actor=actor(), now=now_utc(), policy=policy())

    return _act(reference, do)


@bp.post("/requests/<reference>/merge")
@staff_required
def merge(reference: str) -> Any:
    def do(r: RightsRequest) -> None:
        _confirmed()
        session = get_session()
        primary = session.scalar(
            select(RightsRequest).where(RightsRequest.reference == _form("primary").strip().upper())
        )
        if primary is None:
            raise ValidationFailed("unknown reference", code="not_found")
        casework.merge_duplicate(session, r, primary, actor=actor(), now=now_utc())

    return _act(reference, do)


@bp.post("/requests/<reference>/message")
@staff_required
def message(reference: str) -> Any:
    def do(r: RightsRequest) -> None:
        session = get_session()
        post_message(
            session,
            r,
            _form("body"),
            sender=Party.OFFICER,
            actor=actor(),
            now=now_utc(),
            asks_document=request.form.get("asks_document") == "1",
        )
        r.updated_at = now_utc()

    return _act(reference, do, anchor="#messages")


def pending_approvals(session: Session, r: RightsRequest) -> dict[str, int]:
    """What waits for a second officer on this case (four eyes): built packages not yet
    released, and previewed source actions not yet executed."""
    from rights.models.package import Package, PackageStatus
    from rights.models.source import ActionStatus, MatchStatus, SourceAction, SubjectMatch

    def count(stmt: Any) -> int:
        return int(session.scalar(stmt) or 0)

    return {
        "packages": count(
            select(func.count(Package.id)).where(
                Package.request_id == r.id, Package.status == PackageStatus.BUILT
            )
        ),
        "actions": count(
            select(func.count(SourceAction.id)).where(
                SourceAction.request_id == r.id, SourceAction.status == ActionStatus.PREPARED
            )
        ),
        "matches": count(
            select(func.count(SubjectMatch.id)).where(
                SubjectMatch.request_id == r.id, SubjectMatch.status == MatchStatus.CONFIRMED
            )
        ),
    }
