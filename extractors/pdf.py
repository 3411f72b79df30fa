"""PDF reports with a text layer.

Characters, fonts and drawn rules are read by PDFium (extractors/pdfium_reader.py), or by
pdfplumber when asked (BAOCAO_PDF_READER=pdfplumber, the former reader, kept as the
reference the tests compare against). Per page we work from words built as pdfplumber's
`extract_words` builds them (split on size/font changes, so superscript markers come out
as their own words) grouped into rows, then:
  1. drop running headers/footers and bare page numbers (first/last rows);
  2. cut tables out (pdfplumber's table finder on the *visible* ruling only: Word
     draws white paragraph borders and highlight boxes that look like tables);
  3. cut the footnote area off the page bottom: the rows under a short separator rule
     (a drawn line or a row of "____"), or failing that the trailing run of rows in a
     smaller font that starts with a footnote number;
  4. split two-column zones (the national header: issuing body | motto; the signature:
     "Nơi nhận" | signer) into one block per column instead of merging them row by row;
     A signature cut by a page break goes on with the top rows of the next page;
  5. re-join the remaining rows into paragraphs across lines and pages (vertical gaps,
     first-line indents, short last lines or a next word that would have fitted,
     centred titles); a line ending inside a symbol ("15/KH-" + "UBND") joins without
     a space, since Vietnamese words are never hyphenated.
Footnote numbers in the body (small raised digits) become Unicode superscripts and are
passed to the builder as `footnote_refs`, so each footnote is linked to its marker.

Text printed by annotations is part of the page: signing software stamps the number and
the day of a signed document into widget appearance streams ("Số: [329]/BC-UBND", "ngày
[19] tháng 12"). Their text is read (`_annotation_words`), placed on the page and merged
with the page's words before rows are built; it never makes a scan count as text.
"""
from __future__ import annotations

import functools
import logging
import operator
import os
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.text import encodings
from pipeline.text.builder import DocumentBuilder, from_superscript, to_superscript
from pipeline.text.quality import THRESHOLD, assess, repair
from schemas.records import ExtractedDocument, ExtractionError

# pdfminer logs every damaged object it skips; the reasons we report are ours.
logging.getLogger("pdfminer").setLevel(logging.ERROR)

# ---------------------------------------------------------------------------- patterns
PAGE_NUMBER = re.compile(r"^[-–—\s]*(?:Trang|Page)?\s*\d{1,4}(?:\s*/\s*\d{1,4})?[-–—\s]*$", re.I)
UNDERLINE = re.compile(r"^[_\-–—.\s]{4,}$")
HEADING_NUMBER = re.compile(
    r"^(?:[IVXLC]+\.|\d+(?:\.\d+)*\.|[a-zđ]\))\s", re.I)
LEGAL_HEADING = re.compile(r"^(?:Chương\s+[IVXLC\d]+|Mục\s+\d+|Điều\s+\d+[a-z]?\.?|Phụ\s+lục\b|PHỤ\s+LỤC\b)")
LIST_ITEM = re.compile(r"^(?:[-–•+*]\s|\(\d+\)\s|[a-zđ]\)\s)")
SENTENCE_END = re.compile(r"[.:;!?…]\s*[”\"')]*\s*[⁰¹²³⁴⁵⁶⁷⁸⁹]*$")
COLUMN_BREAK = re.compile(r"^(?:Số\s*:|Số\s+\d|V/v\b)|^[^,]{0,40},?\s*ngày\b.{0,40}tháng", re.I)
SIGNATURE_START = re.compile(r"^Nơi\s+nhận\b", re.I)
# Layout tables (header: issuing body | national motto; signature) are not data tables.
LAYOUT_TABLE = re.compile(r"CỘNG\s+HÒA\s+XÃ\s+HỘI|Độc\s+lập\s*[-–]\s*Tự\s+do|\bNơi\s+nhận\s*:")
INLINE_SUP = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+")
SYMBOL_BREAK = re.compile(r"(?:[0-9A-ZĐ]-|[0-9A-Za-zĐđ]/)$")
LEADING_SUP = re.compile(r"^([⁰¹²³⁴⁵⁶⁷⁸⁹]+)\s*")


@dataclass
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    sup: bool = False  # a small raised number: footnote marker candidate
    annot: bool = False  # printed by an annotation (a signed PDF's number/day widget)
    font: str = ""  # font name (without subset prefix) when it names no legacy encoding
    legacy: str = ""  # the legacy encoding (TCVN3, VNI…) this word was converted from


@dataclass
class Row:
    page: int
    words: list[Word]
    top: float = 0.0
    bottom: float = 0.0
    x0: float = 0.0
    x1: float = 0.0
    size: float = 0.0
    bold: float = 0.0  # fraction of characters in a bold font
    # `text`, rendered once: the analysis reads it many times. finish() forgets it; the
    # words' texts are final (legacy fonts decoded, glyphs repaired) before it is read.
    _text: str | None = field(default=None, repr=False, compare=False)

    def finish(self) -> "Row":
        self._text = None
        words = self.words
        words.sort(key=_X0)
        main = [w for w in words if not w.sup] or words
        top, bottom = main[0].top, main[0].bottom
        sizes: dict[float, int] = {}  # half-point size → characters
        bold = total = 0
        for w in main:
            if w.top < top:
                top = w.top
            if w.bottom > bottom:
                bottom = w.bottom
            n = len(w.text)
            size = round(w.size * 2) / 2
            sizes[size] = sizes.get(size, 0) + n
            total += n
            if w.bold:
                bold += n
        self.top, self.bottom = top, bottom
        self.x0 = words[0].x0
        self.x1 = max(w.x1 for w in words)
        self.size = max(sizes.items(), key=_COUNT)[0]  # the first of the most frequent
        self.bold = bold / max(1, total)
        return self

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = _plain_text(self.words)
        return self._text


@dataclass
class Page:
    number: int
    width: float
    height: float = 0.0
    rows: list[Row] = field(default_factory=list)
    tables: list[tuple[float, list[list[str]]]] = field(default_factory=list)  # (top, rows)
    zones: list[tuple] = field(default_factory=list)  # (top, [left rows, right rows], label)
    footnote_rows: list[Row] = field(default_factory=list)
    left: float = 0.0  # text area, from the body lines
    right: float = 0.0
    rules: list[float] = field(default_factory=list)  # tops of short rules (footnote separator?)
    source: str = "text"  # text (the PDF's text layer) | ocr
    quality: float | None = None  # pipeline.text.quality score (OCR: also capped by confidence)
    reason: str | None = None  # why the quality is below the threshold
    unmapped: int = 0  # glyphs without a Unicode mapping dropped from the text layer


_X0 = operator.attrgetter("x0")
_BOTTOM_X0 = operator.attrgetter("bottom", "x0")
_COUNT = operator.itemgetter(1)


def render(words: list[Word], sup_numbers: set[int] | None = None):
    """Row text from words: a space where there is a visible gap, none where pdfplumber
    split a word only because the size/font changed. Returns (text, refs) with refs the
    (number, start, end) of footnote markers turned into superscripts."""
    parts: list[str] = []
    refs = []
    pos = 0
    prev = None
    for w in words:
        text = w.text
        if w.sup and sup_numbers is not None and int(w.text) in sup_numbers:
            text = to_superscript(w.text)
            if prev is not None and w.x0 - prev.x1 < 0.25 * prev.size:
                gap = ""  # attach the marker to the word it follows
            else:
                gap = " " if prev is not None else ""
        elif prev is not None and prev.annot != w.annot:
            # A fill-in stands in a blank of the page text: spaced from the words around
            # it unless it completes a symbol ("329" + "/BC-UBND", "15/" + "KH-UBND").
            gap = "" if _symbol_join(prev.text, w.text) else " "
        else:
            gap = "" if prev is None or w.x0 - prev.x1 < min(1.0, 0.1 * w.size) else " "
        parts.append(gap)
        pos += len(gap)
        if text != w.text:
            refs.append((int(w.text), pos, pos + len(text)))
        elif sup_numbers is not None:
            # Markers already printed as Unicode superscripts ("chính¹,"), not m²/km³.
            for m in INLINE_SUP.finditer(text):
                n = from_superscript(m.group())
                before = text[:m.start()] or (prev.text if prev else "")
                if n in sup_numbers and (before or prev) and not re.search(r"[kcdh]?m$", before):
                    refs.append((n, pos + m.start(), pos + m.end()))
        parts.append(text)
        pos += len(text)
        prev = w
    return "".join(parts), refs


def _plain_text(words: list[Word]) -> str:
    """`render(words)[0]` (no marker to turn into a superscript), in fewer steps."""
    parts = []
    prev = None
    for w in words:
        if prev is not None:
            if prev.annot != w.annot:
                if not _symbol_join(prev.text, w.text):
                    parts.append(" ")
            elif not w.x0 - prev.x1 < min(1.0, 0.1 * w.size):
                parts.append(" ")
        parts.append(w.text)
        prev = w
    return "".join(parts)


