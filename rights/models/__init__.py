"""All persistent models. Import from here so Alembic sees the whole schema."""

from rights.models.audit import AuditEvent, AuditHead
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
    "AuditEvent",
    "AuditHead",
    "Channel",
    "IdentityStatus",
    "MailStatus",
    "Organisation",
    "OrganisationKind",
    "OutboxMail",
    "Outcome",
    "RequestState",
    "RightsRequest",
    "Role",
    "Suspension",
    "User",
]
