"""``manifest.json``: what a package contains, with a SHA-256 and size per member."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from exporters.errors import ExportInvalid

MANIFEST_PATH = "manifest.json"
Progress = Callable[[int], None]


@dataclass(frozen=True)
class ManifestEntry:
    path: str
    sha256: str
    size: int
    media_type: str


@dataclass(frozen=True)
class Manifest:
    format_version: str
    reference: str
    generated_at: str
    language: str
    schema: str
    files: tuple[ManifestEntry, ...]

    def to_json(self) -> bytes:
        data = {
            "format_version": self.format_version,
            "reference": self.reference,
            "generated_at": self.generated_at,
            "language": self.language,
            "schema": self.schema,
            "files": [vars(f) for f in self.files],
        }
        return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        """Parse ``manifest.json``; ``ExportInvalid`` if it is not a manifest."""
        try:
            data = json.loads(raw)
            files = tuple(
                ManifestEntry(
                    str(f["path"]), str(f["sha256"]), int(f["size"]), str(f["media_type"])
                )
                for f in data["files"]
            )
            return cls(
                str(data["format_version"]),
                str(data["reference"]),
                str(data["generated_at"]),
                str(data["language"]),
                str(data["schema"]),
                files,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ExportInvalid("manifest.json is not a valid manifest") from exc

    @property
    def total_size(self) -> int:
        return sum(f.size for f in self.files)
