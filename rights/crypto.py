"""Encryption of secrets at rest (export files, uploaded documents, TOTP seeds, connector
URLs) with AES-256-GCM. The caller passes associated data that binds a ciphertext to its
owner (a package id, a user id), so a ciphertext moved to another row fails to decrypt."""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from rights.errors import DomainError

VERSION = b"\x01"
NONCE_SIZE = 12


class DecryptionFailed(DomainError):
    code = "decryption_failed"
    http_status = 500


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


def encrypt(key: bytes, plaintext: bytes, associated_data: bytes) -> bytes:
    nonce = os.urandom(NONCE_SIZE)
    return VERSION + nonce + AESGCM(key).encrypt(nonce, plaintext, associated_data)


def decrypt(key: bytes, blob: bytes, associated_data: bytes) -> bytes:
    if len(blob) < 1 + NONCE_SIZE + 16 or blob[:1] != VERSION:
        raise DecryptionFailed("not an encrypted blob of a known version")
    nonce, body = blob[1 : 1 + NONCE_SIZE], blob[1 + NONCE_SIZE :]
    try:
        return AESGCM(key).decrypt(nonce, body, associated_data)
    except InvalidTag as exc:
        raise DecryptionFailed("ciphertext or associated data was altered") from exc
