"""What the subject asked and who asks for them, in words, for the case page: the details
of the request (the controller portal's words, portal/controller/labels.py) and the
representative's details (no raw keys or codes; docs/architecture.md, "Texts and labels")."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.controller.labels import details
from portal.staff.labels import GROUNDS
from rights.models.casework import CaseLink, CaseNote
from rights.models.request import RightsRequest

__all__ = ["details", "link_rows", "note_kind", "note_text", "representative"]

FIELDS = {
    "name": _l("Name"),
    "email": _l("E-mail address"),
    "phone": _l("Phone number"),
    "relationship": _l("Relationship to the subject"),
    "subject_email": _l("The subject's own e-mail address"),
    "child_age": _l("Age of the child"),
}
VALUES: dict[str, dict[str, Any]] = {
    "relationship": {
        "parent": _l("Parent with parental authority"),
        "guardian": _l("Guardian, curator or mentor"),
        "lawyer": _l("Lawyer"),
        "mandate": _l("Acts with a written mandate"),
    },
    "child_age": {
        "young": _l("younger than the age at which the child's view is weighed"),
        "review": _l("old enough for the child's interests to be weighed"),
        "own": _l("old enough to make the request alone"),
    },
}


def representative(request: RightsRequest) -> list[tuple[str, str]]:
    """The representative's details, field by field, in words (empty: nobody represents)."""
    rows = []
    for key, value in (request.representative or {}).items():
        if value in ("", None) or key not in FIELDS:
            continue
        words = VALUES.get(key, {})
        rows.append((str(FIELDS[key]), str(words.get(value, value))))
    return rows


NOTE_KINDS = {
    "manifestly_unfounded": _l("Refused as manifestly unfounded (Art. 12(5) GDPR)"),
    "manifestly_excessive": _l("Refused as manifestly excessive (Art. 12(5) GDPR)"),
    "art_23_restriction": _l("Restriction under Art. 23 GDPR"),
    "withdrawal": _l("Withdrawal"),
    "reopened": _l("Reopened"),
    "merged": _l("Merged as a duplicate"),
    "instruction": _l("The controller's instruction"),
}
# (kind, this request is the link's first side): the words for the other request.
LINK_KINDS = {
    ("split", True): _l("Another part of the same request"),
    ("split", False): _l("Another part of the same request"),
    ("duplicate", True): _l("This request was merged into"),
    ("duplicate", False): _l("Merged into this request as a duplicate"),
    ("follow_up", True): _l("Follow-up of"),
    ("follow_up", False): _l("Follow-up erasure request"),
}


def note_kind(kind: str) -> str:
    return str(NOTE_KINDS.get(kind, _l("Note")))


_REFERENCE = re.compile(r"AVG-[0-9A-Z]{4}-[0-9A-Z]{4}")


def _merged(body: str) -> str:
    # Notes written before the kind carried the data read "merged into AVG-…": the
    # reference is what counts, the sentence is the reader's.
    found = _REFERENCE.search(body)
    return str(_("Closed as a duplicate of %(ref)s.", ref=found.group(0) if found else body))


def _art_23(body: str) -> str:
    try:
        facts = json.loads(body)
    except ValueError:
        return body  # an older note: the officer's own text, as written
    if not isinstance(facts, dict):
        return body
    grounds = "; ".join(str(GROUNDS.get(g, g)) for g in facts.get("grounds", []))
    review = format_date(date.fromisoformat(str(facts.get("review_on"))), "d MMMM yyyy")
    withheld = "; ".join(str(w) for w in facts.get("withheld", [])) or _("nothing named")
    told = (
        _("The subject is not told of the restriction (Art. 23(2)(h) GDPR).")
        if facts.get("prejudicial")
        else _("The subject is told of the restriction.")
    )
    text = _(
        "Grounds: %(grounds)s. Withheld: %(withheld)s. Review on %(review)s.",
        grounds=grounds,
        withheld=withheld,
        review=review,
    )
    reasons = str(facts.get("reasons") or "")
    return " ".join(t for t in (text, str(told), reasons) if t)


# Notes whose body is data, said in words; every other note is what a person wrote.
NOTE_TEXTS = {"merged": _merged, "art_23_restriction": _art_23}


def note_text(note: CaseNote) -> str:
    """The body of an internal note in the reader's words."""
    render = NOTE_TEXTS.get(note.kind)
    return render(note.body) if render else note.body


def link_rows(
    session: Session, request: RightsRequest, links: Sequence[CaseLink]
) -> list[tuple[str, str]]:
    """Each linked request as (words for the link, the other request's reference)."""
    others = {k.other_id if k.request_id == request.id else k.request_id for k in links}
    refs = dict(
        session.execute(
            select(RightsRequest.id, RightsRequest.reference).where(RightsRequest.id.in_(others))
        ).all()
    ) if others else {}  # fmt: skip
    rows = []
    for link in links:
        first = link.request_id == request.id
        other = link.other_id if first else link.request_id
        words = LINK_KINDS.get((link.kind, first), _l("Linked request"))
        rows.append((str(words), str(refs.get(other, ""))))
    return rows
