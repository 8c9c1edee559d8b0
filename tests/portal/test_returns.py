"""Return of data (Art. 28(3)(g) GDPR) through the real app (CSRF on): an officer builds a
controller's return package, a second officer releases it (four eyes), the controller's
contact downloads it from the controller portal; it holds exactly that controller's records,
another controller gets 404, an expired package 410."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, create_engine, select

from exporters.verify import verify_package
from operations.packages import build_return_package
from rights import packages
from rights.audit import SYSTEM, Actor
from rights.crypto import DecryptionFailed, parse_key
from rights.db import now_utc
from rights.models import AuditEvent, OrganisationKind, Package, PackageKind, PackageStatus, Role
from rights.models.source import DataRecord, DataSource, SourceKind
from rights.returns import return_sources
from rights.sources.ingest import ingest_data_file
from rights.sources.registry import load_source, parse_source_toml
from tests.helpers import csrf_token, ops_context, package_store

KEY_TEXT = "qh1r3xq6O3qV7mS0b1aQn8f1cH4m2bC3dE5fG6hJ7kA"  # TestConfig.ENCRYPTION_KEY
KEY = parse_key(KEY_TEXT)

SHOP_TOML = """
slug = "shop-{owner}"
name = "Webwinkel"
kind = "sql"
owner = "{owner}"
purposes = ["Bestellingen afhandelen"]
legal_basis = ["contract"]

[[tables]]
name = "customer"
primary_key = "id"
identity = {{ email = "email" }}
columns = {{ name = "Contactgegevens", email = "Contactgegevens" }}

