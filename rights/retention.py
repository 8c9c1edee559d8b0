"""Storage limitation for the cases themselves (Art. 5(1)(c), (e) GDPR; docs/legal.md,
"Case retention").

- Identity material (ID copies, mandates, evidence) goes as soon as the identity check is
  recorded (``rights.documents.delete_id_documents``) or the case is finished, whichever
  comes first: :func:`delete_finished_case_documents` catches every path that finishes a
  case (answer, Art. 11(2) refusal, withdrawal, closure) on the next worker pass.
- ``policy.case_retention_days`` after a case was finished, :func:`purge_cases` removes its
  personal data: the requester, free text in the details, messages, documents, letter
  texts, notes, mails, source matches and action details. The figures stay: right, state,
  outcome, grounds, dates, deadline, extension, pauses, organisation, reference.

Audit events carry ids and codes only, so the hash chain is untouched by a purge.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from rights import audit
from rights.audit import Actor
from rights.documents import IDENTITY_MATERIAL, DocumentStore, delete_document
from rights.lifecycle import FINAL_STATES
from rights.models.case import AnswerLetter, Document, Message
from rights.models.casework import CaseNote, IdentityCheck
from rights.models.mail import OutboxMail
from rights.models.package import Package, Transmission
from rights.models.request import RightsRequest, Suspension
from rights.models.source import SourceAction, SourceTask, SubjectMatch
from rights.restriction import restricted_request_ids

# Details keys that hold codes, not free text: kept for the figures.
CODE_DETAILS = frozenset({"scope", "ground", "basis", "format"})
BATCH = 200


@dataclass
class PurgeReport:
    """What a purge removed (or, in a dry run, would remove)."""

    requests: int = 0
    messages: int = 0
    documents: int = 0
    letters: int = 0
    notes: int = 0
    mails: int = 0
    matches: int = 0
    actions: int = 0

    def as_dict(self) -> dict[str, int]:
        return {f.name: int(getattr(self, f.name)) for f in fields(self)}


def finished_at() -> ColumnElement[datetime]:
    """When a finished case was finished: answered, closed, or (withdrawn) last changed."""
    return func.coalesce(
        RightsRequest.closed_at, RightsRequest.answered_at, RightsRequest.updated_at
    )


def delete_finished_case_documents(
    session: Session, store: DocumentStore, *, actor: Actor, now: datetime
) -> int:
    """Delete the identity material of every finished case (flushes); returns how many."""
    docs = session.scalars(
        select(Document)
        .join(RightsRequest, RightsRequest.id == Document.request_id)
        .where(
            RightsRequest.state.in_(FINAL_STATES),
            Document.kind.in_(IDENTITY_MATERIAL),
            Document.deleted_at.is_(None),
        )
        .order_by(Document.id)
        .limit(BATCH)
    )
    count = 0
    for doc in list(docs):
        delete_document(session, store, doc, reason="case_finished", actor=actor, now=now)
        count += 1
    return count


def _has_personal_data() -> ColumnElement[bool]:
    r = RightsRequest
    return or_(
        r.requester_name != "",
        r.requester_email != "",
        r.requester_phone != "",
        r.requester_address != "",
        r.requester_customer_number != "",
    )  # every intake path requires a name with an address; the representative goes with them


def due_for_purge(session: Session, *, now: datetime, days: int) -> list[RightsRequest]:
    """Finished cases past their retention that still hold personal data, except those whose
    restriction is still in force (oldest first)."""
    cutoff = now - timedelta(days=days)
    # A restriction still in force needs the identifiers to be honoured (Art. 18(2)).
    in_force = restricted_request_ids(session)
    query = select(RightsRequest).where(
        and_(RightsRequest.state.in_(FINAL_STATES), finished_at() <= cutoff),
        _has_personal_data(),
    )
    if in_force:
        query = query.where(RightsRequest.id.not_in(in_force))
    return list(session.scalars(query.order_by(RightsRequest.id).limit(BATCH)))


def _count(session: Session, model: type, *where: ColumnElement[bool]) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _measure(session: Session, ids: list[int]) -> PurgeReport:
    return PurgeReport(
        requests=len(ids),
        messages=_count(session, Message, Message.request_id.in_(ids)),
        documents=_count(session, Document, Document.request_id.in_(ids)),
        letters=_count(session, AnswerLetter, AnswerLetter.request_id.in_(ids)),
        notes=_count(session, CaseNote, CaseNote.request_id.in_(ids)),
        mails=_count(session, OutboxMail, OutboxMail.request_id.in_(ids)),
        matches=_count(session, SubjectMatch, SubjectMatch.request_id.in_(ids)),
        actions=_count(session, SourceAction, SourceAction.request_id.in_(ids)),
    )


def purge_cases(
    session: Session,
    store: DocumentStore,
    *,
    actor: Actor,
    now: datetime,
    days: int,
    dry_run: bool = False,
) -> PurgeReport:
    """Remove the personal data of finished cases older than ``days`` (flushes; the caller
    commits). ``dry_run`` only counts. One ``case.purged`` audit event per case, with
    counts only."""
    requests = due_for_purge(session, now=now, days=days)
    report = _measure(session, [r.id for r in requests])
    if dry_run:
        return report
    for request in requests:
        counts = _measure(session, [request.id])
        _purge_one(session, store, request, actor=actor, now=now)
        audit.record(
            session,
            "case.purged",
            actor=actor,
            now=now,
            request_id=request.id,
            data={k: v for k, v in counts.as_dict().items() if k != "requests"},
        )
    session.flush()
    return report


def _purge_one(
    session: Session, store: DocumentStore, request: RightsRequest, *, actor: Actor, now: datetime
) -> None:
    rid = request.id
    for doc in list(session.scalars(select(Document).where(Document.request_id == rid))):
        delete_document(session, store, doc, reason="case_retention", actor=actor, now=now)
    session.execute(
        update(SourceTask).where(SourceTask.request_id == rid).values(document_id=None, answer="")
    )
    session.execute(delete(Document).where(Document.request_id == rid))
    session.execute(delete(Message).where(Message.request_id == rid))
    session.execute(delete(CaseNote).where(CaseNote.request_id == rid))
    session.execute(delete(OutboxMail).where(OutboxMail.request_id == rid))
    session.execute(delete(SubjectMatch).where(SubjectMatch.request_id == rid))
    session.execute(update(AnswerLetter).where(AnswerLetter.request_id == rid).values(body=""))
    session.execute(update(IdentityCheck).where(IdentityCheck.request_id == rid).values(note=""))
    session.execute(update(Suspension).where(Suspension.request_id == rid).values(note=""))
    session.execute(
        update(SourceAction)
        .where(SourceAction.request_id == rid)
        .values(params={}, plan=[], result={})
    )
    package_ids = select(Package.id).where(Package.request_id == rid).scalar_subquery()
    session.execute(
        update(Transmission)
        .where(Transmission.package_id.in_(package_ids))
        .values(recipient_name="", recipient_email="")
    )
    request.requester_name = ""
    request.requester_email = ""
    request.requester_phone = ""
    request.requester_address = ""
    request.requester_customer_number = ""
    request.representative = None
    request.details = {k: v for k, v in (request.details or {}).items() if k in CODE_DETAILS}
    request.form_key = None
    request.extension_justification = None
    session.expire(request, ["suspensions"])
