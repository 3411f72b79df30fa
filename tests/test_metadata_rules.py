"""Small metadata rules found by the blind evaluation (tests/data/metadata_blind)."""
from __future__ import annotations

import pytest

from pipeline.analysis.structure import _place_words
from tests.conftest import stored_context


@pytest.mark.parametrize("words, place", [
    ("TP.Cần Thơ", "Cần Thơ"),          # the city prefix glued to the name
    ("Tp.Đà Lạt", "Đà Lạt"),
    ("Lâm Đồng", "Lâm Đồng"),
])
def test_place_words(words, place):
    assert _place_words(words) == place


def _ingested(ingest_into, tmp_path, name: str, text: str):
    """The database of one text file `name` holding `text`, ingested alone."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / name).write_text(text, encoding="utf-8")
    return ingest_into(tmp_path / "in")[1]


def test_phieu_trinh_is_a_type(ingest_into, tmp_path):
    db = _ingested(ingest_into, tmp_path, "pt.txt",
        "VĂN PHÒNG UBND TỈNH\nPHÒNG NỘI CHÍNH\n\nPHIẾU TRÌNH\n\nV/v giao nhiệm vụ rà soát thủ tục hành chính\n\n"
        "Kính gửi: Đồng chí Chánh Văn phòng.\n\nNgày 12/9/2025, Bộ Nội vụ có Công văn số 8151/BNV-CCHC về việc "
        "góp ý dự thảo báo cáo. Đề xuất giao Sở Nội vụ chủ trì tham mưu.\n")
    assert next(db.query("select doc_type from documents"))["doc_type"] == "Phiếu trình"


def _docx_with_styled_header(path):
    """An office's Word file: every header line (issuer, number, motto, date, even the
    title) in the Heading 1 style, as converted Word 97 files often come out."""
    import docx

    d = docx.Document()
    for line in ("UBND TỈNH KHÁNH HÒA", "SỞ TÀI CHÍNH", "Số: /BC-STC",
                 "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                 "Khánh Hòa, ngày      tháng 3 năm 2025", "BÁO CÁO",
                 "Tình hình giá cả thị trường tháng 02 và", "dự báo giá tháng 03 trên địa bàn tỉnh"):
        d.add_heading(line, level=1)
    d.add_heading("I. Tổng quan thị trường trong tháng 02/2025", level=1)
    d.add_paragraph("Giá phần lớn mặt hàng thiết yếu ổn định, riêng giá xăng dầu tăng nhẹ theo giá thế giới.")
    d.add_heading("II. Dự báo giá tháng 03/2025", level=1)
    d.add_paragraph("Dự báo giá các mặt hàng thiết yếu tiếp tục ổn định, không có biến động lớn.")
    d.save(path)


def test_heading_styled_header_is_still_the_header(ingest_into, tmp_path):
    (tmp_path / "in").mkdir()
    _docx_with_styled_header(tmp_path / "in" / "bc-gia.docx")
    _summary, db = ingest_into(tmp_path / "in")
    d = next(db.query("select * from documents"))
    assert (d["doc_type"], d["issued_place"], d["issuer"]) == ("Báo cáo", "Khánh Hòa", "UBND TỈNH KHÁNH HÒA SỞ TÀI CHÍNH")
    assert d["issued_date"] is None and d["number_symbol"] is None  # a draft: day and number blank
    assert d["title"] == "Tình hình giá cả thị trường tháng 02 và dự báo giá tháng 03 trên địa bàn tỉnh"
    heads = [r["heading"] for r in db.query("select heading from sections order by start")]
    assert heads[0].startswith("Tổng quan thị trường") and len(heads) == 2


def test_gazette_header_capital_title_form_field_and_run_on_quote(ingest_into, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ct.txt").write_text(
        "CHỈ THỊ\n\nCỦA BỘ TÀI NGUYÊN VÀ MÔI TRƯỜNG SỐ 05/2009/CT-BTNMT\n\nNGÀY 14 THÁNG 8 NĂM 2009\n\n"
        "VỀ TĂNG CƯỜNG QUẢN LÝ NHÀ NƯỚC\n\nĐỐI VỚI HOẠT ĐỘNG KHOÁNG SẢN\n\n"
        "Thời gian qua, công tác quản lý hoạt động khoáng sản đã có chuyển biến tích cực.\n",
        encoding="utf-8")
    (folder / "pt.txt").write_text(
        "UBND TỈNH GIA LAI\n\nVĂN PHÒNG\n\nSố: /PT-KT\n\nPHIẾU TRÌNH\n\nKính gửi: Lãnh đạo UBND tỉnh.\n\n"
        "I. NỘI DUNG TRÌNH 1. Văn bản: Công văn số 1520/STC-QLG ngày 02/5/2025 của Sở Tài chính. "
        "2. Trích yếu: V/v đề nghị ban hành bảng giá tính lệ phí trước bạ năm 2025. "
        "II. Ý KIẾN CỦA PHÒNG Thống nhất trình lãnh đạo UBND tỉnh xem xét.\n", encoding="utf-8")
    (folder / "tb.txt").write_text(
        "ỦY BAN NHÂN DÂN\nTỈNH GIA LAI\n\nSố: 210/TB-UBND\n\nGia Lai, ngày 06 tháng 5 năm 2025\n\n"
        "THÔNG BÁO\n\nKết luận của Phó Chủ tịch UBND tỉnh về Kế hoạch “Nâng cao năng lực cạnh tranh năm 2025\n\n"
        "Ngày 02/5/2025, Ủy ban nhân dân tỉnh tổ chức cuộc họp với các sở, ngành về dự thảo Kế hoạch "
        "nâng cao năng lực cạnh tranh cấp tỉnh năm 2025 do Phó Chủ tịch UBND tỉnh chủ trì, có đại diện "
        "lãnh đạo các sở, ban, ngành liên quan tham dự.\n", encoding="utf-8")
    _summary, db = ingest_into(folder)
    got = {r["path"].rsplit("/", 1)[-1]: r for r in db.query("select * from documents")}
    ct, pt, tb = got["ct.txt"], got["pt.txt"], got["tb.txt"]
    assert (ct["doc_type"], ct["number_symbol"], ct["issued_date"]) == ("Chỉ thị", "05/2009/CT-BTNMT", "2009-08-14")
    assert ct["title"] == "VỀ TĂNG CƯỜNG QUẢN LÝ NHÀ NƯỚC ĐỐI VỚI HOẠT ĐỘNG KHOÁNG SẢN"
    assert pt["title"] == "đề nghị ban hành bảng giá tính lệ phí trước bạ năm 2025."
    # a title whose closing quote is missing stops before the first paragraph
    assert tb["title"] == "Kết luận của Phó Chủ tịch UBND tỉnh về Kế hoạch “Nâng cao năng lực cạnh tranh năm 2025"


def test_city_prefix_and_a_code_line_stay_out_of_number_and_issuer(ingest_into, tmp_path):
    db = _ingested(ingest_into, tmp_path, "qd.txt",
        "ỦY BAN NHÂN DÂN\n\nTHÀNH PHỐ ĐÀ NẴNG\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\n"
        "Độc lập - Tự do - Hạnh phúc\n\nKT25\n\nSố: 118 /2005/QĐ-UB TP.Đà Nẵng, ngày 12 tháng 8 năm 2005\n\n"
        "QUYẾT ĐỊNH\n\nV/v ban hành Quy chế tiếp công dân của thành phố\n\n"
        "Căn cứ Luật Tổ chức Hội đồng nhân dân và Ủy ban nhân dân ngày 26/11/2003;\n")
    d = next(db.query("select * from documents"))
    assert (d["number_symbol"], d["issued_place"]) == ("118/2005/QĐ-UB", "Đà Nẵng")
    assert d["issuer"] == "ỦY BAN NHÂN DÂN THÀNH PHỐ ĐÀ NẴNG"


def test_place_stands_when_the_day_is_unreadable_and_on_a_cover_page(ingest_into, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "cv.txt").write_text(  # as OCR reads a handwritten day and month
        "BỘ Y TẾ\n\nSố: 41 /BYT-KCB\n\nV/v tăng cường phòng chống dịch sốt xuất huyết\n\n"
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\nHà Nội, ngày đi tháng 4Đ năm 2025\n\n"
        "Kính gửi: Sở Y tế các tỉnh, thành phố.\n\nThời gian qua, số ca mắc sốt xuất huyết tăng ở nhiều địa phương.\n",
        encoding="utf-8")
    (folder / "dc.txt").write_text(
        "ỦY BAN NHÂN DÂN TỈNH YÊN BÁI\n\nSỞ THÔNG TIN VÀ TRUYỀN THÔNG\n\n=====o0o=====\n\n"
        "ĐỀ CƯƠNG VÀ DỰ TOÁN CHI TIẾT\n\nNÂNG CẤP CỔNG THÔNG TIN ĐIỆN TỬ CỦA TỈNH\n\nYên Bái, 2013\n\n"
        "Căn cứ Nghị định số 102/2009/NĐ-CP ngày 06/11/2009 của Chính phủ về quản lý đầu tư ứng dụng "
        "công nghệ thông tin sử dụng nguồn vốn ngân sách nhà nước;\n", encoding="utf-8")
    _summary, db = ingest_into(folder)
    got = {r["path"].rsplit("/", 1)[-1]: r for r in db.query("select * from documents")}
    assert (got["cv.txt"]["issued_place"], got["cv.txt"]["issued_date"]) == ("Hà Nội", None)
    assert (got["dc.txt"]["issued_place"], got["dc.txt"]["issued_date"]) == ("Yên Bái", None)
    assert got["dc.txt"]["issuer"] == "ỦY BAN NHÂN DÂN TỈNH YÊN BÁI SỞ THÔNG TIN VÀ TRUYỀN THÔNG"


def test_stamp_read_before_the_header_is_no_part_of_the_issuer(ingest_into, tmp_path):
    """A scan's incoming stamp in the left margin ("SỞ … / ĐẾN Số … Ngày …") read before
    the header: the issuer starts on the line level with "CỘNG HÒA XÃ HỘI …"."""
    db = _ingested(ingest_into, tmp_path, "kh.txt",
        "SỞ NỘI VỤ TỈNH BẮC GIANG\n\n"
        "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "TỈNH BẮC GIANG Độc lập - Tự do - Hạnh phúc\n\n"
        "Số: 214/KH-UBND Bắc Giang, ngày 09 tháng 3 năm 2011\n\n"
        "KẾ HOẠCH\n\nTuyển dụng công chức cấp xã năm 2011\n\n"
        "Ủy ban nhân dân tỉnh xây dựng Kế hoạch tuyển dụng công chức cấp xã như sau:\n\n"
        "I. MỤC ĐÍCH, YÊU CẦU\n\nTuyển chọn đủ người đáp ứng tiêu chuẩn chức danh.\n")
    row = next(db.query("select issuer, number_symbol from documents"))
    assert row == {"issuer": "ỦY BAN NHÂN DÂN TỈNH BẮC GIANG", "number_symbol": "214/KH-UBND"}


def test_a_parent_line_above_the_national_title_row_stays(ingest_into, tmp_path):
    """Columns read one after the other (no row shared with the motto): both lines stay."""
    db = _ingested(ingest_into, tmp_path, "bc.txt",
        "UBND TỈNH BẮC GIANG\nSỞ CÔNG THƯƠNG\n\nSố: 75/BC-SCT\n\n"
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"
        "Bắc Giang, ngày 12 tháng 10 năm 2012\n\nBÁO CÁO\n\nTình hình hoạt động thương mại quý III\n\n"
        "Sở Công Thương báo cáo tình hình hoạt động thương mại trên địa bàn như sau.\n")
    assert next(db.query("select issuer from documents"))["issuer"] == "UBND TỈNH BẮC GIANG SỞ CÔNG THƯƠNG"


def test_annex_names_its_issuer_under_the_type_line_and_its_caption(ingest_into, tmp_path):
    """A price annex exported from a spreadsheet: "PHỤ LỤC SỐ 2", the issuing body, a file
    field, then the caption over "(Ban hành kèm theo …)"."""
    db = _ingested(ingest_into, tmp_path, "pl.txt",
        "PHỤ LỤC SỐ 2\n\nSỞ TÀI CHÍNH TỈNH SÓC TRĂNG\n\nTên tệp: T03-2023-STG\n\n"
        "BẢNG GIÁ THỊ TRƯỜNG THÁNG 3 NĂM 2023\n\n"
        "(Ban hành kèm theo Báo cáo số 45/BC-STC ngày 05/4/2023 của Sở Tài chính tỉnh Sóc Trăng)\n\n"
        "Gạo tẻ thường có giá bình quân 14.500 đồng/kg, tăng 200 đồng/kg so với kỳ trước.\n")
    row = next(db.query("select doc_type, issuer, title from documents"))
    assert row == {"doc_type": "Phụ lục", "issuer": "SỞ TÀI CHÍNH TỈNH SÓC TRĂNG",
                   "title": "BẢNG GIÁ THỊ TRƯỜNG THÁNG 3 NĂM 2023"}


def test_caption_over_an_attached_line_is_the_title_without_a_type_line(ingest_into, tmp_path):
    db = _ingested(ingest_into, tmp_path, "gia.txt",
        "Mẫu số 01, Phụ lục Thông tư số 14/2023/TT-BXD ngày 29/12/2023 của Bộ Xây dựng\n\n"
        "CÔNG BỐ GIÁ VẬT LIỆU XÂY DỰNG THÁNG 9 NĂM 2024\nTRÊN ĐỊA BÀN TỈNH TRÀ VINH\n\n"
        "(Đính kèm Thông báo số 2210/TB-SXD ngày 08/10/2024 của Sở Xây dựng)\n\n"
        "Giá xi măng PCB40 bao 50 kg tại thành phố Trà Vinh là 1.650.000 đồng/tấn.\n")
    row = next(db.query("select issuer, title, doc_type from documents"))
    assert row == {"issuer": None, "doc_type": "Phụ lục",  # attached to the notice: its annex
                   "title": "CÔNG BỐ GIÁ VẬT LIỆU XÂY DỰNG THÁNG 9 NĂM 2024 TRÊN ĐỊA BÀN TỈNH TRÀ VINH"}


def test_no_caption_title_from_body_capitals(ingest_into, tmp_path):
    """A capitals heading over a bracketed remark that says "kèm theo" late is no caption."""
    db = _ingested(ingest_into, tmp_path, "x.txt",
        "BAN QUẢN LÝ CÁC KHU CÔNG NGHIỆP\n\nTHÔNG TIN GÓI THẦU\n\n"
        "(Hồ sơ mời thầu phát hành trên Hệ thống mạng đấu thầu quốc gia, kèm theo bản vẽ thiết kế)\n\n"
        "Nhà thầu nộp hồ sơ dự thầu trước ngày 20/5/2024.\n")
    assert next(db.query("select title from documents"))["title"] is None


@pytest.mark.parametrize("type_line, title_lines, doc_type, title", [
    ("HỒ SƠ KHẢO SÁT", ["Gói thầu: Nâng cấp hệ thống thư điện tử công vụ của tỉnh"],
     "Hồ sơ khảo sát", "Gói thầu: Nâng cấp hệ thống thư điện tử công vụ của tỉnh"),
    # the longer type is not cut into "ĐỀ CƯƠNG" + a title starting "VÀ DỰ TOÁN …"
    ("ĐỀ CƯƠNG VÀ DỰ TOÁN CHI TIẾT", ["“NÂNG CẤP CỔNG THÔNG TIN ĐIỆN TỬ TỈNH”"],
     "Đề cương và dự toán chi tiết", "“NÂNG CẤP CỔNG THÔNG TIN ĐIỆN TỬ TỈNH”"),
])
def test_project_document_types(ingest_into, tmp_path, type_line, title_lines, doc_type, title):
    db = _ingested(ingest_into, tmp_path, "da.txt",
        "SỞ THÔNG TIN VÀ TRUYỀN THÔNG TỈNH YÊN BÁI\n\nTRUNG TÂM CÔNG NGHỆ THÔNG TIN\n\n"
        f"{type_line}\n\n" + "\n".join(title_lines) + "\n\nĐƠN VỊ TƯ VẤN\n\n"
        "I. CĂN CỨ LẬP HỒ SƠ\n\nLuật Đầu tư công ngày 13 tháng 6 năm 2019.\n")
    row = next(db.query("select doc_type, title from documents"))
    assert row == {"doc_type": doc_type, "title": title}


def test_a_type_word_inside_an_issuer_in_capitals_is_no_type_line(ingest_into, tmp_path):
    """"BAN QUẢN LÝ DỰ ÁN ĐẦU TƯ XÂY DỰNG": "DỰ ÁN" followed by capitals (Ầ is no
    lower-case letter) is part of the name, not a type line with a title after it."""
    db = _ingested(ingest_into, tmp_path, "tb.txt",
        "UBND HUYỆN ĐỒNG HỶ\nBAN QUẢN LÝ DỰ ÁN ĐẦU TƯ XÂY DỰNG\n\nSố: 56/TB-BQLDA\n\n"
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"
        "Đồng Hỷ, ngày 03 tháng 6 năm 2024\n\nTHÔNG BÁO\n\nKết quả lựa chọn nhà thầu gói thầu số 05\n\n"
        "Ban Quản lý dự án thông báo kết quả lựa chọn nhà thầu như sau.\n")
    row = next(db.query("select doc_type, issuer, title from documents"))
    assert row == {"doc_type": "Thông báo", "issuer": "UBND HUYỆN ĐỒNG HỶ BAN QUẢN LÝ DỰ ÁN ĐẦU TƯ XÂY DỰNG",
                   "title": "Kết quả lựa chọn nhà thầu gói thầu số 05"}


def _header_on_page(db, source: str) -> dict:
    """header_metadata of the one stored document, its text taken as one page read by
    `source` ("ocr" or "text")."""
    from pipeline.analysis import structure
    return structure.header_metadata(stored_context(db, source))


@pytest.mark.parametrize("issuer_lines, on_ocr, typed", [
    # OCR misread a bold capital line: a marked word that is no syllable ("TỌỘI")
    (["BỘ CÔNG AN", "CỤC CẢNH SÁT PHÒNG CHỐNG TỌỘI PHẠM VỀ MÔI TRƯỜNG"], None,
     "BỘ CÔNG AN CỤC CẢNH SÁT PHÒNG CHỐNG TỌỘI PHẠM VỀ MÔI TRƯỜNG"),
    # abbreviations carry no tone mark and stay
    (["UBND TP.HCM", "SỞ LĐ-TB&XH"], "UBND TP.HCM SỞ LĐ-TB&XH", "UBND TP.HCM SỞ LĐ-TB&XH"),
    # Central Highlands names are no syllables of the table, and are no misreading, typed
    # or read by OCR: the words of unit names are known
    (["UBND TỈNH ĐẮK LẮK", "UBND HUYỆN KRÔNG BÚK"], "UBND TỈNH ĐẮK LẮK UBND HUYỆN KRÔNG BÚK",
     "UBND TỈNH ĐẮK LẮK UBND HUYỆN KRÔNG BÚK"),
])
def test_an_issuer_misread_by_ocr_is_not_stored(ingest_into, tmp_path, issuer_lines, on_ocr, typed):
    """Only text OCR read can be misread: the same header typed keeps its issuer."""
    db = _ingested(ingest_into, tmp_path, "cv.txt",
        "\n".join(issuer_lines) + "\n\nSố: …/C05-P2\nV/v phối hợp kiểm tra cơ sở sản xuất\n\n"
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"
        "Hà Nội, ngày 12 tháng 8 năm 2025\n\nKính gửi: Công an các tỉnh, thành phố.\n\n"
        "Đề nghị các đơn vị phối hợp kiểm tra các cơ sở sản xuất trên địa bàn.\n")
    row = next(db.query("select issuer, issued_place from documents"))
    assert row == {"issuer": typed, "issued_place": "Hà Nội"}
    assert _header_on_page(db, "text").get("issuer") == typed
    assert _header_on_page(db, "ocr").get("issuer") == on_ocr


@pytest.mark.parametrize("line, place", [
    ("Yên Bái, 2013", "Yên Bái"),
    ("Phú Thọ 2012", "Phú Thọ"),            # a cover's foot line without the comma: a province
    ("Hà Nội, tháng 12 năm 2012", "Hà Nội"),
    ("Hội Nghị 2012", None),                # capitalised words that name no place
    ("Kế hoạch 2012", None),
])
def test_cover_place(line, place):
    from pipeline.analysis.structure import _cover_place
    assert _cover_place(line) == place


def _docx_framed_cover(path):
    """A survey dossier whose cover page is a text box anchored in a one-cell table (a
    frame), as Word 97 covers convert; the cover's last line names the place and year."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    d = docx.Document()
    lines = ["SỞ THÔNG TIN VÀ TRUYỀN THÔNG TỈNH YÊN BÁI", "TRUNG TÂM TIN HỌC", "HỒ SƠ MỜI THẦU",
             "Gói thầu: Nâng cấp hệ thống thư điện tử công vụ của tỉnh", "(Bản chính)", "Yên Bái 2014"]
    box = "<w:txbxContent>" + "".join(f"<w:p><w:r><w:t>{t}</w:t></w:r></w:p>" for t in lines) + "</w:txbxContent>"
    cell = d.add_table(rows=1, cols=1).cell(0, 0)
    cell.paragraphs[0]._p.append(parse_xml(
        f'<w:r {nsdecls("w")} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
        ' xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
        ' xmlns:v="urn:schemas-microsoft-com:vml"><mc:AlternateContent>'
        f'<mc:Choice Requires="wps"><w:drawing><wps:txbx>{box}</wps:txbx></w:drawing></mc:Choice>'
        f'<mc:Fallback><w:pict><v:textbox>{box}</v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r>'))
    d.add_paragraph("MỤC LỤC")
    d.add_paragraph("I. CĂN CỨ PHÁP LÝ")
    d.add_paragraph("Luật Đấu thầu số 43/2013/QH13 ngày 26/11/2013 của Quốc hội.")
    d.save(path)