def _render_row(row: Row, sup_numbers: set[int]):
    """`render(row.words, sup_numbers)`, from the row's cached text when no marker can be
    in it (no raised number, no superscript digit): most rows."""
    text = row.text
    if any(w.sup for w in row.words) or INLINE_SUP.search(text):
        return render(row.words, sup_numbers)
    return text, []


def _symbol_join(left: str, right: str) -> bool:
    """Do two pieces written apart form one symbol ("329" "/BC-UBND")?"""
    if right[:1] in "/-" and left[-1:].isalnum():
        return True
    return left[-1:] in "/-" and len(left) > 1 and left[-2].isalnum() and right[:1].isalnum()


# ------------------------------------------------------------------------ reading pages
def _is_visible(obj) -> bool:
    """Ruling that is actually drawn: not white, not an invisible fill."""
    def white(color):
        if color is None:
            return False
        if isinstance(color, (int, float)):
            return color >= 0.95
        vals = list(color)
        if len(vals) == 4:  # CMYK
            return all(v <= 0.05 for v in vals)
        return bool(vals) and all(v >= 0.95 for v in vals)

    if obj.get("object_type") == "char":
        return True
    if obj.get("object_type") not in ("line", "rect", "curve"):
        return True
    if obj.get("fill") and not obj.get("stroke"):
        return not white(obj.get("non_stroking_color"))
    return not white(obj.get("stroking_color"))


UNMAPPED = re.compile(r"\(cid:\d+\)")


def _page_words(page, unmapped: list[int],
                conversions: encodings.Conversions | None = None) -> list[Word]:
    """The page's words (pdfplumber splits them where the font changes). A word in a
    font whose name says it is a legacy Vietnamese encoding (.VnTime, VNI-Times …) is
    converted to Unicode here; the others keep their font name for `_convert_legacy`."""
    raw = page.extract_words(**WORD_SETTINGS)
    words = _to_words(_plumber_words(raw), unmapped, conversions=conversions)
    fills = _annotation_words(page, unmapped)
    return _attach_fills(words, fills) if fills else words


WORD_SETTINGS = dict(extra_attrs=["size", "fontname"], keep_blank_chars=False,
                     x_tolerance=1.5, y_tolerance=3)


def _attach_fills(words: list[Word], fills: list[Word]) -> list[Word]:
    """Page words plus annotation words; a fill-in that completes a symbol with the next
    (or previous) page word on its line ("329" + "/BC-UBND", written into a blank) becomes
    one word with it, so that no gap is left where the blank was (a blank wider than the
    number would otherwise look like a column gutter)."""
    def same_line(a: Word, b: Word) -> bool:
        return min(a.bottom, b.bottom) - max(a.top, b.top) > 0.5 * min(a.bottom - a.top, b.bottom - b.top)

    out = list(words)
    for f in fills:
        line = [w for w in out if not w.annot and same_line(w, f)]
        right = min((w for w in line if w.x1 > f.x1 and w.x0 > f.x0), key=lambda w: w.x0, default=None)
        left = max((w for w in line if w.x0 < f.x0 and w.x1 < f.x1), key=lambda w: w.x1, default=None)
        near = 4 * max(f.size, 1.0)  # the blank left for a number
        if right is not None and right.x0 - f.x1 < near and _symbol_join(f.text, right.text):
            out.remove(right)
            out.append(Word(f.text + right.text, f.x0, right.x1, right.top, right.bottom,
                            right.size, right.bold))
        elif left is not None and f.x0 - left.x1 < near and _symbol_join(left.text, f.text):
            out.remove(left)
            out.append(Word(left.text + f.text, left.x0, f.x1, left.top, left.bottom,
                            left.size, left.bold))
        else:
            out.append(f)
    return out


def _plumber_words(raw: list[dict]):
    """pdfplumber's word dicts as the tuples `_to_words` reads; vertical text (margin
    stamps, watermarks) left out."""
    return [(w["text"], w["x0"], w["x1"], w["top"], w["bottom"], w["size"], w.get("fontname"))
            for w in raw if w.get("upright", True)]


def _to_words(raw: list[tuple], unmapped: list[int], annot: bool = False,
              conversions: encodings.Conversions | None = None) -> list[Word]:
    """Words from (text, x0, x1, top, bottom, size, font name) of upright words."""
    words = []
    for text, x0, x1, top, bottom, size, font in raw:
        legacy, bold, name = _font_facts(font or "")
        if "(cid:" in text:
            # Glyphs without a Unicode mapping: pdfminer writes "(cid:N)"; drop them
            # (counted, reported as a warning) rather than store junk.
            text, n = UNMAPPED.subn("", text)
            unmapped[0] += n
            if not text:
                continue
        was = ""
        if legacy is not None and encodings.is_bytes(text):
            converted = encodings.decode(text, legacy.encoding, legacy.caps)
            if converted != text:
                if conversions is not None:
                    conversions.add(legacy.encoding)
                was = legacy.encoding
            text = converted
        words.append(Word(text, x0, x1, top, bottom, size, bold, annot=annot, font=name,
                          legacy=was))
    return words


@functools.lru_cache(maxsize=1024)
def _font_facts(font: str) -> tuple[encodings.FontEncoding | None, bool, str]:
    """(legacy encoding its name implies, bold, the name kept on words: without subset
    prefix, empty for a legacy font), once per font name rather than per word."""
    legacy = encodings.font_encoding(font)
    bold = "Bold" in font or "bold" in font or ",B" in font
    return legacy, bold, "" if legacy is not None else font.split("+", 1)[-1]


# ------------------------------------------------------------------- annotation text
# Annotation flags (PDF 32000-1, 12.5.3): Invisible, Hidden, NoView.
HIDDEN_FLAGS = 1 | 2 | 32
SKIPPED_SUBTYPES = {"Link", "Popup"}


def _annotation_words(page, unmapped: list[int],
                      content_chars: list[dict] | None = None) -> list[Word]:
    """Words printed by the page's annotations: the text of their normal appearance
    streams (/AP /N, a form XObject drawn into the annotation's Rect), or the value of a
    text field that has no appearance. Hidden annotations and text that the page content
    already prints at the same place are skipped; signature images give no words.
    `page` is a pdfplumber page; `content_chars` the page's characters when read by
    PDFium (else pdfplumber's)."""
    from pdfminer.pdftypes import resolve1

    try:
        annots = resolve1(page.page_obj.annots) or []
    except Exception:
        return []
    if not isinstance(annots, list) or not annots:
        return []
    chars: list[dict] = []
    fields: list[Word] = []
    for ref in annots:
        try:
            annot = resolve1(ref)
            if not isinstance(annot, dict) or _name(annot.get("Subtype")) in SKIPPED_SUBTYPES:
                continue
            if int(resolve1(annot.get("F")) or 0) & HIDDEN_FLAGS:
                continue
            rect = _rect(annot.get("Rect"))
            if rect is None:
                continue
            stream = _appearance(annot)
            found = _appearance_chars(page, stream, rect) if stream is not None else []
            if found:
                chars.extend(found)
            else:
                fields.extend(_field_value_words(page, annot, rect))
        except Exception:  # a damaged annotation must not lose the page
            continue
    if not chars and not fields:
        return []
    words = []
    if chars:
        chars = _not_in_content(page.chars if content_chars is None else content_chars, chars)
        from pdfplumber.utils import extract_words
        raw = extract_words(chars, **WORD_SETTINGS)
        words = _to_words(_plumber_words(raw), unmapped, annot=True)
    if fields:
        if content_chars is None:
            content = page.extract_words(x_tolerance=1.5, y_tolerance=3)
        else:
            from pdfplumber.utils import extract_words
            content = extract_words(content_chars, x_tolerance=1.5, y_tolerance=3)
        fields = _not_in_content_words(content, fields)
    return words + fields


def _name(obj) -> str:
    from pdfminer.pdftypes import resolve1

    obj = resolve1(obj)
    return getattr(obj, "name", obj if isinstance(obj, str) else "")


def _rect(obj) -> tuple[float, float, float, float] | None:
    from pdfminer.pdftypes import resolve1

    vals = resolve1(obj)
    if not isinstance(vals, (list, tuple)) or len(vals) != 4:
        return None
    a, b, c, d = (float(resolve1(v)) for v in vals)
    x0, y0, x1, y1 = min(a, c), min(b, d), max(a, c), max(b, d)
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def _appearance(annot: dict):
    """The normal appearance stream (for a widget with states, the current one)."""
    from pdfminer.pdftypes import PDFStream, resolve1

    ap = resolve1(annot.get("AP"))
    normal = resolve1(ap.get("N")) if isinstance(ap, dict) else None
    if isinstance(normal, dict):  # check boxes, radio buttons: {state: stream}
        state = _name(annot.get("AS"))
        normal = resolve1(normal.get(state)) if state else None
    return normal if isinstance(normal, PDFStream) else None


