"""Incidents for the notice tests, made with the models directly (the register's own pages
and functions live elsewhere): an incident, and a file source with one data file for an
organisation."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from rights.models.incident import Incident, IncidentState
from rights.models.org import Organisation
from rights.models.source import DataFileUpload, DataSource, SourceKind


def make_incident(session: Session, now: datetime, **kw: Any) -> Incident:
    values: dict[str, Any] = {
        "reference": f"INC-T-{secrets.token_hex(3)}",
        "title": "Mailing file sent to the wrong recipient",
        "state": IncidentState.ASSESSED,
        "discovered_at": now - timedelta(hours=2),
        "aware_at": now - timedelta(hours=1),
        "description": "The address file was mailed to a wrong printer.",
        "data_categories": ["names", "postal addresses"],
        "subject_categories": ["customers"],
        "approx_subjects": 1200,
        "approx_records": 1250,
        "consequences": "Unsolicited post; little risk otherwise.",
        "measures_taken": "The printer deleted the file and confirmed it in writing.",
        "measures_proposed": "Files only through the secure portal.",
        "created_at": now,
        **kw,
    }
    incident = Incident(**values)
    session.add(incident)
    session.flush()
    return incident


def file_source(session: Session, org: Organisation, now: datetime) -> DataFileUpload:
    source = DataSource(
        slug=f"mailing-{secrets.token_hex(3)}", name=f"Mailing {org.name}", kind=SourceKind.FILE,
        organisation_id=org.id, created_at=now, updated_at=now,
    )  # fmt: skip
    session.add(source)
    session.flush()
    upload = DataFileUpload(
        source_id=source.id, filename=f"klanten-{org.slug}.csv", file_kind="csv",
        columns=["Naam", "E-mailadres"], column_roles={"E-mailadres": "email"}, row_count=1,
        uploaded_at=now, expires_at=now + timedelta(days=30),
    )  # fmt: skip
    session.add(upload)
    session.flush()
    return upload
