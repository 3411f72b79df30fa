"""The SQLite schema: one place for every table, its columns and indexes.

Each table is a dict of column -> SQLite type, in order. Rows produced by pipeline stages
are dicts with these keys (missing keys are stored as NULL). Every table with `start`
and `end` holds offsets into `documents.text` of the same `document_id`, such that
`documents.text[start:end]` is the row's surface/text (checked by tests/test_provenance.py).

Bump SCHEMA_VERSION when a column changes; `pipeline.store.db.open_db` then rebuilds the
derived tables (documents are re-analysed from their stored text on the next ingest).
"""
from __future__ import annotations

SCHEMA_VERSION = 3  # 2: pages.source/quality, checks.basis, reviews, cited_documents.conflict; 3: all merged

# Provenance columns carried by every extracted fact.
PROVENANCE = {
    "page": int,
    "section": str,  # number path of the innermost section, e.g. "II.2.1"
    "footnote": int,  # footnote number when the fact lies inside a footnote
    "start": int,
    "end": int,
}

TABLES: dict[str, dict[str, type]] = {
    "documents": {
        "id": int, "path": str, "sha256": str, "format": str, "pages": int, "text": str,
        "status": str, "error": str, "ingested_at": str, "size": int, "warnings": str,
        "source": str,  # NULL when read directly; "converted by LibreOffice … from doc to docx"
        # document metadata (structure stage)
        "doc_type": str, "number_symbol": str, "issued_date": str, "issued_place": str,
        "issuer": str, "title": str, "signer": str, "signer_role": str, "recipients": str,
        "period_start": str, "period_end": str,
    },
    # source: text (text layer) | ocr | converted; quality: pipeline.text.quality score 0-1
    "pages": {"id": int, "document_id": int, "page": int, "start": int, "end": int,
              "source": str, "quality": float},
    "blocks": {
        "id": int, "document_id": int, "kind": str, "start": int, "end": int, "page": int,
        "style": str, "level": int,
    },
    "footnotes": {
        "id": int, "document_id": int, "number": int, "label": str, "text": str,
        "anchor_start": int, "anchor_end": int, "start": int, "end": int, "page": int,
    },
    "tables": {
        "id": int, "document_id": int, "rows": str, "n_rows": int, "n_cols": int,
        "start": int, "end": int, "page": int,
    },
    "sections": {
        "id": int, "document_id": int, "parent_id": int, "level": int, "number": str,
        "path": str, "heading": str, "heading_start": int, "heading_end": int,
        "start": int, "end": int, "page": int,
    },
    "citations": {
        "id": int, "document_id": int, "surface": str, "kind": str, "doc_type": str,
        "number": str, "year": int, "symbol": str, "canonical": str, "issued_date": str,
        "issuer": str, "subject": str, "relation": str, "resolves_to": int,
        "cited_document_id": int, "target_document_id": int, "alias": str,
        "ambiguous": int, "malformed": int, "problem": str, "sentence_start": int,
        "sentence_end": int, "form": str, "name": str,
        # the sentence that links a mention to its document when the mention alone does
        # not (an alias declared "(viết tắt là Đề án 06)", a law's earlier full mention)
        "basis_document_id": int, "basis_start": int, "basis_end": int,
        # what the stage found (in-document resolution, ambiguity), kept by the first
        # citation_graph.finalize: every later run starts again from it, not from its own output
        "stage_resolves_to": int, "stage_ambiguous": int, **PROVENANCE,
    },
    "cited_documents": {
        "id": int, "key": str, "canonical": str, "doc_type": str, "issued_date": str,
        "issuer": str, "subject": str, "target_document_id": int, "mentions": int,
        "kind": str, "name": str, "number": str, "year": int, "citing_documents": int,
        "conflict": str,  # the same canonical cited with another date (see citation_graph.finalize)
        "aliases": str,  # other names and declared aliases, " | "-separated, lower case
    },
    "figures": {
        "id": int, "document_id": int, "surface": str, "value": float, "unit": str,
        "kind": str, "numerator": float, "denominator": float, "stated_percent": float,
        "decimals": int, "subject": str, "scope": str, "period": str,
        "sentence_start": int, "sentence_end": int, **PROVENANCE,
    },
    "checks": {
        "id": int, "document_id": int, "kind": str, "verdict": str, "stated": float,
        "computed": float, "figure_ids": str, "message": str, "other_document_id": int,
        "basis": str,  # the words or table cells asserting the relation checked
        **PROVENANCE,
    },
    "findings": {
        "id": int, "document_id": int, "section_id": int, "category": str, "basis": str,
        "topic": str, "addressee": str, "text": str, **PROVENANCE,
    },
    "finding_citations": {"finding_id": int, "citation_id": int, "document_id": int},
    "finding_figures": {"finding_id": int, "figure_id": int, "document_id": int},
    "dates": {
        "id": int, "document_id": int, "surface": str, "value": str, "kind": str,
        "range_end": str, "problem": str, **PROVENANCE,
    },
    "entities": {
        "id": int, "document_id": int, "surface": str, "label": str, "canonical": str,
        "unit_code": str, "successor": str, "source": str, "candidates": str, **PROVENANCE,
    },
    # An auditor's verdict on a check. Not a document table: it survives re-ingest and
    # schema rebuilds, keyed on what is stable (document sha256, check kind, span).
    "reviews": {
        "id": int, "sha256": str, "kind": str, "span_start": int, "span_end": int,
        "verdict": str, "note": str, "reviewed_at": str,
    },
}

