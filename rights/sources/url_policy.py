"""Which database URLs a data source may point at (docs/operations.md, "Data-source URLs").

An admin enters an SQLAlchemy URL for an SQL source. Without limits that URL could name the
portal's own database (its accounts, audit trail and every request) or any SQLite file the
server can read. ``SourceUrlPolicy.check`` refuses the portal's own database, SQLite files
outside the configured folder, and hosts that are not on the allowed list (when a list is
configured).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from rights.errors import ValidationFailed


def _same_database(a: URL, b: URL) -> bool:
    if a.get_backend_name() != b.get_backend_name():
        return False
    if a.get_backend_name() == "sqlite":
        return bool(a.database and b.database) and _resolved(a.database) == _resolved(b.database)
    return (a.host or "localhost", a.port, a.database) == (
        b.host or "localhost",
        b.port,
        b.database,
    )


def _resolved(database: str | None) -> Path:
    return Path(database or "").expanduser().resolve()


@dataclass(frozen=True)
class SourceUrlPolicy:
    """``portal_url``: the portal's own database; ``sqlite_folder``: where SQLite sources
    may live (None: nowhere); ``allowed_hosts``: empty means any host."""

    portal_url: str
    sqlite_folder: Path | None = None
    allowed_hosts: frozenset[str] = field(default_factory=frozenset)

    def check(self, url: str) -> None:
        """Raise ``ValidationFailed`` (codes ``bad_source_url``, ``source_url_is_portal``,
        ``source_url_sqlite_outside``, ``source_url_host``) unless ``url`` may be used."""
        try:
            wanted = make_url(url)
        except ArgumentError as exc:
            raise ValidationFailed("not a database URL", code="bad_source_url") from exc
        if _same_database(wanted, make_url(self.portal_url)):
            raise ValidationFailed("the portal's own database", code="source_url_is_portal")
        if wanted.get_backend_name() == "sqlite":
            self._check_sqlite(wanted)
        elif self.allowed_hosts and (wanted.host or "").lower() not in self.allowed_hosts:
            raise ValidationFailed("host not allowed", code="source_url_host")

    def _check_sqlite(self, url: URL) -> None:
        database = url.database
        folder = self.sqlite_folder
        if not database or database == ":memory:" or folder is None:
            raise ValidationFailed("SQLite file not allowed", code="source_url_sqlite_outside")
        if not _resolved(database).is_relative_to(folder.expanduser().resolve()):
            raise ValidationFailed("SQLite file not allowed", code="source_url_sqlite_outside")
