"""Certificates for the controller as JSON and PDF (docs/controllers.md, "Results back to
the controller"): of an executed erasure or rectification, of a data file's deletion, and of
the deletions at the end of the contract.

The JSON has a stable schema (``schema``, ``version``; documented in docs/controllers.md);
times are Amsterdam time with their offset. The PDF is the HTML of
``templates/certificates/`` rendered by WeasyPrint, in the reader's language. Each download is
audited (``certificate.downloaded``, with the kind and the format).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from operations.context import Context
from operations.texts import Texts
from rights.audit import record
from rights.controllers.certificates import ActionCertificate, ContractEndCertificate
from rights.deadlines import AMSTERDAM
from rights.models.controller import DataFileDeletion
from rights.models.source import ActionKind

__all__ = [
    "SCHEMA",
    "VERSION",
    "Rendered",
    "action_json",
    "approved_by",
    "contract_end_json",
    "deletion_json",
    "download",
    "render_html",
    "render_pdf",
]

SCHEMA = "dsr-portal/certificate"
VERSION = 1
TYPES = {ActionKind.ERASE: "erasure", ActionKind.RECTIFY: "rectification"}
TEMPLATES = {
    "erasure": "certificates/action.html",
    "rectification": "certificates/action.html",
    "data_file_deletion": "certificates/deletion.html",
    "contract_end": "certificates/contract_end.html",
}
Certificate = ActionCertificate | DataFileDeletion | ContractEndCertificate


@dataclass(frozen=True)
class Rendered:
    """A certificate ready to send: its bytes, media type and file name."""

    data: bytes
    mimetype: str
    filename: str


def _local(value: datetime | None) -> str | None:
    return value.astimezone(AMSTERDAM).isoformat() if value is not None else None


def _head(kind: str) -> dict[str, Any]:
    """Times are ISO 8601 in Amsterdam time with their offset; ``time_zone`` names the zone
    so a reader of the JSON need not guess it from ``+01:00`` (docs/controllers.md)."""
    return {"schema": SCHEMA, "version": VERSION, "type": kind, "time_zone": "Europe/Amsterdam"}


def approved_by(cert: ActionCertificate, texts: Texts) -> str:
    """Who approved, in words: the contact's name, or for an instruction the controller's
    system sent over the API, that system with the key's label and prefix."""
    if cert.instructed_via != "api":
        return cert.approved_by
    if cert.api_key_label:
        return texts.gettext(
            "The system of %(controller)s, with its API key “%(label)s” (%(prefix)s…)",
            controller=cert.organisation, label=cert.api_key_label, prefix=cert.api_key_prefix,
        )  # fmt: skip
    return texts.gettext(
        "The system of %(controller)s, with its API key %(prefix)s…",
        controller=cert.organisation, prefix=cert.api_key_prefix,
    )  # fmt: skip


def _instruction(cert: ActionCertificate) -> dict[str, Any] | None:
    if not cert.instructed:
        return None
    if cert.instructed_via != "api":
        return {"via": "contact", "contact": cert.approved_by}
    return {"via": "api", "api_key": {"label": cert.api_key_label, "prefix": cert.api_key_prefix}}


def action_json(cert: ActionCertificate, texts: Texts) -> dict[str, Any]:
    """The JSON of an action's certificate; ``approved_by`` in ``texts``' language."""
    return {
        **_head(TYPES[cert.kind]),
        "id": cert.action_id,
        "request_reference": cert.reference,
        "controller": cert.organisation,
        "processor": cert.processor,
        "source": cert.source,
        "executed_at": _local(cert.executed_at),
        "executed_by": cert.executed_by,
        "approved_by": approved_by(cert, texts),
        "approved_at": _local(cert.approved_at),
        "approval": "instruction" if cert.instructed else "approval",
        "instruction": _instruction(cert),
        "operations": [
            {
                "table": op.table,
                "effect": op.effect,
                "records": op.records,
                "fields": list(op.fields),
            }
            for op in cert.operations
        ],
        "kept": [
            {
                "table": k.table,
                "records": k.records,
                "fields": list(k.fields),
                "ground": k.ground,
                "period": k.period,
            }
            for k in cert.kept
        ],
        "backup_rotation": cert.backup_rotation,
    }


def _deletion(deletion: DataFileDeletion) -> dict[str, Any]:
    return {
        "id": deletion.id,
        "file": deletion.filename,
        "source": deletion.source_name,
        "records": deletion.row_count,
        "uploaded_at": _local(deletion.uploaded_at),
        "retention_until": _local(deletion.expires_at),
        "deleted_at": _local(deletion.deleted_at),
        "reason": deletion.reason,
    }


def deletion_json(deletion: DataFileDeletion, *, controller: str, processor: str) -> dict[str, Any]:
    return {
        **_head("data_file_deletion"),
        "controller": controller,
        "processor": processor,
        **_deletion(deletion),
    }


def contract_end_json(cert: ContractEndCertificate) -> dict[str, Any]:
    return {
        **_head("contract_end"),
        "controller": cert.organisation,
        "processor": cert.processor,
        "ended_at": _local(cert.ended_at),
        "data_files": [_deletion(d) for d in cert.deletions],
        "records_deleted": sum(d.row_count for d in cert.deletions),
        "suppression_entries_deleted": cert.suppression_entries,
        "sources_disconnected": list(cert.sources),
    }


def render_html(ctx: Context, payload: dict[str, Any], cert: Certificate) -> str:
    """The certificate's HTML in the context's language (what WeasyPrint is given)."""
    texts = ctx.texts()
    return texts.render(TEMPLATES[payload["type"]], c=payload, cert=cert, texts=texts)


def render_pdf(html: str) -> bytes:
    # Imported here: WeasyPrint loads Pango and its fonts, which only a PDF download needs.
    from weasyprint import HTML

    pdf = HTML(string=html).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def download(
    ctx: Context, payload: dict[str, Any], cert: Certificate, fmt: str, *, object_id: int
) -> Rendered:
    """The certificate as ``json`` or ``pdf``, audited as downloaded (flushes)."""
    name = f"certificate-{payload['type'].replace('_', '-')}-{object_id}"
    if fmt == "json":
        body = json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True).encode()
        rendered = Rendered(body, "application/json", f"{name}.json")
    else:
        rendered = Rendered(
            render_pdf(render_html(ctx, payload, cert)), "application/pdf", f"{name}.pdf"
        )
    record(
        ctx.session,
        "certificate.downloaded",
        actor=ctx.actor,
        now=ctx.now(),
        object_type=payload["type"],
        object_id=object_id,
        data={"format": fmt},
    )
    return rendered
