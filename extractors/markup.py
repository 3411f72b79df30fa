"""Markdown (.md) and HTML (.html, .htm) documents, read with real parsers.

Markdown: markdown-it-py (CommonMark, plus GFM tables and strikethrough) and the footnote
plugin of mdit-py-plugins. HTML: lxml.html. Both keep the structure and drop the markup:

- headings (`#`, `<h1>`…`<h6>`) are heading blocks with their level; other paragraphs are
  classified as the TXT extractor does (a typed "I.", "1.", "Điều 1." or an all-caps line
  is a heading, "- …" a list item), so a Markdown file that is really a text export
  reads the same as before;
- list items keep the marker the reader sees ("-", "+", "1.", "a)"; "*" and HTML bullets
  as "•");
- tables go through `DocumentBuilder.add_table`; cells are one line each;
- emphasis, links, code marks, pipes and tags are gone; an emphasis inside a word leaves
  no space ("Ngh**ị** định" → "Nghị định"); entities are decoded by the parsers;
- footnotes become real footnotes: Markdown `[^1]` / `^[…]` (numbered in order of first
  reference, as renderers show them), and in HTML any link pair reference ⇄ note: a link
  whose text is a short mark ("1", "[1]", "*") to an element that links back to it (Word's
  "Save as Web Page", pandoc, markdown-it, MediaWiki all write notes so);
- a Markdown paragraph whose lines are soft-wrapped is split where the TXT extractor
  would split a text file (a short header line, a line starting a list or a heading), and
  re-joined with a space elsewhere;
- YAML front matter goes to the metadata, not the text;
- a text export of a Word report saved as .md (footnotes as "¹ …" paragraphs, no
  Markdown footnote) is read by the TXT extractor, which separates such footnotes.
HTML: scripts, styles, the head and embedded objects are dropped; elements marked hidden
too. The parser never loads a DTD, an external entity or anything from the network.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.text.builder import DocumentBuilder, to_superscript
from schemas.records import ExtractedDocument, ExtractionError

SOFT = "\x1e"  # a Markdown soft line break inside a paragraph, decided later


# -- inline text ---------------------------------------------------------------------------

@dataclass
class Run:
    """The text of one paragraph (or cell, or note) as displayed, with footnote markers."""

    parts: list[str] = field(default_factory=list)
    length: int = 0
    refs: list[tuple[int, int, int]] = field(default_factory=list)  # number, start, end
    chars: int = 0
    bold_chars: int = 0

    def add(self, s: str, bold: bool = False) -> None:
        if not s:
            return
        self.parts.append(s)
        self.length += len(s)
        visible = sum(1 for c in s if not c.isspace())
        self.chars += visible
        if bold:
            self.bold_chars += visible

    def marker(self, number: int) -> None:
        start = self.length
        self.add(to_superscript(number))
        self.refs.append((number, start, self.length))

    @property
    def text(self) -> str:
        return "".join(self.parts)

    @property
    def bold(self) -> bool:
        return self.chars > 0 and self.bold_chars == self.chars

    def prefixed(self, prefix: str) -> "Run":
        out = Run([prefix] + self.parts, self.length + len(prefix),
                  [(n, a + len(prefix), b + len(prefix)) for n, a, b in self.refs],
                  self.chars, self.bold_chars)
        return out


def _pieces(run: Run, width: int, hard_wrapped: bool) -> list[tuple[str, list, bool]]:
    """Split a paragraph at its soft breaks where a text file's line break would start a
    new paragraph; elsewhere the break becomes a space. (text, refs, bold) per piece."""
    text = run.text
    if SOFT not in text:
        return [(text, run.refs, run.bold)]
    lines, pos = [], 0
    for line in text.split(SOFT):
        lines.append((pos, line))
        pos += len(line) + 1
    groups = [[lines[0]]]
    for (_, prev), (start, line) in zip(lines, lines[1:]):
        if prev.strip() and line.strip() and _soft_break_splits(
                prev.strip(), line.strip(), width, hard_wrapped):
            groups.append([(start, line)])
        else:
            groups[-1].append((start, line))
    out = []
    for group in groups:
        start = group[0][0]
        end = group[-1][0] + len(group[-1][1])
        piece = text[start:end].replace(SOFT, " ")
        refs = [(n, a - start, b - start) for n, a, b in run.refs if start <= a and b <= end]
        out.append((piece, refs, run.bold))
    return out


def _soft_break_splits(prev: str, line: str, width: int, hard_wrapped: bool) -> bool:
    """In a hard-wrapped file, the TXT extractor's rule for a line break. Otherwise lines
    are not wrapped, and Markdown joins them into one paragraph: split only after a
    heading-like line, before a line that starts a block, or between two sentences."""
    from extractors.txt import _line_break_is_paragraph, _starts_block, continues, cut_kind, is_heading

    if hard_wrapped:
        return _line_break_is_paragraph(prev, line, width, hard_wrapped)
    return is_heading(prev) or _starts_block(line) or (
        cut_kind(prev) == "none" and not continues(line))


def _classify(text: str, bold: bool, in_list: bool) -> tuple[str, int | None]:
    """(kind, level) of a paragraph that is not an explicit heading, as the TXT extractor
    reads the same line; a fully bold short line that is not a sentence is a heading."""
    from extractors.txt import _heading_level, is_heading, is_list_item

    core = text.strip()
    if is_heading(core) or (bold and len(core) < 160 and not core.endswith((".", ";", ",", ":"))):
        return "heading", _heading_level(core)
    if in_list or is_list_item(core):
        return "list_item", None
    return "paragraph", None


def _emit(b: DocumentBuilder, run: Run, *, in_list: bool = False, width: int = 0,
          hard_wrapped: bool = False) -> None:
    for text, refs, bold in _pieces(run, width, hard_wrapped):
        if not text.strip():
            continue
        kind, level = _classify(text, bold, in_list)
        b.add_block(kind, text, footnote_refs=refs, level=level)


def _join_cells(runs: list[Run]) -> Run:
    out = Run()
    for r in runs:
        if not r.text.strip():
            continue
        if out.length:
            out.add(" ")
        shift = out.length
        out.add(r.text)
        out.refs += [(n, a + shift, b + shift) for n, a, b in r.refs]
    return out


def _table(b: DocumentBuilder, rows: list[list[Run]]) -> None:
    texts = [[c.text.replace(SOFT, " ") for c in row] for row in rows]
    refs = [(n, r, c, a, e) for r, row in enumerate(rows) for c, cell in enumerate(row)
            for n, a, e in cell.refs]
    b.add_table(texts, footnote_refs=refs)


# -- Markdown ------------------------------------------------------------------------------

def _markdown_parser():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.front_matter import front_matter_plugin

    return (MarkdownIt("commonmark", {"html": True})
            .enable(["table", "strikethrough"]).use(footnote_plugin).use(front_matter_plugin))


def _front_matter(content: str) -> dict:
    """YAML front matter (`---` … `---` at the top): its plain values become metadata."""
    import yaml

    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): str(v) for k, v in data.items()
            if isinstance(v, (str, int, float)) and not isinstance(v, bool)}


def _is_text_export(source: str) -> bool:
    """A text export of a Word report saved as .md: its footnotes are paragraphs starting
    with superscript digits (¹ ² …) whose numbers also mark the body, and there is no
    Markdown footnote. The TXT extractor knows how to separate those."""
    from extractors.txt import FOOTNOTE_START, MARKER, from_superscript

    if re.search(r"\[\^[^\]]+\]|\^\[", source):
        return False
    paras = [p.strip() for p in re.split(r"\n\s*\n", source) if p.strip()]
    notes = {from_superscript(m.group(1)) for p in paras if (m := FOOTNOTE_START.match(p))}
    marked = {from_superscript(m.group()) for p in paras if not FOOTNOTE_START.match(p)
              for m in MARKER.finditer(p)}
    return bool(notes & marked)


def _md_inline(token, run: Run | None = None) -> Run:
    run = run if run is not None else Run()
    bold = 0
    for t in token.children or ():
        if t.type in ("text", "code_inline"):
            run.add(t.content, bold > 0)
        elif t.type == "softbreak":
            run.add(SOFT)
        elif t.type == "hardbreak":
            run.add("\n")
        elif t.type == "strong_open":
            bold += 1
        elif t.type == "strong_close":
            bold -= 1
        elif t.type == "footnote_ref":
            run.marker(t.meta["id"] + 1)
        elif t.type == "html_inline" and re.match(r"<br\b", t.content, re.I):
            run.add("\n")
        # em, s, link open/close, images, other inline HTML: markup only, no text
    return run


def parse_markdown(source: str, path: str = "<markdown>") -> ExtractedDocument:
    """Markdown text → document (also used by tests on strings)."""
    import unicodedata

    from extractors.txt import _check_not_mojibake

    source = unicodedata.normalize("NFC", source.lstrip("\ufeff"))
    if not source.strip():
        raise ExtractionError("empty file (no text)")
    _check_not_mojibake(source)
    if _is_text_export(source):
        from extractors.txt import parse_text

        return parse_text(source, path, "md")
    tokens = _markdown_parser().parse(source)
    # The wrap width of the source, as the TXT extractor measures it.
    lengths = sorted(len(ln.strip()) for ln in source.splitlines() if ln.strip())
    width = lengths[int(0.9 * (len(lengths) - 1))] if lengths else 0
    hard_wrapped = 40 <= width <= 120
    b = DocumentBuilder(path, "md")
    lists: list[dict] = []  # open lists: {"ordered", "markup"}
    item_prefix: str | None = None  # marker waiting for the item's first paragraph
    notes: dict[int, list[Run]] = {}
    note: int | None = None
    rows: list[list[Run]] | None = None
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t.type == "front_matter":
            b.metadata.update(_front_matter(t.content))
        elif t.type in ("bullet_list_open", "ordered_list_open"):
            lists.append({"ordered": t.type == "ordered_list_open", "markup": t.markup})
        elif t.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif t.type == "list_item_open":
            if lists and lists[-1]["ordered"]:
                item_prefix = f"{t.info}{t.markup} "
            else:
                item_prefix = {"*": "• "}.get(t.markup, f"{t.markup} ")
        elif t.type == "footnote_open":
            note = t.meta["id"] + 1
            notes[note] = []
        elif t.type == "footnote_close":
            note = None
        elif t.type == "table_open":
            rows = []
        elif t.type == "tr_open" and rows is not None:
            rows.append([])
        elif t.type == "table_close" and rows is not None:
            _table(b, rows)
            rows = None
        elif t.type == "inline":
            run = _md_inline(t)
            kind_open = tokens[i - 1].type if i else ""
            if rows is not None:
                rows[-1].append(run)
            elif note is not None:
                notes[note].append(run)
            elif kind_open == "heading_open":
                text = run.text.replace(SOFT, " ")
                level = int(tokens[i - 1].tag[1:])
                b.add_block("heading", text, footnote_refs=run.refs, level=level)
            else:
                if item_prefix is not None:
                    run, item_prefix = run.prefixed(item_prefix), None
                _emit(b, run, in_list=bool(lists), width=width, hard_wrapped=hard_wrapped)
        elif t.type in ("code_block", "fence"):
            if note is not None:
                notes[note].append(Run([t.content], len(t.content)))
            else:
                b.add_block("paragraph", t.content)
        elif t.type == "html_block":
            if note is not None:
                notes[note].append(_html_fragment_run(t.content))
            else:
                _html_into(b, _parse_html(t.content, fragment=True))
        i += 1
    for number, runs in sorted(notes.items()):
        joined = _join_cells(runs)
        b.add_footnote(number, joined.text.replace(SOFT, " "))
    if not b.blocks:
        raise ExtractionError("no text in the Markdown file")
    return b.build()


def extract_markdown(path: Path) -> ExtractedDocument:
    from extractors.txt import read_text_file

    text, warnings = read_text_file(path)
    doc = parse_markdown(text, str(path))
    doc.warnings[:0] = warnings
    return doc


# -- HTML ----------------------------------------------------------------------------------

SKIP = {"script", "style", "noscript", "template", "head", "title", "meta", "link", "svg",
        "math", "iframe", "object", "embed", "canvas", "audio", "video", "map", "select",
        "button", "input", "textarea", "img"}
BLOCK = {"address", "article", "aside", "blockquote", "body", "center", "dd", "details",
         "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
         "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "li", "main", "nav",
         "ol", "p", "pre", "section", "summary", "table", "ul", "html", "caption", "tr",
         "td", "th", "tbody", "thead", "tfoot", "menu"}
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
BOLD_TAGS = {"b", "strong"}
_WS = re.compile(r"[ \t\n\r\f]+")
_MARK = re.compile(r"^[\[(]?\s*(\d{1,3}|[*†‡§]{1,3}|[a-z])\s*[\])]?$")
_NOTE_HINT = re.compile(r"f(?:oot)?n|note|ftn|cite|chu[-_]?thich", re.I)
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all", re.I)


def _tag(el) -> str:
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else ""


_DOCTYPE = re.compile(r"^\s*<!DOCTYPE[^\[>]*(?:\[.*?\]\s*)?>", re.I | re.S)


def _parse_html(text: str, fragment: bool = False):
    """lxml's HTML parser, which never resolves entities from a DTD or loads anything."""
    import lxml.html

    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True,
                                  recover=True, default_doctype=False)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # lxml refuses str with an encoding decl
    # The doctype goes, internal subset and all: the HTML parser does not read DTDs, and
    # would show an internal subset ("<!ENTITY …>]>") as text.
    text = _DOCTYPE.sub("", text, count=1)
    if not text.strip():
        raise ExtractionError("empty file (no text)")
    try:
        if fragment:
            return lxml.html.fragment_fromstring(text, create_parent="div", parser=parser)
        return lxml.html.document_fromstring(text, parser=parser)
    except Exception as exc:  # ParserError ("Document is empty"), XMLSyntaxError
        raise ExtractionError(f"unreadable HTML: {' '.join(str(exc).split())[:150]}") from None


