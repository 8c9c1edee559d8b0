"""Data sources: their definitions (``definition``, ``mapping``, ``registry``), one adapter per
kind (``adapters``), discovery, matching, copies, tasks; and reading controllers' data files
(databestanden): CSV and XLSX uploads, safely and streamed (exported here)."""

from rights.sources.datafile import DataFile, FileLimits
from rights.sources.filereader import DEFAULT_LIMITS, ERROR_CODES, open_data_file
from rights.sources.normalise import NormalisedIdentifiers, normalise_row

__all__ = [
    "DEFAULT_LIMITS",
    "ERROR_CODES",
    "DataFile",
    "FileLimits",
    "NormalisedIdentifiers",
    "normalise_row",
    "open_data_file",
]
