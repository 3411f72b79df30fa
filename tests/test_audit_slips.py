"""Issue 9: a `mismatch` means the document contradicts itself and the check shows the
arithmetic. Traps of every false-alarm class seen on real reports (own sentences), the
slips auditors meet (change claims, table totals, percentage columns, formula columns),
a generated report with both planted, and the auditor's commands (cards, xlsx, review)."""
from __future__ import annotations

import json

import pytest

from pipeline.analysis.audit import audit
from pipeline.analysis.audit_tables import table_checks
from pipeline.analysis.figures import extract_figures


def _checks(text):
    figs = extract_figures(text)
    for i, f in enumerate(figs):
        f["id"] = i
    return audit(text, figs)


def _mismatches(text):
    return [c for c in _checks(text) if c["verdict"] == "mismatch"]


# ---- 1. false-alarm classes: each of these gave a mismatch before issue 9 -------------

TRAPS = {
    # one indicator for several targets or periods
    "targets": "Mục tiêu đến năm 2025:\n- Tỷ lệ hồ sơ thủ tục hành chính được số hóa kết quả "
               "giải quyết đạt 80%.\n\nMục tiêu đến năm 2030:\n- Tỷ lệ hồ sơ thủ tục hành chính "
               "được số hóa kết quả giải quyết đạt 100%.",
    "periods": "Trong năm 2023:\n- Số hồ sơ thủ tục hành chính được tiếp nhận trực tuyến: 1.200 "
               "hồ sơ.\n\nTrong năm 2024:\n- Số hồ sơ thủ tục hành chính được tiếp nhận trực "
               "tuyến: 1.650 hồ sơ.",
    # scoring rubric
    "rubric": "Thang điểm:\n- Tỷ lệ hồ sơ giải quyết đúng hạn của cơ quan đạt từ 80% trở lên: "
              "2 điểm.\n- Tỷ lệ hồ sơ giải quyết đúng hạn của cơ quan đạt từ 65% đến dưới 80%: "
              "1 điểm.\n- Tỷ lệ hồ sơ giải quyết đúng hạn của cơ quan đạt dưới 50%: 0 điểm.",
    "rubric_points": "Cách chấm điểm:\n- Tỷ lệ hồ sơ giải quyết đúng hạn của cơ quan đạt 100%: 2 "
                     "điểm.\n- Tỷ lệ hồ sơ giải quyết đúng hạn của cơ quan đạt 95%: 1 điểm.",
    "overlapping_classes": "Có 5/24 đơn vị xếp loại Xuất sắc, 20/24 đơn vị xếp loại Tốt trở lên.",
    # the same list labels under different stages or scopes
    "stages": "Về kết quả phát hiện:\n- Số vụ việc vi phạm về trật tự xây dựng: 45 vụ.\n\n"
              "Về kết quả xử lý:\n- Số vụ việc vi phạm về trật tự xây dựng: 38 vụ.",
    "scopes": "a) Đối với công chức:\n- Số người có mặt tại buổi kiểm tra đột xuất của đoàn: 112 "
              "người.\nb) Đối với viên chức:\n- Số người có mặt tại buổi kiểm tra đột xuất của "
              "đoàn: 340 người.",
    "sections": "II.1. Sở Tư pháp\n\nSố hồ sơ thủ tục hành chính tiếp nhận trong kỳ báo cáo là "
                "1.200 hồ sơ.\n\nII.2. Sở Y tế\n\nSố hồ sơ thủ tục hành chính tiếp nhận trong kỳ "
                "báo cáo là 900 hồ sơ.",
    "levels": "- Cấp tỉnh:\n+ Số hồ sơ thủ tục hành chính tiếp nhận trong kỳ báo cáo: 1.200 hồ "
              "sơ.\n- Cấp huyện:\n+ Số hồ sơ thủ tục hành chính tiếp nhận trong kỳ báo cáo: 900 hồ sơ.",
    "stage_list": "Tổng số vụ việc là 45 vụ, gồm: phát hiện 45 vụ; khởi tố 38 vụ; xử lý hành "
                  "chính 7 vụ.",
    # a percentage of a union next to one member
    "union": "Kết quả có 24/24 đơn vị, đạt 100% (gồm 5/24 đơn vị Xuất sắc và 19/24 đơn vị Tốt).",
    "union2": "Kết quả xếp loại: 5/24 đơn vị xếp loại Xuất sắc, 19/24 đơn vị xếp loại Tốt, đạt "
              "100% đơn vị Tốt trở lên.",
    # a percentage next to the parenthesis that breaks it down
    "breakdown": "Đã công khai 57/60 cơ quan, đơn vị, đạt tỷ lệ 95% (18/20 sở, ngành và 39/40 "
                 "UBND cấp xã).",
    "breakdown2": "Tổng số 57/60 cơ quan, đơn vị đã công khai, đạt tỷ lệ 95% (gồm 18/20 sở, "
                  "ngành; 39/40 UBND cấp xã).",
    # a level label read as a numerator
    "label": "Có 420 thủ tục ở mức độ 1, 2 trên tổng số 1.850 thủ tục, chiếm 22,7%.",
    # a condition or threshold next to a measured ratio
    "condition": "Đã giải quyết 95/120 hồ sơ; trường hợp đạt 100% thì đơn vị được khen thưởng.",
    "threshold": "Tiếp nhận 340/400 hồ sơ, nếu đạt 90% trở lên thì được xếp loại Tốt.",
    # durations of a rule added as parts of a total
    "durations": "Thời hạn lưu trữ hồ sơ là 20 năm, gồm: đủ 15 năm đối với hồ sơ loại A, trên "
                 "15 năm đối với hồ sơ loại B.",
}


@pytest.mark.parametrize("name", sorted(TRAPS))
def test_false_alarm_classes_give_no_mismatch(name):
    assert _mismatches(TRAPS[name]) == []


def test_repeated_still_compares_the_same_indicator():
    """The fixes scope `repeated`, they do not switch it off: the same label, the same
    years and the same words around the figure, two values, is a mismatch."""
    text = ("Trong năm 2024:\n- Số hồ sơ thủ tục hành chính được tiếp nhận trực tuyến: 1.650 "
            "hồ sơ.\n\nKết quả năm 2024 như sau.\n\nTrong năm 2024:\n- Số hồ sơ thủ tục hành "
            "chính được tiếp nhận trực tuyến: 1.560 hồ sơ.")
    got = [c for c in _checks(text) if c["kind"] == "repeated"]
    assert [c["verdict"] for c in got] == ["mismatch"] and got[0]["basis"]


def test_repeated_under_generic_headings_is_compared():
    text = ("1. Tình hình chung\n\nSố hồ sơ thủ tục hành chính tiếp nhận trong kỳ báo cáo là "
            "1.200 hồ sơ.\n\n2. Kết quả\n\nSố hồ sơ thủ tục hành chính tiếp nhận trong kỳ báo "
            "cáo là 1.300 hồ sơ.")
    assert [c["verdict"] for c in _checks(text) if c["kind"] == "repeated"] == ["mismatch"]


def test_breakdown_parenthesis_still_pairs_a_single_restatement():
    got = _checks("Tỷ lệ hồ sơ đúng hạn đạt 96,5% (tương ứng 191/200 hồ sơ).")
    assert [(c["kind"], c["verdict"]) for c in got] == [("ratio_percent", "mismatch")]


# ---- 3. change claims ------------------------------------------------------------------

