"""The PDFium reader (default) against the former pdfplumber reader (the reference): the
same text, blocks, footnotes, page spans and tables on every fixture PDF and every real
PDF in ../shared.

Tolerance, and why: where a font has no usable Unicode mapping, the two libraries guess
differently (pdfminer writes "(cid:N)", PDFium often finds the glyph's letter through the
font's own tables), so a document whose reference text fails the quality gate or lost
unmapped glyphs is garbled on at least one side (and its pages below the gate go to OCR
in a real ingest, whatever the reader gave). On such
documents the test asks only that PDFium's reading is no worse, page by page. Everything
else must be equal.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from extractors.pdf import extract_pdf
from pipeline.text.quality import THRESHOLD
from schemas.records import ExtractionError
from tests.conftest import SHARED_CORPUS

HERE = Path(__file__).parent
ROOT = HERE.parent
SHARED = SHARED_CORPUS.parent


def _view(doc) -> dict:
    return {
        "text": doc.text,
        "blocks": [dataclasses.astuple(b) for b in doc.blocks],
        "footnotes": [dataclasses.astuple(f) for f in doc.footnotes],
        "pages": [dataclasses.astuple(p) for p in doc.pages],
        "tables": [dataclasses.astuple(t) for t in doc.tables],
        "page_count": doc.page_count,
    }


def _extract(path: Path, reader: str):
    try:
        return extract_pdf(path, reader=reader)
    except ExtractionError as exc:
        return str(exc)


def _garbled(doc) -> bool:
    """Some text layer fails the quality gate, or glyphs without a Unicode mapping
    were dropped from it."""
    return any(q is not None and q < THRESHOLD for _src, q in doc.page_sources.values()) \
        or any("without a Unicode mapping" in w for w in doc.warnings)


def assert_same(path: Path) -> None:
    ref, new = _extract(path, "pdfplumber"), _extract(path, "pdfium")
    if isinstance(ref, str) or isinstance(new, str):
        assert ref == new, path.name  # the same failure, with the same reason
        return
    if not _garbled(ref):
        a, b = _view(ref), _view(new)
        for key in a:
            assert a[key] == b[key], f"{path.name}: {key} differ"
        return
    for page, (_src, q) in ref.page_sources.items():
        q_new = new.page_sources.get(page, ("", 0.0))[1] or 0.0
        assert q_new >= (q or 0.0) - 0.02, f"{path.name} p.{page}: quality {q_new} < {q}"


@pytest.fixture(autouse=True)
def _no_ocr(monkeypatch):
    # OCR reads the same picture whichever reader ran first; only text layers compared.
    monkeypatch.setenv("BAOCAO_OCR_MAX_PAGES", "0")


# ---- fixture PDFs ----------------------------------------------------------------------
FIXTURE_FILES = [ROOT / "corpus" / "bao-cao-mau.pdf", HERE / "data" / "sample" / "bao-cao-mau.pdf",
                 HERE / "data" / "pdf_unmapped_glyphs.pdf"]


@pytest.mark.parametrize("path", [p for p in FIXTURE_FILES if p.exists()], ids=lambda p: p.name)
def test_fixture_files_read_the_same(path):
    assert_same(path)


def test_unmapped_glyphs_are_read_no_worse():
    """The one fixture whose font lacks a Unicode mapping: pdfminer drops the glyphs,
    PDFium reads most of them; never more dropped glyphs than the reference."""
    path = HERE / "data" / "pdf_unmapped_glyphs.pdf"
    ref, new = extract_pdf(path, reader="pdfplumber"), extract_pdf(path, reader="pdfium")
    assert "(cid:" not in new.text

    def dropped(doc):
        return sum(int(w.split()[0]) for w in doc.warnings if "without a Unicode mapping" in w)

    assert dropped(new) <= dropped(ref)


def _generated(tmp_path: Path) -> list[Path]:
    from tests import test_encodings, test_pdf, test_pdf_annotations

    out = []
    for name, kwargs in [("plain", {}), ("stamp", {"stamp": True}),
                         ("drop", {"blank_last_page": False, "signature_drop": 60}),
                         *sorted(test_pdf.VARIANTS.items())]:
        path = tmp_path / f"report-{name}.pdf"
        test_pdf.make_report_pdf(path, **kwargs)
        out.append(path)
    path = tmp_path / "signed.pdf"
    test_pdf_annotations._signed_report(path)
    out.append(path)
    path = tmp_path / "legacy.pdf"
    test_encodings._legacy_pdf(path)
    out.append(path)
    return out


@pytest.mark.skipif(not Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf").exists(),
                    reason="no DejaVu font")
def test_generated_fixtures_read_the_same(tmp_path):
    """The reportlab layouts of tests/test_pdf.py (every variant), the signed report with
    widgets of tests/test_pdf_annotations.py, the legacy-font PDF of test_encodings."""
    for path in _generated(tmp_path):
        assert_same(path)


def test_unknown_reader_is_refused(tmp_path):
    with pytest.raises(ValueError):
        extract_pdf(ROOT / "corpus" / "bao-cao-mau.pdf", reader="poppler")


# ---- real PDFs (../shared) -------------------------------------------------------------
REAL_PDFS = sorted(p for sub in ("corpus", "real") if (SHARED / sub).exists()
                   for p in (SHARED / sub).rglob("*") if p.suffix.lower() == ".pdf")


@pytest.mark.real
@pytest.mark.slow
@pytest.mark.parametrize("path", REAL_PDFS or [None], ids=lambda p: p.name if p else "none")
def test_real_pdfs_read_the_same(path):
    # (without ../shared the `real` marker skips this test before it runs; with it, a
    # folder without PDFs is an error, not a pass)
    assert path is not None, "no PDF under ../shared/corpus or ../shared/real"
    assert_same(path)
