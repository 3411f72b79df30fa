"""Plain text (.txt, .md) reports.

Text exports of Word reports put each page's footnotes, as paragraphs starting with
superscript digits (¹ ² ³ …), between the body paragraphs where the page broke:

    body of page 1 … (last paragraph cut mid-sentence)
    ¹ footnote      ² footnote (may itself be cut)
    rest of the cut body paragraph (page 2) … body of page 2
    tail of footnote ² (it ran onto page 2's footnote area)
    ³ footnote      continuation paragraph of ³ ("Năm 2023: …")

We label every paragraph body / footnote start / footnote continuation with general
cues (body text carries footnote markers, footnote tails do not; a cut sentence resumes
with a lower-case word; nothing but footnotes lies between two footnote paragraphs; the
paragraphs of a multi-paragraph footnote start alike), then re-join the body paragraphs
that a page break cut in two and hand everything to the DocumentBuilder, which keeps
the offsets honest. Nothing is stripped from the text (Markdown `#`/`**` included).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.text import encodings
from pipeline.text.builder import DocumentBuilder, SUPERSCRIPT_DIGITS, from_superscript
from schemas.records import ExtractedDocument, ExtractionError

SUP = SUPERSCRIPT_DIGITS
_NUM = rf"(?:⁽[{SUP}]+⁾|[{SUP[1:]}][{SUP}]*)"  # ¹², or ⁽¹²⁾ (a custom mark "(12)")
FOOTNOTE_START = re.compile(rf"^({_NUM})\s*(\S.*)$", re.S)
# A marker is glued to the word before it, or (some exports) set off by one space.
MARKER = re.compile(rf"(?<=\S){_NUM}|(?<=\S ){_NUM}(?=[\s.,;:)]|$)")
_ANY_SUP = re.compile(f"[{SUP}⁽]")
# "m²", "km³" are units, not footnote markers.
_UNIT_BEFORE = re.compile(r"(?:^|[\d\s(])[kcdh]?m$")

_ROMAN = r"[IVXLC]+"
HEADING_START = re.compile(
    rf"^(?:#+\s|{_ROMAN}\.\s|\d{{1,2}}(?:\.\d{{1,2}})*\.\s|Điều\s+\d+[a-zđ]?\s*[.:]"
    rf"|(?:Chương|Phần|Mục)\s+(?:{_ROMAN}|\d+)\b)"
)
LIST_START = re.compile(r"^(?:[-–—•+]\s|\*\s|[a-zđ]\)\s|\(\d{1,2}\)\s|\d{1,2}\)\s|\([a-zđ]\)\s)")
_CLOSERS = ")]}”\"’'*_»"
_SENTENCE_END = ".!?…:"
_CLAUSE_BREAK = re.compile(r"\w[.;:] +\w")  # "… công chức; đã …", "… năm 2025. Tỉnh …"
_VIETNAMESE_ONLY = re.compile(r"[ăđơưĂĐƠƯ\u1ea0-\u1ef9]")  # letters outside Latin-1
# Latin-1 characters that Unicode Vietnamese never uses but TCVN3/VNI mojibake is full of.
_LEGACY_CHARS = re.compile(r"[\u00a7\u00a8\u00aa-\u00b9\u00bb-\u00bf\u00c4-\u00c8\u00cb\u00ce"
                           r"\u00cf\u00d1\u00d6-\u00d8\u00db\u00dc\u00de\u00df\u00e4-\u00e7"
                           r"\u00eb\u00ee\u00ef\u00f1\u00f6-\u00f8\u00fb\u00fc\u00fe\u00ff]")
# A page holds ~2500 characters of body; a paragraph that could be a whole page of body
# is not taken for a footnote's second paragraph on weak evidence.
MAX_FOOTNOTE_PARAGRAPH = 800
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


# ---- bytes → text ------------------------------------------------------------------

def decode(data: bytes, warnings: list[str] | None = None) -> str:
    """UTF-8 (BOM optional) or UTF-16 (LE/BE, BOM optional), else a pre-Unicode
    Vietnamese encoding (TCVN3, VNI, VISCII) recognised by character statistics and
    converted (with a warning); ExtractionError otherwise. A UTF-8 text with a handful
    of broken bytes is read with U+FFFD in their place and a warning appended to
    `warnings` (the document is then stored as 'partial')."""
    text = None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _try(data, "utf-16")
    else:
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        text = _try(data, "utf-8")
        if text is None and len(data) >= 4:
            # UTF-16 without BOM: the high byte of ASCII/space code units is NUL.
            even, odd = data[0::2], data[1::2]
            if odd.count(0) > 0.3 * len(odd) and even.count(0) < 0.05 * len(even):
                text = _try(data, "utf-16-le")
            elif even.count(0) > 0.3 * len(even) and odd.count(0) < 0.05 * len(odd):
                text = _try(data, "utf-16-be")
        if text is None:
            text = _mostly_utf8(data, warnings)
    if text is None:
        if len(_CONTROL.findall(data[:8192].decode("latin-1"))) > 0.01 * min(len(data), 8192):
            raise ExtractionError("binary data, not a text file")
        text = _from_legacy(encodings.bytes_to_text(data), warnings)
        if text is None:
            raise ExtractionError("text is not UTF-8 or UTF-16, nor recognisably TCVN3, VNI "
                                  "or VISCII (legacy encoding?)")
    if len(_CONTROL.findall(text)) > max(2, 0.001 * len(text)):
        raise ExtractionError("binary data, not a text file")
    return text


def _mostly_utf8(data: bytes, warnings: list[str] | None) -> str | None:
    """Vietnamese UTF-8 with a few corrupt bytes (a bad copy, a cut multi-byte char)."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    if bad > max(3, len(data) // 2000) or not _VIETNAMESE_ONLY.search(text):
        return None
    if warnings is not None:
        warnings.append(f"{bad} byte sequence(s) not valid UTF-8, replaced by U+FFFD")
    return text


