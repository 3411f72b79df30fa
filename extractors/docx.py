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
- automatic numbering (w:numPr) is rendered from numbering.xml ("1.", "a)", "II.", "-");
- endnotes are kept like footnotes, numbered after them.
Headers and footers (word/header*.xml, footer*.xml) are never read into the body.
Pages: Word records where its last layout started each page (w:lastRenderedPageBreak);
when present, blocks and footnotes get those page numbers, otherwise pages are unknown.

Layout tables: Vietnamese official documents place the header (issuing body | national
motto, "Số: …" | "place, ngày …") and the signature block ("Nơi nhận" | signer) in small
borderless tables. Read row by row those would interleave the two columns, so a small
table (≤ 4 rows, ≤ 3 columns) that is borderless or carries the motto, "Nơi nhận:" or a
signing authority ("KT. CHỦ TỊCH") is written column by column
(left column top to bottom, then the right one), each paragraph its own block, like a
reader (and our PDF extractor) sees it. It is still listed among the document's tables,
with its rows, and a span covering its paragraphs (each cell's paragraphs are contiguous
there, so every cell text is found inside the span).
"""
from __future__ import annotations

import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from pipeline.text import encodings
from pipeline.text.builder import DocumentBuilder, to_superscript
from schemas.records import ExtractedDocument, ExtractionError, Table

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
M_NS = "http://schemas.openxmlformats.org/officeDocument/2006/math"
RT_FOOTNOTES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
RT_NUMBERING = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering"
RT_STYLES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
RT_ENDNOTES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/endnotes"
RT_SETTINGS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings"


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
    r"|[IVXLCDM]+\.|\d{1,2}(?:\.\d{1,2})*\.|\d{1,2}(?:\.\d{1,2})+|[a-zđ]\)|\(\d+\))(?=\s)"
)
LIST_MARK = re.compile(r"^(?:[-–—•+*·]\s|[a-zđ]\)\s|\(\d+\)\s|\d+\)\s)")
SENTENCE_END = re.compile(r"[.:;!?…]\s*$")
# Text that only the header or signature grid carries (national motto, recipients, the
# signing authority "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH").
LAYOUT_CUES = re.compile(
    r"CỘNG\s+HÒA\s+XÃ\s+HỘI|Độc\s+lập\s*[-–]\s*Tự\s+do|Nơi\s+nhận\s*:|"
    r"(?<!\w)(?:TM|KT|TL|TUQ|Q)\.\s*[A-ZĐÂĂÊÔƠƯ]{2,}",
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
    restart: int | None = None  # w:lvlRestart: restart only after this (1-based) level
    legal: bool = False  # w:isLgl: show every level of the label in decimal
    legacy: tuple | None = None  # (encoding, caps) when the label's font is a legacy one

    @classmethod
    def read(cls, lvl) -> "_Level":
        v = wval(lvl.find(w("lvlRestart")))
        legacy = encodings.font_encoding(run_font(lvl.find(w("rPr"))))
        return cls(start=int(wval(lvl.find(w("start"))) or 1),
                   fmt=wval(lvl.find(w("numFmt"))) or "decimal",
                   text=wval(lvl.find(w("lvlText"))) or "",
                   restart=int(v) if v and v.isdigit() else None,
                   legal=_is_on(lvl.find(w("isLgl"))),
                   legacy=(legacy.encoding, legacy.caps) if legacy else None)


@dataclass
class Numbering:
    """Automatic list numbering (word/numbering.xml). As in Word, lists (w:num) built on
    the same abstract definition share one counter; a w:startOverride restarts it where
    its list is first used."""

    abstract_of: dict[str, str] = field(default_factory=dict)  # numId -> abstractNumId
    levels: dict[str, dict[int, _Level]] = field(default_factory=dict)  # numId -> ilvl -> level
    overrides: dict[str, dict[int, int]] = field(default_factory=dict)  # numId -> ilvl -> start
    counters: dict[str, dict[int, int]] = field(default_factory=dict)  # abstractNumId -> …
    used: set = field(default_factory=set)  # numIds already met

    @classmethod
    def parse(cls, root) -> "Numbering":
        num = cls()
        if root is None:
            return num
        abstract = {an.get(w("abstractNumId")): {int(lvl.get(w("ilvl"), "0")): _Level.read(lvl)
                                                 for lvl in an.findall(w("lvl"))}
                    for an in root.iter(w("abstractNum"))}
        for n in root.iter(w("num")):
            num_id, abstract_id = n.get(w("numId")), wval(n.find(w("abstractNumId")))
            levels = dict(abstract.get(abstract_id, {}))
            starts = {}
            for ov in n.findall(w("lvlOverride")):
                ilvl = int(ov.get(w("ilvl"), "0"))
                if (lvl := ov.find(w("lvl"))) is not None:
                    levels[ilvl] = _Level.read(lvl)
                    starts[ilvl] = levels[ilvl].start
                if (so := ov.find(w("startOverride"))) is not None:
                    starts[ilvl] = int(wval(so) or 1)
            num.abstract_of[num_id] = abstract_id
            num.levels[num_id] = levels
            num.overrides[num_id] = starts
        return num

    def label(self, num_id: str, ilvl: int) -> tuple[str, str | None]:
        """Advance the list's counter and return (label text, numFmt) for this item."""
        levels = self.levels.get(num_id)
        if not levels or num_id == "0":
            return "", None
        lvl = levels.get(ilvl) or _Level()
        counters = self.counters.setdefault(self.abstract_of[num_id], {})
        if num_id not in self.used:  # a restarted list: its overrides take effect here
            self.used.add(num_id)
            for i in self.overrides.get(num_id, {}):
                counters.pop(i, None)

        def start(i):
            return self.overrides.get(num_id, {}).get(i, (levels.get(i) or _Level()).start)

        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else start(ilvl)
        for deeper in [k for k in counters if k > ilvl]:
            d = levels.get(deeper)
            if d is None or d.restart is None or d.restart > ilvl:
                del counters[deeper]
        if lvl.fmt == "bullet":
            mark = lvl.text.strip()
            return ("-" if mark in ("-", "–", "—") else "+" if mark == "+" else "•"), "bullet"

        def repl(m):
            i = int(m.group(1)) - 1
            fmt = "decimal" if lvl.legal else (levels.get(i) or _Level()).fmt
            return format_number(counters.get(i, start(i)), fmt)

        label = re.sub(r"%(\d)", repl, lvl.text)
        if lvl.legacy and encodings.is_bytes(label):  # "§iÒu %1." in .VnTime: "Điều 1."
            label = encodings.decode(label, *lvl.legacy)
        return label, lvl.fmt


