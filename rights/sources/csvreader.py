"""CSV and other delimited text exports: encoding and delimiter detection, bounded parsing.

Encodings: UTF-8 with or without BOM, UTF-16 with BOM (Excel "Unicode text"), and
Windows-1252 (Dutch Excel "CSV (gescheiden door lijstscheidingsteken)"). The whole file is
scanned once on open, so an encoding problem is reported before any row is stored.
Delimiters: ``,`` ``;`` TAB ``|``. Memory stays bounded by ``FileLimits.max_record_chars``.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Generator, Mapping
from typing import BinaryIO

from rights.errors import DataFileError
from rights.sources.columns import resolve_roles
from rights.sources.datafile import DataFile, FileLimits, check_header

__all__ = ["DELIMITERS", "detect_encoding", "open_csv", "sniff_delimiter"]

DELIMITERS = (",", ";", "\t", "|")
_CHUNK = 1024 * 1024
# csv.Sniffer's quote regexes are quadratic on hostile input; a small sample keeps it fast.
_SNIFF_CHARS = 4 * 1024
_SNIFF_LINES = 20
_CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")
_QUOTED = re.compile(r'"[^"]*(?:"|$)')


def _encoding_error(reason: str, **params: object) -> DataFileError:
    return DataFileError(
        "The file is not in a supported text encoding.", code="encoding", reason=reason, **params
    )


def _scan_utf16(fileobj: BinaryIO) -> None:
    decoder = codecs.getincrementaldecoder("utf-16")(errors="strict")
    offset = 0
    try:
        while chunk := fileobj.read(_CHUNK):
            if "\x00" in decoder.decode(chunk):
                raise _encoding_error("nul", offset=offset)
            offset += len(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise _encoding_error("invalid_utf16", offset=offset) from None


def detect_encoding(fileobj: BinaryIO) -> str:
    """Return the Python codec of a text file: ``utf-8``, ``utf-8-sig``, ``utf-16`` or ``cp1252``.

    Reads the whole file once in 1 MiB chunks. Without a BOM, a file that decodes as UTF-8
    throughout is UTF-8, any other is Windows-1252. Raises :class:`DataFileError`
    ``encoding`` for NUL bytes outside UTF-16, bytes Windows-1252 leaves undefined (0x81,
    0x8D, 0x8F, 0x90, 0x9D), invalid UTF-8 after a UTF-8 BOM, invalid UTF-16, or UTF-32.
    """
    fileobj.seek(0)
    start = fileobj.read(4)
    fileobj.seek(0)
    if start.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise _encoding_error("utf32")
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        _scan_utf16(fileobj)
        return "utf-16"
    utf8 = codecs.getincrementaldecoder("utf-8")(errors="strict")
    utf8_ok, cp1252_ok, offset = True, True, 0
    while chunk := fileobj.read(_CHUNK):
        if b"\x00" in chunk:
            raise _encoding_error("nul", offset=offset + chunk.index(b"\x00"))
        if utf8_ok:
            try:
                utf8.decode(chunk)
            except UnicodeDecodeError:
                utf8_ok = False
        cp1252_ok = cp1252_ok and not any(byte in chunk for byte in _CP1252_UNDEFINED)
        offset += len(chunk)
    if utf8_ok:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok = False
    if start.startswith(codecs.BOM_UTF8):
        if not utf8_ok:
            raise _encoding_error("invalid_utf8")
        return "utf-8-sig"
    if utf8_ok:
        return "utf-8"
    if not cp1252_ok:
        raise _encoding_error("invalid_cp1252")
    return "cp1252"


def _unquoted_count(line: str, delimiter: str, in_quotes: bool = False) -> int:
    """Count delimiters outside double-quoted fields (an estimate: mid-field quotes count)."""
    if in_quotes:
        line = '"' + line
    return _QUOTED.sub("", line).count(delimiter)


def sniff_delimiter(sample: str) -> str:
    """Return the delimiter of a CSV sample: ``csv.Sniffer`` first, then counting in line 1.

    Only the first 20 lines and 4 KiB are used. The sniffed delimiter is only trusted if it
    occurs in the header (the first non-blank line), or no candidate does. A single column
    gives ``,``.
    """
    lines = sample[:_SNIFF_CHARS].splitlines(keepends=True)
    if len(lines) > 1 and not lines[-1].endswith(("\n", "\r")):
        lines.pop()  # a partial last line would look inconsistent
    sample = "".join(lines[:_SNIFF_LINES])
    header = next((line for line in lines if line.strip()), "")
    counts = {delimiter: _unquoted_count(header, delimiter) for delimiter in DELIMITERS}
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = ""
    if sniffed in counts and (counts[sniffed] > 0 or not any(counts.values())):
        return sniffed
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


class _Lines:
    """Physical lines for ``csv.reader``, refusing a record wider or longer than the limits.

    The column check runs on each line before ``csv`` splits it, so a header of a million
    columns fails after one ``str.count`` instead of building a million strings.
    """

    def __init__(self, text: io.TextIOWrapper, delimiter: str, limits: FileLimits) -> None:
        self._text = text
        self._delimiter = delimiter
        self._limits = limits
        self._cap = limits.max_record_chars  # a property: computed once, not per line
        self._max_columns = limits.max_columns
        self.row = 0
        self._used = 0
        self._in_quotes = False

    def start_record(self, row: int) -> None:
        self.row, self._used, self._in_quotes = row, 0, False

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        cap = self._cap
        try:
            line = self._text.readline(cap - self._used + 1)
        except UnicodeDecodeError:
            raise _encoding_error("decode", row=self.row) from None
        if not line:
            raise StopIteration
        max_columns = self._max_columns
        if (
            line.count(self._delimiter) >= max_columns
            and _unquoted_count(line, self._delimiter, self._in_quotes) >= max_columns
        ):
            raise DataFileError(
                "The file has too many columns.",
                code="too_many_columns",
                row=self.row,
                limit=max_columns,
            )
        self._used += len(line)
        if self._used > cap:
            raise DataFileError("A row is too long.", code="row_too_long", row=self.row)
        if line.count('"') % 2:
            self._in_quotes = not self._in_quotes
        return line


class _CsvRecords:
    """Re-readable record source over a seekable binary file; each call starts at byte 0."""

    def __init__(
        self, fileobj: BinaryIO, encoding: str, delimiter: str, limits: FileLimits
    ) -> None:
        self._fileobj = fileobj
        self._encoding = encoding
        self._delimiter = delimiter
        self._limits = limits
        # csv's own per-field cap is process-wide; it is only ever raised, never lowered.
        if csv.field_size_limit() < limits.max_cell_length + 1:
            csv.field_size_limit(limits.max_cell_length + 1)

    def __call__(self) -> Generator[tuple[int, list[str]], None, None]:
        self._fileobj.seek(0)
        text = io.TextIOWrapper(self._fileobj, encoding=self._encoding, newline="")
        try:
            lines = _Lines(text, self._delimiter, self._limits)
            reader = csv.reader(lines, delimiter=self._delimiter, strict=False)
            number = 0
            while True:
                number += 1
                lines.start_record(number)
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    if "field larger than field limit" in str(exc):
                        raise DataFileError(
                            "A cell is too long.", code="cell_too_long", row=number
                        ) from None
                    raise DataFileError(
                        "A row is not valid CSV.", code="malformed_csv", row=number
                    ) from None
                yield number, cells
        finally:
            # Closing the wrapper would close the caller's file; hand the buffer back instead.
            text.detach()


def open_csv(
    fileobj: BinaryIO,
    limits: FileLimits,
    column_roles: Mapping[str, str | None] | None = None,
) -> DataFile:
    """Open a delimited text file; see :func:`rights.sources.filereader.open_data_file`."""
    encoding = detect_encoding(fileobj)
    fileobj.seek(0)
    text = io.TextIOWrapper(fileobj, encoding=encoding, newline="")
    try:
        sample = text.read(_SNIFF_CHARS)
    except UnicodeDecodeError:
        raise _encoding_error("decode") from None
    finally:
        text.detach()
    delimiter = sniff_delimiter(sample)
    records = _CsvRecords(fileobj, encoding, delimiter, limits)
    header_row, header = 0, []
    source = records()
    try:
        for header_row, cells in source:  # noqa: B007 - the first non-blank record is the header
            if any(cell.strip() for cell in cells):
                header = cells
                break
    finally:
        source.close()
    columns = check_header(header, limits)
    return DataFile(
        kind="csv",
        columns=columns,
        column_roles=resolve_roles(columns, column_roles),
        limits=limits,
        records=records,
        header_row=header_row,
        details={"encoding": encoding, "delimiter": delimiter},
    )
