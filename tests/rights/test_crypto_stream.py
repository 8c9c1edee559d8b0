"""Chunked AES-256-GCM for large files: constant memory, and every chunk bound to the file
(associated data), its position and whether it is the last (truncation, reordering)."""

from __future__ import annotations

import io
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rights import crypto

KEY = bytes(range(32))
AD = b"package:7:3"
CHUNK = 64
H = crypto.STREAM_HEADER_SIZE
BLOCK = CHUNK + crypto.TAG_SIZE


def seal(data: bytes, ad: bytes = AD, chunk: int = CHUNK) -> bytes:
    out = io.BytesIO()
    crypto.encrypt_stream(KEY, io.BytesIO(data), out, ad, chunk_size=chunk)
    return out.getvalue()


def open_(blob: bytes, ad: bytes = AD) -> bytes:
    return b"".join(crypto.decrypt_stream(KEY, io.BytesIO(blob), ad))


@settings(max_examples=150, deadline=None)
@given(
    data=st.binary(max_size=5 * CHUNK + 3),
    sizes=st.lists(
        st.one_of(st.integers(0, 3 * CHUNK + 1), st.sampled_from([CHUNK, 2 * CHUNK])),
        max_size=12,
    ),
)
def test_round_trip_and_writer_agree(data: bytes, sizes: list[int]) -> None:
    """Written in pieces of any size (empty, within a chunk, exactly a chunk, several chunks
    at once), the stream is the one-shot's layout: the same chunks, the last one final."""
    blob = seal(data)
    assert open_(blob) == data
    out = io.BytesIO()
    writer = crypto.StreamEncryptor(KEY, out, AD, chunk_size=CHUNK)
    start = 0
    for size in sizes:
        writer.write(data[start : start + size])
        start += size
    writer.write(memoryview(data)[start:])
    writer.close()
    assert writer.size == len(data)
    assert len(out.getvalue()) == len(blob)
    assert open_(out.getvalue()) == data
    assert crypto.verify_stream(KEY, io.BytesIO(blob), AD)[1] == len(data)


@pytest.mark.parametrize("chunks", [0, 1, 3])
def test_a_whole_number_of_chunks_ends_with_a_full_final_chunk(chunks: int) -> None:
    """No empty chunk after the last full one: the final flag goes on the last full chunk."""
    out = io.BytesIO()
    writer = crypto.StreamEncryptor(KEY, out, AD, chunk_size=CHUNK)
    writer.write(os.urandom(chunks * CHUNK))
    writer.close()
    assert len(out.getvalue()) == H + max(chunks, 1) * crypto.TAG_SIZE + chunks * CHUNK
    assert len(open_(out.getvalue())) == chunks * CHUNK


def test_ciphertext_does_not_contain_the_plaintext() -> None:
    secret = b"Eva de Boer, BSN 123456782 " * 20
    assert b"Eva de Boer" not in seal(secret)


@pytest.mark.parametrize("position", [0, 4, H, H + 5, H + BLOCK + 1, -1])
def test_a_flipped_byte_anywhere_fails(position: int) -> None:
    blob = bytearray(seal(os.urandom(3 * CHUNK + 10)))
    blob[position] ^= 0x01
    with pytest.raises(crypto.DecryptionFailed):
        open_(bytes(blob))


@pytest.mark.parametrize("cut", [1, crypto.TAG_SIZE, BLOCK])
def test_truncated_stream_fails_even_at_a_chunk_boundary(cut: int) -> None:
    blob = seal(os.urandom(3 * CHUNK))  # three full chunks: the last is the final one
    with pytest.raises(crypto.DecryptionFailed):
        open_(blob[:-cut])
    with pytest.raises(crypto.DecryptionFailed):
        open_(blob[: H + 2 * BLOCK])  # exactly two whole chunks: final flag is missing


def test_reordered_chunks_fail() -> None:
    blob = seal(os.urandom(3 * CHUNK + 1))
    first, second = blob[H : H + BLOCK], blob[H + BLOCK : H + 2 * BLOCK]
    swapped = blob[:H] + second + first + blob[H + 2 * BLOCK :]
    with pytest.raises(crypto.DecryptionFailed):
        open_(swapped)


def test_wrong_associated_data_or_key_fails() -> None:
    blob = seal(b"hello")
    with pytest.raises(crypto.DecryptionFailed):
        open_(blob, b"package:8:3")
    with pytest.raises(crypto.DecryptionFailed):
        b"".join(crypto.decrypt_stream(bytes(32), io.BytesIO(blob), AD))


def test_chunks_from_another_file_fail() -> None:
    one, two = seal(os.urandom(2 * CHUNK + 5)), seal(os.urandom(2 * CHUNK + 5))
    mixed = one[: H + BLOCK] + two[H + BLOCK :]
    with pytest.raises(crypto.DecryptionFailed):
        open_(mixed)


def test_not_a_stream_fails() -> None:
    with pytest.raises(crypto.DecryptionFailed):
        open_(b"")
    with pytest.raises(crypto.DecryptionFailed):
        open_(crypto.encrypt(KEY, b"one-shot", AD))


def test_one_shot_api_is_unchanged() -> None:
    assert crypto.decrypt(KEY, crypto.encrypt(KEY, b"x", AD), AD) == b"x"


def test_memory_stays_at_one_chunk() -> None:
    """The writer never buffers more than one chunk, whatever is written at once."""
    out = io.BytesIO()
    writer = crypto.StreamEncryptor(KEY, out, AD, chunk_size=CHUNK)
    writer.write(os.urandom(100 * CHUNK + 7))
    assert len(writer._held) <= CHUNK + 2 * crypto.TAG_SIZE
    writer.close()
    assert len(out.getvalue()) == H + 100 * BLOCK + 7 + crypto.TAG_SIZE
