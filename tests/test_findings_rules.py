"""Every example kept next to a rule in schemas/data/findings.yaml and structure.yaml
holds (as reporters-db does for eyecite). Fast: no ingest."""
from __future__ import annotations

import pytest

from pipeline.analysis import findings, structure

F = findings.rules()["raw"]
S = structure.rules()


@pytest.mark.parametrize("category,example", [
    (cat, ex) for cat, e in F["headings"].items() for ex in e["examples"]])
def test_heading_examples(category, example):
    num = structure.numbering(example)
    heading = example[num[2]:] if num else example
    assert findings.heading_category(heading) == category


@pytest.mark.parametrize("category,example", [
    (cat, ex) for cat, e in F["cues"].items() for ex in e["examples"]])
def test_cue_examples(category, example):
    assert findings.cue_category(example)[0] == category


@pytest.mark.parametrize("example", F["cues"]["recommendation"]["not_examples"])
def test_request_word_as_noun_is_not_a_cue(example):
    cue = findings.cue_category(example)
    assert cue is None or cue[0] != "recommendation"


@pytest.mark.parametrize("example", F["cues"]["limitation"]["not_examples"])
def test_limitation_not_examples(example):
    cue = findings.cue_category(example)
    assert cue is None or cue[0] != "limitation"


@pytest.mark.parametrize("example", F["cue_negator_examples"])
def test_negated_cue(example):
    cue = findings.cue_category(example)
    assert cue is None or cue[0] != "limitation"


@pytest.mark.parametrize("heading,want", list(F["addressee"]["heading_examples"].items()))
def test_addressee_heading_examples(heading, want):
    num = structure.numbering(heading)
    assert findings.addressee_from_heading(heading[num[2]:] if num else heading) == want


@pytest.mark.parametrize("item,want", list(F["addressee"]["item_examples"].items()))
def test_addressee_item_examples(item, want):
    assert findings.addressee_from_item(item, fallback=True) == want


@pytest.mark.parametrize("text,style,number", [
    ("I. CÔNG TÁC CHỈ ĐẠO", "roman", "I"), ("IV. KIẾN NGHỊ", "roman", "IV"),
    ("2. Cải cách thủ tục hành chính", "arabic.", "2"), ("2.1. Ưu điểm", "decimal2", "2.1"),
    ("1.2.3 Kết quả", "decimal3", "1.2.3"), ("a) Ở trung ương:", "alpha)", "a"),
    ("đ) Kết quả thực hiện", "alpha)", "đ"), ("(3) Chỉ đạo các cơ quan", "paren", "3"),
    ("Điều 1. Phạm vi điều chỉnh", "dieu", "1"), ("Chương II", "chuong", "II"),
    ("Mục 1 THẨM QUYỀN", "muc", "1"), ("## II. NHIỆM VỤ", "roman", "II"),
    ("**1. Mục đích**", "arabic.", "1"), ("PHỤ LỤC", "phuluc", None), ("Phụ lục II", "phuluc", "II"),
    ("Biểu mẫu 3", "bieumau", "3"), ("PHẦN I", "phan", "I"), ("Phần thứ hai: NHIỆM VỤ", "phan", "hai"),
    ("PHẦN THỨ NHẤT", "phan", "NHẤT"), ("I- ĐẶC ĐIỂM TÌNH HÌNH", "roman", "I"), ("II - KẾT QUẢ", "roman", "II"),
    ("1- Cải cách thể chế", "arabic-", "1"), ("2/ Kết quả đạt được", "arabic-", "2"),
])
def test_numbering(text, style, number):
    assert structure.numbering(text)[:2] == (style, number)


@pytest.mark.parametrize("text", [
    "2023 là năm bản lề", "1.977 người làm việc", "97,79% hồ sơ", "Mục tiêu của kế hoạch",
    "Phụ lục kèm theo báo cáo này", "Điều kiện làm việc còn khó khăn", "V/v đề nghị hỗ trợ",
    "Phần lớn các xã đã hoàn thành", "Phần mềm một cửa thường xuyên bị lỗi", "1/2024 là tháng cao điểm",
    "3 - 5 ngày làm việc", "I/O",
])
def test_not_numbering(text):
    assert structure.numbering(text) is None


@pytest.mark.parametrize("symbol,doc_type", list(S["symbol_examples"].items()))
def test_type_from_symbol(symbol, doc_type):
    assert structure._type_from_symbol(symbol, S) == doc_type


@pytest.mark.parametrize("case", S["signature_examples"])
def test_signature_examples(case):
    positions = sorted(S["positions"], key=len, reverse=True)
    got = structure._split_role(case["lines"], positions, tuple(S["signature_prefixes"]))
    assert ", ".join(got) == case["role"]