def test_a_cover_in_a_text_box_of_a_table_cell_is_read_once(ingest_into, tmp_path):
    (tmp_path / "in").mkdir()
    _docx_framed_cover(tmp_path / "in" / "hsmt.docx")
    _summary, db = ingest_into(tmp_path / "in")
    d = next(db.query("select * from documents"))
    assert d["text"].count("Yên Bái 2014") == 1 and d["text"].count("Gói thầu") == 1
    assert (d["issued_place"], d["doc_type"]) == ("Yên Bái", "Hồ sơ mời thầu")
    assert d["title"] == "Gói thầu: Nâng cấp hệ thống thư điện tử công vụ của tỉnh"


@pytest.mark.parametrize("number_line, doc_type", [
    ("Số: …/KH-UBND", "Kế hoạch"),        # the digits OCR could not read (extractors.ocr.UNREAD)
    ("Số:        /BC-UBND", "Báo cáo"),    # a blank form
    ("Số: … /UBND-VX", "Công văn"),        # codes that name no type: a letter
])
def test_type_from_the_printed_suffix_of_an_unread_number(ingest_into, tmp_path, number_line, doc_type):
    """The type line lost (a stamp over it): the printed suffix still names the type; the
    number itself stays unknown."""
    db = _ingested(ingest_into, tmp_path, "kh.txt",
        f"ỦY BAN NHÂN DÂN\nTỈNH LẠNG SƠN\n\n{number_line}\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "Độc lập - Tự do - Hạnh phúc\n\nLạng Sơn, ngày 12 tháng 3 năm 2024\n\n"
        "Triển khai thực hiện chuyển đổi số trong các cơ quan nhà nước tỉnh năm 2024\n\n"
        "Ủy ban nhân dân tỉnh xây dựng nội dung triển khai chuyển đổi số năm 2024 với các nội dung sau:\n\n"
        "I. MỤC ĐÍCH, YÊU CẦU\n\nNâng cao hiệu quả cung cấp dịch vụ công trực tuyến cho người dân.\n")
    d = next(db.query("select doc_type, number_symbol from documents"))
    assert (d["doc_type"], d["number_symbol"]) == (doc_type, None)