@pytest.mark.parametrize("text,kind,verdict", [
    ("Năm 2024 tiếp nhận 1.250 hồ sơ, tăng 150 hồ sơ (13,64%) so với năm 2023 (1.100 hồ sơ).",
     "change_percent", "ok"),
    ("Năm 2024 tiếp nhận 1.250 hồ sơ, tăng 160 hồ sơ so với năm 2023 (1.100 hồ sơ).",
     "change", "mismatch"),
    ("Năm 2024 tiếp nhận 1.250 hồ sơ, giảm 150 hồ sơ so với năm 2023 (1.100 hồ sơ).",
     "change", "mismatch"),  # the direction contradicts the word
    ("Thu ngân sách đạt 245,6 tỷ đồng, giảm 12,4 tỷ đồng (tương ứng 5,1%) so với cùng kỳ.",
     "change_percent", "mismatch"),  # 12,4 / 258 = 4,81%
    ("Thu ngân sách đạt 245,6 tỷ đồng, giảm 12,4 tỷ đồng (tương ứng 4,8%) so với cùng kỳ.",
     "change_percent", "ok"),
    ("Tiếp nhận 1.250 hồ sơ, tăng 150 hồ sơ (tương ứng 13,63%) so với cùng kỳ năm trước.",
     "change_percent", "rounding"),  # 13,636…: truncated, not a slip
    ("Tiếp nhận 1.250 hồ sơ, tăng 12% so với năm 2023 là 1.100 hồ sơ.",
     "change_percent", "mismatch"),  # 150 / 1.100 = 13,64% (12% is 150 / 1.250)
])
def test_change_claims(text, kind, verdict):
    got = [c for c in _checks(text) if c["kind"] == kind]
    assert got and got[0]["verdict"] == verdict, got
    assert got[0]["basis"] and "so với" in got[0]["basis"]


def test_from_to_change_rate():
    # 22 / 120 = 18,33%, and 22 / 98 = 22,4%: neither base gives 15,3%
    got = _checks("Số đơn vị giảm từ 120 đơn vị xuống còn 98 đơn vị, giảm 15,3%.")
    assert [(c["kind"], c["verdict"]) for c in got] == [("change_percent", "mismatch")]
    far = _checks("Số hồ sơ giảm từ 1.200 hồ sơ xuống còn 1.000 hồ sơ, trong khi số hồ sơ trực "
                  "tuyến của các xã tăng 5,2%.")
    assert not [c for c in far if c["verdict"] == "mismatch"]


def test_change_against_a_value_stated_earlier():
    head = "Năm 2023, Bộ phận Một cửa huyện tiếp nhận 1.100 hồ sơ thủ tục hành chính.\n\n"
    slip = head + ("Năm 2024, Bộ phận Một cửa huyện tiếp nhận 1.250 hồ sơ thủ tục hành chính, "
                   "tăng 12% so với năm 2023.")
    chk = next(c for c in _checks(slip) if c["kind"] == "change_percent")
    assert chk["verdict"] == "mismatch" and "1.100 hồ sơ" in chk["basis"]
    right = slip.replace("tăng 12% so với năm 2023", "tăng 13,6% so với cùng kỳ năm trước")
    assert [c["verdict"] for c in _checks(right) if c["kind"] == "change_percent"] == ["ok"]
    # an earlier figure of another indicator is not the old value
    other = slip.replace("tiếp nhận 1.100 hồ sơ thủ tục hành chính", "trả kết quả 1.100 hồ sơ đất đai")
    assert not [c for c in _checks(other) if c["kind"] == "change_percent"]


def test_truncation_told_apart_from_rounding():
    got = _checks("Tiếp nhận 1.250 hồ sơ, tăng 150 hồ sơ (tương ứng 13,63%) so với cùng kỳ.")
    chk = next(c for c in got if c["kind"] == "change_percent")
    assert chk["verdict"] == "rounding" and "cắt bớt" in chk["message"]
    got = _checks("Giải quyết 2/3 hồ sơ, đạt 66,66%. Giải quyết 5/6 hồ sơ, đạt 83,34%.")
    notes = [c["message"] for c in got if c["kind"] == "ratio_percent"]
    assert "cắt bớt" in notes[0] and "chữ số cuối" in notes[1]


def test_change_of_a_rate_or_against_a_plan_is_not_checked():
    for text in ("Tỷ lệ hồ sơ đúng hạn đạt 85%, tăng 5% so với năm 2023.",
                 "Tiếp nhận 1.250 hồ sơ, tăng 12% so với kế hoạch.",
                 "Giải quyết 1.200/1.250 hồ sơ, tăng 35,5% so với năm 2022."):
        assert not [c for c in _checks(text) if c["kind"].startswith("change")], text


def test_share_of_a_whole_stated_earlier():
    base = "Toàn tỉnh có 1.250 cán bộ, công chức cấp xã. "
    claim = ("Đến nay, 980 cán bộ, công chức cấp xã sử dụng thành thạo máy tính, chiếm {}% "
             "tổng số cán bộ, công chức cấp xã.")
    right = [c for c in _checks(base + claim.format("78,4")) if c["kind"] == "implicit_whole"]
    assert [c["verdict"] for c in right] == ["ok"] and "1.250" in right[0]["basis"]
    assert [c["kind"] for c in _mismatches(base + claim.format("87,4"))] == ["implicit_whole"]
    # the whole as "tổng số … là N"
    named = "Tổng số cán bộ, công chức cấp xã là 1.250 người. " + claim.format("87,4")
    assert [c["kind"] for c in _mismatches(named)] == ["implicit_whole"]
    # traps: two wholes of that name; a whole of another year; a share without "tổng số";
    # a threshold
    two = ("Năm 2023 có 1.180 cán bộ, công chức cấp xã; hiện có 1.250 cán bộ, công chức cấp xã. "
           + claim.format("87,4"))
    other_year = ("Năm 2020, toàn tỉnh có 1.100 cán bộ, công chức cấp xã. Năm 2024, 980 cán bộ, "
                  "công chức cấp xã sử dụng thành thạo máy tính, chiếm 78,4% tổng số cán bộ, "
                  "công chức cấp xã.")
    bare = base + "Có 980 cán bộ, công chức cấp xã sử dụng thành thạo máy tính, chiếm 87,4%."
    threshold = base + ("Phấn đấu 980 cán bộ, công chức cấp xã sử dụng thành thạo máy tính, chiếm "
                        "từ 80% tổng số cán bộ, công chức cấp xã trở lên.")
    for text in (two, other_year, bare, threshold):
        assert not [c for c in _checks(text) if c["kind"] == "implicit_whole"], text

# ---- 3. tables -----------------------------------------------------------------------

def _table(rows, text=""):
    start = len(text)
    text += "\n".join(" | ".join(r) for r in rows)
    return text, {"rows": json.dumps(rows, ensure_ascii=False), "start": start, "end": len(text)}


def _flags(text, tables):
    out = []
    for c in table_checks(text, tables):
        assert text[c["start"]:c["end"]]  # the stated cell, as written
        if c["verdict"] == "mismatch":
            out.append((c["kind"], text[c["start"]:c["end"]]))
    return out


def test_formula_header_change_and_percentage():
    text, t = _table([
        ["STT", "Đơn vị", "Năm 2023", "Năm 2024", "Tăng, giảm", "Tỷ lệ (%)"],
        ["(1)", "(2)", "(3)", "(4)", "(5)=(4-3)", "(6)=(5/3) %"],
        ["1", "Xã An Bình", "120", "150", "30", "25,00"],
        ["2", "Xã Tân Lập", "200", "180", "-20", "-10,00"],
        ["3", "Xã Phú Hòa", "80", "100", "30", "37,50"],
        ["", "Tổng cộng", "400", "430", "40", "10,00"]], "Biểu 1\n\n")
    flags = _flags(text, [t])
    # row 3: 100 − 80 = 20, not 30; total row: 430 − 400 = 30, not 40 (and the column sum)
    assert ("table_formula", "30") in flags and ("table_formula", "40") in flags
    assert ("table_formula", "37,50") not in flags  # 30/80: right for the stated 30
    assert all(k != "table_formula" or v not in ("25,00", "-10,00", "10,00") for k, v in flags)
    basis = {c["basis"] for c in table_checks(text, [t]) if c["kind"] == "table_formula"}
    assert "(5)=(4-3)" in basis