def _appearance_chars(page, stream, rect) -> list[dict]:
    """The characters of an appearance stream, in the page's coordinates (pdfplumber's
    char dicts): the form's BBox, transformed by its Matrix, is mapped onto the Rect
    (PDF 32000-1, 12.5.5), then the page's own transform (MediaBox, Rotate) applies."""
    from pdfminer.layout import LTChar, LTContainer
    from pdfminer.pdfinterp import PDFPageInterpreter
    from pdfminer.pdftypes import resolve1
    from pdfminer.utils import apply_matrix_pt, mult_matrix
    from pdfplumber.page import PDFPageAggregatorWithMarkedContent

    bbox = _rect(stream.get("BBox"))
    if bbox is None:
        return []
    raw_matrix = resolve1(stream.get("Matrix"))
    matrix = tuple(float(resolve1(v)) for v in raw_matrix) if raw_matrix else (1, 0, 0, 1, 0, 0)
    corners = [apply_matrix_pt(matrix, (x, y)) for x in (bbox[0], bbox[2]) for y in (bbox[1], bbox[3])]
    bx0, by0 = min(c[0] for c in corners), min(c[1] for c in corners)
    bx1, by1 = max(c[0] for c in corners), max(c[1] for c in corners)
    if bx1 - bx0 <= 0 or by1 - by0 <= 0:
        return []
    sx, sy = (rect[2] - rect[0]) / (bx1 - bx0), (rect[3] - rect[1]) / (by1 - by0)
    to_rect = (sx, 0, 0, sy, rect[0] - bx0 * sx, rect[1] - by0 * sy)
    page_obj = page.page_obj
    base = _page_ctm(page_obj)
    ctm = mult_matrix(mult_matrix(matrix, to_rect), base)
    rsrcmgr = page.pdf.rsrcmgr
    device = PDFPageAggregatorWithMarkedContent(rsrcmgr, pageno=page.page_number, laparams=None)
    interpreter = PDFPageInterpreter(rsrcmgr, device)
    resources = resolve1(stream.get("Resources")) or _form_resources(page)
    device.begin_page(page_obj, base)
    interpreter.render_contents(resources, [stream], ctm=ctm)
    device.end_page(page_obj)

    def walk(items):
        for item in items:
            if isinstance(item, LTChar):
                yield item
            elif isinstance(item, LTContainer):
                yield from walk(item)

    chars = []
    for ch in walk(device.get_result()):
        obj = page.process_object(ch)
        if obj.get("text", "").strip():
            chars.append(obj)
    return chars


def _page_ctm(page_obj) -> tuple:
    """The transform pdfminer applies to the page content (pdfinterp.process_page)."""
    x0, y0, x1, y1 = page_obj.mediabox
    rotate = page_obj.rotate % 360
    if rotate == 90:
        return (0, -1, 1, 0, -y0, x1)
    if rotate == 180:
        return (-1, 0, 0, -1, x1, y1)
    if rotate == 270:
        return (0, 1, -1, 0, y1, -x0)
    return (1, 0, 0, 1, -x0, -y0)


def _form_resources(page) -> dict:
    """The form's default resources (AcroForm /DR), for appearances without their own."""
    from pdfminer.pdftypes import resolve1

    acro = resolve1(page.pdf.doc.catalog.get("AcroForm"))
    dr = resolve1(acro.get("DR")) if isinstance(acro, dict) else None
    return dr if isinstance(dr, dict) else {}


def _inherited(annot: dict, key: str):
    """A field attribute, looked up the field's /Parent chain (FT, V, DA are inheritable)."""
    from pdfminer.pdftypes import resolve1

    node, depth = annot, 0
    while isinstance(node, dict) and depth < 16:
        if key in node:
            return resolve1(node[key])
        node, depth = resolve1(node.get("Parent")), depth + 1
    return None


def _decode_pdf_string(value) -> str:
    if isinstance(value, bytes):
        from pdfminer.utils import decode_text  # PDFDocEncoding, or UTF-16 with a BOM
        return decode_text(value)
    return value if isinstance(value, str) else ""


def _field_value_words(page, annot: dict, rect) -> list[Word]:
    """A text field without an appearance stream: its value laid out in its Rect (one
    line per value line, left-aligned, the size from /DA or fitted to the box)."""
    if _name(annot.get("Subtype")) != "Widget" or _name(_inherited(annot, "FT")) != "Tx":
        return []
    value = _decode_pdf_string(_inherited(annot, "V")).strip()
    if not value:
        return []
    da = _decode_pdf_string(_inherited(annot, "DA") or b"")
    m = re.search(r"([\d.]+)\s+Tf", da)
    height = rect[3] - rect[1]
    lines = [ln.split() for ln in value.splitlines() if ln.strip()]
    size = float(m.group(1)) if m and float(m.group(1)) > 0 else min(12.0, 0.8 * height / len(lines))
    if page.page_obj.rotate % 360:
        return []  # approximate layout only for upright pages
    x0, y0, x1, y1 = page.page_obj.mediabox
    top = (y1 - rect[3]) + max(0.0, (height - 1.2 * size * len(lines)) / 2)
    words = []
    for k, line in enumerate(lines):
        x = rect[0] - x0 + 2
        row_top = top + 1.2 * size * k
        for token in line:
            width = 0.5 * size * len(token)
            words.append(Word(token, x, x + width, row_top, row_top + size, size, False, annot=True))
            x += width + 0.25 * size
    return words


def _not_in_content(content: list[dict], chars: list[dict]) -> list[dict]:
    """Drop annotation characters that the page content prints at the same place (some
    signing tools also write the filled-in text into the page)."""
    boxes = [(c["text"], c["x0"], c["x1"], c["top"], c["bottom"]) for c in content]
    out = []
    for c in chars:
        cx, cy = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
        if not any(t == c["text"] and x0 - 0.5 <= cx <= x1 + 0.5 and top - 0.5 <= cy <= bottom + 0.5
                   for t, x0, x1, top, bottom in boxes):
            out.append(c)
    return out


def _not_in_content_words(content: list[dict], words: list[Word]) -> list[Word]:
    if not words:
        return []
    return [w for w in words if not any(
        c["text"] == w.text and c["x0"] - 3 <= (w.x0 + w.x1) / 2 <= c["x1"] + 3
        and c["top"] - 3 <= (w.top + w.bottom) / 2 <= c["bottom"] + 3 for c in content)]


def _convert_legacy(pages: list["Page"], conversions: encodings.Conversions) -> None:
    """Words in fonts whose name says nothing (a substituted font, a neutral name) are
    judged per font by character statistics: a font whose text reads as Vietnamese only
    once decoded from a legacy encoding has its words converted. (Words in fonts named
    as legacy were converted when read: they count in `conversions` already.)"""
    by_font: dict[str, list[Word]] = {}
    for p in pages:
        for w in _all_words(p):
            if w.font and not w.text.isascii():
                by_font.setdefault(w.font, []).append(w)
    undecided = []
    for font, words in by_font.items():
        text = " ".join(w.text for w in words)
        enc = encodings.detect(text)
        if enc is None:
            undecided.append((text, words))
        else:
            _decode_words(words, enc, conversions)
    # A font with too few words to judge alone (an italic date line) in a document that
    # is legacy elsewhere: converted when its words read better in that encoding.
    if conversions.runs and undecided:
        prior = conversions.runs.most_common(1)[0][0]
        for text, words in undecided:
            if encodings.reads_as(text, prior):
                _decode_words(words, prior, conversions)


def _decode_words(words: list[Word], enc: str, conversions: encodings.Conversions) -> None:
    for w in words:
        if encodings.is_bytes(w.text):
            w.text = encodings.decode(w.text, enc)
            w.legacy = enc
            conversions.add(enc)


def _all_words(p: "Page"):
    for r in p.rows:
        yield from r.words
    for _top, cell_rows in p.tables:
        for cells in cell_rows:
            for lines in cells:
                for r in lines or ():
                    yield from r.words


def _group_rows(words: list[Word], page_no: int) -> list[Row]:
    """Cluster words into rows by their vertical position; superscripts join the row
    whose baseline they sit above."""
    words = sorted(words, key=_BOTTOM_X0)
    rows: list[list[Word]] = []
    ref = None  # the current row's first word of the largest size, kept as words join
    for w in words:
        if rows:
            # Same row when the vertical extents overlap by more than half (min and max
            # written out: this runs for every word).
            rt, rb, wt, wb = ref.top, ref.bottom, w.top, w.bottom
            overlap = (wb if wb < rb else rb) - (wt if wt > rt else rt)
            h_ref, h_w = rb - rt, wb - wt
            if overlap > 0.5 * (h_w if h_w < h_ref else h_ref):
                rows[-1].append(w)
                if w.size > ref.size:
                    ref = w
                continue
        rows.append([w])
        ref = w
    out = [Row(page_no, ws).finish() for ws in rows]
    out.sort(key=lambda r: r.top)
    return out