@pytest.mark.parametrize("issuer_lines, body, on_ocr", [
    # bold capitals misread into real syllables; the body spells the name twice
    (["BAN CHI ĐẠO PHÒNG CHÔNG", "THIÊN TAI CA TỈNH"],
     "Thực hiện chỉ đạo của Ban Chỉ đạo phòng chống thiên tai của tỉnh, Ban Chỉ đạo phòng chống "
     "thiên tai của tỉnh đề nghị các xã rà soát phương án sơ tán dân.",
     "BAN CHỈ ĐẠO PHÒNG CHỐNG THIÊN TAI CỦA TỈNH"),
    # a word that is no syllable ("TỌỘI"), the parent line kept
    (["BỘ CÔNG AN", "CỤC CẢNH SÁT PHÒNG CHỐNG", "TỌỘI PHẠM VỀ MÔI TRƯỜNG"],
     "Cục Cảnh sát phòng chống tội phạm về môi trường đề nghị các đơn vị phối hợp kiểm tra.",
     "BỘ CÔNG AN CỤC CẢNH SÁT PHÒNG CHỐNG TỘI PHẠM VỀ MÔI TRƯỜNG"),
    # the header read right, the body once misread: a tie keeps the header
    (["UBND TỈNH BẮC GIANG", "SỞ CÔNG THƯƠNG"],
     "Sở Công thưong đề nghị các doanh nghiệp báo cáo sản lượng điện tiêu thụ.",
     "UBND TỈNH BẮC GIANG SỞ CÔNG THƯƠNG"),
    # a name the body spells with another word is no confirmation
    (["UBND TỈNH BẮC GIANG", "SỞ CÔNG THƯƠNG"],
     "Sở Công nghiệp đề nghị các doanh nghiệp báo cáo sản lượng điện tiêu thụ.",
     "UBND TỈNH BẮC GIANG SỞ CÔNG THƯƠNG"),
])
def test_an_issuer_read_by_ocr_takes_the_bodys_spelling(ingest_into, tmp_path, issuer_lines, body, on_ocr):
    db = _ingested(ingest_into, tmp_path, "cv.txt",
        "\n".join(issuer_lines) + "\n\nSố: …/CV-BCĐ\nV/v rà soát phương án\n\n"
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"
        "Hà Nội, ngày 12 tháng 8 năm 2025\n\nKính gửi: Các đơn vị.\n\n" + body + "\n")
    assert _header_on_page(db, "ocr").get("issuer") == on_ocr
    assert _header_on_page(db, "text").get("issuer") == " ".join(issuer_lines)  # typed: as printed
