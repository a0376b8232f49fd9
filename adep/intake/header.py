"""The header of a form 1-әу sheet read by content: period, BIN, body, commissioner, phone, signing date."""
from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

from adep.intake.choices import Reading
from adep.intake.cells import cell_ref, has_letters, text_of
from adep.periods import Period
from contracts.findings import finding

_SPACES = re.compile(r"\s+")
_QUARTER_WORDS = r"(?:тоқсан|токсан|квартал)"
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
# '3 тоқсан', '3-тоқсан', '3-ші тоқсан', '3 квартал', '3-й квартал', 'за 2-ой квартал'
_PERIOD_ARABIC = re.compile(r"(?<!\d)([1-4])\s*-?\s*[^\W\d_]{0,3}\.?\s*" + _QUARTER_WORDS, re.I)
_PERIOD_ROMAN = re.compile(r"(?<![A-ZА-ЯӘІ])(IV|III|II|I)\s*-?\s*[^\W\d_]{0,3}\.?\s*" + _QUARTER_WORDS, re.I)
_PERIOD_Q = re.compile(r"(?<![A-Za-z])Q\s*([1-4])(?!\d)", re.I)
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_DIGIT = re.compile(r"\d")
_BIN_LABEL = re.compile(r"(?<![A-Za-zА-Яа-яӘәІіҢңҒғҮүҰұҚқӨөҺһ])(?:ЖСН\s*/\s*)?(БСН|БИН|BIN)(?![A-Za-zА-Яа-яӘәІіҢңҒғҮүҰұҚқӨөҺһ])", re.I)
_DIGITS12 = re.compile(r"(?<!\d)(\d{12})(?!\d)")
_DATE_TEXT = re.compile(r"(?<!\d)(\d{1,2})[./](\d{1,2})[./](\d{4})(?!\d)")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_PLACEHOLDER = re.compile(r"^[(\s]*(т\.?\s*а\.?\s*ә|ф\.?\s*и\.?\s*о|қолы|подпись|мөрдің орны|м\.?\s*п\.?)", re.I)
# Month names by their stems, Kazakh and Russian, in any grammatical case ('апреля', 'сәуірден', 'маусымға').
_MONTHS = {
    "қаңтар": 1, "кантар": 1, "ақпан": 2, "акпан": 2, "наурыз": 3, "сәуір": 4, "сәуiр": 4, "мамыр": 5, "маусым": 6,
    "шілде": 7, "шiлде": 7, "тамыз": 8, "қыркүйек": 9, "кыркуйек": 9, "қазан": 10, "казан": 10, "қараша": 11,
    "караша": 11, "желтоқсан": 12, "желтоксан": 12,
    "январ": 1, "феврал": 2, "март": 3, "апрел": 4, "мая": 5, "май": 5, "июн": 6, "июл": 7, "август": 8,
    "сентябр": 9, "октябр": 10, "ноябр": 11, "декабр": 12,
}
_MONTH_WORD = re.compile(r"(?<![^\W\d_])(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")[^\W\d_]*", re.I)
# '2026 жылғы «3» қазан', '«03» октября 2026 г.', '3 қазан 2026 ж.'
_DATE_WORDS = re.compile(r"(?:(20\d\d)\s*ж\w*\.?\s*)?[«\"']?\s*(\d{1,2})\s*[»\"']?\s*([^\W\d_]{3,})\s*(?:(20\d\d))?", re.I)
# A cell that introduces the period: 'Есепті кезең: ...', 'Отчетный период ...' (not the heading 'Есепті кезеңдегі ...').
_PERIOD_LABEL = re.compile(r"^\s*(?:есепті кезең|есептi кезең|отчетный период|отчётный период|кезең|период)(?![^\W\d_])", re.I)
_CONSOLIDATED = re.compile(r"жиынтық|сводн", re.I)
# Where the report says what it is: its title ('... туралы жиынтық есеп', 'Сводный отчет ...'), a type line
# ('Есептің түрі: жиынтық', 'Вид отчета: сводный') or the index line ('Индекс: 1-әу (жиынтық)'). A column's heading
# ('өспелі жиынтықпен', cumulative) is none of these.
_REPORT_WORD = re.compile(r"(?<![^\W\d_])(?:есеп|есебі|есептің|отчет|отчёт|отчета|отчёта)(?![^\W\d_])", re.I)
_TYPE_LINE = re.compile(r"^\s*(?:индекс|index|есеп(?:тің)?\s+түрі|вид\s+отч[её]та|тип\s+отч[её]та)(?![^\W\d_])", re.I)
# A cell holding the scope alone, as the corner of the printed form marks it: 'ЖИЫНТЫҚ', 'Сводный'.
_SCOPE_MARK = re.compile(r"^[\W_]*(?:жиынтық|сводный|сводная|сводн)[\W_]*$", re.I)
_OWN = re.compile(r"(?<![^\W\d_])(?:жеке|өз\s+есебі|собственн\w*|own)(?![^\W\d_])", re.I)

