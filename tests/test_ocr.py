"""OCR of scanned PDFs and images (extractors/ocr.py) on the synthetic scans of
tests/ocr_synth.py, the quality gate re-reading a worthless text layer, a missing
Tesseract, and the real scans of ../shared (first pages only)."""
from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

from extractors import extract, ocr, sniff
from pipeline.text.quality import THRESHOLD
from schemas.records import ExtractionError
from tests import ocr_synth
from tests.conftest import ROOT

SHARED = ROOT.parent / "shared"
needs_font = pytest.mark.skipif(not (ocr_synth.FONT_DIR / "DejaVuSerif.ttf").exists(),
                                reason="no DejaVu font")


@pytest.fixture(scope="session")
def synth(tmp_path_factory):
    """The report as PDF (text layer) and its extraction: the reference."""
    d = tmp_path_factory.mktemp("synth")
    pdf = d / "bao-cao.pdf"
    pages = ocr_synth.make_report_pdf(pdf)
    return d, pdf, pages, extract(pdf)


def image_pdf(path: Path, images: list[Path], hidden_text: list[str] | None = None) -> None:
    """A 'scanned' PDF: one page image per page, optionally under an invisible text
    layer (what a scanner's OCR leaves behind)."""
    from PIL import Image
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=(595, 842))
    for k, img in enumerate(images):
        with Image.open(img) as im:
            w, h = im.size
        c.drawImage(str(img), 0, 0, width=595, height=595 * h / w)
        if hidden_text:
            t = c.beginText(60, 780)
            t.setTextRenderMode(3)  # invisible
            t.setFont("Helvetica", 11)
            for line in hidden_text[k].split("\n"):
                t.textLine(line)
            c.drawText(t)
        c.showPage()
    c.save()


def strip_marks(text: str) -> str:
    out = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    return out.replace("đ", "d").replace("Đ", "D")


# --------------------------------------------------------------------------- fast checks
@pytest.mark.parametrize("head,suffix", [
    (b"\x89PNG\r\n\x1a\n....", ".png"), (b"\xff\xd8\xff\xe0..JFIF", ".jpg"),
    (b"II*\x00....", ".tif"), (b"MM\x00*....", ".tiff"), (b"\x89PNG\r\n\x1a\n", ".txt"),
])
def test_images_are_sniffed_by_magic_bytes(head, suffix):
    assert sniff(Path("scan" + suffix), head) == "image"


def test_image_suffix_with_other_bytes_fails_clearly():
    with pytest.raises(ExtractionError, match=r"^not a PNG image"):
        sniff(Path("scan.png"), b"hello world")


@needs_font
def test_skew_is_measured(synth):
    from PIL import Image

    d, pdf, _, _ = synth
    page = ocr.render_pdf_page(str(pdf), 0, 100).convert("L")
    for angle in (2.5, -1.8):
        turned = page.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=255)
        assert abs(ocr.estimate_skew(turned) + angle) <= 0.3  # the correction: -angle