# -- styles ----------------------------------------------------------------------------

def run_font(rpr) -> str | None:
    """The font named by a w:rPr's w:rFonts for Latin text above ASCII (w:hAnsi, where
    8-bit fonts put their Vietnamese letters), else for ASCII (w:ascii). A theme font
    (w:hAnsiTheme …) wins over a name, as in Word: "theme:minorHAnsi"."""
    fonts = rpr.find(w("rFonts")) if rpr is not None else None
    if fonts is None:
        return None
    theme = wval(fonts, "hAnsiTheme") or wval(fonts, "asciiTheme")
    return f"theme:{theme}" if theme else (wval(fonts, "hAnsi") or wval(fonts, "ascii"))


@dataclass
class Styles:
    names: dict[str, str] = field(default_factory=dict)  # styleId -> name
    based_on: dict[str, str] = field(default_factory=dict)
    ppr: dict[str, object] = field(default_factory=dict)  # styleId -> w:pPr
    bold: dict[str, bool] = field(default_factory=dict)
    fonts: dict[str, str] = field(default_factory=dict)  # styleId -> font of its w:rFonts
    default_font: str | None = None  # w:docDefaults
    default_paragraph: str | None = None  # the style of a paragraph without w:pStyle

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
            if (font := run_font(rpr)) is not None:
                st.fonts[sid] = font
            if s.get(w("type")) == "paragraph" and s.get(w("default")) in ("1", "true", "on"):
                st.default_paragraph = sid
        defaults = root.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}")
        st.default_font = run_font(defaults)
        return st

    def font(self, sid: str | None) -> str | None:
        """The font a style gives its text (through w:basedOn), else None."""
        for s in self.chain(sid):
            if s in self.fonts:
                return self.fonts[s]
        return None

    def paragraph_font(self, sid: str | None) -> str | None:
        """A paragraph's font: its style's (or the default paragraph style's), else the
        document defaults'."""
        return self.font(sid or self.default_paragraph) or self.default_font

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


# -- footnote numbering ----------------------------------------------------------------

@dataclass
class Mark:
    number: int
    text: str  # what the body shows: "¹²" or the custom mark
    label: str | None  # custom mark that is not a number ("*")
    custom: str | None = None  # the custom mark as typed (w:customMarkFollows)


def _displayed(el) -> bool:
    """False for content Word does not display: deleted text, the VML fallback of a
    drawing (its mc:Choice is read instead)."""
    for anc in el.iterancestors():
        if anc.tag in (w("del"), w("moveFrom"), f"{{{MC_NS}}}Fallback"):
            return False
    return True


def _custom_mark(ref) -> str:
    """The text that follows a w:footnoteReference with w:customMarkFollows."""
    run = ref.getparent()
    texts = [t.text or "" for t in ref.itersiblings(w("t"))]
    if not any(texts) and run is not None:
        nxt = run.getnext()
        texts = [t.text or "" for t in nxt.iter(w("t"))] if nxt is not None else []
    return "".join(texts).strip()


@dataclass
class NoteFormat:
    """w:footnotePr from settings.xml / the body's sectPr."""

    start: int = 1
    fmt: str = "decimal"
    restart: str = "continuous"  # continuous | eachSect | eachPage

    @classmethod
    def read(cls, *props) -> "NoteFormat":
        nf = cls()
        for pr in props:
            if pr is None:
                continue
            if (v := wval(pr.find(w("numStart")))) and v.isdigit():
                nf.start = int(v)
            nf.fmt = wval(pr.find(w("numFmt"))) or nf.fmt
            nf.restart = wval(pr.find(w("numRestart"))) or nf.restart
        return nf


def number_notes(body, fmt: NoteFormat) -> dict[tuple[str, str], Mark]:
    """(kind, id) -> mark, for footnotes ("f") in document order as Word numbers them
    (numStart, numFmt, restart per section/page), then endnotes ("e") numbered on after
    the footnotes with superscript digits (Word's default i, ii … would glue letters to
    the word before). A custom mark takes no number; it gets its position instead."""
    marks: dict[tuple[str, str], Mark] = {}
    auto = fmt.start - 1
    endnotes = []
    for el in body.iter(w("footnoteReference"), w("endnoteReference"), w("sectPr"),
                        w("lastRenderedPageBreak")):
        if el.tag == w("sectPr") or el.tag == w("lastRenderedPageBreak"):
            kind = "eachSect" if el.tag == w("sectPr") else "eachPage"
            if fmt.restart == kind:
                auto = fmt.start - 1
            continue
        key = ("f" if el.tag == w("footnoteReference") else "e", el.get(w("id")))
        if key in marks or not _displayed(el):
            continue
        if key[0] == "e":
            endnotes.append(key)
            marks[key] = Mark(0, "", None)  # numbered below
        elif el.get(w("customMarkFollows")) in ("1", "true", "on"):
            mark = _custom_mark(el)
            if mark.isascii() and mark.isdigit():  # a typed number: keep it a marker
                marks[key] = Mark(int(mark), to_superscript(mark), None, custom=mark)
            else:
                marks[key] = Mark(len(marks) + 1, mark, mark or "*", custom=mark or "*")
        else:
            auto += 1
            shown = format_number(auto, fmt.fmt)
            if shown.isdigit():
                marks[key] = Mark(auto, to_superscript(shown), None)
            else:
                marks[key] = Mark(auto, shown, shown)
    last = max((m.number for m in marks.values()), default=0)
    for k, key in enumerate(endnotes, start=last + 1):
        marks[key] = Mark(k, to_superscript(k), None)
    return marks


