"""Word .docx reports.

python-docx opens the package (zip, relationships, core properties); the content is read
from the parts' XML with lxml, because python-docx has no API for footnotes, fields,
tracked changes or automatic numbering, and its paragraph iterator loses reading order
between paragraphs and tables.

What ends up in the text, in reading order:
- body paragraphs (w:p) and tables (w:tbl), also inside content controls (w:sdt);
  text boxes are added after the paragraph that anchors them;
- tracked changes as if accepted: w:ins kept, w:del dropped; fields show their result,
  not their code; hidden text (w:vanish) dropped; tabs become spaces;
- a w:footnoteReference becomes a superscript number (¹ ² ³ in order of appearance, as
  Word shows them) linked to the footnote from word/footnotes.xml; a custom mark
  (w:customMarkFollows) keeps its own symbol as the footnote label;
- automatic numbering (w:numPr) is rendered from numbering.xml ("1.", "a)", "II.", "-").
Headers and footers (word/header*.xml, footer*.xml) are never read into the body.

Layout tables: Vietnamese official documents place the header (issuing body | national
motto, "Số: …" | "place, ngày …") and the signature block ("Nơi nhận" | signer) in small
borderless tables. Read row by row those would interleave the two columns, so a small
table that is borderless or carries header/signature text is written column by column
(left column top to bottom, then the right one), each paragraph its own block, like a
reader (and our PDF extractor) sees it. It is still listed among the document's tables,
with its rows, and a span covering its paragraphs (each cell's paragraphs are contiguous
there, so every cell text is found inside the span).
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from pipeline.builder import (CELL_SEPARATOR, ROW_SEPARATOR, DocumentBuilder,
                              to_superscript)
from pipeline.normalize import normalize_with_map
from schemas.records import ExtractedDocument, ExtractionError, Table

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
M_NS = "http://schemas.openxmlformats.org/officeDocument/2006/math"
RT_FOOTNOTES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
RT_NUMBERING = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering"
RT_STYLES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"


def w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


def wval(el, attr: str = "val") -> str | None:
    return None if el is None else el.get(w(attr))


def _is_on(el) -> bool:
    """A w:b / w:vanish style toggle: present and not switched off."""
    return el is not None and wval(el) not in ("0", "false", "off", "none")


# Typed numbering at the start of a paragraph that makes it a section heading.
HEADING_NUMBER = re.compile(
    r"^(?:(?:PHẦN|Phần|CHƯƠNG|Chương|MỤC|Mục)\s+[IVXLCDM\d]+|Điều\s+\d+[a-zđ]?\."
    r"|[IVXLCDM]+\.|\d+(?:\.\d+)*\.?|[a-zđ]\)|\(\d+\))(?=\s)"
)
LIST_MARK = re.compile(r"^(?:[-–—•+*·]\s|[a-zđ]\)\s|\(\d+\)\s|\d+\)\s)")
SENTENCE_END = re.compile(r"[.:;!?…]\s*$")
LAYOUT_CUES = re.compile(
    r"CỘNG\s+HÒA\s+XÃ\s+HỘI|Độc\s+lập\s*[-–]\s*Tự\s+do|Nơi\s+nhận|^\s*Số\s*:|"
    r"\b(?:TM|KT|TL|TUQ|Q)\.\s|CHỦ\s+TỊCH|GIÁM\s+ĐỐC|TRƯỞNG\s+BAN|ngày\s+\S*\s*tháng",
    re.I | re.M,
)


# -- numbering -------------------------------------------------------------------------

def _roman(n: int) -> str:
    out = ""
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"),
                       (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
                       (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + sym, n - value
    return out


def _letters(n: int) -> str:
    # Word: a … z, aa … zz, aaa …
    n = max(n, 1)
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str | None) -> str:
    fmt = fmt or "decimal"
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "none":
        return ""
    return str(n)  # decimal and the formats we do not render specially


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    restart: int | None = None  # w:lvlRestart: restart after this (1-based) level


@dataclass
class Numbering:
    """Automatic list numbering (word/numbering.xml) with running counters."""

    levels: dict[str, dict[int, _Level]] = field(default_factory=dict)  # numId -> ilvl -> _Level
    overrides: dict[str, dict[int, int]] = field(default_factory=dict)  # numId -> start
    counters: dict[str, dict[int, int]] = field(default_factory=dict)

    @classmethod
    def parse(cls, root) -> "Numbering":
        num = cls()
        if root is None:
            return num
        abstract: dict[str, dict[int, _Level]] = {}
        style_links: dict[str, str] = {}
        for an in root.iter(w("abstractNum")):
            levels = {}
            for lvl in an.findall(w("lvl")):
                levels[int(lvl.get(w("ilvl"), "0"))] = _Level(
                    start=int(wval(lvl.find(w("start"))) or 1),
                    fmt=wval(lvl.find(w("numFmt"))) or "decimal",
                    text=wval(lvl.find(w("lvlText"))) or "",
                    restart=(int(v) if (v := wval(lvl.find(w("lvlRestart")))) else None),
                )
            abstract[an.get(w("abstractNumId"))] = levels
            link = wval(an.find(w("numStyleLink")))
            if link:
                style_links[an.get(w("abstractNumId"))] = link
        for n in root.iter(w("num")):
            num_id = n.get(w("numId"))
            levels = dict(abstract.get(wval(n.find(w("abstractNumId"))), {}))
            starts = {}
            for ov in n.findall(w("lvlOverride")):
                ilvl = int(ov.get(w("ilvl"), "0"))
                if (lvl := ov.find(w("lvl"))) is not None:
                    levels[ilvl] = _Level(
                        start=int(wval(lvl.find(w("start"))) or 1),
                        fmt=wval(lvl.find(w("numFmt"))) or "decimal",
                        text=wval(lvl.find(w("lvlText"))) or "")
                if (so := ov.find(w("startOverride"))) is not None:
                    starts[ilvl] = int(wval(so) or 1)
            num.levels[num_id] = levels
            num.overrides[num_id] = starts
        return num

    def label(self, num_id: str, ilvl: int) -> tuple[str, str | None]:
        """Advance the list's counter and return (label text, numFmt) for this item."""
        levels = self.levels.get(num_id)
        if not levels or num_id == "0":
            return "", None
        lvl = levels.get(ilvl) or _Level()
        counters = self.counters.setdefault(num_id, {})

        def start(i):
            return self.overrides.get(num_id, {}).get(i, (levels.get(i) or _Level()).start)

        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else start(ilvl)
        for deeper in [k for k in counters if k > ilvl]:
            d = levels.get(deeper)
            if d is None or d.restart is None or d.restart > ilvl:
                del counters[deeper]
        if lvl.fmt == "bullet":
            return ("-" if lvl.text.strip() in ("-", "–", "—") else "•"), "bullet"

        def repl(m):
            i = int(m.group(1)) - 1
            value = counters.get(i, start(i))
            return format_number(value, (levels.get(i) or _Level()).fmt)

        return re.sub(r"%(\d)", repl, lvl.text), lvl.fmt


