"""Analysis stages: what runs on a document's stored text after extraction.

A stage is a function `stage(ctx: Context) -> None` that appends rows to `ctx.rows[table]`
(ids from `ctx.new_id(table)`: provisional in a worker, made real when the document is
written, so a stage links rows by these ids and never reads the database) and may set
document columns in `ctx.meta`. Stages run in
the order of `STAGES`, each seeing what the earlier ones produced: sections before
everything that reports a section, citations and figures before findings link to them.

Corpus-wide steps (resolving short citations across documents, linking cited documents
that are themselves in the corpus, comparing figures across documents) run once per
ingest batch in `FINALIZERS`, each `finalizer(db) -> None`.
"""
from __future__ import annotations

import bisect
import importlib
from dataclasses import dataclass, field
from typing import Any, Callable

# "module:function" so that a stage's import cost is paid only when it runs.
STAGES: list[str] = [
    "pipeline.analysis.structure:analyze",   # sections + document metadata
    "pipeline.analysis.dates:analyze",
    "pipeline.analysis.citations:analyze",
    "pipeline.analysis.figures:analyze",
    "pipeline.analysis.audit:analyze",       # checks within the document
    "pipeline.analysis.entities:analyze",
    "pipeline.analysis.findings:analyze",
]

FINALIZERS: list[str] = [
    "pipeline.analysis.cited_numbers:finalize",  # before the graph: it links to what this identifies
    "pipeline.analysis.citation_graph:finalize",
    "pipeline.analysis.audit:finalize",
    "pipeline.store.search:finalize",
]


# Tables whose rows are never taken from chart residue.
CHART_BLIND = {"dates", "citations", "figures", "checks", "entities", "findings"}


def _load(spec: str) -> Callable | None:
    module_name, func_name = spec.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:  # stage not written yet
            return None
        raise
    return getattr(module, func_name, None)


def stage_functions() -> list[tuple[str, Callable]]:
    return [(s, f) for s in STAGES if (f := _load(s))]


def finalizer_functions() -> list[tuple[str, Callable]]:
    return [(s, f) for s in FINALIZERS if (f := _load(s))]


@dataclass
class Context:
    """One document under analysis."""

    document_id: int
    text: str
    format: str
    blocks: list[dict]
    footnotes: list[dict]
    pages: list[dict]
    tables: list[dict]
    new_id: Callable[[str], int]
    rows: dict[str, list[dict]] = field(default_factory=dict)
    meta: dict = field(default_factory=dict)
    _page_starts: list[int] | None = None
    _fn_starts: list[int] | None = None
    _fn_spans: list | None = None

    _body_end: int | None = None
    _sentence_index: Any = None

    @property
    def sentence_index(self):
        """The document's sentences (pipeline/text/sentences.py), split once for every
        stage that quotes one (citations, figures)."""
        if self._sentence_index is None:
            from pipeline.text.sentences import SentenceIndex
            self._sentence_index = SentenceIndex(self.text)
        return self._sentence_index

    @sentence_index.setter
    def sentence_index(self, index) -> None:
        self._sentence_index = index

    @property
    def body_end(self) -> int:
        if self._body_end is None:
            starts = [b["start"] for b in self.blocks if b["kind"] == "footnote"]
            self._body_end = min(starts) if starts else len(self.text)
        return self._body_end

    _chart_starts: list[int] | None = None
    _chart_ends: list[int] | None = None

    def in_chart(self, offset: int) -> bool:
        """Is `offset` inside a `chart` block (numbers without words: no stage reads it)?"""
        if self._chart_starts is None:
            spans = sorted((b["start"], b["end"]) for b in self.blocks if b["kind"] == "chart")
            self._chart_starts = [s for s, _ in spans]
            self._chart_ends = [e for _, e in spans]
        i = bisect.bisect_right(self._chart_starts, offset) - 1
        return i >= 0 and offset < self._chart_ends[i]

    def add(self, table: str, row: dict) -> dict:
        """Append a row (id assigned if the table has one and the row has none). A fact
        found inside a chart block is dropped: chart residue is not analysed."""
        if table in CHART_BLIND and row.get("start") is not None and self.in_chart(row["start"]):
            return row
        if "id" not in row and table not in ("finding_citations", "finding_figures"):
            row["id"] = self.new_id(table)
        row.setdefault("document_id", self.document_id)
        self.rows.setdefault(table, []).append(row)
        return row

    # -- provenance -----------------------------------------------------------------
    @property
    def ocr_spans(self) -> list[tuple[int, int]]:
        """(start, end) of the pages OCR read: only there are letters misread and printed
        lines cut."""
        return [(p["start"], p["end"]) for p in self.pages or () if p.get("source") == "ocr"]

    def read_by_ocr(self, offset: int) -> bool:
        return any(a <= offset < b for a, b in self.ocr_spans)

    def page_at(self, offset: int) -> int | None:
        if not self.pages:
            return None
        if self._page_starts is None:
            self.pages.sort(key=lambda p: p["start"])
            self._page_starts = [p["start"] for p in self.pages]
        i = bisect.bisect_right(self._page_starts, offset) - 1
        if i >= 0 and offset < self.pages[i]["end"] + 2:
            return self.pages[i]["page"]
        return None

    def footnote_at(self, offset: int) -> dict | None:
        """The footnote whose paragraph (marker included) contains `offset`."""
        if self._fn_starts is None:
            spans = []
            fn_blocks = sorted((b for b in self.blocks if b["kind"] == "footnote"),
                               key=lambda b: b["start"])
            for b in fn_blocks:
                fn = next((f for f in self.footnotes if b["start"] <= f["start"] < b["end"]), None)
                if fn is not None:
                    spans.append((b["start"], b["end"], fn))
            self._fn_spans = spans
            self._fn_starts = [s[0] for s in spans]
        i = bisect.bisect_right(self._fn_starts, offset) - 1
        if i >= 0 and offset < self._fn_spans[i][1]:
            return self._fn_spans[i][2]
        return None

    def section_at(self, offset: int) -> dict | None:
        """The innermost section containing `offset` (body) or the footnote's anchor."""
        fn = self.footnote_at(offset)
        if fn is not None and fn.get("anchor_start") is not None:
            offset = fn["anchor_start"]
        best = None  # the deepest containing section (later one on a tie)
        for sec in self.rows.get("sections", ()):
            if sec["start"] <= offset < sec["end"]:
                if best is None or sec["level"] >= best["level"]:
                    best = sec
        return best

    def provenance(self, start: int, end: int) -> dict:
        fn = self.footnote_at(start)
        sec = self.section_at(start)
        return {
            "start": start,
            "end": end,
            "page": self.page_at(start),
            "section": sec.get("path") if sec else None,
            "footnote": fn["number"] if fn else None,
        }