def _mark_superscripts(rows: list[Row]) -> None:
    """Footnote marker candidates: 1-3 digits right after a word, printed smaller than
    the row's text or raised above its baseline (not m², km³)."""
    for row in rows:
        big = base = None  # computed for rows that hold a candidate only
        for i, w in enumerate(row.words):
            if not (w.text.isdigit() and len(w.text) <= 3 and i > 0 and not w.text.startswith("0")):
                continue
            if big is None:
                big = max(v.size for v in row.words)
                base = statistics.median(v.bottom for v in row.words)
            prev = row.words[i - 1]
            small = w.size < 0.8 * big and prev.size >= 0.8 * big
            raised = w.bottom < base - 0.25 * w.size and w.x0 - prev.x1 < 0.3 * w.size
            if (small or raised) and not re.search(r"(?:^|[^A-Za-z])[kcdm]?m$", prev.text):
                w.sup = True
        if any(w.sup for w in row.words):
            row.finish()


def _split_gutter(row: Row, min_gap: float) -> tuple[float, float] | None:
    """(left end, right start) of the widest gap between words in a row, when wider
    than min_gap."""
    best, at = 0.0, None
    for a, b in zip(row.words, row.words[1:]):
        gap = b.x0 - a.x1
        if gap > best:
            best, at = gap, (a.x1, b.x0)
    return at if best >= min_gap else None


def _side_split(row: Row, lo: float, hi: float, min_gap: float = 1.5):
    """Split a row at the column gap (lo, hi): (left words, right words) or None when a
    word straddles the gap. Narrows nothing; the caller updates the gap."""
    for k in range(len(row.words) + 1):
        left, right = row.words[:k], row.words[k:]
        if left and left[-1].x1 > hi - 1:
            continue
        if right and right[0].x0 < lo + 1:
            continue
        if left and right and right[0].x0 - left[-1].x1 < min_gap * row.size:
            continue
        return left, right
    return None


# ------------------------------------------------------------------------ page analysis
def _ruled(objs: list[dict]) -> bool:
    """Enough visible ruling for a table (pdfplumber's table finder is run only then)."""
    return sum(1 for o in objs if _is_visible(o)) >= 3


def _find_tables(page, page_no: int) -> list[tuple[tuple, list[list[tuple | None]]]]:
    """[(bbox, rows of cell bboxes)] of the data tables drawn with visible ruling
    (`page`: a pdfplumber page, or `_Drawn` from PDFium's objects)."""
    if not _ruled(page.lines + page.rects):
        return []
    filtered = page.filter(_is_visible)
    found = []
    for t in filtered.find_tables():
        rows = t.extract()
        filled = [r for r in rows if sum(1 for c in r if c and c.strip()) >= 2]
        if len(rows) < 2 or not filled:
            continue  # a box around a paragraph, not a table
        if LAYOUT_TABLE.search(" ".join(c or "" for r in rows for c in r)):
            continue  # a bordered header or signature block: read as two columns
        found.append((t.bbox, [list(r.cells) for r in t.rows]))
    return found


def _drawn_page(data):
    """PDFium's characters and drawn objects as a pdfplumber container, so that
    pdfplumber's table finder runs on them without pdfminer parsing the page again."""
    from pdfplumber.container import Container
    from pdfplumber.table import TableFinder, TableSettings

    class Drawn(Container):
        def __init__(self, objects: dict, width: float, height: float):
            self._objs, self.width, self.height = objects, width, height
            self.bbox = (0, 0, width, height)

        @property
        def objects(self) -> dict:
            return self._objs

        def filter(self, test) -> "Drawn":
            return Drawn({k: [o for o in v if test(o)] for k, v in self._objs.items()},
                         self.width, self.height)

        def find_tables(self):
            return TableFinder(self, TableSettings.resolve(None)).tables

    return Drawn({"char": data.chars, "line": data.lines, "rect": data.rects,
                  "curve": data.curves}, data.width, data.height)


def _table_cells(words: list[Word], cell_rows: list[list[tuple | None]], page_no: int):
    """Each cell's text as rows of our own words (pdfplumber's cell text would run a
    raised footnote number into the figure before it: "82" + "¹" -> "821")."""
    out = []
    for cells in cell_rows:
        row_out = []
        for bbox in cells:
            if bbox is None:
                row_out.append(None)  # covered by a merged cell
                continue
            x0, top, x1, bottom = bbox
            inside = [w for w in words if x0 - 1 <= (w.x0 + w.x1) / 2 <= x1 + 1
                      and top - 1 <= (w.top + w.bottom) / 2 <= bottom + 1]
            lines = _group_rows(inside, page_no) if inside else []
            _mark_superscripts(lines)
            row_out.append(lines)
        out.append(row_out)
    return out


def _cell_text(lines: list[Row] | None, numbers: set[int]) -> str:
    # Cells wrapped inside a symbol ("19/NQ-" / "HĐND") are glued back.
    return _glue([_render_row(r, numbers)[0] for r in lines]) if lines else ""


def _rules(objs: list[dict], width: float, height: float) -> list[float]:
    """Tops of the short visible horizontal rules below the page's top band: candidate
    footnote separators (kept so that the page's objects can be released early)."""
    tops = []
    for obj in objs:
        if obj["bottom"] - obj["top"] > 2 or not _is_visible(obj):
            continue
        if 20 <= obj["x1"] - obj["x0"] <= 0.75 * width and obj["top"] > 0.15 * height:
            tops.append(obj["top"])
    return tops


def _separator_y(p: "Page", rows: list[Row], body_size: float) -> float | None:
    """Top of the footnote area: a short rule (drawn, or a row of "____") followed by
    rows in a smaller font."""
    candidates = list(p.rules)
    for r in rows:
        if UNDERLINE.match(r.text) and "_" in r.text and r.x1 - r.x0 < 0.6 * p.width:
            candidates.append(r.bottom)
    best = None
    for y in candidates:
        below = [r for r in rows if r.top >= y - 1]
        if not below:
            continue
        first = below[0]
        # Footnote text is usually smaller; when it is not (printed to PDF at a
        # scale), the small raised number that starts the row is enough.
        small = first.size <= 0.9 * body_size or (
            first.size <= body_size + 0.5 and _leading_marker(first) is not None)
        if small and not UNDERLINE.match(first.text):
            if best is None or y < best:
                best = y
    return best


def _leading_marker(row: Row) -> int | None:
    """The footnote number that starts a footnote-area row, if it starts one."""
    m = LEADING_SUP.match(row.words[0].text) if row.words else None
    if m and (len(row.words) > 1 or m.end() < len(row.words[0].text)):
        return from_superscript(m.group(1))  # printed as "¹ text" already
    if len(row.words) < 2:
        return None
    first, nxt = row.words[0], row.words[1]
    m = re.match(r"^([1-9]\d{0,2})[.)]?$", first.text)
    if not m:
        return None
    if first.size < 0.9 * nxt.size or first.top < nxt.top - 0.5:
        return int(m.group(1))
    return None


def _leading_marker_plain(row: Row) -> int | None:
    """A same-size leading number ("3 Quyết định ...") - trusted only in sequence."""
    m = re.match(r"^([1-9]\d{0,2})[.)]?$", row.words[0].text) if len(row.words) > 1 else None
    return int(m.group(1)) if m else None


def _footnote_area(p: "Page", rows: list[Row], body_size: float) -> int:
    """Index in `rows` where the footnote area starts (len(rows) when there is none)."""
    y = _separator_y(p, rows, body_size)
    if y is not None:
        for i, r in enumerate(rows):
            if r.top >= y - 1:
                return i
    # No rule: a trailing run of small rows that holds a row starting with a number.
    # The run starts the area when it stands apart from the body above (the tail of a
    # footnote from the previous page); otherwise the area starts at that row.
    i = len(rows)
    while i > 0 and rows[i - 1].size <= 0.9 * body_size:
        i -= 1
    for j in range(i, len(rows)):
        if _leading_marker(rows[j]) is not None:
            if j > i and i > 0:
                above, first = rows[i - 1], rows[i]
                if first.top - above.bottom > 0.8 * (above.bottom - above.top):
                    return i
            return j
    return len(rows)


def _running_keys(pages: list[Page]) -> set[str]:
    """Text repeated in the first/last rows of many pages: exact repeats (a running
    title) from two pages on, repeats up to the digits (page numbers) from three."""
    exact, folded = Counter(), Counter()
    for p in pages:
        edge = p.rows[:2] + p.rows[-2:]
        texts = {r.text.strip() for r in edge}
        exact.update(t for t in texts if len(t) > 3)
        folded.update({_fold_digits(t) for t in texts if len(t) > 3} - texts)
    half = (len(pages) + 1) // 2
    keys = {k for k, n in exact.items() if n >= max(2, half)}
    keys |= {k for k, n in folded.items() if n >= max(3, half)}
    return keys


def _fold_digits(text: str) -> str:
    return re.sub(r"\d+", "#", text.strip())