# Header labels in Kazakh and Russian; a cell is a label when its text starts with one of them.
_LABELS = {
    "body_name": ("мемлекеттік органның атауы", "мемлекеттiк органның атауы", "наименование государственного органа", "наименование органа"),
    "commissioner": ("әдеп жөніндегі уәкіл", "әдеп жөнiндегi уәкiл", "уполномоченный по этике", "уполномоченный по вопросам этики"),
    "phone": ("телефон", "тел.", "тел:", "байланыс телефоны", "контактный телефон"),
    "signed_on": ("қол қойылған күні", "қол қойылған күн", "дата подписания", "күні", "дата"),
}
TEXT_FIELDS = ("body_name", "commissioner", "phone", "signed_on")
_LABEL_STARTS = frozenset(label[:1] for labels in _LABELS.values() for label in labels)


def parse_period(line: str) -> tuple[int, int] | None:
    """Year and quarter when a text names exactly one quarter: '2026 жылғы 3 тоқсан', 'апрель-июнь 2026 года'."""
    named, _cue = periods_in(line)
    return next(iter(named)) if len(named) == 1 else None


def periods_in(text: str, fallback_year: int | None = None) -> tuple[set[tuple[int, int]], bool]:
    """The quarters a text names, and whether it speaks of a period at all (so that an unread one is quoted)."""
    named, cue = _periods_in(text, fallback_year)
    return set(named), cue  # made from the quarters in the order they stand, as the set was first made


@lru_cache(maxsize=2048)  # the same period lines ('2026 жылғы 3 тоқсан') stand in file after file
def _periods_in(text: str, fallback_year: int | None) -> tuple[tuple[tuple[int, int], ...], bool]:
    """The quarters a text names, and whether it speaks of a period at all.

    A quarter by number ('3 тоқсан', 'III квартал', 'Q3'), a run of months ('апрель-июнь', 'сәуір-маусым') or of
    dates ('с 01.04.2026 по 30.06.2026') counts only when it covers one quarter exactly, in a year the text names
    (or fallback_year, the one year written elsewhere in the same row).
    """
    low = text.lower().replace("ё", "е")
    years = {int(y) for y in _YEAR.findall(low)}
    year = next(iter(years)) if len(years) == 1 else (fallback_year if not years else None)
    named: dict[tuple[int, int], None] = {}  # the quarters in the order they stand
    cue = bool(_PERIOD_LABEL.match(low))

    roman = text.replace("І", "I").replace("і", "i")  # the Kazakh letter І typed for a Roman I
    quarters = {int(m.group(1)) for m in _PERIOD_ARABIC.finditer(roman)}
    quarters |= {_ROMAN[m.group(1).upper()] for m in _PERIOD_ROMAN.finditer(roman)}
    quarters |= {int(m.group(1)) for m in _PERIOD_Q.finditer(text)}
    if quarters or re.search(_QUARTER_WORDS, low):
        cue = True
        if year is not None and len(quarters) == 1:
            named[(year, quarters.pop())] = None

    months = [_month_of(m.group(1)) for m in _MONTH_WORD.finditer(low)]
    if len(months) >= 2:
        cue = True
        q = _quarter_of_months(months[0], months[-1])
        if year is not None and q:
            named[(year, q)] = None

    days = _dates_in(low)
    if len(days) >= 2:
        cue = True
        first, last = days[0], days[-1]
        p = Period.containing(first)
        if first == p.first_day and last == p.last_day:
            named[(p.year, p.quarter)] = None
    return tuple(named), cue


def _month_of(word: str) -> int:
    word = word.lower()
    return next(n for stem, n in _MONTHS.items() if word.startswith(stem))


