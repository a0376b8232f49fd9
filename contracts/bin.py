"""BIN (БСН/БИН): the 12-digit business identification number and its check digit."""
from __future__ import annotations

_W1 = tuple(range(1, 12))
_W2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def check_digit(first11: str) -> int | None:
    """The check digit for 11 digits, or None when the number cannot have one (both passes give 10)."""
    digits = [int(c) for c in first11]
    for weights in (_W1, _W2):
        d = sum(w * x for w, x in zip(weights, digits)) % 11
        if d != 10:
            return d
    return None


def is_valid_bin(value: object) -> bool:
    text = str(value) if value is not None else ""
    if len(text) != 12 or not text.isdigit():
        return False
    return check_digit(text[:11]) == int(text[11])


def complete_bin(first11: str) -> str | None:
    """Append the check digit to 11 digits; None if no valid BIN starts with them."""
    d = check_digit(first11)
    return None if d is None else first11 + str(d)
