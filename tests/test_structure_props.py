"""Property tests: on any sequence of headings, items, labels and paragraphs, the structure
and findings stages never crash and keep their invariants (exact spans, a tree whose
children lie inside their parents, findings inside the body and never in headings)."""
from __future__ import annotations

import itertools
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.analysis import findings, structure
from pipeline.text.builder import DocumentBuilder
from pipeline.analysis.stages import Context

PIECES = [
    ("heading", "I. KẾT QUẢ THỰC HIỆN"), ("heading", "II. KIẾN NGHỊ, ĐỀ XUẤT"),
    ("heading", "1. Cải cách thủ tục hành chính"), ("heading", "2. Đối với UBND huyện"),
    ("heading", "1.1. Ưu điểm"), ("heading", "1.2. Hạn chế"), ("heading", "a) Nguyên nhân"),
    ("heading", "Chương II"), ("heading", "QUY ĐỊNH CHUNG"), ("heading", "Điều 3. Trách nhiệm thi hành"),
    ("heading", "Mục 1"), ("heading", "PHỤ LỤC"), ("heading", "BÁO CÁO"),
    ("list_item", "(1) Tăng cường kiểm tra việc niêm yết thủ tục hành chính tại các xã."),
    ("list_item", "- Một số xã chưa kịp thời cập nhật thủ tục hành chính mới."),
    ("list_item", "b) Đề nghị Sở Nội vụ sớm hướng dẫn việc bố trí công chức."),
    ("paragraph", "Ưu điểm:"), ("paragraph", "Đối với UBND các xã:"),
    ("paragraph", "Tuy nhiên, vẫn còn một số tồn tại, hạn chế sau:"),
    ("paragraph", "UBND huyện đã ban hành kế hoạch và tổ chức triển khai đầy đủ, kịp thời."),
    ("paragraph", "tiếp tục phần còn lại của đoạn văn bị ngắt trang ở trên."),
    ("paragraph", "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;"),
    ("paragraph", "Trên đây là báo cáo kết quả thực hiện."), ("paragraph", "Nơi nhận:"),
    ("list_item", "- Lưu: VT."), ("heading", "KT. CHỦ TỊCH"), ("heading", "PHÓ CHỦ TỊCH"),
    ("paragraph", "Nguyễn Văn An"), ("paragraph", "Số: 12/BC-UBND"),
    ("paragraph", "Tuần Giáo, ngày 30 tháng 5 năm 2024"),
]


def run_stages(pieces, footnotes=()):
    b = DocumentBuilder("x.txt", "txt")
    for kind, text, *level in pieces:
        b.add_block(kind, text, level=level[0] if level else None)
    for i, text in enumerate(footnotes, 1):
        b.add_footnote(i, text)
    doc = b.build()
    counter = itertools.count(1)
    blocks = [dict(kind=x.kind, start=x.start, end=x.end, page=x.page, style=x.style, level=x.level)
              for x in doc.blocks]
    fns = [dict(number=f.number, start=f.start, end=f.end, anchor_start=f.anchor_start, page=None)
           for f in doc.footnotes]
    ctx = Context(document_id=1, text=doc.text, format="txt", blocks=blocks, footnotes=fns, pages=[],
                  tables=[], new_id=lambda table: next(counter))
    structure.analyze(ctx)
    findings.analyze(ctx)
    return ctx


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=25),
       st.lists(st.sampled_from(["Kế hoạch số 15/KH-UBND ngày 19/01/2022.", "Năm 2023: 95 người."]),
                max_size=3))
def test_stages_keep_invariants(pieces, footnotes):
    ctx = run_stages(pieces, footnotes)
    text = ctx.text
    body_end = ctx.body_end
    sections = ctx.rows.get("sections", [])
    by_id = {s["id"]: s for s in sections}
    for s in sections:
        assert text[s["heading_start"]:s["heading_end"]] == s["heading"]
        assert s["start"] <= s["heading_start"] <= s["heading_end"] <= s["end"] <= body_end
        if s["parent_id"] is not None:
            p = by_id[s["parent_id"]]
            assert p["start"] < s["start"] and s["end"] <= p["end"] and s["level"] == p["level"] + 1
            assert s["path"].startswith(p["path"] + ".")
        else:
            assert s["level"] == 1
    for f in ctx.rows.get("findings", []):
        assert text[f["start"]:f["end"]] == f["text"] and f["text"].strip() == f["text"]
        assert f["end"] <= body_end
        assert f["category"] in ("strength", "limitation", "cause", "responsibility",
                                 "recommendation", "direction", "other")
        assert f["basis"]
    for k in ("issued_date", "period_start", "period_end"):
        v = ctx.meta.get(k)
        assert v is None or v[:4].isdigit()