def _strip_running(page: Page, height: float, running: set[str]) -> None:
    rows = page.rows
    # Bare page numbers and repeated lines at the very top and bottom.
    for _ in range(2):
        if rows and _is_running(rows[0], running, height, top=True, nxt=rows[1] if len(rows) > 1 else None):
            rows.pop(0)
        if rows and _is_running(rows[-1], running, height, top=False, nxt=rows[-2] if len(rows) > 1 else None):
            rows.pop()


def _is_running(row: Row, running: set[str], height: float, top: bool, nxt: Row | None) -> bool:
    text = row.text.strip()
    if text in running or _fold_digits(text) in running:
        return True
    if PAGE_NUMBER.match(text):
        in_margin = row.top < 0.12 * height if top else row.bottom > 0.85 * height
        isolated = nxt is None or (nxt.top - row.bottom if top else row.top - nxt.bottom) > 0.8 * row.size
        return in_margin or isolated
    return False


SIGNATURE_END = re.compile(r"^-?\s*Lưu\s*:", re.I)


def _zones(rows: list[Row], page_no: int, width: float, pitch: float, carry=None,
           body_size: float = 0.0):
    """Find two-column zones (national header, signature, form signatures); return
    (other rows, [(top, [left rows, right rows], label)], carry). `carry` is a signature
    zone cut by the previous page break (columns, lo, hi): its rows at the top of this
    page are appended to it."""
    def gutter_of(row):
        return _split_gutter(row, max(1.8 * row.size, 18.0))

    zones = []
    used: set[int] = set()
    next_carry = None
    i, n = 0, len(rows)
    if carry is not None:
        columns, lo, hi, left_done, right_done = carry
        while i < n and not (left_done and right_done):
            split = _side_split(rows[i], lo, hi, 0.5)
            if split is None or (left_done and split[0]) or (right_done and split[1]):
                break
            for col, ws in zip(columns, split):
                if ws:
                    col.append(Row(page_no, list(ws)).finish())
            used.add(i)
            i += 1
            left_done = left_done or bool(split[0] and SIGNATURE_END.match(columns[0][-1].text))
            right_done = right_done or bool(split[1] and not _all_caps(columns[1][-1].text))
    while i < n:
        row = rows[i]
        gap = gutter_of(row)
        sig = bool(SIGNATURE_START.match(row.text))
        if gap is None and sig:
            # "Nơi nhận:" alone on its row: the signer column starts right of the list.
            for k in range(i + 1, min(n, i + 4)):
                gk = gutter_of(rows[k])
                if gk is not None and gk[1] > row.x1:
                    gap = (max(row.x1, gk[0]), gk[1])
                    break
            if gap is None:
                gap = (row.x1, max(row.x1 + 20, width * 0.5))
        # The header is within the first rows of page 1 (not counting small print above
        # it, such as a digital-signature stamp).
        near_top = page_no == 1 and not zones and \
            sum(1 for r in rows[:i] if r.size > 0.8 * body_size) < 4
        if gap is None and near_top:
            gap = _split_gutter(row, max(1.2 * row.size, 12.0))
        header = near_top and gap is not None and not sig
        if gap is None or not (header or sig or _two_sided_run(rows, i, gutter_of)):
            i += 1
            continue
        lo, hi = gap
        start = i
        # Upward for the header: rows above the seed that split at the same place with a
        # narrower gap (the issuing body and the country name nearly touch).
        while header and start > 0 and rows[start - 1].size > 0.8 * row.size \
                and _side_split(rows[start - 1], lo, hi, 0.5) is not None:
            start -= 1
        # Upward: one or two right-only rows just above the signature ("TM. ỦY BAN ...").
        while sig and start > i - 2 and start - 1 >= 0 and start - 1 not in used \
                and rows[start - 1].x0 > lo + 1 and rows[i].top - rows[start - 1].bottom < 2.5 * pitch:
            start -= 1
        sides = [_side_split(r, lo, hi, 0.5) for r in rows[start:i]] + [_side_split(row, lo, hi, 0.5)]
        end = i + 1
        last_two_sided = i
        while end < n:
            split = _side_split(rows[end], lo, hi)
            if split is None:
                break
            if not sig and rows[end].top - rows[end - 1].bottom > 1.6 * pitch:
                break
            left, right = split
            if left:
                lo = max(lo, left[-1].x1)
            if right:
                hi = min(hi, right[0].x0)
            if left and right:
                last_two_sided = end
            sides.append(split)
            end += 1
        if header:
            end = last_two_sided + 1
            sides = sides[:end - start]
            # Rows under the last two-sided one still belong to a column when they are
            # the number/date line or centred like that column (the motto wrapped onto
            # its own line); the title, centred on the page, is not.
            centers = [[(ws[0].x0 + ws[-1].x1) / 2 for ws in (s[k] for s in sides if s) if ws]
                       for k in (0, 1)]
            while end < n:
                r = rows[end]
                if r.top - rows[end - 1].bottom > 2.5 * r.size:
                    break
                split = _side_split(r, lo, hi, 0.5)
                if split is None and centers[0] and centers[1]:
                    # A left row may reach into the gutter (a long "V/v ..." under the
                    # number) as long as it stays clear of the right column's axis.
                    lc, rc = statistics.median(centers[0]), statistics.median(centers[1])
                    if r.x1 < rc - 0.25 * (rc - lc) and \
                            abs((r.x0 + r.x1) / 2 - lc) < abs((r.x0 + r.x1) / 2 - rc):
                        split = (r.words, [])
                # The place-and-date line closes the right column ("Kính gửi" is below).
                right_closed = any(s and s[1] and COLUMN_BREAK.search(render(list(s[1]))[0])
                                   for s in sides)
                if split is None or (split[1] and right_closed):
                    break
                aligned = all(
                    not ws or (centers[k] and min(abs((ws[0].x0 + ws[-1].x1) / 2 - c)
                                                  for c in centers[k]) < 0.06 * width)
                    for k, ws in enumerate(split))
                if not (aligned or COLUMN_BREAK.search(rows[end].text)):
                    break
                sides.append(split)
                end += 1
        columns: list[list[Row]] = [[], []]
        for split in sides:
            for col, ws in zip(columns, split or ((), ())):
                if ws:
                    col.append(Row(page_no, list(ws)).finish())
        label = "signature" if sig else "header" if header else "columns"
        if label == "columns" and not _layout_columns(columns):
            i += 1  # tab-aligned text (a table without ruling): leave it in reading order
            continue
        zones.append((rows[start].top, columns, label))
        if sig and end == n:
            # The list of recipients, or the signer's name under the titles, goes on overleaf.
            left_done = not columns[0] or bool(SIGNATURE_END.match(columns[0][-1].text))
            right_done = not all(_all_caps(r.text) for r in columns[1])
            if not (left_done and right_done):
                next_carry = (columns, lo, hi, left_done, right_done)
        used.update(range(start, end))
        i = end
    rest = [r for k, r in enumerate(rows) if k not in used]
    return rest, zones, next_carry


def _layout_columns(columns: list[list[Row]]) -> bool:
    """Two columns of a layout block (a form's header or signatures): capitals on both
    sides near the top, the national name, or a "(Ký ...)" signing note."""
    text = " ".join(r.text for col in columns for r in col)
    if re.search(r"CỘNG\s+HÒA|\(\s*[Kk]ý\b", text):
        return True
    left, right = columns
    return any(_all_caps(a.text) and _all_caps(b.text)
               for a in left[:4] for b in right[:4] if abs(a.top - b.top) < 2)


def _all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _two_sided_run(rows, i, gutter_of) -> bool:
    """At least two consecutive rows split at about the same place: a tabbed
    two-column layout (signatures in forms, headers of annexes)."""
    g = gutter_of(rows[i])
    if g is None or i + 1 >= len(rows) or len(rows[i].words) >= 12:
        return False
    g2 = gutter_of(rows[i + 1])
    return g2 is not None and min(g[1], g2[1]) - max(g[0], g2[0]) > 5


# ----------------------------------------------------------------------------- extract
def _open(path: Path):
    import pdfplumber
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        pdf = pdfplumber.open(path)
        pages = pdf.pages  # forces the page tree to be read
    except PdfminerException as exc:
        inner = exc.args[0] if exc.args else exc
        name = type(inner).__name__
        if "Password" in name or "Encryption" in name:
            raise ExtractionError("encrypted PDF (password required)") from None
        raise ExtractionError(f"corrupt or truncated PDF: {_reason(inner)}") from None
    except Exception as exc:  # pdfminer raises plain errors on broken xref tables
        raise ExtractionError(f"corrupt or truncated PDF: {_reason(exc)}") from None
    return pdf, pages


def _reason(exc, limit: int = 160) -> str:
    msg = str(exc).strip() or type(exc).__name__
    return msg.splitlines()[0][:limit]


READER_ENV = "BAOCAO_PDF_READER"  # pdfium (default) | pdfplumber (the reference reader)
READERS = ("pdfium", "pdfplumber")


