"""Two controllers, A and B, each with a designated contact, a verified and forwarded
request, a data file with the subject's row, a match, a prepared erasure, a built package
and a deletion record: the world the controller portal's tests log into."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from rights.models.controller import DataFileDeletion
from rights.models.incident import Incident, IncidentController, IncidentState
from rights.models.org import Organisation, OrganisationKind, Role, User
from rights.models.package import Package, PackageStatus
from rights.models.request import Channel, IdentityStatus, RequestState, RightsRequest
from rights.models.source import (
    ActionKind,
    ActionStatus,
    DataFileUpload,
    DataRecord,
    DataSource,
    MatchStatus,
    SourceAction,
    SourceKind,
    SubjectMatch,
)
from rights.righttypes import ErasureDetails

NOW = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)


@dataclass
class Side:
    org: Organisation
    contact: User
    request: RightsRequest
    source: DataSource
    upload: DataFileUpload
    record: DataRecord
    match: SubjectMatch
    action: SourceAction
    package: Package
    deletion: DataFileDeletion
    incident: Incident

    def ids(self) -> dict[str, Any]:
        """This side's object for each path parameter name of the controller routes."""
        return {
            "reference": self.request.reference,
            "action_id": self.action.id,
            "package_id": self.package.id,
            "file_id": self.upload.id,
            "deletion_id": self.deletion.id,
            "incident_id": self.incident.id,
        }


def build_side(
    session: Session,
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
    make_request: Callable[..., Any],
    name: str,
) -> Side:
    org = make_org(OrganisationKind.CONTROLLER, name=name)
    contact = make_user(Role.CONTROLLER, organisation=org, name=f"Contact {name}")
    contact.designated = True
    req = make_request(ErasureDetails(ground="b"), organisation_id=org.id, channel=Channel.EMAIL)
    req.identity_status = IdentityStatus.EMAIL_CONFIRMED
    req.state = RequestState.FORWARDED
    req.forwarded_at = NOW
    source = DataSource(
        slug=f"mailing-{secrets.token_hex(3)}",
        name=f"Mailing {name}",
        kind=SourceKind.FILE,
        organisation_id=org.id,
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(source)
    session.flush()
    upload = DataFileUpload(
        source_id=source.id,
        filename=f"klanten-{name}.csv",
        file_kind="csv",
        columns=["Naam", "E-mailadres"],
        column_roles={"E-mailadres": "email"},
        row_count=1,
        uploaded_at=NOW,
        expires_at=NOW + timedelta(days=30),
    )
    session.add(upload)
    session.flush()
    record = DataRecord(
        file_id=upload.id,
        row_number=1,
        values={"Naam": f"Eva bij {name}", "E-mailadres": "eva@example.nl"},
        email="eva@example.nl",
    )
    session.add(record)
    session.flush()
    match = SubjectMatch(
        request_id=req.id,
        source_id=source.id,
        locator={"record": record.id},
        locator_key=f"record:{record.id}",
        matched_by="email",
        identifier_verified=True,
        status=MatchStatus.CONFIRMED,
        found_at=NOW,
    )
    action = SourceAction(
        request_id=req.id,
        source_id=source.id,
        kind=ActionKind.ERASE,
        status=ActionStatus.PREPARED,
        params={},
        plan=[{"op": "delete", "table": "data_record", "pk": record.id}],
        prepared_at=NOW,
    )
    package = Package(
        request_id=req.id,
        status=PackageStatus.BUILT,
        formats=["json"],
        sha256=secrets.token_hex(32),
        size=1,
        storage_key=secrets.token_urlsafe(24),
        created_at=NOW,
        expires_at=NOW + timedelta(days=30),
    )
    deletion = DataFileDeletion(
        organisation_id=org.id,
        source_id=source.id,
        source_name=source.name,
        filename="oud.csv",
        row_count=3,
        uploaded_at=NOW - timedelta(days=40),
        expires_at=NOW - timedelta(days=10),
        reason="retention",
        deleted_at=NOW - timedelta(days=10),
    )
    session.add_all([match, action, package, deletion])
    incident = Incident(
        reference=f"INC-{name}", title=f"Incident bij {name}", state=IncidentState.NOTIFIED,
        discovered_at=NOW - timedelta(hours=3), data_file_ids=[upload.id], created_at=NOW,
    )  # fmt: skip
    session.add(incident)
    session.flush()
    session.add(
        IncidentController(
            incident_id=incident.id,
            organisation_id=org.id,
            confirmed=True,
            notice_hours=24,
            notice_due=NOW + timedelta(hours=21),
            notified_at=NOW,
        )
    )
    session.commit()
    return Side(
        org, contact, req, source, upload, record, match, action, package, deletion, incident
    )


@dataclass
class World:
    a: Side
    b: Side


@pytest.fixture
def world(app, db_session, make_org, make_user, make_request) -> World:
    app.config["CLOCK"] = lambda: NOW
    a = build_side(db_session, make_org, make_user, make_request, "Alfa")
    b = build_side(db_session, make_org, make_user, make_request, "Beta")
    return World(a, b)
