"""The ZIP package the subject downloads: every format, the JSON Schema, a README in the
package language and ``manifest.json`` with the SHA-256 and size of every other member.

Layout (member order is fixed: README first, then the data files sorted by path, the manifest
last because it holds the others' checksums)::

    README.txt                      what each file is (UTF-8 with BOM, CRLF: opens in Notepad)
    csv/<source>/<category>.csv     one per category
    data/package.json               complete and byte-exact
    data/package.xlsx               one sheet per category plus "Information"
    schema/fields.json              every column: stable key, label, type, meaning, where
    schema/package.schema.json      JSON Schema (draft 2020-12) of data/package.json
    summary.html                    the cover and readable summary, printable
    manifest.json                   format version, reference, generated_at, files, schema

Reproducible: the same package gives the same bytes. Entry times are ``generated_at`` (UTC),
permissions 0644, Deflate at the default level, no random names. Members are streamed into
the ZIP (``ZipFile.open(name, "w")`` with ZIP64 forced, as their size is not known up front)
and hashed on the way, so nothing is held in memory.

``progress`` callbacks receive the cumulative number of uncompressed bytes written (build) or
read (verify); :func:`read_manifest` gives the total for a verify progress bar.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import IO, Any, BinaryIO

from exporters import display, i18n
from exporters.base import FormatOptions, OutputFile
from exporters.csv_format import csv_paths
from exporters.errors import ExportInvalid
from exporters.fields_file import fields_file
from exporters.json_format import SCHEMA_PATH, schema_bytes
from exporters.manifest import MANIFEST_PATH, Manifest, ManifestEntry, Progress
from exporters.model import ExportPackage
from exporters.registry import get_format
from exporters.verify import VerifyReport, read_manifest, verify_package
from exporters.xlsx_format import sheet_names
from exporters.ziputil import COMPRESSION, entry, zip_time

README_PATH = "README.txt"
DEFAULT_FORMATS = ("json", "csv", "xlsx", "html")
CHUNK = 1 << 20


class _Counter:
    def __init__(self, callback: Progress | None) -> None:
        self.callback = callback
        self.total = 0

    def add(self, count: int) -> None:
        self.total += count
        if self.callback is not None:
            self.callback(self.total)


class _HashingWriter(io.RawIOBase):
    """Passes writes through to a ZIP member, hashing and counting them."""

    def __init__(self, target: IO[bytes], counter: _Counter) -> None:
        self.target = target
        self.counter = counter
        self.digest = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data)
        self.target.write(view)
        self.digest.update(view)
        self.size += view.nbytes
        self.counter.add(view.nbytes)
        return view.nbytes


def _listing(pkg: ExportPackage, files: Sequence[OutputFile]) -> tuple[tuple[str, str], ...]:
    """(path, what it holds) of every member, README first and the manifest last."""
    lang = pkg.language
    return (
        (README_PATH, i18n.t(lang, "file.readme")),
        *((f.path, f.description) for f in files),
        (MANIFEST_PATH, i18n.t(lang, "file.manifest")),
    )


def _readme(pkg: ExportPackage, files: Sequence[OutputFile]) -> bytes:
    """The README in the package language. A return package is written to the controller
    (docs/package.md): no "your request" and no complaint text."""
    lang = pkg.language
    title = i18n.t(lang, f"title.{pkg.right}")
    listing = [f"- {path}: {holds}" for path, holds in _listing(pkg, files)]
    generated = display.moment(pkg.generated_at, lang)
    if pkg.right == "return":
        intro = i18n.t(
            lang,
            "readme.intro.return",
            owner=pkg.subject_name,
            reference=pkg.reference,
            generated_at=generated,
        )
    else:
        intro = i18n.t(
            lang,
            "readme.intro",
            right=i18n.t(lang, f"right.{pkg.right}"),
            reference=pkg.reference,
            generated_at=generated,
        )
    parts = [
        f"{title}\n{'=' * len(title)}",
        intro,
        f"{i18n.t(lang, 'readme.files')}:\n" + "\n".join(listing),
        i18n.t(lang, "readme.spreadsheet_note"),
        i18n.t(lang, "readme.verify"),
    ]
    if pkg.right != "return":
        parts += [
            f"{i18n.t(lang, 'rights')}: {i18n.t(lang, 'rights.text')}",
            f"{i18n.t(lang, 'complaint')}: {i18n.t(lang, 'complaint.text')}",
        ]
    text = "\n\n".join(parts) + "\n"
    return b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()


def _schema_file(pkg: ExportPackage) -> OutputFile:
    def write(out: BinaryIO) -> None:
        out.write(schema_bytes())

    return OutputFile(
        SCHEMA_PATH, "application/schema+json", i18n.t(pkg.language, "file.schema"), write
    )


def output_files(
    pkg: ExportPackage, formats: Iterable[str], options: FormatOptions
) -> list[OutputFile]:
    """All data files of the package (without README and manifest), sorted by path; the
    HTML cover gets the listing of all of them."""
    chosen = list(dict.fromkeys(formats))
    files = _files(pkg, chosen, options)
    if "html" in chosen and not options.listing:
        listed = replace(options, listing=_listing(pkg, files))
        files = _files(pkg, chosen, listed)
    return files


def _files(pkg: ExportPackage, chosen: Sequence[str], options: FormatOptions) -> list[OutputFile]:
    count = sum(1 for _ in pkg.categories())
    csv_at: list[str | None] = list(csv_paths(pkg)) if "csv" in chosen else [None] * count
    sheets: list[str | None] = list(sheet_names(pkg)) if "xlsx" in chosen else [None] * count
    files = [_schema_file(pkg), fields_file(pkg, csv_at, sheets)]
    for name in chosen:
        files.extend(get_format(name).files(pkg, options))
    paths = [f.path for f in files]
    if len(set(paths)) != len(paths):
        raise ExportInvalid("two output files share a path")
    return sorted(files, key=lambda f: f.path)


@dataclass
class _Builder:
    archive: zipfile.ZipFile
    date_time: tuple[int, int, int, int, int, int]
    counter: _Counter
    entries: list[ManifestEntry] = field(default_factory=list)

    def add_bytes(self, path: str, media_type: str, data: bytes) -> None:
        self.archive.writestr(entry(path, self.date_time), data)
        self.counter.add(len(data))
        digest = hashlib.sha256(data).hexdigest()
        self.entries.append(ManifestEntry(path, digest, len(data), media_type))

    def add_stream(self, output: OutputFile) -> None:
        info = entry(output.path, self.date_time)
        with self.archive.open(info, "w", force_zip64=True) as member:
            writer = _HashingWriter(member, self.counter)
            output.write(writer)  # type: ignore[arg-type]
        self.entries.append(
            ManifestEntry(output.path, writer.digest.hexdigest(), writer.size, output.media_type)
        )


def build_package(
    pkg: ExportPackage,
    out: BinaryIO,
    formats: Sequence[str] = DEFAULT_FORMATS,
    csv_delimiter: str = ";",
    *,
    html_row_limit: int | None = None,
    progress: Progress | None = None,
) -> Manifest:
    """Write the ZIP package for ``pkg`` into ``out`` and return its manifest.

    Raises ``ExportInvalid`` for an unknown format, a bad delimiter or a record that does
    not fit its category's fields (the ZIP is then incomplete and must be discarded).
    """
    options = FormatOptions(csv_delimiter=csv_delimiter, html_row_limit=html_row_limit)
    files = output_files(pkg, formats, options)
    counter = _Counter(progress)
    with zipfile.ZipFile(out, "w", COMPRESSION, allowZip64=True) as archive:
        builder = _Builder(archive, zip_time(pkg.generated_at), counter)
        builder.add_bytes(README_PATH, "text/plain; charset=utf-8", _readme(pkg, files))
        for output in files:
            builder.add_stream(output)
        manifest = Manifest(
            pkg.format_version,
            pkg.reference,
            pkg.generated_at.isoformat(),
            pkg.language,
            SCHEMA_PATH,
            tuple(builder.entries),
        )
        archive.writestr(entry(MANIFEST_PATH, builder.date_time), manifest.to_json())
    return manifest


__all__ = [
    "DEFAULT_FORMATS",
    "MANIFEST_PATH",
    "README_PATH",
    "Manifest",
    "ManifestEntry",
    "VerifyReport",
    "build_package",
    "output_files",
    "read_manifest",
    "verify_package",
]
