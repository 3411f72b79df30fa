"""A DOCX built here with python-docx: header table, Heading 1/2 styles without numbers,
numbered headings typed as text, a signature table. Ingested for real; the section tree
comes from the styles where there is no number. Expectations written before the first run."""
from __future__ import annotations

import json

import docx
import pytest
import sqlite_utils

from pipeline.ingest import ingest

pytestmark = pytest.mark.slow  # the ingest runs every stage


def build(path):
    d = docx.Document()
    header = d.add_table(rows=2, cols=2)
    header.cell(0, 0).text = "ỦY BAN NHÂN DÂN\nXÃ MƯỜNG PHĂNG"
    header.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    header.cell(1, 0).text = "Số: 33/BC-UBND"
    header.cell(1, 1).text = "Mường Phăng, ngày 25 tháng 11 năm 2024"
    d.add_paragraph("BÁO CÁO")
    d.add_paragraph("Kết quả thực hiện Đề án 06 năm 2024 trên địa bàn xã")
    d.add_paragraph("Ủy ban nhân dân xã báo cáo kết quả thực hiện Đề án 06 năm 2024 như sau:")
    d.add_heading("Kết quả đạt được", level=1)
    d.add_heading("Cấp căn cước và định danh điện tử", level=2)
    d.add_paragraph("Toàn xã đã cấp 5.214 thẻ căn cước, kích hoạt 3.870 tài khoản định danh điện tử mức 2.")
    d.add_heading("Dịch vụ công trực tuyến", level=2)
    d.add_paragraph("Tỷ lệ hồ sơ nộp trực tuyến đạt 61%, tăng 14% so với năm 2023.")
    d.add_heading("Tồn tại, hạn chế", level=1)
    d.add_paragraph("Một số bản vùng cao chưa có sóng di động nên người dân khó kích hoạt tài khoản.")
    d.add_heading("Kiến nghị", level=1)
    d.add_paragraph("Đề nghị Công an huyện hỗ trợ thiết bị thu nhận vân tay cho Công an xã.")
    d.add_paragraph("Nơi nhận:")
    d.add_paragraph("- UBND huyện;")
    d.add_paragraph("- Lưu: VT.")
    d.add_paragraph("TM. ỦY BAN NHÂN DÂN")
    d.add_paragraph("CHỦ TỊCH")
    d.add_paragraph("Lầu A Chớ")
    d.save(path)


@pytest.fixture(scope="module")
def doc(tmp_path_factory):
    folder = tmp_path_factory.mktemp("docx")
    path = folder / "bao-cao-de-an-06.docx"
    build(path)
    db_path = folder / "corpus.db"
    summary = ingest([str(path)], db_path)
    assert not summary.failed, summary.failed[0].reason
    db = sqlite_utils.Database(db_path)
    return db, list(db.query("select * from documents"))[0]


def test_docx_metadata(doc):
    db, d = doc
    assert d["doc_type"] == "Báo cáo"
    assert d["number_symbol"] == "33/BC-UBND"
    assert d["issued_date"] == "2024-11-25"
    assert d["issued_place"] == "Mường Phăng"
    assert d["issuer"] == "ỦY BAN NHÂN DÂN XÃ MƯỜNG PHĂNG"
    assert d["title"] == "Kết quả thực hiện Đề án 06 năm 2024 trên địa bàn xã"
    assert (d["signer"], d["signer_role"]) == ("Lầu A Chớ", "TM. ỦY BAN NHÂN DÂN, CHỦ TỊCH")
    assert json.loads(d["recipients"]) == ["UBND huyện", "Lưu: VT"]
    assert (d["period_start"], d["period_end"]) == ("2024", "2024")


def test_docx_heading_styles_make_the_tree(doc):
    db, d = doc
    rows = list(db.query("select path, level, heading from sections where document_id = ? order by start",
                         [d["id"]]))
    assert [(r["path"], r["level"], r["heading"]) for r in rows] == [
        ("1", 1, "Kết quả đạt được"), ("1.1", 2, "Cấp căn cước và định danh điện tử"),
        ("1.2", 2, "Dịch vụ công trực tuyến"), ("2", 1, "Tồn tại, hạn chế"), ("3", 1, "Kiến nghị")]


def test_docx_findings(doc):
    db, d = doc
    rows = [(r["section"], r["category"], r["addressee"], r["text"][:25]) for r in db.query(
        "select * from findings where document_id = ? order by start", [d["id"]])]
    assert rows == [
        ("1.1", "strength", None, "Toàn xã đã cấp 5.214 thẻ "),
        ("1.2", "strength", None, "Tỷ lệ hồ sơ nộp trực tuyế"),
        ("2", "limitation", None, "Một số bản vùng cao chưa "),
        ("3", "recommendation", "Công an huyện", "Đề nghị Công an huyện hỗ "),
    ]
