"""Issue 13, fifth round: the programme a decision issues (fixture
tests/data/findings_programme_quyetdinh.txt and the sentences below were written for these
tests, not taken from any real document).

- "Cơ quan chủ trì: Sở X." / "Cơ quan phối hợp: Mời Ban Y tham gia, …" name the unit after
  the role: the addressee is that unit, never "Cơ quan".
- "2.1. X có trách nhiệm:" speaks for its own items only: "2.2." after it is not X's.
- A plan's item that names its doer ("Đối với Công an tỉnh xây dựng …", "… Giao Sở X chủ trì …")
  is a direction to it, even when it opens with a task verb.
- A plan's purpose or target item names what the plan will look for ("phát hiện những hạn
  chế, khó khăn", "đề xuất giải pháp"): its cue words judge nothing, it is `other`.
- A plan's task item opens with a task verb ("Xác định …", "Tuyển dụng …"): it is the issuer's
  task (`recommendation`), even when it names a difficulty it deals with ("còn nhiều khó khăn")
  or stands under a topic that sounds like steering ("3. Triển khai cơ chế một cửa").
- A numbered line that only names a category or a subject and ends with ":" ("1. Nguyên nhân
  của những kết quả đạt được và hạn chế:", "2. Đối với các đoàn kiểm tra do …:") is a heading, not a finding; its paragraphs take its category.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.analysis import findings
from tests.conftest import findings_of

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def programme(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("programme") / "db.sqlite"
    return findings_of(DATA / "findings_programme_quyetdinh.txt", db_path)


def _one(rows, prefix):
    hits = [f for f in rows if f["text"].startswith(prefix)]
    assert len(hits) == 1, (prefix, [f["text"][:60] for f in rows])
    return hits[0]


@pytest.mark.parametrize("line,unit", [
    ("Cơ quan chủ trì: Sở Tư pháp.", "Sở Tư pháp"),
    ("Cơ quan phối hợp: Văn phòng Ủy ban nhân dân tỉnh; Sở Nội vụ; các sở, ngành có liên quan.",
     "Văn phòng Ủy ban nhân dân tỉnh"),
    ("Cơ quan phối hợp: Mời Ban Tổ chức Tỉnh ủy tham gia, Trường Chính trị tỉnh.", "Ban Tổ chức Tỉnh ủy"),
    ("Đơn vị thực hiện: Phòng Nội vụ huyện chủ trì, phối hợp với các xã.", "Phòng Nội vụ huyện"),
])
def test_a_role_label_names_its_unit(line, unit):
    assert findings._role_label(line) == unit


@pytest.mark.parametrize("line", ["Cơ quan chủ trì:", "Cơ quan có thẩm quyền: xem xét, quyết định."])
def test_no_unit_no_role_label(line):
    assert findings._role_label(line) is None


@pytest.mark.parametrize("prefix,unit", [
    ("Cơ quan chủ trì: Sở Tư pháp", "Sở Tư pháp"),
    ("Cơ quan phối hợp: Mời Ban Tổ chức", "Ban Tổ chức Tỉnh ủy"),
    ("Xây dựng kế hoạch thực hiện hằng năm", "Các cơ quan"),  # its own lead-in's unit
    ("Đối với Công an tỉnh xây dựng", "Công an tỉnh"),
    ("Đẩy mạnh tuyên truyền", "Sở Thông tin và Truyền thông"),
])
def test_a_programmes_task_goes_to_the_unit_it_names(programme, prefix, unit):
    f = _one(programme, prefix)
    assert f["category"] == "direction" and (f["addressee"] or "").startswith(unit), f


def test_a_lead_ins_unit_ends_with_its_item(programme):
    # "2.1. Các cơ quan … có trách nhiệm:" does not pass its unit to "2.2." and "2.3."
    for prefix in ("Đối với Công an tỉnh", "Đẩy mạnh tuyên truyền"):
        assert "Các cơ quan" not in (_one(programme, prefix)["addressee"] or "")


def test_a_unit_after_doi_voi_needs_a_verb():
    assert findings._plan_doer("Đối với Công an tỉnh xây dựng kế hoạch cấp căn cước.") == "Công an tỉnh"
    assert findings._plan_doer("Đối với các thủ tục liên thông, rút ngắn thời gian giải quyết.") is None


@pytest.mark.parametrize("prefix", ["Đánh giá đúng thực chất", "Kịp thời phát hiện những hạn chế"])
def test_a_plans_purpose_is_other(programme, prefix):
    assert _one(programme, prefix)["category"] == "other"


@pytest.mark.parametrize("line,expected", [
    ("Nguyên nhân của những kết quả đạt được và những mặt còn hạn chế, yếu kém:", True),
    ("Những khó khăn, vướng mắc:", True),
    ("Nguyên nhân của hạn chế là do kinh phí bố trí chậm. Cụ thể như sau:", False),  # says something
    ("Đề nghị Sở Tài chính bố trí kinh phí cho các nội dung sau:", False),  # a request, not a category
    ("Nguyên nhân của hạn chế", False),  # no lead-in colon: decided elsewhere
    ("Đối với các đoàn kiểm tra do Phó Chủ tịch Ủy ban nhân dân tỉnh làm Trưởng đoàn:", True),
    ("Đôi với các đoàn kiểm tra do Giám đốc Sở Nội vụ làm Trưởng đoàn:", True),  # a scan lost the mark
    ("Đối với các xã chưa có trụ sở, ưu tiên bố trí vốn. Cụ thể:", False),  # a sentence first
])
def test_a_category_lead_in(line, expected):
    assert findings._category_lead_in(line) is expected


def test_a_category_lead_in_is_no_finding_its_paragraph_takes_the_category(programme):
    assert not [f for f in programme if f["text"].startswith("Nguyên nhân của những kết quả")]
    assert _one(programme, "Lãnh đạo các cấp quan tâm")["category"] == "cause"


@pytest.mark.parametrize("text,unit", [
    ("Giao Ban Chỉ đạo chuyển đổi số tỉnh theo dõi, đôn đốc việc thực hiện.", "Ban Chỉ đạo chuyển đổi số tỉnh"),
    ("Giao Ban Tổ chức Huyện ủy phối hợp với Phòng Nội vụ rà soát biên chế.", "Ban Tổ chức Huyện ủy"),
    ("Giao Phòng Nội vụ chủ trì, phối hợp với các xã.", "Phòng Nội vụ"),
])
def test_a_stop_word_right_after_a_bare_head_is_its_name(text, unit):
    assert findings.assignment(text) == unit


def test_a_bare_head_stays_no_addressee():
    assert findings.assignment("Giao Sở chủ trì, phối hợp với các xã.") is None


@pytest.mark.parametrize("line,unit", [
    ("Ban Chỉ đạo cải cách hành chính tỉnh có trách nhiệm:", "Ban Chỉ đạo cải cách hành chính tỉnh"),
    ("Ban Chỉ đạo cải cách hành chính tỉnh có trách nhiệm;", "Ban Chỉ đạo cải cách hành chính tỉnh"),  # ";" for ":"
    ("Sở Nội vụ;", None),  # a recipient line, no duty: not a lead-in
    ("Sở Nội vụ có trách nhiệm bố trí kinh phí;", None),  # a duty stated, not announced
])
def test_a_duty_lead_in_names_its_unit(line, unit):
    assert findings._addressee_only(line) == unit


@pytest.mark.parametrize("prefix", ["Xác định vị trí việc làm", "Tiếp tục triển khai khoán biên chế",
                                    "Tuyển dụng công chức phải qua thi tuyển", "Tập trung chỉ đạo triển khai"])
def test_a_plans_task_is_the_issuers_recommendation(programme, prefix):
    f = _one(programme, prefix)
    assert (f["category"], f["addressee"]) == ("recommendation", None), f


def test_a_lead_in_paragraphs_unit_ends_with_its_section(programme):
    # "Sở Tài chính chịu trách nhiệm …:" under "3." speaks for its dash items, not for "4."
    assert _one(programme, "Bố trí kinh phí thực hiện")["addressee"] == "Sở Tài chính"
    assert _one(programme, "Tổng hợp kết quả thực hiện Chương trình")["addressee"] is None


def test_a_subject_lead_in_is_no_finding(programme):
    assert not [f for f in programme if f["text"].startswith("Đối với các đoàn kiểm tra")]
    assert _one(programme, "Sở Nội vụ chuẩn bị nội dung")  # its item stays


def test_a_doer_under_a_steering_topic_is_addressed(programme):
    f = _one(programme, "Các sở, ngành và Ủy ban nhân dân các huyện bố trí")
    assert (f["category"], f["addressee"]) == ("direction", "Các sở, ngành và Ủy ban nhân dân các huyện")
