"""Issue 13: chart residue and glued footnote markers (pipeline/text/builder.py)."""
from __future__ import annotations

import pytest

from pipeline.text.builder import DocumentBuilder, is_chart_residue


@pytest.mark.parametrize("text", ["45,2 61,3 70,8 85,0", "2021 2022 2023 2024", "0 20 40 60 80 100 %",
                                  "78,3 81,2 Năm 86,0 90,4 92,1 95,6"])
def test_numbers_without_words_are_chart_residue(text):
    assert is_chart_residue(text)


@pytest.mark.parametrize("text", ["Tỷ lệ đạt 45,2%, tăng 3,1%.", "1. Kết quả", "Năm 2024", "III. KIẾN NGHỊ"])
def test_prose_is_not_chart_residue(text):
    assert not is_chart_residue(text)


def _doc():
    b = DocumentBuilder("x.txt", "txt")
    b.add_block("paragraph", "Tỷ lệ hồ sơ trực tuyến của các xã tăng đều qua các năm.")
    b.add_block("paragraph", "45,2 61,3 70,8 85,0")
    b.add_block("paragraph", "Chỉ số hài lòng của tỉnh đạt 8 điểm11 trên thang 10 điểm.")
    b.add_footnote(11, "Theo kết quả khảo sát năm 2025 của Sở Nội vụ.")
    return b.build()


def test_chart_block_kind():
    doc = _doc()
    assert [b.kind for b in doc.blocks] == ["paragraph", "chart", "paragraph", "footnote"]


def test_glued_marker_links_its_footnote():
    doc = _doc()
    fn = doc.footnotes[0]
    assert doc.text[fn.anchor_start:fn.anchor_end] == "11"
    assert doc.text[fn.anchor_start - 4:fn.anchor_start] == "điểm"
    assert not doc.warnings


def test_no_stage_reads_a_chart(tmp_path):
    import sqlite3

    from pipeline.ingest import ingest
    p = tmp_path / "bc.txt"
    p.write_text("ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG\n\nBÁO CÁO\n\nKết quả cải cách hành chính năm 2025\n\n"
                 "I. KẾT QUẢ\n\nTỷ lệ hồ sơ trực tuyến của các xã tăng đều qua các năm và đạt 85,0% "
                 "trong năm 2025.\n\n45,2 61,3 70,8 85,0\n\n2022 2023 2024 2025\n", encoding="utf-8")
    db_path = tmp_path / "db.sqlite"
    ingest([p], db_path)
    db = sqlite3.connect(db_path)
    text = db.execute("select text from documents").fetchone()[0]
    charts = db.execute("select start, end from blocks where kind = 'chart'").fetchall()
    # The text export may join the two lines of ticks into one paragraph: one chart block.
    assert " ".join(text[s:e] for s, e in charts) == "45,2 61,3 70,8 85,0 2022 2023 2024 2025"
    for table in ("figures", "dates", "findings"):
        for (s,) in db.execute(f"select start from {table}"):
            assert not any(a <= s < b for a, b in charts), table
    assert db.execute("select count(*) from findings").fetchone()[0] == 1
