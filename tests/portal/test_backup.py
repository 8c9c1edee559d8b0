"""Backup and restore (`dsr-portal backup create|restore`) and audit anchors, on real
databases (a SQLite file, or fresh PostgreSQL databases when the suite runs on PostgreSQL)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, delete, text, update
from sqlalchemy.engine import make_url

from portal import create_app
from portal.db import get_db
from rights import audit
from rights.audit import SYSTEM, Anchor
from rights.engine import normalise_url
from rights.models.audit import AuditEvent, AuditHead
from tests.conftest import migrate

NOW = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)


@pytest.fixture
def new_database(tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Makes empty databases of the suite's kind; PostgreSQL ones are dropped afterwards."""
    base = os.environ.get("TEST_DATABASE_URL", "")
    made: list[str] = []

    def make() -> str:
        if not base.startswith("postgres"):
            return f"sqlite:///{tmp_path / f'db-{secrets.token_hex(3)}.sqlite'}"
        name = f"dsr_backup_{secrets.token_hex(4)}"
        admin = create_engine(normalise_url(base), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        made.append(name)
        url = make_url(normalise_url(base)).set(database=name)
        return url.render_as_string(hide_password=False)

    yield make
    while _APPS:
        get_db(_APPS.pop()).engine.dispose()
    if made:
        admin = create_engine(normalise_url(base), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in made:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


_APPS: list[Flask] = []


def _app(url: str, instance: Path) -> Flask:
    app = create_app({"ENV_NAME": "test", "DATABASE_URL": url, "INSTANCE_PATH": str(instance)})
    _APPS.append(app)
    return app


@pytest.fixture(autouse=True)
def _dispose_engines() -> Iterator[None]:
    """Every app of a test closes its pooled connections before its database is dropped."""
    yield
    while _APPS:
        get_db(_APPS.pop()).engine.dispose()


def _events(app: Flask, count: int) -> None:
    with app.app_context(), get_db(app).sessionmaker() as session:
        for i in range(count):
            audit.record(session, "test.event", actor=SYSTEM, now=NOW, data={"n": i})
        session.commit()


@pytest.fixture
def live(new_database: Callable[[], str], tmp_path: Path) -> Flask:
    url = new_database()
    migrate(url)
    app = _app(url, tmp_path / "live")
    _events(app, 5)
    documents = Path(app.instance_path) / "documents" / "ab"
    documents.mkdir(parents=True)
    (documents / "abcdefghijklmnopqrst").write_bytes(b"\x01encrypted document bytes")
    return app


def _run(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=list(args))
    return result.exit_code, result.output


def test_backup_restores_into_an_empty_target_and_verifies_against_its_anchor(
    live: Flask, new_database: Callable[[], str], tmp_path: Path
) -> None:
    code, out = _run(live, "backup", "create", str(tmp_path / "bk"))
    assert code == 0, out
    printed = out.strip().splitlines()[-1]
    assert Anchor.parse(printed).seq == 5
    code, anchor_now = _run(live, "audit", "anchor")
    assert anchor_now.strip() == printed

    target = _app(new_database(), tmp_path / "restored")
    code, out = _run(target, "backup", "restore", str(tmp_path / "bk"))
    assert code == 0, out
    assert "Het auditlogboek is intact: 5 gebeurtenissen, de laatste vastgelegd op" in out
    code, out = _run(target, "audit", "verify", "--anchor", printed)
    assert code == 0, out
    restored = Path(target.instance_path) / "documents" / "ab" / "abcdefghijklmnopqrst"
    assert restored.read_bytes() == b"\x01encrypted document bytes"


def test_a_copy_older_than_the_anchor_fails_verify(
    live: Flask, new_database: Callable[[], str], tmp_path: Path
) -> None:
    assert _run(live, "backup", "create", str(tmp_path / "bk"))[0] == 0
    _events(live, 3)  # written after the backup: the live anchor is now 8
    later = _run(live, "audit", "anchor")[1].strip()
    target = _app(new_database(), tmp_path / "restored")
    assert _run(target, "backup", "restore", str(tmp_path / "bk"))[0] == 0
    assert _run(target, "audit", "verify")[0] == 0  # the copy is consistent in itself ...
    code, out = _run(target, "audit", "verify", "--anchor", later)
    assert code == 1  # ... but it ends before the anchor kept elsewhere
    assert "het logboek houdt op vóór gebeurtenis 8, het anker dat u opgaf" in out


def test_a_truncated_chain_with_its_head_rewound_fails_only_with_the_anchor(live: Flask) -> None:
    kept = _run(live, "audit", "anchor")[1].strip()
    with live.app_context(), get_db(live).sessionmaker() as session:
        last = session.get(AuditEvent, 5) or session.query(AuditEvent).filter_by(seq=5).one()
        session.execute(delete(AuditEvent).where(AuditEvent.seq == 5))
        session.execute(update(AuditHead).values(seq=4, hash=last.prev_hash))
        session.commit()
    assert _run(live, "audit", "verify")[0] == 0
    code, out = _run(live, "audit", "verify", "--anchor", kept)
    assert code == 1 and "NIET intact bij gebeurtenis 5" in out


def test_a_backup_whose_files_changed_is_refused_and_nothing_is_restored(
    live: Flask, new_database: Callable[[], str], tmp_path: Path
) -> None:
    assert _run(live, "backup", "create", str(tmp_path / "bk"))[0] == 0
    changed = tmp_path / "bk" / "files" / "documents" / "ab" / "abcdefghijklmnopqrst"
    changed.write_bytes(b"\x01encrypted document bytez")
    target = _app(new_database(), tmp_path / "restored")
    code, out = _run(target, "backup", "restore", str(tmp_path / "bk"))
    assert code == 1 and "checksum does not match" in out
    assert not (Path(target.instance_path) / "documents").exists()
    extra = tmp_path / "bk" / "stray.txt"
    changed.write_bytes(b"\x01encrypted document bytes")
    extra.write_text("x")
    code, out = _run(target, "backup", "restore", str(tmp_path / "bk"))
    assert code == 1 and "not in the manifest" in out


def test_restore_refuses_a_non_empty_target_without_force(live: Flask, tmp_path: Path) -> None:
    assert _run(live, "backup", "create", str(tmp_path / "bk"))[0] == 0
    _events(live, 2)
    code, out = _run(live, "backup", "restore", str(tmp_path / "bk"))
    assert code == 1 and "not empty" in out
    assert _run(live, "audit", "anchor")[1].startswith("7:")
    code, out = _run(live, "backup", "restore", "--force", str(tmp_path / "bk"))
    assert code == 0, out
    assert _run(live, "audit", "anchor")[1].startswith("5:")


def test_backup_refuses_a_folder_that_is_not_empty(live: Flask, tmp_path: Path) -> None:
    (tmp_path / "bk").mkdir()
    (tmp_path / "bk" / "old.txt").write_text("x")
    code, out = _run(live, "backup", "create", str(tmp_path / "bk"))
    assert code == 1 and "not empty" in out


@pytest.mark.parametrize("bad", ["5", "x:" + "0" * 64, "5:" + "z" * 64, "5:abc"])
def test_a_malformed_anchor_is_a_usage_error(live: Flask, bad: str) -> None:
    code, out = _run(live, "audit", "verify", "--anchor", bad)
    assert code == 2 and "anchor" in out.lower()