def extract_pdf(path: Path, reader: str | None = None) -> ExtractedDocument:
    """`reader`: where characters, fonts and drawn rules come from: PDFium (fast) or
    pdfplumber/pdfminer (the former reader, kept as the reference); default from the
    BAOCAO_PDF_READER environment variable, else PDFium."""
    path = Path(path)
    reader = reader or os.environ.get(READER_ENV) or "pdfium"
    if reader not in READERS:
        raise ValueError(f"unknown PDF reader {reader!r} (one of {', '.join(READERS)})")
    builder = DocumentBuilder(str(path), "pdf")
    unmapped = [0]
    conversions = encodings.Conversions()
    read = _read_pdfium if reader == "pdfium" else _read_pdfplumber
    pages, failed_pages = read(path, builder, unmapped, conversions)
    _convert_legacy(pages, conversions)
    # Glyph repairs (ƣ→ư, Ð→Đ) after the legacy decoding: in TCVN3 "Ð" is the byte of "é"
    for p in pages:
        for w in _all_words(p):
            w.text = repair(w.text)
    ocr_note = _quality_gate(builder, pages, "pdf", str(path))
    # the conversion is reported for the words kept: a page OCR read again keeps none of its own
    kept = encodings.Conversions()
    for p in pages:
        if p.source == "text":
            zone_rows = [r for _top, sides, _label in p.zones for side in sides for r in side]
            for w in [*_all_words(p), *(w for r in p.footnote_rows + zone_rows for w in r.words)]:
                if w.legacy:
                    kept.add(w.legacy)
    builder.warnings.extend(kept.warnings("words"))
    if not any(_has_text(p) for p in pages) or all(_scant(p) for p in pages):
        # (a scan may still carry a few characters: a stamp, a signature caption)
        if failed_pages:
            raise ExtractionError(f"corrupt or truncated PDF: no readable page ({failed_pages[0]})")
        failed_ocr = [w for w in builder.warnings if w.startswith("OCR failed")]
        raise ExtractionError("no text layer (scanned?); " + (
            ocr_note or (failed_ocr[0] if failed_ocr else "OCR found no text")))
    if failed_pages:
        builder.warnings.append(f"unreadable pages: {', '.join(failed_pages)}")
    # (glyphs of pages that OCR re-read do not matter any more)
    dropped = sum(p.unmapped for p in pages if p.source == "text")
    if dropped >= 10:  # a stray bullet glyph is not worth a 'partial' status
        builder.warnings.append(f"{dropped} glyphs without a Unicode mapping dropped "
                                "(font without ToUnicode: text may be garbled)")
    _analyse(builder, pages)
    doc = builder.build()
    encodings.check_converted(doc)
    return doc


def _read_pdfplumber(path: Path, builder: DocumentBuilder, unmapped: list[int],
                     conversions: encodings.Conversions) -> tuple[list[Page], list[str]]:
    pdf, raw_pages = _open(path)
    pages: list[Page] = []
    failed_pages: list[str] = []
    with pdf:
        builder.page_count = len(raw_pages)
        builder.metadata = {k: str(v) for k, v in (pdf.metadata or {}).items()
                            if isinstance(v, (str, int, float))}
        for no, page in enumerate(raw_pages, start=1):
            try:
                pages.append(_read_page(page, no, unmapped, conversions))
            except Exception as exc:  # one broken page must not lose the others
                failed_pages.append(f"{no} ({_reason(exc, 60)})")
            finally:
                page.close()  # release the parsed objects: long PDFs stay small in memory
    return pages, failed_pages


class _Plumber:
    """pdfplumber opened on demand, for the pages that need it (tables, annotations,
    pages PDFium's reader does not place); each page is closed once read."""

    def __init__(self, path: Path):
        self.path, self.pdf, self.pages = path, None, None

    def page(self, index: int):
        if self.pdf is None:
            self.pdf, self.pages = _open(self.path)
        return self.pages[index]

    def release(self, index: int) -> None:
        if self.pdf is not None and index < len(self.pages):  # pdfplumber may see fewer pages
            self.pages[index].close()

    def close(self) -> None:
        if self.pdf is not None:
            self.pdf.close()


def _read_pdfium(path: Path, builder: DocumentBuilder, unmapped: list[int],
                 conversions: encodings.Conversions) -> tuple[list[Page], list[str]]:
    from extractors import pdfium_reader

    try:
        doc = pdfium_reader.open_document(path)
    except pdfium_reader.PdfiumError as exc:
        if str(exc) == "password":
            raise ExtractionError("encrypted PDF (password required)") from None
        raise ExtractionError(f"corrupt or truncated PDF: {_reason(exc)}") from None
    plumber = _Plumber(path)
    pages: list[Page] = []
    failed_pages: list[str] = []
    try:
        builder.page_count = len(doc)
        builder.metadata = {k: v for k, v in doc.get_metadata_dict(skip_empty=True).items()}
        for index in range(len(doc)):
            no = index + 1
            try:
                raw = doc[index]
                try:
                    if pdfium_reader.supported(raw):
                        pages.append(_read_pdfium_page(raw, no, plumber, unmapped, conversions))
                    else:
                        pages.append(_read_page(plumber.page(index), no, unmapped, conversions))
                finally:
                    raw.close()
            except Exception as exc:  # one broken page must not lose the others
                failed_pages.append(f"{no} ({_reason(exc, 60)})")
            finally:
                plumber.release(index)
    finally:
        plumber.close()
        doc.close()
    return pages, failed_pages


def _read_pdfium_page(raw, no: int, plumber: _Plumber, unmapped: list[int],
                      conversions: encodings.Conversions | None = None) -> Page:
    """As `_read_page`, from PDFium's characters and paths; pdfplumber's table finder on
    them when the page has visible ruling; pdfminer only for annotation text."""
    from extractors import pdfium_reader

    data = pdfium_reader.read_page(raw)
    p = Page(no, data.width, height=data.height)
    before = unmapped[0]
    words = _to_words(pdfium_reader.words(data.glyphs, WORD_SETTINGS["x_tolerance"],
                                          WORD_SETTINGS["y_tolerance"]),
                      unmapped, conversions=conversions)
    if data.annotated:
        fills = _annotation_words(plumber.page(no - 1), unmapped, content_chars=data.chars)
        words = _attach_fills(words, fills) if fills else words
    p.unmapped = unmapped[0] - before
    ruling = data.lines + data.rects
    tables = _find_tables(_drawn_page(data), no) if words and _ruled(ruling) else []
    p.rules = _rules(ruling, p.width, p.height)
    _place_words(p, words, tables)
    return p


def _read_page(page, no: int, unmapped: list[int],
               conversions: encodings.Conversions | None = None) -> Page:
    """One page: its words grouped into rows (words inside tables left to the tables),
    its tables and its candidate footnote rules."""
    p = Page(no, float(page.width), height=float(page.height))
    before = unmapped[0]
    words = _page_words(page, unmapped, conversions)
    p.unmapped = unmapped[0] - before
    tables = _find_tables(page, no) if words else []
    p.rules = _rules(page.lines + page.rects, p.width, p.height)
    _place_words(p, words, tables)
    return p


def _place_words(p: Page, words: list[Word], tables) -> None:
    """Words inside a table go to its cells, the others into rows."""
    no = p.number
    if not tables:
        p.tables, p.rows = [], _group_rows(words, no)
        return
    boxes = [bbox for bbox, _ in tables]
    in_table = [any(b[0] - 1 <= (w.x0 + w.x1) / 2 <= b[2] + 1 and b[1] - 1 <= (w.top + w.bottom) / 2 <= b[3] + 1
                    for b in boxes) for w in words]
    p.tables = [(bbox[1], _table_cells([w for w, t in zip(words, in_table) if t], cells, no))
                for bbox, cells in tables]
    p.rows = _group_rows([w for w, t in zip(words, in_table) if not t], no)


def _page_text(p: Page) -> str:
    """The page's text as it will be stored (rows rendered: words that touch are glued)."""
    parts = [r.text for r in p.rows]
    for _top, cell_rows in p.tables:
        for cells in cell_rows:
            for lines in cells:
                parts.extend(r.text for r in lines or ())
    return " ".join(parts)


def ocr_page(o, number: int) -> Page:
    """A `Page` from OCR words (extractors.ocr.OcrPage): rows as for a text layer, tables
    from the ruling found in the image (`o.tables`, extractors/ocr_tables.py) kept as for
    a text layer (two filled cells in a row, not a bordered header); no bold."""
    p = Page(number, o.width, height=o.height, source="ocr")
    words = [Word(w.text, w.x0, w.x1, w.top, w.bottom, w.size, False) for w in o.words]
    for bbox, cell_rows in getattr(o, "tables", None) or ():
        inside = [w for w in words if bbox[0] - 1 <= (w.x0 + w.x1) / 2 <= bbox[2] + 1
                  and bbox[1] - 1 <= (w.top + w.bottom) / 2 <= bbox[3] + 1]
        cells = _table_cells(inside, cell_rows, number)
        texts = [[_cell_text(c, set()) for c in row] for row in cells]
        if (any(sum(1 for t in row if t.strip()) >= 2 for row in texts)
                and not LAYOUT_TABLE.search(" ".join(t for row in texts for t in row))):
            p.tables.append((bbox[1], cells))
            words = [w for w in words if w not in inside]
    p.rows = _group_rows(words, number) if words else []
    return p