# -- styles ----------------------------------------------------------------------------

@dataclass
class Styles:
    names: dict[str, str] = field(default_factory=dict)  # styleId -> name
    based_on: dict[str, str] = field(default_factory=dict)
    ppr: dict[str, object] = field(default_factory=dict)  # styleId -> w:pPr
    bold: dict[str, bool] = field(default_factory=dict)

    @classmethod
    def parse(cls, root) -> "Styles":
        st = cls()
        if root is None:
            return st
        for s in root.iter(w("style")):
            sid = s.get(w("styleId"))
            st.names[sid] = wval(s.find(w("name"))) or sid
            if (b := wval(s.find(w("basedOn")))) is not None:
                st.based_on[sid] = b
            if (p := s.find(w("pPr"))) is not None:
                st.ppr[sid] = p
            rpr = s.find(w("rPr"))
            if rpr is not None and rpr.find(w("b")) is not None:
                st.bold[sid] = _is_on(rpr.find(w("b")))
        return st

    def chain(self, sid: str | None):
        seen = set()
        while sid and sid not in seen:
            seen.add(sid)
            yield sid
            sid = self.based_on.get(sid)

    def find_ppr(self, sid: str | None, tag: str):
        for s in self.chain(sid):
            p = self.ppr.get(s)
            if p is not None and (el := p.find(w(tag))) is not None:
                return el
        return None

    def is_bold(self, sid: str | None) -> bool:
        for s in self.chain(sid):
            if s in self.bold:
                return self.bold[s]
        return False


