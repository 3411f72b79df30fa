"""A number written by hand into the printed "Số: …/BC-UBND" of a scan is never stored
as read by OCR: only a number that looks printed stays (extractors.ocr.hide_unread_number)."""
from __future__ import annotations

import pytest

from extractors import ocr
from extractors.ocr import UNREAD, OcrWord

PAGE_HEIGHT = 842.0


def line(*pieces, top=100.0, size=13.0):
    """Words of one OCR line: (text, confidence) pairs, one space apart."""
    out, x = [], 90.0
    for text, conf in pieces:
        out.append(OcrWord(text, x, x + 6 * len(text), top, top + size, size, conf))
        x += 6 * len(text) + 4
    return out


def texts(words):
    return " ".join(w.text for w in words)


@pytest.mark.parametrize("pieces", [
    [("Số:", 93), ("215/BC-UBND", 92)],                 # typed with the form
    [("Số:", 93), ("215/BC-UBND", 79)],                 # the same on a 200 dpi scan
    [("Số:", 91), ("1248", 90), ("/SNV-CCVC", 88)],      # typed, the slash apart
    [("Số", 90), ("45-KH/TU", 91)],                      # a party document's number
    [("Số:", 92), ("/BC-UBND", 90)],                     # a blank form: nothing to hide
])
def test_printed_numbers_and_blank_forms_stay(pieces):
    words = line(*pieces)
    before = texts(words)
    assert ocr.hide_unread_number(words, PAGE_HEIGHT) is None
    assert texts(words) == before


@pytest.mark.parametrize("pieces, after, suffix", [
    ([("Số:", 92), ("AAS", 57), ("/BC-KCN", 92)], f"Số: {UNREAD} /BC-KCN", "/BC-KCN"),
    # handwritten digits glued to the printed words on both sides
    ([("Số:5", 24), ("222/BCA-V01", 22)], f"Số:{UNREAD} /BCA-V01", "/BCA-V01"),
    ([("Số:", 96), ("344/QĐ-TTg", 37)], f"Số: {UNREAD}/QĐ-TTg", "/QĐ-TTg"),
    # split in two words, the first one confident: the number is one reading
    ([("Số:", 91), ("3", 92), ("3#/C04-P6", 36)], f"Số: {UNREAD} /C04-P6", "/C04-P6"),
    # confident but not digits
    ([("Số:", 91), ("4H09/SYT-NV", 91)], f"Số: {UNREAD}/SYT-NV", "/SYT-NV"),
    # a yeared symbol keeps its printed year; a suffix split after its dash is whole
    ([("Số:", 90), ("15", 52), ("/2025/QĐ-UBND", 88)], f"Số: {UNREAD} /2025/QĐ-UBND", "/2025/QĐ-UBND"),
    ([("Số", 60), ("298", 40), ("/TTr-", 92), ("CAT-PC04", 91)], f"Số {UNREAD} /TTr- CAT-PC04",
     "/TTr-CAT-PC04"),
])
def test_unsure_numbers_are_hidden_and_said(pieces, after, suffix):
    words = line(*pieces)
    note = ocr.hide_unread_number(words, PAGE_HEIGHT)
    assert texts(words) == after
    assert note and note.endswith(f"Số: {UNREAD}{suffix}")


def test_issuer_line_and_body_are_left_alone():
    words = (line(("SỞ", 93), ("Y", 95), ("TẾ", 94), top=60)
             + line(("Số:", 92), ("07", 41), ("/KH-SYT", 90), top=100)
             + line(("Số:", 92), ("12", 40), ("/KH-UBND", 90), top=600))  # low on the page
    assert ocr.hide_unread_number(words, PAGE_HEIGHT)
    assert texts(words) == f"SỞ Y TẾ Số: {UNREAD} /KH-SYT Số: 12 /KH-UBND"


