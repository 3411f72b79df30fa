"""Issue 13, second round: classes of findings stated as rules (each from its general
condition; sentences written for these tests, not taken from any labelled document)."""
from __future__ import annotations

import pytest

from pipeline.analysis import findings

F = findings.rules()["raw"]

_STEERING = {"id": 1, "parent_id": None, "heading": "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", "start": 0, "heading_end": 0}
_RESULTS = {"id": 2, "parent_id": None, "heading": "KẾT QUẢ THỰC HIỆN", "start": 0, "heading_end": 0}


def _classify(text, sec=_RESULTS, **kw):
    return findings.classify(text, sec, {sec["id"]: sec}, None, None, **kw)


# A result achieved, stated positively: work reported as done, or a result judged good.
@pytest.mark.parametrize("example", F["achievement_examples"])
def test_achievement_is_a_strength(example):
    assert findings.achievement(example)
    assert _classify(example)[0] == "strength"


# A target, a need, a negation or the name of a measure is no achievement.
@pytest.mark.parametrize("example", F["achievement_not_examples"])
def test_not_an_achievement(example):
    assert findings.achievement(example) is None


# A report's steering section tells of steering done: a strength, never an order with an
# addressee; the same words in a letter that gives orders stay a direction.
@pytest.mark.parametrize("example", [
    "Ủy ban nhân dân huyện đã ban hành 12 văn bản chỉ đạo, đôn đốc các cơ quan triển khai nhiệm vụ cải cách hành chính.",
    "Sau khi sắp xếp đơn vị hành chính, Ủy ban nhân dân tỉnh ban hành Kế hoạch số 215/KH-UBND về kiểm tra công tác cải cách hành chính.",
])
def test_steering_reported_in_a_report_is_a_strength(example):
    cat, basis, _, addr = _classify(example, _STEERING, report=True)
    assert cat == "strength" and basis.startswith("done:") and addr is None


def test_steering_told_as_done_outside_a_report_is_a_strength():
    cat, _, _, addr = _classify("Thường trực Huyện ủy đã chỉ đạo các chi bộ tổ chức sinh hoạt chuyên đề.", _STEERING)
    assert cat == "strength" and addr is None


def test_direction_heading_still_directs_an_order():
    cat, _, _, _ = _classify("Phòng Nội vụ tổ chức kiểm tra việc niêm yết thủ tục hành chính tại các xã.", _STEERING)
    assert cat == "direction"