# -- inline text -----------------------------------------------------------------------

@dataclass
class Inline:
    """Text of one paragraph (or table cell, or footnote) as it is displayed."""

    parts: list[str] = field(default_factory=list)
    length: int = 0
    refs: list[tuple[str, int]] = field(default_factory=list)  # (footnote id, raw offset)
    custom: list[tuple[str, int, int]] = field(default_factory=list)  # id, start, end
    boxes: list = field(default_factory=list)  # text-box w:txbxContent elements
    chars: int = 0  # visible non-space characters ...
    bold_chars: int = 0  # ... of which bold
    pending_custom: str | None = None

    def add(self, s: str, bold: bool = False) -> None:
        if not s:
            return
        self.parts.append(s)
        self.length += len(s)
        visible = len(s) - s.count(" ") - s.count("\n")
        self.chars += visible
        if bold:
            self.bold_chars += visible

    @property
    def text(self) -> str:
        return "".join(self.parts)


class Reader:
    def __init__(self, styles: Styles, numbering: Numbering, footnote_marks: dict):
        self.styles = styles
        self.numbering = numbering
        # footnote id -> (number, marker); filled in the order references are met
        self.footnote_marks = footnote_marks
        self.auto_number = 0

    # Run-level content ----------------------------------------------------------------
    def inline(self, el, out: Inline, in_footnote: bool = False, bold_default=False) -> Inline:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str):
                continue  # comments, processing instructions
            local = etree.QName(tag).localname
            ns = etree.QName(tag).namespace
            if ns == MC_NS:
                if local == "AlternateContent":
                    choice = child.find(f"{{{MC_NS}}}Choice")
                    self.inline(choice if choice is not None
                                else child.find(f"{{{MC_NS}}}Fallback") or [], out,
                                in_footnote, bold_default)
                continue
            if ns == M_NS:  # Office math: keep its text
                out.add("".join(t.text or "" for t in child.iter(f"{{{M_NS}}}t")))
                continue
            if ns != W_NS:
                # drawings, VML shapes: only their text boxes matter
                out.boxes.extend(child.iter(w("txbxContent")))
                continue
            if local == "r":
                self.run(child, out, in_footnote, bold_default)
            elif local in ("del", "moveFrom", "pPr", "rPr", "proofErr", "bookmarkStart",
                           "bookmarkEnd", "commentRangeStart", "commentRangeEnd"):
                continue
            elif local in ("ins", "moveTo", "hyperlink", "smartTag", "customXml", "fldSimple",
                           "bdo", "dir", "sdtContent", "r"):
                self.inline(child, out, in_footnote, bold_default)
            elif local == "sdt":
                content = child.find(w("sdtContent"))
                if content is not None:
                    self.inline(content, out, in_footnote, bold_default)
        return out

    def run(self, r, out: Inline, in_footnote: bool, bold_default: bool) -> None:
        rpr = r.find(w("rPr"))
        if rpr is not None and (_is_on(rpr.find(w("vanish"))) or _is_on(rpr.find(w("webHidden")))):
            return
        bold = bold_default
        if rpr is not None:
            if (b := rpr.find(w("b"))) is not None:
                bold = _is_on(b)
            elif (rs := wval(rpr.find(w("rStyle")))) is not None and self.styles.is_bold(rs):
                bold = True
        for child in r:
            if not isinstance(child.tag, str):
                continue
            local = etree.QName(child.tag).localname
            if etree.QName(child.tag).namespace != W_NS:
                if local == "AlternateContent":
                    choice = child.find(f"{{{MC_NS}}}Choice")
                    node = choice if choice is not None else child.find(f"{{{MC_NS}}}Fallback")
                    if node is not None:
                        out.boxes.extend(node.iter(w("txbxContent")))
                continue
            if local == "t":
                text = child.text or ""
                if out.pending_custom is not None and text:
                    fid, out.pending_custom = out.pending_custom, None
                    out.custom.append((fid, out.length, out.length + len(text)))
                out.add(text, bold)
            elif local in ("tab", "ptab"):
                out.add(" ")
            elif local in ("br", "cr"):
                out.add("\n")
            elif local == "noBreakHyphen":
                out.add("-", bold)
            elif local == "sym":
                code = int(child.get(w("char"), "0"), 16)
                if code >= 0xF000:
                    code -= 0xF000  # symbol fonts map into the private use area
                if 0x20 < code < 0xD800 and chr(code).isprintable():
                    out.add(chr(code), bold)
            elif local == "footnoteReference" and not in_footnote:
                fid = child.get(w("id"))
                if child.get(w("customMarkFollows")) in ("1", "true", "on"):
                    out.pending_custom = fid
                else:
                    out.refs.append((fid, out.length))
            elif local in ("drawing", "pict", "object"):
                out.boxes.extend(child.iter(w("txbxContent")))