def test_empty_and_footnote_only_documents():
    ctx = run_stages([], ["Chỉ có chú thích."])
    assert not ctx.rows.get("sections") and not ctx.rows.get("findings")
    ctx = run_stages([("paragraph", "Một đoạn văn duy nhất, không có đề mục nào cả trong văn bản.")])
    assert [f["category"] for f in ctx.rows["findings"]] == ["other"]


def test_docx_heading_styles_without_numbers():
    ctx = run_stages([
        ("heading", "Kết quả thực hiện", 1), ("heading", "Ưu điểm", 2),
        ("paragraph", "Các xã đã niêm yết đầy đủ thủ tục hành chính tại bộ phận một cửa."),
        ("heading", "Hạn chế", 2),
        ("paragraph", "Tỷ lệ hồ sơ nộp trực tuyến ở một số xã còn thấp so với chỉ tiêu."),
        ("heading", "Kiến nghị", 1), ("heading", "2. Đối với UBND huyện"),
        ("paragraph", "Bố trí kinh phí nâng cấp đường truyền cho các xã vùng cao."),
    ])
    got = [(s["path"], s["level"], s["heading"]) for s in ctx.rows["sections"]]
    assert got == [("1", 1, "Kết quả thực hiện"), ("1.1", 2, "Ưu điểm"), ("1.2", 2, "Hạn chế"),
                   ("2", 1, "Kiến nghị"), ("2.2", 2, "Đối với UBND huyện")]
    cats = [(f["section"], f["category"], f["addressee"]) for f in ctx.rows["findings"]]
    assert cats == [("1.1", "strength", None), ("1.2", "limitation", None),
                    ("2.2", "recommendation", "UBND huyện")]


def test_signature_columns_run_together():
    """A text export that ran the "Nơi nhận" column and the signature column together."""
    ctx = run_stages([
        ("heading", "I. KẾT QUẢ"),
        ("paragraph", "Các xã đã niêm yết đầy đủ thủ tục hành chính tại bộ phận một cửa "
                      "Nơi nhận: TM. ỦY BAN NHÂN DÂN"),
        ("list_item", "- Sở Nội vụ; KT. CHỦ TỊCH"),
        ("list_item", "- Thường trực Huyện ủy, Thường trực HĐND huyện; PHÓ CHỦ TỊCH"),
        ("list_item", "- Các phòng, ban chuyên môn thuộc"),
        ("paragraph", "UBND huyện;"),
        ("list_item", "- Lưu: VT, NV; Trần Văn Bình"),
    ])
    meta = ctx.meta
    assert meta["signer_role"] == "TM. ỦY BAN NHÂN DÂN, KT. CHỦ TỊCH, PHÓ CHỦ TỊCH"
    assert meta["signer"] == "Trần Văn Bình"
    assert json.loads(meta["recipients"]) == [
        "Sở Nội vụ", "Thường trực Huyện ủy, Thường trực HĐND huyện",
        "Các phòng, ban chuyên môn thuộc UBND huyện", "Lưu: VT, NV"]
    assert [f["text"] for f in ctx.rows["findings"]] == [
        "Các xã đã niêm yết đầy đủ thủ tục hành chính tại bộ phận một cửa"]