def _quality_gate(builder: DocumentBuilder, pages: list[Page], kind: str, path: str) -> str | None:
    """Score every page; re-read by OCR the pages without text or below the threshold
    (kept only when OCR does better); warn about what stays below. Sets
    `builder.page_sources`. Returns why OCR could not run, if it could not."""
    from extractors import ocr

    for p in pages:
        if p.source == "text" and p.quality is None:
            q = assess(_page_text(p))
            p.quality = 0.0 if _scant(p) else q.score
            p.reason = "no text layer" if _scant(p) else q.reason
    need = [k for k, p in enumerate(pages) if p.reason]
    ocr_note = None
    skipped: list[int] = []
    if need:
        ocr_note = ocr.unavailable()
        if ocr_note is None:
            settings = ocr.Settings.from_env()
            todo = need if settings.max_pages is None else need[:settings.max_pages]
            skipped = [pages[k].number for k in need[len(todo):]]
            results = ocr.ocr_pages(kind, path, [pages[k].number - 1 for k in todo], settings)
            errors, low_conf, unread = [], [], []
            for k in todo:
                old = pages[k]
                o = results.get(old.number - 1)
                if o is None or o.error:
                    errors.append(f"{old.number} ({o.error if o else 'not read'})")
                    continue
                if o.blank or not o.words:
                    if _scant(old):
                        if o.ink >= ocr.PICTURE_INK and not (old.rows or old.tables):
                            unread.append(old.number)  # inked, yet no word: say so
                        old.reason, old.quality = None, None  # blank, a drawing, a picture
                    continue
                new = ocr_page(o, old.number)
                q = assess(_page_text(new))
                conf = (o.confidence or 0.0) / 100
                new.quality = round(min(q.score, conf), 3)
                new.reason = q.reason or (f"low OCR confidence ({o.confidence:.0f})"
                                          if new.quality < THRESHOLD else None)
                if conf < 0.6:
                    low_conf.append(old.number)
                if _scant(old):
                    # next to no text layer: OCR's reading, unless it found no more
                    if _alnum(new) > _alnum(old) or not (old.rows or old.tables):
                        pages[k] = new
                    else:
                        old.reason, old.quality = None, assess(_page_text(old)).score
                elif new.quality > (old.quality or 0.0):
                    pages[k] = new
            for k in todo:  # what OCR left unread on the pages it gave (a handwritten number)
                o = results.get(pages[k].number - 1)
                if pages[k].source == "ocr" and o is not None:
                    builder.warnings.extend(f"page {pages[k].number}: {n}" for n in o.notes)
            if errors:
                builder.warnings.append(f"OCR failed on pages {', '.join(errors)}")
            if low_conf:
                builder.warnings.append(f"low OCR confidence on {_pages(low_conf)}")
            if unread:
                builder.warnings.append(f"{_pages(unread)}: no text found by OCR "
                                        "(a picture, a stamp?)")
            if skipped:
                builder.warnings.append(f"{_pages(skipped)} not OCR'd "
                                        f"(limit BAOCAO_OCR_MAX_PAGES={settings.max_pages})")
    empty = [p.number for p in pages if not p.rows and not p.tables and p.reason
             and p.number not in skipped]
    if empty and any(p.rows or p.tables for p in pages):
        note = f" ({ocr_note})" if ocr_note else ""
        builder.warnings.append(f"pages without a text layer: {_ranges(empty)}{note}")
    low = [p for p in pages if (p.rows or p.tables) and p.reason]
    if low:
        scores = [p.quality or 0.0 for p in low]
        note = f"; {ocr_note}" if ocr_note else ""
        builder.warnings.append(
            f"text quality below {THRESHOLD} on {_pages([p.number for p in low])} "
            f"({low[0].reason}; quality {min(scores):.2f}-{max(scores):.2f}){note}")
    builder.page_sources = {p.number: (p.source, p.quality) for p in pages
                            if p.rows or p.tables}
    return ocr_note


def _analyse(builder: DocumentBuilder, pages: list[Page]) -> None:
    """Running lines, footnote areas, two-column zones, then the body and footnotes."""
    body_size = _body_size(pages)
    running = _running_keys(pages) if len(pages) >= 3 else set()
    for p in pages:
        _strip_running(p, p.height, running)
        _mark_superscripts(p.rows)
        cut = _footnote_area(p, p.rows, body_size)
        p.footnote_rows, p.rows = p.rows[cut:], p.rows[:cut]
    pitch = _line_pitch(pages)
    carry = None
    for p in pages:
        p.rows, p.zones, carry = _zones(p.rows, p.number, p.width,
                                        pitch.get(body_size, body_size * 1.25), carry, body_size)
        _margins(p, body_size)
    footnotes = _collect_footnotes(pages)
    numbers = {n for n, _, _ in footnotes}
    _emit_body(builder, pages, pitch, body_size, numbers)
    for number, text, page_no in footnotes:
        builder.add_footnote(number, text, page_no)


def _has_text(p: Page) -> bool:
    """Does the page content print text? (Annotation text alone, such as the signature
    stamp on a scan, is not a text layer.)"""
    return bool(p.tables) or any(not w.annot for r in p.rows for w in r.words)


def _alnum(p: Page) -> int:
    return sum(ch.isalnum() for ch in _page_text(p))


def _scant(p: Page) -> bool:
    """A page with next to no text (a scanned page with a stamp or a caption)."""
    n = 0
    for r in p.rows:
        n += sum(ch.isalnum() for w in r.words if not w.annot for ch in w.text)
        if n >= 15:
            return False
    return not p.tables


def _ranges(nums: list[int]) -> str:
    out, start = [], None
    for k, n in enumerate(nums):
        if start is None:
            start = n
        if k + 1 == len(nums) or nums[k + 1] != n + 1:
            out.append(str(start) if start == n else f"{start}-{n}")
            start = None
    return ", ".join(out)


def _pages(nums: list[int]) -> str:
    return ("page " if len(nums) == 1 else "pages ") + _ranges(nums)


def _body_size(pages: list[Page]) -> float:
    sizes = Counter()
    for p in pages:
        for r in p.rows:
            sizes[r.size] += sum(len(w.text) for w in r.words)
    return sizes.most_common(1)[0][0] if sizes else 12.0


