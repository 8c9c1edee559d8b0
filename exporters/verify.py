"""Checking a package against its manifest: every member is re-hashed and compared.

Used by the download page ("is this the file we sent?"), by staff before re-sending an
export, and by the backup restore drill.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass
from typing import IO

from exporters.errors import ExportInvalid
from exporters.manifest import MANIFEST_PATH, Manifest, Progress

CHUNK = 1 << 20
Source = str | os.PathLike[str] | IO[bytes]


@dataclass(frozen=True)
class VerifyReport:
    """The outcome of :func:`verify_package`; ``ok`` only if nothing at all is off.

    ``missing``: listed in the manifest, not in the ZIP. ``extra``: in the ZIP, not listed.
    ``mismatched``: size, checksum or ZIP CRC differ. ``duplicates``: names that occur more than
    once in the ZIP (a reader might pick either copy). ``error``: the ZIP or manifest could
    not be read at all.
    """

    checked: int = 0
    missing: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    mismatched: tuple[str, ...] = ()
    duplicates: tuple[str, ...] = ()
    error: str | None = None

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.mismatched or self.duplicates or self.error)


def read_manifest(source: Source) -> Manifest:
    """The manifest of a package; ``ExportInvalid`` if the ZIP or manifest is unreadable."""
    try:
        with zipfile.ZipFile(source) as archive:
            return Manifest.from_json(archive.read(MANIFEST_PATH))
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise ExportInvalid("not a readable export package") from exc


def _digest(
    archive: zipfile.ZipFile, name: str, done: int, progress: Progress | None
) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with archive.open(name) as member:
        while chunk := member.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            if progress is not None:
                progress(done + size)
    return digest.hexdigest(), size


def verify_package(source: Source, *, progress: Progress | None = None) -> VerifyReport:
    """Re-hash every member of the package at ``source`` and compare with ``manifest.json``.

    Never raises for a damaged package; the report says what is wrong.
    """
    try:
        with zipfile.ZipFile(source) as archive:
            return _verify(archive, progress)
    except (zipfile.BadZipFile, OSError) as exc:
        return VerifyReport(error=f"unreadable zip: {exc}")


def _verify(archive: zipfile.ZipFile, progress: Progress | None) -> VerifyReport:
    names = [i.filename for i in archive.infolist() if not i.is_dir()]
    counts = Counter(names)
    duplicates = tuple(sorted(n for n, c in counts.items() if c > 1))
    try:
        manifest = Manifest.from_json(archive.read(MANIFEST_PATH))
    except KeyError:
        return VerifyReport(duplicates=duplicates, error="manifest.json is missing")
    except (ExportInvalid, zipfile.BadZipFile) as exc:
        return VerifyReport(duplicates=duplicates, error=str(exc))
    listed = {f.path for f in manifest.files}
    extra = tuple(sorted(set(names) - listed - {MANIFEST_PATH}))
    missing: list[str] = []
    mismatched: list[str] = []
    done = 0
    for item in manifest.files:
        if item.path not in counts:
            missing.append(item.path)
            continue
        try:
            digest, size = _digest(archive, item.path, done, progress)
        except (zipfile.BadZipFile, zlib.error, EOFError):  # CRC, header or stream damage
            mismatched.append(item.path)
            continue
        done += size
        if digest != item.sha256 or size != item.size:
            mismatched.append(item.path)
    return VerifyReport(
        checked=len(manifest.files) - len(missing),
        missing=tuple(missing),
        extra=extra,
        mismatched=tuple(mismatched),
        duplicates=duplicates,
    )
