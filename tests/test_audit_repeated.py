"""Issue 9, `repeated`: one indicator stated twice is compared only on an exact match of
what the words around each figure say it is (audit.Indicator), and an annex row that the
law defines as a sum against the parts the text gives (audit_annex). Own sentences."""
from __future__ import annotations

import pytest

from pipeline.analysis.audit import audit, indicator, _Masked, _heading_scopes
from pipeline.analysis.figures import extract_figures


def _checks(text, annex_period=None):
    figs = extract_figures(text)
    for i, f in enumerate(figs):
        f["id"] = i
        # the stage gives an annex row the year of its section heading ("… năm 2025")
        if annex_period and "|" in text[f["sentence_start"]:f["start"]]:
            f["period"] = annex_period
    return [c for c in audit(text, figs) if c["kind"] == "repeated"]


def _verdicts(text, **kw):
    return [c["verdict"] for c in _checks(text, **kw)]


# ---- text against text: an exact Indicator match ---------------------------------------

def test_same_words_same_scope_two_values_is_a_slip():
    text = ("Năm 2024, số hộ gia đình được hỗ trợ xây dựng nhà ở là 215 hộ.\n\n"
            "Kết quả chung như sau.\n\n"
            "Năm 2024, số hộ gia đình được hỗ trợ xây dựng nhà ở là 251 hộ.")
    got = _checks(text)
    assert [c["verdict"] for c in got] == ["mismatch"] and got[0]["basis"]


@pytest.mark.parametrize("text", [
    # label digits: the words are the same, the numbered place or group is not
    "Tại Tổ dân phố 3, số hộ gia đình được cấp nước sạch là 120 hộ. Tại Tổ dân phố 5, số hộ "
    "gia đình được cấp nước sạch là 90 hộ.",
    "Nhóm 1: số hồ sơ thủ tục hành chính tiếp nhận trực tuyến là 1.200 hồ sơ. Nhóm 2: số hồ sơ "
    "thủ tục hành chính tiếp nhận trực tuyến là 1.500 hồ sơ.",
    # two digits swapped, but under two labels: not the swap slip either
    "Nhóm 1: số hồ sơ thủ tục hành chính tiếp nhận trực tuyến là 1.284 hồ sơ. Nhóm 2: số hồ sơ "
    "thủ tục hành chính tiếp nhận trực tuyến là 1.248 hồ sơ.",
    # two periods named by the same words but another quarter
    "Trong quý I, số hồ sơ thủ tục hành chính tiếp nhận trực tuyến là 1.200 hồ sơ. Trong quý "
    "II, số hồ sơ thủ tục hành chính tiếp nhận trực tuyến là 1.500 hồ sơ.",
    # a year read as a count ("năm 2023 huyện") must not hide the year from the key
    "Năm 2022, huyện đã tiếp nhận và giải quyết 2.315 hồ sơ đất đai.\n\nKết luận: năm 2023 "
    "huyện đã tiếp nhận và giải quyết 2.135 hồ sơ đất đai.",
])
def test_different_indicators_are_not_compared(text):
    assert "mismatch" not in _verdicts(text)


def test_a_target_and_the_result_are_two_indicators():
    text = ("Phấn đấu đến năm 2025, số hồ sơ thủ tục hành chính tiếp nhận trực tuyến là 1.500 hồ sơ. "
            "Năm 2025, số hồ sơ thủ tục hành chính tiếp nhận trực tuyến là 1.200 hồ sơ.")
    figs = extract_figures(text)
    a, b = (indicator(text, f, _Masked(text, figs), _heading_scopes(text)) for f in figs)
    assert a != b and a.subject == b.subject and _verdicts(text) == []


def test_a_condition_has_no_indicator():
    text = "Trường hợp số hồ sơ thủ tục hành chính tiếp nhận trực tuyến đạt 95% thì được cộng điểm."
    figs = extract_figures(text)
    assert [indicator(text, f, _Masked(text, figs), _heading_scopes(text)) for f in figs] == [None]