PRIMARY_KEYS = {name: "id" for name, cols in TABLES.items() if "id" in cols}

FOREIGN_KEYS = {  # table -> [(column, other_table)]
    name: [("document_id", "documents")] for name, cols in TABLES.items()
    if "document_id" in cols
}

# Columns that hold the id of a row (table -> {column: the table it points to}); a
# JSON list of ids counts too (checks.figure_ids). Analysis in a worker process hands
# out provisional ids, remapped through this map when the main process writes the
# document (pipeline/store/ids.py), so any new id column must be listed here.
REFERENCES = {
    name: {"id": name, **({"document_id": "documents"} if "document_id" in cols else {})}
    for name, cols in TABLES.items()
}
for _table, _refs in {
    "sections": {"parent_id": "sections"},
    "citations": {"resolves_to": "citations", "stage_resolves_to": "citations", "target_document_id": "documents",
                  "basis_document_id": "documents", "cited_document_id": "cited_documents"},
    "cited_documents": {"target_document_id": "documents"},
    "checks": {"figure_ids": "figures", "other_document_id": "documents"},
    "findings": {"section_id": "sections"},
    "finding_citations": {"finding_id": "findings", "citation_id": "citations"},
    "finding_figures": {"finding_id": "findings", "figure_id": "figures"},
}.items():
    REFERENCES[_table].update(_refs)
for _table, _cols in TABLES.items():
    REFERENCES[_table] = {c: t for c, t in REFERENCES[_table].items() if c in _cols}

INDEXES = {
    "documents": [["sha256"], ["path"]],
    "citations": [["canonical"], ["document_id"], ["cited_document_id"], ["number"]],
    "cited_documents": [["canonical"], ["number"]],
    "figures": [["document_id"]],
    "checks": [["document_id"], ["verdict"]],
    "reviews": [["sha256", "kind", "span_start", "span_end"]],
    "findings": [["document_id"], ["category"]],
    "sections": [["document_id"]],
    "blocks": [["document_id"]],
    "dates": [["document_id"], ["value"]],
    "entities": [["document_id"], ["label", "canonical"], ["unit_code"]],
}

# Tables whose rows belong to one document (deleted and rebuilt when it is re-ingested).
DOCUMENT_TABLES = [name for name, cols in TABLES.items()
                   if "document_id" in cols and name != "documents"]

# Tables with exact spans into documents.text, and the column that must equal the span.
SPAN_TEXT_COLUMN = {
    "blocks": None, "footnotes": "text", "tables": None, "sections": None,
    "citations": "surface", "figures": "surface", "findings": "text", "dates": "surface",
    "entities": "surface", "pages": None, "checks": None,
}
