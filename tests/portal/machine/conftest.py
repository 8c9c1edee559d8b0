"""The machine API's world: two controllers with an API key each (the key shown once), a
frozen clock, a create body, and the certificate as a controller fetches it."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from rights.audit import SYSTEM
from rights.models.org import Organisation
from rights.opendsr.keys import create_key

NOW = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)


@dataclass
class Controller:
    org: Organisation
    key: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


def body(**fields: Any) -> dict[str, Any]:
    """A valid v2 erasure body, with ``fields`` replaced (None removes a field)."""
    data: dict[str, Any] = {
        "regulation": "gdpr",
        "subject_request_id": str(uuid.uuid4()),
        "subject_request_type": "erasure",
        "subject_identities": [
            {
                "identity_type": "email",
                "identity_value": "kees@example.nl",
                "identity_format": "raw",
            }
        ],
        "submitted_time": (NOW - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "api_version": "2.0",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def post(client: Any, controller: Controller, payload: Any, path: str = "/opendsr/v2/requests"):
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return client.post(
        path, data=raw, headers={**controller.auth, "Content-Type": "application/json"}
    )


@pytest.fixture
def frozen(app: Any) -> datetime:
    app.config["CLOCK"] = lambda: NOW
    return NOW


@pytest.fixture
def controllers(db_session: Any, make_org: Any, frozen: datetime) -> tuple[Controller, Controller]:
    made = []
    for slug in ("bakkerij-jansen", "slagerij-vers"):
        org = make_org(slug=slug, name=slug.replace("-", " ").title())
        org.callback_allowlist = ["https://hooks.example.com"]
        issued = create_key(db_session, org, actor=SYSTEM, now=frozen)
        made.append(Controller(org, issued.secret))
    db_session.commit()
    return made[0], made[1]
