"""Every row with start/end points into documents.text, and its text column is that span."""
from __future__ import annotations

import pytest

from schemas.tables import SPAN_TEXT_COLUMN, TABLES
from tests.conftest import SAMPLE_CORPUS


def assert_spans(db):
    texts = {r["id"]: r["text"] for r in db.query("select id, text from documents")}
    checked = 0
    for table, columns in TABLES.items():
        if "start" not in columns or table == "documents" or not db[table].exists():
            continue
        text_col = SPAN_TEXT_COLUMN.get(table)
        for row in db[table].rows:
            text = texts[row["document_id"]]
            assert text is not None, (table, row)
            start, end = row["start"], row["end"]
            assert 0 <= start <= end <= len(text), (table, row)
            if text_col:
                assert text[start:end] == row[text_col], (table, row["id"], text[start:end], row[text_col])
            checked += 1
        for col in ("anchor_start", "heading_start", "sentence_start"):
            if col in columns:
                end_col = col.replace("start", "end")
                for row in db[table].rows:
                    if row[col] is not None:
                        assert 0 <= row[col] <= row[end_col] <= len(texts[row["document_id"]])
    return checked


def test_sample_corpus_spans(ingest_into):
    summary, db = ingest_into(SAMPLE_CORPUS)
    assert summary.outcomes, "corpus/ has sample documents"
    assert not summary.failed, [(o.path, o.reason) for o in summary.failed]
    assert assert_spans(db) > 0


@pytest.mark.slow
@pytest.mark.real
def test_real_corpus_spans(real_corpus_db):
    summary, db = real_corpus_db
    assert assert_spans(db) > 1000
    footnote_anchor_is_marker = list(db.query(
        "select d.text, f.anchor_start, f.anchor_end, f.number from footnotes f"
        " join documents d on d.id = f.document_id where f.anchor_start is not null"))
    assert footnote_anchor_is_marker
    for row in footnote_anchor_is_marker:
        marker = row["text"][row["anchor_start"]:row["anchor_end"]]
        assert marker and all(c in "⁰¹²³⁴⁵⁶⁷⁸⁹*" for c in marker), marker
