"""Export packages at rest and their delivery rules (issue 8, docs/security.md, "Encryption at rest
and the keyring").

- ``store``: the encrypted package file and the row that records it (request and
  return-of-data packages).
- ``release``: four eyes, revoke, re-issue, expiry and purge, download counting; every
  status change goes through ``rules.PACKAGE_STATUS``.
- ``codes``: the one-time code a subject needs for a download.
- ``transmission``: Art. 20(2) direct transmission to another organisation.

This package knows nothing about ZIPs or formats (``exporters`` builds them; the use cases
wire the two together). The names below are its public interface.
"""

from __future__ import annotations

from rights.packages.codes import (
    CODE_TTL,
    CODE_WINDOW,
    CODES_PER_WINDOW,
    MAX_CODE_ATTEMPTS,
    TooManyCodes,
    issue_download_code,
    redeem_download_code,
    verified_address,
)
from rights.packages.release import (
    REISSUE_FROM,
    RELEASE_FROM,
    package_hold,
    purge_expired,
    record_download,
    refuse_subject_download,
    reissue_package,
    release_package,
    released_packages,
    revoke_package,
    subject_packages,
)
from rights.packages.rules import PACKAGE_STATUS, downloadable, set_status
from rights.packages.store import (
    DEFAULT_RETENTION,
    PackageStore,
    Producer,
    store_package,
    store_return_package,
)
from rights.packages.transmission import (
    TRANSMISSION_MAX_DOWNLOADS,
    TRANSMISSION_TTL,
    record_transmission_download,
    transmission_downloadable,
    transmit_package,
)

__all__ = [
    "CODES_PER_WINDOW",
    "CODE_TTL",
    "CODE_WINDOW",
    "DEFAULT_RETENTION",
    "MAX_CODE_ATTEMPTS",
    "PACKAGE_STATUS",
    "REISSUE_FROM",
    "RELEASE_FROM",
    "TRANSMISSION_MAX_DOWNLOADS",
    "TRANSMISSION_TTL",
    "PackageStore",
    "Producer",
    "TooManyCodes",
    "downloadable",
    "issue_download_code",
    "package_hold",
    "purge_expired",
    "record_download",
    "record_transmission_download",
    "redeem_download_code",
    "refuse_subject_download",
    "reissue_package",
    "release_package",
    "released_packages",
    "revoke_package",
    "set_status",
    "store_package",
    "store_return_package",
    "subject_packages",
    "transmission_downloadable",
    "transmit_package",
    "verified_address",
]