@dataclass
class Para:
    kind: str
    text: str
    refs: list[tuple[int, int, int]]  # (footnote number, raw start, raw end)
    style: str | None
    level: int | None


def _soft_breaks(text: str) -> str:
    """A manual line break ends a line of a heading/address block or precedes a list
    item: keep it as a newline; inside running text it is only layout: a space."""
    def repl(m):
        before, after = text[:m.start()].rstrip(), text[m.end():].lstrip()
        if not before or not after:
            return " "
        line = before.rsplit("\n", 1)[-1]
        letters = [c for c in line if c.isalpha()]
        upper_line = bool(letters) and all(c.isupper() for c in letters)  # title lines
        if SENTENCE_END.search(before) or LIST_MARK.match(after) or \
                HEADING_NUMBER.match(after) or upper_line:
            return "\n"
        return " "
    # same length replacement keeps raw offsets (footnote markers) valid
    return re.sub(r"\n", repl, text)


class BodyWriter:
    """Walks the body and feeds the builder."""

    def __init__(self, builder: DocumentBuilder, reader: Reader):
        self.b = builder
        self.r = reader
        self.in_layout = False  # inside a header/signature layout table

    # paragraphs ----------------------------------------------------------------------
    def paragraph(self, p) -> Para | None:
        ppr = p.find(w("pPr"))
        sid = wval(ppr.find(w("pStyle"))) if ppr is not None else None
        style = self.r.styles.names.get(sid, sid) if sid else None
        rpr_bold = self.r.styles.is_bold(sid)
        out = self.r.inline(p, Inline(), bold_default=rpr_bold)
        text = out.text
        refs: list[tuple[int, int, int]] = []
        # Markers are inserted from the end so earlier raw offsets stay valid.
        inserts = []
        for fid, pos in out.refs:
            number, mark = self.r.mark_for(fid)
            inserts.append((pos, pos, mark, number))
        for fid, s, e in out.custom:
            number, _ = self.r.mark_for(fid, custom=text[s:e])
            inserts.append((s, e, None, number))
        for s, e, mark, number in sorted(inserts, key=lambda x: x[0], reverse=True):
            if mark is not None:
                text = text[:s] + mark + text[s:]
                refs = [(n, a + len(mark) if a >= s else a, b + len(mark) if b >= s else b)
                        for n, a, b in refs]
                refs.append((number, s, s + len(mark)))
            else:
                refs.append((number, s, e))
        refs.sort(key=lambda x: x[1])
        if not self.in_layout:  # layout cells split their lines into blocks instead
            text = _soft_breaks(text)

        num_pr = ppr.find(w("numPr")) if ppr is not None else None
        if num_pr is None:
            num_pr = self.r.styles.find_ppr(sid, "numPr")
        label, fmt = "", None
        if num_pr is not None:
            num_id = wval(num_pr.find(w("numId")))
            ilvl = int(wval(num_pr.find(w("ilvl"))) or 0)
            if num_id and (num_id != "0"):
                label, fmt = self.r.numbering.label(num_id, ilvl)
        if label:
            text = label + " " + text
            refs = [(n, a + len(label) + 1, b + len(label) + 1) for n, a, b in refs]

        level = heading_level(style)
        outline = ppr.find(w("outlineLvl")) if ppr is not None else None
        if outline is None:
            outline = self.r.styles.find_ppr(sid, "outlineLvl")
        if level is None and outline is not None and (wval(outline) or "9").isdigit() \
                and int(wval(outline)) < 9:
            level = int(wval(outline)) + 1
        stripped = text.strip()
        bold = out.chars > 0 and out.bold_chars >= 0.9 * out.chars
        if level is not None:
            kind = "heading"
        elif label:  # Word list numbering: a list unless the item reads like a heading
            short = len(stripped) <= 200 and not stripped.endswith((".", ";", ",", ":"))
            kind = "heading" if bold and short and fmt != "bullet" else "list_item"
        elif looks_like_heading(stripped, bold, self.in_layout):
            kind = "heading"
        elif LIST_MARK.match(stripped):
            kind = "list_item"
        else:
            kind = "paragraph"
        para = Para(kind, text, refs, style, level)
        para.boxes = out.boxes  # type: ignore[attr-defined]
        return para

    def emit_paragraph(self, p) -> list:
        para = self.paragraph(p)
        blocks = []
        pieces = [(para.text, para.refs)]
        if self.in_layout:  # each line of a header/signature cell is its own block
            pieces, pos = [], 0
            for line in para.text.split("\n"):
                end = pos + len(line)
                pieces.append((line, [(n, a - pos, b - pos) for n, a, b in para.refs
                                      if pos <= a and b <= end]))
                pos = end + 1
        for text, refs in pieces:
            kind = para.kind
            if len(pieces) > 1:
                kind = "heading" if para.level is not None or looks_like_heading(
                    text.strip(), False, True) else "paragraph"
            block = self.b.add_block(kind, text, footnote_refs=refs,
                                     style=para.style, level=para.level)
            if block is not None:
                blocks.append(block)
        for box in para.boxes:  # text boxes anchored here, after their paragraph
            blocks.extend(self.container(box))
        return blocks

    def container(self, el) -> list:
        """Paragraphs and tables of the body, a text box, a content control, a cell."""
        blocks = []
        for child in el:
            if not isinstance(child.tag, str):
                continue
            q = etree.QName(child.tag)
            if q.namespace != W_NS:
                if q.localname == "AlternateContent":
                    choice = child.find(f"{{{MC_NS}}}Choice")
                    node = choice if choice is not None else child.find(f"{{{MC_NS}}}Fallback")
                    if node is not None:
                        blocks.extend(self.container(node))
                continue
            if q.localname == "p":
                blocks.extend(self.emit_paragraph(child))
            elif q.localname == "tbl":
                blocks.extend(self.table(child))
            elif q.localname in ("sdt",):
                content = child.find(w("sdtContent"))
                if content is not None:
                    blocks.extend(self.container(content))
            elif q.localname in ("customXml", "ins", "moveTo", "sdtContent"):
                blocks.extend(self.container(child))
        return blocks

    # tables --------------------------------------------------------------------------
    def grid(self, tbl) -> list[list]:
        """Rows of cells (w:tc) aligned on the table grid: a cell spanning n grid columns
        is followed by n-1 None, a vertically merged continuation is None (merged text
        is not repeated), skipped grid columns (w:gridBefore) are None."""
        rows = []
        for tr in _children(tbl, "tr"):
            trpr = tr.find(w("trPr"))
            before = trpr.find(w("gridBefore")) if trpr is not None else None
            cells = [None] * int(wval(before) or 0) if before is not None else []
            for tc in _children(tr, "tc"):
                tcpr = tc.find(w("tcPr"))
                vmerge = tcpr.find(w("vMerge")) if tcpr is not None else None
                span = tcpr.find(w("gridSpan")) if tcpr is not None else None
                continued = vmerge is not None and wval(vmerge) in (None, "continue")
                cells.append(None if continued else tc)
                cells.extend([None] * (int(wval(span) or 1) - 1 if span is not None else 0))
            rows.append(cells)
        return rows

    def table(self, tbl) -> list:
        grid = self.grid(tbl)
        if not grid:
            return []
        if is_layout_table(tbl, grid, self.cell_plain):
            return self.layout_table(grid)
        rows: list[list[str]] = []
        cell_refs: list[list[list[tuple[int, int, int]]]] = []
        for cells in grid:
            row, refs_row = [], []
            for tc in cells:
                if tc is None:
                    row.append("")
                    refs_row.append([])
                    continue
                text, refs = self.cell_text(tc)
                row.append(text)
                refs_row.append(refs)
            rows.append(row)
            cell_refs.append(refs_row)
        block = self.b.add_table(rows)
        if block is None:
            return []
        self._table_anchors(block.start, rows, cell_refs)
        return [block]

    def cell_text(self, tc) -> tuple[str, list[tuple[int, int, int]]]:
        """A cell as one line: its paragraphs (and nested tables) joined by spaces."""
        texts, refs, length = [], [], 0
        for node in _cell_items(tc):
            if node.tag == w("p"):
                para = self.paragraph(node)
                t, r = para.text, para.refs
            else:  # nested table, flattened row by row
                t, r = " ".join(" ".join(c for c in self.cell_text(tc2)[0:1] if c)
                                for row in self.grid(node) for tc2 in row if tc2 is not None), []
            if not t.strip():
                continue
            if texts:
                length += 1
            refs += [(n, a + length, b + length) for n, a, b in r]
            texts.append(t)
            length += len(t)
        return " ".join(texts), refs

    def cell_plain(self, tc) -> str:
        return " ".join("".join(t.text or "" for t in p.iter(w("t"))) for p in tc.iter(w("p")))

    def _table_anchors(self, start: int, rows, cell_refs) -> None:
        """Footnote markers inside table cells: map raw cell offsets to the table text,
        which DocumentBuilder.add_table built as normalized, space-folded cells."""
        offset = start
        first_row = True
        for row, refs_row in zip(rows, cell_refs):
            cells = [_fold_with_map(c) for c in row]
            if not any(c for c, _ in cells):
                continue
            if not first_row:
                offset += len(ROW_SEPARATOR)
            first_row = False
            for k, ((cell, imap), refs) in enumerate(zip(cells, refs_row)):
                if k:
                    offset += len(CELL_SEPARATOR)
                for number, a, b in refs:
                    self.b.anchors.setdefault(number, []).append(
                        (offset + imap[a], offset + max(imap[a], imap[b])))
                offset += len(cell)

    def layout_table(self, grid) -> list:
        """Header/signature grid: column by column, each paragraph its own block."""
        n_cols = max(len(r) for r in grid)
        blocks, rows_text = [], [["" for _ in range(n_cols)] for _ in grid]
        for col in range(n_cols):
            for i, cells in enumerate(grid):
                tc = cells[col] if col < len(cells) else None
                if tc is None:
                    continue
                self.in_layout = True
                try:
                    cell_blocks = self.container(tc)
                finally:
                    self.in_layout = False
                blocks.extend(cell_blocks)
                rows_text[i][col] = cell_blocks
        if not blocks:
            return []
        text = "".join(self.b.parts)
        rows = [[("\n\n".join(text[b.start:b.end] for b in c) if c else "") for c in row]
                for row in rows_text]
        start, end = min(b.start for b in blocks), max(b.end for b in blocks)
        self.b.tables.append(Table(start, end, rows))
        return blocks


