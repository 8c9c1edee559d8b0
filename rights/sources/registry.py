"""The data source registry: a declarative TOML file per source, validated and stored.

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

The connection URL of an SQL source is a secret: it is never part of the stored mapping and
is kept encrypted (:func:`set_source_url`). A TOML ``url`` key is accepted for convenience
and encrypted on load.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rights.audit import Actor, record
from rights.crypto import decrypt, encrypt
from rights.errors import NotFound, SourceError, ValidationFailed
from rights.identifiers import is_email_address
from rights.models.org import Organisation
from rights.models.source import DataSource, SourceKind

__all__ = [
    "IDENTITY_ROLES",
    "SourceSpec",
    "TableSpec",
    "load_source",
    "parse_source_toml",
    "set_source_url",
    "source_url",
    "table_specs",
]

IDENTITY_ROLES = frozenset(
    {"email", "phone", "customer_number", "postcode", "house_number", "name"}
)
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
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


@dataclass(frozen=True)
class Hold:
    """A retention hold: these columns stay after erasure, for this ground and period."""

    columns: tuple[str, ...]
    ground: str
    period: str


@dataclass(frozen=True)
class Link:
    column: str
    table: str
    references: str


@dataclass(frozen=True)
class TableSpec:
    name: str
    primary_key: str
    identity: Mapping[str, str] = field(default_factory=dict)  # role -> column
    columns: Mapping[str, str] = field(default_factory=dict)  # column -> category
    erasure: str = "delete"
    anonymise: tuple[str, ...] = ()
    link: Link | None = None
    hold: Hold | None = None
    restrict_column: str | None = None

    def all_columns(self) -> set[str]:
        names = {self.primary_key, *self.identity.values(), *self.columns, *self.anonymise}
        if self.link:
            names.add(self.link.column)
        if self.hold:
            names.update(self.hold.columns)
        if self.restrict_column:
            names.add(self.restrict_column)
        return names

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "primary_key": self.primary_key,
            "identity": dict(self.identity),
            "columns": dict(self.columns),
            "erasure": self.erasure,
            "anonymise": list(self.anonymise),
        }
        if self.link:
            data["link"] = {
                "column": self.link.column,
                "table": self.link.table,
                "references": self.link.references,
            }
        if self.hold:
            data["hold"] = {
                "columns": list(self.hold.columns),
                "ground": self.hold.ground,
                "period": self.hold.period,
            }
        if self.restrict_column:
            data["restrict_column"] = self.restrict_column
        return data


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

    def mapping(self) -> dict[str, Any]:
        if self.kind is SourceKind.SQL:
            return {"tables": [t.as_json() for t in self.tables]}
        if self.kind is SourceKind.MANUAL:
            return dict(self.manual)
        return {}


def _fail(message: str, **params: Any) -> ValidationFailed:
    return ValidationFailed(message, code="bad_source_definition", **params)


def _str(data: Mapping[str, Any], key: str, *, required: bool = False, where: str = "") -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise _fail(f"{where}{key} must be text", key=key)
    if required and not value.strip():
        raise _fail(f"{where}{key} is required", key=key)
    return value.strip()


def _strs(data: Mapping[str, Any], key: str, *, where: str = "") -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(f"{where}{key} must be a list of texts", key=key)
    return tuple(v.strip() for v in value if v.strip())


def _ident(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise _fail(f"{what} is not a valid table or column name", name=str(value)[:80])
    return value


def _table(data: Any, index: int) -> TableSpec:
    where = f"tables[{index}]."
    if not isinstance(data, dict):
        raise _fail(f"{where} must be a table")
    name = _ident(data.get("name"), f"{where}name")
    pk = _ident(data.get("primary_key", "id"), f"{where}primary_key")
    identity = data.get("identity", {})
    if not isinstance(identity, dict):
        raise _fail(f"{where}identity must be a table")
    for role, column in identity.items():
        if role not in IDENTITY_ROLES:
            raise _fail(f"{where}identity has an unknown role {role!r}", role=role)
        _ident(column, f"{where}identity.{role}")
    if ("postcode" in identity) != ("house_number" in identity):
        raise _fail(f"{where}identity needs postcode and house_number together")
    columns = data.get("columns", {})
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        raise _fail(f"{where}columns must map column names to categories")
    for column in columns:
        _ident(column, f"{where}columns")
    erasure = data.get("erasure", "delete")
    if erasure not in ("delete", "anonymise"):
        raise _fail(f"{where}erasure must be delete or anonymise", erasure=str(erasure))
    anonymise = tuple(_ident(c, f"{where}anonymise") for c in _strs(data, "anonymise"))
    if erasure == "anonymise" and not anonymise:
        raise _fail(f"{where}anonymise must name the columns to anonymise")
    if pk in anonymise:
        raise _fail(f"{where}the primary key cannot be anonymised")
    link = None
    if "link" in data:
        raw = data["link"]
        if not isinstance(raw, dict):
            raise _fail(f"{where}link must be a table")
        link = Link(
            column=_ident(raw.get("column"), f"{where}link.column"),
            table=_ident(raw.get("table"), f"{where}link.table"),
            references=_ident(raw.get("references", "id"), f"{where}link.references"),
        )
    if not identity and link is None:
        raise _fail(f"{where}needs identity columns or a link to a table that has them")
    hold = None
    if "hold" in data:
        raw = data["hold"]
        if not isinstance(raw, dict):
            raise _fail(f"{where}hold must be a table")
        held = tuple(_ident(c, f"{where}hold.columns") for c in _strs(raw, "columns"))
        if not held:
            raise _fail(f"{where}hold.columns must name the columns kept")
        hold = Hold(
            columns=held,
            ground=_str(raw, "ground", required=True, where=f"{where}hold."),
            period=_str(raw, "period", required=True, where=f"{where}hold."),
        )
    restrict = data.get("restrict_column")
    return TableSpec(
        name=name,
        primary_key=pk,
        identity=dict(identity),
        columns=dict(columns),
        erasure=erasure,
        anonymise=anonymise,
        link=link,
        hold=hold,
        restrict_column=_ident(restrict, f"{where}restrict_column") if restrict else None,
    )


def _check_links(tables: tuple[TableSpec, ...]) -> None:
    by_name = {t.name: t for t in tables}
    if len(by_name) != len(tables):
        raise _fail("a table is mapped twice")
    for table in tables:
        seen = {table.name}
        current = table
        while current.link is not None:
            parent = by_name.get(current.link.table)
            if parent is None:
                raise _fail(
                    f"table {current.name} links to unmapped table {current.link.table}",
                    table=current.name,
                )
            if parent.name in seen:
                raise _fail("tables link to each other in a circle", table=table.name)
            seen.add(parent.name)
            current = parent
        if not current.identity:
            raise _fail(f"table {table.name} leads to no identity columns", table=table.name)


def parse_source_toml(text: str) -> SourceSpec:
    """Parse and validate one source definition; raises ValidationFailed with the reason."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _fail(f"not valid TOML: {exc}") from exc
    slug = _str(data, "slug", required=True)
    if not _SLUG.fullmatch(slug):
        raise _fail("slug must be lower-case letters, digits and hyphens", slug=slug[:80])
    try:
        kind = SourceKind(str(data.get("kind", "")))
    except ValueError as exc:
        raise _fail("kind must be sql, file or manual") from exc
    bases = _strs(data, "legal_basis")
    for basis in bases:
        if basis not in LEGAL_BASES:
            raise _fail(f"unknown legal basis {basis!r}", legal_basis=basis)
    purposes = _strs(data, "purposes")
    if not purposes:
        raise _fail("at least one purpose is required (Art. 15(1)(a))")
    recipients = []
    raw_recipients = data.get("recipients", [])
    if not isinstance(raw_recipients, list):
        raise _fail("recipients must be a list of tables")
    for index, raw in enumerate(raw_recipients):
        where = f"recipients[{index}]."
        if not isinstance(raw, dict):
            raise _fail(f"{where} must be a table")
        contact = _str(raw, "contact_email", where=where)
        if contact and not is_email_address(contact):
            raise _fail(f"{where}contact_email is not an e-mail address")
        recipients.append(
            {
                "name": _str(raw, "name", required=True, where=where),
                "role": _str(raw, "role", where=where) or "recipient",
                "contact_email": contact,
                "country": _str(raw, "country", where=where),
            }
        )
    tables: tuple[TableSpec, ...] = ()
    manual: dict[str, Any] = {}
    url = data.get("url")
    if kind is SourceKind.SQL:
        raw_tables = data.get("tables", [])
        if not isinstance(raw_tables, list) or not raw_tables:
            raise _fail("an SQL source needs at least one [[tables]] entry")
        tables = tuple(_table(raw, i) for i, raw in enumerate(raw_tables))
        _check_links(tables)
        if url is not None and not isinstance(url, str):
            raise _fail("url must be text")
    elif kind is SourceKind.MANUAL:
        raw_manual = data.get("manual", {})
        if not isinstance(raw_manual, dict):
            raise _fail("manual must be a table")
        email = _str(raw_manual, "assignee_email", required=True, where="manual.")
        if not is_email_address(email):
            raise _fail("manual.assignee_email is not an e-mail address")
        days = raw_manual.get("due_days", 7)
        if not isinstance(days, int) or not 1 <= days <= 60:
            raise _fail("manual.due_days must be a number of days from 1 to 60")
        manual = {
            "assignee_name": _str(raw_manual, "assignee_name", required=True, where="manual."),
            "assignee_email": email,
            "due_days": days,
            "instructions": _str(raw_manual, "instructions", where="manual."),
        }
    return SourceSpec(
        slug=slug,
        name=_str(data, "name", required=True),
        kind=kind,
        owner=_str(data, "owner", required=True),
        purposes=purposes,
        legal_basis=bases,
        categories=_strs(data, "categories"),
        retention=_str(data, "retention"),
        source_of_data=_str(data, "source_of_data"),
        backup_rotation=_str(data, "backup_rotation"),
        recipients=tuple(recipients),
        tables=tables,
        manual=manual,
        url=url if isinstance(url, str) and url else None,
    )