[[tables]]
name = "orders"
primary_key = "id"
link = {{ column = "customer_id", table = "customer", references = "id" }}
columns = {{ product = "Bestellingen" }}
"""


def _shop_db(path: Path, rows: int) -> str:
    url = f"sqlite:///{path}"
    md = MetaData()
    customer = Table(
        "customer",
        md,
        Column("id", Integer, primary_key=True),
        Column("name", String(100)),
        Column("email", String(200)),
        Column("secret_note", String(100)),  # not mapped: never exported
    )
    orders = Table(
        "orders",
        md,
        Column("id", Integer, primary_key=True),
        Column("customer_id", ForeignKey("customer.id")),
        Column("product", String(100)),
    )
    engine = create_engine(url)
    md.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            customer.insert(),
            [
                {"id": i, "name": f"Klant {i}", "email": f"k{i}@shop.example", "secret_note": "x"}
                for i in range(1, rows + 1)
            ],
        )
        conn.execute(
            orders.insert(),
            [{"id": 100 + i, "customer_id": i, "product": f"Product {i}"} for i in range(1, 4)],
        )
    engine.dispose()
    return url


def _file_source(db_session, org, now, emails, *, restricted_first=False):
    source = DataSource(
        slug=f"mailing-{org.slug}", name=f"Mailing {org.name}", kind=SourceKind.FILE,
        organisation_id=org.id, purposes=["Nieuwsbrief"], legal_basis=["consent"],
        created_at=now, updated_at=now,
    )  # fmt: skip
    db_session.add(source)
    db_session.flush()
    body = "email;naam;opmerking\r\n" + "".join(
        f'{e};Naam {i};=HYPERLINK("http://x")\r\n' for i, e in enumerate(emails)
    )
    upload = ingest_data_file(
        db_session, source, io.BytesIO(body.encode()), "lijst.csv", actor=SYSTEM, now=now
    )
    if restricted_first:
        first = db_session.scalars(
            select(DataRecord)
            .where(DataRecord.file_id == upload.id)
            .order_by(DataRecord.row_number)
        ).first()
        first.restricted = True
    db_session.commit()
    return source


@pytest.fixture
def two_controllers(db_session, make_org, tmp_path):
    """Controller A: a data file (3 records, one restricted), an SQL shop (5 customers, 3
    orders) and a manual source. Controller B: a data file with other addresses."""
    now = now_utc()
    org_a = make_org(OrganisationKind.CONTROLLER, name="Bakkerij Aal")
    org_b = make_org(OrganisationKind.CONTROLLER, name="Slagerij Bos")
    _file_source(db_session, org_a, now, ["a1@a.example", "a2@a.example", "a3@a.example"],
                 restricted_first=True)  # fmt: skip
    _file_source(db_session, org_b, now, ["b1@b.example", "b2@b.example"])
    spec = parse_source_toml(SHOP_TOML.format(owner=org_a.slug))
    load_source(
        db_session, spec, actor=SYSTEM, now=now, key=KEY, url=_shop_db(tmp_path / "shop.db", 5)
    )
    manual = DataSource(
        slug=f"archief-{org_a.slug}", name="Papieren archief", kind=SourceKind.MANUAL,
        organisation_id=org_a.id, purposes=["Archief"], legal_basis=["contract"],
        created_at=now, updated_at=now,
    )  # fmt: skip
    db_session.add(manual)
    db_session.commit()
    return org_a, org_b


def _members(body: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _csv_rows(data: bytes, keys: list[str]) -> list[dict[str, str]]:
    """The rows by the columns' stable keys: the CSV header holds labels, the keys are in
    schema/fields.json (docs/package.md)."""
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";")
    next(reader)
    return [dict(zip(keys, row, strict=True)) for row in reader]


def test_build_release_and_controller_download(
    app, client, db_session, login, make_user, two_controllers
):
    org_a, org_b = two_controllers
    first, second = make_user(Role.OFFICER), make_user(Role.ADMIN)
    contact_a = make_user(Role.CONTROLLER, organisation=org_a)
    colleague_a = make_user(Role.CONTROLLER, organisation=org_a)

    login(first)
    page = client.get("/staff/sources/returns/")
    assert page.status_code == 200 and org_a.name in page.get_data(as_text=True)
    resp = client.post(
        "/staff/sources/returns/build",
        data={"organisation": org_a.slug, "language": "nl", "csrf_token": csrf_token(page)},
    )
    assert resp.status_code == 302
    pkg = db_session.scalars(select(Package).where(Package.kind == PackageKind.RETURN)).one()
    assert (pkg.organisation_id, pkg.request_id, pkg.prepared_by_id) == (org_a.id, None, first.id)
    assert pkg.status is PackageStatus.BUILT
    assert pkg.manifest_summary["not_covered"] == [f"archief-{org_a.slug}"]
    assert pkg.manifest_summary["file_records"] == 3

    # Four eyes: the builder cannot release; the controller sees nothing yet.
    page = client.get("/staff/sources/returns/")
    resp = client.post(
        f"/staff/sources/returns/{pkg.id}/release", data={"csrf_token": csrf_token(page)}
    )
    assert resp.status_code == 403
    db_session.refresh(pkg)
    assert pkg.status is PackageStatus.BUILT
    client.post("/auth/logout", data={"csrf_token": csrf_token(page)})

    login(contact_a)
    page = client.get("/controller/packages/")
    assert pkg.display_reference not in page.get_data(as_text=True)
    resp = client.post(
        f"/controller/packages/{pkg.id}/download", data={"csrf_token": csrf_token(page)}
    )
    assert resp.status_code == 410  # built, not released
    client.post("/auth/logout", data={"csrf_token": csrf_token(page)})

    login(second)
    client.get("/lang/en")
    approvals = client.get("/staff/approvals").get_data(as_text=True)  # listed for release
    assert "Return of data to release to the controller" in approvals and org_a.name in approvals
    page = client.get("/staff/sources/returns/")
    resp = client.post(
        f"/staff/sources/returns/{pkg.id}/release", data={"csrf_token": csrf_token(page)}
    )
    assert resp.status_code == 302
    assert "Return of data" not in client.get("/staff/approvals").get_data(as_text=True)
    db_session.refresh(pkg)
    assert pkg.status is PackageStatus.RELEASED and pkg.released_by_id == second.id
    client.post("/auth/logout", data={"csrf_token": csrf_token(page)})

    login(colleague_a)
    page = client.get("/controller/packages/")
    html = page.get_data(as_text=True)
    assert pkg.display_reference in html and pkg.sha256 in html
    resp = client.post(
        f"/controller/packages/{pkg.id}/download", data={"csrf_token": csrf_token(page)}
    )
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/zip"
    assert resp.headers["Content-Disposition"].startswith("attachment;")
    assert pkg.display_reference in resp.headers["Content-Disposition"]
    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    body = resp.get_data()
    assert len(body) == pkg.size
    report = verify_package(io.BytesIO(body))
    assert report.ok and report.checked >= 8

    files = _members(body)
    data = json.loads(files["data/package.json"])
    assert data["request"]["right"] == "return"
    everything = b"".join(files.values())
    for theirs in (b"b1@b.example", b"b2@b.example", org_b.name.encode()):
        assert theirs not in everything
    assert b"secret_note" not in everything  # unmapped columns are not read
    fields = json.loads(files["schema/fields.json"])
    keys = {c["csv"]: [col["key"] for col in c["columns"]] for c in fields["categories"]}
    csvs = {n: _csv_rows(blob, keys[n]) for n, blob in files.items() if n.endswith(".csv")}
    by_size = sorted(len(rows) for rows in csvs.values())
    assert by_size == [3, 3, 5]  # the file, the orders, the customers
    [file_rows] = [rows for rows in csvs.values() if "email" in rows[0] and "naam" in rows[0]]
    assert [r["email"] for r in file_rows] == ["a1@a.example", "a2@a.example", "a3@a.example"]
    assert [r["_restricted"] for r in file_rows] == ["1", "0", "0"]
    assert file_rows[0]["opmerking"].startswith("'=")  # formula escaped in CSV
    [customers] = [rows for rows in csvs.values() if len(rows) == 5]
    assert [r["email"] for r in customers] == [f"k{i}@shop.example" for i in range(1, 6)]
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        readme = archive.read("README.txt").decode("utf-8-sig")
    assert "Teruggave van gegevens" in readme
    assert "uw verzoek" not in readme and "Autoriteit Persoonsgegevens" not in readme

    db_session.refresh(pkg)
    assert pkg.download_count == 1
    event = db_session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "package.downloaded", AuditEvent.object_id == pkg.id
        )
    ).one()
    assert event.actor_kind == "user" and event.data["via"] == "controller"
    assert event.data["kind"] == "return" and event.data["organisation_id"] == org_a.id
    assert "a1@a.example" not in json.dumps(event.data)


@pytest.fixture
def released_return(app, db_session, make_user, two_controllers):
    org_a, org_b = two_controllers
    first, second = make_user(Role.OFFICER), make_user(Role.OFFICER)
    now = now_utc()
    with app.app_context():
        pkg = build_return_package(
            ops_context(app, db_session, Actor.user(first.id), now),
            org_a,
            formats=("csv", "json"),
        )
    packages.release_package(db_session, pkg, actor=Actor.user(second.id), now=now)
    db_session.commit()
    return pkg, org_a, org_b


def test_another_controller_never_sees_or_downloads_it(
    client, db_session, login, make_user, released_return
):
    pkg, _org_a, org_b = released_return
    login(make_user(Role.CONTROLLER, organisation=org_b))
    page = client.get("/controller/packages/")
    assert pkg.display_reference not in page.get_data(as_text=True)
    resp = client.post(
        f"/controller/packages/{pkg.id}/download", data={"csrf_token": csrf_token(page)}
    )
    assert resp.status_code == 404
    db_session.refresh(pkg)
    assert pkg.download_count == 0


def test_return_packages_have_no_subject_download_link(app, client, released_return):
    from portal.packages import download_token

    pkg = released_return[0]
    with app.test_request_context():
        token = download_token(pkg)
    assert client.get(f"/download/{token}").status_code == 404


def test_expired_return_package_is_gone_and_purged(
    app, client, db_session, login, make_user, released_return
):
    pkg, org_a, _org_b = released_return
    pkg.expires_at = now_utc() - timedelta(seconds=1)
    db_session.commit()
    login(make_user(Role.CONTROLLER, organisation=org_a))
    page = client.get("/controller/packages/")
    assert pkg.display_reference not in page.get_data(as_text=True)
    resp = client.post(
        f"/controller/packages/{pkg.id}/download", data={"csrf_token": csrf_token(page)}
    )
    assert resp.status_code == 410
    store = package_store(app)
    assert store.path(pkg.storage_key).is_file()
    assert packages.purge_expired(db_session, store, now=now_utc()) == 1
    db_session.commit()
    assert not store.path(pkg.storage_key).exists()
    db_session.refresh(pkg)
    assert pkg.status is PackageStatus.PURGED and len(pkg.sha256) == 64


def test_stored_file_is_encrypted_with_its_own_associated_data(app, released_return):
    pkg = released_return[0]
    store = package_store(app)
    raw = store.path(pkg.storage_key).read_bytes()
    assert b"a1@a.example" not in raw and b"PK\x03\x04" not in raw
    plain = b"".join(store.open_verified(pkg))
    assert len(plain) == pkg.size and verify_package(io.BytesIO(plain)).ok
    assert b"a1@a.example" in b"".join(_members(plain).values())
    # The owner is bound into the ciphertext: claiming it for another controller fails.
    pkg.organisation_id = released_return[2].id
    with pytest.raises(DecryptionFailed):
        store.verify(pkg)


def test_staff_page_is_for_staff_only(client, login, make_user, make_org):
    assert client.get("/staff/sources/returns/").status_code in (302, 401)
    login(make_user(Role.CONTROLLER, organisation=make_org()))
    assert client.get("/staff/sources/returns/").status_code == 404


def test_cli_build_return(app, db_session, make_user, two_controllers):
    org_a, _org_b = two_controllers
    officer = make_user(Role.OFFICER)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["package", "build-return", org_a.slug, "--by", officer.email])
    assert result.exit_code == 0, result.output
    assert "return package" in result.output and "archief-" in result.output
    pkg = db_session.scalars(select(Package).where(Package.kind == PackageKind.RETURN)).one()
    assert pkg.organisation_id == org_a.id and pkg.status is PackageStatus.BUILT
    result = runner.invoke(args=["package", "build-return", "nope", "--by", officer.email])
    assert result.exit_code != 0 and "no controller" in result.output
    controller = make_user(Role.CONTROLLER, organisation=org_a)
    result = runner.invoke(args=["package", "build-return", org_a.slug, "--by", controller.email])
    assert result.exit_code != 0 and "no officer" in result.output


def test_return_sources_cover_only_the_controllers_own_sources(db_session, two_controllers):
    org_a, org_b = two_controllers
    opened = []
    try:
        contents = return_sources(db_session, org_b, key=KEY, opened=opened)
        assert opened == []
        [source] = contents.sources
        [category] = source.categories
        assert [r["email"] for r in category.records()] == ["b1@b.example", "b2@b.example"]
        # the records callable gives a fresh stream each time (one per format)
        assert len(list(category.records())) == 2
        twin = DataSource(
            slug=f"twin-{org_a.slug}", name=f"Mailing {org_a.name}", kind=SourceKind.FILE,
            organisation_id=org_a.id, purposes=["Nieuwsbrief"], legal_basis=["consent"],
            created_at=now_utc(), updated_at=now_utc(),
        )  # fmt: skip
        db_session.add(twin)
        db_session.flush()
        contents = return_sources(db_session, org_a, key=KEY, opened=opened)
        assert sorted(s.kind.value for s in contents.sources) == ["file", "file", "sql"]
        names = [s.name for s in contents.sources]
        assert len(set(names)) == 3 and f"Mailing {org_a.name} (twin-{org_a.slug})" in names
        assert contents.summary()["not_covered"] == [f"archief-{org_a.slug}"]
        # a switched-off SQL source is not connected: listed as not covered instead
        shop = db_session.scalars(select(DataSource).where(DataSource.kind == SourceKind.SQL)).one()
        shop.active = False
        db_session.flush()
        contents = return_sources(db_session, org_a, key=KEY, opened=opened)
        assert sorted(s.kind.value for s in contents.sources) == ["file", "file"]
        assert sorted(contents.not_covered) == sorted([f"archief-{org_a.slug}", shop.slug])
    finally:
        for db in opened:
            db.dispose()


def test_an_unreachable_sql_source_stops_the_build_and_stores_nothing(
    app, client, db_session, login, make_user, two_controllers, tmp_path
):
    org_a, _org_b = two_controllers
    (tmp_path / "shop.db").unlink()  # the controller's database is gone
    login(make_user(Role.OFFICER))
    page = client.get("/staff/sources/returns/")
    resp = client.post(
        "/staff/sources/returns/build",
        data={"organisation": org_a.slug, "language": "en", "csrf_token": csrf_token(page)},
    )
    assert resp.status_code == 502
    assert db_session.scalars(select(Package)).all() == []
    store_root = package_store(app).root
    assert not store_root.exists() or not any(p.is_file() for p in store_root.rglob("*"))


def test_controller_page_in_dutch_without_a_package(client, login, make_user, two_controllers):
    org_a, _org_b = two_controllers
    login(make_user(Role.CONTROLLER, organisation=org_a))
    html = client.get("/controller/packages/").get_data(as_text=True)
    assert "Teruggave van gegevens" in html
    assert "Er is geen teruggavepakket om te downloaden." in html
