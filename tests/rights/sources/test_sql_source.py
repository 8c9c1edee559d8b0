"""The SQL connector against real SQLite and PostgreSQL databases built by the tests:
mapping errors, discovery, and every changing action previewed and then executed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from exporters.from_sources import to_package
from rights.actions import execute_action, prepare_action
from rights.audit import Actor
from rights.errors import PermissionDenied, SourceError, ValidationFailed
from rights.models.audit import AuditEvent
from rights.models.source import ActionKind, MatchStatus, SourceKind, SubjectMatch
from rights.requests import Requester
from rights.righttypes import ErasureDetails, RestrictionDetails
from rights.sources.copies import export_copies
from rights.sources.definition import parse_source_toml, table_specs
from rights.sources.discovery import discover
from rights.sources.erasure import erasure_summary
from rights.sources.matching import decide_match
from rights.sources.registry import set_source_url, source_url
from rights.sources.sqlsource import SqlSource
from rights.sources.subject import SubjectKeys
from tests.rights.sources.conftest import CRM_TOML, KEY, crm_rows

PIETER = Requester(
    name="Pieter Smit",
    email="p.smit@example.nl",
    phone="+31 6 12345678",
    address="Dorpsstraat 12, 1234 AB Dorp",
)


@pytest.fixture
def officers(make_user):
    return make_user(), make_user()


def _discover_and_confirm(db_session, request, officer, now):
    report = discover(db_session, request, actor=Actor.user(officer.id), now=now, key=KEY)
    assert report.errors == []
    for match in db_session.scalars(
        select(SubjectMatch).where(SubjectMatch.request_id == request.id)
    ):
        decide_match(db_session, match, confirm=True, actor=Actor.user(officer.id), now=now)
    return report


def test_url_is_stored_encrypted(crm_source, crm_url):
    assert crm_url.encode() not in crm_source.url_enc
    assert "url" not in str(crm_source.mapping)
    assert source_url(crm_source, key=KEY) == crm_url


def test_discovery_finds_by_email_phone_and_address_with_name(
    db_session, crm_source, make_request, officers, now
):
    request = make_request(ErasureDetails(), requester=PIETER)
    report = discover(db_session, request, actor=Actor.user(officers[0].id), now=now, key=KEY)
    matches = db_session.scalars(
        select(SubjectMatch).where(SubjectMatch.request_id == request.id)
    ).all()
    # Customer 1 (e-mail in another case), not customer 3 (same address, other name, Piet).
    assert [(m.locator["table"], m.locator["pk"]) for m in matches] == [("customer", 1)]
    assert matches[0].matched_by == "email"
    assert report.found == 1 and report.new == 1
    # Running again adds nothing.
    assert (
        discover(db_session, request, actor=Actor.user(officers[0].id), now=now, key=KEY).new == 0
    )

    sql = SqlSource(crm_url_of(crm_source), table_specs(crm_source))
    by_phone = sql.find(SubjectKeys(phones=("+31612345678",)))
    by_address = sql.find(SubjectKeys(addresses=(("piet smit", "1234AB", "12"),)))
    sql.dispose()
    assert [(r.pk, how) for r, how in by_phone] == [(1, "phone")]
    assert [(r.pk, how) for r, how in by_address] == [(3, "address_name")]


def crm_url_of(source):
    return source_url(source, key=KEY)


def test_erasure_preview_equals_execution_and_hold_keeps_exactly_held_columns(
    db_session, crm_source, crm_url, make_request, officers, now
):
    preparer, executor = officers
    request = make_request(ErasureDetails(), requester=PIETER)
    _discover_and_confirm(db_session, request, preparer, now)
    action = prepare_action(
        db_session,
        request,
        crm_source,
        ActionKind.ERASE,
        actor=Actor.user(preparer.id),
        now=now,
        key=KEY,
    )
    preview = [dict(op) for op in action.plan]
    # The preview changed nothing.
    assert len(crm_rows(crm_url, "orders")) == 3
    assert crm_rows(crm_url, "customer")[0]["email"] == "P.Smit@Example.nl"

    with pytest.raises(PermissionDenied):
        execute_action(db_session, action, actor=Actor.user(preparer.id), now=now, key=KEY)
    execute_action(db_session, action, actor=Actor.user(executor.id), now=now, key=KEY)
    assert action.result["executed"] == preview

    customers = {r["id"]: r for r in crm_rows(crm_url, "customer")}
    assert customers[1]["name"] is None and customers[1]["email"] is None
    assert customers[1]["customer_no"] == "K-1001"  # mapped but not in the anonymise list
    assert customers[2]["email"] == "anna@example.nl"  # other subjects untouched
    assert [o["id"] for o in crm_rows(crm_url, "orders")] == [12]
    invoices = {r["id"]: r for r in crm_rows(crm_url, "invoice")}
    held = invoices[20]
    # Held: invoice_no, amount, issued_on kept; the other personal columns erased.
    assert (held["invoice_no"], Decimal(held["amount"]), str(held["issued_on"])) == (
        "F-1",
        Decimal(23),
        "2025-01-02",
    )
    assert held["billing_name"] == "" and held["billing_address"] is None
    assert invoices[21]["billing_name"] == "Anna Bakker"

    summary = erasure_summary(db_session, request)
    assert summary.kept == (
        {
            "source": crm_source.name,
            "table": "invoice",
            "rows": 1,
            "columns": ["invoice_no", "amount", "issued_on"],
            "ground": "Art. 17(3)(b): fiscale bewaarplicht (art. 52 AWR)",
            "period": "7 jaar",
        },
    )
    assert {(e["table"], e["rows"]) for e in summary.erased} == {("customer", 1), ("orders", 2)}
    assert summary.backups == ({"source": crm_source.name, "rotation": "35 dagen"},)

    event = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "source_action.executed")
    ).all()[-1]
    text = str(event.data)
    assert "Smit" not in text and "example.nl" not in text and "F-1" not in text
    ops = {(o["table"], o["op"]) for o in event.data["operations"]}
    assert ("orders", "delete") in ops and ("invoice", "update") in ops
    invoice_op = next(o for o in event.data["operations"] if o["table"] == "invoice")
    assert invoice_op["before"]["billing_name"].startswith("value:")
    assert invoice_op["kept"] == ["amount", "invoice_no", "issued_on"]


def test_failure_in_the_middle_leaves_the_source_unchanged(
    db_session, crm_source, crm_url, make_request, officers, now, failing_writes
):
    preparer, executor = officers
    request = make_request(ErasureDetails(), requester=PIETER)
    _discover_and_confirm(db_session, request, preparer, now)
    action = prepare_action(
        db_session,
        request,
        crm_source,
        ActionKind.ERASE,
        actor=Actor.user(preparer.id),
        now=now,
        key=KEY,
    )
    before = {t: crm_rows(crm_url, t) for t in ("customer", "orders", "invoice")}
    with failing_writes(SourceKind.SQL, after=2) as failing, pytest.raises(SourceError):
        execute_action(db_session, action, actor=Actor.user(executor.id), now=now, key=KEY)
    assert [view.written for view in failing.views] == [2]  # two rows were changed, then
    assert {t: crm_rows(crm_url, t) for t in before} == before
    assert action.status.value == "prepared"


def test_changed_data_since_preview_is_refused(
    db_session, crm_source, crm_url, make_request, officers, now
):
    from sqlalchemy import create_engine, text

    preparer, executor = officers
    request = make_request(ErasureDetails(), requester=PIETER)
    _discover_and_confirm(db_session, request, preparer, now)
    action = prepare_action(
        db_session,
        request,
        crm_source,
        ActionKind.ERASE,
        actor=Actor.user(preparer.id),
        now=now,
        key=KEY,
    )
    engine = create_engine(crm_url)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO orders (id, customer_id, product, amount) VALUES (13, 1, 'x', 1)")
        )
    engine.dispose()
    with pytest.raises(SourceError) as info:
        execute_action(db_session, action, actor=Actor.user(executor.id), now=now, key=KEY)
    assert info.value.code == "changed_since_preview"
    assert len(crm_rows(crm_url, "orders")) == 4


def test_restrict_and_rectify_preview_equals_execution(
    db_session, crm_source, crm_url, make_request, officers, now
):
    officer = officers[0]
    request = make_request(RestrictionDetails(), requester=PIETER)
    _discover_and_confirm(db_session, request, officer, now)
    actor = Actor.user(officer.id)
    restrict = prepare_action(
        db_session, request, crm_source, ActionKind.RESTRICT, actor=actor, now=now, key=KEY
    )
    assert restrict.plan == [
        {"op": "update", "table": "customer", "pk": 1, "set": {"restricted": True}}
    ]
    execute_action(db_session, restrict, actor=actor, now=now, key=KEY)
    assert restrict.result["executed"] == restrict.plan
    assert [bool(r["restricted"]) for r in crm_rows(crm_url, "customer")] == [True, False, False]

    with pytest.raises(ValidationFailed):
        prepare_action(
            db_session,
            request,
            crm_source,
            ActionKind.RECTIFY,
            actor=actor,
            now=now,
            key=KEY,
            params={"table": "customer", "column": "id", "value": "9"},
        )
    rectify = prepare_action(
        db_session,
        request,
        crm_source,
        ActionKind.RECTIFY,
        actor=actor,
        now=now,
        key=KEY,
        params={"table": "customer", "column": "house_number", "value": "12A"},
    )
    execute_action(db_session, rectify, actor=actor, now=now, key=KEY)
    assert rectify.result["executed"] == rectify.plan
    assert [r["house_number"] for r in crm_rows(crm_url, "customer")] == ["12A", "1", "12"]


def test_export_gives_records_per_category_and_the_art15_information(
    db_session, crm_source, make_request, officers, now
):
    request = make_request(requester=PIETER)
    _discover_and_confirm(db_session, request, officers[0], now)
    (copy,) = export_copies(db_session, request, key=KEY)
    assert copy.purposes == ("Klantenadministratie en facturatie",)
    assert [r["name"] for r in copy.recipients] == ["Boekhouder B.V.", "Hosting Noord B.V."]
    by_key = {c.key: c for c in copy.categories}
    assert by_key["customer.Contactgegevens"].records[0]["email"] == "P.Smit@Example.nl"
    assert [r["product"] for r in by_key["orders.Bestellingen"].records] == ["Brood", "Taart"]
    assert [r["invoice_no"] for r in by_key["invoice.Facturen"].records] == ["F-1"]

    package = to_package(
        copies=[copy],
        reference=request.reference,
        language=request.language,
        right=request.right.value,
        received_at=request.received_at,
        generated_at=now,
        subject_name=request.requester_name,
    )
    (section,) = package.sources
    assert section.info.recipients[0].name == "Boekhouder B.V."
    assert {c.key for c in section.categories} == set(by_key)


def test_rejected_match_is_not_acted_on(db_session, crm_source, make_request, officers, now):
    request = make_request(ErasureDetails(), requester=PIETER)
    actor = Actor.user(officers[0].id)
    discover(db_session, request, actor=actor, now=now, key=KEY)
    (match,) = db_session.scalars(select(SubjectMatch).where(SubjectMatch.request_id == request.id))
    decide_match(db_session, match, confirm=False, actor=actor, now=now)
    assert match.status is MatchStatus.REJECTED
    with pytest.raises(ValidationFailed):
        prepare_action(
            db_session, request, crm_source, ActionKind.ERASE, actor=actor, now=now, key=KEY
        )


@pytest.mark.parametrize(
    ("change", "code", "params"),
    [
        (('name = "invoice"', 'name = "invoices"'), "missing_table", {"table": "invoices"}),
        (('billing_address = "Facturen"', 'billing_adres = "Facturen"'), "missing_column",
         {"table": "invoice", "column": "billing_adres"}),
    ],
)  # fmt: skip
def test_mapping_errors_are_clear_source_errors(crm_url, change, code, params):
    spec = parse_source_toml(CRM_TOML.format(suffix="x", owner="o").replace(*change))
    sql = SqlSource(crm_url, spec.tables, slug="crm")
    with pytest.raises(SourceError) as info:
        sql.find(SubjectKeys(emails=("p.smit@example.nl",)))
    sql.dispose()
    assert info.value.code == code
    assert {k: info.value.params[k] for k in params} == params


def test_unreachable_database_is_reported_and_discovery_continues(
    db_session, crm_source, make_request, officers, now, tmp_path
):
    set_source_url(crm_source, f"sqlite:///{tmp_path / 'missing' / 'gone.sqlite'}", key=KEY)
    request = make_request(requester=PIETER)
    report = discover(db_session, request, actor=Actor.user(officers[0].id), now=now, key=KEY)
    assert report.errors == [(crm_source.slug, "unreachable")]


def test_unreachable_postgres_server():
    sql = SqlSource("postgresql://nobody@127.0.0.1:9/none", (), slug="x", timeout_seconds=1)
    with pytest.raises(SourceError) as info:
        sql.check()
    assert info.value.code == "unreachable"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('table = "customer", references', 'table = "klant", references'), "unmapped table"),
        (("purposes = [", "purposes = [] #"), "purpose"),
        (('erasure = "anonymise"', 'erasure = "shred"'), "erasure"),
        (('email = "email", phone', 'mail = "email", phone'), "unknown role"),
        (('name = "orders"', 'name = "orders; drop"'), "not a valid"),
    ],
)
def test_bad_definitions_are_refused_with_the_reason(change, message):
    text = CRM_TOML.format(suffix="x", owner="o").replace(*change, 1)
    with pytest.raises(ValidationFailed) as info:
        parse_source_toml(text)
    assert message in str(info.value)


def test_a_source_that_times_out_is_a_clear_error(crm_url):
    """Another session holds a lock; the look-up gives up after the timeout (1 s here)."""
    import sqlite3

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    spec = parse_source_toml(CRM_TOML.format(suffix="t", owner="o"))
    if crm_url.startswith("sqlite"):
        locker = sqlite3.connect(make_url(crm_url).database, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
        release = locker.close
    else:
        engine = create_engine(crm_url)
        conn = engine.connect()
        conn.execute(text("LOCK TABLE customer IN ACCESS EXCLUSIVE MODE"))

        def release():
            conn.rollback()
            conn.close()
            engine.dispose()

    sql = SqlSource(crm_url, spec.tables, slug="crm", timeout_seconds=1)
    try:
        with pytest.raises(SourceError) as info:
            sql.find(SubjectKeys(emails=("p.smit@example.nl",)))
    finally:
        release()
        sql.dispose()
    assert info.value.code == "timeout"


def test_export_action_preview_equals_execution(
    db_session, crm_source, make_request, officers, now
):
    request = make_request(requester=PIETER)
    actor = Actor.user(officers[0].id)
    _discover_and_confirm(db_session, request, officers[0], now)
    action = prepare_action(
        db_session, request, crm_source, ActionKind.EXPORT, actor=actor, now=now, key=KEY
    )
    assert {(op["category"], op["records"]) for op in action.plan} == {
        ("customer.Klantgegevens", 1), ("customer.Contactgegevens", 1),
        ("orders.Bestellingen", 2), ("invoice.Facturen", 1),
    }  # fmt: skip
    execute_action(db_session, action, actor=actor, now=now, key=KEY)
    assert action.result["executed"] == action.plan


def test_restrict_without_restrict_column_is_refused_clearly(
    db_session, crm_source, make_request, officers, now
):
    crm_source.mapping = {
        "tables": [
            {k: v for k, v in t.items() if k != "restrict_column"}
            for t in crm_source.mapping["tables"]
        ]
    }
    db_session.flush()
    request = make_request(RestrictionDetails(), requester=PIETER)
    actor = Actor.user(officers[0].id)
    _discover_and_confirm(db_session, request, officers[0], now)
    with pytest.raises(ValidationFailed) as info:
        prepare_action(
            db_session, request, crm_source, ActionKind.RESTRICT, actor=actor, now=now, key=KEY
        )
    assert info.value.code == "no_restrict_column"