def table_specs(source: DataSource) -> tuple[TableSpec, ...]:
    """The stored mapping of an SQL source, validated again (it may predate a rule)."""
    raw = source.mapping.get("tables", [])
    tables = tuple(_table(t, i) for i, t in enumerate(raw))
    _check_links(tables)
    return tables


def _url_ad(source: DataSource) -> bytes:
    return f"data_source:{source.slug}".encode()


def set_source_url(source: DataSource, url: str, *, key: bytes) -> None:
    """Store an SQLAlchemy URL encrypted; the plaintext is never stored or logged."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        make_url(url)
    except ArgumentError as exc:
        raise ValidationFailed("not a database URL", code="bad_source_url") from exc
    source.url_enc = encrypt(key, url.encode(), _url_ad(source))


def source_url(source: DataSource, *, key: bytes) -> str:
    if source.url_enc is None:
        raise SourceError("The source has no database URL.", code="no_url", source=source.slug)
    return decrypt(key, source.url_enc, _url_ad(source)).decode()


def load_source(
    session: Session,
    spec: SourceSpec,
    *,
    actor: Actor,
    now: datetime,
    key: bytes,
    url: str | None = None,
) -> DataSource:
    """Create or update the source ``spec.slug`` (flushes, audits)."""
    owner = session.scalar(select(Organisation).where(Organisation.slug == spec.owner))
    if owner is None:
        raise NotFound("The owner organisation does not exist.", code="unknown_owner")
    source = session.scalar(select(DataSource).where(DataSource.slug == spec.slug))
    created = source is None
    if source is None:
        source = DataSource(slug=spec.slug, kind=spec.kind, created_at=now)
        session.add(source)
    elif source.kind is not spec.kind:
        raise ValidationFailed("A source cannot change its kind.", code="kind_changed")
    source.name = spec.name
    source.organisation_id = owner.id
    source.purposes = list(spec.purposes)
    source.legal_basis = list(spec.legal_basis)
    source.categories = list(spec.categories)
    source.retention = spec.retention
    source.source_of_data = spec.source_of_data
    source.backup_rotation = spec.backup_rotation
    source.recipients = [dict(r) for r in spec.recipients]
    source.mapping = spec.mapping()
    source.updated_at = now
    url = url or spec.url
    if url:
        set_source_url(source, url, key=key)
    elif spec.kind is SourceKind.SQL and source.url_enc is None:
        raise ValidationFailed("An SQL source needs a database URL.", code="no_url")
    session.flush()
    record(
        session,
        "source.created" if created else "source.updated",
        actor=actor,
        now=now,
        object_type="data_source",
        object_id=source.id,
        data={"slug": source.slug, "kind": source.kind.value, "url_set": bool(url)},
    )
    return source