# -- inline text -----------------------------------------------------------------------

@dataclass
class Inline:
    """Text of one paragraph (or footnote) as displayed, with positions in it."""

    parts: list[str] = field(default_factory=list)
    length: int = 0
    refs: list[tuple[tuple, int, int]] = field(default_factory=list)  # note key, start, end
    breaks: list[int] = field(default_factory=list)  # where a rendered page starts
    boxes: list = field(default_factory=list)  # text boxes (w:txbxContent) anchored here
    chars: int = 0  # visible characters …
    bold_chars: int = 0  # … of which bold
    pending_custom: tuple | None = None  # note whose custom mark is the next text
    # Text of runs in a legacy font (TCVN3, VNI …) not yet converted: kept until the next
    # other piece, since a VNI letter (base + diacritic byte) may straddle two runs.
    legacy_key: tuple | None = None  # (encoding, caps)
    legacy_parts: list = field(default_factory=list)  # (text, bold)

    def add(self, s: str, bold: bool = False) -> None:
        self.flush()
        self._add(s, bold)

    def add_legacy(self, s: str, key: tuple, bold: bool = False) -> None:
        if self.pending_custom is not None:
            self.add(encodings.decode(s, *key), bold)
            return
        if self.legacy_parts and key != self.legacy_key:
            self.flush()
        self.legacy_key = key
        self.legacy_parts.append((s, bold))

    def flush(self) -> None:
        """Convert the pending legacy-font text and append it."""
        if not self.legacy_parts:
            return
        raw = "".join(t for t, _ in self.legacy_parts)
        bold = 2 * sum(len(t) for t, b in self.legacy_parts if b) >= len(raw)
        self.legacy_parts = []
        self._add(encodings.decode(raw, *self.legacy_key), bold)

    def _add(self, s: str, bold: bool = False) -> None:
        if not s:
            return
        if self.pending_custom is not None and s.strip():
            if s.strip().isascii() and s.strip().isdigit():  # typed number as the mark
                s = to_superscript(s.strip())
            self.refs.append((self.pending_custom, self.length, self.length + len(s)))
            self.pending_custom = None
        self.parts.append(s)
        self.length += len(s)
        visible = len(s) - s.count(" ") - s.count("\n") - s.count("\t")
        self.chars += visible
        if bold:
            self.bold_chars += visible

    @property
    def text(self) -> str:
        self.flush()
        return "".join(self.parts)


