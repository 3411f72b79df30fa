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


# A reply the letter asks for ("… đề nghị gửi về X trước ngày …") is its request; the
# owner of the reply ("của Y") is the addressee, where it goes (X) is not.
def test_reply_instruction_is_a_request_of_its_owner():
    text = ("Báo cáo kết quả thực hiện của Ủy ban nhân dân các xã, phường đề nghị gửi về Sở Nội vụ "
            "(qua Phòng Cải cách hành chính) trước ngày 15/12/2025 để tổng hợp./.")
    cat, _, _, addr = _classify(text)
    assert cat == "recommendation" and addr == "Ủy ban nhân dân các xã, phường"


def test_reply_instruction_without_owner_has_no_addressee():
    cat, _, _, addr = _classify("Ý kiến góp ý đề nghị gửi về Văn phòng Ủy ban nhân dân tỉnh trước ngày 20/10/2025.")
    assert cat == "recommendation" and addr is None


def test_reply_reported_as_asked_before_is_no_request():
    cat = _classify("Sở Tài chính đã đề nghị gửi về Sở các báo cáo quyết toán trước ngày 31/01/2025.")[0]
    assert cat != "recommendation"


# "báo cáo, đề xuất X xem xét" is the subject's task (what it sends up), not a request made
# to X by this document.
def test_report_and_propose_is_part_of_a_task():
    text = ("Sở Tài chính rà soát nhu cầu kinh phí của các xã; báo cáo, đề xuất Ủy ban nhân dân tỉnh "
            "xem xét, quyết định trước ngày 30/6/2026.")
    assert findings.cue_category(text) is None or findings.cue_category(text)[0] != "recommendation"
    cat, _, _, addr = _classify(text, directive=True)
    assert cat == "direction" and addr == "Sở Tài chính"


# A line that only announces the topic of the items below it is not a finding.
@pytest.mark.parametrize("example", F["announcing_label"]["examples"])
def test_announcing_label(example):
    assert findings.announcing_label(example)


@pytest.mark.parametrize("example", F["announcing_label"]["not_examples"])
def test_not_an_announcing_label(example):
    assert not findings.announcing_label(example)


@pytest.mark.parametrize("example", F["frame"]["closing_more_examples"])
def test_closing_formulas(example):
    assert findings.frame_reason(example, False) == "closing"


@pytest.mark.parametrize("example", F["frame"]["closing_more_not_examples"])
def test_summary_inside_the_body_is_no_closing(example):
    assert findings.frame_reason(example, False) is None


@pytest.mark.parametrize("example", ["Người cung cấp thông tin: ……………………", "Số điện thoại liên hệ: ......................"])
def test_form_field_with_a_dotted_blank(example):
    assert findings.not_prose(example, "") == "blank"


def test_items_under_a_basis_heading():
    head = {"id": 1, "parent_id": None, "heading": "CĂN CỨ XÂY DỰNG KẾ HOẠCH"}
    criteria = {"id": 4, "parent_id": None, "heading": "Căn cứ đánh giá, xếp loại chất lượng"}
    item = {"id": 2, "parent_id": 1, "heading": "Luật Tổ chức chính quyền địa phương"}
    other = {"id": 3, "parent_id": None, "heading": "MỤC ĐÍCH, YÊU CẦU"}
    by_id = {1: head, 2: item, 3: other, 4: criteria}
    assert findings._under_basis(item, by_id) and not findings._under_basis(other, by_id)
    assert not findings._under_basis(criteria, by_id)


# End to end on two fixtures written for these tests: a ministry letter whose request
# lead-in opens its items, and a plan with a legal-basis section.
import sqlite3  # noqa: E402
from pathlib import Path  # noqa: E402

from pipeline.ingest import ingest  # noqa: E402
from tests.conftest import stored_context  # noqa: E402

DATA = Path(__file__).parent / "data"


def _ingest(tmp_path, name):
    db_path = tmp_path / "db.sqlite"
    ingest([DATA / name], db_path)
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    text = db.execute("select text from documents").fetchone()[0]
    rows = [dict(r) for r in db.execute("select * from findings order by start")]
    for r in rows:
        assert text[r["start"]:r["end"]] == r["text"]  # provenance
    return rows


