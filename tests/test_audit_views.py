"""Issue 9, the auditor's views: numbers as the document writes them (a stated sum as its
terms), a card quoting only the sentences of its figures, the review shown in the web page."""
from __future__ import annotations

import sqlite3

from pipeline.commands.figures import _computed_text, _sentences_of, _stated_text


def _fig(text, surface, value, kind="count", nth=0):
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    s = text.rfind("\n", 0, start) + 1
    e = text.find("\n", start)
    return {"surface": surface, "value": value, "kind": kind, "start": start,
            "end": start + len(surface), "sentence_start": s, "sentence_end": len(text) if e < 0 else e}


def test_a_stated_sum_is_shown_as_its_terms():
    text = "Tiếp nhận trực tuyến 2.184/2.350 hồ sơ, đạt 92,94%; 166 hồ sơ nộp trực tiếp, chiếm 7,13%."
    own = [_fig(text, "92,94%", 92.94, "percent"), _fig(text, "7,13%", 7.13, "percent")]
    row = {"kind": "complement_percent", "stated": 100.07, "computed": 100.0, "start": 0, "end": 1}
    assert _stated_text(row, own, text) == "92,94% + 7,13%"
    text = "HĐND huyện ban hành 9 Nghị quyết QPPL, UBND huyện ban hành 23 Quyết định QPPL.\n2.1. | Số văn bản QPPL | 33 |"
    own = [_fig(text, "9 Nghị quyết", 9), _fig(text, "23 Quyết định", 23), _fig(text, "33", 33)]
    row = {"kind": "repeated", "stated": 32.0, "computed": 33.0, "start": 0, "end": 1}
    stated = _stated_text(row, own, text)
    assert stated == "9 Nghị quyết + 23 Quyết định" and _computed_text(row, stated) == "33"
    # a value written once is shown as written, never as a sum
    row = {"kind": "repeated", "stated": 9.0, "computed": 23.0, "start": 0, "end": 1}
    assert _stated_text(row, own, text) == "9 Nghị quyết"


def test_a_card_quotes_the_sentences_of_its_figures_not_all_between():
    text = ("Đã tích hợp 287/287 TTHC có thu phí lên Cổng dịch vụ công.\n" + "Đoạn khác không liên quan.\n" * 50
            + "3.2.1. | Tổng số TTHC có thu phí | Thủ tục | 278 |")
    own = [_fig(text, "287/287 TTHC", 287, "ratio"), _fig(text, "278", 278)]
    plain, spans = _sentences_of(text, own)
    assert "Đoạn khác" not in plain and " … " in plain
    assert [plain[a:b] for a, b in spans] == ["287/287 TTHC", "278"]


def test_the_web_page_shows_the_auditors_review(ingest_into, tmp_path):
    from pipeline.cli import main
    from pipeline.web.pages import document_page

    path = tmp_path / "so-hoa.txt"
    path.write_text("ỦY BAN NHÂN DÂN HUYỆN AN LẠC\n\nBÁO CÁO\n\nNăm 2024, huyện đã số hóa "
                    "3.812/4.250 hồ sơ, đạt 98,7%.\n", encoding="utf-8")
    _summary, db = ingest_into(path)
    chk = next(db.query("select id, document_id from checks where verdict = 'mismatch'"))
    db_path = str(tmp_path / "corpus.db")
    assert main(["review", str(chk["id"]), "--verdict", "false-alarm", "--note", "đã đối chiếu",
                 "--db", db_path]) == 0
    conn = sqlite3.connect(db_path)
    flags = document_page(conn, chk["document_id"])["flags"]
    assert [(f["review_vi"], f["review_note"]) for f in flags] == [("báo nhầm", "đã đối chiếu")]