def _try(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _from_legacy(text: str, warnings: list[str] | None) -> str | None:
    """`text` converted to Unicode when character statistics say it is in a legacy
    Vietnamese encoding (TCVN3, VNI, VISCII); None when they do not say so clearly."""
    enc = encodings.detect(text)
    if enc is None:
        return None
    if warnings is not None:
        warnings.append(f"converted {enc} → Unicode (whole text, by character statistics)")
    return encodings.decode(text, enc)


def _check_not_mojibake(text: str) -> None:
    """Legacy-font text re-saved as UTF-8 that statistics could not attribute to one
    encoding decodes fine but is unreadable: refuse it."""
    if _VIETNAMESE_ONLY.search(text):
        return
    if len(_LEGACY_CHARS.findall(text)) >= max(5, 0.01 * len(text)):
        raise ExtractionError("text looks like a legacy font encoding (TCVN3/VNI) saved as "
                              "Unicode: no Vietnamese Unicode letters")


# ---- text → paragraphs -------------------------------------------------------------

def _core(line: str) -> str:
    """The line without Markdown emphasis marks, for pattern tests only."""
    return line.strip().lstrip("*_").strip()


def is_caps(line: str) -> bool:
    if len(line) >= 160:  # first: most paragraphs are longer, and cheap to reject
        return False
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def is_heading(para: str) -> bool:
    core = _core(para)
    if para.lstrip().startswith("#"):
        return True
    if len(core) > 200:
        return False
    stripped = para.strip()
    if stripped.startswith("**") and stripped.rstrip(":.").endswith("**") and len(stripped) < 160:
        return True  # a whole-line bold Markdown heading
    if is_caps(core):
        return not core.rstrip(_CLOSERS).endswith((".", ";", ","))  # not "… UBND."
    if HEADING_START.match(core):
        # A numbered paragraph that runs on for sentences is a paragraph, not a heading.
        end = core.rstrip(_CLOSERS)
        return len(core) < 160 and not end.endswith((";", ",")) and \
            not (end.endswith(".") and len(core) > 100)
    return False


def is_list_item(para: str) -> bool:
    return bool(LIST_START.match(para.strip()))


def _starts_block(line: str) -> bool:
    core = _core(line)
    return bool(FOOTNOTE_START.match(line.strip()) or LIST_START.match(line.strip())
                or HEADING_START.match(core) or line.lstrip().startswith(("#", "**"))
                or is_caps(core))


def cut_kind(text: str) -> str:
    """'none' when `text` ends a sentence, 'soft' after ';', 'hard' otherwise (mid-sentence)."""
    tail = text.rstrip()
    while tail and (tail[-1] in _CLOSERS or tail[-1] in SUP or tail[-1].isspace()):
        tail = tail[:-1]
    if not tail or tail[-1] in _SENTENCE_END:
        return "none"
    return "soft" if tail[-1] == ";" else "hard"


def continues(para: str) -> bool:
    """Does `para` start like the rest of a sentence (lower-case word, number, comma …)?"""
    core = _core(para)
    if not core or is_list_item(para) or HEADING_START.match(core):
        return False
    first = core[0]
    return first.islower() or first.isdigit() or first in ",;.)]%"


FORM_FEED, PAGE_NUMBER_LINE = "\f", "\v"  # page-break sentinels among the paragraphs
_PAGE_NUMBER = re.compile(r"^(?:[-–—]\s*)?(\d{1,3})(?:\s*[-–—])?$|^Trang\s+(\d{1,3})(?:\s*/\s*\d{1,3})?$",
                          re.I)
_RULE_LINE = re.compile(r"^[-_=*~─━–—.·• ]{3,}$")
# Printed page numbers are at least this many characters of text apart.
MIN_PAGE_TEXT = 1000


def split_paragraphs(text: str) -> list[str]:
    """Blank lines separate paragraphs. Single line breaks are hard wraps (re-joined with
    a space) unless the next line starts a heading, list item or footnote, or the line
    ends a sentence and is clearly shorter than the wrap width. Form feeds come out as
    FORM_FEED items, printed page numbers ("- 3 -", "Trang 3") as PAGE_NUMBER_LINE."""
    # Word writes a manual line break as \v; Unicode has its own line/paragraph separators.
    text = re.sub(r"\r\n?|[\v\u2028\u2029\x85]", "\n", text)
    pages = [[[ln.rstrip() for ln in chunk.split("\n") if ln.strip()]
              for chunk in re.split(r"\n[ \t\u00a0]*\n", page)] for page in text.split("\f")]
    lengths = sorted(len(ln.strip()) for chunks in pages for c in chunks for ln in c)
    width = lengths[int(0.9 * (len(lengths) - 1))] if lengths else 0
    hard_wrapped = 40 <= width <= 120  # nobody wraps text at fewer columns
    paras: list[str] = []
    for number, chunks in enumerate(pages):
        if number:
            paras.append(FORM_FEED)
        for raw in filter(None, chunks):
            # A first-line indent after an unindented line starts a paragraph.
            indented = [k > 0 and _indent(ln) > 0 and _indent(raw[k - 1]) == 0
                        for k, ln in enumerate(raw)]
            chunk = [ln.strip() for ln in raw]
            pos = 0
            for lines in _table_runs(chunk):
                flags, pos = indented[pos:pos + len(lines)], pos + len(lines)
                if _is_table_run(lines):
                    paras.append("\n".join(lines))  # the only paragraphs with a newline
                    continue
                current = lines[0]
                for prev, line, indent in zip(lines, lines[1:], flags[1:]):
                    if _line_break_is_paragraph(prev, line, width, hard_wrapped) or (
                            indent and hard_wrapped and not _starts_block(current)):
                        paras.append(current)
                        current = line
                    else:
                        current += " " + line
                paras.append(current)
    return _mark_page_numbers(paras)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _mark_page_numbers(paras: list[str]) -> list[str]:
    """Lone numbers that count up by one, a page of text apart, are printed page numbers
    (a table exported one cell per line also has lone numbers, but close together);
    lines of dashes or underscores are rules drawn between pages or above footnotes.
    Both become PAGE_NUMBER_LINE: they break the page, not the text."""
    offset, candidates = 0, []  # (index, value, text offset)
    for i, p in enumerate(paras):
        if _RULE_LINE.match(p):  # "________" above a footnote area, "---" between pages
            paras[i] = PAGE_NUMBER_LINE
            continue
        m = _PAGE_NUMBER.match(p)
        if m:
            candidates.append((i, int(m.group(1) or m.group(2)), offset))
        offset += len(p)
    by_value: dict[int, list[tuple[int, int]]] = {}
    for i, value, off in candidates:
        by_value.setdefault(value, []).append((i, off))
    chosen: set[int] = set()
    for i, value, off in candidates:
        nxt = next((j for j, off2 in by_value.get(value + 1, ()) if off2 - off >= MIN_PAGE_TEXT),
                   None)
        if nxt is not None:
            chosen.update((i, nxt))
    return [PAGE_NUMBER_LINE if i in chosen else p for i, p in enumerate(paras)]


_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?$")  # |---|:--:|


def _is_table_line(line: str) -> bool:
    return "|" in line and (len(table_cells(line)) >= 2 or bool(_TABLE_RULE.match(line)))


def _is_table_run(lines: list[str]) -> bool:
    return len(lines) >= 2 and all(_is_table_line(ln) for ln in lines) and \
        sum(not _TABLE_RULE.match(ln) for ln in lines) >= 2


def _table_runs(lines: list[str]) -> list[list[str]]:
    """Split a chunk into runs of table lines ("a | b | c") and runs of other lines."""
    runs: list[list[str]] = []
    for line in lines:
        if runs and _is_table_line(line) == _is_table_line(runs[-1][-1]):
            runs[-1].append(line)
        else:
            runs.append([line])
    # A lone line with a "|" in running text is not a table: merge it back.
    merged: list[list[str]] = []
    for run in runs:
        if merged and not (_is_table_run(run) or _is_table_run(merged[-1])):
            merged[-1].extend(run)
        else:
            merged.append(run)
    return merged


def table_cells(line: str) -> list[str]:
    """Cells of a text table row; Markdown's outer "|" borders are not empty cells."""
    line = line.strip()
    if line.startswith("|") and line.endswith("|") and len(line) > 1:
        line = line[1:-1]
    return [c.strip() for c in line.split("|")]


def table_rows(para: str) -> list[list[str]]:
    return [table_cells(ln) for ln in para.split("\n") if not _TABLE_RULE.match(ln)]


def _line_break_is_paragraph(prev: str, line: str, width: int, hard_wrapped: bool) -> bool:
    full_line = len(prev) >= 0.8 * width
    if is_heading(prev) and not (hard_wrapped and full_line and cut_kind(prev) == "hard"):
        return True
    if _starts_block(line):
        # "… kinh tế" / "- xã hội …": a wrap before a dash is not a list item.
        return not (hard_wrapped and full_line and cut_kind(prev) == "hard")
    if hard_wrapped:
        # A short line that ends a clause ends its paragraph; so does a sentence end
        # followed by a capital (a paragraph per line in a short text looks wrapped).
        return ((cut_kind(prev) != "hard" and not full_line)
                or (cut_kind(prev) == "none" and not continues(line)))
    # Lines far longer than a wrap width: one paragraph per line (a cut one is re-joined
    # later, once footnote lines are told apart from body lines).
    return True


# ---- paragraphs → body + footnotes ----------------------------------------------------

@dataclass
class Para:
    text: str
    fn_number: int | None = None  # set on a footnote's first paragraph
    fn_text: str | None = None
    fn_label: str | None = None  # the printed mark when not plain digits ("⁽³⁾")
    has_markers: bool = False
    kind: str = "paragraph"  # heading | list_item | paragraph | table
    page: int | None = None  # known only from form feeds
    after_break: bool = False  # a form feed or printed page number came just before


@dataclass
class Layout:
    """The outcome of labelling: body paragraphs (joined where cut) and footnotes."""
    body: list[list] = field(default_factory=list)  # [text, page, page_breaks]
    footnotes: list[list] = field(default_factory=list)  # [number, text, page, label]


def markers(text: str, known: set[int] | None = None) -> list[tuple[int, int, int]]:
    """(number, start, end) of footnote markers: superscript digits glued to a word.
    With the document's footnote numbers `known`, "¹²" that is no footnote of its own
    but ¹ and ² both are is read as two markers."""
    found: list[tuple[int, int, int]] = []
    if not _ANY_SUP.search(text):
        return found
    for m in MARKER.finditer(text):
        if m.group() in ("²", "³") and _UNIT_BEFORE.search(text[max(0, m.start() - 4):m.start()]):
            continue
        number = from_superscript(m.group())
        if number is None:  # thousands of superscript digits: not a marker
            continue
        digits = [from_superscript(c) for c in m.group()]
        if known and number not in known and len(digits) > 1 and all(d in known for d in digits):
            found.extend((d, m.start() + k, m.start() + k + 1) for k, d in enumerate(digits))
        else:
            found.append((number, m.start(), m.end()))
    return found


def make_para(text: str) -> Para:
    m = FOOTNOTE_START.match(text)
    if m:
        mark = m.group(1)
        return Para(text, from_superscript(mark), m.group(2), mark if "⁽" in mark else None)
    if "\n" in text:
        return Para(text, has_markers=bool(markers(text)), kind="table")
    kind = "heading" if is_heading(text) else ("list_item" if is_list_item(text) else "paragraph")
    return Para(text, has_markers=bool(markers(text)), kind=kind)


def _signature(text: str) -> str | None:
    """'Năm 2022: …' → 'năm #': the lead-in that parallel footnote paragraphs share."""
    m = re.match(r"^([^:;.,]{1,30}):", _core(text))
    if not m or len(m.group(1).split()) > 4:
        return None
    return re.sub(r"\d+", "#", m.group(1).lower())


def read_paragraphs(items: list[str]) -> list[Para]:
    """Paragraph texts (with page sentinels) → Para records carrying page and breaks."""
    paged = FORM_FEED in items
    page, after_break, out = 1, False, []
    for item in items:
        if item in (FORM_FEED, PAGE_NUMBER_LINE):
            if out:  # a break before any text is no page of its own
                page += item == FORM_FEED
                after_break = True
            continue
        para = make_para(item)
        para.page, para.after_break = (page if paged else None), after_break
        after_break = False
        out.append(para)
    return out


def layout(paras: list[Para]) -> Layout:
    n = len(paras)
    label = [""] * n  # body | fn | cont
    owner = [-1] * n  # for fn/cont: index of the footnote's first paragraph
    fn_acc: dict[int, str] = {}  # footnote start index -> its text so far
    last_body = -1  # last body paragraph before the current footnote block
    open_fn = -1  # footnote of the last block that ended mid-sentence (tail still to come)
    punctuated = _footnotes_end_sentences(paras)

    for i, p in enumerate(paras):
        nxt = paras[i + 1] if i + 1 < n else None
        if p.fn_number is not None:
            label[i], owner[i], fn_acc[i] = "fn", i, p.fn_text
            open_fn = -1
            continue
        prev = label[i - 1] if i else ""
        if prev in ("fn", "cont"):
            target = owner[i - 1]
            if _continues_footnote(p, paras[i - 1], fn_acc[target], paras[target], nxt,
                                   paras[last_body] if last_body >= 0 else None):
                label[i], owner[i] = "cont", target
                fn_acc[target] += " " + p.text
                continue
            # The block is over: remember its last footnote if it stopped mid-sentence.
            open_fn = target if cut_kind(fn_acc[target]) != "none" else -1
        elif (open_fn >= 0 and prev == "body" and nxt is not None and nxt.fn_number is not None
              and _is_footnote_tail(p, paras[i - 1], punctuated)):
            label[i], owner[i] = "cont", open_fn
            fn_acc[open_fn] += " " + p.text
            open_fn = -1
            continue
        label[i] = "body"
        last_body = i

    out = Layout()
    prev_body = -1
    for i, p in enumerate(paras):
        if label[i] == "fn":
            out.footnotes.append([p.fn_number, fn_acc[i], p.page, p.fn_label])
        elif label[i] == "body":
            separated = prev_body >= 0 and (p.after_break or any(
                label[k] != "body" or paras[k].after_break for k in range(prev_body + 1, i)))
            if prev_body >= 0 and _rejoin(paras[prev_body], p, separated):
                text, page, breaks = out.body[-1]
                if p.page != (breaks[-1][1] if breaks else page):
                    breaks.append((len(text) + 1, p.page))
                out.body[-1][0] = text + " " + p.text
            else:
                out.body.append([p.text, p.page, []])
            prev_body = i
    return out


def _continues_footnote(p: Para, prev: Para, fn_text: str, fn_start: Para, nxt: Para | None,
                        body_before: Para | None) -> bool:
    """Is `p`, right after a footnote paragraph, more of that footnote (not body)?"""
    if p.has_markers or p.kind in ("heading", "table"):
        return False  # body text carries the markers; footnotes do not
    if p.kind == "list_item":
        # A footnote announcing a list ("gồm:") goes on with its items.
        return fn_text.rstrip().endswith(":") or prev.kind == "list_item" and prev.fn_number is None
    cut = "none" if body_before is None or body_before.kind == "heading" else cut_kind(body_before.text)
    if cut != "none" and continues(p.text):
        return False  # the sentence the page break cut goes on here
    if nxt is not None and nxt.fn_number is not None:
        return True  # nothing but footnotes lies between two footnote paragraphs
    sig = _signature(fn_start.fn_text)
    if sig is not None and sig == _signature(p.text):
        return True  # "Năm 2022: …" / "Năm 2023: …"
    if cut == "hard":
        # The cut body sentence resumes in the NEXT paragraph, so this one is footnote
        # (unless it is a whole page of body text without footnotes: too long for that).
        return (len(p.text) < MAX_FOOTNOTE_PARAGRAPH and nxt is not None
                and nxt.fn_number is None and nxt.kind == "paragraph"
                and _core(nxt.text)[:1].islower())
    return cut_kind(fn_text) != "none" and continues(p.text)


def _is_footnote_tail(p: Para, prev: Para, punctuated: bool) -> bool:
    """`p` sits between this page's body and its first footnote while the previous page's
    last footnote stopped mid-sentence: it is that footnote's tail if it carries no
    marker and reads as the rest of a sentence, or the body before it was cut, or (in a
    document whose footnotes end with a full stop) it ends the way a footnote does."""
    if p.has_markers or p.kind != "paragraph":
        return False
    if continues(p.text) or (prev.kind != "heading" and cut_kind(prev.text) == "hard"):
        return True
    return punctuated and cut_kind(p.text) == "none" and len(p.text) < MAX_FOOTNOTE_PARAGRAPH


def _footnotes_end_sentences(paras: list[Para]) -> bool:
    """Do this document's footnotes end with punctuation? Judged on the footnotes that a
    page break cannot have cut: those followed directly by another footnote."""
    ends = [cut_kind(p.fn_text) == "none" for p, q in zip(paras, paras[1:])
            if p.fn_number is not None and q.fn_number is not None]
    return len(ends) >= 2 and sum(ends) >= 0.9 * len(ends)


def _rejoin(x: Para, y: Para, separated: bool) -> bool:
    """Re-join body paragraph `x` with the next body paragraph `y` (cut by a page break)?"""
    if x.kind not in ("paragraph", "list_item") or y.kind != "paragraph":
        return False
    cut = cut_kind(x.text)
    if separated:  # a footnote block stood between them: a page break for sure
        return cut == "hard" or (cut == "soft" and continues(y.text))
    if cut != "hard":
        return False
    # A blank line where a page broke: the rest reads as the same sentence, or the cut
    # paragraph is running text (several clauses), which never ends without punctuation.
    return continues(y.text) or (len(x.text) >= 100 and bool(_CLAUSE_BREAK.search(x.text)))


# ---- entry points ------------------------------------------------------------------

def _heading_level(text: str) -> int | None:
    core = _core(text)
    if text.lstrip().startswith("#"):
        return len(text.lstrip()) - len(text.lstrip().lstrip("#"))
    m = re.match(r"^(\d{1,2}(?:\.\d{1,2})*)\.\s", core)
    if m:
        return m.group(1).count(".") + 2
    if re.match(rf"^{_ROMAN}\.\s|^(?:Chương|Phần)\s", core):
        return 1
    return None


def parse_text(text: str, path: str = "<text>", fmt: str = "txt") -> ExtractedDocument:
    """Decoded text → document (also used by tests on strings)."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ExtractionError("empty file (no text)")
    warnings: list[str] = []
    if not _VIETNAMESE_ONLY.search(text):  # TCVN3/VNI re-saved as UTF-8: convert it
        text = _from_legacy(text, warnings) or text
    text = unicodedata.normalize("NFC", text)
    _check_not_mojibake(text)
    paras = read_paragraphs(split_paragraphs(text))
    result = layout(paras)
    builder = DocumentBuilder(path, fmt)
    builder.warnings.extend(warnings)
    builder.page_count = max((p.page for p in paras if p.page), default=None)
    known = {fn[0] for fn in result.footnotes}
    for para, page, breaks in result.body:
        para_obj = make_para(para)
        kind = para_obj.kind if para_obj.fn_number is None else "paragraph"
        if kind == "table":
            rows = table_rows(para)
            refs = [(n, r, c, a, b) for r, row in enumerate(rows) for c, cell in enumerate(row)
                    for n, a, b in markers(cell, known)]
            builder.add_table(rows, page, footnote_refs=refs)
            continue
        level = _heading_level(para) if kind == "heading" else None
        builder.add_block(kind, para, page, footnote_refs=markers(para, known), page_breaks=breaks,
                          level=level)
    for number, fn_text, page, label in result.footnotes:
        builder.add_footnote(number, fn_text, page, label)
    return builder.build()


def read_text_file(path: Path) -> tuple[str, list[str]]:
    """A text file's content, decoded, and the decoding warnings (shared with Markdown)."""
    raw = Path(path).read_bytes()
    if not raw.strip():
        raise ExtractionError("empty file (no text)")
    warnings: list[str] = []
    return decode(raw, warnings), warnings


def extract_txt(path: Path) -> ExtractedDocument:
    text, warnings = read_text_file(path)
    doc = parse_text(text, str(path), "txt")
    doc.warnings[:0] = warnings
    return doc