def test_hidden_number_leaves_no_number_symbol(ingest_into, tmp_path):
    """What the OCR layer leaves ("Số: … /BC-KCN") stores no number; place and date stay."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "bc.txt").write_text(
        "UBND TỈNH BẮC GIANG\nBAN QUẢN LÝ CÁC KCN\n\nSố: … /BC-KCN\n\n"
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"
        "Bắc Giang, ngày 15 tháng 11 năm 2012\n\nBÁO CÁO\n\nCông tác phòng, chống tham nhũng tháng 11 năm 2012\n\n"
        "Ban Quản lý các KCN báo cáo kết quả công tác phòng, chống tham nhũng như sau.\n", encoding="utf-8")
    _summary, db = ingest_into(tmp_path / "in")
    row = next(db.query("select number_symbol, issued_date, issued_place from documents"))
    assert row == {"number_symbol": None, "issued_date": "2012-11-15", "issued_place": "Bắc Giang"}


@pytest.mark.parametrize("pieces", [
    [("Số:", 92), ("……./BC-UBND", 90)],             # a printed blank form: dots, nothing written
    [("Số:", 92), ("........", 70), ("/KH-UBND", 91)],
])
def test_a_dotted_blank_form_is_not_a_number_unread(pieces):
    words = line(*pieces)
    before = texts(words)
    assert ocr.hide_unread_number(words, PAGE_HEIGHT) is None
    assert texts(words) == before


def test_the_number_slot_is_found_whatever_the_word_order():
    """Tesseract gives words block by block: a word low on the page may come first."""
    footer = line(("Trang", 90), ("1", 90), top=800.0)
    words = footer + line(("Số:", 92), ("AAS", 41), ("/BC-KCN", 92))
    assert ocr.hide_unread_number(words, PAGE_HEIGHT)
    assert UNREAD in texts(words)


@pytest.mark.parametrize("digits, name, ok", [
    ("215", "215_BC-UBND_signed.pdf", True),     # the office named the scan after its number
    ("215", "Bao cao so 215.pdf", True),
    ("21", "215_BC-UBND.pdf", False),            # a piece of another number is no confirmation
    ("2150", "215_BC-UBND.pdf", False),
    ("5", "5_BC-UBND.pdf", False),               # one digit confirms nothing
    ("215", None, False),
    ("112", "BC 112 tháng 12.pdf", True),
    ("3980", "CV 3980 ngay 8.9.2025.pdf", True),
    # a date or a year in the name confirms no number
    ("15", "Phieu trinh 15-9-2025.pdf", False),
    ("15", "To trinh 15_9_2025.pdf", False),
    ("09", "BC 2025-09-15 ban cuoi.pdf", False),
    ("2025", "CV 3980 ngay 8.9.2025.pdf", False),
    ("2024", "Bao cao so ket 2024.pdf", False),
    ("12", "BC 112 thang 12.pdf", False),
    ("12", "BC 112 tháng 12.pdf", False),
    ("30", "Ke hoach ngay 30.pdf", False),
    ("25", "BC 112 nam 25.pdf", False),
])
def test_a_reading_is_confirmed_only_by_the_same_digits_in_the_file_name(digits, name, ok):
    assert ocr.confirmed_by_name(digits, name) is ok


def _slot_image(digits: str):
    """A 300 dpi strip of the header: the printed "Số:", the digits in an oblique pen-like
    face, the printed suffix; with the OCR words as hide_unread_number left them."""
    from PIL import Image, ImageDraw, ImageFont

    from tests.ocr_synth import FONT_DIR
    px = 300 / 72
    img = Image.new("L", (int(300 * px), int(40 * px)), 255)
    draw = ImageDraw.Draw(img)
    serif = ImageFont.truetype(str(FONT_DIR / "DejaVuSerif.ttf"), int(13 * px))
    pen = ImageFont.truetype(str(FONT_DIR / "DejaVuSans-Oblique.ttf"), int(15 * px))
    draw.text((20 * px, 12 * px), "Số:", font=serif, fill=0)
    draw.text((48 * px, 10 * px), digits, font=pen, fill=0)
    draw.text((85 * px, 12 * px), "/BC-UBND", font=serif, fill=0)
    words = [OcrWord("Số:", 20, 42, 12, 25, 13, 92), OcrWord(f"{UNREAD}/BC-UBND", 48, 150, 12, 25, 13, 40)]
    return img, words


@pytest.mark.skipif(bool(ocr.unavailable()), reason="no tesseract")
@pytest.mark.parametrize("name, kept", [("215_BC-UBND.pdf", "215"), ("216_BC-UBND.pdf", None)])
def test_a_hidden_number_comes_back_only_when_the_file_name_confirms_it(name, kept):
    img, words = _slot_image("215")
    regions = ocr.number_region([OcrWord("Số:", 20, 42, 12, 25, 13, 92), OcrWord("215/BC-UBND", 48, 150, 12, 25, 13, 40)],
                                PAGE_HEIGHT)  # the words before the number was hidden
    note = ocr._read_hidden_number(words, img, 300, regions, name, 60, f"number not read: Số: {UNREAD}/BC-UBND")
    if kept:
        assert texts(words) == f"Số: {kept}/BC-UBND" and note.endswith(f"Số: {kept}/BC-UBND")
    else:
        assert note is None and texts(words) == f"Số: {UNREAD}/BC-UBND"


def test_number_region_runs_from_the_label_to_the_slash():
    words = line(("Số:", 92), ("46", 40), ("/QĐ-BCĐ", 90))
    (x0, top, x1, bottom), (s0, _, s1, _) = ocr.number_region(words, PAGE_HEIGHT)
    assert words[0].x1 - 13 < x0 < words[1].x0 and words[1].x1 < x1 < words[2].x0 + 13
    assert top < words[1].top and bottom > words[1].bottom
    assert words[2].x0 - 13 < s0 <= words[2].x0 and s1 >= words[2].x1  # the printed suffix