# ---- an annex row defined as a sum --------------------------------------------------------

ANNEX = ("\n\nPhụ lục II. Số liệu về công tác văn bản\n\n"
         "2. | Tổng số văn bản QPPL do địa phương ban hành | Văn bản | 61 |\n"
         "2.1. | Số văn bản QPPL do cấp huyện ban hành | Văn bản | {n} |\n"
         "2.2. | Số văn bản QPPL do cấp xã ban hành | Văn bản | 28 |")
ISSUED = ("Trong năm 2025, HĐND huyện đã ban hành 9 Nghị quyết QPPL, Ủy ban nhân dân huyện "
          "ban hành 23 Quyết định QPPL² và đã gửi văn bản đến Phòng Tư pháp đúng thời hạn.")


def test_annex_row_against_the_parts_of_its_definition():
    assert _verdicts(ISSUED + ANNEX.format(n=32), annex_period="2025") == ["ok"]
    got = _checks(ISSUED + ANNEX.format(n=33), annex_period="2025")
    assert [(c["verdict"], c["stated"], c["computed"]) for c in got] == [("mismatch", 32, 33)]
    assert "Luật Ban hành VBQPPL" in got[0]["basis"] and "9 Nghị quyết + 23 Quyết định" in got[0]["message"]


@pytest.mark.parametrize("sentence", [
    # another verb: documents uploaded, reviewed … are another count
    ISSUED.replace("ban hành", "cập nhật"),
    # one part only: the other may have been left out of the sentence
    "Trong năm 2025, UBND huyện ban hành 23 Quyết định QPPL.",
    # a part of the period, a target, another year, no year
    ISSUED.replace("Trong năm 2025", "Trong 9 tháng đầu năm 2025"),
    ISSUED.replace("Trong năm 2025, HĐND", "Phấn đấu trong năm 2025, HĐND"),
    ISSUED.replace("2025", "2024"),
    ISSUED.replace("Trong năm 2025, ", ""),
    # not legal documents, or the kinds given by the wrong authority
    ISSUED.replace(" QPPL", ""),
    "Trong năm 2025, UBND huyện đã ban hành 9 Nghị quyết QPPL, HĐND huyện ban hành 23 Quyết định QPPL.",
    # another level than the row's
    ISSUED.replace("huyện", "tỉnh"),
    # the same part twice: which one adds up is a guess
    "Trong năm 2025, HĐND huyện đã ban hành 9 Nghị quyết QPPL, HĐND huyện ban hành 2 Nghị quyết "
    "QPPL, UBND huyện ban hành 23 Quyết định QPPL.",
])
def test_annex_sum_traps(sentence):
    assert _verdicts(sentence + ANNEX.format(n=33), annex_period="2025") == []


