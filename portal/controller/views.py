"""The controller portal: a controller contact sees and decides only their organisation's
requests (docs/controllers.md). Importing this module registers every page on ``bp``.

Modules: ``requests`` (list and request page), ``decisions`` (approve, reject, comment,
request-level decisions, sending the decisions to the processor), ``incidents`` (breach
notices), and ``certificates``, ``files`` (data files) and ``instructions`` (requests the
controller files for the processor to execute).
"""

from __future__ import annotations

from portal.controller import certificates, decisions, files, incidents, instructions, requests
from portal.controller.blueprint import bp

__all__ = ["bp", "certificates", "decisions", "files", "incidents", "instructions", "requests"]
