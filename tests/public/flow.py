"""Drive the public intake through the real app (CSRF on), as a visitor would."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from tests.helpers import csrf_token

FORM_KEY = re.compile(r'name="form_key"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="form_key"')

DETAILS: dict[str, dict[str, str]] = {
    "access": {
        "access_scope": "specific",
        "access_specific": "camera images",
        "access_period_from": "2025-01-01",
        "access_period_to": "2025-12-31",
    },
    "rectification": {
        "rect_which": "my address",
        "rect_current": "Dorpsstraat 1",
        "rect_correct": "Dorpsstraat 11",
        "rect_statement": "",
    },
    "erasure": {"erasure_ground": "d", "erasure_scope": "all", "erasure_specific": ""},
    "restriction": {"restriction_ground": "a", "restriction_explanation": "my age is wrong"},
    "portability": {
        "portability_format": "json",
        "portability_to_name": "Other BV",
        "portability_to_email": "privacy@other.example",
    },
    "objection": {
        "objection_basis": "particular_situation",
        "objection_situation": "I am a witness in a case",
    },
    "withdraw_consent": {"consent_which": "the newsletter"},
}


def form_url(rights: list[str], org: str = "operator") -> str:
    return "/request/form?" + urlencode([("org", org), *[("right", r) for r in rights]])


def form_key(page: Any) -> str:
    match = FORM_KEY.search(page.get_data(as_text=True))
    assert match, "no form_key"
    return match.group(1) or match.group(2)


def fill(
    client: Any, rights: list[str], org: str = "operator", **overrides: Any
) -> tuple[str, dict[str, Any]]:
    url = form_url(rights, org)
    page = client.get(url)
    assert page.status_code == 200, page.get_data(as_text=True)[:2000]
    data: dict[str, Any] = {
        "csrf_token": csrf_token(page),
        "form_key": form_key(page),
        "acting": "self",
        "name": "Eva de Boer",
        "email": "eva@example.nl",
        "phone": "",
        "address": "",
        "customer_number": "K-123",
    }
    for right in rights:
        data.update(DETAILS[right])
    data.update(overrides)
    return url, data


def submit(client: Any, rights: list[str], org: str = "operator", **overrides: Any) -> Any:
    url, data = fill(client, rights, org, **overrides)
    return client.post(url, data=data, content_type="multipart/form-data")


LINK = re.compile(r"http://localhost(/(?:verify|status)/[A-Za-z0-9_.\-]+)")


def links(body: str) -> dict[str, str]:
    """The verify and status paths in a mail body."""
    found: dict[str, str] = {}
    for path in LINK.findall(body):
        found["verify" if path.startswith("/verify/") else "status"] = path
    return found


def outbox_links(app: Any, db_session: Any, template: str) -> dict[str, str]:
    """Render the newest outbox mail with this template as the worker would, and return
    its links."""
    from sqlalchemy import select

    from portal.mail import render
    from rights.models.mail import OutboxMail

    mail = db_session.scalars(
        select(OutboxMail).where(OutboxMail.template == template).order_by(OutboxMail.id.desc())
    ).first()
    assert mail is not None, f"no {template} mail"
    with app.app_context():
        msg = render(db_session, mail)
    return links(msg.get_body().get_content())
