"""Encryption of secrets at rest (export files, uploaded documents, TOTP seeds, connector
URLs) with AES-256-GCM. The caller passes associated data that binds a ciphertext to its
owner (a package id, a user id), so a ciphertext moved to another row fails to decrypt.

A key is either a :class:`PurposeKey` (what ``operations.Context`` hands out: new data is
written under the purpose key with the current version byte, and data of the version before
the keyring still decrypts with the legacy key) or bare ``bytes`` (the pre-keyring format,
read and written as version 1). See docs/architecture.md, "Keys".
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from rights.errors import DomainError

LEGACY_VERSION = b"\x01"  # under the master key itself (before the keyring)
VERSION = b"\x02"  # under a purpose key from rights.keys
NONCE_SIZE = 12


class DecryptionFailed(DomainError):
    code = "decryption_failed"
    http_status = 500


@dataclass(frozen=True)
class PurposeKey:
    """The key of one purpose (``current``) and the key data of that purpose was written
    under before the keyring existed (``legacy``, read-only; None when there is none)."""

    current: bytes = field(repr=False)
    legacy: bytes | None = field(default=None, repr=False)

    def candidates(self) -> tuple[bytes, ...]:
        """Keys to check a keyed hash against: the current one first."""
        return (self.current,) if self.legacy is None else (self.current, self.legacy)


Key = bytes | PurposeKey


def _writing(key: Key, current: bytes, legacy: bytes) -> tuple[bytes, bytes]:
    """(version byte, key) new data is written with."""
    if isinstance(key, PurposeKey):
        return current, key.current
    return legacy, key


def _reading(key: Key, version: bytes, current: bytes, legacy: bytes) -> bytes | None:
    """The key that reads data of ``version``, or None if this key cannot."""
    if isinstance(key, PurposeKey):
        if version == current:
            return key.current
        return key.legacy if version == legacy else None
    return key if version == legacy else None


def parse_key(text: str) -> bytes:
    """A key from configuration: 32 bytes, URL-safe base64 (``dsr-portal gen-key``)."""
    try:
        key = base64.urlsafe_b64decode(text.encode() + b"=" * (-len(text) % 4))
    except ValueError as exc:
        raise ValueError("encryption key is not base64") from exc
    if len(key) != 32:
        raise ValueError("encryption key must be 32 bytes")
    return key


def generate_key() -> str:
    return base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256)).decode().rstrip("=")


def encrypt(key: Key, plaintext: bytes, associated_data: bytes) -> bytes:
    version, raw = _writing(key, VERSION, LEGACY_VERSION)
    nonce = os.urandom(NONCE_SIZE)
    return version + nonce + AESGCM(raw).encrypt(nonce, plaintext, associated_data)


def decrypt(key: Key, blob: bytes, associated_data: bytes) -> bytes:
    raw = _reading(key, blob[:1], VERSION, LEGACY_VERSION)
    if len(blob) < 1 + NONCE_SIZE + 16 or raw is None:
        raise DecryptionFailed("not an encrypted blob of a known version")
    nonce, body = blob[1 : 1 + NONCE_SIZE], blob[1 + NONCE_SIZE :]
    try:
        return AESGCM(raw).decrypt(nonce, body, associated_data)
    except InvalidTag as exc:
        raise DecryptionFailed("ciphertext or associated data was altered") from exc


# --- Streaming encryption for large files (export packages) -----------------------------
#
# Layout: ``MAGIC | version | chunk size (4 bytes, big endian) | nonce prefix (7 bytes)``,
# then the chunks, each ``ciphertext || tag`` of exactly ``chunk size + 16`` bytes except the
# last, which may be shorter (even empty plaintext) and carries the final flag. Each chunk's
# nonce is ``prefix | index (4 bytes) | final (1 byte)`` and its associated data is the
# caller's associated data (the package id), the header, the chunk index and the final flag.
# So a chunk moved to another file or position, a dropped chunk, a file cut at a chunk
# boundary or a changed header all fail authentication (the STREAM construction of
# Hoang, Reyhanitabar, Rogaway and Vizár, as in Tink and age). Memory stays at one chunk.

STREAM_MAGIC = b"DSRS"
STREAM_LEGACY_VERSION = b"\x02"  # under the master key itself (before the keyring)
STREAM_VERSION = b"\x03"  # under a purpose key from rights.keys
STREAM_PREFIX_SIZE = 7
STREAM_HEADER_SIZE = len(STREAM_MAGIC) + 1 + 4 + STREAM_PREFIX_SIZE
TAG_SIZE = 16
DEFAULT_CHUNK_SIZE = 1 << 20
MAX_CHUNKS = 2**32 - 1


def _chunk_nonce(prefix: bytes, index: int, final: bool) -> bytes:
    if index > MAX_CHUNKS:
        raise ValueError("stream too long")
    return prefix + index.to_bytes(4, "big") + (b"\x01" if final else b"\x00")


def _chunk_ad(associated_data: bytes, header: bytes, index: int, final: bool) -> bytes:
    return b"|".join(
        (associated_data, header, index.to_bytes(8, "big"), b"final" if final else b"more")
    )


def _read_full(src: BinaryIO, size: int) -> bytes:
    """Read exactly ``size`` bytes unless the stream ends first (raw streams may be short)."""
    parts: list[bytes] = []
    remaining = size
    while remaining > 0:
        part = src.read(remaining)
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


class StreamEncryptor(io.RawIOBase):
    """A write-only stream that encrypts what is written into ``dst`` in chunks.

    Memory stays at about one chunk. :meth:`close` writes the final chunk; a stream that is
    never closed is unreadable (no final chunk), so a crash mid-write leaves nothing usable.
    ``size`` counts the plaintext bytes written.

    What is written is encrypted as it comes, straight into one reused chunk-sized buffer
    (GCM is a counter mode, so a chunk can be encrypted piece by piece): no plaintext is
    copied and no buffer allocated per chunk. The open chunk's ciphertext is written once a
    byte after it shows it is not the last; the chunk :meth:`close` finds open is the last,
    and is encrypted once more under the final nonce and associated data (its plaintext
    recovered from the held ciphertext), at most one chunk per stream.
    """

    def __init__(
        self,
        key: Key,
        dst: BinaryIO,
        associated_data: bytes,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> None:
        super().__init__()
        if not 1 <= chunk_size <= 2**31:
            raise ValueError("bad chunk size")
        version, raw = _writing(key, STREAM_VERSION, STREAM_LEGACY_VERSION)
        self._aes = algorithms.AES(raw)
        self._dst = dst
        self._ad = associated_data
        self._chunk_size = chunk_size
        self._header = (
            STREAM_MAGIC + version + chunk_size.to_bytes(4, "big") + os.urandom(STREAM_PREFIX_SIZE)
        )
        self._prefix = self._header[-STREAM_PREFIX_SIZE:]
        self._index = 0
        # The open chunk's ciphertext (and its tag when sealed); update_into wants a block's
        # room beyond what it writes.
        self._held = bytearray(chunk_size + 2 * TAG_SIZE)
        self._filled = 0  # bytes of the open chunk so far
        self._chunk = self._open(final=False)
        self.size = 0
        dst.write(self._header)

    def writable(self) -> bool:
        return True

    def _open(self, final: bool) -> Any:
        """The GCM encryptor of chunk ``self._index``, its associated data given."""
        nonce = _chunk_nonce(self._prefix, self._index, final)
        encryptor = Cipher(self._aes, modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(
            _chunk_ad(self._ad, self._header, self._index, final)
        )
        return encryptor

    def _seal(self) -> None:
        """The open chunk is full and more follows: write it with its tag, open the next."""
        self._chunk.finalize()  # nothing left over: GCM encrypts as it goes
        end = self._filled + TAG_SIZE
        with memoryview(self._held) as held:
            held[self._filled : end] = self._chunk.tag
            self._dst.write(held[:end])
        self._filled = 0
        self._index += 1
        self._chunk = self._open(final=False)

    def write(self, data: Any) -> int:
        if self.closed:
            raise ValueError("write to a closed stream")
        start, room = 0, self._chunk_size
        with memoryview(data) as given, given.cast("B") as view, memoryview(self._held) as held:
            size = view.nbytes
            while start < size:
                if self._filled == room:
                    self._seal()
                take = min(room - self._filled, size - start)
                piece = view[start : start + take]
                self._filled += self._chunk.update_into(piece, held[self._filled :])
                start += take
        self.size += size
        return size

    def close(self) -> None:
        if not self.closed:
            nonce = _chunk_nonce(self._prefix, self._index, False)  # the open chunk's
            with memoryview(self._held) as held:
                plain = Cipher(self._aes, modes.GCM(nonce)).decryptor().update(held[: self._filled])
            last = self._open(final=True)
            self._dst.write(last.update(plain) + last.finalize() + last.tag)
            self._held = bytearray()
        super().close()

    def abort(self) -> None:
        """Give up without writing the final chunk (the output stays unreadable)."""
        self._held = bytearray()
        super().close()


def encrypt_stream(
    key: Key,
    src: BinaryIO,
    dst: BinaryIO,
    associated_data: bytes,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> int:
    """Encrypt ``src`` into ``dst`` chunk by chunk; returns the number of plaintext bytes."""
    encryptor = StreamEncryptor(key, dst, associated_data, chunk_size=chunk_size)
    while chunk := src.read(chunk_size):
        encryptor.write(chunk)
    encryptor.close()
    return encryptor.size


def decrypt_stream(key: Key, src: BinaryIO, associated_data: bytes) -> Iterator[bytes]:
    """Yield the plaintext of a stream written by :func:`encrypt_stream`, chunk by chunk.

    Raises :class:`DecryptionFailed` at the first chunk that does not authenticate: a
    changed byte, a wrong key or associated data, reordered or missing chunks, a truncated
    file. A caller that must not serve unauthenticated bytes verifies the whole stream
    first (:func:`verify_stream`) and only then streams it out.
    """
    header = _read_full(src, STREAM_HEADER_SIZE)
    raw = _reading(key, header[4:5], STREAM_VERSION, STREAM_LEGACY_VERSION)
    if len(header) != STREAM_HEADER_SIZE or header[:4] != STREAM_MAGIC or raw is None:
        raise DecryptionFailed("not an encrypted stream of a known version")
    chunk_size = int.from_bytes(header[5:9], "big")
    if not 1 <= chunk_size <= 2**31:
        raise DecryptionFailed("bad chunk size in header")
    prefix = header[-STREAM_PREFIX_SIZE:]
    aead = AESGCM(raw)
    block = chunk_size + TAG_SIZE
    index = 0
    current = _read_full(src, block)
    while True:
        if len(current) < TAG_SIZE:
            raise DecryptionFailed("stream is truncated")
        following = _read_full(src, block) if len(current) == block else b""
        final = not following
        try:
            plain = aead.decrypt(
                _chunk_nonce(prefix, index, final),
                current,
                _chunk_ad(associated_data, header, index, final),
            )
        except InvalidTag as exc:
            raise DecryptionFailed("stream chunk was altered, moved or cut off") from exc
        yield plain
        if final:
            return
        current = following
        index += 1


def verify_stream(key: Key, src: BinaryIO, associated_data: bytes) -> tuple[str, int]:
    """Authenticate a whole stream without keeping it; returns the plaintext SHA-256 and size."""
    digest = hashlib.sha256()
    size = 0
    for chunk in decrypt_stream(key, src, associated_data):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size
