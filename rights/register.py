"""The register of requests for the accountability file and the supervisory authority
(accountability, Art. 5(2) and 24 GDPR; it is not the Art. 30 record of processing
activities: docs/legal.md): every request received in a period with its dates, deadline,
extension, outcome and legal grounds. No names, addresses or e-mail addresses: the
reference links to the case for whoever may see it. The rows hold facts (codes, aware UTC
instants); the staff edge writes them in the officer's words (``portal.staff.register_words``)
and ``exporters.register`` writes the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from rights.models.case import AnswerLetter
from rights.models.org import Organisation
from rights.models.request import RightsRequest


@dataclass(frozen=True)
class RegisterRow:
    reference: str
    group_reference: str
    right: str
    organisation: str
    channel: str
    received_at: datetime
    receipt_date: date
    due: date
    extended: bool
    extension_ground: str
    extended_due: date | None
    paused_days: int
    state: str
    outcome: str
    answered_at: datetime | None
    on_time: bool | None
    grounds: tuple[str, ...]
    manifestly: str


def collect(session: Session, start: date, end: date) -> list[RegisterRow]:
    """Requests with a receipt date in ``[start, end]`` (local dates), oldest first."""
    rr = RightsRequest
    requests = session.execute(
        select(rr, Organisation.name)
        .outerjoin(Organisation, Organisation.id == rr.organisation_id)
        .where(rr.receipt_date >= start, rr.receipt_date <= end)
        .order_by(rr.received_at, rr.id)
    ).all()
    letters: dict[int, AnswerLetter] = {}
    letter: AnswerLetter | None
    ids = [r.id for r, _ in requests]
    for i in range(0, len(ids), 500):
        for letter in session.scalars(
            select(AnswerLetter)
            .where(AnswerLetter.request_id.in_(ids[i : i + 500]), AnswerLetter.sent_at.is_not(None))
            .order_by(AnswerLetter.id)
        ):
            letters[letter.request_id] = letter  # the last sent letter wins
    rows = []
    for r, org_name in requests:
        letter = letters.get(r.id)
        answered = r.answered_at
        rows.append(
            RegisterRow(
                reference=r.reference,
                group_reference=r.group_reference or "",
                right=r.right.value,
                organisation=org_name or "",
                channel=r.channel.value,
                received_at=r.received_at,
                receipt_date=r.receipt_date,
                due=r.due,
                extended=r.extended,
                extension_ground=r.extension_ground or "",
                extended_due=r.extended_due if r.extended else None,
                paused_days=r.paused_days,
                state=r.state.value,
                outcome=r.outcome.value if r.outcome else "",
                answered_at=answered,
                on_time=(answered < r.effective_due_end) if answered else None,
                grounds=tuple(letter.grounds) if letter else (),
                manifestly=str(letter.extra.get("manifestly") or "") if letter else "",
            )
        )
    return rows