class Reader:
    """Turns runs into displayed text: tracked changes accepted, fields shown by their
    result (w:instrText is never read), hidden text dropped, tabs as spaces."""

    def __init__(self, styles: Styles, numbering: Numbering, marks: dict[tuple, Mark]):
        self.styles = styles
        self.numbering = numbering
        self.marks = marks
        self.conversions = encodings.Conversions()  # runs converted from legacy fonts
        # The legacy encoding the document uses (from its font names, or its text): runs
        # whose font says nothing are converted from it when their words read better.
        self.legacy: str | None = None
        self.legacy_whole = False  # found by statistics on the whole text, not font names

    def inline(self, el, out: Inline, in_footnote: bool = False, bold: bool = False,
               font: str | None = None) -> Inline:
        """`font`: the paragraph's font, inherited by runs that name none themselves."""
        if el.tag == w("p") and font is None:
            ppr = el.find(w("pPr"))
            font = self.styles.paragraph_font(wval(ppr.find(w("pStyle"))) if ppr is not None
                                              else None)
        for child in el:
            if not isinstance(child.tag, str):
                continue  # comments, processing instructions
            q = etree.QName(child.tag)
            if q.namespace == MC_NS:
                if (node := _alternate(child)) is not None:
                    self.inline(node, out, in_footnote, bold, font)
            elif q.namespace == M_NS:  # Office math: keep its text
                out.add("".join(t.text or "" for t in child.iter(f"{{{M_NS}}}t")))
            elif q.namespace != W_NS:  # drawings, VML: only their text boxes matter
                out.boxes.extend(child.iter(w("txbxContent")))
            elif q.localname == "r":
                self.run(child, out, in_footnote, bold, font)
            elif q.localname in ("ins", "moveTo", "hyperlink", "smartTag", "customXml",
                                 "fldSimple", "bdo", "dir", "sdtContent"):
                self.inline(child, out, in_footnote, bold, font)
            elif q.localname == "sdt" and (content := child.find(w("sdtContent"))) is not None:
                self.inline(content, out, in_footnote, bold, font)
            # w:del, w:moveFrom, w:pPr, bookmarks, comment ranges: nothing displayed
        return out

    def run(self, r, out: Inline, in_footnote: bool, bold: bool, font: str | None = None) -> None:
        rpr = r.find(w("rPr"))
        sup = False
        # The run's font: its own w:rFonts, its character style's, else the paragraph's.
        own = run_font(rpr)
        if own is None and rpr is not None:
            own = self.styles.font(wval(rpr.find(w("rStyle"))))
        legacy = encodings.font_encoding(own or font)
        if rpr is not None:
            if _is_on(rpr.find(w("vanish"))) or _is_on(rpr.find(w("webHidden"))):
                return
            # superscript digits stay superscript (km², a typed marker), not "km2"
            sup = wval(rpr.find(w("vertAlign"))) == "superscript"
            if (b := rpr.find(w("b"))) is not None:
                bold = _is_on(b)
            elif self.styles.is_bold(wval(rpr.find(w("rStyle")))):
                bold = True
        for child in r:
            if not isinstance(child.tag, str):
                continue
            q = etree.QName(child.tag)
            local = q.localname
            if q.namespace != W_NS:
                if (node := _alternate(child)) is not None:
                    out.boxes.extend(node.iter(w("txbxContent")))
            elif local == "t":
                text = child.text or ""
                if legacy is not None and text and encodings.is_bytes(text):
                    # A run in a legacy font (TCVN3 .VnTime, VNI-Times …): its characters
                    # are the font's bytes. A run that holds real Unicode letters is left.
                    key = (legacy.encoding, legacy.caps)
                    if not text.isascii() or (legacy.caps and any(c.islower() for c in text)):
                        self.conversions.add(legacy.encoding)
                    if sup:
                        out.add(_superscript(encodings.decode(text, *key)), bold)
                    else:
                        out.add_legacy(text, key, bold)
                    continue
                if legacy is None and self.legacy and \
                        encodings.reads_as(text, self.legacy, self.legacy_whole):
                    self.conversions.add(self.legacy)
                    out.add_legacy(text, (self.legacy, False), bold)
                    continue
                if any("\uf020" <= c <= "\uf0ff" for c in text):  # symbol font in w:t
                    fonts = rpr.find(w("rFonts")) if rpr is not None else None
                    font = wval(fonts, "ascii") or wval(fonts, "hAnsi") or "Symbol"
                    text = "".join(_symbol(font, f"{ord(c):X}") if "\uf020" <= c <= "\uf0ff"
                                   else c for c in text)
                out.add(_superscript(text) if sup and out.pending_custom is None else text,
                        bold)
            elif local == "softHyphen" and legacy is not None:
                out.add_legacy("\u00ad", (legacy.encoding, legacy.caps), bold)  # TCVN3 ư
            elif local in ("tab", "ptab"):
                out.add("\t")  # a space once normalized; kept to find tab-set columns
            elif local in ("br", "cr"):
                out.add("\n")
            elif local == "noBreakHyphen":
                out.add("-", bold)
            elif local == "sym":
                out.add(_symbol(child.get(w("font")), child.get(w("char"))), bold)
            elif local == "lastRenderedPageBreak":
                out.flush()
                out.breaks.append(out.length)
            elif local in ("footnoteReference", "endnoteReference") and not in_footnote:
                key = (local[0], child.get(w("id")))
                mark = self.marks.get(key)
                if mark is None:
                    continue
                if mark.custom:  # the mark is the text that follows
                    out.pending_custom = key
                else:
                    out.flush()
                    start = out.length
                    out.add(mark.text)
                    out.refs.append((key, start, out.length))
            elif local in ("drawing", "pict", "object"):
                out.boxes.extend(child.iter(w("txbxContent")))


# w:sym characters of the symbol fonts (code points F020-F0FF) that documents use for
# comparisons, arrows and check marks; other symbol-font glyphs are dropped.
_SYMBOL_FONTS = {
    "symbol": {0xB3: "≥", 0xA3: "≤", 0xB9: "≠", 0xBB: "≈", 0xAE: "→", 0xAC: "←",
               0xDE: "⇒", 0xB4: "×", 0xB8: "÷", 0xB1: "±", 0xB0: "°", 0xB7: "•",
               0xA5: "∞", 0x2D: "-", 0x2B: "+", 0x3D: "=", 0x3C: "<", 0x3E: ">", 0x25: "%"},
    "wingdings": {0xFC: "✓", 0xFB: "✗", 0xFE: "☑", 0xA8: "☐", 0x6F: "☐", 0xA7: "▪",
                  0x6C: "●", 0x6E: "■", 0x71: "❑", 0x76: "❖", 0xD8: "➢", 0xE0: "→",
                  0xE8: "➔", 0xF0: "⇨"},
}


def _symbol(font: str | None, char: str | None) -> str:
    try:
        code = int(char or "", 16)
    except ValueError:
        return ""
    if code < 0xF000:  # a real Unicode character
        return chr(code) if code > 0x20 and chr(code).isprintable() else ""
    table = _SYMBOL_FONTS.get((font or "").lower().split()[0] if font else "", {})
    return table.get(code - 0xF000, "")


_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _superscript(text: str) -> str:
    return text.translate(_SUP)


def _alternate(el):
    """mc:AlternateContent: the first mc:Choice (what Word shows), else the fallback."""
    if etree.QName(el.tag).localname != "AlternateContent":
        return None
    choice = el.find(f"{{{MC_NS}}}Choice")
    return choice if choice is not None else el.find(f"{{{MC_NS}}}Fallback")


@dataclass
class Para:
    kind: str
    text: str
    refs: list[tuple[tuple, int, int]]  # note key, start, end in text
    breaks: list[int]  # rendered page starts in text
    style: str | None
    level: int | None
    boxes: list