def test_total_row_percentage_column_and_continuation():
    text, t1 = _table([
        ["TT", "Cơ quan", "Tổng số hồ sơ", "Đúng hạn", "Trễ hạn", "Tỷ lệ đúng hạn (%)"],
        ["1", "Sở Tư pháp", "1.200", "1.150", "50", "95,83"],
        ["2", "Sở Xây dựng", "860", "800", "60", "93,02"],
        ["3", "Sở Y tế", "540", "530", "10", "98,15"]], "Bảng 2\n\n")
    text += "\n\n12\n\n"  # a page number between the two halves
    text, t2 = _table([
        ["4", "Sở Nội vụ", "300", "290", "10", "97,67"],
        ["5", "Sở Tài chính", "500", "480", "30", "96,00"],
        ["", "Tổng cộng", "3.400", "3.250", "170", "95,59"]], text)
    flags = _flags(text, [t1, t2])
    assert ("table_percent", "97,67") in flags      # 290/300 = 96,67%
    assert ("table_total", "500") in flags          # 480 + 30 = 510
    assert ("table_total", "170") in flags          # 50 + 60 + 10 + 10 + 30 = 160
    assert len(flags) == 3
    # without the join the total row sees only the two rows of its own page: no column
    # adds up, so the reading is doubtful and nothing is a mismatch
    alone = table_checks(text, [t2])
    assert not [c for c in alone if c["verdict"] == "mismatch"]
    assert {c["verdict"] for c in alone if c["kind"] == "table_total"} == {"unverifiable"}


def test_table_traps():
    # "Tổng số | trong đó: Nữ | Đảng viên": not a partition; no percentage pair confirmed
    text, t = _table([
        ["TT", "Đơn vị", "Tổng số", "Trong đó: Nữ", "Đảng viên", "Tỷ lệ (%)"],
        ["1", "Phòng Nội vụ", "12", "5", "9", "80"],
        ["2", "Phòng Tư pháp", "8", "3", "6", "95"],
        ["3", "Phòng Tài chính", "10", "4", "7", "90"],
        ["", "Cộng", "30", "12", "22", "88"]])
    assert _flags(text, [t]) == []
    # a statistical table: a row named "Tổng số …" is not a total row
    text, t = _table([
        ["STT", "Chỉ tiêu", "Đơn vị tính", "Số liệu"],
        ["1.", "Tổng số văn bản do địa phương ban hành", "Văn bản", "249"],
        ["1.1.", "Số văn bản cấp tỉnh", "Văn bản", "174"],
        ["2.", "Số văn bản đã kiểm tra", "Văn bản", "116"]])
    assert table_checks(text, [t]) == []


def test_total_rows_with_subtotals_groups_and_detail_rows():
    text, t = _table([
        ["STT", "Đơn vị", "Số hồ sơ"],
        ["I", "Khối sở, ngành", "300"],
        ["1", "Sở A", "100"],
        ["2", "Sở B", "200"],
        ["II", "Khối cấp huyện", "150"],
        ["1", "Huyện C", "150"],
        ["", "Tổng cộng", "450"]])
    assert _flags(text, [t]) == []
    text, t = _table([
        ["STT", "Đơn vị", "Số hồ sơ"],
        ["1", "Sở A", "100"],
        ["2", "Sở B", "200"],
        ["", "Cộng", "300"],
        ["3", "Huyện C", "150"],
        ["4", "Huyện D", "50"],
        ["", "Cộng", "200"],
        ["", "Tổng cộng", "510"]])
    assert _flags(text, [t]) == [("table_total", "510")]  # 300 + 200
    text, t = _table([
        ["STT", "Đơn vị", "Số người"],
        ["1", "Phòng A", "12"],
        ["", "Trong đó: nữ", "5"],
        ["2", "Phòng B", "8"],
        ["", "Trong đó: nữ", "3"],
        ["", "Tổng số", "20"]])
    assert _flags(text, [t]) == []


def test_total_heading_its_group_and_shifted_columns():
    text, t = _table([
        ["STT", "Đơn vị", "Số hồ sơ", "Đúng hạn"],
        ["", "Tổng số", "300", "290"],
        ["1", "Sở A", "100", "95"],
        ["2", "Sở B", "200", "195"],
        ["", "Tổng số", "150", "140"],
        ["3", "Huyện C", "100", "90"],
        ["4", "Huyện D", "50", "50"]])
    assert _flags(text, [t]) == []
    # every column of the total row off: columns misread, not two slips
    text, t = _table([
        ["STT", "Đơn vị", "Số hồ sơ", "Đúng hạn"],
        ["1", "Sở A", "100", "95"],
        ["2", "Sở B", "200", "195"],
        ["", "Tổng cộng", "95", "300"]])
    assert _flags(text, [t]) == []


def test_composite_score_from_every_other_column():
    text, t = _table([
        ["STT", "Đơn vị", "Chỉ số 1 tối đa", "Chỉ số 1 đạt", "Chỉ số 2 tối đa", "Chỉ số 2 đạt",
         "Tổng điểm"],
        ["1", "Xã A", "10", "8,5", "20", "17,25", "25,75"],
        ["2", "Xã B", "10", "9", "20", "15,5", "24,50"],
        ["3", "Xã C", "10", "7,25", "20", "18", "26,25"]])
    assert _flags(text, [t]) == [("table_total", "26,25")]  # 25,25


def test_change_and_growth_columns_without_formula_headers():
    text, t = _table([
        ["STT", "Chỉ tiêu", "Năm 2023", "Năm 2024", "Tăng, giảm", "Tỷ lệ tăng, giảm (%)"],
        ["1", "Hồ sơ tiếp nhận", "1.100", "1.250", "150", "13,64"],
        ["2", "Hồ sơ trực tuyến", "600", "820", "220", "36,67"],
        ["3", "Hồ sơ trễ hạn", "40", "25", "-25", "-37,50"],
        ["4", "Hồ sơ bưu chính", "300", "330", "30", "11,00"]])
    flags = _flags(text, [t])
    # row 3: 25 − 40 = −15; row 4: 30/300 = 10%
    assert sorted(flags) == [("table_change", "-25"), ("table_percent", "11,00")], flags
    basis = {c["basis"] for c in table_checks(text, [t])}
    assert any("Năm 2024 − Năm 2023" in b for b in basis)


def test_rows_named_like_totals_are_not_totals():
    text, t = _table([
        ["STT", "Đơn vị", "Số hồ sơ"],
        ["1", "Sở A", "100"],
        ["2", "Sở B", "200"],
        ["3", "Cộng đồng", "50"],
        ["4", "Tổng cục Thuế", "80"]])
    assert table_checks(text, [t]) == []


def test_composite_score_column():
    text, t = _table([
        ["STT", "Đơn vị", "Tổng điểm", "Chỉ số 1", "Chỉ số 2", "Chỉ số 3"],
        ["1", "Sở Tư pháp", "85,50", "30,25", "25,00", "30,25"],
        ["2", "Sở Y tế", "80,75", "28,50", "24,25", "28,00"],
        ["3", "Sở Công Thương", "79,00", "27,00", "23,50", "27,50"]])
    assert _flags(text, [t]) == [("table_total", "79,00")]  # 78,00



# ---- 4b. cost estimates: formulas in the table's own codes, quantity × unit price ----

