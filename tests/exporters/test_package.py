import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from exporters.errors import ExportInvalid
from exporters.model import ExportPackage
from exporters.package import build_package, read_manifest, verify_package
from tests.exporters.conftest import GENERATED_AT, make_package


def build(pkg: ExportPackage, **kwargs: Any) -> bytes:
    out = io.BytesIO()
    build_package(pkg, out, **kwargs)
    return out.getvalue()


def rewrite(
    data: bytes, change: Callable[[str, bytes], bytes | None], add: dict[str, bytes] | None = None
) -> bytes:
    """A copy of the ZIP with members changed (None drops one) and others added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = change(info.filename, source.read(info))
            if content is not None:
                target.writestr(info.filename, content)
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def test_manifest_checksums_match_the_members() -> None:
    data = build(make_package())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        names = archive.namelist()
        for item in manifest["files"]:
            content = archive.read(item["path"])
            assert hashlib.sha256(content).hexdigest() == item["sha256"]
            assert len(content) == item["size"]
    assert [f["path"] for f in manifest["files"]] == names[:-1]
    assert names[0] == "README.txt"
    assert names[-1] == "manifest.json"
    assert names[1:-1] == sorted(names[1:-1])
    assert manifest["schema"] == "schema/package.schema.json" in names
    assert manifest["reference"] == "DSR-2025-0042"
    assert manifest["generated_at"] == GENERATED_AT.isoformat()
    assert manifest["format_version"] == "1.0"


def test_entries_have_fixed_times_and_permissions() -> None:
    with zipfile.ZipFile(io.BytesIO(build(make_package()))) as archive:
        infos = archive.infolist()
    assert {i.date_time for i in infos} == {(2025, 3, 4, 10, 30, 0)}
    assert {i.external_attr >> 16 for i in infos} == {0o644}
    assert {i.compress_type for i in infos} == {zipfile.ZIP_DEFLATED}


def test_same_input_gives_the_same_bytes() -> None:
    assert build(make_package()) == build(make_package())
    later = make_package(generated_at=GENERATED_AT + timedelta(days=1))
    assert build(later) != build(make_package())


def test_schema_is_always_included() -> None:
    with zipfile.ZipFile(io.BytesIO(build(make_package(), formats=("csv",)))) as archive:
        names = archive.namelist()
    assert "schema/package.schema.json" in names
    assert not [
        n for n in names if n.endswith((".json", ".xlsx", ".html")) and n.startswith("data/")
    ]


def test_verify_accepts_an_untouched_package(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    path.write_bytes(build(make_package()))
    report = verify_package(path)
    assert report.ok
    assert report.checked == 10  # schema/fields.json besides the rest


def test_verify_detects_a_tampered_member() -> None:
    def tamper(name: str, content: bytes) -> bytes:
        return (
            content.replace(b"Jan de Vries", b"Jan de Vriez") if name.endswith(".csv") else content
        )

    report = verify_package(io.BytesIO(rewrite(build(make_package()), tamper)))
    assert not report.ok
    assert report.mismatched == ("csv/nieuwsbrief/contacts.csv",)
    assert report.missing == report.extra == ()


def test_verify_detects_missing_extra_and_duplicate_members() -> None:
    data = build(make_package())
    with pytest.warns(UserWarning, match="Duplicate name"):
        changed = rewrite(
            data,
            lambda name, content: None if name == "summary.html" else content,
            add={"evil.exe": b"MZ", "README.txt": b"other"},
        )
    report = verify_package(io.BytesIO(changed))
    assert report.missing == ("summary.html",)
    assert report.extra == ("evil.exe",)
    assert report.duplicates == ("README.txt",)
    assert not report.ok


def test_verify_reports_unreadable_input() -> None:
    assert verify_package(io.BytesIO(b"not a zip")).error
    no_manifest = rewrite(build(make_package()), lambda n, c: None if n == "manifest.json" else c)
    assert verify_package(io.BytesIO(no_manifest)).error == "manifest.json is missing"


def test_progress_is_reported_in_bytes_for_build_and_verify() -> None:
    seen: list[int] = []
    out = io.BytesIO()
    manifest = build_package(make_package(), out, progress=seen.append)
    assert seen == sorted(seen)
    assert seen[-1] == manifest.total_size
    checked: list[int] = []
    assert verify_package(io.BytesIO(out.getvalue()), progress=checked.append).ok
    assert checked[-1] == read_manifest(io.BytesIO(out.getvalue())).total_size


def test_dutch_package_has_dutch_readme_and_summary() -> None:
    with zipfile.ZipFile(io.BytesIO(build(make_package(language="nl")))) as archive:
        readme = archive.read("README.txt")
        html = archive.read("summary.html").decode()
    assert readme.startswith(b"\xef\xbb\xbf")
    text = readme.decode("utf-8-sig")
    assert text.startswith("Inzage in uw persoonsgegevens\r\n")
    assert "Dit pakket bevat uw persoonsgegevens" in text
    assert "csv/nieuwsbrief/contacts.csv: Contactgegevens uit Nieuwsbrief" in text
    assert "Autoriteit Persoonsgegevens, Postbus 93374, 2509 AJ Den Haag" in text
    assert '<html lang="nl">' in html


def test_english_package_has_english_readme() -> None:
    with zipfile.ZipFile(io.BytesIO(build(make_package(language="en"), csv_delimiter=","))) as z:
        text = z.read("README.txt").decode("utf-8-sig")
    assert "This package contains your personal data" in text
    assert "delimiter ','" in text


def test_generator_records_are_read_once_per_format() -> None:
    calls: list[int] = []

    def records() -> Iterator[dict[str, Any]]:
        calls.append(1)
        yield {"name": "Jan", "mailings": 1}

    build(make_package(records=records))
    assert len(calls) == 4  # json, csv, xlsx, html


def test_unknown_format_or_delimiter_is_refused() -> None:
    with pytest.raises(ExportInvalid):
        build(make_package(), formats=("pdf",))
    with pytest.raises(ExportInvalid):
        build(make_package(), csv_delimiter="\t")
