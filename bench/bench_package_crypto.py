"""Package encryption at rest: chunked AES-256-GCM (``rights.crypto.StreamEncryptor``)
against the floor (bare AES-GCM over ready-made 1 MiB chunks), and peak memory (encrypt,
then authenticate by decrypting) for a 10x larger package.

    python bench/bench_package_crypto.py              # 512 MiB timing, 64 vs 640 MiB memory
    python bench/bench_package_crypto.py --mib 128    # quicker

Unknown arguments (``make bench`` passes ``--rows`` to every benchmark) are ignored.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import best_interleaved
from rights import crypto

CHUNK = crypto.DEFAULT_CHUNK_SIZE
KEY = bytes(range(32))
AD = b"package:1:1"
TIME_TARGET = 1.5  # not an issue target: the floor copies nothing
MEMORY_TARGET = 1.2
# Written in 64 KiB pieces, as the ZIP writer does, so the encryptor's buffering is measured.
PIECE = 64 * 1024
BLOCK = os.urandom(CHUNK)


def pieces(mib: int) -> Any:
    view = memoryview(BLOCK)
    for _ in range(mib):
        for start in range(0, CHUNK, PIECE):
            yield view[start : start + PIECE]


def bare(mib: int, out: BinaryIO) -> None:
    """The floor: AES-GCM over ready-made whole 1 MiB chunks, no framing, no copying.
    Ours must also gather the ZIP writer's 64 KiB writes into chunks (one copy per byte)."""
    aead = AESGCM(KEY)
    for index in range(mib):
        out.write(aead.encrypt(index.to_bytes(12, "big"), BLOCK, AD))


def ours(mib: int, out: BinaryIO) -> None:
    writer = crypto.StreamEncryptor(KEY, out, AD)
    for piece in pieces(mib):
        writer.write(piece)
    writer.close()


def _into_a_file(run: Callable[[int, BinaryIO], None], mib: int) -> None:
    with tempfile.TemporaryFile() as out:
        run(mib, out)


def timed_pair(mib: int, repeat: int) -> tuple[float, float]:
    """The best of ``repeat`` runs of the floor and of ours, alternating
    (``best_interleaved``); each run writes into a fresh temporary file, whose making (well
    under a millisecond) is timed alike on both sides."""
    base, mine = best_interleaved(
        [lambda: _into_a_file(bare, mib), lambda: _into_a_file(ours, mib)], repeat
    )
    return base, mine


def child(mib: int) -> None:
    with tempfile.TemporaryFile() as out:
        ours(mib, out)
        out.seek(0)
        _digest, size = crypto.verify_stream(KEY, out, AD)  # decrypting too, in chunks
    assert size == mib * CHUNK
    print(json.dumps({"maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


def child_rss(mib: int) -> int:
    result = subprocess.run(
        [sys.executable, __file__, "--child", "--mib", str(mib)],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(json.loads(result.stdout.strip().splitlines()[-1])["maxrss_kib"])


def run(mib: int, repeat: int = 5, out: Any = None) -> dict[str, Any]:
    out = out or sys.stdout
    base, mine = timed_pair(mib, repeat)
    small_mib = max(mib // 8, 1)
    small, large = child_rss(small_mib), child_rss(small_mib * 10)
    figures: dict[str, Any] = {
        "mib": mib,
        "time": {"baseline_s": base, "ours_s": mine, "ratio": mine / base},
        "memory": {"small_mib": small_mib, "small_kib": small, "large_kib": large},
    }
    figures["memory"]["ratio"] = large / small
    t_ok = "ok" if mine / base <= TIME_TARGET else "MISSED"
    m_ok = "ok" if large / small <= MEMORY_TARGET else "MISSED"
    print(
        f"{'benchmark':<36}{'size':>14}{'baseline':>10}{'ours':>10}{'ratio':>8}  target\n"
        f"{'stream encryption vs bare AES-GCM s':<36}{f'{mib} MiB':>14}{base:>10.2f}"
        f"{mine:>10.2f}{mine / base:>8.2f}  <= {TIME_TARGET} {t_ok}\n"
        f"{'encrypt+verify peak RSS MiB':<36}{f'{small_mib}/{small_mib * 10} MiB':>14}"
        f"{small / 1024:>10.1f}{large / 1024:>10.1f}{large / small:>8.2f}  <= {MEMORY_TARGET} "
        f"{m_ok}",
        file=out,
    )
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    """Exit status 1 when a ratio misses its target."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--mib", type=int, default=512)
    parser.add_argument(
        "--repeat", type=int, default=5, help="best of R interleaved timing runs of each"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args, _unknown = parser.parse_known_args(argv)
    if args.child:
        child(args.mib)
        return 0
    figures = run(args.mib, args.repeat)
    ok = figures["time"]["ratio"] <= TIME_TARGET and figures["memory"]["ratio"] <= MEMORY_TARGET
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