def _children(el, tag: str):
    """Direct children with this tag, looking through content controls / custom XML."""
    for child in el:
        if child.tag == w(tag):
            yield child
        elif child.tag in (w("sdt"), w("customXml"), w("sdtContent")):
            inner = child.find(w("sdtContent")) if child.tag == w("sdt") else child
            if inner is not None:
                yield from _children(inner, tag)


def _cell_items(tc):
    for child in tc:
        if child.tag in (w("p"), w("tbl")):
            yield child
        elif child.tag in (w("sdt"), w("customXml")):
            inner = child.find(w("sdtContent")) if child.tag == w("sdt") else child
            if inner is not None:
                yield from _cell_items(inner)


def _fold_with_map(raw: str) -> tuple[str, list[int]]:
    """What add_table does to a cell (normalize, then fold whitespace runs), with a map
    from raw offsets to offsets in the result."""
    norm, nmap = normalize_with_map(raw or "")
    out, fmap, pending_space = [], [], False
    for ch in norm:
        if ch.isspace():
            pending_space = bool(out)
            fmap.append(len(out) + (1 if out else 0))
            continue
        if pending_space:
            out.append(" ")
            pending_space = False
        fmap.append(len(out))
        out.append(ch)
    fmap.append(len(out))
    folded = "".join(out)
    return folded, [min(fmap[i], len(folded)) for i in nmap]