def _quarter_of_months(first: int, last: int) -> int | None:
    q = (first - 1) // 3 + 1
    return q if first == 3 * q - 2 and last == 3 * q else None


def _dates_in(text: str) -> list[date]:
    dated: list[tuple[int, date]] = []
    for m in _DATE_TEXT.finditer(text):
        try:
            dated.append((m.start(), date(int(m.group(3)), int(m.group(2)), int(m.group(1)))))
        except ValueError:
            continue
    for m in _ISO_DATE.finditer(text):
        try:
            dated.append((m.start(), date(int(m.group(1)), int(m.group(2)), int(m.group(3)))))
        except ValueError:
            continue
    return [d for _, d in sorted(dated)]


def parse_date(v) -> date | None:
    """A date as people write it: a date cell, '03.10.2026', '2026-10-03', '2026 жылғы «3» қазан', '«03» октября 2026 г.'."""
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    text = text_of(v)
    m = _DATE_TEXT.search(text)
    try:
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        m = _ISO_DATE.search(text)
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        for m in _DATE_WORDS.finditer(text):
            year = m.group(1) or m.group(4)
            word = m.group(3).lower()
            month = next((n for stem, n in _MONTHS.items() if word.startswith(stem)), None)
            if year and month:
                return date(int(year), month, int(m.group(2)))
    except ValueError:
        return None
    return None


def _label_of(text: str) -> str | None:
    if text[:1].lower()[:1] not in _LABEL_STARTS:
        return None  # no label begins with this letter
    low = text.lower()
    if "ё" in low:
        low = low.replace("ё", "е")
    for key, labels in _LABELS.items():
        for label in labels:
            if low.startswith(label):
                rest = low[len(label):]
                # 'Әдеп жөніндегі уәкілдердің ...' is the title, not the commissioner's label.
                if rest[:1].isalpha() and key != "phone":
                    continue
                return key
    return None


def _filled(v) -> bool:
    """A cell someone filled in: not blank, not underscores, not the form's printed hint such as 'Т.А.Ә. (қолы)'."""
    if isinstance(v, (date, datetime)):
        return True
    t = text_of(v).strip("_ ")
    return bool(t) and not _PLACEHOLDER.match(t)


def _is_label(v) -> bool:
    if type(v) is not str:
        return False
    text = text_of(v)
    return _label_of(text) is not None or bool(_BIN_LABEL.search(text))


def _value_after_label(grid, r: int, c: int, text: str) -> tuple[object, str] | None:
    """The value that goes with a label: after ':' in the same cell, else the next filled cell right, else below."""
    if ":" in text:
        tail = text.split(":", 1)[1].strip().strip("_ ").strip()
        if tail and not _PLACEHOLDER.match(tail):
            return tail, cell_ref(r, c)
    row = grid[r]
    for cc in range(c + 1, len(row)):
        if _filled(row[cc]):
            if _is_label(row[cc]):
                break  # the next label's field begins; this label's value is below
            return row[cc], cell_ref(r, cc)
    for rr in range(r + 1, min(r + 4, len(grid))):
        v = grid[rr][c] if c < len(grid[rr]) else ""
        if _filled(v) and not _is_label(v):
            return v, cell_ref(rr, c)
    return None


def bin_text(v) -> str:
    """A BIN as 12 digits; Excel drops the leading zero of a BIN kept as a number, so put it back."""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, int):
        return str(v).zfill(12) if len(str(v)) == 11 else str(v)
    text = re.sub(r"[\s\u00a0]", "", str(v))
    m = _DIGITS12.search(text)
    return m.group(1) if m else text


