"""End of contract (Art. 28(3)(g)): the command refuses while requests are open or no
return export was released; then deletes every data file (certificate reason
``contract_end``), the suppression list and the sources' stored connections, and the
contacts download the certificate (docs/controllers.md)."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from rights.models.controller import DataFileDeletion
from rights.models.request import RequestState
from rights.models.source import DataFileUpload, DataSource, SuppressionEntry
from tests.helpers import released_return_package
from tests.portal.controller.results_world import build, freeze


def _returned(db_session, org, now):
    released_return_package(db_session, org, now)
    db_session.commit()


def _files(db_session, org):
    return db_session.scalar(
        select(func.count())
        .select_from(DataFileUpload)
        .join(DataSource, DataFileUpload.source_id == DataSource.id)
        .where(DataSource.organisation_id == org.id)
    )


def test_end_of_contract_refuses_then_deletes_everything_with_a_certificate(
    app, client, login, db_session, make_org, make_user, make_request, now, tmp_path
):
    freeze(app, now)
    world = build(db_session, make_org, make_user, make_request, now)
    org = world.a.org
    db_session.add(
        SuppressionEntry(organisation_id=org.id, identifier_hash="h" * 64, reason="objection",
                         created_at=now)
    )  # fmt: skip
    db_session.commit()
    runner = app.test_cli_runner()
    args = ["organisation", "end-contract", "--organisation", org.slug, "--out", str(tmp_path)]

    refused = runner.invoke(args=[*args, "--confirm"])
    assert refused.exit_code != 0 and "open requests" in refused.output
    world.a.request.state = RequestState.CLOSED
    db_session.commit()
    refused = runner.invoke(args=[*args, "--confirm"])
    assert refused.exit_code != 0 and "return-of-data" in refused.output
    _returned(db_session, org, now)

    dry = runner.invoke(args=args)
    assert dry.exit_code == 0, dry.output
    assert "nothing deleted" in dry.output and _files(db_session, org) == 1

    done = runner.invoke(args=[*args, "--confirm"])
    assert done.exit_code == 0, done.output
    assert (
        "certificate written to" in done.output
        and "/controller/files/contract-end.pdf" in done.output
    )
    db_session.expire_all()
    assert _files(db_session, org) == 0
    assert _files(db_session, world.b.org) == 1  # another controller keeps its data
    deletion = db_session.scalar(
        select(DataFileDeletion).where(DataFileDeletion.organisation_id == org.id)
    )
    assert deletion.reason == "contract_end" and deletion.row_count == 3
    assert (
        db_session.scalar(
            select(func.count())
            .select_from(SuppressionEntry)
            .where(SuppressionEntry.organisation_id == org.id)
        )
        == 0
    )
    source = db_session.get(DataSource, world.a.source.id)
    assert source.active is False and source.url_enc is None
    assert db_session.get(type(org), org.id).contract_ended_at is not None
    written = sorted(p.suffix for p in tmp_path.iterdir())
    assert written == [".json", ".pdf"]
    pdf = next(tmp_path.glob("*.pdf")).read_bytes()
    assert pdf.startswith(b"%PDF-")

    again = runner.invoke(args=[*args, "--confirm"])
    assert again.exit_code != 0 and "already ended" in again.output

    login(world.a.contact)
    data = client.get("/controller/files/contract-end.json").get_json()
    assert data["type"] == "contract_end" and data["records_deleted"] == 3
    assert data["suppression_entries_deleted"] == 1
    assert data["sources_disconnected"] == [world.a.source.name]
    assert json.loads(next(tmp_path.glob("*.json")).read_text())["ended_at"] == data["ended_at"]
    html = client.get("/controller/files/").get_data(as_text=True)
    assert "/controller/files/contract-end.pdf" in html
    assert client.get("/controller/files/contract-end.pdf").data.startswith(b"%PDF-")
