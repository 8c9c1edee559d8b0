"""Staff registration applies the intake rules of the public form (operations.intake): a
guardian or someone with a written mandate sends the document, a parent says the child's
age and, from the self-acting age, sends the child's own mandate. A refusal is shown on the
field it belongs to and stores nothing."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from rights.models.case import Document, DocumentKind
from rights.models.request import RightsRequest
from tests.helpers import post_registration

PDF = b"%PDF-1.7 benoeming tot curator"


def _post(client, org, **extra):
    return post_registration(client, org, **{"representative_name": "Jan de Boer", **extra})


def _field_error(resp, field: str) -> str | None:
    match = re.search(
        rf'<p class="error-message" id="{field}-error">(.*?)</p>', resp.get_data(as_text=True)
    )
    return match.group(1) if match else None


def _count(db_session) -> int:
    return db_session.scalar(select(func.count(RightsRequest.id)))


@pytest.mark.parametrize("relationship", ["guardian", "mandate"])
def test_guardian_without_mandate_is_refused_on_the_mandate_field(
    client, officer, make_org, db_session, relationship
):
    org = make_org()
    resp = _post(client, org, representative_relationship=relationship)
    assert resp.status_code == 422
    error = _field_error(resp, "mandate")
    assert error and "machtiging" in error
    assert _count(db_session) == 0


def test_guardian_with_mandate_is_registered_with_the_document(
    client, officer, make_org, db_session
):
    org = make_org()
    resp = _post(
        client,
        org,
        representative_relationship="guardian",
        mandate=(io.BytesIO(PDF), "benoeming.pdf"),
    )
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    r = db_session.scalar(select(RightsRequest))
    assert r.representative == {"name": "Jan de Boer", "relationship": "guardian"}
    doc = db_session.scalar(select(Document).where(Document.request_id == r.id))
    assert doc is not None and doc.kind is DocumentKind.MANDATE


def test_parent_rules_and_upload_type_on_their_fields(client, officer, make_org, db_session):
    org = make_org()
    no_age = _post(client, org, representative_relationship="parent")
    assert no_age.status_code == 422 and _field_error(no_age, "child_age")
    own = _post(client, org, representative_relationship="parent", child_age="own")
    assert own.status_code == 422 and "16" in (_field_error(own, "mandate") or "")
    exe = _post(
        client,
        org,
        representative_relationship="guardian",
        mandate=(io.BytesIO(b"MZ\x90\x00 not a pdf"), "benoeming.pdf"),
    )
    assert exe.status_code == 422 and "PDF" in (_field_error(exe, "mandate") or "")
    assert _count(db_session) == 0
    lawyer = _post(client, org, representative_relationship="lawyer")
    assert lawyer.status_code == 303
    assert _count(db_session) == 1
