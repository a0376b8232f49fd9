"""How commissioners name their files, lay out their sheets and sign their reports, for the sample quarter."""
from __future__ import annotations

import random
import re
from datetime import date, timedelta

from adep.periods import Period
from adep.sample.names import INITIALS, PHONE_CODES, SURNAMES
from adep.forms.layout import ROMAN, FormLayout

# Characters Windows refuses in a file name.
_UNSAFE = re.compile(r'[\\/:*?"<>|]+')
MAX_SHORT_NAME = 40


def acronym(words: list[str]) -> str:
    """Initials of the significant words, as in 'МКК' for Мемлекеттік кірістер комитеті."""
    return "".join(w[0].upper() for w in words if len(w) > 2)


def short_name(name: str) -> str:
    """A body's name as people shorten it in a file name: the service's initials and the place, or the name cut short."""
    name = _UNSAFE.sub(" ", name).strip()
    name = name.replace("Қазақстан Республикасының", "ҚР").replace("Республики Казахстан", "РК")
    if " бойынша " in name:  # '<service>нің <place> бойынша басқармасы'
        words = name.split(" бойынша ", 1)[0].split()
        return f"{acronym(words[:-2])} {' '.join(words[-2:])}"
    if name.startswith(("Управление ", "Департамент ")) and " по " in name:
        service, place = name.rsplit(" по ", 1)
        return f"{acronym(service.split())} по {place}"
    if len(name) <= MAX_SHORT_NAME:
        return name
    return name[:MAX_SHORT_NAME].rsplit(" ", 1)[0]


def file_name(body: dict, period: Period, rng: random.Random, taken: set[str]) -> str:
    """A file name as people give it: mostly '1-әу_<short name>_3кв2026.xlsx', with spaces, Russian or .XLSX."""
    q, y = period.quarter, period.year
    short = short_name(body["name_kk"] if rng.random() < 0.7 else body["name_ru"])
    patterns = [
        (6, f"1-әу_{short}_{q}кв{y}.xlsx"),
        (2, f"1-әу {short} {q} кв {y}.xlsx"),
        (1, f"{short}_1-ӘУ_{q}кв{y}.XLSX"),
        (1, f"Отчет 1-әу {short} {ROMAN[q]} квартал {y}.xlsx"),
        (1, f"1-әу_{body['bin']}_{y}Q{q}.xlsx"),
    ]
    name = rng.choices([p for _, p in patterns], weights=[w for w, _ in patterns])[0]
    stem, _, ext = name.rpartition(".")
    candidate, n = name, 1
    while candidate.lower() in taken:  # two district offices can shorten to the same name
        n += 1
        candidate = f"{stem}_{n}.{ext}"
    taken.add(candidate.lower())
    return candidate


def random_layout(rng: random.Random, body: dict, top_tier: bool) -> FormLayout:
    """One commissioner's layout: mostly the standard form, written fast, with the field's usual variations."""
    chance = rng.random
    codes_as_numbers = chance() < 0.15
    roman = chance() < 0.2
    extra = rng.choices([None, "previous", "gap"], weights=[84, 8, 8])[0]
    writer = "openpyxl" if chance() < 0.05 else "xlsxwriter"
    return FormLayout(
        language="ru" if chance() < 0.3 else "kk",
        writer=writer,
        header_position="bottom" if chance() < 0.15 else "top",
        start_row=rng.choice([0, 0, 0, 0, 1, 2, 4]),
        start_col=rng.choice([0, 0, 0, 0, 0, 1, 2]),
        codes_as_numbers=codes_as_numbers,
        code_trailing_dot=not codes_as_numbers and chance() < 0.1,
        merged_cells=chance() < 0.3,
        extra_sheets=chance() < 0.1,
        values_as_text=chance() < 0.1,
        blank_zeros=rng.choice(["", "-", "–", "—"]) if chance() < 0.2 else None,
        roman_quarter=roman,
        kazakh_i=roman and chance() < 0.5,
        bin_in_label_cell=chance() < 0.15,
        bin_as_number=chance() < 0.15,
        value_column_heading=chance() >= 0.1,
        extra_value_columns=extra,
        # openpyxl cannot save a formula's value, and a clean report must not lose its totals.
        formulas=writer == "xlsxwriter" and chance() < 0.1,
        consolidated_mark=top_tier and chance() < 0.1,
    )


def sign_off(body: dict, period: Period, sent_on: date, rng: random.Random) -> tuple[str, str, date]:
    """The commissioner's name, phone and the signing date (after the quarter, no later than sending)."""
    commissioner = f"{rng.choice(SURNAMES)} {rng.choice(INITIALS)}.{rng.choice(INITIALS)}."
    code = PHONE_CODES.get(body.get("region") or "", "7172")
    rest = 10 - len(code)
    phone = f"+7 ({code}) {rng.randint(10 ** (rest - 1), 10 ** rest - 1)}"
    days = max((sent_on - period.last_day).days, 1)
    signed_on = period.last_day + timedelta(days=rng.randint(1, days))
    return commissioner, phone, min(signed_on, sent_on)
