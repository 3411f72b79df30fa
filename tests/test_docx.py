"""DOCX extractor: the real draft report from ../shared/corpus and documents built here
with python-docx (real Word footnotes via tests/docx_footnotes.py, tracked changes,
fields, numbering, header/footer, a layout header table)."""
from __future__ import annotations

import shutil
import zipfile

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from extractors import extract
from extractors.docx import extract_docx
from pipeline.text.builder import SUPERSCRIPT_DIGITS, to_superscript
from schemas.records import ExtractionError
from tests.conftest import SHARED_CORPUS
from tests.docx_footnotes import add_endnote, add_footnote

REAL_DOCX = SHARED_CORPUS / "lamdong_ubnd_bc_cchc_2025_draft.docx"
needs_real = pytest.mark.real  # ../shared/corpus: skipped on a clone without it, required in CI


def assert_invariants(doc):
    """Every span points into the text; footnote spans are the footnote text after its
    marker; table spans contain every cell."""
    text = doc.text
    for b in doc.blocks:
        assert 0 <= b.start < b.end <= len(text)
        if b.kind != "table":  # a table row may end with an empty cell ("… | 1 | ")
            assert text[b.start:b.end] == text[b.start:b.end].strip()
    fn_blocks = [b for b in doc.blocks if b.kind == "footnote"]
    assert len(fn_blocks) == len(doc.footnotes)
    for fn, blk in zip(doc.footnotes, fn_blocks):
        marker = fn.label or to_superscript(fn.number)
        assert text[blk.start:blk.end] == f"{marker} {text[fn.start:fn.end]}"
        assert fn.start >= doc.body_end
        if fn.anchor_start is not None:
            assert 0 <= fn.anchor_start < fn.anchor_end <= doc.body_end
            assert text[fn.anchor_start:fn.anchor_end] == marker
    for t in doc.tables:
        span = text[t.start:t.end]
        for row in t.rows:
            for cell in row:
                assert cell in span


# -- the real draft report -------------------------------------------------------------

@pytest.fixture(scope="module")
def real():
    return extract_docx(REAL_DOCX)


@needs_real
def test_real_footnotes_all_linked(real):
    assert [f.number for f in real.footnotes] == list(range(1, 18))
    assert all(f.anchor_start is not None for f in real.footnotes)
    anchors = [f.anchor_start for f in real.footnotes]
    assert anchors == sorted(anchors)  # numbered in order of appearance
    for f in real.footnotes:
        assert real.text[f.anchor_start:f.anchor_end] == to_superscript(f.number)
        assert real.text[f.anchor_start - 1] not in " \n"  # attached to the word before
    body = real.text[:real.body_end]
    # every superscript in the body is one of the 17 markers, no footnote text in the body
    assert sum(body.count(c) for c in SUPERSCRIPT_DIGITS) == 9 + 8 * 2  # ¹..⁹, ¹⁰..¹⁷
    for f in real.footnotes:
        assert real.text[f.start:f.end][:60] not in body
    assert not real.warnings
    assert_invariants(real)


@needs_real
def test_real_tables_kept(real):
    # two layout grids (header, signature) then nine data tables of the appendix
    assert [len(t.rows) for t in real.tables] == [2, 1, 21, 15, 19, 6, 21, 15, 15, 17, 12]
    data = real.tables[2:]
    assert all({len(r) for r in t.rows} == {5} for t in data)
    assert sum(b.kind == "table" for b in real.blocks) == 9
    # merged header cells are not repeated: "Kết quả thống kê" spans two grid columns
    assert data[0].rows[0][2:4] == ["Kết quả thống kê", ""]
    assert data[0].rows[1][:2] == ["", ""]  # vertically merged STT / Chỉ tiêu
    assert_invariants(real)


@needs_real
def test_real_header_block_column_by_column(real):
    blocks = [real.text[b.start:b.end] for b in real.blocks[:8]]
    assert blocks[:2] == ["ỦY BAN NHÂN DÂN", "TỈNH LÂM ĐỒNG"]
    assert blocks[2].startswith("Số:")
    assert blocks[3] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert blocks[4].startswith("Độc lập")
    assert blocks[5].startswith("Lâm Đồng, ngày")
    assert not any("ỦY BAN" in b and "CỘNG HÒA" in b for b in blocks)
    # signature grid: the recipients, then the signer
    body = real.text[:real.body_end]
    assert body.index("Nơi nhận:") < body.index("- Lưu: VT") < body.index("KT. CHỦ TỊCH")