def test_quoted_title_over_several_lines():
    ctx = run_stages([
        ("paragraph", "HỘI ĐỒNG NHÂN DÂN HUYỆN MƯỜNG ẢNG"), ("paragraph", "ĐOÀN GIÁM SÁT"),
        ("heading", "BÁO CÁO"),
        ("paragraph", "Kết quả giám sát “Việc thực hiện chính sách hỗ trợ"),
        ("paragraph", "Thực hiện chuyển đổi số cấp xã giai đoạn 2022 - 2024”"),
        ("paragraph", "Thực hiện Nghị quyết số 12/NQ-HĐND ngày 05/01/2024 của HĐND huyện, Đoàn giám sát "
                      "báo cáo như sau:"),
        ("heading", "I. KẾT QUẢ"),
        ("paragraph", "Các xã đã bố trí công chức phụ trách chuyển đổi số theo đúng hướng dẫn."),
    ])
    assert ctx.meta["title"] == ("Kết quả giám sát “Việc thực hiện chính sách hỗ trợ Thực hiện chuyển đổi số "
                                 "cấp xã giai đoạn 2022 - 2024”")
    assert ctx.meta["issuer"] == "HỘI ĐỒNG NHÂN DÂN HUYỆN MƯỜNG ẢNG ĐOÀN GIÁM SÁT"
    assert (ctx.meta["period_start"], ctx.meta["period_end"]) == ("2022", "2024")
    assert [f["text"][:20] for f in ctx.rows["findings"]] == ["Các xã đã bố trí côn"]


def test_tren_day_mid_report_does_not_close_the_body():
    ctx = run_stages([
        ("heading", "I. KẾT QUẢ"),
        ("paragraph", "Trên đây là một số kết quả nổi bật trong năm; bên cạnh đó vẫn còn tồn tại cần khắc phục."),
        ("heading", "II. HẠN CHẾ"),
        ("paragraph", "Tỷ lệ hồ sơ trực tuyến ở các xã vùng cao còn thấp so với chỉ tiêu được giao."),
        ("paragraph", "Trên đây là báo cáo kết quả thực hiện năm 2024 của UBND huyện./."),
        ("paragraph", "Nơi nhận:"), ("list_item", "- Lưu: VT."),
    ])
    assert [s["path"] for s in ctx.rows["sections"]] == ["I", "II"]
    cats = [(f["section"], f["category"]) for f in ctx.rows["findings"]]
    assert cats == [("I", "limitation"), ("II", "limitation")]


def test_heading_with_a_final_period_is_still_a_heading():
    ctx = run_stages([
        ("heading", "1. Cải cách thủ tục hành chính."),
        ("paragraph", "Các xã đã niêm yết đầy đủ thủ tục hành chính tại bộ phận một cửa."),
        ("heading", "2. Nhiệm vụ năm 2025."),
        ("list_item", "(1) Rà soát thủ tục hành chính lĩnh vực đất đai."),
        ("list_item", "(2) Số hóa hồ sơ."),
    ])
    assert [f["text"] for f in ctx.rows["findings"]] == [
        "Các xã đã niêm yết đầy đủ thủ tục hành chính tại bộ phận một cửa.",
        "Rà soát thủ tục hành chính lĩnh vực đất đai.", "Số hóa hồ sơ."]
    assert [f["category"] for f in ctx.rows["findings"]][1:] == ["recommendation"] * 2


def test_number_on_the_line_after_so():
    ctx = run_stages([("paragraph", "BỘ NỘI VỤ"), ("paragraph", "Số:"), ("paragraph", "1024/BNV-CCHC"),
                      ("paragraph", "Hà Nội, ngày 3 tháng 4 năm 2024"),
                      ("paragraph", "V/v hướng dẫn đánh giá chỉ số cải cách hành chính"),
                      ("paragraph", "Kính gửi: Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương."),
                      ("paragraph", "Đề nghị các địa phương tự đánh giá, chấm điểm và gửi kết quả về Bộ Nội vụ "
                                    "trước ngày 15/4/2024.")])
    meta = ctx.meta
    assert (meta["number_symbol"], meta["doc_type"], meta["issued_date"]) == ("1024/BNV-CCHC", "Công văn", "2024-04-03")
    assert meta["issuer"] == "BỘ NỘI VỤ"
    assert meta["title"] == "hướng dẫn đánh giá chỉ số cải cách hành chính"
    assert [(f["category"], f["addressee"]) for f in ctx.rows["findings"]] == [("recommendation", "các địa phương")]
