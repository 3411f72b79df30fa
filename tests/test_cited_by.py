"""`baocao cited-by` (issue 11): filter first, sentences only for the matched rows; the
compact terminal view. Corpora generated or written here."""
from __future__ import annotations

import json
import re

import pytest

from tests.conftest import run_cli
import sqlite_utils

from pipeline.analysis.citations import corpus_sample
from pipeline.commands.citations import _matches, _named_match, cited_by, parse_query


run = run_cli  # (tests/conftest.py)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from pipeline.ingest import ingest
    folder = tmp_path_factory.mktemp("gen")
    (folder / "in").mkdir()
    for name, text in corpus_sample(30):
        (folder / "in" / name).write_text(text, encoding="utf-8")
    path = folder / "corpus.db"
    assert not ingest([folder / "in"], path).failed
    return sqlite_utils.Database(path)


def _brute_force(db, query: str) -> set[int]:
    """Every row, filtered in Python (what cited-by did before): the reference answer."""
    q = parse_query(query)
    named = _named_match(query) if q["canonical"] is None else None
    rows = db.query("select c.*, cd.canonical as cd_canonical, cd.number as cd_number,"
                    " cd.year as cd_year from citations c left join cited_documents cd"
                    " on cd.id = c.cited_document_id where c.form != 'self'")
    return {r["id"] for r in rows if (r["kind"] == "document" and _matches(q, r))
            or (named is not None and named(r))}


def test_sentences_only_for_matched_rows(generated):
    """No statement computes a sentence (substr of documents.text) over rows that were not
    selected by id; the number filter runs in SQL on an index."""
    db = generated
    statements = []
    db.conn.set_trace_callback(statements.append)
    try:
        rows = cited_by(db, "83/2015/QH13")
    finally:
        db.conn.set_trace_callback(None)
    assert rows
    with_text = [s for s in statements if "substr(" in s]
    assert with_text and all(re.search(r"c\.id in \(", s) for s in with_text), with_text
    plan = " ".join(r[3] for r in db.execute(
        "explain query plan select id from citations where number in ('83', '083')").fetchall())
    assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan


@pytest.mark.parametrize("query", ["83/2015/QH13", "qđ 107", "Kế hoạch 115/KH-UBND", "thông tư 38/2024",
                                   "nđ 44/2019"])
def test_filter_first_finds_what_the_full_scan_finds(generated, query):
    found = {r["citation_id"] for r in cited_by(generated, query)}
    expected = _brute_force(generated, query)
    assert expected and expected <= found
    # and nothing that matches neither the symbol nor a document linked to it
    for r in cited_by(generated, query):
        assert r["cited"].split("/")[0].lstrip("0") in query or r["cited_document_id"] is not None


COMPACT = {
    "a.txt": """ỦY BAN NHÂN DÂN HUYỆN MƯỜNG ẢNG

Số: 5/BC-UBND

Mường Ảng, ngày 12 tháng 3 năm 2024

BÁO CÁO
Kết quả kiểm soát thủ tục hành chính

1. Kết quả
Trong năm, các xã đã rà soát, đánh giá và công khai đầy đủ thủ tục hành chính theo đúng trình tự được hướng dẫn tại bảng tổng hợp của phụ lục (xem [mục 2/b]) và thực hiện nghiêm Nghị định số 63/2010/NĐ-CP ngày 08/6/2010 của Chính phủ về kiểm soát thủ tục hành chính, bảo đảm 100% hồ sơ được tiếp nhận và trả kết quả đúng hạn trên toàn địa bàn huyện.
""",
    "b.txt": """ỦY BAN NHÂN DÂN HUYỆN TUẦN GIÁO

Số: 9/BC-UBND

Tuần Giáo, ngày 20 tháng 11 năm 2024

BÁO CÁO
Tình hình cải cách hành chính

Căn cứ Nghị định số 63/2010/NĐ-CP ngày 08/6/2010 của Chính phủ, huyện đã ban hành kế hoạch kiểm soát thủ tục hành chính.
""",
    "c.txt": """ỦY BAN NHÂN DÂN XÃ QUÀI NƯA

Số: 2/BC-UBND

Quài Nưa, ngày 05 tháng 01 năm 2023

BÁO CÁO
Công tác năm 2022

Xã đã thực hiện Nghị định số 63/2010/NĐ-CP ngày 08/6/2010 của Chính phủ.
""",
}


def test_compact_terminal_view(tmp_path, ingest_into):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in COMPACT.items():
        (folder / name).write_text(text, encoding="utf-8")
    summary, db = ingest_into(folder)
    assert not summary.failed
    code, out = run("cited-by", "nđ 63/2010", "--db", str(tmp_path / "corpus.db"))
    lines = out.rstrip("\n").split("\n")
    assert code == 0 and lines[0].startswith("cited by: nđ 63/2010 (3 citations, 3 documents)")
    body = lines[1:]
    assert len(body) == 3  # one line a mention
    # newest citing document first
    assert [ln[:10] for ln in body] == ["2024-11-20", "2024-03-12", "2023-01-05"]
    assert "9/BC-UBND" in body[0] and "căn cứ" in body[0] and "triển khai" in body[1]
    # the long sentence trimmed around the mention, document text not read as markup
    assert "Nghị định số 63/2010/NĐ-CP" in body[1] and "[mục 2/b]" in body[1]
    assert "…" in body[1] and "Trong năm, các xã" not in body[1]
    assert "§1" in body[1]
    # csv/json keep their columns (added ones after)
    code, out = run("cited-by", "nđ 63/2010", "--db", str(tmp_path / "corpus.db"), "--format", "json")
    rows = json.loads(out)
    assert list(rows[0])[:11] == ["document_id", "document", "document_date", "page", "section",
                                  "footnote", "cited", "cited_date", "conflict", "relation", "sentence"]
    assert "[mục 2/b]" in rows[1]["sentence"]