def _starting(rows, prefix):
    got = [r for r in rows if r["text"].startswith(prefix)]
    assert len(got) <= 1, prefix
    return got[0] if got else None


def test_request_lead_in_and_its_items(tmp_path):
    rows = _ingest(tmp_path, "findings_classes_congvan.txt")
    lead = _starting(rows, "Căn cứ Nghị quyết số 76")
    assert lead and lead["category"] == "recommendation" and lead["addressee"].startswith("các bộ, cơ quan ngang bộ")
    first = _starting(rows, "Các bộ, cơ quan ngang bộ xác định")
    assert first["category"] == "recommendation" and first["addressee"] == "Các bộ, cơ quan ngang bộ"
    second = _starting(rows, "Ủy ban nhân dân các tỉnh xác định")
    assert second["category"] == "recommendation" and second["addressee"] == "Ủy ban nhân dân các tỉnh"
    reply = _starting(rows, "Kế hoạch cải cách hành chính năm 2027 của")
    assert reply["category"] == "recommendation" and reply["addressee"] == "các bộ, ngành, địa phương"
    assert _starting(rows, "Nội dung kế hoạch cải cách") is None  # an announcing heading
    assert _starting(rows, "Bộ Nội vụ trân trọng cảm ơn") is None  # closing of thanks


def test_basis_section_labels_and_blanks_are_not_findings(tmp_path):
    rows = _ingest(tmp_path, "findings_classes_kehoach.txt")
    assert _starting(rows, "Luật Giao dịch điện tử") is None
    assert _starting(rows, "Nghị định số 47/2020") is None
    assert _starting(rows, "Kết quả ứng dụng công nghệ thông tin tại") is None
    assert _starting(rows, "Người lập phiếu") is None
    assert _starting(rows, "Năm 2023, huyện đã triển khai")["category"] == "strength"
    assert _starting(rows, "Hạ tầng mạng nội bộ")["category"] == "limitation"


@pytest.mark.parametrize("example", F["cues"]["cause"]["limitation_first_examples"])
def test_shortcoming_then_its_cause_is_a_limitation(example):
    assert findings.cue_category(example)[0] == "limitation"


@pytest.mark.parametrize("example", F["cues"]["cause"]["examples"])
def test_cause_first_is_a_cause(example):
    assert findings.cue_category(example)[0] == "cause"


def _findings_on_pages_read_by(tmp_path, name, source):
    """Findings of a fixture whose text is taken as one page read by `source` (ocr | text)."""
    import sqlite_utils

    from pipeline.analysis import structure
    db_path = tmp_path / f"{source}.sqlite"
    ingest([DATA / name], db_path)
    ctx = stored_context(sqlite_utils.Database(db_path), source)
    structure.analyze(ctx)
    findings.analyze(ctx)
    return ctx.rows.get("findings", [])


def test_line_cut_at_a_comma_continues_on_a_scan(tmp_path):
    """A scan's printed line that stops at a comma goes on in the next paragraph; a text
    layer keeps its paragraphs (a line ending in a comma there is its own paragraph)."""
    rows = _findings_on_pages_read_by(tmp_path, "findings_classes_quyetdinh.txt", "ocr")
    f = _starting(rows, "Chánh Văn phòng Sở, Trưởng phòng")
    assert f["text"].endswith("thi hành Quyết định này./.")
    assert f["category"] == "responsibility" and "Thủ trưởng các đơn vị có liên quan" in f["addressee"]
    assert _starting(rows, "Thủ trưởng các đơn vị") is None
    rows = _findings_on_pages_read_by(tmp_path, "findings_classes_quyetdinh.txt", "text")
    assert _starting(rows, "Chánh Văn phòng Sở, Trưởng phòng")["text"].endswith("Tổ chức cán bộ,")
    assert _starting(rows, "Thủ trưởng các đơn vị") is not None


