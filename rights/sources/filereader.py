"""Open an uploaded data file (databestand) of a controller, whatever its name claims.

The type is decided by the content: a ZIP with ``[Content_Types].xml`` and
``xl/workbook.xml`` is an XLSX workbook; known binary formats (images, PDF, old ``.xls``,
password-protected workbooks, archives, executables, HTML) are refused; everything else is
read as delimited text. The file name is only recorded, since systems that export
tab-separated text under a ``.xls`` name are common.

Every problem with the file raises :class:`rights.errors.DataFileError` with a stable
``code``; the codes and their ``params`` are listed in ``ERROR_CODES``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from typing import BinaryIO, cast

from rights.errors import DataFileError
from rights.sources.csvreader import open_csv
from rights.sources.datafile import DataFile, FileLimits
from rights.sources.xlsxreader import open_xlsx

__all__ = ["DEFAULT_LIMITS", "ERROR_CODES", "detect_kind", "open_data_file"]

DEFAULT_LIMITS = FileLimits()

ERROR_CODES: Mapping[str, str] = {
    "too_large": "more than max_bytes (params: limit)",
    "empty": "no bytes, or no non-blank row",
    "not_a_data_file": "a binary format, HTML, or a ZIP that is not a workbook (params: detected)",
    "encoding": "not UTF-8/UTF-16/Windows-1252, or NUL bytes (params: reason, offset or row)",
    "no_header": "the first row holds data (params: column)",
    "empty_header": "a column without a name (params: column)",
    "duplicate_header": "two columns with the same name ignoring case (params: column)",
    "too_many_columns": "more than max_columns, or cells right of the header (params: row)",
    "row_too_long": "a CSV record longer than FileLimits.max_record_chars (params: row)",
    "cell_too_long": "a cell longer than max_cell_length (params: row)",
    "too_many_rows": "more than max_rows records after the header (params: row, limit)",
    "malformed_csv": "a record the csv module rejects (params: row)",
    "broken_xlsx": "truncated ZIP, invalid XML, unreadable sheet (params: reason, row)",
    "zip_bomb": "too many members, too large unpacked, or too compressed (params: reason)",
    "no_sheet": "the workbook has no worksheet, or none of the requested name",
    "no_identifier_column": "no e-mail, phone, customer number or postcode + house number",
    "unknown_column": "a role override names a column the file lacks",
    "unknown_role": "a role override names an unknown role (params: role)",
}

_SNIFF_BYTES = 64 * 1024
_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"%PDF-", "pdf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole2"),  # .xls, .doc, encrypted .xlsx
    (b"PK\x05\x06", "zip"),
    (b"PK\x07\x08", "zip"),
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!\x1a\x07", "rar"),
    (b"\x7fELF", "elf"),
    (b"MZ\x90\x00", "exe"),
    (b"RIFF", "riff"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"{\\rtf", "rtf"),
    (b"SQLite format 3\x00", "sqlite"),
)
_MARKUP_STARTS = (b"<?xml", b"<!doctype", b"<html", b"<table", b"<head", b"<body")
# Control bytes that text files do not hold. NUL is left out: UTF-16 without a BOM is full
# of NULs and is reported as an encoding problem, not as a foreign format.
_CONTROL_BYTES = bytes([*range(0x01, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20)])
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def detect_kind(head: bytes) -> str:
    """Return ``"xlsx"`` or ``"csv"`` for the first bytes of a file, or raise.

    Raises :class:`DataFileError` ``not_a_data_file`` (with ``detected``) for a known
    binary or markup format, or for a start with many control bytes other than NUL (more
    than 1 in 20).
    """
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    for magic, name in _BINARY_MAGIC:
        if head.startswith(magic):
            raise DataFileError(
                "The file is not a data file.", code="not_a_data_file", detected=name
            )
    text_start = head[:512]
    for bom in _BOMS:
        text_start = text_start.removeprefix(bom)
    if text_start.lstrip().lower().startswith(_MARKUP_STARTS):
        raise DataFileError(
            "The file is not a data file.", code="not_a_data_file", detected="markup"
        )
    if not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
        if controls * 20 > len(head):
            raise DataFileError(
                "The file is not a data file.", code="not_a_data_file", detected="binary"
            )
    return "csv"


def _seekable(fileobj: BinaryIO, limits: FileLimits) -> tuple[BinaryIO, Callable[[], None] | None]:
    """Return a seekable view of the upload, spooling a stream to a temporary file if needed."""
    if fileobj.seekable():
        return fileobj, None
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - closed by DataFile
    written = 0
    while chunk := fileobj.read(1024 * 1024):
        written += len(chunk)
        if written > limits.max_bytes:
            spool.close()
            raise DataFileError("The file is too large.", code="too_large", limit=limits.max_bytes)
        spool.write(chunk)
    return cast(BinaryIO, spool), spool.close


def open_data_file(
    fileobj: BinaryIO,
    filename: str,
    limits: FileLimits = DEFAULT_LIMITS,
    *,
    column_roles: Mapping[str, str | None] | None = None,
    sheet: str | None = None,
) -> DataFile:
    """Open an uploaded CSV or XLSX file and check everything that can be checked up front.

    ``column_roles`` overrides the guessed role of named columns (``None`` removes a role);
    ``sheet`` picks a worksheet by name instead of the first one. The upload must stay open
    while rows are read; close the returned :class:`DataFile` (or use ``with``) afterwards.

    On return the size, type, encoding (CSV: the whole file is scanned), ZIP directory
    (XLSX), header and identifier columns are known to be acceptable. Row-level problems
    are raised while rows are read, with the row number. Raises :class:`DataFileError`
    with a code from ``ERROR_CODES``; messages hold no file content.
    """
    fileobj, release = _seekable(fileobj, limits)
    try:
        size = fileobj.seek(0, 2)
        if size > limits.max_bytes:
            raise DataFileError("The file is too large.", code="too_large", limit=limits.max_bytes)
        if size == 0:
            raise DataFileError("The file is empty.", code="empty")
        fileobj.seek(0)
        kind = detect_kind(fileobj.read(_SNIFF_BYTES))
        if kind == "xlsx":
            datafile = open_xlsx(fileobj, size, limits, column_roles, sheet)
        else:
            datafile = open_csv(fileobj, limits, column_roles)
    except BaseException:
        if release is not None:
            release()
        raise
    extension = filename.rpartition(".")[2].lower() if "." in filename else ""
    datafile.details["filename_extension"] = extension if extension.isalnum() else ""
    if release is not None:
        datafile.add_closer(release)
    return datafile
