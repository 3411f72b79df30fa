"""The real documents in ../shared/corpus all ingest (or fail with a clear reason), and the
draft DOCX and the signed PDF of the same report agree on most body text and footnotes."""
from __future__ import annotations

import difflib
import re

import pytest

from extractors import extract
from schemas.records import ExtractionError
from tests.conftest import SHARED_CORPUS

pytestmark = [pytest.mark.slow, pytest.mark.real]

DRAFT = SHARED_CORPUS / "lamdong_ubnd_bc_cchc_2025_draft.docx"
SIGNED = SHARED_CORPUS / "lamdong_ubnd_bc329_cchc_2025_signed.pdf"


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def shingles(tokens: list[str], n: int = 5) -> set[tuple[str, ...]]:
    return {tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)}


def test_scanned_pdf_needs_ocr_and_the_word97_doc_is_read(monkeypatch):
    monkeypatch.setenv("BAOCAO_OCR", "0")  # with OCR the scan is read (tests/test_ocr.py)
    with pytest.raises(ExtractionError, match=r"^no text layer \(scanned\?\); OCR disabled"):
        extract(SHARED_CORPUS / "bcdcchc_qd46-2021_scanned.pdf")
    # Word 97 goes through LibreOffice (tests/test_office.py), its TCVN3 runs through
    # pipeline/text/encodings.py (tests/test_encodings_real.py)
    doc = extract(SHARED_CORPUS / "cantho_ubnd_qd256-2004_tcvn3.doc")
    assert doc.format == "doc" and len(doc.text) > 10000 and "QUYẾT ĐỊNH" in doc.text


def test_whole_real_corpus_ingests(real_corpus_db):
    summary, db = real_corpus_db
    failed = {o.path.rsplit("/", 1)[-1] for o in summary.failed}
    assert failed == set()
    ok = {r["path"].rsplit("/", 1)[-1]: r for r in db.query(
        "select path, pages, status, warnings from documents where status != 'failed'")}
    # the scan is OCR'd, its first pages only in the test session (conftest): partial
    scan = ok["bcdcchc_qd46-2021_scanned.pdf"]
    assert scan["status"] == "partial" and "not OCR'd" in scan["warnings"]
    assert ok["chinhphu_nd335-2025.pdf"]["pages"] == 19
    assert ok["lamdong_ubnd_bc329_cchc_2025_signed.pdf"]["pages"] == 35


def test_draft_docx_and_signed_pdf_agree(extracted):
    draft, signed = extracted(DRAFT), extracted(SIGNED)
    body_d = words(draft.text[:draft.body_end])
    body_s = words(signed.text[:signed.body_end])
    sh_d, sh_s = shingles(body_d), shingles(body_s)
    body_overlap = len(sh_d & sh_s) / len(sh_d)
    fn_d = [" ".join(words(draft.text[f.start:f.end])) for f in draft.footnotes]
    fn_s = [" ".join(words(signed.text[f.start:f.end])) for f in signed.footnotes]
    matched = sum(
        1 for a in fn_d
        if max((difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() for b in fn_s), default=0) >= 0.8
    )
    print(f"\nbody 5-gram overlap draft→signed: {body_overlap:.3f}; "
          f"footnotes: draft {len(fn_d)}, signed {len(fn_s)}, matched {matched}")
    assert len(fn_d) == 17
    assert body_overlap >= 0.75
    assert matched / len(fn_d) >= 0.7