# (trap, control): who acts, and what the part counts. The control differs only in the
# words the guard reads and is flagged (32 against 33), so each trap is silent by its guard.
PLAIN = "Trong năm 2025, HĐND huyện đã ban hành 9 Nghị quyết QPPL, UBND huyện ban hành 23 Quyết định QPPL."
WHO_AND_WHAT = {
    # a department's work: it drafted, advised, appraised; the issuer does not open its clause
    "advised": ("Trong năm 2025, Phòng Tư pháp đã thẩm định và tham mưu HĐND huyện ban hành 9 Nghị "
                "quyết QPPL, UBND huyện ban hành 23 Quyết định QPPL.", PLAIN),
    "drafted": ("Trong năm 2025, Văn phòng HĐND và UBND huyện dự thảo, HĐND huyện đã ban hành 9 Nghị "
                "quyết QPPL, UBND huyện ban hành 23 Quyết định QPPL.",
                "Trong năm 2025, Văn phòng HĐND và UBND huyện hoàn thành nhiệm vụ, HĐND huyện đã ban "
                "hành 9 Nghị quyết QPPL, UBND huyện ban hành 23 Quyết định QPPL."),
    "helped": ("Trong năm 2025, Phòng Tư pháp đã giúp HĐND huyện ban hành 9 Nghị quyết QPPL, UBND "
               "huyện ban hành 23 Quyết định QPPL.", PLAIN),
    # both issuers open their clauses, the advising verb stands in the clause before
    "advised before": ("Trong năm 2025, Phòng Tư pháp chủ động góp ý, HĐND huyện đã ban hành 9 Nghị "
                       "quyết QPPL, UBND huyện ban hành 23 Quyết định QPPL.",
                       "Trong năm 2025, Phòng Tư pháp chủ động kiểm tra, HĐND huyện đã ban hành 9 "
                       "Nghị quyết QPPL, UBND huyện ban hành 23 Quyết định QPPL."),
    "in order that": ("Trong năm 2025, Phòng Tư pháp phối hợp với các phòng chuyên môn để HĐND huyện "
                      "ban hành 9 Nghị quyết QPPL, UBND huyện ban hành 23 Quyết định QPPL.", PLAIN),
    # a narrower count: the part's clause goes on after "QPPL"
    "field": (PLAIN.replace("QPPL.", "QPPL trong lĩnh vực đất đai."), PLAIN),
    "amending": (PLAIN.replace("QPPL.", "QPPL sửa đổi, bổ sung quy định trước đây."), PLAIN),
    "unlawful": (PLAIN.replace("23 Quyết định QPPL.", "23 Quyết định QPPL có nội dung trái pháp luật."),
                 PLAIN),
    # … or a restricting word after the clause's end
    "about": (PLAIN.replace("Nghị quyết QPPL,", "Nghị quyết QPPL, về tài chính, ngân sách;"),
              PLAIN.replace("Nghị quyết QPPL,", "Nghị quyết QPPL;")),
}


@pytest.mark.parametrize("name", sorted(WHO_AND_WHAT))
def test_annex_sum_who_acts_and_what_is_counted(name):
    trap, control = WHO_AND_WHAT[name]
    assert _verdicts(trap + ANNEX.format(n=33), annex_period="2025") == [], name
    assert _verdicts(control + ANNEX.format(n=33), annex_period="2025") == ["mismatch"], name


@pytest.mark.parametrize("sentence", [
    # "trình" inside "chương trình" is no submitting; the year alone may open the clause
    "Thực hiện Chương trình công tác năm 2025, HĐND huyện đã ban hành 9 Nghị quyết QPPL, UBND "
    "huyện ban hành 23 Quyết định QPPL.",
    "Trong năm 2025 HĐND huyện đã ban hành 9 Nghị quyết QPPL; UBND huyện ban hành 23 Quyết định QPPL.",
])
def test_annex_sum_issuer_opening_its_clause_is_compared(sentence):
    assert _verdicts(sentence + ANNEX.format(n=33), annex_period="2025") == ["mismatch"]


def test_annex_without_a_period_is_not_compared():
    assert _verdicts(ISSUED + ANNEX.format(n=33)) == []


# ---- every false-alarm class of issue 9, each with its control ---------------------------
# (trap, control): the control differs only in what the guard reads, and is a slip; so the
# trap is silent because of the guard, not because the sentences were never compared.