@needs_real
def test_real_headings_and_metadata(real):
    headings = [real.text[b.start:b.end] for b in real.blocks if b.kind == "heading"]
    for h in ("I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC", "II. KẾT QUẢ THỰC HIỆN CÔNG TÁC CẢI CÁCH "
              "HÀNH CHÍNH", "1. Cải cách thể chế", "III. ĐÁNH GIÁ CHUNG"):
        assert h in headings
    assert any(h.startswith("a) Kết quả xây dựng") for h in headings)
    kinds = {real.text[b.start:b.end][:12]: b.kind for b in real.blocks}
    assert kinds["- Bộ Nội vụ;"] == "list_item"
    assert real.metadata["created"].startswith("2025-12-16")
    assert real.metadata["author"]
    # page headers of the draft hold only the PAGE field: no stray page numbers / codes
    assert "MERGEFORMAT" not in real.text


@needs_real
def test_real_pages_from_word_layout(real):
    """Pages come from Word's last layout (w:lastRenderedPageBreak); the phrases below
    are on the same pages in the signed PDF of this report (checked with pdfplumber)."""
    assert real.page_count == 34

    def page_at(i):
        return next(p.page for p in real.pages if p.start <= i < p.end)

    def page_of(phrase):
        return page_at(real.text.index(phrase))

    expected = {"Về đối thoại giải đáp": 3, "III. ĐÁNH GIÁ CHUNG": 21, "Nơi nhận": 24,
                "PHỤ LỤC": 25, "Biểu mẫu 2": 27, "Biểu mẫu 3": 28, "Biểu mẫu 7": 34}
    assert {k: page_of(k) for k in expected} == expected
    # blocks carry their page too, also a block that starts a page
    pages = {real.text[b.start:b.end]: b.page for b in real.blocks}
    assert [pages[f"Biểu mẫu {k}"] for k in range(1, 8)] == [25, 27, 28, 30, 32, 33, 34]
    # a footnote is on the page of its marker
    for f in real.footnotes:
        assert f.page == page_at(f.anchor_start)


# -- documents built with python-docx ----------------------------------------------------

HEADER_TEXT = "Dự thảo lần 2 - lưu hành nội bộ"
FOOTER_TEXT = "Văn phòng UBND huyện Mường Nhé"


def _run_xml(inner: str) -> str:
    return f'<w:r {nsdecls("w")}>{inner}</w:r>'


def _add_numbering(doc, fmt: str, lvl_text: str) -> str:
    """A new list definition (abstractNum + num) in numbering.xml; returns its numId."""
    numbering = doc.part.numbering_part.element
    ids = [int(n.get("{%s}abstractNumId" % numbering.nsmap["w"]))
           for n in numbering.findall("{%s}abstractNum" % numbering.nsmap["w"])]
    abstract_id = max(ids, default=0) + 1
    num_ids = [int(n.get("{%s}numId" % numbering.nsmap["w"]))
               for n in numbering.findall("{%s}num" % numbering.nsmap["w"])]
    num_id = max(num_ids, default=0) + 1
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
        f'<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{lvl_text}"/></w:lvl></w:abstractNum>')
    # abstractNum elements must precede num elements
    first_num = numbering.find("{%s}num" % numbering.nsmap["w"])
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    numbering.append(parse_xml(
        f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>'
        f'</w:num>'))
    return str(num_id)


def _numbered(doc, text: str, num_id: str):
    p = doc.add_paragraph(text)
    p._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>'))
    return p


