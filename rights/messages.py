"""The message thread between a case and its subject. An officer's message is announced by mail
without its content (docs/security.md, "Uploads checked by content"); the subject reads and answers
it on the status page."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from rights import audit
from rights.audit import Actor
from rights.errors import ValidationFailed
from rights.models.case import Message, Party
from rights.models.request import RightsRequest
from rights.outbox import queue_mail

MAX_BODY = 10_000


def post_message(
    session: Session,
    request: RightsRequest,
    body: str,
    *,
    sender: Party,
    actor: Actor,
    now: datetime,
    asks_document: bool = False,
    reply_to: Message | None = None,
) -> Message:
    """Add a message to the thread. Raises ``ValidationFailed`` for an empty or overlong
    body, or when anyone but an officer asks for a document."""
    text = body.replace("\x00", "").strip()
    if not text:
        raise ValidationFailed("write a message", code="message_empty")
    if len(text) > MAX_BODY:
        raise ValidationFailed("the message is too long", code="message_too_long")
    if asks_document and sender is not Party.OFFICER:
        raise ValidationFailed("only an officer can ask for a document", code="asks_document")
    message = Message(
        request_id=request.id,
        sender=sender,
        author_id=actor.id if actor.kind == "user" else None,
        body=text,
        asks_document=asks_document,
        reply_to_id=reply_to.id if reply_to is not None else None,
        created_at=now,
    )
    session.add(message)
    session.flush()
    audit.record(
        session,
        "message.posted",
        actor=actor,
        now=now,
        request_id=request.id,
        object_type="message",
        object_id=message.id,
        data={"sender": sender.value, "asks_document": asks_document},
    )
    if sender is Party.OFFICER and request.requester_email:
        queue_mail(
            session,
            to=request.requester_email,
            template="message_waiting",
            language=request.language,
            now=now,
            request_id=request.id,
        )
    return message


def thread(session: Session, request: RightsRequest) -> list[Message]:
    """All messages of a case, oldest first."""
    return list(session.scalars(_thread_statement(), {"rid": request.id}))


@functools.cache
def _thread_statement() -> Any:
    """Built once: every case and status page reads the thread."""
    return select(Message).where(Message.request_id == bindparam("rid")).order_by(Message.id)


def open_document_request(
    session: Session, request: RightsRequest, messages: list[Message] | None = None
) -> Message | None:
    """The newest officer message asking for a document that the subject has not yet
    answered with an upload, or None: uploads are allowed only while one is open.
    ``messages``: the request's :func:`thread` when the caller has it already."""
    for message in reversed(thread(session, request) if messages is None else messages):
        if message.sender is Party.OFFICER and message.asks_document:
            answered = session.scalar(
                select(Message.id).where(
                    Message.reply_to_id == message.id, Message.sender == Party.SUBJECT
                )
            )
            return None if answered else message
    return None