def _soft_breaks(text: str) -> str:
    """A manual line break ends a line of a title/address block or precedes a list
    item: keep it as a newline; inside running text it is only layout: a space.
    (Same-length replacement: offsets in the text stay valid.)"""
    def repl(m):
        before, after = text[:m.start()].rstrip(), text[m.end():].lstrip()
        if not before or not after:
            return " "
        letters = [c for c in before.rsplit("\n", 1)[-1] if c.isalpha()]
        upper_line = bool(letters) and all(c.isupper() for c in letters)
        if SENTENCE_END.search(before) or LIST_MARK.match(after) or \
                HEADING_NUMBER.match(after) or upper_line:
            return "\n"
        return " "
    return re.sub(r"\n", repl, text)


class BodyWriter:
    """Walks the body in reading order and feeds the builder."""

    def __init__(self, builder: DocumentBuilder, reader: Reader, paged: bool):
        self.b = builder
        self.r = reader
        self.in_layout = False  # inside a header/signature layout table
        self.cell_boxes: list = []  # text boxes anchored in the cells of the table being read
        self.page = 1 if paged else None  # from Word's last rendering (lastRenderedPageBreak)
        self.footnote_pages: dict[tuple, int | None] = {}

    # paragraphs ----------------------------------------------------------------------
    def paragraph(self, p) -> Para:
        ppr = p.find(w("pPr"))
        sid = wval(ppr.find(w("pStyle"))) if ppr is not None else None
        style = self.r.styles.names.get(sid, sid) if sid else None
        out = self.r.inline(p, Inline(), bold=self.r.styles.is_bold(sid))
        text, refs, breaks = out.text, out.refs, out.breaks
        if not self.in_layout:  # layout cells split their lines into blocks instead
            text = _soft_breaks(text)

        label, fmt = "", None
        num_id, ilvl = self.numbering_of(ppr, sid)
        if num_id and num_id != "0":  # numId 0: numbering switched off for this paragraph
            label, fmt = self.r.numbering.label(num_id, ilvl)
        if label:  # automatic numbering: the label as Word renders it
            shift = len(label) + 1
            text = label + " " + text
            refs = [(f, a + shift, b + shift) for f, a, b in refs]
            breaks = [i + shift for i in breaks]

        level = heading_level(style)
        outline = ppr.find(w("outlineLvl")) if ppr is not None else None
        if outline is None:
            outline = self.r.styles.find_ppr(sid, "outlineLvl")
        if level is None and (wval(outline) or "9").isdigit() and int(wval(outline) or 9) < 9:
            level = int(wval(outline)) + 1
        stripped = text.strip()
        bold = out.chars > 0 and out.bold_chars >= 0.9 * out.chars
        if (style or "").lower().startswith("toc "):  # table of contents entries
            kind = "list_item"
        elif level is not None or is_title_style(style):
            kind = "heading"
        elif label:  # a Word list, unless the item reads like a heading
            short = len(stripped) <= 200 and not stripped.endswith((".", ";", ",", ":"))
            kind = "heading" if bold and short and fmt != "bullet" else "list_item"
        elif looks_like_heading(stripped, bold, self.in_layout):
            kind = "heading"
        elif LIST_MARK.match(stripped):
            kind = "list_item"
        else:
            kind = "paragraph"
        return Para(kind, text, refs, breaks, style, level, out.boxes)

    def numbering_of(self, ppr, sid) -> tuple[str | None, int]:
        """(numId, ilvl) from the paragraph's w:numPr, each falling back to its style's
        (a heading style linked to a multilevel list carries both)."""
        own = ppr.find(w("numPr")) if ppr is not None else None
        styled = self.r.styles.find_ppr(sid, "numPr")
        num_id = ilvl = None
        for num_pr in (own, styled):
            if num_pr is not None:
                num_id = num_id or wval(num_pr.find(w("numId")))
                ilvl = ilvl or wval(num_pr.find(w("ilvl")))
        return num_id, int(ilvl) if ilvl and ilvl.isdigit() else 0

    def emit_paragraph(self, p) -> list:
        return self.emit_para(self.paragraph(p))

    def emit_para(self, para: Para) -> list:
        spans = [(0, len(para.text))]
        if self.in_layout:  # each line of a header/signature cell is its own block
            spans, pos = [], 0
            for line in para.text.split("\n"):
                spans.append((pos, pos + len(line)))
                pos += len(line) + 1
        blocks = self.emit_pieces(para, spans)
        for box in para.boxes:  # text boxes after the paragraph that anchors them
            blocks.extend(self.container(box))
        return blocks

    def emit_pieces(self, para: Para, spans) -> list:
        """Blocks for parts [s, e) of a paragraph (the whole, or its lines/columns)."""
        blocks = []
        for s, e in spans:
            text = para.text[s:e]
            refs = [(f, a - s, b - s) for f, a, b in para.refs if s <= a and b <= e]
            breaks = [i - s for i in para.breaks if s <= i <= e]
            if self.page is not None:  # a page that starts with this block: its page
                self.page += sum(1 for i in breaks if not text[:i].strip())
                breaks = [i for i in breaks if text[:i].strip()]
            kind = para.kind
            if (s, e) != (0, len(para.text)):
                kind = "heading" if para.level is not None or looks_like_heading(
                    text.strip(), False, True) else "paragraph"
            block = self.b.add_block(
                kind, text, self.page, footnote_refs=self.link(refs, breaks),
                page_breaks=self.advance(breaks), style=para.style, level=para.level)
            if block is not None:
                blocks.append(block)
        return blocks

    def emit_run_of_paragraphs(self, paras: list[Para]) -> list:
        """Consecutive body paragraphs: a header or signature block laid out with tabs
        ("ỦY BAN NHÂN DÂN<tab><tab>CỘNG HÒA XÃ HỘI …") is read column by column. Such a
        block is a run of short tab-set lines starting at one with the motto, "Nơi
        nhận:" or a signing authority."""
        blocks, i = [], 0
        while i < len(paras):
            cols = _tab_columns(paras[i].text)
            if cols is None or not LAYOUT_CUES.search(paras[i].text):
                blocks.extend(self.emit_para(paras[i]))
                i += 1
                continue
            j = i
            while j < len(paras) and (c := _tab_columns(paras[j].text)) is not None and \
                    all(side is None or side[1] - side[0] <= 100 for side in c):
                j += 1
            group = [(p, _tab_columns(p.text)) for p in paras[i:j]]
            if len(group) < 2 or not any(c[0] and c[1] for _, c in group):
                blocks.extend(self.emit_para(paras[i]))
                i += 1
                continue
            for side in (0, 1):
                for para, cols in group:
                    if cols[side]:
                        blocks.extend(self.emit_pieces(para, [cols[side]]))
            for para, _ in group:
                for box in para.boxes:
                    blocks.extend(self.container(box))
            i = j
        return blocks

    def link(self, refs, breaks) -> list[tuple[int, int, int]]:
        """Footnote refs for the builder (number, start, end); remember their pages."""
        out = []
        for fid, a, b in refs:
            if self.page is not None:
                self.footnote_pages[fid] = self.page + sum(1 for i in breaks if i <= a)
            out.append((self.r.marks[fid].number, a, b))
        return out

    def advance(self, breaks) -> list[tuple[int, int]] | None:
        """Page breaks for the builder (raw index, new page); moves the page counter."""
        if self.page is None or not breaks:
            return None
        result = [(i, self.page + k + 1) for k, i in enumerate(sorted(breaks))]
        self.page += len(breaks)
        return result

    def container(self, el) -> list:
        """Paragraphs and tables of the body, a text box, a content control, a cell."""
        blocks, paras = [], []
        for child in el:
            if not isinstance(child.tag, str):
                continue
            q = etree.QName(child.tag)
            if q.namespace == W_NS and q.localname == "p" and not self.in_layout:
                paras.append(self.paragraph(child))  # emitted with its neighbours
                continue
            if paras:
                blocks.extend(self.emit_run_of_paragraphs(paras))
                paras = []
            if q.namespace == MC_NS:
                if (node := _alternate(child)) is not None:
                    blocks.extend(self.container(node))
            elif q.namespace != W_NS:
                continue
            elif q.localname == "p":
                blocks.extend(self.emit_paragraph(child))
            elif q.localname == "tbl":
                blocks.extend(self.table(child))
            elif q.localname == "sdt" and (content := child.find(w("sdtContent"))) is not None:
                blocks.extend(self.container(content))
            elif q.localname in ("customXml", "ins", "moveTo", "sdtContent"):
                blocks.extend(self.container(child))
        if paras:
            blocks.extend(self.emit_run_of_paragraphs(paras))
        return blocks

    # tables --------------------------------------------------------------------------
    def grid(self, tbl) -> list[list]:
        """Rows of cells (w:tc) aligned on the table grid: a cell spanning n grid columns
        is followed by n-1 None, a vertically merged continuation is None (merged text
        is not repeated), skipped grid columns (w:gridBefore) are None."""
        rows = []
        for tr in _children(tbl, "tr"):
            trpr = tr.find(w("trPr"))
            if trpr is not None and trpr.find(w("del")) is not None:
                continue  # a row deleted in tracked changes
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
        if is_layout_table(tbl, grid):
            return self.layout_table(grid)
        page = self.page
        rows, cell_refs = [], []
        outer, self.cell_boxes = self.cell_boxes, []
        for cells in grid:
            row, refs_row = [], []
            for tc in cells:
                text, refs = self.cell_text(tc) if tc is not None else ("", [])
                row.append(text)
                refs_row.append(refs)
            rows.append(row)
            cell_refs.append(refs_row)
        boxes, self.cell_boxes = self.cell_boxes, outer
        refs = [(n, r, c, a, b) for r, refs_row in enumerate(cell_refs)
                for c, cell in enumerate(refs_row) for n, a, b in cell]
        block = self.b.add_table(rows, page, footnote_refs=refs)
        blocks = [block] if block is not None else []
        for box in boxes:  # text boxes anchored in cells (a framed cover page): after the
            blocks.extend(self.container(box))  # table, as after a paragraph
        return blocks

    def cell_text(self, tc) -> tuple[str, list[tuple[int, int, int]]]:
        """A cell as one line: its paragraphs (and nested tables, row by row) joined by
        spaces; footnote refs as (number, start, end) in that line."""
        return _join_with_refs(self._cell_pieces(tc))

    def _cell_pieces(self, tc):
        for node in _cell_items(tc):
            if node.tag == w("p"):
                para = self.paragraph(node)
                yield para.text, self.link(para.refs, para.breaks)
                self.advance(para.breaks)
                self.cell_boxes.extend(para.boxes)
            else:
                yield self.nested_table_text(node)

    def nested_table_text(self, tbl) -> tuple[str, list[tuple[int, int, int]]]:
        return _join_with_refs(self.cell_text(tc) for row in self.grid(tbl) for tc in row
                               if tc is not None)

    def layout_table(self, grid) -> list:
        """Header/signature grid: column by column, each paragraph line its own block."""
        n_cols = max(len(r) for r in grid)
        blocks, cell_blocks = [], [[[] for _ in range(n_cols)] for _ in grid]
        self.in_layout = True
        try:
            for col in range(n_cols):
                for i, cells in enumerate(grid):
                    if col < len(cells) and cells[col] is not None:
                        cell_blocks[i][col] = self.container(cells[col])
                        blocks.extend(cell_blocks[i][col])
        finally:
            self.in_layout = False
        if not blocks:
            return []
        text = "".join(self.b.parts)
        rows = [["\n\n".join(text[b.start:b.end] for b in cell) for cell in row]
                for row in cell_blocks]
        self.b.tables.append(Table(blocks[0].start, blocks[-1].end, rows, blocks[0].page))
        return blocks


