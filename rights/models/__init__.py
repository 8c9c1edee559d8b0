"""All persistent models. Import from here so Alembic sees the whole schema."""

from rights.models.audit import AuditEvent, AuditHead
from rights.models.case import AnswerLetter, Document, DocumentKind, Message, Party
from rights.models.casework import CaseLink, CaseNote, IdentityCheck
from rights.models.mail import MailStatus, OutboxMail
from rights.models.org import Organisation, OrganisationKind, Role, User
from rights.models.request import (
    Channel,
    IdentityStatus,
    Outcome,
    RequestState,
    RightsRequest,
    Suspension,
)

__all__ = [
    "AnswerLetter",
    "AuditEvent",
    "AuditHead",
    "CaseLink",
    "CaseNote",
    "Channel",
    "Document",
    "DocumentKind",
    "IdentityCheck",
    "IdentityStatus",
    "MailStatus",
    "Message",
    "Organisation",
    "OrganisationKind",
    "OutboxMail",
    "Outcome",
    "Party",
    "RequestState",
    "RightsRequest",
    "Role",
    "Suspension",
    "User",
]
