"""One keyring for every secret the portal derives from its configured master key.

Each purpose (documents, packages, TOTP seeds, connector URLs, identifier hashes, download
codes, ...) gets its own key through HKDF-SHA256 with a purpose label, so no key is used for
two jobs and the master key itself is never used directly as an encryption or HMAC key.
Data written before the keyring existed used the master key (or an older derivation) and
stays readable through ``legacy``; see docs/architecture.md, "Keys".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from rights.crypto import parse_key

LABEL_PREFIX = b"dsr-portal/v2/"


class Purpose(StrEnum):
    """What a derived key is for. The value is part of the HKDF label: never change one."""

    DOCUMENTS = "documents"
    PACKAGES = "packages"
    TOTP_SEEDS = "totp-seeds"
    CONNECTOR_URLS = "connector-urls"
    IDENTIFIER_HASH = "identifier-hash"
    DOWNLOAD_CODES = "download-codes"
    SEARCH_AUDIT = "search-audit"


@dataclass(frozen=True)
class Keyring:
    """Purpose keys derived from one 32-byte master key (``PORTAL_ENCRYPTION_KEY``)."""

    master: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.master) != 32:
            raise ValueError("master key must be 32 bytes")

    @classmethod
    def from_text(cls, text: str) -> Keyring:
        return cls(parse_key(text))

    def key(self, purpose: Purpose) -> bytes:
        """The 32-byte key for ``purpose`` (HKDF-SHA256, no salt, label as info)."""
        return HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=LABEL_PREFIX + purpose.encode()
        ).derive(self.master)

    @property
    def legacy(self) -> bytes:
        """The master key as data written before the keyring used it (read-only paths)."""
        return self.master