_TAB_GAP = re.compile(r"(?<=\S)[ ]*\t[\t ]*(?=\S)")


def _tab_columns(text: str):
    """For a line laid out in two columns with tabs: ((left span), (right span)), a side
    None when empty ("<tab><tab>Độc lập - Tự do - Hạnh phúc" has only a right side);
    None for a line that is not tab-set, or is several lines."""
    if "\t" not in text or "\n" in text.strip():
        return None
    end = len(text.rstrip())
    start = len(text) - len(text.lstrip())
    gap = _TAB_GAP.search(text, start, end)
    if gap is not None:
        if _TAB_GAP.search(text, gap.end(), end):
            return None  # three or more columns: not a two-column block
        return (start, gap.start()), (gap.end(), end)
    if "\t" in text[:start] and start < end:
        return None, (start, end)
    return None


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


def heading_level(style: str | None) -> int | None:
    """Level of a heading style ("Heading 2", "heading 2", "Tiêu đề 2"), else None."""
    m = re.match(r"^(?:heading|tiêu đề|đầu đề|đề mục)\s*(\d)$", (style or "").strip(), re.I)
    return int(m.group(1)) if m else None


def is_title_style(style: str | None) -> bool:
    """The document title style: a heading, but not a section (no level)."""
    return (style or "").strip().lower() in ("title", "subtitle", "tiêu đề", "tiêu đề phụ")


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