COST_ESTIMATE = [  # own figures; Gdp is the planted slip (5 % of the lines above is 9.007.625)
    ["Ký hiệu", "Khoản mục chi phí", "Cách tính", "Giá trị trước thuế", "Giá trị sau thuế"],
    ["Gtb", "Chi phí thiết bị và phần mềm", "", "150.000.000", "165.000.000"],
    ["Gql", "Chi phí quản lý dự án", "2,5% x Gtbtt", "3.750.000", "4.125.000"],
    ["Gks", "Chi phí khảo sát, lập đề cương", "1,2%xGtbx1,1", "1.800.000", "1.980.000"],
    ["Gtv", "Chi phí tư vấn giám sát", "vận dụng Quyết định 993/QĐ-BTTTT", "8.000.000", "8.800.000"],
    ["Gk", "Chi phí thẩm tra quyết toán", "0,15% x Gtb", "225.000", "247.500"],
    ["Gdp", "Chi phí dự phòng", "5% x TMĐT", "", "9.500.000"],
    ["Tổng mức đầu tư (làm tròn)", "", "", "", "189.652.500"],
]
TRAINING_COSTS = [  # English separators, as a spreadsheet pasted into a report
    ["STT", "Nội dung chi", "ĐVT", "Số lượng", "Đơn giá", "Thành tiền"],
    ["1", "Bồi dưỡng báo cáo viên", "buổi", "4", "500,000", "2,000,000"],
    ["2", "Nước uống cho học viên", "người", "60", "20,000", "1,200,000"],
    ["3", "Tài liệu phát cho học viên", "bộ", "60", "35,000", "2,400,000"],  # 2,100,000
    ["4", "Thuê hội trường", "ngày", "2", "1,500,000", "3,000,000"],
    ["", "Tổng cộng", "", "", "", "8,600,000"],
]


def test_cost_estimate_formulas_in_the_tables_own_codes():
    text, t = _table(COST_ESTIMATE, "TỔNG MỨC ĐẦU TƯ\n\n")
    checks = table_checks(text, [t])
    assert _flags(text, [t]) == [("table_formula", "9.500.000")]
    formulas = {text[c["start"]:c["end"]]: c for c in checks if c["kind"] == "table_formula"}
    # each line's formula checked against the column it matches; prose is not a formula
    assert formulas["3.750.000"]["verdict"] == "ok" and formulas["225.000"]["verdict"] == "ok"
    assert formulas["1.980.000"]["verdict"] == "ok"          # 1,2 % × 150.000.000 × 1,1
    assert "8.000.000" not in formulas and "8.800.000" not in formulas
    slip = formulas["9.500.000"]
    assert slip["basis"] == "cột Cách tính: 5% x TMĐT" and "TMĐT = 189.652.500" in slip["message"]
    # the same table right throughout: nothing flagged
    right = [r[:] for r in COST_ESTIMATE]
    right[6][4], right[7][4] = "9.007.625", "189.160.125"  # 5 % of the total before it
    text, t = _table(right)
    assert _flags(text, [t]) == []


def test_cost_estimate_rounded_lines_are_rounding_not_slips():
    rows = [r[:] for r in COST_ESTIMATE[:3]] + [["Gk", "Chi phí thẩm tra", "0,237% x Gtb", "356.000", ""]]
    rows[2][3] = "3.749.000"  # 3.750.000 rounded down to thousands: one unit, not a slip
    text, t = _table(rows)
    verdicts = {text[c["start"]:c["end"]]: c["verdict"] for c in table_checks(text, [t])}
    assert verdicts["356.000"] == "rounding"                    # 355.500 to thousands
    assert verdicts["3.749.000"] == "rounding" and _flags(text, [t]) == []


def test_quantity_times_unit_price_in_english_separators():
    text, t = _table(TRAINING_COSTS)
    assert _flags(text, [t]) == [("table_formula", "2,400,000")]
    ok = [c for c in table_checks(text, [t]) if c["kind"] == "table_formula" and c["verdict"] == "ok"]
    assert len(ok) == 3 and ok[0]["stated"] == 2_000_000       # "2,000,000" is two million
    total = next(c for c in table_checks(text, [t]) if c["kind"] == "table_total")
    assert total["verdict"] == "ok" and total["stated"] == 8_600_000
    # amounts kept in thousands while prices are in đồng: no row agrees, no check
    text, t = _table([
        ["STT", "Thiết bị", "Số lượng", "Đơn giá (đồng)", "Thành tiền (nghìn đồng)"],
        ["1", "Máy tính để bàn", "5", "15.000.000", "75.000"],
        ["2", "Máy in laser", "2", "4.500.000", "9.000"],
        ["3", "Máy quét tài liệu", "1", "8.000.000", "8.000"]])
    assert [c for c in table_checks(text, [t]) if c["kind"] == "table_formula"] == []


def test_group_rows_over_numbered_items_and_the_estimate_total():
    text, t = _table([
        ["STT", "Khoa / lớp", "Sĩ số", "Số phiếu phản hồi", "Tỷ lệ phản hồi"],
        ["", "Khoa Nông nghiệp", "95", "40", "42,11%"],
        ["1", "Nông học 15A", "48", "22", "45,83%"],
        ["2", "Nông học 15B", "47", "18", "38,30%"],
        ["", "Khoa Ngoại ngữ", "120", "61", "50,83%"],  # 41 + 38 + 36 = 115: a class left out
        ["1", "Ngôn ngữ Anh 15A", "41", "20", "48,78%"],
        ["2", "Ngôn ngữ Anh 15B", "38", "21", "55,26%"],
        ["3", "Ngôn ngữ Trung 15", "36", "20", "55,56%"],
        ["", "Khoa Luật", "70", "35", "50,00%"],
        ["1", "Luật kinh tế 15A", "36", "17", "47,22%"],
        ["2", "Luật kinh tế 15B", "34", "18", "52,94%"],
        ["", "Tổng cộng", "285", "136", "47,72%"]])
    flags = _flags(text, [t])
    assert ("table_total", "120") in flags and ("table_total", "61") not in flags
    # the grand total adds the group rows, not groups and items together
    assert ("table_total", "285") not in flags and ("table_total", "136") not in flags
    # an estimate's total over its code rows, each heading its numbered items
    text, t = _table(COST_ESTIMATE)
    total = next(c for c in table_checks(text, [t]) if text[c["start"]:c["end"]] == "189.652.500")
    assert total["kind"] == "table_total" and total["verdict"] == "ok"

def test_short_negative_in_parentheses_is_a_change():
    rows = [
        ["STT", "Mặt hàng", "Giá kỳ trước", "Giá kỳ này", "Mức tăng, giảm", "Tỷ lệ (%)"],
        ["(1)", "(2)", "(3)", "(4)", "(5)=(4-3)", "(6)=(5/3) %"],
        ["1", "Xăng sinh học E5", "21.500", "21.430", "(70)", "-0,33"],
        ["2", "Dầu diesel", "20.000", "20.350", "350", "1,75"],
        ["3", "Dầu hỏa", "19.800", "19.750", "(50)", "-0,25"]]
    text, t = _table(rows)
    checks = {(c["kind"], text[c["start"]:c["end"]]): c["verdict"] for c in table_checks(text, [t])}
    assert checks[("table_formula", "(70)")] == "ok" and checks[("table_formula", "-0,33")] == "ok"
    rows[2][4] = "(90)"  # 21.430 − 21.500 is −70
    text, t = _table(rows)
    assert ("table_formula", "(90)") in _flags(text, [t])

# ---- 5. a generated report: every planted slip found, no trap flagged ------------------