def read_header(grid, table, reading: Reading) -> None:
    """Period, BIN, body name, commissioner, phone, signing date and scope, wherever they stand outside the table.

    A cell in the table's heading rows right of its labels heads a column: a period or 'жиынтық' there is that
    column's, so it is set aside, never the report's.
    """
    table_rows = table.table_rows
    heading_rows = table.heading_rows
    left = table.label_col if table.label_col is not None else table.code_col
    periods: list[tuple[tuple[int, int], str, str]] = []  # (year, quarter), text, cell
    unread: list[tuple[str, str]] = []  # period text that names no single quarter, cell
    headings: list[str] = []  # column headings that name a period or a scope: set aside
    scopes: list[tuple[bool, str, str, str]] = []  # (consolidated?, 'title' or 'type', text, cell)
    bins: list[tuple[int, str, str]] = []  # (0 labelled / 1 bare number, BIN, cell)
    fields: dict[str, list[tuple[object, str]]] = {}
    for r, row in enumerate(grid):
        if r in table_rows:
            continue
        texts = [(c, text_of(v)) for c, v in enumerate(row) if v != "" and v is not None]
        if not texts:
            continue
        if r in heading_rows and not any(_is_label(row[c]) or _PERIOD_LABEL.match(t) for c, t in texts if c <= left):
            # the table's headings ('№ | Көрсеткіштер | ...'), not a header field's label and its value
            headed = [(c, t) for c, t in texts if c > left and has_letters(t)]
            texts = [(c, t) for c, t in texts if (c, t) not in headed]
            headings += _column_headings(headed, r)
            if not texts:
                continue
        line = " ".join(t for _, t in texts if t)
        if _CONSOLIDATED.search(line) or _OWN.search(line):
            scopes += _scope_signs(texts, r)
        _collect_periods(row, r, texts, line, periods, unread)
        shown = dict(texts)
        for c, v in enumerate(row):
            if c not in shown:
                continue
            if type(v) is not str:
                # a BIN kept as a number (Excel drops its leading zero)
                if isinstance(v, (int, float)) and not isinstance(v, bool) and 1e10 <= v < 1e12:
                    bins.append((1, bin_text(v), cell_ref(r, c)))
                continue
            text = shown[c]  # the cell's one line of text, made once for the row
            if not text:
                continue
            low = text.lower()
            if ("бсн" in low or "бин" in low or "bin" in low) and _BIN_LABEL.search(text):
                same = _DIGITS12.findall(text.replace(" ", ""))
                if same:
                    bins.extend((0, b, cell_ref(r, c)) for b in same)
                else:
                    after = _boxed_digits(row, r, c) or _value_after_label(grid, r, c, text + (":" if ":" not in text else ""))
                    if after:
                        bins.append((0, bin_text(after[0]), after[1]))
                continue
            key = _label_of(low)
            if key:
                after = _value_after_label(grid, r, c, text)
                if after:
                    fields.setdefault(key, []).append(after)
            elif len(text) >= 12 and text[0].isdigit() and _DIGITS12.fullmatch(text.replace(" ", "")):
                bins.append((1, text.replace(" ", ""), cell_ref(r, c)))
    _choose_period(periods, unread, headings, reading)
    _choose_bin(bins, reading)
    for key in TEXT_FIELDS:
        _choose_field(key, fields.get(key, []), reading)
    if reading.header.get("signed_on") is None:
        _unlabelled_signing_date(grid, table_rows, reading)
    _choose_scope(scopes, headings, reading)


def _column_headings(headed: list[tuple[int, str]], r: int) -> list[str]:
    """Column headings that name a period or a scope, as set aside: 'D7 'Алдыңғы тоқсан (2026 жылғы 1 тоқсан)' (a
    column's heading)'."""
    out = []
    for c, t in headed:
        if _CONSOLIDATED.search(t) or (_DIGIT.search(t) and periods_in(t)[0]):
            out.append(f"{cell_ref(r, c)} '{t[:60]}' (a column's heading, not the report's)")
    return out


def _scope_signs(texts, r: int) -> list[tuple[bool, str, str, str]]:
    """What the title, a type line, the index line or a cell holding the scope word alone says of the report's
    scope: consolidated, or (a type line only) its own. The word inside other text is not a sign."""
    out = []
    for c, t in texts:
        if _SCOPE_MARK.match(t):
            out.append((True, "mark", t, cell_ref(r, c)))
        elif _TYPE_LINE.search(t):
            if _CONSOLIDATED.search(t):
                out.append((True, "type", t, cell_ref(r, c)))
            elif _OWN.search(t):
                out.append((False, "type", t, cell_ref(r, c)))
        elif _CONSOLIDATED.search(t) and _REPORT_WORD.search(t):
            out.append((True, "title", t, cell_ref(r, c)))
    return out