def test_a_bullet_after_a_comma_is_its_own_finding(tmp_path):
    (tmp_path / "bc.txt").write_text(
        "ỦY BAN NHÂN DÂN HUYỆN MƯỜNG ẢNG\n\nSố: 41/BC-UBND\n\nBÁO CÁO\n\nKết quả cải cách hành chính quý I\n\n"
        "I. KẾT QUẢ\n\n"
        "- Tổ chức tuyên truyền sâu rộng về cải cách hành chính đến cán bộ và nhân dân,\n\n"
        "- Số hồ sơ trễ hạn còn nhiều, chủ yếu ở lĩnh vực đất đai.\n", encoding="utf-8")
    db_path = tmp_path / "db.sqlite"
    ingest([tmp_path / "bc.txt"], db_path)
    texts = [r[0] for r in sqlite3.connect(db_path).execute("select text from findings order by start")]
    assert any(t.startswith("Số hồ sơ trễ hạn") for t in texts), texts
    assert not any("nhân dân," in t and "trễ hạn" in t for t in texts), texts


def test_a_request_ends_with_its_section(tmp_path):
    """A lead-in that asks governs its own section; the next section is not asked of anyone."""
    (tmp_path / "cv.txt").write_text(
        "SỞ NỘI VỤ TỈNH ĐIỆN BIÊN\n\nSố: 215/SNV-CCHC\nV/v triển khai cải cách hành chính quý II\n\n"
        "Kính gửi: Ủy ban nhân dân các huyện, thị xã, thành phố.\n\n"
        "1. Nhiệm vụ trọng tâm\n\n"
        "Sở Nội vụ đề nghị Ủy ban nhân dân các huyện, thị xã, thành phố triển khai một số nội dung sau:\n\n"
        "a) Rà soát, cập nhật danh mục thủ tục hành chính trên Cổng dịch vụ công.\n\n"
        "2. Tình hình chung\n\n"
        "Trong quý I, số hồ sơ tiếp nhận trên địa bàn tỉnh là 1.250 hồ sơ, giải quyết đúng hạn 1.198 hồ sơ.\n",
        encoding="utf-8")
    db_path = tmp_path / "db.sqlite"
    ingest([tmp_path / "cv.txt"], db_path)
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    rows = [dict(r) for r in db.execute("select * from findings order by start")]
    asked = _starting(rows, "Rà soát, cập nhật danh mục")
    assert asked["category"] == "recommendation" and "Ủy ban nhân dân các huyện" in (asked["addressee"] or "")
    stated = _starting(rows, "Trong quý I, số hồ sơ")
    assert stated["category"] != "recommendation" and not (stated["basis"] or "").startswith("asked:")


def test_recipients_after_a_kinh_gui_in_the_header(tmp_path):
    rows = _ingest(tmp_path, "findings_classes_kinhgui.txt")
    assert _starting(rows, "Các bệnh viện trực thuộc") is None
    assert _starting(rows, "Sở Y tế các tỉnh") is None
    ask = _starting(rows, "Để tổng hợp tình hình")
    assert ask["category"] == "recommendation" and ask["addressee"] == "các đơn vị"


def test_long_execution_clause_keeps_every_body():
    text = ("Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc các sở, Thủ trưởng các ban, ngành cấp tỉnh, Giám đốc "
            "Kho bạc Nhà nước khu vực, Chủ tịch Ủy ban nhân dân các xã, phường, đặc khu, Thủ trưởng các cơ quan, "
            "đơn vị và các cá nhân có liên quan chịu trách nhiệm thi hành Quyết định này.")
    cat, _, _, addr = _classify(text)
    assert cat == "responsibility" and addr.endswith("các cá nhân có liên quan")


def test_a_normative_text_reports_no_result():
    text = "Hoàn thành tốt nhiệm vụ: đạt từ 70 điểm đến dưới 90 điểm và không có tiêu chí nào dưới 50% số điểm."
    assert _classify(text)[0] == "strength"
    assert _classify(text, prescribes=True)[0] == "other"


# A plan's own tasks: an item of a task section ("NHIỆM VỤ", "GIẢI PHÁP", "NỘI DUNG",
# "TỔ CHỨC THỰC HIỆN") that opens with a task verb is the issuer's task (recommendation,
# no addressee); with a unit named by the heading above it, a direction to that unit.
_PLAN_TASKS = {"id": 10, "parent_id": None, "heading": "NỘI DUNG KẾ HOẠCH", "start": 0, "heading_end": 0}
_PLAN_SUB = {"id": 11, "parent_id": 10, "heading": "Phát triển hạ tầng số", "start": 0, "heading_end": 0}
_PLAN_TARGETS = {"id": 12, "parent_id": None, "heading": "MỤC TIÊU CỤ THỂ", "start": 0, "heading_end": 0}
_PLAN_STATUS = {"id": 13, "parent_id": None, "heading": "HIỆN TRẠNG ỨNG DỤNG CÔNG NGHỆ THÔNG TIN", "start": 0,
                "heading_end": 0}
