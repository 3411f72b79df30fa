"""Search works with and without diacritics, and đ folds to d."""
from __future__ import annotations

import pytest

from pipeline import cli
from pipeline.search import build_match, search

REPORT = """BÁO CÁO
Kết quả kiểm soát thủ tục hành chính năm 2024

Thực hiện Nghị định số 63/2010/NĐ-CP ngày 08/6/2010 của Chính phủ về kiểm soát thủ tục hành chính, Ủy ban nhân dân huyện đã ban hành kế hoạch.

Đảng ủy xã chỉ đạo rà soát 45 thủ tục. Hoá đơn điện tử được áp dụng.
"""


@pytest.fixture
def db(tmp_path, ingest_into):
    (tmp_path / "bc.txt").write_text(REPORT, encoding="utf-8")
    _, db = ingest_into(tmp_path / "bc.txt")
    return db


@pytest.mark.parametrize("query,expected", [
    ("nghi dinh 63", "Nghị định số 63"),
    ("Nghị định 63", "Nghị định số 63"),
    ("NGHỊ ĐỊNH 63/2010/NĐ-CP", "Nghị định số 63/2010/NĐ-CP"),
    ("63/2010/nd-cp", "63/2010/NĐ-CP"),
    ("dang uy", "Đảng ủy"),
    ("hóa đơn", "Hoá đơn".replace("Hoá", "Hóa")),  # stored text uses new-style tones
    ("hoa don", "Hóa đơn"),
    ("UBND huyen", "Ủy ban nhân dân huyện"),  # abbreviation expanded
])
def test_queries_find_the_span(db, query, expected):
    hits = search(db.conn, query)
    assert hits, query
    assert hits[0]["match"] == expected
    doc = next(db["documents"].rows)
    assert doc["text"][hits[0]["start"]:hits[0]["end"]] == expected


def test_no_false_hit(db):
    assert search(db.conn, "nghi quyet 99") == []


def test_match_expression_is_folded():
    assert '"nghi dinh 63"' in build_match("Nghị  định 63")


def test_reingest_keeps_index_in_step(tmp_path, ingest_into):
    path = tmp_path / "bc.txt"
    path.write_text(REPORT, encoding="utf-8")
    ingest_into(path)
    path.write_text(REPORT.replace("45 thủ tục", "47 thủ tục"), encoding="utf-8")
    _, db = ingest_into(path)
    assert [h["match"] for h in search(db.conn, "47 thu tuc")] == ["47 thủ tục"]
    assert search(db.conn, "45 thu tuc") == []
    assert db.execute("select count(*) from search_blocks").fetchone()[0] == db["blocks"].count


def test_cli_search(db, tmp_path, capsys):
    code = cli.main(["search", "kiem soat thu tuc", "--db", str(tmp_path / "corpus.db"), "--format", "json"])
    assert code == 0
    assert "kiểm soát thủ tục" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["cites", "khong-co"], ["findings", "khong-co"], ["show", "khong-co"],
                                  ["figures", "khong-co"], ["audit", "khong-co"],
                                  ["search", "x", "--doc", "khong-co"]])
def test_unknown_document_is_one_clear_error(db, tmp_path, capsys, argv):
    assert cli.main(argv + ["--db", str(tmp_path / "corpus.db")]) == 1
    captured = capsys.readouterr()
    assert captured.err.strip() == "baocao: no document matches 'khong-co'" and not captured.out