def _hidden(el) -> bool:
    return el.get("hidden") is not None or bool(_HIDDEN.search(el.get("style") or ""))


class HtmlReader:
    """Walks an lxml.html tree into a DocumentBuilder."""

    def __init__(self, b: DocumentBuilder, root):
        self.b = b
        self.root = root
        self.ref_number: dict = {}  # reference <a> -> footnote number
        self.notes: list = []  # (number, note element, backlinks)
        self.skip: set = set()  # note elements and backlinks, not body text
        self._find_notes()

    # footnotes: reference ⇄ note link pairs ------------------------------------------
    def _find_notes(self) -> None:
        order, targets = {}, {}
        for k, el in enumerate(self.root.iter()):
            order[el] = k
            for key in (el.get("id"), el.get("name")):
                if key and _tag(el):
                    targets.setdefault(key, el)
        candidates = []  # (ref a, target)
        for a in self.root.iter("a"):
            href = (a.get("href") or "").strip()
            if not href.startswith("#") or len(href) < 2:
                continue
            target = targets.get(href[1:])
            if target is None or order[target] <= order[a]:
                continue
            if not _MARK.match(" ".join(a.text_content().split())):
                continue
            candidates.append((a, target))
        target_set = {t for _, t in candidates}
        numbers: dict = {}  # note element -> number
        for a, target in candidates:
            # The ids that a backlink may point to: the reference and its inline wrappers.
            own = []
            el = a
            while el is not None and _tag(el) not in BLOCK:
                own += [v for v in (el.get("id"), el.get("name")) if v]
                el = el.getparent()
            if not own:
                continue
            note = self._note_element(a, target, target_set)
            if note is None:
                continue
            backlinks = [x for x in note.iter("a") if (x.get("href") or "").strip()[1:] in own]
            if not backlinks:
                continue
            if note not in numbers:
                mark = _MARK.match(" ".join(a.text_content().split())).group(1)
                number = int(mark) if mark.isdigit() else len(numbers) + 1
                numbers[note] = number
                self.notes.append((number, note, backlinks))
                self.skip.add(note)
            else:
                for _, n_el, bl in self.notes:
                    if n_el is note:
                        bl += backlinks
            self.ref_number[a] = numbers[note]

    @staticmethod
    def _note_element(a, target, target_set):
        """The element holding the note: the target if it is a block, else its nearest
        block ancestor, widened to a wrapper that is plainly this note's own (named like
        a note, holding no other note, not holding the reference)."""
        el = target
        while el is not None and _tag(el) not in BLOCK:
            el = el.getparent()
        if el is None or _tag(el) in ("body", "html") or a in el.iter():
            return None
        while True:
            parent = el.getparent()
            if parent is None or _tag(parent) in ("body", "html", "td", "th", "tr", "table"):
                return el
            hint = f"{parent.get('id') or ''} {parent.get('class') or ''} {parent.get('style') or ''}"
            if not _NOTE_HINT.search(hint) or a in parent.iter() or any(
                    t in target_set and t is not target for t in parent.iter()):
                return el
            el = parent

    # walking -------------------------------------------------------------------------
    def inline(self, el, run: Run, bold: bool = False, pre: bool = False) -> None:
        """Everything under `el` as inline text (nested blocks flattened with spaces)."""
        tag = _tag(el)
        if el in self.ref_number:
            run.marker(self.ref_number[el])
            return
        if tag in SKIP or el in self.skip or _hidden(el) or not tag:
            return
        bold = bold or tag in BOLD_TAGS
        if tag == "br":
            run.add("\n")
            return
        if tag in BLOCK and run.length:
            run.add(" ")
        self._text(el.text, run, bold, pre or tag == "pre")
        for child in el:
            self.inline(child, run, bold, pre or tag == "pre")
            self._text(child.tail, run, bold, pre)
        if tag in BLOCK:
            run.add(" ")

    @staticmethod
    def _text(s: str | None, run: Run, bold: bool, pre: bool) -> None:
        if s:
            run.add(s if pre else _WS.sub(" ", s), bold)

    def block(self, el, prefix: str | None = None, in_list: bool = False) -> None:
        """A block container: runs of inline content become paragraphs; child blocks are
        handled in turn. `prefix` (a list marker) goes before the first paragraph."""
        run = Run()
        state = {"prefix": prefix}

        def flush():
            nonlocal run
            if run.text.strip():
                r = run
                if state["prefix"]:
                    r = _strip_run(r).prefixed(state["prefix"])
                    state["prefix"] = None
                _emit(self.b, _strip_run(r), in_list=in_list)
            run = Run()

        self._text(el.text, run, False, _tag(el) == "pre")
        for child in el:
            tag = _tag(child)
            if child in self.ref_number:
                run.marker(self.ref_number[child])
            elif tag in SKIP or child in self.skip or _hidden(child) or not tag:
                pass
            elif tag in BLOCK:
                flush()
                self.block_element(child, state, in_list)
            else:
                self.inline(child, run, pre=_tag(el) == "pre")
            self._text(child.tail, run, False, _tag(el) == "pre")
        flush()

    def block_element(self, el, state: dict, in_list: bool) -> None:
        tag = _tag(el)
        if tag in HEADINGS:
            run = Run()
            self._text(el.text, run, False, False)
            for child in el:
                self.inline(child, run)
                self._text(child.tail, run, False, False)
            run = _strip_run(run)
            if run.text.strip():
                self.b.add_block("heading", run.text, footnote_refs=run.refs, level=HEADINGS[tag])
        elif tag in ("ul", "ol", "menu"):
            self.list(el)
        elif tag == "table":
            self.table(el)
        elif tag == "hr":
            pass
        else:
            prefix, state["prefix"] = state.get("prefix"), None
            self.block(el, prefix, in_list)

    def list(self, el) -> None:
        from extractors.docx import format_number

        ordered = _tag(el) == "ol"
        fmt = {"a": "lowerLetter", "A": "upperLetter", "i": "lowerRoman",
               "I": "upperRoman"}.get(el.get("type") or "", "decimal")
        try:
            n = int(el.get("start") or 1)
        except ValueError:
            n = 1
        for li in el:
            if _tag(li) != "li":
                if _tag(li) in BLOCK and li not in self.skip:
                    self.block(li)
                continue
            if li in self.skip or _hidden(li):
                continue
            if ordered:
                try:
                    n = int(li.get("value")) if li.get("value") else n
                except ValueError:
                    pass
                prefix = f"{format_number(n, fmt)}{'.' if fmt == 'decimal' else ')'} "
                n += 1
            else:
                prefix = "• "
            self.block(li, prefix, in_list=True)

    def table(self, tbl) -> None:
        grid: list[list[Run]] = []
        pending: dict[tuple[int, int], int] = {}  # (row, col) taken by a rowspan above
        rows = [tr for tr in tbl.iter("tr") if _closest(tr, "table") is tbl]
        caption = next((c for c in tbl if _tag(c) == "caption"), None)
        if caption is not None:
            self.block(caption)
        for r, tr in enumerate(rows):
            row: list[Run] = []
            c = 0
            for cell in tr:
                if _tag(cell) not in ("td", "th") or _hidden(cell):
                    continue
                while (r, c) in pending:
                    row.append(Run())
                    c += 1
                run = Run()
                self.inline(cell, run)
                row.append(_strip_run(run, cell=True))
                span = _int(cell.get("colspan"), 1, 100)
                down = _int(cell.get("rowspan"), 1, 1000)
                for k in range(1, span):
                    row.append(Run())
                for k in range(c, c + span):
                    for rr in range(r + 1, r + down):
                        pending[(rr, k)] = 1
                c += span
            while (r, c) in pending:
                row.append(Run())
                c += 1
            grid.append(row)
        if grid:
            _table(self.b, grid)

    def footnotes(self) -> None:
        for number, note, backlinks in sorted(self.notes, key=lambda x: x[0]):
            run = Run()
            skip_before = set(self.skip)
            self.skip.discard(note)
            self.skip.update(backlinks)
            self.inline(note, run)
            self.skip = skip_before
            self.b.add_footnote(number, " ".join(run.text.split()))