_PLAN_EXEC = {"id": 14, "parent_id": None, "heading": "NHIỆM VỤ VÀ GIẢI PHÁP", "start": 0, "heading_end": 0}
_PLAN_BY_ID = {s["id"]: s for s in (_PLAN_TASKS, _PLAN_SUB, _PLAN_TARGETS, _PLAN_STATUS, _PLAN_EXEC)}


def _plan(text, sec, label_addr=None, plan=True):
    return findings.classify(text, sec, _PLAN_BY_ID, None, label_addr, plan=plan)


@pytest.mark.parametrize("example", F["plan"]["task_examples"] + [
    "Nâng cấp Cổng dịch vụ công của tỉnh, tích hợp thanh toán trực tuyến cho các thủ tục có phí, lệ phí.",
    "Đào tạo, bồi dưỡng kỹ năng số cho 100% công chức cấp xã, bảo đảm mỗi xã có ít nhất 01 cán bộ phụ trách.",
])
def test_a_plans_task_is_the_issuers_recommendation(example):
    cat, basis, _, addr = _plan(example, _PLAN_SUB)
    assert (cat, addr) == ("recommendation", None) and basis == "plan:task"


def test_a_plans_task_under_a_unit_is_a_direction_to_it():
    cat, _, _, addr = _plan("Tổng hợp nhu cầu kinh phí của các cơ quan, trình Ủy ban nhân dân tỉnh bố trí trong dự toán hằng năm.",
                            _PLAN_EXEC, label_addr="Sở Tài chính")
    assert (cat, addr) == ("direction", "Sở Tài chính")


def test_a_plans_task_with_its_doer_named_is_a_direction():
    cat, _, _, addr = _plan("Sở Khoa học và Công nghệ xây dựng kho dữ liệu dùng chung của tỉnh trong năm 2027.", _PLAN_SUB)
    assert (cat, addr) == ("direction", "Sở Khoa học và Công nghệ")


@pytest.mark.parametrize("example", F["plan"]["target_examples"] + [
    "Xây dựng hạ tầng kỹ thuật bảo đảm 100% cơ quan cấp tỉnh kết nối mạng chuyên dùng.",
])
def test_a_plans_target_is_other(example):
    assert _plan(example, _PLAN_TARGETS)[0] == "other"


def test_a_plans_status_section_still_reports_results():
    cat, _, _, _ = _plan("Năm 2025, tỉnh đã triển khai hệ thống quản lý văn bản tại 100% các sở, ngành.", _PLAN_STATUS)
    assert cat == "strength"


def test_a_statement_about_a_task_is_no_task():
    text = "Xây dựng cơ sở dữ liệu là nhiệm vụ trọng tâm, quyết định hiệu quả của chính quyền số."
    assert _plan(text, _PLAN_SUB)[0] == "other"


def test_the_same_item_outside_a_plan_is_not_a_task():
    assert _plan(F["plan"]["task_examples"][0], _PLAN_SUB, plan=False)[0] == "other"


class _Ctx:
    def __init__(self, text, **meta):
        self.text, self.meta = text, meta


@pytest.mark.parametrize("ctx,expected", [
    (_Ctx("", doc_type="Kế hoạch"), True),
    (_Ctx("", doc_type="Báo cáo"), False),
    (_Ctx("", number_symbol="215/KH-UBND"), True),
    (_Ctx("", number_symbol="215/BC-UBND"), False),
    # a scan whose title line was misread: the code of its number still tells
    (_Ctx("ỦY BAN NHÂN DÂN\nTỈNH HÀ GIANG\nSố: …/KH-UBND    Hà Giang, ngày 05 tháng 3 năm 2026\nKỂ HOẠGH"), True),
    (_Ctx("Số: 12/BC-UBND\nThực hiện Kế hoạch số 45/KH-UBND của tỉnh, huyện báo cáo như sau:"), False),
])
def test_what_is_a_plan(ctx, expected):
    assert findings.is_plan(ctx) is expected


