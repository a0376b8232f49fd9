"""Cells of a sheet as the reader sees them: addresses, text, and how a value cell becomes a count or a blank."""
from __future__ import annotations

import re
from datetime import date, datetime, time

DASHES = {"-", "–", "—", "‒", "−"}
_SPACES = re.compile(r"\s+")
_NUMBER_TEXT = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
# '1,000' or '1.000': a thousands separator (one thousand) or a decimal mark (one)? The text cannot say.
_THOUSANDS_OR_DECIMAL = re.compile(r"[+-]?[1-9]\d{0,2}[.,]\d{3}")
_NUMERIC_TEXT = re.compile(r"\s*-?\d+(?:[.,]\d+)?\s*")


def cell_ref(row: int, col: int) -> str:
    """A 0-based (row, column) as the spreadsheet names it: (16, 2) -> C17."""
    letters = _LETTERS[col] if 0 <= col < _KNOWN_COLUMNS else column_letter(col)
    return f"{letters}{row + 1}"


def column_letter(col: int) -> str:
    if 0 <= col < _KNOWN_COLUMNS:
        return _LETTERS[col]
    return _column_letter(col)


def _column_letter(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def text_of(v) -> str:
    """A cell as one line of text: whole floats without '.0', runs of spaces as one."""
    if type(v) is str and "  " not in v and v.isprintable():
        # No run of spaces and no other kind of space (every space but ' ' is unprintable): nothing to join.
        return v.strip()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if v is None:
        return ""
    return _SPACES.sub(" ", str(v)).strip()


def has_letters(v) -> bool:
    if not isinstance(v, str):
        return False
    for ch in v:
        if ch.isalpha():
            return True
    return False


def looks_numeric(v) -> bool:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return True
    return isinstance(v, str) and bool(_NUMERIC_TEXT.fullmatch(v))


def is_blank(v) -> bool:
    return v is None or (isinstance(v, str) and v.strip().replace("\u00a0", "") == "")


def parse_value(v) -> tuple[int | None, bool, str | None, str | None, str]:
    """(value, was_blank, error rule, the cell's text as shown, how it was read): whole non-negative counts; blank or a dash is zero.

    How it was read is 'number', 'text' (a number typed as text), 'rounded' (a formula's binary noise such as
    12.000000000000002), 'blank' or 'dash'; each is certain. A text that could be read two ways ('1,000': one
    thousand or one) is an error, never a guess.
    """
    kind = type(v)
    if kind is float and v >= 0 and v.is_integer():  # the common case first: a whole count as a number
        return int(v), False, None, None, "number"
    if kind is str and not v:
        return 0, True, None, None, "blank"
    if is_blank(v):
        return 0, True, None, None, "blank"
    if isinstance(v, bool) or isinstance(v, (date, datetime, time)):
        return None, False, "V03", str(v), "other"
    basis = "number"
    if isinstance(v, str):
        text = v.strip().replace("\u00a0", "").replace(" ", "")
        if text in DASHES:
            return 0, True, None, None, "dash"
        if _THOUSANDS_OR_DECIMAL.fullmatch(text):
            return None, False, "V05", v.strip(), "other"
        if not _NUMBER_TEXT.fullmatch(text):
            return None, False, "V03", v.strip(), "other"
        v, basis = float(text.replace(",", ".")), "text"
    if isinstance(v, int):
        return (v, False, None, None, basis) if v >= 0 else (None, False, "V02", str(v), basis)
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            return None, False, "V03", str(v), "other"
        if v < 0:
            return None, False, "V02", text_of(v), basis
        if not v.is_integer():
            # A value computed by a formula may carry binary noise (12.000000000000002): that is still 12.
            if abs(v - round(v)) < 1e-9:
                return int(round(v)), False, None, None, "rounded"
            return None, False, "V01", repr(v), basis
        return int(v), False, None, None, basis
    return None, False, "V03", str(v), "other"


_KNOWN_COLUMNS = 702  # A..ZZ, named once: the reader names cells in every finding and choice
_LETTERS = tuple(_column_letter(c) for c in range(_KNOWN_COLUMNS))
