"""A data source may not point at the portal's own database, at SQLite files outside the
configured folder, or (with a list) at other hosts (docs/operations.md, "Data-source URLs")."""

from __future__ import annotations

from pathlib import Path

import pytest

from rights.errors import ValidationFailed
from rights.sources.url_policy import SourceUrlPolicy
from tests.rights.sources.conftest import CRM_TOML

PORTAL_PG = "postgresql+psycopg://dsr@db.internal:5432/dsr"


def _code(policy: SourceUrlPolicy, url: str) -> str | None:
    try:
        policy.check(url)
    except ValidationFailed as exc:
        return exc.code
    return None


def test_the_portals_own_database_is_refused_in_any_spelling(tmp_path: Path) -> None:
    own = tmp_path / "portal.db"
    sqlite_policy = SourceUrlPolicy(portal_url=f"sqlite:///{own}", sqlite_folder=tmp_path)
    assert _code(sqlite_policy, f"sqlite:///{own}") == "source_url_is_portal"
    assert _code(sqlite_policy, f"sqlite:///{tmp_path}/sub/../portal.db") == "source_url_is_portal"
    pg_policy = SourceUrlPolicy(portal_url=PORTAL_PG)
    assert _code(pg_policy, "postgresql://reader@db.internal:5432/dsr") == "source_url_is_portal"
    assert _code(pg_policy, "postgresql://reader@db.internal:5432/crm") is None


def test_sqlite_files_only_inside_the_configured_folder(tmp_path: Path) -> None:
    policy = SourceUrlPolicy(portal_url=PORTAL_PG, sqlite_folder=tmp_path / "sources")
    assert _code(policy, f"sqlite:///{tmp_path}/sources/crm.sqlite") is None
    assert _code(policy, "sqlite:////etc/passwd") == "source_url_sqlite_outside"
    assert _code(policy, f"sqlite:///{tmp_path}/sources/../x.sqlite") == "source_url_sqlite_outside"
    assert _code(policy, "sqlite://") == "source_url_sqlite_outside"
    nowhere = SourceUrlPolicy(portal_url=PORTAL_PG)
    assert _code(nowhere, f"sqlite:///{tmp_path}/sources/crm.sqlite") == "source_url_sqlite_outside"


def test_only_listed_hosts_when_a_list_is_configured() -> None:
    policy = SourceUrlPolicy(portal_url=PORTAL_PG, allowed_hosts=frozenset({"crm.internal"}))
    assert _code(policy, "postgresql://reader@crm.internal/crm") is None
    assert _code(policy, "postgresql://reader@CRM.internal/crm") is None
    assert _code(policy, "mysql://reader@10.0.0.9/crm") == "source_url_host"
    assert _code(policy, "not a url") == "bad_source_url"


@pytest.mark.parametrize("where", ["portal", "outside"])
def test_the_command_refuses_such_a_url_and_stores_nothing(
    app, db_session, make_org, tmp_path, where
):
    from sqlalchemy import select

    from rights.models.source import DataSource

    org = make_org()
    definition = tmp_path / "crm.toml"
    definition.write_text(CRM_TOML.format(suffix="x", owner=org.slug))
    url = app.config["DATABASE_URL"] if where == "portal" else "sqlite:////tmp/elsewhere.sqlite"
    result = app.test_cli_runner().invoke(args=["sources", "load", str(definition), "--url", url])
    assert result.exit_code != 0
    # In words, in the portal's language (Dutch by default), not the error's code.
    assert "eigen database van het portaal" in result.output or "SQLite" in result.output
    assert "source_url" not in result.output
    assert db_session.scalar(select(DataSource).where(DataSource.slug == "crm-x")) is None
