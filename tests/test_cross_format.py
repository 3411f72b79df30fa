"""The sample report as TXT, DOCX (real Word footnotes) and PDF (rendered from the DOCX by
LibreOffice) must extract to the same document: same body text, same footnotes, every
footnote linked to its marker at the same place.

What the comparison ignores, and why (nothing else):
- whitespace: folded (runs of whitespace -> one space): line wrapping, paragraph joins;
- "|": table cell separators, since a table row may be one line or several;
- the two layout blocks printed as two columns — the header (issuing body | national
  motto; number | place and date), i.e. everything before the title "BÁO CÁO", and the
  closing (Nơi nhận | signature), from "Nơi nhận" on — whose cells each format reads in
  a different order. Those are compared as bags of words instead (Markdown "**" of the
  text export removed).
"""
from __future__ import annotations

import difflib
import importlib.util
import re
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from extractors import extract
from pipeline.text.builder import to_superscript

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "data" / "sample"
FORMATS = ("txt", "docx", "pdf")
N_FOOTNOTES = 10  # counted in tests/data/sample/report.yaml
TITLE, CLOSING = "BÁO CÁO", "Nơi nhận"


def fold(text: str) -> str:
    return " ".join(text.replace("|", " ").split())


def regions(doc) -> tuple[str, str, str]:
    """(header, body, closing) of the body text, split at the title and at "Nơi nhận"."""
    body = doc.text[: doc.body_end]
    start, end = body.index(TITLE), body.index(CLOSING)
    return body[:start], body[start:end], body[end:]


def words(text: str) -> Counter:
    return Counter(fold(text.replace("*", "")).split())


@pytest.fixture(scope="module")
def docs():
    return {fmt: extract(SAMPLE / f"bao-cao-mau.{fmt}") for fmt in FORMATS}


def test_sample_renderings_exist_and_have_pages(docs):
    for fmt, doc in docs.items():
        assert not doc.warnings, (fmt, doc.warnings)
    assert docs["pdf"].page_count >= 5


def test_bodies_agree(docs):
    bodies = {fmt: fold(regions(doc)[1]) for fmt, doc in docs.items()}
    assert len(bodies["txt"]) > 8000
    # TXT and DOCX carry the same paragraphs: exact equality.
    assert bodies["txt"] == bodies["docx"]
    for fmt in ("docx", "pdf"):
        ratio = 1.0 if bodies[fmt] == bodies["txt"] else difflib.SequenceMatcher(
            None, bodies["txt"], bodies[fmt], autojunk=False).ratio()
        print(f"body txt~{fmt}: ratio {ratio:.5f}")
        assert ratio >= 0.98, fmt


def test_txt_page_break_repairs(docs):
    """The text export cuts a body sentence and a footnote at page breaks: both re-joined."""
    body = fold(regions(docs["txt"])[1])
    assert "chấn chỉnh kịp thời một số trường hợp" in body
    fn5 = next(f for f in docs["txt"].footnotes if f.number == 5)
    assert "thủ tục hành chính trên môi trường điện tử" in fold(docs["txt"].text[fn5.start:fn5.end])
    assert "trên môi trường điện tử; Thông tư" not in body


def test_layout_blocks_have_the_same_words(docs):
    for part in (0, 2):
        bags = {fmt: words(regions(doc)[part]) for fmt, doc in docs.items()}
        assert bags["txt"] == bags["docx"] == bags["pdf"], part


def test_footnotes_agree_and_are_linked(docs):
    seen = {}
    for fmt, doc in docs.items():
        notes = sorted(doc.footnotes, key=lambda f: f.number)
        assert [f.number for f in notes] == list(range(1, N_FOOTNOTES + 1)), fmt
        entries = []
        for f in notes:
            assert f.anchor_start is not None, (fmt, f.number)
            assert doc.text[f.anchor_start:f.anchor_end] == to_superscript(f.number)
            assert f.anchor_start < doc.body_end <= f.start
            # What precedes the marker, so a marker linked to the wrong place shows.
            before = fold(doc.text[: f.anchor_start])[-40:]
            entries.append((f.number, fold(doc.text[f.start:f.end]), before))
        seen[fmt] = entries
    assert seen["txt"] == seen["docx"] == seen["pdf"]
    # no footnote text left in any body
    for fmt, doc in docs.items():
        body = fold(doc.text[: doc.body_end])
        for number, text, _ in seen[fmt]:
            assert text[:60] not in body, (fmt, number)


def test_pdf_footnotes_on_their_pages(docs):
    pdf = docs["pdf"]
    for f in pdf.footnotes:
        anchor_page = next(p.page for p in pdf.pages if p.start <= f.anchor_start < p.end)
        assert f.page == anchor_page, f.number


