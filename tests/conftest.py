"""Shared test helpers: where the real documents are, and a real ingest into tmp SQLite."""
from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

ROOT = Path(__file__).resolve().parents[1]
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
SAMPLE_CORPUS = ROOT / "corpus"
REAL_TXT = SHARED_CORPUS / "bao-cao-giam-sat-cchc-tuan-giao-2024.txt"


@pytest.fixture
def ingest_into(tmp_path):
    """Ingest paths into a fresh database in tmp_path; returns (summary, db)."""
    from pipeline.ingest import ingest

    def run(*paths, db_name="corpus.db", **kwargs):
        db_path = tmp_path / db_name
        summary = ingest([str(p) for p in paths], db_path, **kwargs)
        return summary, sqlite_utils.Database(db_path)

    return run


@pytest.fixture(scope="session")
def extracted():
    """extract(path), cached for the session: the real PDFs take pdfminer ~1 s a page."""
    from functools import lru_cache

    from extractors import extract

    return lru_cache(maxsize=None)(lambda path: extract(path))


@pytest.fixture(scope="session")
def real_corpus_db(tmp_path_factory):
    """The whole ../shared/corpus ingested once per session: (summary, db). Scanned
    PDFs are OCR'd on their first two pages only (the rest is left out, with a warning)."""
    import os

    from pipeline.ingest import ingest

    db_path = tmp_path_factory.mktemp("real") / "corpus.db"
    before = os.environ.get("BAOCAO_OCR_MAX_PAGES")
    os.environ["BAOCAO_OCR_MAX_PAGES"] = "2"
    try:
        summary = ingest([str(SHARED_CORPUS)], db_path)
    finally:
        if before is None:
            del os.environ["BAOCAO_OCR_MAX_PAGES"]
        else:
            os.environ["BAOCAO_OCR_MAX_PAGES"] = before
    return summary, sqlite_utils.Database(db_path)
