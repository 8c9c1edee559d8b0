"""Source definitions: one declarative TOML file per source, parsed and validated into a
:class:`SourceSpec` (Art. 15(1) information, recipients, and the mapping of an SQL source or
the assignee of a manual one). This is the one place a definition's fields are read; add a
field here (the dataclass, its parsing, and ``SourceSpec.mapping`` when it is stored).

Example (``sources/crm.toml``)::

    slug = "crm"
    name = "Klantenbestand (CRM)"
    kind = "sql"                      # sql | file | manual
    owner = "bakkerij-jansen"         # organisation slug (operator or a controller)
    purposes = ["Klantenadministratie"]
    legal_basis = ["contract"]
    categories = ["Contactgegevens", "Bestellingen"]
    retention = "Tot 2 jaar na de laatste bestelling"
    backup_rotation = "35 dagen"

    [[recipients]]
    name = "Mailhuis B.V."
    role = "sub-processor"
    contact_email = "privacy@mailhuis.example"

    [[tables]]
    name = "customer"
    primary_key = "id"
    identity = { email = "email", phone = "phone", postcode = "postcode",
                 house_number = "house_number", name = "name" }
    columns = { name = "contact", email = "contact", phone = "contact" }
    erasure = "anonymise"             # delete | anonymise
    anonymise = ["name", "email", "phone"]

    [[tables]]
    name = "invoice"
    primary_key = "id"
    link = { column = "customer_id", table = "customer", references = "id" }
    columns = { billing_name = "billing", amount = "billing" }
    erasure = "delete"
    hold = { columns = ["amount", "customer_id"], ground = "Art. 17(3)(b) ...",
             period = "7 jaar" }

The connection URL of an SQL source is a secret and not part of the definition's mapping; a
TOML ``url`` key is accepted for convenience (``SourceSpec.url``) and encrypted on load by
:mod:`rights.sources.registry`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rights.identifiers import is_email_address
from rights.models.source import SourceKind
from rights.sources.labels import parse_labels
from rights.sources.legal_info import parse_legal_info
from rights.sources.mapping import (
    IDENTITY_ROLES,
    Hold,
    Link,
    TableSpec,
    definition_error,
    parse_tables,
    table_specs,
    text_list,
    text_value,
)

__all__ = [
    "IDENTITY_ROLES",
    "LEGAL_BASES",
    "Hold",
    "Link",
    "SourceSpec",
    "TableSpec",
    "parse_source_toml",
    "table_specs",
]

LEGAL_BASES = frozenset(
    {
        "consent",
        "contract",
        "legal_obligation",
        "vital_interests",
        "public_task",
        "legitimate_interests",
    }
)
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")


@dataclass(frozen=True)
class SourceSpec:
    slug: str
    name: str
    kind: SourceKind
    owner: str
    purposes: tuple[str, ...]
    legal_basis: tuple[str, ...]
    categories: tuple[str, ...] = ()
    retention: str = ""
    source_of_data: str = ""
    backup_rotation: str = ""
    recipients: tuple[dict[str, str], ...] = ()
    tables: tuple[TableSpec, ...] = ()
    manual: Mapping[str, Any] = field(default_factory=dict)
    url: str | None = None
    # Art. 15(1)(g)/(h), 15(2) and per-category basis and provenance (rights.sources.legal_info).
    legal: Mapping[str, Any] = field(default_factory=dict)
    # Human labels (NL/EN) of columns, categories and tables (rights.sources.labels).
    labels: Mapping[str, Any] = field(default_factory=dict)

    def mapping(self) -> dict[str, Any]:
        legal = {"legal": dict(self.legal)} if self.legal else {}
        if self.labels:
            legal["labels"] = dict(self.labels)
        if self.kind is SourceKind.SQL:
            return {"tables": [t.as_json() for t in self.tables], **legal}
        if self.kind is SourceKind.MANUAL:
            return {**dict(self.manual), **legal}
        return legal


def parse_source_toml(text: str) -> SourceSpec:
    """Parse and validate one source definition; raises ValidationFailed with the reason."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise definition_error(f"not valid TOML: {exc}") from exc
    slug = text_value(data, "slug", required=True)
    if not _SLUG.fullmatch(slug):
        raise definition_error(
            "slug must be lower-case letters, digits and hyphens", slug=slug[:80]
        )
    try:
        kind = SourceKind(str(data.get("kind", "")))
    except ValueError as exc:
        raise definition_error("kind must be sql, file or manual") from exc
    bases = text_list(data, "legal_basis")
    for basis in bases:
        if basis not in LEGAL_BASES:
            raise definition_error(f"unknown legal basis {basis!r}", legal_basis=basis)
    purposes = text_list(data, "purposes")
    if not purposes:
        raise definition_error("at least one purpose is required (Art. 15(1)(a))")
    recipients = _recipients(data)
    tables = _tables(data) if kind is SourceKind.SQL else ()
    url = data.get("url")
    if kind is SourceKind.SQL and url is not None and not isinstance(url, str):
        raise definition_error("url must be text")
    manual = _manual(data) if kind is SourceKind.MANUAL else {}
    return SourceSpec(
        slug=slug,
        name=text_value(data, "name", required=True),
        kind=kind,
        owner=text_value(data, "owner", required=True),
        purposes=purposes,
        legal_basis=bases,
        categories=text_list(data, "categories"),
        retention=text_value(data, "retention"),
        source_of_data=text_value(data, "source_of_data"),
        backup_rotation=text_value(data, "backup_rotation"),
        recipients=recipients,
        tables=tables,
        manual=manual,
        url=url if isinstance(url, str) and url else None,
        legal=parse_legal_info(data),
        labels=parse_labels(data),
    )