SLIPS = [  # (kind, a number of the slip as written)
    ("change", "160 hồ sơ"),
    ("change_percent", "5,1%"),
    ("ratio_percent", "98,7%"),          # swapped digits: 3.812/4.250 is 89,69%
    ("table_total", "3.400"),
    ("table_percent", "97,67"),
    ("table_formula", "30"),
    ("table_formula", "9.500.000"),      # 5% x TMĐT in a cost estimate
    ("table_formula", "2,400,000"),      # quantity × unit price (English separators)
    ("implicit_whole", "87,4%"),         # share of a whole stated earlier: 78,4%
    ("table_total", "260"),              # a district row over its communes: 140 + 110 = 250
    ("repeated", "398/421 TTHC"),        # the annex's row "Tổng số TTHC …" says 412
    ("complement", "260 hồ sơ"),         # 2.150 + 260 is 2.410, not 2.400
    ("implicit_whole", "7%"),            # 60 of 1.200 is 5%
    ("complement_percent", "7%"),        # … and 95% + 7% is not 100%
    ("parts", "4/30"),                   # 12 + 15 + 4 = 31 of 30
    ("total", "5.420 hồ sơ"),            # 1.960 + 3.560 = 5.520
    ("table_change", "-102"),            # 1.180 − 1.300 is −120
    ("repeated", "12 Nghị quyết"),       # 12 + 31 legal documents, the annex row says 44
    ("repeated", "1.248 hồ sơ"),         # 1.284 in the body: two digits swapped
]
REPORT_PARAGRAPHS = [
    "ỦY BAN NHÂN DÂN HUYỆN AN LẠC",
    "BÁO CÁO",
    "Kết quả cải cách hành chính năm 2024",
    "I. KẾT QUẢ THỰC HIỆN",
    # slips
    "Năm 2024, Bộ phận Một cửa huyện tiếp nhận 1.250 hồ sơ, tăng 160 hồ sơ so với năm 2023 "
    "(1.100 hồ sơ).",
    "Thu ngân sách trên địa bàn đạt 245,6 tỷ đồng, giảm 12,4 tỷ đồng (tương ứng 5,1%) so với "
    "cùng kỳ năm trước.",
    "Số hóa 3.812/4.250 hồ sơ, đạt 98,7%.",
    "Toàn huyện có 1.250 cán bộ, công chức cấp xã.",
    "Đến nay, 980 cán bộ, công chức cấp xã sử dụng thành thạo máy tính, chiếm 87,4% tổng số "
    "cán bộ, công chức cấp xã.",
    # traps of every class
    "Mục tiêu đến năm 2025:",
    "- Tỷ lệ hồ sơ thủ tục hành chính được số hóa kết quả giải quyết đạt 80%.",
    "Mục tiêu đến năm 2030:",
    "- Tỷ lệ hồ sơ thủ tục hành chính được số hóa kết quả giải quyết đạt 100%.",
    "Thang điểm:",
    "- Tỷ lệ hồ sơ giải quyết đúng hạn của cơ quan đạt từ 80% trở lên: 2 điểm.",
    "- Tỷ lệ hồ sơ giải quyết đúng hạn của cơ quan đạt từ 65% đến dưới 80%: 1 điểm.",
    "Về kết quả phát hiện:",
    "- Số vụ việc vi phạm về trật tự xây dựng: 45 vụ.",
    "Về kết quả xử lý:",
    "- Số vụ việc vi phạm về trật tự xây dựng: 38 vụ.",
    "Kết quả có 24/24 đơn vị, đạt 100% (gồm 5/24 đơn vị Xuất sắc và 19/24 đơn vị Tốt).",
    "Đã công khai 57/60 cơ quan, đơn vị, đạt tỷ lệ 95% (18/20 sở, ngành và 39/40 UBND cấp xã).",
    "Có 420 thủ tục ở mức độ 1, 2 trên tổng số 1.850 thủ tục, chiếm 22,7%.",
    "Đã giải quyết 95/120 hồ sơ; trường hợp đạt 100% thì đơn vị được khen thưởng.",
    "Đến nay, toàn huyện có 398/421 TTHC phải nộp phí hoặc lệ phí đã nhận thanh "
    "toán qua mạng, đạt 94,5%.",
    "Trong quý III, có 120/137 TTHC phải nộp phí hoặc lệ phí đã nhận thanh toán "
    "qua mạng.",
    "Thời hạn lưu trữ hồ sơ là 20 năm, gồm: đủ 15 năm đối với hồ sơ loại A, trên 15 năm đối "
    "với hồ sơ loại B.",
    # slips of the other kinds
    "Bộ phận Một cửa đã số hóa 2.150/2.400 hồ sơ; 260 hồ sơ chưa số hóa.",
    "Đã giải quyết 1.140/1.200 hồ sơ đúng hạn, đạt 95%; 60 hồ sơ quá hạn, chiếm 7%.",
    "Kết quả đánh giá: 12/30 xã đạt loại Tốt, 15/30 xã đạt loại Khá, 4/30 xã đạt loại Trung bình.",
    "Tổng số hồ sơ tiếp nhận là 5.420 hồ sơ, trong đó: cấp huyện 1.960 hồ sơ; cấp xã 3.560 hồ sơ.",
    "Trong năm 2024, Hội đồng nhân dân huyện đã ban hành 12 Nghị quyết QPPL, UBND huyện ban hành "
    "31 Quyết định QPPL.",
    "Năm 2024, Bộ phận Một cửa huyện đã trả kết quả giải quyết cho 1.284 hồ sơ đất đai.",
    "Kết luận: năm 2024 Bộ phận Một cửa huyện đã trả kết quả giải quyết cho 1.248 hồ sơ đất đai.",
    # traps of the other classes: staff groups, numbered places, two years, a threshold
    "a) Đối với công chức:",
    "- Số người có mặt tại buổi kiểm tra đột xuất của đoàn: 112 người.",
    "b) Đối với viên chức:",
    "- Số người có mặt tại buổi kiểm tra đột xuất của đoàn: 340 người.",
    "Tại Tổ dân phố 3, số hộ gia đình được cấp nước sạch là 126 hộ.",
    "Tại Tổ dân phố 5, số hộ gia đình được cấp nước sạch là 93 hộ.",
    "Trong năm 2023:",
    "- Số hồ sơ thủ tục hành chính được tiếp nhận trực tuyến: 1.710 hồ sơ.",
    "Trong năm 2024:",
    "- Số hồ sơ thủ tục hành chính được tiếp nhận trực tuyến: 1.930 hồ sơ.",
    "Tiếp nhận 340/400 hồ sơ, nếu đạt 90% trở lên thì được xếp loại Tốt.",
    "II. SỐ LIỆU THỐNG KÊ NĂM 2024",  # the tables below: the annex of the year
]
TRAP_NUMBERS = ["80%", "100%", "45 vụ", "38 vụ", "19/24", "18/20", "22,7%", "95/120", "20 năm",
                "120/137 TTHC", "112 người", "340 người", "93 hộ", "1.930 hồ sơ", "90%", "340/400"]
REPORT_TABLES = [
    [["TT", "Cơ quan", "Tổng số hồ sơ", "Đúng hạn", "Trễ hạn", "Tỷ lệ đúng hạn (%)"],
     ["1", "Sở Tư pháp", "1.200", "1.150", "50", "95,83"],
     ["2", "Sở Xây dựng", "860", "800", "60", "93,02"],
     ["3", "Sở Nội vụ", "300", "290", "10", "97,67"],
     ["4", "Sở Tài chính", "500", "480", "20", "96,00"],
     ["", "Tổng cộng", "3.400", "2.720", "140", "80,00"]],
    [["STT", "Đơn vị", "Năm 2023", "Năm 2024", "Tăng, giảm", "Tỷ lệ (%)"],
     ["(1)", "(2)", "(3)", "(4)", "(5)=(4-3)", "(6)=(5/3) %"],
     ["1", "Xã An Bình", "120", "150", "30", "25,00"],
     ["2", "Xã Phú Hòa", "80", "100", "30", "37,50"],
     ["", "Tổng cộng", "200", "250", "50", "25,00"]],
    None,  # the cost estimate and the training costs of section 4b
    None,
    # a table trap: "trong đó" columns
    [["TT", "Đơn vị", "Tổng số", "Trong đó: Nữ", "Đảng viên"],
     ["1", "Phòng Nội vụ", "12", "5", "9"],
     ["2", "Phòng Tư pháp", "8", "3", "6"],
     ["", "Cộng", "20", "8", "15"]],
    "groups",  # districts over their communes, no numbering (GROUPS below)
    # the annex's statistics rows
    [["STT", "Chỉ tiêu thống kê", "Đơn vị tính", "Số liệu"],
     ["3.", "Thanh toán trực tuyến", "", ""],
     ["3.1.", "Tổng số TTHC phải nộp phí hoặc lệ phí", "Thủ tục", "412"],
     ["3.2.", "Số TTHC đã nhận thanh toán qua mạng", "Thủ tục", "398"],
     ["4.", "Số VBQPPL do cấp huyện ban hành", "Văn bản", "44"]],
    # a change column without a formula header
    [["STT", "Chỉ tiêu", "Năm 2023", "Năm 2024", "Tăng, giảm"],
     ["1", "Hồ sơ đất đai", "420", "465", "45"],
     ["2", "Hồ sơ hộ tịch", "1.300", "1.180", "-102"],
     ["3", "Hồ sơ xây dựng", "210", "260", "50"],
     ["4", "Hồ sơ lao động", "300", "330", "30"]],
]


