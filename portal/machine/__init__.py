"""The machine API's HTTP edge (docs/api.md): OpenDSR under ``/opendsr/v2`` and
``/opendsr/v1``, and the suppression check under ``/api/v1``. Every answer here is JSON,
refusals included (``portal.machine.errors``)."""
