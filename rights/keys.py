"""One keyring for every secret the portal derives from its configured master key.

Each purpose (documents, packages, TOTP seeds, connector URLs, identifier hashes, download
codes, ...) gets its own key through HKDF-SHA256 with a purpose label, so no key is used for
two jobs and the master key itself is never used directly as an encryption or HMAC key.
Data written before the keyring existed used the master key (or an older derivation) and
stays readable through ``legacy``; see docs/architecture.md, "Keys".
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from enum import StrEnum

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from rights.crypto import Key, PurposeKey, parse_key

LABEL_PREFIX = b"dsr-portal/v2/"
IDENTIFIER_HASH_V1_LABEL = b"dsr-portal/identifier-hash/v1"


def identifier_hash_key_v1(master: bytes) -> bytes:
    """The identifier-hash key as derived since issue 7: HMAC-SHA256 of a label under the
    master key (a one-block PRF derivation, not the master key itself). Kept, not moved to
    HKDF: suppression entries and the record index store only these hashes, so a new key
    would orphan every objection already recorded."""
    return hmac.new(master, IDENTIFIER_HASH_V1_LABEL, hashlib.sha256).digest()


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
        """The 32-byte key for ``purpose``: HKDF-SHA256 (no salt, label as info), except
        the identifier hash, which keeps its v1 derivation (:func:`identifier_hash_key_v1`)."""
        if purpose is Purpose.IDENTIFIER_HASH:
            return identifier_hash_key_v1(self.master)
        return HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=LABEL_PREFIX + purpose.encode()
        ).derive(self.master)

    def purpose_key(self, purpose: Purpose) -> PurposeKey:
        """The key for ``purpose`` plus the legacy key its older data was written under."""
        return PurposeKey(current=self.key(purpose), legacy=self.legacy)

    @property
    def legacy(self) -> bytes:
        """The master key as data written before the keyring used it (read-only paths)."""
        return self.master


@dataclass(frozen=True)
class SourceKeys:
    """What data-source work needs: the key of the encrypted connection URLs and the key of
    the identifier hashes (suppression list, audit of changed values)."""

    connector: Key = field(repr=False)
    identifier_hash: bytes = field(repr=False)

    @classmethod
    def of(cls, key: SourceKeys | bytes) -> SourceKeys:
        """``key`` itself, or for a bare master key the derivations from before the
        keyring (connection URLs under the master key, the v1 identifier-hash key)."""
        if isinstance(key, SourceKeys):
            return key
        return cls(connector=key, identifier_hash=identifier_hash_key_v1(key))
