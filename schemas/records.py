"""In-memory record types shared by extractors and the pipeline.

An extractor turns one file into an `ExtractedDocument`: the normalized full text
(body in reading order, then the footnotes, each its own paragraph) plus spans into it.
Every span is a half-open `[start, end)` range of `text`, so `text[start:end]` is
exactly what the span describes. Extractors never build `text` by hand: they go
through `pipeline.text.builder.DocumentBuilder`, which normalizes each piece and keeps
the offsets right.
"""
from __future__ import annotations

from dataclasses import dataclass, field

BLOCK_KINDS = ("heading", "paragraph", "table", "footnote", "list_item")


@dataclass
class Block:
    kind: str  # one of BLOCK_KINDS
    start: int
    end: int
    page: int | None = None
    style: str | None = None  # DOCX style name, PDF font hint ... when known
    level: int | None = None  # heading level from a DOCX style, when known


@dataclass
class Footnote:
    number: int  # 1, 2, 3 ... as printed (¹ → 1)
    start: int  # the footnote's own text, without its leading marker
    end: int
    anchor_start: int | None = None  # offset of the marker in the body (None: unlinked)
    anchor_end: int | None = None
    page: int | None = None
    label: str | None = None  # the marker as printed when it is not a plain number ("*")


@dataclass
class Table:
    start: int  # the table block in `text`
    end: int
    rows: list[list[str]] = field(default_factory=list)  # cells, normalized
    page: int | None = None


@dataclass
class PageSpan:
    page: int  # 1-based
    start: int
    end: int


@dataclass
class ExtractedDocument:
    path: str
    format: str  # txt | md | html | docx | pdf | doc | rtf | odt | image
    text: str
    blocks: list[Block] = field(default_factory=list)
    footnotes: list[Footnote] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    pages: list[PageSpan] = field(default_factory=list)
    page_count: int | None = None
    metadata: dict = field(default_factory=dict)  # format metadata (PDF info, DOCX core props)
    warnings: list[str] = field(default_factory=list)  # non-fatal problems: status 'partial'
    source: str | None = None  # how the text was obtained when not read directly ("converted by LibreOffice …")
    # page -> (source, quality): where the page's text comes from (text | ocr |
    # converted) and its score in pipeline.text.quality (0-1; None when not judged)
    page_sources: dict[int, tuple[str, float | None]] = field(default_factory=dict)

    @property
    def body_end(self) -> int:
        """Offset where the footnote paragraphs start (= len(text) without footnotes)."""
        starts = [b.start for b in self.blocks if b.kind == "footnote"]
        return min(starts) if starts else len(self.text)


class ExtractionError(Exception):
    """A file that cannot be turned into a document. The message is the one-line reason
    stored in `documents.error` and printed in the ingest summary."""