def test_docx_fixture_has_real_word_footnotes():
    with zipfile.ZipFile(SAMPLE / "bao-cao-mau.docx") as zf:
        notes = zf.read("word/footnotes.xml").decode()
        body = zf.read("word/document.xml").decode()
    ids = [int(i) for i in re.findall(r'<w:footnote [^>]*w:id="(-?\d+)"', notes)]
    assert sorted(i for i in ids if i > 0) == list(range(1, N_FOOTNOTES + 1))
    assert body.count("<w:footnoteReference ") == N_FOOTNOTES


def test_data_table_agrees(docs):
    """The results table: same cells from Word's table and from the PDF's ruled table."""
    def data_table(doc):
        return next(t.rows for t in doc.tables if t.rows[0][0] == "STT")
    docx_rows, pdf_rows = data_table(docs["docx"]), data_table(docs["pdf"])
    assert len(docx_rows) == 12 and len(docx_rows[0]) == 5
    assert pdf_rows == docx_rows


def test_page_furniture_is_not_text(docs):
    """The running footer and the page numbers in the header are not part of the text."""
    for fmt in ("docx", "pdf"):
        doc = docs[fmt]
        assert "Báo cáo cải cách hành chính năm 2024" not in doc.text, fmt
        lone_numbers = [doc.text[b.start:b.end] for b in doc.blocks
                        if doc.text[b.start:b.end].strip().isdigit()]
        assert not lone_numbers, (fmt, lone_numbers)


def _make_fixtures():
    spec = importlib.util.spec_from_file_location("make_fixtures", ROOT / "scripts" / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RENDERINGS = [  # (source, rendered file) as written by scripts/make_fixtures.py
    ("report.yaml", SAMPLE / "bao-cao-mau.txt"),
    ("report.yaml", SAMPLE / "bao-cao-mau.docx"),
    ("report.yaml", ROOT / "corpus" / "bao-cao-mau.docx"),
    ("quyet-dinh.yaml", ROOT / "corpus" / "quyet-dinh-58-2024.docx"),
    ("ke-hoach.yaml", ROOT / "corpus" / "ke-hoach-24-2024.md"),
    ("cong-van.yaml", ROOT / "corpus" / "cong-van-1468-2024.txt"),
]


@pytest.mark.parametrize("source,rendered", RENDERINGS, ids=lambda x: getattr(x, "name", x))
def test_committed_fixtures_match_their_source(source, rendered, tmp_path):
    """The committed renderings are what the script makes of their YAML today (PDFs need
    LibreOffice: the report's PDF is checked against its DOCX by the tests above)."""
    mf = _make_fixtures()
    doc = mf.load(source)
    if rendered.suffix == ".docx":
        mf.render_docx(doc, tmp_path / "fresh.docx")
        assert extract(tmp_path / "fresh.docx").text == extract(rendered).text
    else:
        assert mf.render_text(doc, rendered.suffix) == rendered.read_text(encoding="utf-8")


@pytest.mark.slow  # the full pipeline (NER model load included) runs over 5 documents
def test_sample_corpus_ingests_and_links(ingest_into):
    """`make ingest` on a fresh machine: every sample document loads cleanly, and the
    letter's citation of the report (by symbol and date) reaches the report in the corpus."""
    summary, db = ingest_into(ROOT / "corpus")
    docs = list(db.query("select id, path, status, warnings from documents"))
    assert len(docs) == 5
    assert all(d["status"] == "ok" and not d["warnings"] for d in docs), docs
    by_name = {Path(d["path"]).name: d["id"] for d in docs}
    letter = by_name["cong-van-1468-2024.txt"]
    reports = {by_name["bao-cao-mau.docx"], by_name["bao-cao-mau.pdf"]}
    targets = {r["target_document_id"] for r in db.query(
        "select target_document_id from citations where document_id = ? and canonical = ?",
        [letter, "125/BC-UBND"])}
    assert targets and targets <= reports, targets


def test_sample_report_has_what_the_stages_need():
    """Guard the fixture's promises (used by citation/figure/finding tests)."""
    text = (SAMPLE / "bao-cao-mau.txt").read_text(encoding="utf-8")
    for needle in ("63/2010/NĐ-CP", "4011/QĐ-UBND", "15/KH-UBND", "18-NQ/TW",
                   "01/2015/TTLT-BNV-BTC", "Nghị định 108 của Chính phủ",
                   "ngày 08 tháng 6 năm 2010", "tháng 12/2023", "giai đoạn 2021-2025",
                   "từ 7/2021 đến 31/12/2023", "15/12/2023", "Đối với UBND tỉnh",
                   "Ưu điểm", "Hạn chế", "Nguyên nhân", "KIẾN NGHỊ, ĐỀ XUẤT",
                   "7.652/12.486 hồ sơ, đạt 65,28%", "3.427/3.918 hồ sơ", "trong đó: cấp huyện"):
        assert needle in text, needle
    assert len(re.findall(r"^[⁰¹²³⁴⁵⁶⁷⁸⁹]+ ", text, re.M)) == N_FOOTNOTES
