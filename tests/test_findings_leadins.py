"""Issue 13, fourth round: lead-ins, lists and plans (fixtures tests/data/findings_leadins_*.txt
and the sentences below were written for these tests, not taken from any real document).

- A normative text's line that only opens a list ("… được hiểu như sau:", "… các yêu cầu sau:",
  "Hồ sơ … gồm:") is no finding; nor is an item that only names papers, nor a formula and
  its legend.
- "X có trách nhiệm:" is no finding; it passes X to the items below it, whose category the
  heading above decides (a rule's "khó khăn, vướng mắc" is silent).
- In a plan: a solution section's reason is a statement, a target heading's item is no
  recommendation, a doer may follow "Căn cứ …," or "Tất cả", a subject whose verb takes
  "được" names a result to reach; a "X chịu trách nhiệm …:" lead-in passes X to its dash items;
  on OCR'd pages task verbs match without their marks and across a lost space.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.analysis import findings
from tests.conftest import findings_of

DATA = Path(__file__).parent / "data"
F = findings.rules()["raw"]


def _rows(tmp_path_factory, name):
    db_path = tmp_path_factory.mktemp("leadins") / "db.sqlite"
    return findings_of(DATA / name, db_path)


@pytest.fixture(scope="module")
def decision(tmp_path_factory):
    return _rows(tmp_path_factory, "findings_leadins_quyetdinh.txt")


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    return _rows(tmp_path_factory, "findings_leadins_kehoach.txt")


def _one(rows, prefix):
    got = [f for f in rows if f["text"].startswith(prefix)]
    assert len(got) == 1, prefix
    return got[0]


@pytest.mark.parametrize("example", F["list_lead_in"]["examples"])
def test_list_lead_in(example):
    assert findings.list_lead_in(example)


@pytest.mark.parametrize("example", F["list_lead_in"]["not_examples"])
def test_not_a_list_lead_in(example):
    assert not findings.list_lead_in(example)


@pytest.mark.parametrize("prefix", [
    "Trong Quy định này", "Việc phân công nhiệm vụ", "Điểm đánh giá của viên chức quản lý", "x + y", "x là điểm",
    "y là điểm", "z là điểm", "Hồ sơ đánh giá, xếp loại", "Biên bản họp", "Phiếu tự đánh giá", "Các văn bản khác",
    "Các sở, ban, ngành và Ủy ban", "Sở Nội vụ có trách nhiệm"])
def test_lead_ins_lists_and_formulas_of_a_normative_text_are_not_findings(decision, prefix):
    assert not [f for f in decision if f["text"].startswith(prefix)]


@pytest.mark.parametrize("prefix", ["Đơn vị sử dụng viên chức", "Mỗi viên chức được giao", "Hồ sơ được lưu trữ"])
def test_the_rules_of_the_list_stay_findings(decision, prefix):
    assert _one(decision, prefix)["category"] == "other"


def test_items_before_a_lead_in_keep_their_own_end(decision):
    f = _one(decision, "Nhiệm vụ đột xuất")
    assert f["text"].endswith("phát sinh nhiệm vụ.")


@pytest.mark.parametrize("prefix,addressee", [
    ("Hướng dẫn, triển khai", "Các sở, ban, ngành và Ủy ban nhân dân các xã, phường"),
    ("Định kỳ hằng năm báo cáo", "Các sở, ban, ngành và Ủy ban nhân dân các xã, phường"),
    ("Theo dõi, tập hợp những khó khăn", "Sở Nội vụ"),  # a rule's "khó khăn, vướng mắc": no limitation
    ("Kiểm tra việc thực hiện", "Sở Nội vụ"),
])
def test_duty_lead_in_passes_its_unit_to_its_items(decision, prefix, addressee):
    f = _one(decision, prefix)
    assert (f["category"], f["addressee"]) == ("responsibility", addressee)


@pytest.mark.parametrize("example", F["not_prose"]["inventory"]["examples"])
def test_an_item_naming_papers_is_not_prose(example):
    assert findings.not_prose(example) == "inventory"


@pytest.mark.parametrize("example", F["not_prose"]["inventory"]["not_examples"])
def test_a_sentence_about_papers_is_prose(example):
    assert findings.not_prose(example) is None


def test_an_alias_and_a_duty_are_no_part_of_the_unit():
    line = ("Trung tâm Công nghệ thông tin tỉnh (sau đây gọi là Trung tâm) và Trung tâm Phục vụ hành chính "
            "công tỉnh (Trung tâm PVHCC) có trách nhiệm:")
    assert findings._addressee_only(line) == "Trung tâm Công nghệ thông tin tỉnh và Trung tâm Phục vụ hành chính công tỉnh"
    assert findings._addressee_only("Ban Quản lý các khu công nghiệp có nhiệm vụ sau:") == "Ban Quản lý các khu công nghiệp"
    assert findings._addressee_only("Sở Tài chính có trách nhiệm bố trí kinh phí.") is None  # a sentence, no lead-in


# -- plans -------------------------------------------------------------------------------------

def test_a_target_headings_item_is_no_recommendation(plan):
    assert _one(plan, "Hoàn thiện nền tảng chính quyền số")["category"] == "other"


def test_a_solutions_reason_is_a_statement_and_its_task_a_recommendation(plan):
    assert _one(plan, "Nhận thức của người đứng đầu")["category"] == "other"
    f = _one(plan, "Tăng cường tuyên truyền")
    assert (f["category"], f["addressee"]) == ("recommendation", None)


def test_a_result_to_reach_names_no_doer(plan):
    f = _one(plan, "Tất cả các xã, phường xây dựng được")
    assert f["category"] != "direction" and f["addressee"] is None


@pytest.mark.parametrize("prefix,addressee", [
    ("Tất cả các sở, ban, ngành tiến hành", "Tất cả các sở, ban, ngành"),
    ("Căn cứ Kế hoạch này, các sở", "các sở, ban, ngành"),
    ("Rà soát các quy chế", "Sở Khoa học và Công nghệ"),  # from "… chịu trách nhiệm chủ trì …:" above
    ("Hướng dẫn các cơ quan áp dụng", "Sở Khoa học và Công nghệ"),
])
def test_a_plans_doer(plan, prefix, addressee):
    f = _one(plan, prefix)
    assert (f["category"], f["addressee"]) == ("direction", addressee)


@pytest.mark.parametrize("text", ["Xây đựng quy chế bảo đảm an toàn thông tin mạng của tỉnh.",
                                  "Xây dựngvà vận hành kho dữ liệu dùng chung của tỉnh.",
                                  "Đây mạnh cung cấp dịch vụ công trực tuyến toàn trình.",
                                  "Làmtốt công tác kiểm tra an toàn thông tin định kỳ."])
def test_task_verbs_on_an_ocr_page_match_without_marks_or_space(text):
    assert findings._plan_task(text, ocr=True)
    assert not findings._plan_task(text)  # a text layer is taken as printed


def test_a_one_word_verb_needs_its_marks_even_on_an_ocr_page():
    assert not findings._plan_task("Dựa trên kết quả khảo sát năm 2023, các xã đã có mạng nội bộ.", ocr=True)
