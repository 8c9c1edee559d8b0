"""Backup and restore of everything the portal keeps: the database and the encrypted file
stores, with a manifest of SHA-256 checksums and the audit anchor the copy was taken at.

- SQLite is copied with its online backup API (a consistent snapshot while writers go on;
  a plain file copy of a WAL database can miss committed transactions).
- PostgreSQL is dumped with ``pg_dump --format=custom`` inside a REPEATABLE READ transaction
  whose exported snapshot the dump uses, so the audit head in the manifest is exactly the
  head of the dumped data.
- The file stores (documents, packages) are already encrypted; they are copied as they are,
  from local folders or through the object store (``PORTAL_STORAGE_URL``, S3): every object
  becomes a file ``files/<area>/<key>`` with its SHA-256 in the manifest. A restore writes
  the objects back through the configured store and reads each one back to compare its
  SHA-256. The encryption key is never part of a backup (docs/operations.md, "Backup").

A restore refuses a manifest whose files do not verify, and a target database or folder that
is not empty unless ``force`` is given. See docs/operations.md.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from rights.audit import Anchor
from rights.blobs import BLOB_KEY, Blobs
from rights.errors import Conflict, ValidationFailed

FORMAT = "dsr-portal-backup/1"
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite"
PG_FILE = "database.pgdump"
CHUNK = 1 << 20


class BackupInvalid(ValidationFailed):
    code = "backup_invalid"


@dataclass(frozen=True)
class Storage:
    """What a backup covers: the database URL and the named file-store areas, each either a
    local folder or an object store (``stores``: the areas ``PORTAL_STORAGE_URL`` holds)."""

    database_url: str
    folders: Mapping[str, Path] = field(default_factory=dict)
    stores: Mapping[str, Blobs] = field(default_factory=dict)

    @property
    def areas(self) -> list[str]:
        return sorted({*self.folders, *self.stores})

    @property
    def kind(self) -> str:
        backend = make_url(self.database_url).get_backend_name()
        if backend not in ("sqlite", "postgresql"):
            raise ValidationFailed(f"cannot back up a {backend} database", code="backup_backend")
        return backend


@dataclass(frozen=True)
class BackupReport:
    folder: Path
    anchor: Anchor
    files: int
    size: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _walk(folder: Path) -> Iterator[Path]:
    if folder.is_dir():
        yield from sorted(p for p in folder.rglob("*") if p.is_file())


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise ValidationFailed("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ValidationFailed(f"{name} not found: install the PostgreSQL client programs")
    return found


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _head(row: Any) -> Anchor:
    return Anchor(0, "0" * 64) if row is None else Anchor(int(row[0]), str(row[1]))


def _dump_sqlite(storage: Storage, target: Path) -> Anchor:
    source = sqlite3.connect(_sqlite_path(storage.database_url))
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        source.close()
    try:
        return _head(copy.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone())
    finally:
        copy.close()


def _dump_postgres(storage: Storage, target: Path) -> Anchor:
    engine = create_engine(storage.database_url, isolation_level="REPEATABLE READ")
    try:
        with engine.connect() as conn:
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            head = _head(
                conn.execute(text("SELECT seq, hash FROM audit_head WHERE id = 1")).first()
            )
            command = [
                _program("pg_dump"),
                "--format=custom",
                "--no-owner",
                f"--snapshot={snapshot}",
                f"--file={target}",
                f"--dbname={_libpq(storage.database_url)}",
            ]
            # A fixed program with arguments from our own configuration (no shell).
            subprocess.run(command, check=True, capture_output=True)  # noqa: S603
            conn.rollback()
    except subprocess.CalledProcessError as exc:
        raise ValidationFailed("pg_dump failed: " + exc.stderr.decode(errors="replace")) from exc
    finally:
        engine.dispose()
    return head


def create_backup(storage: Storage, folder: Path, *, now: datetime) -> BackupReport:
    """Write a backup into ``folder`` (new or empty); ``Conflict`` if it holds anything."""
    if folder.exists() and any(folder.iterdir()):
        raise Conflict("the backup folder is not empty", code="backup_target_not_empty")
    folder.mkdir(parents=True, exist_ok=True)
    kind = storage.kind
    database_file = SQLITE_FILE if kind == "sqlite" else PG_FILE
    dump = _dump_sqlite if kind == "sqlite" else _dump_postgres
    head = dump(storage, folder / database_file)
    for name, source in storage.folders.items():
        if name not in storage.stores and source.is_dir():
            shutil.copytree(source, folder / "files" / name)
    for name, blobs in storage.stores.items():
        _copy_out(blobs, folder / "files" / name)
    files: dict[str, dict[str, Any]] = {
        str(path.relative_to(folder)): {"sha256": _sha256(path), "size": path.stat().st_size}
        for path in _walk(folder)
    }
    manifest = {
        "format": FORMAT,
        "created_at": now.isoformat(),
        "database": {"kind": kind, "file": database_file},
        "folders": storage.areas,
        "audit_anchor": str(head),
        "files": files,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    size = sum(int(f["size"]) for f in files.values())
    return BackupReport(folder, head, len(files), size)


def _copy_out(blobs: Blobs, target: Path) -> None:
    """Every object of ``blobs`` as the file ``target/<key>`` (keys are ``ab/abcdef...``)."""
    for key in blobs.keys():  # noqa: SIM118 (a store, not a dict)
        path = target / key
        path.parent.mkdir(parents=True, exist_ok=True)
        with blobs.reader(key) as source, path.open("wb") as out:
            shutil.copyfileobj(source, out, CHUNK)


def _object_sha256(blobs: Blobs, key: str) -> str:
    digest = hashlib.sha256()
    with blobs.reader(key) as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _is_empty(storage: Storage, name: str) -> bool:
    if name in storage.stores:
        return next(iter(storage.stores[name].keys()), None) is None
    target = storage.folders[name]
    return not (target.exists() and any(target.iterdir()))


def _restore_store(folder: Path, name: str, blobs: Blobs, files: Mapping[str, Any]) -> None:
    """Upload ``files/<name>/`` into ``blobs``, read every object back and compare its
    SHA-256 with the manifest; objects the backup does not hold are removed (``--force``)."""
    source = folder / "files" / name
    keys: dict[str, str] = {}
    for path in _walk(source):
        key = path.relative_to(source).as_posix()
        if not BLOB_KEY.fullmatch(key):
            raise BackupInvalid(f"not an object of the file store: files/{name}/{key}")
        keys[key] = str(files[str(path.relative_to(folder))]["sha256"])
    for key in [k for k in blobs.keys() if k not in keys]:  # noqa: SIM118
        blobs.delete(key)
    for key, expected in keys.items():
        with (source / key).open("rb") as handle, blobs.writer(key) as out:
            shutil.copyfileobj(handle, out, CHUNK)
        if _object_sha256(blobs, key) != expected:
            raise BackupInvalid(f"the {name} store returned other bytes for {key}")


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of ``folder`` after checking every file; ``BackupInvalid`` otherwise."""
    try:
        manifest: dict[str, Any] = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupInvalid("no readable manifest.json in the backup folder") from exc
    if manifest.get("format") != FORMAT:
        raise BackupInvalid("not a DSR Portal backup (unknown format)")
    listed: dict[str, Any] = manifest.get("files") or {}
    present = {str(p.relative_to(folder)) for p in _walk(folder)} - {MANIFEST}
    if missing := sorted(set(listed) - present):
        raise BackupInvalid(f"missing from the backup: {', '.join(missing)}")
    if extra := sorted(present - set(listed)):
        raise BackupInvalid(f"not in the manifest: {', '.join(extra)}")
    for name, entry in listed.items():
        if _sha256(folder / name) != entry.get("sha256"):
            raise BackupInvalid(f"checksum does not match: {name}")
    Anchor.parse(str(manifest.get("audit_anchor", "")))
    return manifest