def is_layout_table(tbl, grid) -> bool:
    """A small grid used to place the header or signature block, not data."""
    n_rows = len(grid)
    n_cols = max((len(r) for r in grid), default=0)
    if n_rows > 4 or n_cols > 3 or n_cols < 1:
        return False
    text = "\n".join("".join(t.text or "" for t in tc.iter(w("t")))
                     for row in grid for tc in row if tc is not None)
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

def _note_bodies(root, kind: str) -> dict[tuple[str, str], object]:
    """(kind, id) -> w:footnote / w:endnote, without the separator pseudo-notes."""
    if root is None:
        return {}
    tag = w("footnote" if kind == "f" else "endnote")
    return {(kind, fn.get(w("id"))): fn for fn in root.iter(tag)
            if fn.get(w("type")) not in ("separator", "continuationSeparator",
                                         "continuationNotice")}


def _footnote_text(reader: Reader, note, mark: Mark) -> str:
    texts = [reader.inline(p, Inline(), in_footnote=True).text for p in note.iter(w("p"))]
    text = " ".join(t.strip() for t in texts if t.strip())
    if mark.custom:  # Word shows no number in the note: the mark is typed there again
        for typed in (mark.custom, _superscript(mark.custom)):
            if text.startswith(typed):
                return text[len(typed):].lstrip()
    return text


# -- package ---------------------------------------------------------------------------

@dataclass
class Package:
    """The parts we read: the main document's root, a way to get a related part's root
    by relationship type, the core properties (or None)."""

    root: object
    related: object  # Callable[[str], element | None]
    core: object = None


def _open(path: Path, warnings: list[str]) -> Package:
    """Through python-docx's Package rather than docx.Document(), so that macro-enabled
    files and templates (.docm, .dotx), which it refuses, are read too. When python-docx
    cannot load the package (a damaged image, a broken relationship) but the document
    XML itself is intact, read the parts straight from the zip and warn."""
    from docx.package import Package as DocxPackage

    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            rels = zf.read("_rels/.rels") if "_rels/.rels" in names else b""
    except Exception as exc:  # BadZipFile, zlib.error, NotImplementedError (zip version) …
        raise ExtractionError(f"corrupt DOCX: {_one_line(exc)}") from None
    if b"purl.oclc.org/ooxml" in rels:
        raise ExtractionError("Strict Open XML DOCX is not supported; save it as a standard .docx")
    if "word/document.xml" not in names:
        raise ExtractionError("corrupt DOCX: missing word/document.xml")
    try:
        package = DocxPackage.open(str(path))
        part = package.main_document_part
        root = getattr(part, "element", None)
        if root is None:  # a content type python-docx does not map (.docm): raw XML
            root = etree.fromstring(part.blob)
    except Exception as exc:  # python-docx raises anything (AttributeError, KeyError …)
        return _open_raw(path, f"{_one_line(exc)}", warnings)
    try:
        core = package.core_properties
    except Exception:  # a broken docProps/core.xml is not worth failing the document
        core = None
    return Package(root, lambda reltype: _part_xml(part, reltype, warnings), core)


_PART_NAMES = {RT_STYLES: "word/styles.xml", RT_NUMBERING: "word/numbering.xml",
               RT_FOOTNOTES: "word/footnotes.xml", RT_ENDNOTES: "word/endnotes.xml",
               RT_SETTINGS: "word/settings.xml"}


def _open_raw(path: Path, problem: str, warnings: list[str]) -> Package:
    """Fallback: word/document.xml and the other parts by their usual names."""
    try:
        with zipfile.ZipFile(path) as zf:
            root = etree.fromstring(zf.read("word/document.xml"))
    except Exception as exc:
        raise ExtractionError(f"corrupt DOCX: {_one_line(exc)}") from None
    warnings.append(f"damaged package read in part: {problem}")

    def related(reltype: str):
        try:
            with zipfile.ZipFile(path) as zf:
                return etree.fromstring(zf.read(_PART_NAMES[reltype]))
        except KeyError:
            return None  # no such part
        except Exception as exc:
            warnings.append(f"unreadable {_PART_NAMES[reltype]}: {_one_line(exc)}")
            return None

    return Package(root, related)


