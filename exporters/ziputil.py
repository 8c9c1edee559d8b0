"""ZIP entries that do not depend on the clock, the platform or the umask (reproducible builds)."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from typing import Final

# Deflate at zlib's default level (6); bytes can differ between zlib builds.
COMPRESSION: Final = zipfile.ZIP_DEFLATED
_EPOCH = datetime(1980, 1, 1, tzinfo=UTC)  # the earliest time a ZIP entry can carry

DateTime = tuple[int, int, int, int, int, int]


def zip_time(moment: datetime) -> DateTime:
    """``moment`` as a ZIP entry time: naive UTC, whole seconds, not before 1980."""
    value = max(moment.astimezone(UTC), _EPOCH)
    return (value.year, value.month, value.day, value.hour, value.minute, value.second)


def entry(name: str, date_time: DateTime) -> zipfile.ZipInfo:
    """A ZipInfo with fixed time, compression, permissions (0644) and host system (Unix)."""
    info = zipfile.ZipInfo(name, date_time)
    info.compress_type = COMPRESSION
    info.create_system = 3
    info.external_attr = 0o644 << 16
    return info