def _database_is_empty(url: str) -> bool:
    if make_url(url).get_backend_name() == "sqlite" and not _sqlite_path(url).exists():
        return True
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return not inspect(conn).get_table_names()
    finally:
        engine.dispose()


def _restore_sqlite(source: Path, url: str) -> None:
    path = _sqlite_path(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    backup = sqlite3.connect(source)
    target = sqlite3.connect(path)
    try:
        backup.backup(target)
    finally:
        backup.close()
        target.close()


def _restore_postgres(source: Path, url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()
    try:
        command = [
            _program("pg_restore"),
            "--no-owner",
            "--exit-on-error",
            f"--dbname={_libpq(url)}",
            str(source),
        ]
        # A fixed program with arguments from our own configuration (no shell).
        subprocess.run(command, check=True, capture_output=True)  # noqa: S603
    except subprocess.CalledProcessError as exc:
        raise ValidationFailed("pg_restore failed: " + exc.stderr.decode(errors="replace")) from exc


def restore_backup(folder: Path, storage: Storage, *, force: bool = False) -> Anchor:
    """Restore ``folder`` into ``storage``; returns the anchor the backup was taken at.

    Refuses (``BackupInvalid``) a backup that does not verify or was made from another kind
    of database, and (``Conflict``) a non-empty database or file folder unless ``force``.
    """
    manifest = read_manifest(folder)
    database = manifest["database"]
    if database.get("kind") != storage.kind:
        raise BackupInvalid(f"this backup is of a {database.get('kind')} database")
    areas = list(manifest.get("folders", []))
    if unknown := [name for name in areas if name not in storage.areas]:
        raise BackupInvalid(f"this backup holds file areas not configured: {', '.join(unknown)}")
    if not force:
        if not _database_is_empty(storage.database_url):
            raise Conflict("the target database is not empty", code="restore_target_not_empty")
        for name in areas:
            if not _is_empty(storage, name):
                raise Conflict(f"the {name} store is not empty", code="restore_target_not_empty")
    restore = _restore_sqlite if storage.kind == "sqlite" else _restore_postgres
    restore(folder / database["file"], storage.database_url)
    for name in areas:
        if name in storage.stores:
            _restore_store(folder, name, storage.stores[name], manifest["files"])
            continue
        target = storage.folders[name]
        if target.exists():
            shutil.rmtree(target)
        source = folder / "files" / name
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            target.mkdir(parents=True, exist_ok=True)
    return Anchor.parse(manifest["audit_anchor"])