def heading_level(style: str | None) -> int | None:
    if not style:
        return None
    m = re.match(r"^(?:heading|tiêu đề|tieu de|đề mục)\s*(\d)$", style.strip(), re.I)
    if m:
        return int(m.group(1))
    if style.strip().lower() in ("title", "tiêu đề", "subtitle"):
        return 1 if style.strip().lower() != "subtitle" else 2
    return None


def looks_like_heading(text: str, bold: bool, in_layout: bool = False) -> bool:
    """Typed section numbers as the TXT extractor reads them ("I.", "1.", "1.1.", "a)",
    "Điều 1.", "Chương I"), short uppercase lines, and short fully bold paragraphs."""
    if not text or len(text) > 200:
        return False
    if re.match(r"^[IVXLCDM]+\.\s", text) or re.match(
            r"^(?:PHẦN|Phần|CHƯƠNG|Chương|MỤC|Mục)\s+[IVXLCDM\d]+\b", text) or \
            re.match(r"^Điều\s+\d+[a-zđ]?\.\s", text):
        return True
    if HEADING_NUMBER.match(text) and not text.endswith((".", ";", ",")):
        return True
    letters = [c for c in text if c.isalpha()]
    if letters and len(text) < 120 and all(c.isupper() for c in letters):
        return True
    # Bold, short, not a sentence: "Biểu mẫu 1", a bold title line. Not in the header or
    # signature grid, where bold marks the signer's name, not a section.
    return bold and not in_layout and not text.endswith((".", ";", ",", ":"))