def _choose_scope(scopes: list, headings: list[str], reading: Reading) -> None:
    """Consolidated when the title or a type line says so; the body's own report otherwise. Signs that disagree are
    an error (the figures count in different totals either way)."""
    aside = [h for h in headings if _CONSOLIDATED.search(h)]
    said = list(dict.fromkeys(s[0] for s in scopes))
    if not scopes:
        reading.choose("is_consolidated", "no", "no title or type line marks a consolidated report",
                       header={"is_consolidated": False}, set_aside=aside)
        return
    first = scopes[0]
    # further signs that say the same are seen too, and recorded as such
    aside += list(dict.fromkeys(f"{s[3]} (the same)" for s in scopes[1:] if s[0] == first[0] and s[3] != first[3]))
    if len(said) == 1:
        reading.choose("is_consolidated", "yes" if first[0] else "no", f"the {first[1]} '{first[2][:60]}'", cell=first[3],
                       header={"is_consolidated": first[0]}, set_aside=aside)
        return
    words = {True: "consolidated", False: "own report"}
    disagreeing = [s for s in scopes if s[0] != first[0]]
    other = disagreeing[0]
    reading.choose("is_consolidated", "yes" if first[0] else "no", f"the {first[1]} and the {other[1]} disagree", cell=first[3],
                   header={"is_consolidated": first[0]}, set_aside=aside,
                   alternatives=list(dict.fromkeys(f"{s[3]} ({words[s[0]]})" for s in disagreeing)),
                   findings=finding("H11", field="is_consolidated", cell=first[3],
                                    first=f"the {first[1]} '{first[2][:60]}' says {words[first[0]]}", first_cell=first[3],
                                    second=f"the {other[1]} '{other[2][:60]}' says {words[other[0]]}", second_cell=other[3]))


def _boxed_digits(row, r: int, c: int) -> tuple[str, str] | None:
    """A BIN typed one digit per cell after its label, as in the printed form's 12 boxes: the 12 digits and their
    cells, when the filled cells after the label are exactly 12 single digits."""
    digits, cells = [], []
    for cc in range(c + 1, len(row)):
        v = row[cc]
        if v == "" or v is None:
            continue
        text = text_of(v)
        if len(text) != 1 or not text.isdigit():
            break
        digits.append(text)
        cells.append(cc)
        if len(digits) > 12:
            return None
    if len(digits) != 12:
        return None
    return "".join(digits), f"{cell_ref(r, cells[0])}:{cell_ref(r, cells[-1])}"


def _collect_periods(row, r: int, texts, line: str, periods: list, unread: list) -> None:
    """Each cell that speaks of a period; a year written in another cell of the row completes a bare '3 тоқсан'."""
    if not _DIGIT.search(line) and not any(_PERIOD_LABEL.match(t) for _, t in texts):
        return  # no year, no quarter's number, no label: this row names no period
    years = {int(y) for y in _YEAR.findall(line)}
    fallback = next(iter(years)) if len(years) == 1 else None
    candidates = [(c, t) for c, t in texts if isinstance(row[c], str)]
    dated = [c for c, v in enumerate(row) if isinstance(v, (date, datetime))]
    if len(dated) >= 2:  # 'с' [01.04.2026] 'по' [30.06.2026] in cells of their own
        candidates.append((dated[0], line))
    spoken = False
    for c, t in candidates:
        if not _DIGIT.search(t) and not _PERIOD_LABEL.match(t):
            continue  # no year, no quarter's number and no label: a name or a label, not a period
        named, cue = periods_in(t, fallback)
        for p in named:
            periods.append((p, t, cell_ref(r, c)))
        if cue and not named:
            unread.append((t, cell_ref(r, c)))
        spoken = spoken or cue
    if not spoken and ("тоқсан" in line.lower() or "квартал" in line.lower()):
        named, cue = periods_in(line)  # the quarter's number and its word in cells of their own
        for p in named:
            periods.append((p, line, cell_ref(r, texts[0][0])))