CLASSES = {
    "targets": ("Mục tiêu đến năm 2025:\n- Tỷ lệ hồ sơ thủ tục hành chính được số hóa kết quả đạt 80%.\n\n"
                "Mục tiêu đến năm 2030:\n- Tỷ lệ hồ sơ thủ tục hành chính được số hóa kết quả đạt 100%.",
                "Mục tiêu đến năm 2030:\n- Tỷ lệ hồ sơ thủ tục hành chính được số hóa kết quả đạt 80%.\n\n"
                "Mục tiêu đến năm 2030:\n- Tỷ lệ hồ sơ thủ tục hành chính được số hóa kết quả đạt 100%."),
    "rubric": ("- Tỷ lệ hồ sơ giải quyết đúng hạn của cơ quan đạt từ 80% trở lên: 2 điểm.\n"
               "- Tỷ lệ hồ sơ giải quyết đúng hạn của cơ quan đạt từ 65% đến dưới 80%: 1 điểm.",
               "- Tỷ lệ hồ sơ giải quyết đúng hạn của cơ quan đạt 80%.\n"
               "- Tỷ lệ hồ sơ giải quyết đúng hạn của cơ quan đạt 65%."),
    "stages": ("Về kết quả phát hiện:\n- Số vụ việc vi phạm về trật tự xây dựng: 45 vụ.\n\n"
               "Về kết quả xử lý:\n- Số vụ việc vi phạm về trật tự xây dựng: 38 vụ.",
               "Về kết quả xử lý:\n- Số vụ việc vi phạm về trật tự xây dựng: 45 vụ.\n\n"
               "Về kết quả xử lý:\n- Số vụ việc vi phạm về trật tự xây dựng: 38 vụ."),
    "staff groups": ("a) Đối với công chức:\n- Số người có mặt tại buổi kiểm tra đột xuất của đoàn: 112 người.\n"
                     "b) Đối với viên chức:\n- Số người có mặt tại buổi kiểm tra đột xuất của đoàn: 340 người.",
                     "a) Đối với viên chức:\n- Số người có mặt tại buổi kiểm tra đột xuất của đoàn: 112 người.\n\n"
                     "a) Đối với viên chức:\n- Số người có mặt tại buổi kiểm tra đột xuất của đoàn: 340 người."),
    "union and member": ("Năm 2024, tỷ lệ cơ quan, đơn vị trên địa bàn được xếp loại Tốt trở lên đạt 100%.\n\n"
                         "Năm 2024, tỷ lệ cơ quan, đơn vị trên địa bàn được xếp loại Xuất sắc đạt 20%.",
                         "Năm 2024, tỷ lệ cơ quan, đơn vị trên địa bàn được xếp loại Tốt đạt 100%.\n\n"
                         "Năm 2024, tỷ lệ cơ quan, đơn vị trên địa bàn được xếp loại Tốt đạt 20%."),
    "label digits": ("Tại Tổ dân phố 3, số hộ gia đình được cấp nước sạch là 120 hộ.\n\n"
                     "Tại Tổ dân phố 5, số hộ gia đình được cấp nước sạch là 90 hộ.",
                     "Tại Tổ dân phố 5, số hộ gia đình được cấp nước sạch là 120 hộ.\n\n"
                     "Tại Tổ dân phố 5, số hộ gia đình được cấp nước sạch là 90 hộ."),
    "conditions": ("Trường hợp tỷ lệ hồ sơ giải quyết đúng hạn của xã đạt 100% thì được khen thưởng.\n\n"
                   "Năm 2024, tỷ lệ hồ sơ giải quyết đúng hạn của xã đạt 96%.",
                   "Năm 2024, tỷ lệ hồ sơ giải quyết đúng hạn của xã đạt 100%.\n\n"
                   "Năm 2024, tỷ lệ hồ sơ giải quyết đúng hạn của xã đạt 96%."),
    "durations": ("Năm 2024, tổng thời gian giải quyết hồ sơ đăng ký đất đai lần đầu tối đa 30 ngày.\n\n"
                  "Năm 2024, tổng thời gian giải quyết hồ sơ đăng ký đất đai lần đầu là 17 ngày.",
                  "Năm 2024, tổng thời gian giải quyết hồ sơ đăng ký đất đai lần đầu là 30 ngày.\n\n"
                  "Năm 2024, tổng thời gian giải quyết hồ sơ đăng ký đất đai lần đầu là 17 ngày."),
}


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_false_alarm_class_silent_and_its_control_flagged(name):
    trap, control = CLASSES[name]
    assert "mismatch" not in _verdicts(trap)
    assert _verdicts(control) == ["mismatch"], name