def _one_line(exc: Exception) -> str:
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if isinstance(exc, etree.XMLSyntaxError):
        msg = f"XML error: {msg}"
    elif not isinstance(exc, (zipfile.BadZipFile, ExtractionError)):
        msg = f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__
    if "no item named 'word/document.xml'" in msg:
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


def _metadata(core) -> dict:
    meta = {}
    for key in ("title", "author", "subject", "keywords", "last_modified_by", "category"):
        value = getattr(core, key, None)
        if value:
            meta[key] = value
    for key in ("created", "modified"):
        value = getattr(core, key, None)
        if value:
            meta[key] = value.isoformat()
    return meta


def extract_docx(path: Path) -> ExtractedDocument:
    path = Path(path)
    builder = DocumentBuilder(str(path), "docx")
    package = _open(path, builder.warnings)
    body = package.root.find(w("body"))
    if body is None:
        raise ExtractionError("corrupt DOCX: word/document.xml has no body")
    styles = Styles.parse(package.related(RT_STYLES))
    numbering = Numbering.parse(package.related(RT_NUMBERING))
    notes = _note_bodies(package.related(RT_FOOTNOTES), "f")
    notes.update(_note_bodies(package.related(RT_ENDNOTES), "e"))
    settings = package.related(RT_SETTINGS)
    sect = body.find(w("sectPr"))
    marks = number_notes(body, NoteFormat.read(
        settings.find(w("footnotePr")) if settings is not None else None,
        sect.find(w("footnotePr")) if sect is not None else None))
    reader = Reader(styles, numbering, marks)
    reader.legacy, reader.legacy_whole = _legacy_encoding(body, styles)
    # Pages only when Word recorded its layout; python-docx/LibreOffice files have none.
    paged = next(body.iter(w("lastRenderedPageBreak")), None) is not None
    writer = BodyWriter(builder, reader, paged)
    writer.container(body)
    deleted, deleted_chars = _tracked_deletions(body)
    if deleted:  # a draft whose revisions nobody accepted: say what the stored text leaves out
        builder.warnings.append(
            f"tracked changes not accepted in the file: {deleted} deleted passage(s) "
            f"({deleted_chars} characters) left out, as Word shows the text once they are accepted")
    chunks = sum(1 for _ in body.iter(w("altChunk")))
    if chunks:  # content imported from another file (HTML, RTF) that Word merges on open
        builder.warnings.append(f"{chunks} embedded document part(s) (w:altChunk) not read")
    if paged:
        builder.page_count = writer.page

    missing = []
    # footnotes first, then endnotes (their numbers follow the footnotes')
    for key, mark in sorted(marks.items(), key=lambda kv: kv[0][0] == "e"):
        if key not in notes:
            missing.append(key[1])
            continue
        builder.add_footnote(mark.number, _footnote_text(reader, notes[key], mark),
                             page=writer.footnote_pages.get(key), label=mark.label)
    if missing:
        builder.warnings.append(f"footnote references without a footnote: ids {missing}")
    builder.metadata.update(_metadata(package.core))
    builder.warnings.extend(reader.conversions.warnings())
    doc = builder.build()
    encodings.check_converted(doc)
    return doc



def _tracked_deletions(body) -> tuple[int, int]:
    """(passages, characters) deleted in tracked changes: inline w:del runs and deleted table
    rows (w:trPr/w:del). A deleted paragraph mark (w:rPr/w:del) holds no text; a move
    (w:moveFrom) is not a loss, its text is kept where w:moveTo puts it."""
    rows = [el.getparent().getparent() for el in body.iter(w("del"))
            if el.getparent().tag == w("trPr")]
    # lxml hands out the same proxy for a node while one is referenced: keep them in the set
    in_rows = {el for row in rows for el in row.iter(w("del"))}
    passages, chars = 0, 0
    for row in rows:
        passages += 1
        chars += sum(len(t.text or "") for t in row.iter(w("t"), w("delText")))
    for el in body.iter(w("del")):
        if el in in_rows or el.getparent().tag in (w("rPr"), w("trPr")):
            continue
        n = sum(len(t.text or "") for t in el.iter(w("delText"), w("t")))
        if n:
            passages, chars = passages + 1, chars + n
    return passages, chars

def _legacy_encoding(body, styles: Styles) -> tuple[str | None, bool]:
    """(encoding, whole): the pre-Unicode encoding of the document's legacy fonts (the
    most used one), or, when no font names one, the encoding its whole text is in by
    statistics (fonts lost in a conversion); None for a Unicode document."""
    found = Counter()
    names = [run_font(rpr) for rpr in body.iter(w("rPr"))] + list(styles.fonts.values())
    for name in names + [styles.default_font]:
        if (enc := encodings.font_encoding(name)) is not None:
            found[enc.encoding] += 1
    if found:
        return found.most_common(1)[0][0], False
    enc = encodings.detect("\n".join(t.text or "" for t in body.iter(w("t"))))
    return enc, enc is not None


def _join_with_refs(pieces) -> tuple[str, list[tuple[int, int, int]]]:
    """Join (text, refs) pieces with single spaces, skipping blank ones; each footnote
    ref (number, start, end) is shifted to its place in the joined text."""
    texts, refs, length = [], [], 0
    for text, piece_refs in pieces:
        if not text.strip():
            continue
        if texts:
            length += 1
        refs += [(n, a + length, b + length) for n, a, b in piece_refs]
        texts.append(text)
        length += len(text)
    return " ".join(texts), refs