def build_report(path):
    doc = docx.Document()
    doc.core_properties.title = "Báo cáo kết quả cải cách hành chính năm 2024"
    doc.core_properties.author = "Phòng Nội vụ"
    section = doc.sections[0]
    section.header.paragraphs[0].text = HEADER_TEXT
    section.footer.paragraphs[0].text = FOOTER_TEXT

    # header block as a borderless 2x2 grid
    grid = doc.add_table(rows=2, cols=2)
    grid.cell(0, 0).text = "ỦY BAN NHÂN DÂN\nHUYỆN MƯỜNG NHÉ"
    grid.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    grid.cell(1, 0).text = "Số: 87/BC-UBND"
    grid.cell(1, 1).text = "Mường Nhé, ngày 20 tháng 12 năm 2024"

    doc.add_heading("BÁO CÁO", level=1)
    doc.add_heading("Kết quả cải cách hành chính năm 2024", level=0)  # style "Title"
    p = doc.add_paragraph("Phần mở đầu theo cấp đề cương")
    p._p.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="2"/>'))

    # a text box (DrawingML with its VML fallback): its text once, after its paragraph
    p = doc.add_paragraph("Đoạn có khung ghi chú.")
    box = ('<w:txbxContent><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:txbxContent>')
    p._p.append(parse_xml(
        f'<w:r {nsdecls("w")} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
        ' xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
        ' xmlns:v="urn:schemas-microsoft-com:vml"><mc:AlternateContent>'
        '<mc:Choice Requires="wps"><w:drawing><wps:txbx>'
        + box.format("Nội dung khung số liệu") + '</wps:txbx></w:drawing></mc:Choice>'
        '<mc:Fallback><w:pict><v:textbox>' + box.format("Nội dung khung số liệu")
        + '</v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r>'))
    # superscript formatting on digits (an area unit) and a custom mark typed as a number
    p = doc.add_paragraph("Diện tích tự nhiên 1.208 km")
    p.add_run("2").font.superscript = True
    p.add_run(" theo số liệu kiểm kê")
    add_footnote(p, "Số liệu kiểm kê đất đai năm 2024.", mark="9")
    p.add_run(".")
    # symbol-font characters (w:sym): a comparison sign and a check mark
    p = doc.add_paragraph("Tỷ lệ hài lòng ")
    p._p.append(parse_xml(_run_xml('<w:sym w:font="Symbol" w:char="F0B3"/>')))
    p.add_run(" 90% ")
    p._p.append(parse_xml(_run_xml('<w:sym w:font="Wingdings" w:char="F0FC"/>')))
    p._p.append(parse_xml(_run_xml('<w:sym w:font="Webdings" w:char="F061"/>')))
    p._p.append(parse_xml(_run_xml(
        '<w:rPr><w:rFonts w:ascii="Symbol" w:hAnsi="Symbol"/></w:rPr><w:t>\uf0ae</w:t>')))
    p.add_run(" đạt")
    # hidden text and a content control
    p = doc.add_paragraph("Văn bản hiển thị")
    p._p.append(parse_xml(_run_xml('<w:rPr><w:vanish/></w:rPr><w:t>ẨN ĐI</w:t>')))
    doc.element.body.sectPr.addprevious(parse_xml(
        f'<w:sdt {nsdecls("w")}><w:sdtPr/><w:sdtContent><w:p><w:r><w:t>Nội dung trong '
        'vùng kiểm soát</w:t></w:r></w:p></w:sdtContent></w:sdt>'))
    doc.add_heading("I. KẾT QUẢ ĐẠT ĐƯỢC", level=2)
    p = doc.add_paragraph("Năm 2024, huyện tiếp nhận 4.812 hồ sơ thủ tục hành chính")
    add_footnote(p, "Số liệu trích từ Hệ thống thông tin giải quyết thủ tục hành chính tỉnh "
                    "Điện Biên đến ngày 15/12/2024.")
    p.add_run(", trong đó giải quyết đúng hạn 4.790 hồ sơ, đạt 99,54%.")

    p = doc.add_paragraph("Thực hiện Quyết định số 1291/QĐ-UBND ngày 02/7/2024")
    add_footnote(p, "Quyết định về việc ban hành Kế hoạch cải cách hành chính năm 2024 "
                    "của Ủy ban nhân dân huyện.")
    p.add_run(" và Kế hoạch số 36/KH-UBND")
    add_footnote(p, "Ghi chú của người tổng hợp.", mark="*")
    p.add_run("\tcác phòng, ban đã triển khai đầy đủ.")

    # tracked changes: the deleted run must not appear, the inserted one must
    p = doc.add_paragraph("Tỷ lệ số hóa hồ sơ đạt ")
    p._p.append(parse_xml(
        f'<w:del {nsdecls("w")} w:id="91" w:author="A" w:date="2024-12-01T00:00:00Z">'
        '<w:r><w:delText>87,5%</w:delText></w:r></w:del>'))
    p._p.append(parse_xml(
        f'<w:ins {nsdecls("w")} w:id="92" w:author="A" w:date="2024-12-01T00:00:00Z">'
        '<w:r><w:t>91,2%</w:t></w:r></w:ins>'))
    p.add_run(" so với kế hoạch.")

    # a field: only its displayed result counts
    p = doc.add_paragraph("Chi tiết tại Phụ lục ")
    for inner in ('<w:fldChar w:fldCharType="begin"/>',
                  '<w:instrText xml:space="preserve"> SEQ PhuLuc \\* ARABIC </w:instrText>',
                  '<w:fldChar w:fldCharType="separate"/>', "<w:t>2</w:t>",
                  '<w:fldChar w:fldCharType="end"/>'):
        p._p.append(parse_xml(_run_xml(inner)))
    p.add_run(" kèm theo.")

    # soft line break inside running text, and after a sentence
    p = doc.add_paragraph("Công tác tuyên truyền được đẩy mạnh")
    p.add_run().add_break()
    p.add_run("trên cổng thông tin điện tử huyện.")
    p.add_run().add_break()
    p.add_run("- Tổ chức 12 hội nghị đối thoại.")

    doc.add_heading("II. NHIỆM VỤ NĂM 2025", level=2)
    letters = _add_numbering(doc, "lowerLetter", "%1)")
    _numbered(doc, "Rà soát, đơn giản hóa thủ tục hành chính nội bộ;", letters)
    _numbered(doc, "Nâng tỷ lệ hồ sơ trực tuyến toàn trình lên trên 60%.", letters)
    romans = _add_numbering(doc, "upperRoman", "%1.")
    _numbered(doc, "Ghi chú thứ nhất của danh mục", romans)
    _numbered(doc, "Ghi chú thứ hai của danh mục", romans)
    doc.add_paragraph("Duy trì bộ phận một cửa", style="List Number")
    doc.add_paragraph("Kiện toàn tổ công nghệ số cộng đồng", style="List Number")
    doc.add_paragraph("Công khai kết quả giải quyết hồ sơ", style="List Bullet")

    table = doc.add_table(rows=3, cols=3)
    table.style = "Table Grid"
    for r, row in enumerate([["Đơn vị", "Hồ sơ", "Đúng hạn (%)"],
                             ["Cấp huyện", "1.205", "99,2"],
                             ["Cấp xã", "3.607", "99,7"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    add_footnote(table.cell(2, 0).paragraphs[0], "Gồm 11 xã trên địa bàn huyện.")
    merged = doc.add_table(rows=2, cols=3)
    merged.style = "Table Grid"
    merged.cell(0, 0).merge(merged.cell(0, 1)).text = "Chỉ tiêu gộp"
    merged.cell(0, 2).text = "Ghi chú"
    merged.cell(1, 0).text = "A"
    merged.cell(1, 1).text = "B"
    merged.cell(1, 2).text = "C"

    p = doc.add_paragraph("Trên đây là báo cáo của Ủy ban nhân dân huyện")
    add_footnote(p, "Báo cáo này thay thế Báo cáo số 80/BC-UBND ngày 10/12/2024.")
    p.add_run(".")
    doc.save(path)
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = build_report(tmp_path_factory.mktemp("docx") / "bao-cao.docx")
    return extract_docx(path), path


def _block_texts(doc, kind=None):
    return [doc.text[b.start:b.end] for b in doc.blocks if kind in (None, b.kind)]


def test_built_footnotes_linked_in_order(built):
    doc, _ = built
    assert [(f.number, f.label) for f in doc.footnotes] == [  # custom marks take no number
        (9, None), (1, None), (2, None), (4, "*"), (3, None), (4, None)]
    for f in doc.footnotes:
        assert f.anchor_start is not None
    body = doc.text[:doc.body_end]
    assert "4.812 hồ sơ thủ tục hành chính¹, trong đó" in body
    assert "ngày 02/7/2024² và Kế hoạch số 36/KH-UBND* các phòng" in body
    assert "Cấp xã³ | 3.607" in body  # marker inside a table cell, linked
    assert body.rstrip().endswith("huyện⁴.")
    assert "Diện tích tự nhiên 1.208 km² theo số liệu kiểm kê⁹." in body
    texts = [doc.text[f.start:f.end] for f in doc.footnotes]
    assert texts[0] == "Số liệu kiểm kê đất đai năm 2024."
    assert texts[1].startswith("Số liệu trích từ") and texts[3] == "Ghi chú của người tổng hợp."
    assert texts[4] == "Gồm 11 xã trên địa bàn huyện."
    # the only warning: the tracked deletion ("87,5%") the stored text leaves out
    assert doc.warnings == ["tracked changes not accepted in the file: 1 deleted passage(s) "
                            "(5 characters) left out, as Word shows the text once they are accepted"]
    assert_invariants(doc)


def test_built_headers_footers_out_of_body(built):
    doc, _ = built
    assert HEADER_TEXT not in doc.text and FOOTER_TEXT not in doc.text


def test_built_text_boxes_hidden_text_content_controls(built):
    doc, _ = built
    texts = _block_texts(doc)
    i = texts.index("Đoạn có khung ghi chú.")
    assert texts[i + 1] == "Nội dung khung số liệu"
    assert doc.text.count("Nội dung khung số liệu") == 1  # not again from the VML fallback
    assert "Văn bản hiển thị" in texts and "ẨN ĐI" not in doc.text
    assert "Tỷ lệ hài lòng ≥ 90% ✓→ đạt" in texts  # unknown symbol-font glyphs dropped
    assert "Nội dung trong vùng kiểm soát" in texts


def test_built_tracked_changes_fields_breaks(built):
    doc, _ = built
    assert "Tỷ lệ số hóa hồ sơ đạt 91,2% so với kế hoạch." in _block_texts(doc)
    assert "87,5%" not in doc.text
    assert "Chi tiết tại Phụ lục 2 kèm theo." in _block_texts(doc)
    assert "SEQ" not in doc.text
    assert ("Công tác tuyên truyền được đẩy mạnh trên cổng thông tin điện tử huyện.\n"
            "- Tổ chức 12 hội nghị đối thoại.") in _block_texts(doc)


def test_built_headings_lists_numbering(built):
    doc, _ = built
    heads = [(doc.text[b.start:b.end], b.level) for b in doc.blocks if b.kind == "heading"]
    assert ("BÁO CÁO", 1) in heads and ("I. KẾT QUẢ ĐẠT ĐƯỢC", 2) in heads
    assert ("Kết quả cải cách hành chính năm 2024", None) in heads  # Title: not a section
    assert ("Phần mở đầu theo cấp đề cương", 3) in heads  # w:outlineLvl 2
    items = _block_texts(doc, "list_item")
    assert "a) Rà soát, đơn giản hóa thủ tục hành chính nội bộ;" in items
    assert "b) Nâng tỷ lệ hồ sơ trực tuyến toàn trình lên trên 60%." in items
    assert "II. Ghi chú thứ hai của danh mục" in _block_texts(doc)
    assert "1. Duy trì bộ phận một cửa" in items and "2. Kiện toàn tổ công nghệ số cộng đồng" in items
    assert "• Công khai kết quả giải quyết hồ sơ" in items


def test_multilevel_numbering_continues_and_restarts(tmp_path):
    doc = docx.Document()
    numbering = doc.part.numbering_part.element
    ns = nsdecls("w")
    lvls = ('<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
            '<w:lvlText w:val="%1."/></w:lvl><w:lvl w:ilvl="1"><w:start w:val="1"/>'
            '<w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2."/></w:lvl>')
    numbering.find(numbering[0].tag).addprevious(
        parse_xml(f'<w:abstractNum {ns} w:abstractNumId="90">{lvls}</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {ns} w:numId="91"><w:abstractNumId w:val="90"/></w:num>'))
    numbering.append(parse_xml(f'<w:num {ns} w:numId="92"><w:abstractNumId w:val="90"/></w:num>'))
    numbering.append(parse_xml(
        f'<w:num {ns} w:numId="93"><w:abstractNumId w:val="90"/><w:lvlOverride w:ilvl="0">'
        '<w:startOverride w:val="1"/></w:lvlOverride></w:num>'))
    items = [("91", 0, "Mục tiêu chung của kế hoạch"), ("91", 1, "Nâng cao chỉ số hài lòng"),
             ("91", 1, "Giảm thời gian giải quyết hồ sơ"), ("92", 0, "Nhiệm vụ trọng tâm"),
             ("92", 1, "Rà soát quy trình nội bộ"), ("93", 0, "Danh mục mới bắt đầu lại")]
    for num_id, ilvl, text in items:
        p = doc.add_paragraph(text)
        p._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {ns}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'))
    doc.save(tmp_path / "so.docx")
    out = extract_docx(tmp_path / "so.docx")
    labels = [out.text[b.start:b.end].split(" ")[0] for b in out.blocks]
    # numId 92 shares the abstract list of 91 and continues it; 93 restarts it
    assert labels == ["1.", "1.1.", "1.2.", "2.", "2.1.", "1."]


def test_numbered_heading_style_toc_and_deleted_row(tmp_path):
    doc = docx.Document()
    romans = _add_numbering(doc, "upperRoman", "%1.")
    doc.styles["Heading 1"].element.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {nsdecls("w")}><w:numId w:val="{romans}"/></w:numPr>'))
    doc.add_paragraph("KẾT QUẢ THỰC HIỆN\t3", style=doc.styles.add_style("toc 1", 1))
    doc.add_heading("KẾT QUẢ THỰC HIỆN", level=1)
    doc.add_paragraph("Các chỉ tiêu cơ bản đều đạt kế hoạch.")
    doc.add_heading("NHIỆM VỤ NĂM 2025", level=1)
    table = doc.add_table(rows=3, cols=2)
    table.style = "Table Grid"
    for r, (a, b) in enumerate([("Chỉ tiêu", "Kết quả"), ("Hồ sơ trực tuyến", "65%"),
                                ("Hồ sơ trễ hạn", "12")]):
        table.cell(r, 0).text, table.cell(r, 1).text = a, b
    table.rows[2]._tr.get_or_add_trPr().append(parse_xml(
        f'<w:del {nsdecls("w")} w:id="7" w:author="A" w:date="2024-12-01T00:00:00Z"/>'))
    doc.save(tmp_path / "h.docx")
    out = extract_docx(tmp_path / "h.docx")
    blocks = [(b.kind, b.level, out.text[b.start:b.end]) for b in out.blocks]
    assert blocks[0] == ("list_item", None, "KẾT QUẢ THỰC HIỆN 3")  # a TOC entry, no section
    assert ("heading", 1, "I. KẾT QUẢ THỰC HIỆN") in blocks
    assert ("heading", 1, "II. NHIỆM VỤ NĂM 2025") in blocks
    assert out.tables[0].rows == [["Chỉ tiêu", "Kết quả"], ["Hồ sơ trực tuyến", "65%"]]
    # the deleted row is said, counted once with its text ("Hồ sơ trễ hạn" + "12")
    assert [m for m in out.warnings if "tracked changes" in m] == [
        "tracked changes not accepted in the file: 1 deleted passage(s) (15 characters) left out, "
        "as Word shows the text once they are accepted"]


def test_header_and_signature_laid_out_with_tabs(tmp_path):
    """Older documents set the two header columns with tabs instead of a table."""
    doc = docx.Document()
    for line in ("ỦY BAN NHÂN DÂN\t\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                 "XÃ NA SANG\t\tĐộc lập - Tự do - Hạnh phúc",
                 "Số: 14/TB-UBND\t\tNa Sang, ngày 02 tháng 4 năm 2024"):
        doc.add_paragraph(line)
    doc.add_paragraph("THÔNG BÁO")
    doc.add_paragraph("Kết quả rà soát hồ sơ hộ nghèo quý I năm 2024 được niêm yết\tcông khai.")
    doc.add_paragraph("Nơi nhận:\t\tTM. ỦY BAN NHÂN DÂN")
    doc.add_paragraph("- UBND huyện;\t\tCHỦ TỊCH")
    doc.add_paragraph("- Lưu: VT.")
    doc.save(tmp_path / "tab.docx")
    out = extract_docx(tmp_path / "tab.docx")
    assert _block_texts(out) == [
        "ỦY BAN NHÂN DÂN", "XÃ NA SANG", "Số: 14/TB-UBND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        "Na Sang, ngày 02 tháng 4 năm 2024", "THÔNG BÁO",
        "Kết quả rà soát hồ sơ hộ nghèo quý I năm 2024 được niêm yết công khai.",
        "Nơi nhận:", "- UBND huyện;", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "- Lưu: VT."]


def test_built_tables_and_layout_grid(built):
    doc, _ = built
    # the header grid is read column by column, one block per line of each cell
    assert _block_texts(doc)[:6] == [
        "ỦY BAN NHÂN DÂN", "HUYỆN MƯỜNG NHÉ", "Số: 87/BC-UBND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        "Mường Nhé, ngày 20 tháng 12 năm 2024"]
    assert len(doc.tables) == 3
    assert doc.tables[0].rows[1] == ["Số: 87/BC-UBND", "Mường Nhé, ngày 20 tháng 12 năm 2024"]
    assert doc.tables[1].rows == [["Đơn vị", "Hồ sơ", "Đúng hạn (%)"],
                                  ["Cấp huyện", "1.205", "99,2"], ["Cấp xã³", "3.607", "99,7"]]
    assert doc.tables[2].rows == [["Chỉ tiêu gộp", "", "Ghi chú"], ["A", "B", "C"]]
    assert sum(b.kind == "table" for b in doc.blocks) == 2
    assert_invariants(doc)


def test_built_metadata(built):
    doc, _ = built
    assert doc.pages == [] and doc.page_count is None  # no layout recorded: pages unknown
    assert doc.metadata["title"] == "Báo cáo kết quả cải cách hành chính năm 2024"
    assert doc.metadata["author"] == "Phòng Nội vụ"
    assert doc.metadata["created"]


@needs_real
def test_footnote_helper_round_trip(tmp_path):
    """add_footnote works on a loaded file that already has footnotes (the real draft)."""
    d = docx.Document(str(REAL_DOCX))
    p = d.add_paragraph("Đoạn bổ sung để kiểm tra chú thích")
    add_footnote(p, "Chú thích thêm ở cuối văn bản.")
    d.save(tmp_path / "more.docx")
    doc = extract_docx(tmp_path / "more.docx")
    assert len(doc.footnotes) == 18 and doc.footnotes[-1].number == 18
    assert doc.text[doc.footnotes[-1].start:doc.footnotes[-1].end] == "Chú thích thêm ở cuối văn bản."


def test_endnotes_and_footnote_settings(tmp_path):
    """Endnotes are notes too (numbered after the footnotes); w:footnotePr in settings
    sets the first number and restarts numbering at each section."""
    doc = docx.Document()
    doc.settings.element.append(parse_xml(
        f'<w:footnotePr {nsdecls("w")}><w:numStart w:val="3"/>'
        '<w:numRestart w:val="eachSect"/></w:footnotePr>'))
    p = doc.add_paragraph("Chương trình được phê duyệt năm 2021")
    add_footnote(p, "Theo Quyết định số 12/QĐ-UBND ngày 05/01/2021.")
    p.add_run(" và sửa đổi năm 2023")
    add_footnote(p, "Theo Quyết định số 88/QĐ-UBND ngày 20/3/2023.")
    doc.add_section()
    p = doc.add_paragraph("Phần thứ hai có nguồn số liệu riêng")
    add_footnote(p, "Số liệu của Chi cục Thống kê huyện.")
    p = doc.add_paragraph("Ghi chú cuối văn bản")
    add_endnote(p, "Tài liệu tham khảo nội bộ.")
    doc.save(tmp_path / "notes.docx")
    out = extract_docx(tmp_path / "notes.docx")
    assert [(f.number, out.text[f.start:f.end][:20]) for f in out.footnotes] == [
        (3, "Theo Quyết định số 1"), (4, "Theo Quyết định số 8"),
        (3, "Số liệu của Chi cục "), (5, "Tài liệu tham khảo n")]
    body = out.text[:out.body_end]
    assert "năm 2021³ và sửa đổi năm 2023⁴" in body and "số liệu riêng³" in body
    assert "cuối văn bản⁵" in body
    # restarted numbers still link to their own markers, in order
    anchors = [f.anchor_start for f in out.footnotes]
    assert None not in anchors and anchors == sorted(anchors)
    assert_invariants(out)


WORDS = ["hồ sơ", "thủ tục", "hành chính", "đạt", "98,5%", "Quyết định số 12/QĐ-UBND",
         "ngày 05/01/2024", "cấp xã", "trực tuyến", "1.205", "Ủy ban nhân dân", "kế hoạch"]
segment = st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(" ".join)
paragraph_spec = st.lists(st.tuples(segment, st.one_of(st.none(), segment)),
                          min_size=1, max_size=4)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(paragraph_spec, min_size=1, max_size=5))
def test_footnotes_property(tmp_path, spec):
    """Any placement of footnotes in any paragraphs: all numbered in order, linked to a
    superscript marker right after the text they follow, with their own text."""
    doc = docx.Document()
    expected_body, expected_notes = [], []
    for para in spec:
        p = doc.add_paragraph()
        shown = ""
        for i, (text, note) in enumerate(para):
            p.add_run(("" if i == 0 else " ") + text)
            shown += ("" if i == 0 else " ") + text
            if note is not None:
                add_footnote(p, note)
                expected_notes.append(note)
                shown += to_superscript(len(expected_notes))
        expected_body.append(shown)
    path = tmp_path / "prop.docx"
    doc.save(path)
    out = extract_docx(path)
    assert out.text[:out.body_end].rstrip() == "\n\n".join(expected_body)
    assert [out.text[f.start:f.end] for f in out.footnotes] == expected_notes
    assert [f.number for f in out.footnotes] == list(range(1, len(expected_notes) + 1))
    assert_invariants(out)


# -- bad input ---------------------------------------------------------------------------

def _fails(path, fn=extract_docx) -> str:
    with pytest.raises(ExtractionError) as err:
        fn(path)
    msg = str(err.value)
    assert "\n" not in msg and msg
    return msg


def test_garbage_docx(tmp_path):
    path = tmp_path / "rac.docx"
    path.write_bytes(b"day khong phai la tep Word" * 50)
    assert _fails(path).startswith("corrupt DOCX")
    assert "DOCX" in _fails(path, extract)


def test_zip_without_document_xml(tmp_path):
    path = tmp_path / "thieu.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/styles.xml", "<styles/>")
    assert _fails(path).startswith("corrupt DOCX")
    assert "document.xml" in _fails(path, extract)


def test_truncated_docx(built, tmp_path):
    _, good = built
    data = good.read_bytes()
    path = tmp_path / "cut.docx"
    path.write_bytes(data[: len(data) // 2])
    assert _fails(path).startswith("corrupt DOCX")
    _fails(path, extract)


def test_malformed_document_xml(built, tmp_path):
    _, good = built
    path = tmp_path / "hong.docx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                data = data[: len(data) // 2]  # cut mid-element
            dst.writestr(item, data)
    assert _fails(path).startswith("corrupt DOCX")


def test_malformed_footnotes_part_is_partial(built, tmp_path):
    _, good = built
    path = tmp_path / "fn.docx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/footnotes.xml":
                data = b"<w:footnotes><broken"
            dst.writestr(item, data)
    doc = extract_docx(path)
    assert any("footnotes.xml" in w for w in doc.warnings)
    assert "Tỷ lệ số hóa hồ sơ đạt 91,2% so với kế hoạch." in _block_texts(doc)


def _rewrite(src, dst, name, fn):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            zout.writestr(item, fn(data) if item.filename == name else data)
    return dst


@pytest.mark.parametrize("content_type", [
    "application/vnd.ms-word.document.macroEnabled.main+xml",  # .docm
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",  # .dotx
])
def test_macro_enabled_and_template_packages(built, tmp_path, content_type):
    _, good = built
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    path = _rewrite(good, tmp_path / "bien-the.docx", "[Content_Types].xml",
                    lambda d: d.replace(main.encode(), content_type.encode()))
    doc = extract_docx(path)
    assert doc.text == built[0].text and len(doc.footnotes) == 6


def test_strict_ooxml_is_refused_clearly(built, tmp_path):
    _, good = built
    path = _rewrite(good, tmp_path / "strict.docx", "_rels/.rels", lambda d: d.replace(
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
        b"http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"))
    assert "Strict Open XML" in _fails(path)


def test_damaged_package_with_intact_document_is_partial(built, tmp_path):
    """A relationship to a missing image makes python-docx give up; Word (and we) still
    read the text, with a warning (status 'partial')."""
    doc, good = built
    broken_rel = (b'<Relationship Id="rIdX" Target="media/mat.png" Type="http://schemas.'
                  b'openxmlformats.org/officeDocument/2006/relationships/image"/>')
    path = _rewrite(good, tmp_path / "anh.docx", "word/_rels/document.xml.rels",
                    lambda d: d.replace(b"</Relationships>", broken_rel + b"</Relationships>"))
    out = extract_docx(path)
    assert out.text == doc.text and len(out.footnotes) == len(doc.footnotes)
    assert any("damaged package" in w for w in out.warnings)


def test_extract_dispatches_docx(built, tmp_path):
    _, good = built
    renamed = tmp_path / "bao-cao.bin.docx"
    shutil.copy(good, renamed)
    assert extract(renamed).format == "docx"


def test_tracked_move_is_not_a_loss(tmp_path):
    """A tracked move (w:moveFrom → w:moveTo) keeps its text where it lands: no warning;
    a tracked deletion beside it is counted alone."""
    doc = docx.Document()
    p = doc.add_paragraph("Kết quả giải quyết hồ sơ: ")
    p._p.append(parse_xml(
        f'<w:moveFrom {nsdecls("w")} w:id="11" w:author="A" w:date="2024-12-01T00:00:00Z">'
        '<w:r><w:t>đúng hạn 98,6%.</w:t></w:r></w:moveFrom>'))
    p = doc.add_paragraph("Tỷ lệ hồ sơ trực tuyến toàn trình ")
    p._p.append(parse_xml(
        f'<w:moveTo {nsdecls("w")} w:id="12" w:author="A" w:date="2024-12-01T00:00:00Z">'
        '<w:r><w:t>đúng hạn 98,6%.</w:t></w:r></w:moveTo>'))
    doc.save(tmp_path / "move.docx")
    out = extract_docx(tmp_path / "move.docx")
    assert out.text.count("đúng hạn 98,6%.") == 1
    assert not [m for m in out.warnings if "tracked" in m]
    p._p.append(parse_xml(
        f'<w:del {nsdecls("w")} w:id="13" w:author="A" w:date="2024-12-01T00:00:00Z">'
        '<w:r><w:delText> (cũ)</w:delText></w:r></w:del>'))
    doc.save(tmp_path / "move.docx")
    out = extract_docx(tmp_path / "move.docx")
    assert [m for m in out.warnings if "tracked" in m] == [
        "tracked changes not accepted in the file: 1 deleted passage(s) (5 characters) left out, "
        "as Word shows the text once they are accepted"]
