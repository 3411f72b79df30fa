"""Text printed by PDF annotations: in digitally signed provincial PDFs the number and the
day of the date are stamped into signature widgets (appearance streams), not the page.
Fixtures are laid out here with reportlab, the widgets written as raw PDF objects."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from extractors.pdf import extract_pdf
from schemas.records import ExtractionError
from tests.conftest import SHARED_CORPUS

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
needs_font = pytest.mark.skipif(not (FONT_DIR / "DejaVuSerif.ttf").exists(), reason="no DejaVu font")
SIGNED = SHARED_CORPUS / "lamdong_ubnd_bc329_cchc_2025_signed.pdf"
SIZE = 13


def _canvas(path: Path):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("VN", str(FONT_DIR / "DejaVuSerif.ttf")))
    pdfmetrics.registerFont(TTFont("VNB", str(FONT_DIR / "DejaVuSerif-Bold.ttf")))
    return canvas.Canvas(str(path), pagesize=(595, 842))


def _width(text: str, font: str = "VN", size: float = SIZE) -> float:
    from reportlab.pdfbase import pdfmetrics
    return pdfmetrics.stringWidth(text, font, size)


def _widget(c, rect, content: bytes | None, *, bbox=None, matrix=(1, 0, 0, 1, 0, 0), flags=132,
            field_type="Sig", extra=None, font=True):
    """A widget annotation whose normal appearance is nested like a signing tool's: an
    outer form drawing /FRM, which draws /n2, which holds the text (Helvetica)."""
    from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFStream

    doc = c._doc
    x0, y0, x1, y1 = rect
    bbox = bbox or (0, 0, x1 - x0, y1 - y0)

    def form(code: bytes, resources: dict, box, mat=(1, 0, 0, 1, 0, 0)):
        d = PDFDictionary({"Type": PDFName("XObject"), "Subtype": PDFName("Form"),
                           "BBox": PDFArray(list(box)), "Matrix": PDFArray(list(mat)),
                           "FormType": 1, "Resources": PDFDictionary(resources)})
        return doc.Reference(PDFStream(d, code.decode("latin-1"), filters=[]))

    annot = {"Type": PDFName("Annot"), "Subtype": PDFName("Widget"), "FT": PDFName(field_type),
             "F": flags, "Rect": PDFArray(list(rect)), "T": f"Signature{len(c._annotationrefs) + 1}"}
    if content is not None:
        helv = doc.Reference(PDFDictionary({"Type": PDFName("Font"), "Subtype": PDFName("Type1"),
                                            "BaseFont": PDFName("Helvetica"),
                                            "Encoding": PDFName("WinAnsiEncoding")}))
        n2 = form(content, {"Font": PDFDictionary({"F1": helv})} if font else {}, bbox)
        frm = form(b"q 1 0 0 1 0 0 cm /n2 Do Q\n", {"XObject": PDFDictionary({"n2": n2})}, bbox)
        outer = form(b"q 1 0 0 1 0 0 cm /FRM Do Q\n", {"XObject": PDFDictionary({"FRM": frm})},
                     bbox, matrix)
        annot["AP"] = PDFDictionary({"N": outer})
    annot.update(extra or {})
    c._addAnnotation(PDFDictionary(annot))


def _text(size: float, x: float, y: float, text: str, skew: float = 0.0) -> bytes:
    return (f"BT\n1 0 {skew} 1 {x} {y} Tm\n/F1 {size} Tf\n0 0 0 rg\n({text})Tj\nET\n").encode()


def _signed_report(path: Path, *, hidden_text: str = "777") -> None:
    """A provincial report as a signing service leaves it: "Số:" and "/BC-UBND" in the
    page with a blank between them, the number in a widget; the day likewise. Page 2 is an
    annex whose caption repeats the number and day in widgets. Also: a signature image
    (no text), a hidden widget, and a widget that repeats text the page already prints."""
    c = _canvas(path)
    H = 842
    # --- page 1: header
    c.setFont("VNB", 12)
    c.drawCentredString(115, H - 70, "ỦY BAN NHÂN DÂN")
    c.drawCentredString(115, H - 86, "TỈNH KHÁNH HÒA")
    c.drawCentredString(405, H - 70, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    c.drawCentredString(405, H - 86, "Độc lập - Tự do - Hạnh phúc")
    c.setFont("VN", SIZE)
    y = H - 112
    x_so = 62
    c.drawString(x_so, y, "Số:")
    x_num = x_so + _width("Số:") + 4  # the widget's text starts here
    x_sym = x_num + 40  # a blank wide enough for four digits
    c.drawString(x_sym, y, "/BC-UBND")
    left = "Khánh Hòa, ngày"
    x_left = 285
    c.drawString(x_left, y, left)
    x_day = x_left + _width(left) + 4
    x_rest = x_day + 22
    c.drawString(x_rest, y, "tháng 12 năm 2025")
    c.setFont("VNB", 14)
    c.drawCentredString(297, H - 160, "BÁO CÁO")
    c.drawCentredString(297, H - 178, "Kết quả cải cách hành chính năm 2025")
    c.setFont("VN", SIZE)
    body = ["Thực hiện Kế hoạch số 15/KH-UBND ngày 17/01/2025 của Ủy ban nhân dân tỉnh,",
            "Ủy ban nhân dân tỉnh báo cáo kết quả cải cách hành chính năm 2025 như sau:"]
    for k, line in enumerate(body):
        c.drawString(85, H - 215 - 18 * k, line)
    c.drawString(85, H - 270, "1. Toàn tỉnh đã giải quyết 9.412 hồ sơ, đạt 98,5%.")
    signer = "Nguyễn Văn An"
    c.setFont("VNB", SIZE)
    c.drawCentredString(420, H - 330, "TM. ỦY BAN NHÂN DÂN")
    c.drawCentredString(420, H - 346, "CHỦ TỊCH")
    c.setFont("VN", SIZE)
    c.drawCentredString(420, H - 420, signer)

    # the number: nested appearance like the real signing service (Tm 2 5.3, 13 pt)
    _widget(c, (x_num - 2, H - 112 - 5.3, x_num + 60, H - 112 - 5.3 + 29), _text(SIZE, 2, 5.3, "329"))
    # the day: the form is drawn at half size by its Matrix (BBox twice the Rect's size)
    # and skewed (italic), as another tool does: 26 pt in the form = 13 pt on the page
    _widget(c, (x_day - 2, H - 112 - 5.3, x_day + 20, H - 112 - 5.3 + 29),
            _text(2 * SIZE, 4, 10.6, "19", skew=0.21256),
            bbox=(0, 0, 44, 58), matrix=(0.5, 0, 0, 0.5, 0, 0))
    # a signature image: a drawn box, no text
    _widget(c, (360, H - 410, 480, H - 350), b"q 0.8 0 0 rg 10 10 100 40 re f Q\n")
    # hidden (flag 2): never printed
    _widget(c, (85, H - 520, 200, H - 500), _text(SIZE, 2, 5, hidden_text), flags=2)
    c.showPage()

    # --- page 2: the annex caption with the number and day blank
    c.setFont("VNB", 14)
    c.drawCentredString(297, H - 70, "PHỤ LỤC")
    c.setFont("VN", SIZE)
    pre = "(Kèm theo Báo cáo số"
    c.drawString(85, H - 92, pre)
    xn = 85 + _width(pre) + 4
    c.drawString(xn + 24, H - 92, "/BC-UBND ngày")
    xd = xn + 24 + _width("/BC-UBND ngày") + 4
    c.drawString(xd + 20, H - 92, "tháng 12 năm 2025 của Ủy ban nhân dân tỉnh)")
    # widget text overlaps the symbol by a point, as in the real annex
    _widget(c, (xn - 2, H - 92 - 4.3, xn + 60, H - 92 - 4.3 + 29), _text(SIZE, 2, 4.3, "329"))
    _widget(c, (xd - 2, H - 92 - 4.3, xd + 16, H - 92 - 4.3 + 29), _text(SIZE, 2, 4.3, "19"))
    c.drawString(85, H - 130, "Biểu 1. Số thủ tục hành chính đã giải quyết trong năm 2025.")
    c.showPage()
    c.save()


@needs_font
def test_widget_number_and_day_enter_the_text(tmp_path):
    path = tmp_path / "signed.pdf"
    _signed_report(path)
    doc = extract_pdf(path)
    blocks = [doc.text[b.start:b.end] for b in doc.blocks]
    assert "Số: 329/BC-UBND" in blocks, blocks[:6]
    assert "Khánh Hòa, ngày 19 tháng 12 năm 2025" in blocks, blocks[:6]
    # the header columns stay apart (the widgets joined their own rows, not the other column)
    assert blocks[0] == "ỦY BAN NHÂN DÂN\nTỈNH KHÁNH HÒA"
    # annex caption: the overlapping number is glued to the symbol, the day spaced
    assert "(Kèm theo Báo cáo số 329/BC-UBND ngày 19 tháng 12 năm 2025 của Ủy ban nhân dân tỉnh)" \
        in doc.text
    # page 2 text is on page 2
    start = doc.text.index("(Kèm theo")
    assert any(p.page == 2 and p.start <= start < p.end for p in doc.pages)
    assert "777" not in doc.text  # hidden widget
    assert doc.text.count("Nguyễn Văn An") == 1


@needs_font
def test_widget_text_already_in_the_page_is_not_doubled(tmp_path):
    """A tool that writes the filled-in value both into the page and into a widget at the
    same place: one copy."""
    path = tmp_path / "twice.pdf"
    c = _canvas(path)
    c.setFont("Helvetica", SIZE)
    c.drawString(100, 700, "Report number 329/BC-UBND of 19 December 2025, final version.")
    c.drawString(100, 682, "Second line of the body text, long enough to be a paragraph.")
    _widget(c, (98, 700 - 5.3, 300, 700 - 5.3 + 29), _text(SIZE, 2, 5.3, "Report number 329"))
    c.showPage()
    c.save()
    doc = extract_pdf(path)
    assert doc.text.count("329") == 1, doc.text
    assert doc.text.startswith("Report number 329/BC-UBND of 19 December 2025")


@needs_font
def test_text_field_value_without_appearance(tmp_path):
    """A text field with a value but no appearance stream (viewers draw it from /V)."""
    from reportlab.pdfbase.pdfdoc import PDFString

    path = tmp_path / "field.pdf"
    c = _canvas(path)
    c.setFont("VN", SIZE)
    c.drawString(100, 700, "Số:")
    c.drawString(160, 700, "/QĐ-UBND")
    c.drawString(100, 660, "Quyết định này có hiệu lực kể từ ngày ký ban hành.")
    _widget(c, (126, 696, 158, 714), None, field_type="Tx", flags=4,
            extra={"V": PDFString("45"), "DA": PDFString("/Helv 0 Tf 0 g")})
    c.showPage()
    c.save()
    doc = extract_pdf(path)
    assert doc.text.startswith("Số: 45/QĐ-UBND"), doc.text


@needs_font
def test_scan_with_a_signature_stamp_is_still_a_scan(tmp_path):
    """A scanned letter signed digitally: the only text is the signature stamp's widget
    ("signed by ..., time ..."), which is not a text layer."""
    path = tmp_path / "scan.pdf"
    c = _canvas(path)
    c.setFillGray(0.5)
    c.rect(60, 60, 470, 700, fill=1, stroke=0)  # stands for the scanned image
    stamp = b"".join(_text(10, 0.5, y, t) for y, t in
                     ((33.5, "Signed by: Provincial People's Committee Office"),
                      (23.5, "Time: 2025-10-01T17:08:18+07:00")))
    _widget(c, (407, 783, 600, 829), stamp)
    c.showPage()
    c.save()
    with pytest.raises(ExtractionError, match="no text layer"):
        extract_pdf(path)


@needs_font
def test_signed_fixture_metadata_and_provenance(tmp_path, ingest_into):
    path = tmp_path / "bc329.pdf"
    _signed_report(path)
    summary, db = ingest_into(path)
    doc = next(iter(db.query("select * from documents")))
    assert doc["status"] == "ok", doc["error"]
    assert doc["number_symbol"] == "329/BC-UBND"
    assert doc["issued_date"] == "2025-12-19"
    _assert_spans(db, doc)


def _assert_spans(db, doc):
    from schemas.tables import SPAN_TEXT_COLUMN

    text, checked = doc["text"], 0
    for table, col in SPAN_TEXT_COLUMN.items():
        if col is None:
            continue
        for row in db.query(f"select start, end, {col} from {table} where document_id = ?", [doc["id"]]):
            assert text[row["start"]:row["end"]] == row[col], (table, row)
            checked += 1
    assert checked


# ---- the real signed report ---------------------------------------------------------------

@pytest.mark.real
@pytest.mark.slow
def test_real_signed_report_number_and_date(real_corpus_db):
    _, db = real_corpus_db
    doc = next(iter(db.query("select * from documents where path like ?", [f"%{SIGNED.name}"])))
    assert doc["number_symbol"] == "329/BC-UBND"
    assert doc["issued_date"] == "2025-12-19"
    assert doc["issued_place"] == "Lâm Đồng"
    text = doc["text"]
    assert re.search(r"^Số: 329/BC-UBND$", text, re.M)
    # the annex caption on page 25 carries the same number and day
    assert "Kèm theo Báo cáo số 329/BC-UBND ngày 19 tháng 12 năm 2025" in text
    _assert_spans(db, doc)


@pytest.mark.real
def test_real_ministry_letter_number_and_day_in_widgets(ingest_into):
    """A one-page ministry letter signed digitally: number and day in widgets too; a
    scanned signed letter is read by OCR, not from its signature stamp's text."""
    office = SHARED_CORPUS.parent / "real" / "office"
    letter = office / "17.9.2025.Vv lay y kien du thao BC so ket 2021-2025.pdf"
    summary, db = ingest_into(letter, office / "1_4409.signed.pdf")
    status = {o.path.rsplit("/", 1)[-1]: (o.status, o.reason) for o in summary.outcomes}
    # the scan is read by OCR (its stamp text alone never counted as a text layer)
    assert status["1_4409.signed.pdf"][0] == "partial"
    scan_pages = list(db.query("select p.source from pages p join documents d on d.id = p.document_id"
                               " where d.path like '%1_4409.signed.pdf'"))
    assert any(r["source"] == "ocr" for r in scan_pages)
    doc = next(iter(db.query("select * from documents where path = ?", [str(letter)])))
    assert (doc["number_symbol"], doc["issued_date"]) == ("8151/BNV-CCHC", "2025-09-18")
    _assert_spans(db, doc)