@pytest.fixture
def report_db(ingest_into, tmp_path):
    docx = pytest.importorskip("docx")
    doc = docx.Document()
    for p in REPORT_PARAGRAPHS:
        doc.add_paragraph(p)
    estimates = iter([COST_ESTIMATE, TRAINING_COSTS])
    for rows in REPORT_TABLES:
        rows = GROUPS if rows == "groups" else rows or next(estimates)
        doc.add_paragraph("Biểu số liệu kèm theo.")
        t = doc.add_table(rows=len(rows), cols=len(rows[0]))
        for i, row in enumerate(rows):
            for j, cell in enumerate(row):
                t.cell(i, j).text = cell
    path = tmp_path / "bao-cao-an-lac.docx"
    doc.save(path)
    summary, db = ingest_into(path)
    assert summary.count("failed") == 0
    return db, path


def _surfaces(db):
    text = next(db.query("select text from documents"))["text"]
    out = []
    for c in db.query("select * from checks"):
        assert 0 <= c["start"] < c["end"] <= len(text)
        ids = json.loads(c["figure_ids"] or "[]")
        figs = [f["surface"] for f in db.query(
            f"select surface from figures where id in ({','.join('?' * len(ids))})", ids)] if ids else []
        out.append((c, [text[c["start"]:c["end"]]] + figs))
    return out


def test_generated_report_slips_found_traps_quiet(report_db):
    db, _ = report_db
    checks = _surfaces(db)
    flagged = [(c, s) for c, s in checks if c["verdict"] == "mismatch"]
    for kind, number in SLIPS:
        assert any(c["kind"] == kind and any(number in x for x in s) for c, s in flagged), \
            (kind, number, [(c["kind"], c["message"]) for c, _ in flagged])
    for number in TRAP_NUMBERS:
        hits = [c["message"] for c, s in flagged if any(x == number or x.startswith(number + " ")
                                                         for x in s[1:])]
        assert not hits, (number, hits)
    # every flag is one of the planted slips, with its basis
    assert len(flagged) == len(SLIPS), [(c["kind"], c["message"]) for c, _ in flagged]
    assert all(c["basis"] for c, _ in checks)  # every check names what asserts it


@pytest.mark.slow
def test_auditor_commands(report_db, capsys, tmp_path, ingest_into):
    from pipeline.cli import main

    db, path = report_db
    db_path = str(db.execute("pragma database_list").fetchone()[2])
    assert main(["audit", "--db", db_path]) == 0
    cards = capsys.readouterr().out
    assert "stated 5,1%" in cards and "tỷ lệ tăng/giảm" in cards and "căn cứ:" in cards
    assert main(["audit", "--fail-on", "mismatch", "--db", db_path]) == 5
    capsys.readouterr()

    # review a mismatch, re-ingest (ids change), the review is still shown
    chk = next(db.query("select * from checks where verdict = 'mismatch' and kind = 'change'"))
    assert main(["review", str(chk["id"]), "--verdict", "false-alarm", "--note", "đã đối chiếu",
                 "--db", db_path]) == 0
    from pipeline.ingest import ingest
    ingest([str(path)], db_path, force=True)
    new = next(db.query("select * from checks where kind = 'change' and verdict = 'mismatch'"))
    assert new["id"] != chk["id"]
    assert main(["audit", "--format", "json", "--db", db_path]) == 0
    rows = json.loads(capsys.readouterr().out)
    mine = next(r for r in rows if r["id"] == new["id"])
    assert mine["review"] == "false-alarm" and mine["review_note"] == "đã đối chiếu"
    assert mine["stated_text"] == "160 hồ sơ"

    html_file = tmp_path / "a.html"
    assert main(["audit", "--format", "html", "-o", str(html_file), "--db", db_path]) == 0
    page = html_file.read_text(encoding="utf-8")
    assert "Mục lục" in page and f"href=\"#c{new['id']}\"" in page and "báo nhầm" in page
    assert "mức tăng/giảm" in page and "<script" not in page

    xlsx = tmp_path / "a.xlsx"
    # every mismatch reviewed as a false alarm: nothing left to fail on
    for c in list(db.query("select id from checks where verdict = 'mismatch'")):
        assert main(["review", str(c["id"]), "--verdict", "false-alarm", "--db", db_path]) == 0
    assert main(["audit", "--fail-on", "mismatch", "--db", db_path]) == 0
    capsys.readouterr()

    assert main(["audit", "--all", "--format", "xlsx", "-o", str(xlsx), "--db", db_path]) == 0
    import openpyxl
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames[0] == "Tổng hợp" and len(wb.sheetnames) == 2
    ws = wb[wb.sheetnames[1]]
    header = [c.value for c in ws[1]]
    stated = [r[header.index("stated")] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(v, (int, float)) for v in stated if v is not None)
    texts = [v for r in ws.iter_rows(min_row=2, values_only=True) for v in r if isinstance(v, str)]
    assert not [v for v in texts if v[:1] in "=+-@"]


def test_csv_and_xlsx_cells_are_neutralised():
    from pipeline.commands.figures import safe_cell
    assert safe_cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert safe_cell("+1") == "'+1" and safe_cell("-20") == "'-20" and safe_cell("@a") == "'@a"
    assert safe_cell("Tổng") == "Tổng" and safe_cell(-20.0) == -20.0


def test_reviews_survive_a_schema_rebuild(tmp_path):
    from pipeline.store.db import open_db
    from schemas.tables import SCHEMA_VERSION

    path = tmp_path / "c.db"
    db = open_db(path)
    db["reviews"].insert({"sha256": "ab", "kind": "total", "span_start": 1, "span_end": 5,
                          "verdict": "confirmed", "note": "x"})
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1 or 99}")
    db.conn.close()
    db = open_db(path)  # derived tables dropped and rebuilt
    assert [r["verdict"] for r in db.query("select * from reviews")] == ["confirmed"]
    assert "basis" in db["checks"].columns_dict


def test_consistent_report_has_no_mismatch_and_its_changes_are_checked():
    """A report written for the project whose arithmetic is right throughout, with
    targets, a rubric, scoped lists, a union of classes and change claims."""
    from pathlib import Path

    text = (Path(__file__).parent / "data" / "audit_consistent_report.txt").read_text(encoding="utf-8")
    checks = _checks(text)
    assert not [c["message"] for c in checks if c["verdict"] == "mismatch"]
    changes = {(c["kind"], c["verdict"]) for c in checks if c["kind"].startswith("change")}
    assert changes == {("change_percent", "ok"), ("change", "ok")}
    assert len([c for c in checks if c["kind"].startswith("change")]) == 3
    # a slip planted in a copy is found
    slip = text.replace("tăng 35,8 tỷ đồng (8,6%)", "tăng 35,8 tỷ đồng (7,9%)")
    assert [c["kind"] for c in _checks(slip) if c["verdict"] == "mismatch"] == ["change_percent"]


