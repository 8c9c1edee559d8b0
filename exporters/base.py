"""What a format is: something that turns a package into one or more output files.

A format does not write files itself. It returns :class:`OutputFile` descriptions (path in the
package, media type, a README line and a ``write`` function that streams the content into a
binary file-like object). :mod:`exporters.package` puts them in a ZIP; a caller that wants one
format alone can call ``write`` on any binary stream.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO, Protocol, TextIO

from exporters.errors import ExportInvalid
from exporters.model import ExportPackage

Writer = Callable[[BinaryIO], None]


@dataclass(frozen=True)
class FormatOptions:
    """Options that change output. ``html_row_limit`` caps rows per table in the HTML summary
    (a layered presentation for large volumes; the full copy stays in the other formats)."""

    csv_delimiter: str = ";"
    html_row_limit: int | None = None
    # (path, what it holds) of every file in the package, for the cover (summary.html).
    listing: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.csv_delimiter not in (",", ";"):
            raise ExportInvalid("csv delimiter must be ',' or ';'", delimiter=self.csv_delimiter)


@dataclass(frozen=True)
class OutputFile:
    path: str
    media_type: str
    description: str
    write: Writer


class Format(Protocol):
    """A registry entry (see :mod:`exporters.registry`)."""

    name: str

    def files(self, pkg: ExportPackage, options: FormatOptions) -> list[OutputFile]: ...


_UNSAFE = re.compile(r"[^a-z0-9]+")


def slug(text: str, fallback: str = "item") -> str:
    """A lowercase ASCII path segment: no separators, no dots, never empty."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _UNSAFE.sub("-", ascii_text.lower()).strip("-")[:60] or fallback


def unique(name: str, taken: set[str], *, limit: int | None = None, fold: bool = False) -> str:
    """``name``, or ``name-2``, ``name-3``... (shortened to ``limit``) that is not in ``taken``."""
    candidate = name[:limit] if limit else name
    number = 1
    while (candidate.casefold() if fold else candidate) in taken:
        number += 1
        suffix = f"-{number}"
        candidate = (name[: limit - len(suffix)] if limit else name) + suffix
    taken.add(candidate.casefold() if fold else candidate)
    return candidate


@contextmanager
def text_stream(out: BinaryIO, newline: str | None = "\n") -> Iterator[TextIO]:
    """A UTF-8 text view on ``out`` that is flushed and detached (``out`` stays open)."""
    wrapper = io.TextIOWrapper(
        out,
        encoding="utf-8",
        newline=newline,
        write_through=False,
    )
    try:
        yield wrapper
    finally:
        wrapper.flush()
        wrapper.detach()
