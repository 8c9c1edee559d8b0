"""All persistent models. Import from here so Alembic sees the whole schema."""

from rights.models.account import RecoveryCode
from rights.models.api import ApiKey, CallbackDelivery, CallbackStatus, OpenDsrSubmission
from rights.models.audit import AuditEvent, AuditHead
from rights.models.case import AnswerLetter, Document, DocumentKind, Message, Party
from rights.models.casework import CaseLink, CaseNote, IdentityCheck
from rights.models.controller import ControllerDecision, DataFileDeletion, DecisionKind
from rights.models.incident import (
    Incident,
    IncidentController,
    IncidentState,
    IncidentUpdate,
    Risk,
    SubjectsDecision,
    UpdateKind,
)
from rights.models.mail import MailStatus, OutboxMail
from rights.models.org import Answering, Organisation, OrganisationKind, Role, User
from rights.models.package import (
    DownloadCode,
    Package,
    PackageKind,
    PackageStatus,
    Transmission,
)
from rights.models.request import (
    Channel,
    IdentityStatus,
    Outcome,
    RequestState,
    RightsRequest,
    Suspension,
)
from rights.models.source import (
    ActionKind,
    ActionStatus,
    DataFileUpload,
    DataRecord,
    DataSource,
    MatchStatus,
    SourceAction,
    SourceKind,
    SourceTask,
    SubjectMatch,
    SuppressionEntry,
    TaskStatus,
)

__all__ = [
    "ActionKind",
    "ActionStatus",
    "AnswerLetter",
    "Answering",
    "ApiKey",
    "AuditEvent",
    "AuditHead",
    "CallbackDelivery",
    "CallbackStatus",
    "CaseLink",
    "CaseNote",
    "Channel",
    "ControllerDecision",
    "DataFileDeletion",
    "DataFileUpload",
    "DataRecord",
    "DataSource",
    "DecisionKind",
    "Document",
    "DocumentKind",
    "DownloadCode",
    "IdentityCheck",
    "IdentityStatus",
    "Incident",
    "IncidentController",
    "IncidentState",
    "IncidentUpdate",
    "MailStatus",
    "MatchStatus",
    "Message",
    "OpenDsrSubmission",
    "Organisation",
    "OrganisationKind",
    "OutboxMail",
    "Outcome",
    "Package",
    "PackageKind",
    "PackageStatus",
    "Party",
    "RecoveryCode",
    "RequestState",
    "RightsRequest",
    "Risk",
    "Role",
    "SourceAction",
    "SourceKind",
    "SourceTask",
    "SubjectMatch",
    "SubjectsDecision",
    "SuppressionEntry",
    "Suspension",
    "TaskStatus",
    "Transmission",
    "UpdateKind",
    "User",
]