@pytest.mark.slow
def test_pdf_table_continued_over_a_page_break(tmp_path, ingest_into):
    """A ruled table whose last rows and total row are on the next page, without the
    header: the audit reads one table (the total adds the rows of both pages)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from tests.test_pdf import FONT_DIR

    pdfmetrics.registerFont(TTFont("VN", str(FONT_DIR / "DejaVuSerif.ttf")))
    path = tmp_path / "bang-hai-trang.pdf"
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    widths = [40, 160, 90, 90, 90]

    def table(top, rows):
        for r, row in enumerate(rows):
            x = 60
            for k, cell in enumerate(row):
                c.setFont("VN", 10)
                c.drawString(x + 4, top - (r + 1) * 20 + 6, cell)
                x += widths[k]
        for r in range(len(rows) + 1):
            c.line(60, top - r * 20, 60 + sum(widths), top - r * 20)
        x = 60
        for w in [0] + widths:
            x += w
            c.line(x, top, x, top - 20 * len(rows))

    c.setFont("VN", 12)
    c.drawString(60, 780, "Kết quả giải quyết hồ sơ của các cơ quan như sau:")
    table(160, [["TT", "Cơ quan", "Tổng số", "Đúng hạn", "Tỷ lệ (%)"],
                ["1", "Sở Tư pháp", "1.200", "1.150", "95,83"],
                ["2", "Sở Xây dựng", "860", "800", "93,02"]])
    c.showPage()
    table(780, [["3", "Sở Nội vụ", "300", "290", "96,67"],
                ["4", "Sở Tài chính", "500", "480", "96,00"],
                ["", "Tổng cộng", "3.000", "2.720", "90,67"]])
    c.setFont("VN", 12)
    c.drawString(60, 640, "Các cơ quan tiếp tục thực hiện.")
    c.showPage()
    c.save()
    summary, db = ingest_into(path)
    assert db.execute("select count(*) from tables").fetchone()[0] == 2
    text = next(db.query("select text from documents"))["text"]
    flags = [(c["kind"], text[c["start"]:c["end"]]) for c in
             db.query("select * from checks where verdict = 'mismatch'")]
    # 1.200 + 860 + 300 + 500 = 2.860, not 3.000; the percentage of that row follows it
    assert flags == [("table_total", "3.000")], flags
    oks = [text[c["start"]:c["end"]] for c in
           db.query("select * from checks where verdict = 'ok' and kind = 'table_total'")]
    assert "2.720" in oks  # 1.150 + 800 + 290 + 480


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_CELLS = ["", "-", "0", "1", "2", "10", "100", "1.250", "12,5", "95,83", "Tổng cộng", "Cộng",
          "Sở A", "Xã B", "I", "(1)", "(2)", "(3)", "(3)=(1)+(2)", "(4)=(3/1) %", "Tỷ lệ (%)",
          "Tổng số", "Tăng, giảm", "STT", "Trong đó: nữ", "-5", "1.1", "II", "Khoa A", "3", "5"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_CELLS), min_size=2, max_size=6), min_size=1, max_size=8),
       st.booleans(), st.booleans())
def test_any_table_gives_checks_on_its_cells(rows, join, ocr):
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    text, t = _table(rows, "Biểu\n\n")
    text2, t2 = _table(rows[-2:], text + "\n\n")
    for c in table_checks(text2, [t, t2], join=join, ocr_spans=[(0, len(text2))] if ocr else ()):
        assert "_cells" not in c
        assert c["verdict"] in ("ok", "rounding", "mismatch", "unverifiable")
        cell = text2[c["start"]:c["end"]]
        assert cell and cell in {x for r in rows for x in r}
        assert c["basis"] and c["message"]



def test_one_card_per_slip_and_every_flag_located(ingest_into, tmp_path):
    """Checks sharing a figure are one slip: one card (98,7% contradicts both its ratio and
    its complement); the HTML table of contents gives every card its section."""
    from pipeline.commands.figures import check_rows, render_html

    path = tmp_path / "so-hoa.txt"
    path.write_text("ỦY BAN NHÂN DÂN HUYỆN AN LẠC\n\nBÁO CÁO\n\nI. KẾT QUẢ SỐ HÓA\n\n"
                    "Năm 2024, Sở Tư pháp đã số hóa 3.812/4.250 hồ sơ, đạt 98,7%; còn 438 hồ sơ "
                    "chưa số hóa, chiếm 10,3%.\n\nII. KẾT QUẢ GIẢI QUYẾT\n\nĐã giải quyết "
                    "1.200/1.500 hồ sơ, đạt 85%.\n", encoding="utf-8")
    _summary, db = ingest_into(path)
    rows = check_rows(db, include_all=True)
    flags = [r for r in rows if r["verdict"] == "mismatch"]
    assert sorted(r["kind"] for r in flags) == ["complement_percent", "ratio_percent", "ratio_percent"]
    cards_of_figure: dict[int, set] = {}
    for r in rows:
        for f in json.loads(r["figure_ids"] or "[]"):
            cards_of_figure.setdefault(f, set()).add(r["card"])
    assert all(len(c) == 1 for c in cards_of_figure.values())
    assert len({r["card"] for r in flags}) == 2  # two slips, three checks
    page = render_html(flags, db)
    toc = page.split("<h2>Mục lục</h2>")[1].split("</ol>")[0]
    assert toc.count("<li><a href=\"#c") == 2 and "mục I<" in toc and "mục II<" in toc


def test_computed_number_shown_in_the_tables_own_convention():
    from pipeline.commands.figures import _computed_text

    row = {"computed": 2_100_000.0, "kind": "table_formula", "stated": 2_400_000.0}
    assert _computed_text(row, "2,400,000") == "2,100,000"
    assert _computed_text(row, "2.400.000") == "2.100.000"
    row = {"computed": 599_960.34, "kind": "table_formula", "stated": 532_000.0}
    assert _computed_text(row, "532,000") == "599,960.34"
    row = {"computed": 1_234.5, "kind": "table_formula", "stated": 1_243.5}
    assert _computed_text(row, "1.243,5") == "1.234,5"  # Vietnamese style stays
    # messages write the computed value as the table writes the stated one
    text, t = _table(TRAINING_COSTS)
    slip = next(c for c in table_checks(text, [t]) if c["verdict"] == "mismatch")
    assert "= 2,100,000; bảng ghi 2,400,000" in slip["message"]


# ---- 6. two-level tables without numbering; tables read by OCR -------------------------

# districts over their communes, no STT column: the group rows are told apart only by
# their sums (bold type is lost); "Huyện Mường Khương" says 260 for 140 + 110 = 250
GROUPS = [
    ["Đơn vị", "Số hộ nghèo", "Số hộ được hỗ trợ", "Tỷ lệ"],
    ["Huyện Bảo Yên", "420", "300", "71,43%"],
    ["Xã Tân Dương", "150", "120", "80,00%"],
    ["Xã Long Phúc", "170", "110", "64,71%"],
    ["Xã Vĩnh Yên", "100", "70", "70,00%"],
    ["Huyện Mường Khương", "260", "200", "76,92%"],
    ["Xã Bản Lầu", "140", "120", "85,71%"],
    ["Xã Lùng Vai", "110", "80", "72,73%"],
    ["Huyện Si Ma Cai", "230", "150", "65,22%"],
    ["Xã Sín Chéng", "90", "60", "66,67%"],
    ["Xã Cán Cấu", "140", "90", "64,29%"],
    ["Toàn tỉnh", "910", "650", "71,43%"]]


def _verdicts(text, tables, **kw):
    return {(c["kind"], text[c["start"]:c["end"]]): c["verdict"] for c in table_checks(text, tables, **kw)}


def test_unnumbered_group_rows_closed_by_a_total_row():
    text, t = _table(GROUPS, "Biểu 3\n\n")
    assert _flags(text, [t]) == [("table_total", "260")]
    got = {c["message"] for c in table_checks(text, [t]) if c["kind"] == "table_total"}
    assert any("140 + 110 = 250" in m for m in got)  # the addition, as the auditor redoes it
    assert any("420 + 260 + 230 = 910" in m for m in got)  # the total closes the groups
    # trap: a flat list whose total adds every row; some rows happen to equal the sum of
    # the next two (300 = 100 + 200, 150 = 50 + 100): no groups, nothing flagged
    flat = [GROUPS[0]] + [[f"Xã {n}", v, "10", "1,00%"] for n, v in zip(
        ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Khánh", "Lâm", "Minh"],
        ["300", "100", "200", "150", "50", "100", "250", "200", "50"])] + [["Tổng cộng", "1.400", "90", ""]]
    text, t = _table(flat)
    assert not [c for c in table_checks(text, [t]) if c["verdict"] == "mismatch"]
    assert not [c for c in table_checks(text, [t]) if "dòng nhóm" in c["message"]]
    # trap: no total row to confirm the split: nothing said about the group rows
    text, t = _table(GROUPS[:-1])
    assert not [c for c in table_checks(text, [t]) if "dòng nhóm" in c["message"]]


def test_ocr_digits_doubted_unless_another_relation_confirms_them():
    text, t = _table(GROUPS)
    everything = [(0, len(text))]
    # 260 is confirmed by its row (200 / 260 = 76,92 %), and so are 140 and 110: a slip
    assert _verdicts(text, [t], ocr_spans=everything)[("table_total", "260")] == "mismatch"
    # OCR dropped a digit of Lùng Vai's 110 ("10"): its row no longer confirms it, so the
    # group sum that reads it may be the OCR's error, not the document's
    rows = [r[:] for r in GROUPS]
    rows[7][1] = "10"
    text, t = _table(rows)
    assert _verdicts(text, [t])[("table_total", "260")] == "mismatch"  # a text layer: trusted
    doubted = _verdicts(text, [t], ocr_spans=[(0, len(text))])
    assert doubted[("table_total", "260")] == "unverifiable"
    assert "mismatch" not in doubted.values()
    # a table outside the OCR'd pages keeps its verdicts
    assert _verdicts(text, [t], ocr_spans=[(len(text) + 10, len(text) + 99)])[("table_total", "260")] == "mismatch"


def test_continuation_whose_repeated_header_ocr_read_differently():
    text, t1 = _table(GROUPS[:6], "Biểu 3\n\n")
    text += "\n\n7\n\n"
    # the header repeated on the next page, garbled differently by the OCR
    text, t2 = _table([["Đơn vi", "Sổ hộ nghẻo", "Số hô được hỗ trợ", "Tỷ 1ệ"]] + GROUPS[6:], text)
    got = table_checks(text, [t1, t2], ocr_spans=[(0, len(text))])
    assert [(c["kind"], text[c["start"]:c["end"]]) for c in got if c["verdict"] == "mismatch"] == \
        [("table_total", "260")]
    # a text layer repeats its header exactly: a header that differs is another table's
    assert not [c for c in table_checks(text, [t1, t2]) if "dòng nhóm" in c["message"]]
    # another table's header on the next page (another table, not the continuation):
    # no join, so the first part has no total row to confirm its groups
    text, t1 = _table(GROUPS[:6], "Biểu 3\n\n")
    text += "\n\n"
    text, t2 = _table([["Chỉ tiêu", "Kế hoạch", "Thực hiện", "Ghi chú"]] + GROUPS[6:], text)
    assert not [c for c in table_checks(text, [t1, t2]) if "dòng nhóm" in c["message"]]


# ---- 7. a figure of the text against the annex's statistics row -------------------------

ANNEX = ("\n\nBiểu mẫu 5\n\nSTT | Chỉ tiêu thống kê | Đơn vị tính | Số liệu\n"
         "3. | Thanh toán trực tuyến |  | \n"
         "3.1. | Tổng số TTHC phải nộp phí hoặc lệ phí | Thủ tục | 412 |\n"
         "3.2. | Số TTHC đã nhận thanh toán qua mạng | Thủ tục | 398 |\n")
LEAD = "e) Tình hình cung cấp dịch vụ công trực tuyến\n\n"


def test_text_figure_against_the_annex_row_of_the_same_indicator():
    slip = LEAD + ("Đến nay, toàn tỉnh có 398/421 TTHC phải nộp phí hoặc lệ phí đã nhận thanh "
                   "toán qua mạng, đạt 94,5%." + ANNEX)
    flags = [c for c in _checks(slip) if c["verdict"] == "mismatch"]
    assert [c["kind"] for c in flags] == ["repeated"]
    assert "421" in flags[0]["message"] and "412" in flags[0]["message"] and "3.1" in flags[0]["basis"]
    same = slip.replace("398/421", "398/412")
    assert [c["verdict"] for c in _checks(same) if "biểu phụ lục" in (c["basis"] or "")] == ["ok"]


@pytest.mark.parametrize("sentence", [
    # a narrower scope: one department, one level, a narrower indicator
    "Đến nay, Sở Tư pháp có 12/21 TTHC phải nộp phí hoặc lệ phí đã nhận thanh toán qua mạng.",
    "Đến nay, cấp xã có 120/137 TTHC phải nộp phí hoặc lệ phí đã nhận thanh toán qua mạng.",
    "Đến nay, toàn tỉnh có 120/137 TTHC phải nộp phí hoặc lệ phí thuộc lĩnh vực đất đai.",
    # another period, a target
    "Năm 2023, toàn tỉnh có 300/350 TTHC phải nộp phí hoặc lệ phí đã nhận thanh toán qua mạng.",
    "Phấn đấu 450/450 TTHC phải nộp phí hoặc lệ phí đã nhận thanh toán qua mạng.",
    # a shorter name is another indicator
    "Đến nay, toàn tỉnh có 1.250/1.980 TTHC đã nhận thanh toán qua mạng.",
    # a part of the period, a day
    "Trong quý III, toàn tỉnh có 120/137 TTHC phải nộp phí hoặc lệ phí đã nhận thanh toán qua mạng.",
    "Tính đến ngày 30/9/2025, toàn tỉnh có 380/395 TTHC phải nộp phí hoặc lệ phí đã nhận thanh toán qua mạng.",
    # the whole of a ratio is the "Tổng số" row, never a row that names the part
    "Đến nay, toàn tỉnh có 398/412 TTHC đã nhận thanh toán qua mạng.",
])
def test_text_against_annex_traps(sentence):
    text = LEAD + sentence + ANNEX
    assert not [c for c in _checks(text) if "biểu phụ lục" in (c["basis"] or "")], sentence


def test_table_truncation_told_apart_from_rounding_and_slip():
    text, t = _table([
        ["TT", "Đơn vị", "Số hồ sơ", "Đúng hạn", "Tỷ lệ (%)"],
        ["1", "Xã An Bình", "29", "26", "89,6"],     # 89,655… cut: truncation
        ["2", "Xã Tân Lập", "300", "100", "33,34"],  # 33,333…: last digit one off
        ["3", "Xã Phú Hòa", "300", "290", "96,67"],
        ["4", "Xã Hòa Bình", "50", "25", "50,00"],
        ["5", "Xã Long Hưng", "80", "60", "57,50"]])  # 75,00: a slip
    got = {text[c["start"]:c["end"]]: c for c in table_checks(text, [t])}
    assert got["89,6"]["verdict"] == "rounding" and "cắt bớt" in got["89,6"]["message"]
    assert got["33,34"]["verdict"] == "rounding" and "Lệch một đơn vị" in got["33,34"]["message"]
    assert got["57,50"]["verdict"] == "mismatch" and "cắt bớt" not in got["57,50"]["message"]


def test_text_against_annex_check_spans_the_text_figure():
    text = LEAD + ("Đến nay, toàn tỉnh có 398/421 TTHC phải nộp phí hoặc lệ phí đã nhận thanh "
                   "toán qua mạng, đạt 94,5%." + ANNEX)
    chk = next(c for c in _checks(text) if "biểu phụ lục" in (c["basis"] or ""))
    assert text[chk["start"]:chk["end"]] == "398/421 TTHC" and len(chk["figure_ids"]) == 2
