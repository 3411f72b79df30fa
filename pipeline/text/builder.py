"""Assemble an `ExtractedDocument` from pieces, normalizing as it goes.

Extractors call `add_block` for each body paragraph/heading/table in reading order and
`add_footnote` for each footnote; `build()` appends the footnotes after the body and
returns the document with every offset pointing into the final normalized text.
Positions that an extractor knows in its raw piece (a footnote marker, a page break)
are passed as raw indices and mapped through normalization here, in one place.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.text.normalize import normalize_with_map
from schemas.records import Block, ExtractedDocument, Footnote, PageSpan, Table

BLOCK_SEPARATOR = "\n\n"
CELL_SEPARATOR = " | "
ROW_SEPARATOR = "\n"

SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"


def to_superscript(number: int | str) -> str:
    return "".join(SUPERSCRIPT_DIGITS[int(d)] if d.isdigit() else d for d in str(number))


MAX_MARKER_DIGITS = 6  # a longer run of superscript digits is no footnote number


def from_superscript(marker: str) -> int | None:
    digits = "".join(str(SUPERSCRIPT_DIGITS.index(c)) for c in marker if c in SUPERSCRIPT_DIGITS)
    if not digits or len(digits) > MAX_MARKER_DIGITS:
        return None
    return int(digits)


# A footnote number glued to a lower-case word: "điểm11" (not "CO2", "Covid19": upper case
# before the digits, nor "2a" or "10.000").
_GLUED = re.compile(r"(?<![\w])([a-zà-ỹđ]*[à-ỹđa-z]{2})(\d{1,2})(?![\w.,]\d|\w)")
_WORD = re.compile(r"[^\W\d_]{2,}")
_NUMBER = re.compile(r"\d[\d.,]*%?")


def is_chart_residue(text: str) -> bool:
    """Numbers without words: a chart's data labels or axis ticks read as a paragraph
    ("45,2 61,3 70,8 %", "2021 2022 2023 2024"). A line with a word of two letters or
    more is prose (or a heading); a line with many numbers and almost no words is
    still a chart ("78,3 81,2 Năm 86,0 90,4 92,1 95,6")."""
    numbers = len(_NUMBER.findall(text))
    words = len(_WORD.findall(text))
    return numbers >= 2 and (words == 0 or numbers >= 6 and words * 4 <= numbers)


@dataclass
class _PendingFootnote:
    number: int
    text: str
    page: int | None
    label: str | None


@dataclass
class DocumentBuilder:
    path: str
    format: str
    parts: list[str] = field(default_factory=list)
    length: int = 0
    blocks: list[Block] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    pages: list[PageSpan] = field(default_factory=list)
    anchors: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    pending_footnotes: list[_PendingFootnote] = field(default_factory=list)
    page_count: int | None = None
    metadata: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    page_sources: dict = field(default_factory=dict)  # page -> (source, quality)

    # -- body ---------------------------------------------------------------------
    def _append(self, text: str) -> int:
        if self.parts:
            self.parts.append(BLOCK_SEPARATOR)
            self.length += len(BLOCK_SEPARATOR)
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        return start

    def add_block(
        self,
        kind: str,
        text: str,
        page: int | None = None,
        *,
        footnote_refs: list[tuple[int, int, int]] | None = None,
        page_breaks: list[tuple[int, int]] | None = None,
        style: str | None = None,
        level: int | None = None,
    ) -> Block | None:
        """Add one body block. `footnote_refs` are (number, raw_start, raw_end) of markers
        inside `text`; `page_breaks` are (raw_index, new_page) where the block crosses onto
        another page. Returns None for a block that is empty after normalization."""
        norm, index_map = normalize_with_map(text)
        lead = len(norm) - len(norm.lstrip())
        norm_stripped = norm.strip()
        if not norm_stripped:
            return None
        if kind == "paragraph" and is_chart_residue(norm_stripped):
            kind = "chart"  # axis ticks / data labels of a chart: layout, not prose
        start = self._append(norm_stripped)

        def at(raw: int) -> int:
            return start + max(0, min(len(norm_stripped), index_map[raw] - lead))

        block = Block(kind, start, start + len(norm_stripped), page, style, level)
        self.blocks.append(block)
        for number, raw_start, raw_end in footnote_refs or ():
            self.anchors.setdefault(number, []).append((at(raw_start), at(raw_end)))
        self._add_page_span(page, start, block.end, [(at(i), p) for i, p in page_breaks or ()])
        return block

    def add_table(self, rows: list[list[str]], page: int | None = None, *,
                  footnote_refs: list[tuple[int, int, int, int, int]] | None = None
                  ) -> Block | None:
        """Add a table: rows of raw cell texts, each cell folded to one line. Markers inside
        cells are (number, row, col, raw_start, raw_end) with raw offsets into that cell."""
        cleaned = []  # (row index, [(cell text, index map)])
        for r, row in enumerate(rows):
            # newlines/tabs → spaces first (same length), then normalization folds the runs
            cells = [normalize_with_map(re.sub(r"\s", " ", c or "")) for c in row]
            if any(text for text, _ in cells):
                cleaned.append((r, cells))
        if not cleaned:
            return None
        lines, cell_offsets = [], {}
        pos = 0
        for r, cells in cleaned:
            parts = []
            for c, (text, _) in enumerate(cells):
                if c:
                    parts.append(CELL_SEPARATOR)
                    pos += len(CELL_SEPARATOR)
                cell_offsets[(r, c)] = pos
                parts.append(text)
                pos += len(text)
            line = "".join(parts).rstrip()
            pos += len(line) - len("".join(parts))  # rstrip of a trailing empty cell
            lines.append(line)
            pos += len(ROW_SEPARATOR)
        text = ROW_SEPARATOR.join(lines)
        start = self._append(text)
        block = Block("table", start, start + len(text), page)
        self.blocks.append(block)
        clean_rows = [[t for t, _ in cells] for _, cells in cleaned]
        self.tables.append(Table(start, block.end, clean_rows, page))
        self._add_page_span(page, start, block.end, [])
        maps = {r: cells for r, cells in cleaned}
        for number, r, c, raw_start, raw_end in footnote_refs or ():
            if r not in maps or c >= len(maps[r]) or (r, c) not in cell_offsets:
                continue
            cell_text, index_map = maps[r][c]
            base = start + cell_offsets[(r, c)]
            a = min(index_map[raw_start], len(cell_text))
            b = max(a, min(index_map[raw_end], len(cell_text)))
            self.anchors.setdefault(number, []).append((base + a, base + b))
        return block

    def _add_page_span(self, page, start, end, breaks):
        if page is None:
            return
        cur_page, cur_start = page, start
        for offset, new_page in breaks:
            if offset > cur_start:
                self._extend_page(cur_page, cur_start, offset)
            cur_page, cur_start = new_page, offset
        self._extend_page(cur_page, cur_start, end)

    def _extend_page(self, page, start, end):
        last = self.pages[-1] if self.pages else None
        # Merge with the previous span of the same page (the separator between blocks).
        if last and last.page == page and start - last.end <= len(BLOCK_SEPARATOR):
            last.end = end
        else:
            self.pages.append(PageSpan(page, start, end))

    # -- footnotes ----------------------------------------------------------------
    def _glued_markers(self) -> None:
        """A footnote whose marker the extractor did not see as raised: its number glued
        to the end of a word in the body ("điểm11", "đạt 8 điểm¹¹" read flat). Searched
        in reading order after the previous footnote's anchor, in prose blocks only; one
        pass over the body (linear)."""
        numbers = sorted({fn.number for fn in self.pending_footnotes})
        missing = [n for n in numbers if n not in self.anchors]
        if not missing:
            return
        body = "".join(self.parts)
        spans = [(b.start, b.end) for b in self.blocks if b.kind in ("paragraph", "list_item", "heading")]
        found = {}
        for m in _GLUED.finditer(body):
            found.setdefault(int(m.group(2)), []).append(m.start(2))
        floor = 0
        for n in numbers:
            if n in self.anchors:
                floor = max(floor, self.anchors[n][0][0])
                continue
            for pos in found.get(n, ()):
                if pos > floor and any(a <= pos < b for a, b in spans):
                    self.anchors[n] = [(pos, pos + len(str(n)))]
                    floor = pos
                    break

    def add_footnote(self, number: int, text: str, page: int | None = None,
                     label: str | None = None) -> None:
        self.pending_footnotes.append(_PendingFootnote(number, text, page, label))

    def build(self) -> ExtractedDocument:
        footnotes: list[Footnote] = []
        used_anchor: dict[int, int] = {}
        self._glued_markers()
        for fn in self.pending_footnotes:
            body = " ".join(normalize_with_map(fn.text)[0].split())
            if not body:
                continue
            marker = fn.label or to_superscript(fn.number)
            para = f"{marker} {body}"
            start = self._append(para)
            block = Block("footnote", start, start + len(para), fn.page)
            self.blocks.append(block)
            self._add_page_span(fn.page, start, block.end, [])
            # Footnote numbers restart per section in some documents: link the k-th
            # footnote numbered n to the k-th marker n in the body.
            k = used_anchor.get(fn.number, 0)
            anchors = self.anchors.get(fn.number, [])
            anchor = anchors[k] if k < len(anchors) else (None, None)
            used_anchor[fn.number] = k + 1
            footnotes.append(Footnote(
                number=fn.number, start=start + len(marker) + 1, end=block.end,
                anchor_start=anchor[0], anchor_end=anchor[1], page=fn.page, label=fn.label,
            ))
        text = "".join(self.parts)
        unlinked = [f.number for f in footnotes if f.anchor_start is None]
        if unlinked:
            self.warnings.append(f"footnotes without a marker in the body: {unlinked}")
        return ExtractedDocument(
            path=self.path, format=self.format, text=text, blocks=self.blocks,
            footnotes=footnotes, tables=self.tables, pages=self.pages,
            page_count=self.page_count, metadata=self.metadata, warnings=self.warnings,
            page_sources=self.page_sources,
        )