@pytest.mark.parametrize("title,preamble,want", [
    ("Kết quả giám sát “… giai đoạn 2021 - 2023”", "", ("2021", "2023")),
    ("Kết quả giám sát giai đoạn 2021 - 2023", "thực hiện từ 7/2021 đến 31/12/2023", ("2021-07", "2023-12-31")),
    ("Kết quả giám sát giai đoạn 2021 - 2023", "Từ ngày 10/5/2024 đến ngày 30/5/2024", ("2021", "2023")),
    ("Công tác cải cách hành chính năm 2025 và phương hướng năm 2026", "", ("2025", "2025")),
    ("Tình hình thực hiện 6 tháng đầu năm 2024", "", ("2024-01", "2024-06")),
    ("Kết quả thực hiện quý III năm 2024", "", ("2024-07", "2024-09")),
    ("Kết quả kiểm tra từ 01/7/2023 đến 30/6/2024", "", ("2023-07-01", "2024-06-30")),
    ("Quy định về đánh giá, xếp loại chất lượng", "", (None, None)),
    (None, "giai đoạn 2021-2025", (None, None)),
])
def test_period(title, preamble, want):
    assert structure.period(title, preamble) == want


@pytest.mark.parametrize("rest,want", [
    ("335/2025/NĐ-CP Hà Nội, ngày 21 tháng 12 năm 2025", "335/2025/NĐ-CP"), ("123 /BC-UBND", "123/BC-UBND"),
    ("45 - KH/TU Mường Chà, ngày 3 tháng 2 năm 2024", "45-KH/TU"), ("87/PNV-CCHC", "87/PNV-CCHC"),
    ("12/2024/NQ-HĐND", "12/2024/NQ-HĐND"),
])
def test_number_symbol_after_so(rest, want):
    assert structure._symbol(rest) == want


@pytest.mark.parametrize("heading", F["mixed_headings_examples"])
def test_mixed_headings_are_silent(heading):
    num = structure.numbering(heading)
    assert findings.heading_category(heading[num[2]:] if num else heading) is None


@pytest.mark.parametrize("heading", F["addressee"]["org_not_examples"])
def test_not_an_organisation(heading):
    num = structure.numbering(heading)
    assert findings.addressee_from_heading(heading[num[2]:] if num else heading) is None


@pytest.mark.parametrize("line", S["issuer_examples"])
def test_issuer_heads(line):
    assert structure.is_issuer_head(line)


@pytest.mark.parametrize("line", S["issuer_not_examples"])
def test_not_issuer_heads(line):
    assert not structure.is_issuer_head(line)


# -- issue 13: findings that are findings -------------------------------------------------
@pytest.mark.parametrize("item,want", list(F["addressee"]["needs_name_examples"].items()))
def test_addressee_is_a_whole_organisation_and_a_request(item, want):
    assert findings.addressee_from_item(item) == want


@pytest.mark.parametrize("example", F["noun_phrase_examples"] + F["absence_of_harm_examples"]
                         + F["topic_label_examples"])
def test_limitation_cue_inside_a_noun_phrase_is_silent(example):
    cue = findings.cue_category(example)
    assert cue is None or cue[0] != "limitation"


@pytest.mark.parametrize("example", F["noun_phrase_not_examples"])
def test_limitation_cue_as_predicate_still_counts(example):
    assert findings.cue_category(example)[0] == "limitation"


@pytest.mark.parametrize("example", F["past_request_examples"])
def test_past_request_is_a_statement(example):
    assert findings.past_request(example)
    cat, basis, _, addr = findings.classify(example, _SEC_KIEN_NGHI, {}, None, None)
    assert cat not in ("recommendation", "direction") and addr is None


@pytest.mark.parametrize("example", F["present_request_examples"])
def test_request_made_by_this_document(example):
    assert findings.past_request(example) is None
    cat, _, _, addr = findings.classify(example, _SEC_KIEN_NGHI, {}, None, None)
    assert cat == "recommendation" and addr


@pytest.mark.parametrize("example", F["direction_not_examples"])
def test_figures_under_a_direction_heading_are_not_a_direction(example):
    sec = {"id": 1, "parent_id": None, "heading": "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", "start": 0,
           "heading_end": 0}
    cat, _, _, addr = findings.classify(example, sec, {1: sec}, None, None)
    assert cat == "other" and addr is None


@pytest.mark.parametrize("example", F["not_prose"]["examples"])
def test_not_prose(example):
    assert findings.not_prose(example, "Nội dung tiếp theo.")


@pytest.mark.parametrize("example", F["not_prose"]["not_examples"])
def test_prose(example):
    assert findings.not_prose(example, "Nội dung tiếp theo.") is None


def test_short_line_continued_in_lower_case_is_prose():
    assert findings.not_prose("Tỷ lệ hồ sơ giải quyết đúng hạn của các xã", "đạt 98,2%.") is None


_SEC_KIEN_NGHI = {"id": 9, "parent_id": None, "heading": "KIẾN NGHỊ, ĐỀ XUẤT", "start": 0, "heading_end": 0}
