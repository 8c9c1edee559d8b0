"""The suppression list in practice: run an outgoing mailing file through it.

Each row's identifiers are normalised and hashed with the same key as the entries; a row
any of whose e-mail address, phone number, customer number or address (postcode and house
number) is on the controller's list is left out. The output is CSV (UTF-8 with BOM, ``;``,
as Dutch Excel opens it).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from rights.audit import Actor, record
from rights.identifiers import identifier_hash
from rights.models.org import Organisation
from rights.models.source import SuppressionEntry
from rights.sources.datafile import FileLimits
from rights.sources.filereader import DEFAULT_LIMITS, open_data_file

__all__ = ["FilterResult", "filter_mailing", "suppressed_hashes"]

_FORMULA_START = ("=", "@", "\t", "\r")


@dataclass(frozen=True)
class FilterResult:
    csv_bytes: bytes
    kept: int
    removed: int


def suppressed_hashes(session: Session, organisation: Organisation) -> set[str]:
    return set(
        session.scalars(
            select(SuppressionEntry.identifier_hash).where(
                SuppressionEntry.organisation_id == organisation.id
            )
        )
    )


def _safe(cell: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (CSV injection)."""
    if cell.startswith(_FORMULA_START) or (
        cell[:1] in "+-" and len(cell) > 1 and not cell[1:2].isdigit()
    ):
        return "'" + cell
    return cell


def filter_mailing(
    session: Session,
    organisation: Organisation,
    fileobj: BinaryIO,
    filename: str,
    *,
    hash_key: bytes,
    actor: Actor,
    now: datetime,
    limits: FileLimits = DEFAULT_LIMITS,
) -> FilterResult:
    """Return the mailing without the people on ``organisation``'s suppression list.

    Raises :class:`DataFileError` for a file that cannot be read (nothing is returned).
    """
    hashes = suppressed_hashes(session, organisation)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    kept = removed = 0
    with open_data_file(fileobj, filename, limits) as datafile:
        writer.writerow([_safe(c) for c in datafile.columns])

        def rows() -> Iterator[list[str]]:
            nonlocal kept, removed
            for row in datafile.normalised_rows():
                values = [("email", v) for v in row.emails] + [("phone", v) for v in row.phones]
                values += [("customer_number", v) for v in row.customer_numbers]
                if row.address_key:  # entries made on receipt (rights/receipt.py)
                    values.append(("address", row.address_key))
                if any(identifier_hash(hash_key, k, v) in hashes for k, v in values):
                    removed += 1
                    continue
                kept += 1
                yield [_safe(row.raw.get(c, "")) for c in datafile.columns]

        writer.writerows(rows())
    record(
        session,
        "suppression.filtered",
        actor=actor,
        now=now,
        object_type="organisation",
        object_id=organisation.id,
        data={"kept": kept, "removed": removed},
    )
    return FilterResult(("\ufeff" + out.getvalue()).encode("utf-8"), kept, removed)
