"""The door a contract's end closes (Art. 28(3)(g); docs/controllers.md, "End of contract").

When the contract with a controller ends, the processor returns and deletes all of its
data (``operations.contract_end``). Nothing may start processing for it again afterwards:
no new request (staff registration, the public form, an instruction, the machine API) and
no new data file. Requests already open when it ended are not affected, but the contract
cannot end while there are any.
"""

from __future__ import annotations

from datetime import date

from rights.deadlines import local_date
from rights.errors import Conflict
from rights.models.org import Organisation

__all__ = ["CONTRACT_ENDED", "check_contract_running", "contract_ended_on"]

CONTRACT_ENDED = "contract_ended"  # the error code of every refusal after the end


def contract_ended_on(organisation: Organisation | None) -> date | None:
    """The Amsterdam date on which the organisation's contract ended, or None while it runs
    (and for no organisation, or the operator, whose contract never ends)."""
    if organisation is None or organisation.contract_ended_at is None:
        return None
    return local_date(organisation.contract_ended_at)


def check_contract_running(organisation: Organisation | None, **params: str) -> None:
    """Raise ``Conflict`` (code ``contract_ended``, param ``organisation``: its name, and
    ``params``, e.g. what was refused, for the message) when the organisation's contract
    ended."""
    if contract_ended_on(organisation) is not None:
        assert organisation is not None
        raise Conflict(
            "the contract with the organisation ended",
            code=CONTRACT_ENDED,
            organisation=organisation.name,
            **params,
        )
