"""Opening a file from the field safely: its kind by content (.xlsx, .xls, .ods), container, zip-bomb and XML-entity
guards, sheet extents (measured by adep.intake.extents), cells that read blank although they are not."""
from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass

from adep.intake.cells import cell_ref
from adep.intake.extents import ERROR_TYPE, fits_near, marks_cells_to_confirm, ods_sheets, sheet_extent, xls_sheets
from adep.intake.ole2 import SIGNATURE as _OLE2
from adep.intake.ole2 import Damaged, workbook_stream
from contracts.findings import Finding, finding

_ZIP = b"PK\x03\x04"
# An encrypted .xlsx is an OLE2 container with these streams (ECMA-376 agile or standard encryption).
_ENCRYPTED_MARKS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))
_CELL = re.compile(rb"<c\b([^>]*)>(.*?)</c>", re.S)
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3}\d+)"')
_VALUE = re.compile(rb"<v>[^<]+</v>|<is>", re.S)
_SAVED = re.compile(rb"<v>([^<]*)</v>")
_SHEET_ENTRY = re.compile(rb'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"', re.S)
_REL_ENTRY = re.compile(rb'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"', re.S)
_REL_ENTRY_REV = re.compile(rb'<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"', re.S)


_VALUE_PARTS = {"xl/workbook.xml", "xl/sharedStrings.xml"}
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_MAX_PROLOG = 1_000_000
_ROOT_ELEMENT = re.compile(rb"<[A-Za-z_]")
# Parts the guards read more than once (the workbook, its relationships, the sheets) are inflated whole, once, when
# their directory says they are this small; a form's sheet is a few KB. Below the prolog bound on purpose.
_WHOLE_PART = 256 * 1024


class UnsafeFile(Exception):
    """The file cannot be read as a form; carries the finding that says why."""

    def __init__(self, cause: Finding):
        super().__init__(cause.message)
        self.finding = cause


@dataclass
class Inspected:
    """What we learned about a workbook before handing it to the reader."""

    data: bytes
    kind: str = "xlsx"  # 'xlsx' (also .xlsm), 'xls' or 'ods'
    macros: bool = False
    _zip: zipfile.ZipFile | None = None
    _blank_cells: dict[str, dict[str, str | None]] | None = None
    # .xlsx sheet parts holding a formula or an error value, and their sheet names (seen while measuring the sheets)
    formula_parts: frozenset[str] = frozenset()
    sheet_names: dict[str, str] | None = None
    # small parts the guards inflated whole (the workbook, its relationships, the sheets), by name
    _parts: dict[str, bytes] | None = None

    def blank_cells(self, sheet_name: str) -> dict[str, str | None]:
        """Cells of a sheet that python-calamine reads as blank although they are not: an error value ('#REF!') or a
        formula with no saved value (None), by address; looked up only when a value cell reads blank."""
        if self._blank_cells is None:
            self._blank_cells = {}
            by_part = self.sheet_names if self.sheet_names is not None else _sheet_names_by_part(self._zip, self._parts)
            for part, name in by_part.items():
                if self.sheet_names is not None and part not in self.formula_parts:
                    continue
                try:
                    raw = _read(self._zip, part, 200_000_000, self._parts)
                except (KeyError, ValueError, zipfile.BadZipFile, OSError):
                    continue
                if marks_cells_to_confirm(raw):
                    self._blank_cells[name] = cells_read_as_blank(raw)
        return self._blank_cells.get(sheet_name, {})


def sniff_kind(data: bytes) -> str:
    if not data:
        return "empty"
    if data.startswith(_ZIP):
        return "zip"
    if data.startswith(_OLE2):
        # The container's directory (with the stream names) may stand after the encrypted package, so look at
        # the whole file: a 5 MB encrypted form was told it was an old .xls.
        return "encrypted" if any(m in data for m in _ENCRYPTED_MARKS) else "xls"
    return "other"