def _recipients(data: Mapping[str, Any]) -> tuple[dict[str, str], ...]:
    """The named recipients (Art. 15(1)(c), CJEU C-154/21), told of changes under Art. 19."""
    raw_recipients = data.get("recipients", [])
    if not isinstance(raw_recipients, list):
        raise definition_error("recipients must be a list of tables")
    recipients = []
    for index, raw in enumerate(raw_recipients):
        where = f"recipients[{index}]."
        if not isinstance(raw, dict):
            raise definition_error(f"{where} must be a table")
        contact = text_value(raw, "contact_email", where=where)
        if contact and not is_email_address(contact):
            raise definition_error(f"{where}contact_email is not an e-mail address")
        recipients.append(
            {
                "name": text_value(raw, "name", required=True, where=where),
                "role": text_value(raw, "role", where=where) or "recipient",
                "contact_email": contact,
                "country": text_value(raw, "country", where=where),
            }
        )
    return tuple(recipients)


def _tables(data: Mapping[str, Any]) -> tuple[TableSpec, ...]:
    raw_tables = data.get("tables", [])
    if not isinstance(raw_tables, list) or not raw_tables:
        raise definition_error("an SQL source needs at least one [[tables]] entry")
    return parse_tables(raw_tables)


def _manual(data: Mapping[str, Any]) -> dict[str, Any]:
    """The named person who searches a manual source, and in how many days."""
    raw_manual = data.get("manual", {})
    if not isinstance(raw_manual, dict):
        raise definition_error("manual must be a table")
    email = text_value(raw_manual, "assignee_email", required=True, where="manual.")
    if not is_email_address(email):
        raise definition_error("manual.assignee_email is not an e-mail address")
    days = raw_manual.get("due_days", 7)
    if not isinstance(days, int) or not 1 <= days <= 60:
        raise definition_error("manual.due_days must be a number of days from 1 to 60")
    return {
        "assignee_name": text_value(raw_manual, "assignee_name", required=True, where="manual."),
        "assignee_email": email,
        "due_days": days,
        "instructions": text_value(raw_manual, "instructions", where="manual."),
    }