def _line_pitch(pages: list[Page]) -> dict[float, float]:
    """Typical distance between consecutive lines of one paragraph, per font size."""
    diffs: dict[float, list[float]] = {}
    for p in pages:
        for a, b in zip(p.rows, p.rows[1:]):
            if a.size == b.size:
                d = b.top - a.top
                if 0.9 * a.size < d < 2.5 * a.size:
                    diffs.setdefault(a.size, []).append(d)
    out = {}
    for size, ds in diffs.items():
        ds.sort()
        # The lower half: paragraph spacing makes the upper tail.
        out[size] = ds[len(ds) // 3] if len(ds) >= 3 else statistics.median(ds)
    return out


def _margins(p: Page, body_size: float) -> None:
    body = [r for r in p.rows if abs(r.size - body_size) <= 1.0] or p.rows
    if not body:
        p.left, p.right = 0.0, p.width
        return
    lefts = Counter(round(r.x0) for r in body)
    p.left = min(x for x, n in lefts.items() if n >= max(1, lefts.most_common(1)[0][1] // 3))
    xs = sorted(r.x1 for r in body)
    p.right = xs[int(0.9 * (len(xs) - 1))]


def _collect_footnotes(pages: list[Page]) -> list[tuple[int, str, int]]:
    """[(number, text, page)] in order; rows without a leading marker continue the
    previous footnote (also across pages). A number printed at the text size starts a
    footnote only when it follows the previous one and a marker with that number was
    seen in the body ("2025 trên địa bàn ..." is a continuation line)."""
    in_body = {int(w.text) for p in pages for r in p.rows for w in r.words if w.sup}
    notes: list[list] = []  # [number, [texts], page]
    last_number = 0
    for p in pages:
        orphans = []
        for row in p.footnote_rows:
            text = row.text
            if UNDERLINE.match(text):
                continue
            n = _leading_marker(row)
            if n is None:
                plain = _leading_marker_plain(row)
                if plain is not None and row.x0 <= p.left + 2 * row.size and (
                        plain == last_number + 1 or (plain > last_number and plain in in_body)):
                    n = plain
            if n is not None:
                lead = LEADING_SUP.match(row.words[0].text)
                if lead and lead.end() < len(row.words[0].text):
                    rest = row.words[0].text[lead.end():] + " " + render(row.words[1:])[0]
                else:
                    rest = render(row.words[1:])[0]
                notes.append([n, [rest], p.number])
                last_number = n
            elif notes:
                notes[-1][1].append(text)
            else:
                orphans.append(row)  # small print under a rule, before any footnote
        if orphans:  # give it back to the body rather than lose it
            p.rows = sorted(p.rows + orphans, key=lambda r: r.top)
    return [(n, _glue(ts), page) for n, ts, page in notes]


def _glue(lines: list[str]) -> str:
    """Join wrapped lines with spaces, but not after a line that ends inside a symbol."""
    out = ""
    for ln in lines:
        out += ("" if not out or SYMBOL_BREAK.search(out) else " ") + ln
    return out


# -------------------------------------------------------------------------- body text
def _emit_body(builder: DocumentBuilder, pages: list[Page], pitch: dict, body_size: float,
               numbers: set[int]) -> None:
    items = []  # (page, top, kind, payload)
    for p in pages:
        for r in p.rows:
            items.append((p.number, r.top, 0, "row", r))
        for top, rows in p.tables:
            items.append((p.number, top, 1, "table", rows))
        for top, cols, label in p.zones:
            items.append((p.number, top, 1, "zone", (cols, label)))
    items.sort(key=lambda it: (it[0], it[1], it[2]))
    by_number = {p.number: p for p in pages}

    para: list[Row] = []
    for page_no, _top, _o, kind, payload in items:
        if kind == "row":
            row = payload
            if para and not _continues(para[-1], row, by_number, pitch):
                _flush(builder, para, numbers, body_size)
                para = []
            para.append(row)
            continue
        _flush(builder, para, numbers, body_size)
        para = []
        if kind == "table":
            _add_table(builder, payload, page_no, numbers)
        else:
            cols, label = payload
            for col in cols:
                for chunk in _column_blocks(col):
                    text, refs = _join_rows(chunk, numbers, sep="\n")
                    builder.add_block("paragraph", text[0], chunk[0].page, footnote_refs=refs,
                                      page_breaks=text[1], style=label)
    _flush(builder, para, numbers, body_size)


def _add_table(builder: DocumentBuilder, cell_rows, page_no: int, numbers: set[int]) -> None:
    rows = [[_cell_text(c, numbers) for c in cells] for cells in cell_rows]
    refs = []  # footnote markers inside cells: (number, row, col, start, end) in the cell
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            for m in INLINE_SUP.finditer(cell or ""):
                n = from_superscript(m.group())
                if n in numbers and m.start() > 0 and not re.search(r"[kcdh]?m$", cell[:m.start()]):
                    refs.append((n, r, c, m.start(), m.end()))
    builder.add_table(rows, page_no, footnote_refs=refs)


def _column_blocks(rows: list[Row]) -> list[list[Row]]:
    """Split one column of a zone at the number/date line ("Số: ...", "..., ngày ...")."""
    out: list[list[Row]] = []
    for r in rows:
        if UNDERLINE.match(r.text):
            continue
        if not out or COLUMN_BREAK.search(r.text):
            out.append([r])
        else:
            out[-1].append(r)
    return out


def _is_centered(r: Row, p) -> bool:
    """Centred between the margins without touching either (a justified line touches
    the right margin; a wide centred caption may come close to both)."""
    center = (r.x0 + r.x1) / 2
    tol = 0.04 * (p.right - p.left)
    # The text area is guessed from few lines on some pages (annexes, tables): the
    # page's own centre is a second reference.
    return ((abs(center - (p.left + p.right) / 2) < tol or abs(center - p.width / 2) < tol)
            and r.x0 > p.left + 2 and r.x1 < p.right - 2)


def _continues(prev: Row, row: Row, pages: dict, pitch: dict) -> bool:
    """Does `row` continue the paragraph whose last row is `prev`?"""
    if abs(prev.size - row.size) > 0.6:
        return False
    pp, p = pages[prev.page], pages[row.page]
    text = row.text
    size = row.size
    starts_item = bool(HEADING_NUMBER.match(text) or LIST_ITEM.match(text) or LEGAL_HEADING.match(text))
    # The previous line is full when it reaches the right margin (justified text) or
    # when this line's first word would not have fitted after it (ragged right).
    first_word = row.words[0].x1 - row.words[0].x0
    room = pp.right - prev.x1
    prev_full = room <= 2.5 * size or room < min(first_word, 0.3 * (pp.right - pp.left)) + 0.6 * size
    prev_ends = bool(SENTENCE_END.search(prev.text))
    if prev.page != row.page:
        # Across a page break: the previous page's last line ran to the right margin
        # and this one starts at the left margin.
        if row.page != prev.page + 1:
            return False
        return prev_full and row.x0 <= p.left + 0.8 * size and not (starts_item and prev_ends)
    gap = row.top - prev.top
    step = pitch.get(row.size, row.size * 1.2)
    if gap > step * 1.25 + 0.5 or gap < 0:
        return False
    if _is_centered(prev, p) and _is_centered(row, p):
        # Centred title lines join, but the type line ("QUYẾT ĐỊNH"), the subject
        # ("Về việc ...") and the authority ("ỦY BAN NHÂN DÂN ...") stay apart.
        return abs(prev.bold - row.bold) < 0.5 and _all_caps(prev.text) == _all_caps(row.text)
    hanging = (len(prev.words) > 1 and abs(row.x0 - prev.words[1].x0) <= 2
               and bool(LIST_ITEM.match(prev.text) or HEADING_NUMBER.match(prev.text)))
    if row.x0 > p.left + 0.8 * size and abs(row.x0 - prev.x0) > 2 and not hanging:
        return False  # first-line indent (or a centred/right-aligned line)
    if not prev_full:
        return False
    if starts_item and prev_ends:
        return False
    return True


def _join_rows(rows: list[Row], numbers: set[int], sep: str = " "):
    parts, refs, breaks = [], [], []
    pos = 0
    page = rows[0].page if rows else None
    for k, r in enumerate(rows):
        text, rrefs = _render_row(r, numbers)
        if k:
            # No space after a line that ends inside a symbol ("1163/KH-" + "UBND"):
            # Vietnamese does not hyphenate words, so such a hyphen belongs to the symbol.
            glue = "" if sep == " " and SYMBOL_BREAK.search(parts[-1]) else sep
            parts.append(glue)
            pos += len(glue)
        if r.page != page:
            breaks.append((pos, r.page))
            page = r.page
        refs.extend((n, pos + s, pos + e) for n, s, e in rrefs)
        parts.append(text)
        pos += len(text)
    return ("".join(parts), breaks), refs


def _flush(builder: DocumentBuilder, rows: list[Row], numbers: set[int], body_size: float) -> None:
    if not rows:
        return
    (text, breaks), refs = _join_rows(rows, numbers)
    if UNDERLINE.match(text):
        return
    bold = _bold(rows)
    kind = _kind(text, bold)
    builder.add_block(kind, text, rows[0].page, footnote_refs=refs, page_breaks=breaks,
                      style="bold" if bold > 0.6 else None)


def _bold(rows: list[Row]) -> float:
    total = sum(len(w.text) for r in rows for w in r.words)
    return sum(len(w.text) for r in rows for w in r.words if w.bold) / max(1, total)


def _kind(text: str, bold: float) -> str:
    """`bold`: the block's share of characters in a bold font."""
    stripped = text.strip()
    if len(stripped) <= 250:
        if LEGAL_HEADING.match(stripped) and len(stripped) < 200 and not (
                stripped.startswith("Điều") and (len(stripped) > 150 or stripped.endswith((".", ":", ";")))):
            return "heading"  # "Điều 3. Quyết định này có hiệu lực ..." is a sentence
        if len(stripped) < 200:
            letters = [c for c in stripped if c.isalpha()]
            if letters and all(c.isupper() for c in letters) and len(letters) > 3:
                return "heading"
        if bold > 0.6 and not stripped.endswith((";", ",")):
            return "heading"
        if HEADING_NUMBER.match(stripped) and len(stripped) < 160 and not stripped.endswith((".", ";", ",", ":")):
            return "heading"
    if LIST_ITEM.match(stripped):
        return "list_item"
    return "paragraph"


# ------------------------------------------------------------------------------- images
def extract_image(path: Path) -> ExtractedDocument:
    """A scanned page as an image file (PNG, JPEG, TIFF; a multi-page TIFF gives one page
    per frame): OCR, then the same analysis as a PDF page."""
    from extractors import ocr

    path = Path(path)
    missing = ocr.unavailable()
    if missing:
        raise ExtractionError(f"image without a text layer; {missing}")
    try:
        n = ocr.image_frames(str(path))
    except Exception as exc:
        raise ExtractionError(f"corrupt image: {_reason(exc, 120)}") from None
    builder = DocumentBuilder(str(path), "image")
    builder.page_count = n
    pages = [Page(k + 1, 0.0, quality=0.0, reason="no text layer") for k in range(n)]
    _quality_gate(builder, pages, "image", str(path))
    if not any(p.rows or p.tables for p in pages):
        failed_ocr = [w for w in builder.warnings if w.startswith("OCR failed")]
        raise ExtractionError(failed_ocr[0] if failed_ocr else
                              "no text found by OCR (blank or unreadable image)")
    _analyse(builder, pages)
    return builder.build()