def inspect_workbook(data: bytes, *, max_inflated_bytes: int, max_sheet_cells: int = 2_000_000) -> Inspected:
    """Check a workbook's container before any parser inflates it; raise UnsafeFile with a finding.

    .xlsx/.xlsm and .ods are zip archives: parts, sizes, compression and XML prologs are checked, then every sheet
    measured (adep.intake.extents). An .xls is an OLE2 container: its chains are followed within the file and its
    sheets measured from their cell records.
    """
    kind = sniff_kind(data)
    if kind == "empty":
        raise UnsafeFile(finding("F01", "empty"))
    if kind == "encrypted":
        raise UnsafeFile(finding("F03"))
    if kind == "xls":
        return _inspect_xls(data, max_sheet_cells)
    if kind != "zip":
        raise UnsafeFile(finding("F02"))
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnsafeFile(finding("F01", "damaged", detail=str(exc))) from None
    names = {i.filename for i in infos}
    ods = "mimetype" in names and b"opendocument.spreadsheet" in _read(zf, "mimetype", 200)
    if not ods and "xl/workbook.xml" not in names:
        raise UnsafeFile(finding("F02", "zip"))
    if ods and "content.xml" not in names:
        raise UnsafeFile(finding("F01", "damaged", detail="no content.xml"))
    # Zip bombs: trust no declared size; refuse before inflating anything large.
    declared = sum(i.file_size for i in infos)
    if len(infos) > 10_000:
        raise UnsafeFile(finding("F04", "parts", count=f"{len(infos):,}"))
    if declared > max_inflated_bytes:
        raise UnsafeFile(finding("F04", "inflated", bytes=f"{declared:,}"))
    for info in infos:
        if info.compress_size and info.file_size / info.compress_size > 1000 and info.file_size > 5_000_000:
            raise UnsafeFile(finding("F05", "zip_bomb", part=info.filename))
    whole: dict[str, bytes] = {}
    inspected = Inspected(data=data, kind="ods" if ods else "xlsx", macros="xl/vbaProject.bin" in names, _zip=zf, _parts=whole)
    for info in infos:
        # Every XML part a reader may parse, not only the value parts: python-calamine ignores DTDs, but a DTD
        # is refused all the same.
        if not info.filename.endswith(_XML_SUFFIXES):
            continue
        raw = _inflate_whole(zf, info) if _read_again(info) else None
        if raw is not None:
            whole[info.filename] = raw
            declares = _prolog_declares_entities(raw)
        else:
            declares = _head_declares_entities(data, info)
            if declares is None:
                declares = _declares_entities(zf, info)
        if declares:
            raise UnsafeFile(finding("F05", "entities", part=info.filename))
    if ods:
        return _measure_ods(zf, inspected, max_inflated_bytes, max_sheet_cells)
    by_part = _sheet_names_by_part(zf, whole)
    sheet_parts = set(by_part) | {n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")}
    with_formulas = set()
    for part in sorted(sheet_parts & names):
        raw = whole.get(part)
        fits = fits_near(raw, max_sheet_cells) if raw is not None else None
        if fits is not None:
            has_formula = fits
        else:
            rows, cols, has_formula = measure_sheet(zf, part, max_sheet_cells, raw)
            _within(rows, cols, max_sheet_cells)
        if has_formula:
            with_formulas.add(part)
    inspected.sheet_names = by_part
    inspected.formula_parts = frozenset(with_formulas)
    return inspected


def measure_sheet(zf: zipfile.ZipFile, part: str, max_cells: int, raw: bytes | None = None) -> tuple[int, int, bool]:
    """Rows and columns an .xlsx sheet part spans, and whether it holds cells to confirm (adep.intake.extents)."""
    return sheet_extent(_steps(zf, part, raw), max_cells)


def _steps(zf: zipfile.ZipFile, part: str, raw: bytes | None):
    """A sheet's XML in steps of 4 MB, then an empty step; raw (the part inflated whole) is one step."""
    if raw is not None:
        yield raw
        yield b""
        return
    with _open_part(zf, zf.getinfo(part)) as fh:
        while True:
            try:
                chunk = fh.read(4 << 20)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                raise UnsafeFile(finding("F01", "damaged_part", part=part, detail=str(exc))) from None
            yield chunk
            if not chunk:
                return


def _within(rows: int, cols: int, max_cells: int) -> None:
    if rows * cols > max_cells:
        raise UnsafeFile(finding("F04", "sheet_extent", rows=f"{rows:,}", cols=f"{cols:,}"))


def _measure_ods(zf: zipfile.ZipFile, inspected: Inspected, max_inflated_bytes: int, max_cells: int) -> Inspected:
    """An .ods spreadsheet's sheets, measured in content.xml (whose size the total limit has already bounded), and
    its cells that python-calamine reads as blank although they hold an error value or an unsaved formula."""
    try:
        content = _read(zf, "content.xml", max_inflated_bytes, inspected._parts)
    except (ValueError, zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise UnsafeFile(finding("F01", "damaged_part", part="content.xml", detail=str(exc))) from None
    inspected._blank_cells = {}
    for name, rows, cols, hidden in ods_sheets(content):
        _within(rows, cols, max_cells)
        if hidden:
            inspected._blank_cells[name] = {cell_ref(r, c): value for (r, c), value in hidden.items()}
    return inspected


def _inspect_xls(data: bytes, max_cells: int) -> Inspected:
    """An old Excel 97-2003 workbook: its OLE2 container followed within the file, each sheet measured from its
    cell records, and the cells holding an error value (which python-calamine reads as blank) kept by sheet."""
    try:
        stream = workbook_stream(data)
    except Damaged as exc:
        raise UnsafeFile(finding("F01", "damaged_ole2", detail=str(exc))) from None
    blank: dict[str, dict[str, str | None]] = {}
    for name, rows, cols, errors in xls_sheets(stream):
        _within(rows, cols, max_cells)
        if errors:
            blank[name] = {cell_ref(r, c): value for (r, c), value in errors.items()}
    return Inspected(data=data, kind="xls", _blank_cells=blank)


def _read_again(info: zipfile.ZipInfo) -> bool:
    """Whether the guards read this part past its prolog (to name the sheets or measure one), and it is small."""
    name = info.filename
    return info.file_size <= _WHOLE_PART and (
        name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels") or (name.startswith("xl/worksheets/") and name.endswith(".xml")))


def _inflate_whole(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """A small part inflated whole; None when it cannot be, and the part is then read as before, step by step.

    Falling back keeps every finding as it was: a part damaged past its prolog still passes the entity guard and
    is refused by the sheet's measurement, as a part read in steps would be.
    """
    try:
        raw = _RawPart.open(zf, info)
        if raw is None:
            return None
        with raw:
            return raw.read(info.file_size + 1)
    except Exception:  # noqa: BLE001 - damaged or lying parts are judged by the step-by-step reading
        return None


def _open_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo):
    try:
        raw = _RawPart.open(zf, info)
        return raw if raw is not None else zf.open(info)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, zlib.error) as exc:
        raise UnsafeFile(finding("F01", "damaged_part", part=info.filename, detail=str(exc))) from None


class _RawPart:
    """A part's bytes inflated straight from the archive held in memory.

    zipfile's own reader costs more to set up than inflating a prolog does, and this runs for every part of
    every file; checksums are left to the parser that reads the part for real.
    """

    _LOCAL_HEADER = struct.Struct("<4s5H3I2H")

    def __init__(self, data: memoryview, start: int, size: int, deflated: bool, declared: int):
        self._data, self._pos, self._end = data, start, start + size
        self._inflater = zlib.decompressobj(-15) if deflated else None
        self._pending = b""
        # Trust no declared size, but never inflate past it either: a part that would is damaged or hostile.
        self._left = declared

    @classmethod
    def open(cls, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> "_RawPart | None":
        data = getattr(zf.fp, "getbuffer", None)
        if data is None or info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            return None  # encrypted or unusual parts: let zipfile say what is wrong
        buf = data()
        header = bytes(buf[info.header_offset:info.header_offset + 30])
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile("a part's local header is missing")
        fields = cls._LOCAL_HEADER.unpack(header)
        start = info.header_offset + 30 + fields[-2] + fields[-1]
        if start + info.compress_size > len(buf):
            raise zipfile.BadZipFile("a part runs past the end of the file")
        return cls(buf, start, info.compress_size, info.compress_type == zipfile.ZIP_DEFLATED, info.file_size)

    def read(self, n: int) -> bytes:
        if self._inflater is None:
            out = bytes(self._data[self._pos:min(self._pos + n, self._end)])
            self._pos += len(out)
            return out
        out = b""
        want = min(n, self._left + 1)
        while len(out) < want:
            if not self._pending:
                if self._pos >= self._end:
                    break
                step = min(self._end - self._pos, 1 << 16)
                self._pending = bytes(self._data[self._pos:self._pos + step])
                self._pos += step
            out += self._inflater.decompress(self._pending, want - len(out))
            self._pending = self._inflater.unconsumed_tail
        if len(out) > self._left:
            raise zipfile.BadZipFile("a part inflates past the size its directory declares")
        self._left -= len(out)
        return out

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._data = None


def _declares_entities(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether the part's prolog (everything before its root element) holds a DTD.

    Entity-expansion attacks ("billion laughs") need a DTD, which must stand before the root element; a comment
    or whitespace may push it past any fixed first kilobyte, so read the whole prolog, within bounds.
    """
    prolog = b""
    try:
        with _open_part(zf, info) as fh:
            size = 512  # the root element of a normal part starts within its first few hundred bytes
            while len(prolog) < _MAX_PROLOG:
                chunk = fh.read(size)
                size = min(size * 8, 64 * 1024)
                if not chunk:
                    break
                prolog += chunk
                text = _as_utf8(prolog)
                root = _ROOT_ELEMENT.search(text)
                if root:
                    return b"<!DOCTYPE" in text[:root.start()] or b"<!ENTITY" in text[:root.start()]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise UnsafeFile(finding("F01", "damaged_part", part=info.filename, detail=str(exc))) from None
    text = _as_utf8(prolog)
    # No root element within the bound: a megabyte of prolog is no spreadsheet program's doing either.
    return len(prolog) >= _MAX_PROLOG or b"<!DOCTYPE" in text or b"<!ENTITY" in text


def _head_declares_entities(data: bytes, info: zipfile.ZipInfo) -> bool | None:
    """_declares_entities from the part's first 512 bytes, inflated straight from the archive; None when they do not
    hold the root element or anything is unusual, and the part is then read step by step as before."""
    if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    at = info.header_offset
    if data[at:at + 4] != b"PK\x03\x04" or len(data) < at + 30:
        return None
    name_len, extra_len = struct.unpack_from("<HH", data, at + 26)
    start = at + 30 + name_len + extra_len
    packed = data[start:start + min(info.compress_size, 4096)]
    try:
        head = zlib.decompressobj(-15).decompress(packed, 512) if info.compress_type == zipfile.ZIP_DEFLATED else packed[:512]
    except zlib.error:
        return None
    if len(head) > info.file_size:
        return None  # inflates past its declared size: damaged or hostile, as the step-by-step reading will say
    text = _as_utf8(head)
    root = _ROOT_ELEMENT.search(text)
    if root is None:
        return None
    return b"<!DOCTYPE" in text[:root.start()] or b"<!ENTITY" in text[:root.start()]


def _prolog_declares_entities(raw: bytes) -> bool:
    """_declares_entities for a part already inflated whole (smaller than the prolog bound, so the same answer)."""
    text = _as_utf8(raw)
    root = _ROOT_ELEMENT.search(text)
    prolog = text[:root.start()] if root else text
    return b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog


def _as_utf8(raw: bytes) -> bytes:
    """XML may be stored as UTF-16; look at its text in UTF-8 so the markers are seen either way."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or raw[:2] in (b"<\0", b"\0<"):
        codec = "utf-16-le" if raw.startswith(b"\xff\xfe") or raw[:2] == b"<\0" else "utf-16-be"
        return raw.decode(codec, "ignore").encode("utf-8")
    return raw


def _read(zf: zipfile.ZipFile, name: str, limit: int, whole: dict[str, bytes] | None = None) -> bytes:
    """Inflate one part, never past limit bytes whatever its header claims (or take it from those inflated whole)."""
    if whole and name in whole and len(whole[name]) <= limit:
        return whole[name]
    info = zf.getinfo(name)
    raw_part = _RawPart.open(zf, info)
    with raw_part if raw_part is not None else zf.open(info) as fh:
        raw = fh.read(limit + 1)
    if len(raw) > limit:
        raise ValueError("part larger than its declared size allows")
    return raw


def cells_read_as_blank(sheet_xml: bytes) -> dict[str, str | None]:
    """Cells of an .xlsx sheet that python-calamine reads as blank: an error value (t="e": '#REF!', '#N/A', ...) and
    a formula whose result was never saved (None), by address."""
    out: dict[str, str | None] = {}
    for m in _CELL.finditer(sheet_xml):
        attrs, inner = m.group(1), m.group(2)
        ref = _CELL_REF.search(attrs)
        if not ref:
            continue
        if ERROR_TYPE.search(attrs):
            shown = _SAVED.search(inner)
            out[ref.group(1).decode()] = _xml_unescape(shown.group(1).decode("utf-8", "replace")) if shown else "#ERROR"
        elif b"<f" in inner and not _VALUE.search(inner):
            out[ref.group(1).decode()] = None
    return out


def _sheet_names_by_part(zf: zipfile.ZipFile, whole: dict[str, bytes] | None = None) -> dict[str, str]:
    try:
        wb = _read(zf, "xl/workbook.xml", 5_000_000, whole)
        rels = _read(zf, "xl/_rels/workbook.xml.rels", 5_000_000, whole)
    except (KeyError, ValueError):
        return {}
    targets = {rid: tgt for rid, tgt in _REL_ENTRY.findall(rels)}
    targets.update({rid: tgt for tgt, rid in _REL_ENTRY_REV.findall(rels)})
    out = {}
    for name, rid in _SHEET_ENTRY.findall(wb):
        target = targets.get(rid, b"").decode()
        part = target.lstrip("/") if target.startswith("/") else "xl/" + target
        out[part] = _xml_unescape(name.decode("utf-8", "replace"))
    return out


def _xml_unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace("&amp;", "&")