# Normative texts: the words of a rule or criterion ("không … sai sót", "còn hạn chế",
# "đề xuất") are its content, not a shortcoming or a request: other.
_CRITERIA = {"id": 20, "parent_id": None, "heading": "Điều 5. Tiêu chí xếp loại chất lượng", "start": 0, "heading_end": 0}


@pytest.mark.parametrize("example", F["normative_examples"])
def test_a_criterion_in_a_normative_text_is_other(example):
    cat, basis, _, _ = findings.classify(example, _CRITERIA, {20: _CRITERIA}, None, None, prescribes=True)
    assert cat == "other" and basis.startswith(("normative:", "default"))


def test_the_same_cue_outside_a_normative_text_still_decides():
    text = "Một số xã còn hạn chế, yếu kém trong việc tiếp nhận hồ sơ trực tuyến."
    assert findings.classify(text, _CRITERIA, {20: _CRITERIA}, None, None)[0] == "limitation"


def test_a_duty_in_a_normative_text_stays_a_responsibility():
    text = "Cơ quan tham mưu về tổ chức, cán bộ có trách nhiệm tổng hợp kết quả xếp loại, báo cáo cấp có thẩm quyền."
    cat, _, _, _ = findings.classify(text, _CRITERIA, {20: _CRITERIA}, None, None, prescribes=True)
    assert cat == "responsibility"


def test_a_scanned_plans_heading_without_its_marks_still_names_the_section():
    # OCR drops or changes diacritics ("TỎ CHỨC THỰC HIỆN"); the heading's words still tell
    execution = {"id": 30, "parent_id": None, "heading": "TỎ CHỨC THỰC HIỆN", "start": 0, "heading_end": 0}
    unit = {"id": 31, "parent_id": 30, "heading": "Sở Tài chính", "start": 0, "heading_end": 0}
    text = "Chủ trì thẩm định dự toán kinh phí ứng dụng công nghệ thông tin của các sở, ngành hằng năm."
    cat, _, _, addr = findings.classify(text, unit, {30: execution, 31: unit}, None, None, plan=True)
    assert (cat, addr) == ("direction", "Sở Tài chính")


def test_a_time_word_is_not_part_of_the_doer():
    cat, _, _, addr = _plan("Các sở, ngành hằng năm phải lập kế hoạch chuyển đổi số của ngành mình.", _PLAN_SUB)
    assert (cat, addr) == ("direction", "Các sở, ngành")


# The tasks a normative text lays down under its "Tổ chức thực hiện" article are duties
# (responsibility), not orders; in a letter or a conclusion the same heading directs.
_EXEC_ARTICLE = {"id": 40, "parent_id": None, "heading": "Tổ chức thực hiện", "start": 0, "heading_end": 0}


def test_tasks_of_a_normative_texts_execution_article_are_duties():
    text = "Hướng dẫn, kiểm tra việc thực hiện Thông tư này; định kỳ hằng năm tổng hợp kết quả, báo cáo Bộ trưởng."
    by_id = {40: _EXEC_ARTICLE}
    assert findings.classify(text, _EXEC_ARTICLE, by_id, None, None, prescribes=True)[0] == "responsibility"
    assert findings.classify(text, _EXEC_ARTICLE, by_id, None, None)[0] == "direction"


def test_a_lead_ins_verb_is_not_part_of_the_addressee():
    text = "Hướng dẫn, kiểm tra việc thực hiện Thông tư này; định kỳ hằng năm tổng hợp kết quả, báo cáo Bộ trưởng."
    _, _, _, addr = findings.classify(text, _EXEC_ARTICLE, {40: _EXEC_ARTICLE}, None, "Sở Nội vụ có trách nhiệm",
                                      prescribes=True)
    assert addr == "Sở Nội vụ"


def test_a_resolutions_assessment_keeps_its_limitation():
    # A Party committee's resolution assesses before it resolves: not a text of criteria.
    text = "Việc ứng dụng công nghệ thông tin trong giải quyết thủ tục hành chính ở một số xã còn hạn chế."
    cat, _, _, _ = findings.classify(text, _CRITERIA, {20: _CRITERIA}, None, None, prescribes=True, normative=False)
    assert cat == "limitation"
    assert "Nghị quyết" in F["normative_not"]