@needs_font
def test_ocr_words_come_in_points_with_sizes(synth):
    """The header band of page 1 (a quick OCR): words, boxes in PDF points, font size
    near the drawn 11-12 pt, the symbol read whole."""
    from PIL import Image

    d, pdf, _, _ = synth
    page = ocr.render_pdf_page(str(pdf), 0, 300)
    band = page.crop((0, 0, page.width, page.height * 120 // 842))  # above the title
    result = ocr.ocr_image(band, 300)
    assert result.error is None and result.confidence > 80
    texts = [w.text for w in result.words]
    assert "215/BC-UBND" in texts and "CỘNG" in texts and "Hạnh" in texts
    assert all(0 <= w.x0 < w.x1 <= 595 and 0 <= w.top < w.bottom <= 121 for w in result.words)
    assert all(10 <= w.size <= 14 for w in result.words)
    numero = next(w for w in result.words if w.text == "215/BC-UBND")
    assert numero.x0 < 300 and 60 < numero.top < 120  # left column, fourth line


def test_missing_tesseract_is_one_clear_line(tmp_path, monkeypatch, ingest_into):
    from PIL import Image

    img = tmp_path / "trang.png"
    Image.new("L", (850, 1100), 255).save(img)
    pdf = tmp_path / "scan.pdf"
    image_pdf(pdf, [img])
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    ocr._missing.cache_clear()
    try:
        for path in (pdf, img):
            with pytest.raises(ExtractionError) as info:
                extract(path)
            msg = str(info.value)
            assert "install tesseract-ocr-vie, or run make as root" in msg and "\n" not in msg
        summary, db = ingest_into(pdf)
        row = next(iter(db["documents"].rows))
        assert row["status"] == "failed" and "install tesseract-ocr-vie" in row["error"]
    finally:
        ocr._missing.cache_clear()


def test_ocr_disabled_keeps_the_old_refusal(tmp_path, monkeypatch):
    from PIL import Image

    img = tmp_path / "trang.png"
    Image.new("L", (850, 1100), 255).save(img)
    pdf = tmp_path / "scan.pdf"
    image_pdf(pdf, [img])
    monkeypatch.setenv("BAOCAO_OCR", "0")
    with pytest.raises(ExtractionError, match=r"^no text layer \(scanned\?\); OCR disabled"):
        extract(pdf)


@needs_font
def test_per_file_timeout_is_a_clear_reason(synth, tmp_path, monkeypatch, ingest_into):
    d, pdf, _, _ = synth
    img = ocr_synth.scan(pdf, ocr_synth.Variant(1, 200, seed=8), d)
    scan_pdf = tmp_path / "qua-gio.pdf"
    image_pdf(scan_pdf, [img, img])
    monkeypatch.setenv("BAOCAO_OCR_TIMEOUT", "0")  # the deadline is already past
    with pytest.raises(ExtractionError) as info:
        extract(scan_pdf)
    assert str(info.value) == "no text layer (scanned?); OCR failed on pages 1 (OCR timed out), 2 (OCR timed out)"
    summary, db = ingest_into(scan_pdf, img)
    assert [o.status for o in summary.outcomes] == ["failed", "failed"]
    assert all("OCR timed out" in o.reason for o in summary.outcomes)


# ------------------------------------------------------------------- synthetic accuracy
@pytest.fixture(scope="session")
def scanned(synth):
    """A handful of scans OCR'd once per session: a 2-frame TIFF at 300 dpi (page 1
    skewed +2.5°, page 2 turned upside down), a PNG at 200 dpi (page 2 skewed -3°) and a
    JPEG at 200 dpi (page 1 turned 90°)."""
    from PIL import Image

    d, pdf, pages, digital = synth
    v = ocr_synth.Variant
    tif_variants = [v(1, 300, skew=2.5, seed=1), v(min(2, pages), 300, rotate=180, seed=2)]
    frames = [Image.open(ocr_synth.scan(pdf, x, d)) for x in tif_variants]
    tif = d / "scan.tif"
    frames[0].save(tif, save_all=True, append_images=frames[1:], dpi=(300, 300),
                   compression="tiff_deflate")
    png = ocr_synth.scan(pdf, v(min(2, pages), 200, skew=-3.0, seed=3), d)
    jpg_src = ocr_synth.scan(pdf, v(1, 200, rotate=90, seed=4), d)
    jpg = d / "scan.jpg"
    Image.open(jpg_src).save(jpg, quality=85, dpi=(200, 200))
    out = {}
    for name, path, page_map in (("tif", tif, [v.page for v in tif_variants]),
                                 ("png", png, [min(2, pages)]), ("jpg", jpg, [1])):
        doc = extract(path)
        for k, ref_page in enumerate(page_map, start=1):
            out[f"{name}{k}"] = (doc, k, ref_page)
    return digital, out


@pytest.mark.slow
@needs_font
def test_ocr_character_error_rate(scanned):
    digital, out = scanned
    rates = {}
    for key, (doc, page, ref_page) in out.items():
        ref = ocr_synth.page_text(digital, ref_page)
        rates[key] = ocr_synth.cer(ref, ocr_synth.page_text(doc, page))
    print("\nCER per scan:", {k: round(r, 4) for k, r in rates.items()})
    assert all(r <= 0.015 for r in rates.values()), rates


@pytest.mark.slow
@needs_font
def test_ocr_citation_recall(scanned):
    digital, out = scanned
    found = total = 0
    for doc, page, ref_page in out.values():
        f, t = ocr_synth.citation_recall(ocr_synth.page_text(digital, ref_page),
                                         ocr_synth.page_text(doc, page))
        found, total = found + f, total + t
    assert total >= 10
    assert found / total >= 0.95, (found, total)


@pytest.mark.slow
@needs_font
def test_ocr_pages_go_through_the_pdf_layout_analysis(scanned):
    digital, out = scanned
    doc, page, _ = out["tif1"]
    assert doc.format == "image" and doc.page_count == 2 and not doc.warnings
    assert all(src == "ocr" and q >= THRESHOLD for src, q in doc.page_sources.values())
    header = [doc.text[b.start:b.end] for b in doc.blocks if b.style == "header"]
    assert any(h.startswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") for h in header)
    assert any(h.startswith("Số: 215/BC-UBND") for h in header)
    # the same blocks as the text layer, paragraph for paragraph (lines re-joined)
    starts = lambda d, p: [d.text[b.start:b.start + 25] for b in d.blocks if b.page == p]
    ref = starts(digital, 1)
    got = starts(doc, 1)
    assert len(got) == len(ref)
    assert sum(a == b for a, b in zip(ref, got)) >= 0.8 * len(ref)
    # the turned pages were put upright
    assert out["tif2"][0].text.count("Chính phủ") >= 1 and out["jpg1"][0].text.startswith("ỦY BAN")


@pytest.mark.slow
@needs_font
def test_worthless_text_layer_is_replaced_by_ocr(synth, ingest_into, tmp_path, monkeypatch):
    """A scan whose invisible text layer lost its diacritics (a poor OCR): the gate sends
    the page to OCR and the stored text is the OCR's; without OCR the document is partial."""
    d, pdf, _, digital = synth
    img = ocr_synth.scan(pdf, ocr_synth.Variant(1, 200, seed=9), d)
    layer = strip_marks(ocr_synth.page_text(digital, 1))
    lines = [layer[i:i + 90] for i in range(0, len(layer), 90)]
    bad = tmp_path / "lop-chu-hong.pdf"
    image_pdf(bad, [img], ["\n".join(lines)])

    monkeypatch.setenv("BAOCAO_OCR", "0")
    doc = extract(bad)
    assert doc.page_sources[1][0] == "text" and doc.page_sources[1][1] < THRESHOLD
    assert any("text without diacritics" in w and "OCR disabled" in w for w in doc.warnings)

    monkeypatch.delenv("BAOCAO_OCR")
    summary, db = ingest_into(bad)
    row = next(iter(db["documents"].rows))
    assert row["status"] == "ok", row["warnings"]
    pages = list(db.query("select page, source, quality from pages"))
    assert {p["source"] for p in pages} == {"ocr"} and min(p["quality"] for p in pages) >= THRESHOLD
    assert "Nghị định số 63/2010/NĐ-CP" in row["text"]
    assert db.execute("select count(*) from citations").fetchone()[0] >= 4


# ------------------------------------------------------------------------------- real
REAL_SCANS = [
    "corpus/bcdcchc_qd46-2021_scanned.pdf", "real/office/1_4409.signed.pdf",
    "real/office/1_5240.signed.pdf", "real/office/3980_0001 (1).pdf",
    "real/office/5689_BCA-C04.pdf", "real/office/QD932.pdf", "real/more/115 bc-kcn.pdf",
    "real/more/KH2668_CNTT_UB.pdf", "real/more/cv-682-sct.pdf",
]
BAD_LAYERS = [
    "real/office/298 PC04.pdf",  # fonts that map glyphs wrongly
    "real/more/1761708085111-BC_so_635_Vv_khao_sat_nguoi_hoc_nam_cuoi_ve_dich_vu_cham_soc__ho_tro_doi_song__NCKH.pdf",
]


def _extract_first_page(rel: str):
    os.environ.update(BAOCAO_OCR_MAX_PAGES="1", BAOCAO_OCR_JOBS="1")
    try:
        return rel, extract(SHARED / rel), None
    except ExtractionError as exc:
        return rel, None, str(exc)


@pytest.fixture(scope="module")
def real_first_pages():
    """Every real scan and bad-layer PDF with only its first page OCR'd, the files read
    two at a time (one Tesseract process each)."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=2) as pool:
        return {rel: (doc, err) for rel, doc, err in pool.map(_extract_first_page,
                                                               REAL_SCANS + BAD_LAYERS)}


@pytest.mark.real
@pytest.mark.slow
def test_real_scans_are_read_by_ocr(real_first_pages):
    report = {}
    for rel in REAL_SCANS:
        doc, err = real_first_pages[rel]
        assert err is None, (rel, err)
        source, quality = doc.page_sources[1]
        report[rel] = quality
        assert source == "ocr"
        # never 'ok' below the threshold: the other pages were not read (limit), so a
        # multi-page scan says so; a page below the threshold says so too
        if quality < THRESHOLD:
            assert any("text quality below" in w for w in doc.warnings), rel
        if doc.page_count > 1:
            assert any("not OCR'd" in w for w in doc.warnings)
        # the first page carries the document's number line and its date line
        first = doc.text[:1500]
        assert "Số" in first or "số" in first, rel
    print("\nfirst-page quality:", report)
    assert sum(q >= THRESHOLD for q in report.values()) >= len(report) - 2, report


@pytest.mark.real
@pytest.mark.slow
def test_real_bad_text_layers_are_never_ok(real_first_pages):
    for rel in BAD_LAYERS:
        doc, err = real_first_pages[rel]
        assert err is None, (rel, err)
        source, quality = doc.page_sources[1]
        assert source == "ocr", (rel, doc.page_sources)  # the text layer was thrown away
        ok = not doc.warnings
        assert not ok or all(q is not None and q >= THRESHOLD for _, q in doc.page_sources.values())