def _choose_period(periods: list, unread: list, headings: list[str], reading: Reading) -> None:
    aside = [h for h in headings if not _CONSOLIDATED.search(h)]
    distinct = list(dict.fromkeys(p for p, _, _ in periods))
    if not distinct:
        if unread:
            text, cell = unread[0]
            reading.choose("period", "none", f"'{text}' in {cell} names no single quarter", cell=cell,
                           header={"period_text": text, "period_cell": cell}, set_aside=aside)
        elif aside:
            reading.choose("period", "none", "no period line outside the table's headings", set_aside=aside)
        return
    (year, quarter), text, cell = periods[0]
    if len(distinct) == 1:
        again = list(dict.fromkeys(f"{c} (the same quarter)" for _, _, c in periods[1:] if c != cell))
        reading.choose("period", f"{year}Q{quarter}", f"'{text}' in {cell}", cell=cell,
                       header={"year": year, "quarter": quarter, "period_cell": cell}, set_aside=again + aside)
        return
    seen = [f"{y}Q{q} ('{t}', {c})" for (y, q), t, c in (next(x for x in periods if x[0] == p) for p in distinct)]
    reading.choose("period", "none", "the header names more than one quarter", cell=cell, header={"period_cell": cell},
                   alternatives=seen, set_aside=aside, findings=finding("H08", field="period", cell=cell, found="; ".join(seen)))


def _choose_bin(bins: list, reading: Reading) -> None:
    if not bins:
        return
    labelled = [b for b in bins if b[0] == 0]
    pool = labelled or bins
    distinct = list(dict.fromkeys(b for _, b, _ in pool))
    _, chosen, cell = pool[0]
    fields = {"bin": chosen, "bin_cell": cell}
    basis = "the cell labelled БСН/БИН" if labelled else "a 12-digit number outside the table"
    if ":" in cell:
        basis += ", one digit per cell"
    set_aside = [f"{b} ({c}, no БСН/БИН label)" for p, b, c in bins if p == 1 and b != chosen] if labelled else []
    set_aside += list(dict.fromkeys(f"{c} (the same BIN)" for _, b, c in pool[1:] if b == chosen and c != cell))
    if len(distinct) == 1:
        reading.choose("bin", chosen, basis, cell=cell, header=fields, set_aside=set_aside)
        return
    seen = [f"{b} ({next(c for _, x, c in pool if x == b)})" for b in distinct]
    reading.choose("bin", chosen, basis + ", the first of several", cell=cell, header=fields, alternatives=seen[1:],
                   set_aside=set_aside, findings=finding("H09", field="bin", cell=cell, found=", ".join(seen)))


def _choose_field(key: str, candidates: list[tuple[object, str]], reading: Reading, basis: str = "the cell after its label") -> None:
    """The first filled value after the field's label; a different one after a second label is a warning."""
    candidates = [(v, c) for v, c in candidates if _field_value(key, v) is not None]
    if not candidates:
        return
    value, cell = candidates[0]
    kept = _field_value(key, value)
    fields = {key: kept, key + "_cell": cell}
    others = [(v, c) for v, c in candidates[1:] if _field_value(key, v) != kept]
    same = [c for _, c in candidates[1:] if c not in {o for _, o in others}]
    if not others:
        reading.choose(key, _shown(kept), basis, cell=cell, header=fields, set_aside=[f"{c} (the same)" for c in same])
        return
    other, other_cell = others[0]
    reading.choose(key, _shown(kept), basis + ", the first of two", cell=cell, header=fields,
                   alternatives=[f"{_shown(_field_value(key, v))} ({c})" for v, c in others],
                   findings=finding("H10", field=key, cell=cell, found=_shown(kept),
                                    other=_shown(_field_value(key, other)), other_cell=other_cell))


def _field_value(key: str, v):
    if key == "signed_on":
        return parse_date(v)
    return text_of(v).strip("_ ").strip() or None


def _shown(v) -> str:
    return v.isoformat() if isinstance(v, date) else str(v)


def _unlabelled_signing_date(grid, table_rows: set[int], reading: Reading) -> None:
    """The printed form has no label for the date, only '20__ жылғы "__" ______': take a date written outside the
    table; a second, different one is a warning naming both (the first is kept)."""
    dates: list[tuple[object, str]] = []
    for r, row in enumerate(grid):
        if r in table_rows or sum(isinstance(v, (date, datetime)) for v in row) >= 2:
            continue  # a period written as two date cells is not a signing date
        for c, v in enumerate(row):
            if isinstance(v, (date, datetime)) or (type(v) is str and any(ch.isdigit() for ch in v) and "тоқсан" not in v.lower()):
                if type(v) is str and len(_dates_in(v.lower())) >= 2:
                    continue  # a period written as dates, not a signing date
                if parse_date(v) is not None:
                    dates.append((v, cell_ref(r, c)))
    _choose_field("signed_on", dates, reading, basis="the first date outside the table (no label)")
