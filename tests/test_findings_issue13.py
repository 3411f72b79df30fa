"""Issue 13 end to end: only prose is a finding, tense and mood decide the category,
addressees are whole organisations (fixture written for the project, not a real report)."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import findings_of

FIXTURE = Path(__file__).parent / "data" / "findings_issue13.txt"


@pytest.fixture(scope="module")
def rows(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("i13") / "db.sqlite"
    return findings_of(FIXTURE, db_path)


def _one(rows, prefix):
    got = [f for f in rows if f["text"].startswith(prefix)]
    assert len(got) == 1, prefix
    return got[0]


@pytest.mark.parametrize("prefix", ["Biểu đồ 1", "45,2", "2021 2022", "Kết quả thực hiện nhiệm vụ chuyển đổi số",
                                    "(Chi tiết", "Nội dung", "Hạn chế |", "Trên đây", "Nơi nhận"])
def test_not_findings(rows, prefix):
    assert not [f for f in rows if f["text"].startswith(prefix)]


def test_direction_needs_a_directing_verb(rows):
    # A report's steering section tells of steering done: a strength, not an order.
    assert _one(rows, "UBND huyện đã ban hành Kế hoạch")["category"] == "strength"
    score = _one(rows, "Điểm trung bình")
    assert score["category"] == "other" and score["addressee"] is None


def test_cue_inside_a_noun_phrase(rows):
    assert _one(rows, "Huyện đã tổ chức hỗ trợ")["category"] != "limitation"
    assert _one(rows, "Trong năm, trên địa bàn chưa có")["category"] != "limitation"
    assert _one(rows, "Việc số hóa hồ sơ")["category"] == "limitation"


def test_past_request_is_a_statement(rows):
    f = _one(rows, "Tháng 3/2024, UBND huyện đã đề nghị")
    assert f["category"] == "limitation" and f["addressee"] is None


def test_table_cell_that_is_a_sentence(rows):
    assert _one(rows, "Việc cập nhật, niêm yết thủ tục")["category"] == "limitation"


def test_requests_and_whole_addressees(rows):
    f = _one(rows, "Đề nghị Sở Nội vụ")
    assert (f["category"], f["addressee"]) == ("recommendation", "Sở Nội vụ")
    f = _one(rows, "Đề nghị Sở Xây dựng")
    assert (f["category"], f["addressee"]) == ("recommendation", "Sở Xây dựng")


def test_a_line_repeated_many_times_is_not_a_finding():
    from tests.test_structure_props import run_stages
    rep = "Khó khăn, vướng mắc trong thực hiện: không có."
    pieces = [("heading", "I. KẾT QUẢ THỰC HIỆN")]
    for n, topic in enumerate(["Cải cách thể chế", "Cải cách thủ tục hành chính", "Cải cách tổ chức bộ máy"], 1):
        pieces += [("heading", f"{n}. {topic}"),
                   ("paragraph", f"Năm 2024, huyện đã hoàn thành các nhiệm vụ về {topic.lower()} theo kế hoạch."),
                   ("paragraph", rep)]
    ctx = run_stages(pieces)
    texts = [f["text"] for f in ctx.rows["findings"]]
    assert rep not in texts and len(texts) == 3
