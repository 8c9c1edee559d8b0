"""A request that came over the API, made directly (the endpoints are the API's own work)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from rights.models.api import OpenDsrSubmission
from rights.models.org import Organisation
from rights.models.request import RightsRequest
from rights.opendsr.status import request_status


def submit(
    session: Session,
    request: RightsRequest,
    organisation: Organisation,
    urls: Sequence[str],
    *,
    now: datetime,
    api_version: str = "2.0",
) -> OpenDsrSubmission:
    request.organisation_id = organisation.id
    submission = OpenDsrSubmission(
        organisation_id=organisation.id,
        subject_request_id=str(uuid.uuid4()),
        api_version=api_version,
        subject_request_type="access",
        body_digest="0" * 64,
        submitted_at=now,
        received_at=now,
        status_callback_urls=list(urls),
        response={},
        request_id=request.id,
        last_status=request_status(request),
    )
    session.add(submission)
    session.flush()
    session.refresh(request)
    return submission