def is_layout_table(tbl, grid, plain) -> bool:
    n_rows = len(grid)
    n_cols = max((len(r) for r in grid), default=0)
    if n_rows > 4 or n_cols > 3 or n_cols < 1:
        return False
    text = "\n".join(plain(tc) for row in grid for tc in row if tc is not None)
    if LAYOUT_CUES.search(text):
        return True
    return n_cols >= 2 and not _has_borders(tbl)


def _has_borders(tbl) -> bool:
    for borders in list(tbl.iter(w("tblBorders"))) + list(tbl.iter(w("tcBorders"))):
        for side in borders:
            if wval(side) not in (None, "nil", "none"):
                return True
    tpr = tbl.find(w("tblPr"))
    style = wval(tpr.find(w("tblStyle"))) if tpr is not None else None
    return bool(style) and style.lower() not in ("normaltable", "tablenormal")


# -- footnotes -------------------------------------------------------------------------

def _footnote_bodies(root) -> dict[str, object]:
    if root is None:
        return {}
    notes = {}
    for fn in root.iter(w("footnote")):
        if fn.get(w("type")) in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        notes[fn.get(w("id"))] = fn
    return notes


def _footnote_text(reader: Reader, fn, label: str | None) -> str:
    texts = []
    for item in fn.iter(w("p")):
        out = reader.inline(item, Inline(), in_footnote=True)
        texts.append(out.text)
    text = " ".join(t.strip() for t in texts if t.strip())
    if label and text.startswith(label):
        text = text[len(label):]  # the custom mark is typed again in the footnote
    return text


