"""Public reference numbers: short, readable, and not guessable in sequence."""

from __future__ import annotations

import secrets

# Crockford's base32 without I, L, O, U: no letters that read as digits or words.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference(prefix: str = "AVG") -> str:
    """``AVG-7K3Q-M9XD``: 40 random bits, so guessing a neighbour is hopeless."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{prefix}-{chars[:4]}-{chars[4:]}"


def normalise_reference(text: str) -> str:
    """Accept what people type: lower case, spaces, O for 0, I/L for 1."""
    cleaned = text.strip().upper().replace(" ", "")
    table = str.maketrans({"O": "0", "I": "1", "L": "1"})
    if "-" in cleaned:
        head, _, rest = cleaned.partition("-")
        return f"{head}-{rest.translate(table)}"
    return cleaned.translate(table)
