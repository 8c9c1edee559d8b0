"""Intake: a request filed on the public form or registered by staff, with the same rules on
both paths. A representative who must prove their authority (a guardian, someone with a
written mandate, a parent of a child old enough to act) sends the document with the request
(``rights.receipt.check_mandate``/``check_minor``); an upload must be a PDF, PNG or JPEG.

A refusal is an ``IntakeError`` naming the form field it belongs to, with a message in the
context's language, so the public form and the staff registration form show it there. A
request for a controller whose contract ended is refused on the ``organisation`` field
(``check_contract``; docs/controllers.md, "End of contract").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from operations import forwarding
from operations.context import Context
from rights import intake as public_intake
from rights import requests
from rights.controllers.contract import CONTRACT_ENDED, contract_ended_on
from rights.documents import sniff_content_type, store_document
from rights.errors import ValidationFailed
from rights.models.case import DocumentKind, Party
from rights.models.org import Organisation
from rights.models.request import RightsRequest
from rights.receipt import check_mandate, check_minor
from rights.requests import Intake

Upload = tuple[bytes, str]

__all__ = [
    "IntakeError",
    "Upload",
    "check_contract",
    "check_representation",
    "check_upload",
    "register",
    "submit",
    "verify",
]


class IntakeError(ValidationFailed):
    """A refused intake: ``field`` is the form field, ``message`` the text shown there."""

    def __init__(self, field: str, message: str, *, code: str) -> None:
        super().__init__(message, code=code)
        self.field = field
        self.message = message


def check_upload(ctx: Context, field: str, upload: Upload | None) -> None:
    """An upload, if any, is a non-empty PDF, PNG or JPEG (``IntakeError`` on ``field``)."""
    if upload is None:
        return
    texts = ctx.texts()
    if not upload[0]:
        raise IntakeError(field, texts.gettext("The file is empty."), code="file_empty")
    if sniff_content_type(upload[0]) is None:
        message = texts.gettext("Only PDF, PNG and JPEG files are accepted.")
        raise IntakeError(field, message, code="file_type")


def check_representation(
    ctx: Context, representative: dict[str, Any] | None, *, has_mandate: bool
) -> None:
    """The mandate and minor rules for someone acting for another person, as
    ``IntakeError`` on the ``mandate`` or ``child_age`` field."""
    texts = ctx.texts()
    try:
        check_mandate(representative, has_mandate=has_mandate)
    except ValidationFailed as exc:
        message = texts.gettext("Add the mandate or the proof that you may act for this person.")
        raise IntakeError("mandate", message, code=exc.code) from None
    try:
        check_minor(representative, has_mandate=has_mandate)
    except ValidationFailed as exc:
        if exc.code == "child_age_missing":
            message = texts.gettext("Choose how old the child is.")
            raise IntakeError("child_age", message, code=exc.code) from None
        message = texts.gettext(
            "From %(age)s, the child decides: add the child's signed mandate.",
            age=ctx.policy.minor_self_from_age,
        )
        raise IntakeError("mandate", message, code=exc.code) from None


def check_contract(ctx: Context, organisation_id: int | None) -> None:
    """Refuse a new request for a controller whose contract ended (Art. 28(3)(g): we hold
    none of its data any more): ``IntakeError`` on ``organisation``, in the context's
    language, naming the organisation and the date, and what to do instead."""
    found = ctx.session.get(Organisation, organisation_id) if organisation_id else None
    ended = contract_ended_on(found)
    if found is None or ended is None:
        return
    texts = ctx.texts()
    message = texts.gettext(
        "The contract with %(organisation)s ended on %(date)s: we no longer hold data for "
        "this organisation and take no new requests for it. Register the request without "
        "this organisation (choose the one it is about), or tell the data subject to "
        "contact %(organisation)s directly.",
        organisation=found.name,
        date=texts.day(ended, "d MMMM yyyy"),
    )
    raise IntakeError("organisation", message, code=CONTRACT_ENDED)


def _check(ctx: Context, intakes: Sequence[Intake], mandate: Upload | None) -> None:
    check_upload(ctx, "mandate", mandate)
    for item in intakes:
        check_representation(ctx, item.representative, has_mandate=mandate is not None)


def submit(
    ctx: Context,
    intakes: Sequence[Intake],
    *,
    form_key: str,
    mandate: Upload | None = None,
    look_up_repeat: bool = True,
) -> list[RightsRequest]:
    """The public form: one linked request per right, what takes effect on receipt applied
    at once, the acknowledgement and confirmation link queued (flushes; the caller commits).
    A repeated ``form_key`` returns the first submission's requests; with
    ``look_up_repeat=False`` it raises ``IntegrityError`` instead and the caller looks the
    first submission up after its rollback (``rights.intake.submit``). A controller whose
    contract ended is refused by the caller as it reads the visitor's choice, where it
    loads the organisation anyway (``portal.public.start``; no statement more per submit,
    issue 17); ``check_contract`` is the same rule for a caller without that choice."""
    _check(ctx, intakes, mandate)
    return public_intake.submit(
        ctx.session,
        intakes,
        form_key=form_key,
        now=ctx.now(),
        policy=ctx.policy,
        mandate=mandate,
        store=ctx.document_store() if mandate is not None else None,
        hash_key=ctx.identifier_hash_key(),
        look_up_repeat=look_up_repeat,
    )


def register(
    ctx: Context, intake: Intake, *, mandate: Upload | None = None, route: bool = True
) -> RightsRequest:
    """Staff registration of a request that arrived by mail, post or phone, with its
    original arrival instant; the representative's document is stored with it (flushes;
    the caller commits). ``route=False``: the caller routes it (``forwarding.
    after_verification``) once it has marked it, as a controller's instruction is.
    Refused (``IntakeError``) for a controller whose contract ended."""
    check_contract(ctx, intake.organisation_id)
    _check(ctx, [intake], mandate)
    request = requests.create_request(
        ctx.session,
        intake,
        actor=ctx.actor,
        now=ctx.now(),
        policy=ctx.policy,
        hash_key=ctx.identifier_hash_key(),
    )
    if mandate is not None:
        data, filename = mandate
        store_document(
            ctx.session,
            ctx.document_store(),
            request,
            data,
            filename=filename,
            kind=DocumentKind.MANDATE,
            uploaded_by=Party.OFFICER,
            actor=ctx.actor,
            now=ctx.now(),
        )
    if route:  # registered by staff: starts verified
        forwarding.after_verification(ctx, [request])
    return request


def verify(ctx: Context, request: RightsRequest, generation: object) -> list[RightsRequest]:
    """The subject confirmed the address (``rights.intake.verify``): the requests open, get
    their forwarding target, and go to a controller whose rule forwards at once."""
    confirmed = public_intake.verify(ctx.session, request, generation, now=ctx.now())
    forwarding.after_verification(ctx, confirmed)
    return confirmed
