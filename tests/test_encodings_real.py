"""Real documents in pre-Unicode fonts (../shared): two TCVN3 Word files, a mostly
Unicode one with TCVN3 table cells, a PDF whose text layer is VNI. Each must read as
Vietnamese: probe words read in the decoded text, no legacy mojibake left.

Word 97 .doc files are read through `extractors.extract` when it can (the .doc → .docx
conversion is being added on another branch); until then the test converts them with
LibreOffice itself, the way that conversion does, and reads the .docx."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from extractors import extract
from schemas.records import ExtractionError
from tests.conftest import ROOT, SHARED_CORPUS
from tests.test_encodings import TCVN3_ARTEFACTS, VNI_ARTEFACTS

pytestmark = [pytest.mark.real, pytest.mark.slow]

MORE = ROOT.parent / "shared" / "real" / "more"


@pytest.fixture(scope="module")
def read(tmp_path_factory):
    cache = {}

    def run(path):
        if path not in cache:
            try:
                cache[path] = extract(path)
            except ExtractionError as exc:
                if "legacy binary Word .doc" not in str(exc):
                    raise
                out = tmp_path_factory.mktemp("doc")
                soffice = shutil.which("soffice") or shutil.which("libreoffice")
                assert soffice, "LibreOffice (soffice) is needed to read .doc files"
                subprocess.run([soffice, "--headless", "--convert-to", "docx", "--outdir",
                                str(out), str(path)], check=True, capture_output=True,
                               timeout=300)
                cache[path] = extract(out / (path.stem + ".docx"))
        return cache[path]

    return run


def assert_clean(text: str) -> None:
    bad = TCVN3_ARTEFACTS.findall(text) + VNI_ARTEFACTS.findall(text)
    assert not bad, bad[:10]


def test_tcvn3_party_review(read):
    doc = read(MORE / "kiem_diem_dang_vien_2011_tcvn3.doc")
    text = doc.text
    # .VnTimeH headings come out in capitals, .VnTime body in lowercase with tones
    for probe in ("BẢN TỰ KIỂM ĐIỂM", "CHẤT LƯỢNG ĐẢNG VIÊN", "Lệ Thủy", "tư tưởng",
                  "chính trị", "đoàn kết nội bộ", "nhiệm vụ được giao"):
        assert probe in text, probe
    assert_clean(text)
    assert any(w.startswith("converted TCVN3 → Unicode in ") for w in doc.warnings)


def test_tcvn3_decision(read):
    doc = read(SHARED_CORPUS / "cantho_ubnd_qd256-2004_tcvn3.doc")
    text = doc.text
    for probe in ("ỦY BAN NHÂN DÂN", "THÀNH PHỐ CẦN THƠ", "QUYẾT ĐỊNH", "QĐ-UB",
                  "cải cách hành chính", "Thủ tướng", "Giám đốc Sở Nội vụ", "một cửa"):
        assert probe in text, probe
    assert "ưư" not in text  # Word's doubled optional hyphen (TCVN3 ư) read once
    assert_clean(text)


def test_mixed_unicode_and_tcvn3_cells(read):
    doc = read(MORE / "phieu_dieu_tra_cac_so_don_vi_sn.doc")
    text = doc.text
    for probe in ("Đơn vị: 1000 đồng", "PHIẾU KHẢO SÁT", "HẠ TẦNG CNTT", "Chứng chỉ"):
        assert probe in text, probe
    assert_clean(text)
    assert any(w.startswith("converted TCVN3 → Unicode in ") for w in doc.warnings)


def test_vni_pdf_text_layer(read):
    doc = read(MORE / "1767420653346-nxt85u.pdf")
    text = doc.text
    for probe in ("Đức Quán Thế Âm", "lòng", "đường đời", "Ngài"):
        assert probe in text, probe
    # The only leftovers are in glyphs the PDF draws twice (a fake-bold drop cap)
    words = [w for w in text.split() if VNI_ARTEFACTS.search(w)]
    assert all(re.search(r"(.)\1", w) for w in words), words
    assert any(w.startswith("converted VNI → Unicode in ") for w in doc.warnings), doc.warnings


def test_tcvn3_printed_to_pdf_with_another_font(tmp_path):
    """The TCVN3 review printed to PDF by LibreOffice, which lacks .VnTime and names a
    substitute font: the text layer holds TCVN3 bytes under a Unicode font's name, so
    only statistics can tell (the .VnTimeH capitals and the ư that LibreOffice hides as
    an optional hyphen are lost in that print, not by us)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is needed to print the .doc"
    src = MORE / "kiem_diem_dang_vien_2011_tcvn3.doc"
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(src)], check=True, capture_output=True, timeout=300)
    doc = extract(tmp_path / (src.stem + ".pdf"))
    for probe in ("bản tự kiểm điểm", "Lệ Thủy", "chính trị", "đoàn kết nội bộ",
                  "tháng 11 năm 2011"):
        assert probe in doc.text, probe
    assert_clean(doc.text)
    assert doc.warnings[0].startswith("converted TCVN3 → Unicode in ")


def test_a_page_read_again_by_ocr_reports_no_conversion_of_its_text_layer(read):
    """A scan whose text layer is garbage in a broken font: the garbage may look like a
    legacy encoding, but the page is replaced by its OCR reading, so no conversion is
    reported (and the document is not `partial` for it)."""
    doc = read(ROOT.parent / "shared" / "real" / "office" / "298 PC04.pdf")
    assert {s for s, _q in doc.page_sources.values()} == {"ocr"}
    assert not [w for w in doc.warnings if w.startswith("converted")], doc.warnings