def _closest(el, tag: str):
    el = el.getparent()
    while el is not None and _tag(el) != tag:
        el = el.getparent()
    return el


def _int(value, default: int, cap: int) -> int:
    try:
        return max(1, min(cap, int(value)))
    except (TypeError, ValueError):
        return default


def _strip_run(run: Run, cell: bool = False) -> Run:
    """Trim the run's whitespace (cells: also fold line breaks), keeping marker offsets."""
    text = run.text
    if cell:
        text = text.replace("\n", " ")
    lead = len(text) - len(text.lstrip())
    body = text.strip()
    out = Run([body], len(body), [(n, a - lead, b - lead) for n, a, b in run.refs
                                  if a >= lead and b - lead <= len(body)],
              run.chars, run.bold_chars)
    return out


def _html_into(b: DocumentBuilder, root) -> HtmlReader:
    reader = HtmlReader(b, root)
    body = root.find("body") if _tag(root) == "html" else root
    reader.block(body if body is not None else root)
    reader.footnotes()
    return reader


def _html_fragment_run(text: str) -> Run:
    root = _parse_html(text, fragment=True)
    run = Run()
    HtmlReader(DocumentBuilder("<fragment>", "html"), root).inline(root, run)
    return _strip_run(run)


_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def decode_html(raw: bytes, warnings: list[str]) -> str:
    """UTF-8/UTF-16 (BOM or not) first; else the charset the page declares
    (windows-1258 in old Vietnamese pages); else the TXT extractor's clear error."""
    from extractors.txt import decode

    if raw.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return decode(raw, warnings)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    m = _CHARSET.search(raw[:4096])
    if m:
        name = m.group(1).decode("ascii").lower()
        try:
            codec = codecs.lookup(name).name
        except LookupError:
            codec = None
        if codec and codec not in ("utf-8",):
            try:
                return raw.decode(codec)
            except UnicodeDecodeError:
                pass
    return decode(raw, warnings)


def extract_html(path: Path) -> ExtractedDocument:
    import unicodedata

    from extractors.txt import _check_not_mojibake

    raw = Path(path).read_bytes()
    if not raw.strip():
        raise ExtractionError("empty file (no text)")
    warnings: list[str] = []
    text = unicodedata.normalize("NFC", decode_html(raw, warnings).lstrip("\ufeff"))
    root = _parse_html(text)
    b = DocumentBuilder(str(path), "html")
    b.warnings.extend(warnings)
    title = root.find(".//title")
    if title is not None and " ".join(title.text_content().split()):
        b.metadata["title"] = " ".join(title.text_content().split())
    _html_into(b, root)
    if not b.blocks:
        raise ExtractionError("no text in the HTML file")
    _check_not_mojibake("".join(b.parts))
    return b.build()
