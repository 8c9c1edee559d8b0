"""The suppression list in practice: run an outgoing mailing file through it.

Each row's identifiers are normalised and hashed with the same key as the entries
(``rights.sources.suppression``); a row any of whose e-mail address, phone number, customer
number or address (postcode and house number) is on the controller's list is left out, and
so is a person whose processing is restricted (Art. 18(2) GDPR; docs/legal.md,
"Restriction"). The
output is CSV (UTF-8 with BOM, ``;``, as Dutch Excel opens it), every cell escaped once with
the product's one formula escaper (``exporters.escaping``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from exporters.escaping import escape_cell
from operations.context import Context
from rights.audit import record
from rights.models.org import Organisation
from rights.restriction import restricted_hashes
from rights.sources.datafile import FileLimits
from rights.sources.filereader import DEFAULT_LIMITS, open_data_file
from rights.sources.suppression import is_suppressed, suppressed_hashes

__all__ = ["FilterResult", "filter_mailing"]


@dataclass(frozen=True)
class FilterResult:
    csv_bytes: bytes
    kept: int
    removed: int
    # Of ``removed``: people whose processing is restricted (Art. 18(2)), not objections.
    restricted: int = 0


def filter_mailing(
    ctx: Context,
    organisation: Organisation,
    fileobj: BinaryIO,
    filename: str,
    *,
    limits: FileLimits = DEFAULT_LIMITS,
) -> FilterResult:
    """Return the mailing without the people on ``organisation``'s suppression list
    (audited; the caller commits). Raises ``DataFileError`` for a file that cannot be read
    (nothing is returned)."""
    hashes = suppressed_hashes(ctx.session, organisation)
    hash_key = ctx.identifier_hash_key()
    # Art. 18(2): a restricted person's data may only be stored, so no mailing either.
    restricted_people = restricted_hashes(ctx.session, organisation.id, hash_key)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    kept = removed = restricted = 0
    with open_data_file(fileobj, filename, limits) as datafile:
        writer.writerow([escape_cell(c) for c in datafile.columns])

        def rows() -> Iterator[list[str]]:
            nonlocal kept, removed, restricted
            for row in datafile.normalised_rows():
                if is_suppressed(row, hashes, hash_key):
                    removed += 1
                    continue
                if restricted_people and is_suppressed(row, restricted_people, hash_key):
                    removed += 1
                    restricted += 1
                    continue
                kept += 1
                yield [escape_cell(row.raw.get(c, "")) for c in datafile.columns]

        writer.writerows(rows())
    record(
        ctx.session,
        "suppression.filtered",
        actor=ctx.actor,
        now=ctx.now(),
        object_type="organisation",
        object_id=organisation.id,
        data={"kept": kept, "removed": removed, "restricted": restricted},
    )
    return FilterResult(("\ufeff" + out.getvalue()).encode("utf-8"), kept, removed, restricted)