# -- package ---------------------------------------------------------------------------

def _open(path: Path):
    import docx

    try:
        with zipfile.ZipFile(path) as zf:
            if "word/document.xml" not in zf.namelist():
                raise ExtractionError("corrupt DOCX: missing word/document.xml")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
        raise ExtractionError(f"corrupt DOCX: {_one_line(exc)}") from None
    try:
        return docx.Document(str(path))
    except Exception as exc:  # python-docx raises anything (AttributeError, KeyError …)
        # on a malformed package; all of them mean the same thing for us.
        raise ExtractionError(f"corrupt DOCX: {_one_line(exc)}") from None


def _one_line(exc: Exception) -> str:
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if isinstance(exc, etree.XMLSyntaxError):
        msg = f"XML error: {msg}"
    elif not isinstance(exc, (zipfile.BadZipFile, ExtractionError)):
        msg = f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__
    if "word/document.xml" in msg or "There is no item named" in msg:
        return "missing word/document.xml"
    return msg[:200]


def _part_xml(document_part, reltype: str, warnings: list[str]):
    for rel in document_part.rels.values():
        if rel.reltype == reltype and not rel.is_external:
            part = rel.target_part
            element = getattr(part, "element", None)
            if element is not None:
                return element
            try:
                return etree.fromstring(part.blob)
            except etree.XMLSyntaxError as exc:
                name = str(part.partname).lstrip("/")
                warnings.append(f"unreadable {name}: {_one_line(exc)}")
                return None
    return None


def _metadata(doc) -> dict:
    meta = {}
    try:
        cp = doc.core_properties
    except Exception:  # a broken docProps/core.xml is not worth failing the document
        return meta
    for key in ("title", "author", "subject", "keywords", "last_modified_by", "category"):
        value = getattr(cp, key, None)
        if value:
            meta[key] = value
    for key in ("created", "modified"):
        value = getattr(cp, key, None)
        if value:
            meta[key] = value.isoformat()
    return meta


def extract_docx(path: Path) -> ExtractedDocument:
    path = Path(path)
    doc = _open(path)
    builder = DocumentBuilder(str(path), "docx")
    document_part = doc.part
    body = doc.element.find(w("body"))
    if body is None:
        raise ExtractionError("corrupt DOCX: word/document.xml has no body")
    styles = Styles.parse(_part_xml(document_part, RT_STYLES, builder.warnings))
    numbering = Numbering.parse(_part_xml(document_part, RT_NUMBERING, builder.warnings))
    notes = _footnote_bodies(_part_xml(document_part, RT_FOOTNOTES, builder.warnings))

    reader = Reader(styles, numbering, {})
    order: list[str] = []  # footnote ids in order of their first reference

    def mark_for(fid: str, custom: str | None = None) -> tuple[int, str]:
        if fid not in reader.footnote_marks:
            order.append(fid)
            if custom is None:
                reader.auto_number += 1
                reader.footnote_marks[fid] = (reader.auto_number, to_superscript(reader.auto_number), None)
            else:
                digits = custom.strip()
                number = int(digits) if digits.isdigit() else len(order)
                label = None if digits.isdigit() else digits
                reader.footnote_marks[fid] = (number, custom, label)
        number, mark, _ = reader.footnote_marks[fid]
        return number, mark

    reader.mark_for = mark_for  # type: ignore[attr-defined]
    BodyWriter(builder, reader).container(body)

    missing = []
    for fid in order:
        number, _, label = reader.footnote_marks[fid]
        fn = notes.get(fid)
        if fn is None:
            missing.append(fid)
            continue
        builder.add_footnote(number, _footnote_text(reader, fn, label), label=label)
    if missing:
        builder.warnings.append(f"footnote references without a footnote: ids {missing}")
    builder.metadata.update(_metadata(doc))
    return builder.build()
