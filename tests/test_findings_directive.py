"""Findings of documents that give orders (issue 13): a conclusion notice and a letter that
assigns work. The operative items are directions and carry the unit they are given to;
lead-in, closing formulas, recipient lists and subject lines are not findings; partners
("phối hợp với …") and the unit reported to are never addressees. Fixtures written for the
project (tests/data/findings_directive_*.txt), not sentences of a real document."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pipeline.analysis import findings
from pipeline.ingest import ingest

DATA = Path(__file__).parent / "data"
F = findings.rules()["raw"]


@pytest.fixture(scope="module")
def rows(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("directive") / "db.sqlite"
    ingest([DATA / "findings_directive_tbkl.txt", DATA / "findings_directive_congvan.txt"], db_path)
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    texts = {r["id"]: r["text"] for r in db.execute("select id, text from documents")}
    found = [dict(r) for r in db.execute("select * from findings order by document_id, start")]
    for f in found:
        assert texts[f["document_id"]][f["start"]:f["end"]] == f["text"]  # provenance
    return found


def _one(rows, prefix):
    got = [f for f in rows if f["text"].startswith(prefix)]
    assert len(got) == 1, prefix
    return got[0]


@pytest.mark.parametrize("prefix", [
    "Sau khi nghe", "Đối với việc số hóa", "Giao Văn phòng Đăng ký", "Các cơ quan, đơn vị; UBND",
    "UBND huyện thông báo để", "Ủy ban nhân dân tỉnh thông báo để", "Như trên", "Lưu:",
    "Kính gửi", "Sở Nội vụ;", "Sở Tư pháp;", "Văn phòng UBND tỉnh.", "V/v triển khai"])
def test_frame_is_not_a_finding(rows, prefix):
    assert not [f for f in rows if f["text"].startswith(prefix)]


@pytest.mark.parametrize("prefix,addressee", [
    ("Thống nhất tổ chức Ngày chuyển đổi số", "Phòng Văn hóa và Thông tin"),
    ("Xây dựng kế hoạch tổ chức", "Phòng Văn hóa và Thông tin"),
    ("Phối hợp với Trung tâm Văn hóa", "Phòng Văn hóa và Thông tin"),  # the partner is not it
    ("Chủ trì, phối hợp với Phòng Tài nguyên", "Văn phòng Đăng ký đất đai chi nhánh Đức Thọ"),
    ("Tổng hợp những khó khăn, vướng mắc", "Văn phòng Đăng ký đất đai chi nhánh Đức Thọ"),
    ("Phòng Tài chính - Kế hoạch chủ trì", "Phòng Tài chính - Kế hoạch"),
    ("Chủ động phối hợp với Phòng Văn hóa", "Các cơ quan, đơn vị"),
    ("Chủ tịch Ủy ban nhân dân tỉnh giao Sở Nội vụ", "Sở Nội vụ"),
    ("Trong thời hạn 10 ngày kể từ", "các xã, thị trấn"),  # the subject after a time clause
])
def test_operative_items_are_directions_to_their_unit(rows, prefix, addressee):
    f = _one(rows, prefix)
    assert (f["category"], f["addressee"]) == ("direction", addressee)


def test_a_request_stays_a_recommendation(rows):
    f = _one(rows, "Đề nghị Bưu điện huyện")
    assert (f["category"], f["addressee"]) == ("recommendation", "Bưu điện huyện")


def test_context_and_past_assignments_are_not_directions(rows):
    for prefix in ("Ngày 10/3/2025, Chủ tịch UBND huyện", "Ủy ban nhân dân tỉnh nhận được",
                   "Năm 2024, Ủy ban nhân dân tỉnh đã giao",
                   "Sau thời hạn trên, Chủ tịch UBND huyện"):  # the issuer acting itself
        f = _one(rows, prefix)
        assert f["category"] not in ("direction", "recommendation") and f["addressee"] is None, prefix


# Rules kept as data in schemas/data/findings.yaml, each with its examples.

@pytest.mark.parametrize("example", F["directive"]["lead_in_examples"])
def test_directive_lead_in(example):
    assert findings.rules()["lead_in"].search(example.lower())


@pytest.mark.parametrize("example,want", list(F["directive"]["assign_examples"].items()))
def test_assignment(example, want):
    assert findings.assignment(example) == want


@pytest.mark.parametrize("example", F["directive"]["assign_not_examples"])
def test_not_an_assignment(example):
    assert findings.assignment(example) is None


@pytest.mark.parametrize("example", F["directive"]["task_examples"])
def test_task_item(example):
    assert findings._task_item(example)


@pytest.mark.parametrize("key,why", [("lead_in_examples", "lead-in"), ("basis_examples", "basis"),
                                     ("closing_examples", "closing")])
def test_frame_examples(key, why):
    for example in F["frame"][key]:
        assert findings.frame_reason(example, before_body=False) == why, example


@pytest.mark.parametrize("key", ["lead_in_not_examples", "basis_not_examples", "closing_not_examples"])
def test_frame_not_examples(key):
    for example in F["frame"][key]:
        assert findings.frame_reason(example, before_body=False) is None, example


def test_basis_line_before_the_enacting_formula():
    line = "Theo đề nghị của Trưởng phòng Tổ chức cán bộ."
    assert findings.frame_reason(line, before_body=False, following="QUYẾT ĐỊNH:") == "basis"
    assert findings.frame_reason(line, before_body=False, following="Sở đã tổng hợp ý kiến.") is None


@pytest.mark.parametrize("example", F["achievement_examples"])
def test_achievement(example):
    assert findings.achievement(example)


@pytest.mark.parametrize("example", F["cues"]["cause"]["not_examples"])
def test_cause_of_a_price_change_is_not_a_cause(example):
    cue = findings.cue_category(example)
    assert cue is None or cue[0] != "cause"


@pytest.mark.parametrize("heading,want", [
    ("Giao Sở Tư pháp:", "Sở Tư pháp"),
    ("Các hiệp hội và doanh nghiệp phần mềm:", "Các hiệp hội và doanh nghiệp phần mềm"),
    ("Các sở, ban, ngành; UBND các xã, phường", "Các sở, ban, ngành; UBND các xã, phường"),
    ("Các đơn vị vận hành trung tâm dữ liệu của các Sở (sau đây gọi là đơn vị vận hành):",
     "Các đơn vị vận hành trung tâm dữ liệu của các Sở"),
    ("Đối với tiến độ giải ngân vốn đầu tư công", None),
    ("Cơ chế phối hợp", None),
])
def test_heading_that_only_names_the_addressee(heading, want):
    assert findings._addressee_only(heading) == want


@pytest.mark.parametrize("sentence", [
    "Tổng số phản ánh, kiến nghị tiếp nhận trong quý là 45 trường hợp.",  # a noun pair, the feedback
    "Kết quả tiếp nhận, xử lý phản ánh, kiến nghị của người dân đạt 100%.",
    "Số hồ sơ đề nghị báo cáo thẩm định là 12 hồ sơ.",  # "báo cáo" is not the newspaper
])
def test_report_sentences_are_not_requests(sentence):
    t = sentence.lower()
    assert not list(findings.rules()["ask"].finditer(t)), sentence


@pytest.mark.parametrize("sentence", [
    "Đề nghị Sở Tài chính bố trí kinh phí.",
    "Hệ thống máy chủ đã xuống cấp, đề nghị cấp máy chủ mới.",
    "Đề nghị Báo Gia Lai đăng tải thông báo này.",
])
def test_requests_stay_requests(sentence):
    assert list(findings.rules()["ask"].finditer(sentence.lower())), sentence
