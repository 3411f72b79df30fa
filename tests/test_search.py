"""Search works with and without diacritics, and đ folds to d."""
from __future__ import annotations

import pytest

from pipeline import cli
from pipeline.store.search import build_match, search

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
    assert cli.main(argv + ["--db", str(tmp_path / "corpus.db")]) == 3
    captured = capsys.readouterr()
    assert captured.err.strip() == "baocao: no document matches 'khong-co'" and not captured.out


# -- storage: the folded text is indexed, not stored ----------------------------------

def _all_values(conn):
    for (name,) in conn.execute("select name from sqlite_master where type = 'table'").fetchall():
        for row in conn.execute(f"select * from [{name}]"):
            for value in row:
                yield name, value


def test_folded_text_is_not_stored(db):
    """Only documents.text holds the text: no table (search_fts' shadow tables included)
    keeps a folded copy of a block; the index holds tokens only."""
    folded = "ket qua kiem soat thu tuc hanh chinh nam 2024"
    holders = {name for name, value in _all_values(db.conn)
               if (isinstance(value, str) and folded in value)
               or (isinstance(value, bytes) and folded.encode() in value)}
    assert holders == set()
    assert "folded" not in db["search_blocks"].columns_dict
    assert not db["search_fts_content"].exists()
    assert search(db.conn, "ket qua kiem soat")[0]["match"] == "Kết quả kiểm soát"


def _fts_rowids(conn, match):
    return [r[0] for r in conn.execute("select rowid from search_fts where search_fts match ?", [match])]


def test_deleting_a_document_removes_its_index_rows(tmp_path, ingest_into):
    from pipeline.store import db as store

    path = tmp_path / "bc.txt"
    path.write_text(REPORT, encoding="utf-8")
    _, db = ingest_into(path)
    assert _fts_rowids(db.conn, '"dang uy"')
    doc_id = next(db["documents"].rows)["id"]
    db.execute("BEGIN IMMEDIATE")
    store.delete_document(db, doc_id)
    db.execute("COMMIT")
    assert _fts_rowids(db.conn, '"dang uy"') == []  # the contentless index itself, not just the join
    assert db.execute("select count(*) from search_blocks").fetchone()[0] == 0
    assert db.execute("select count(*) from search_fts_docsize").fetchone()[0] == 0


def test_rows_of_a_document_gone_by_other_means_are_rebuilt(tmp_path, ingest_into):
    """Documents dropped without store.delete_document (the indexed text is gone): the
    finalizer starts the index again rather than leave rows it cannot delete."""
    from pipeline.store.search import finalize

    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "b.txt").write_text("Đảng ủy phường họp ngày 02/01/2025.\n", encoding="utf-8")
    _, db = ingest_into(tmp_path / "a.txt", tmp_path / "b.txt")
    a = db.execute("select id from documents where path like '%a.txt'").fetchone()[0]
    for table in ("blocks", "documents"):
        db.execute(f"delete from {table} where {'document_id' if table == 'blocks' else 'id'} = ?", [a])
    finalize(db.conn)
    assert len(_fts_rowids(db.conn, '"dang uy"')) == 1
    assert [h["match"] for h in search(db.conn, "dang uy phuong")] == ["Đảng ủy phường"]
    assert db.execute("select count(*) from search_blocks").fetchone()[0] == db["blocks"].count


def test_an_index_of_the_earlier_layout_is_rebuilt(db, tmp_path):
    """Earlier databases stored the folded text in search_blocks and in FTS content:
    queries still work on them as they are, and the finalizer rebuilds them."""
    from pipeline.text.normalize import fold
    from pipeline.store.search import finalize

    db.execute("drop table search_fts")
    db.execute("drop table search_blocks")
    db.execute("create table search_blocks (block_id integer primary key, document_id integer,"
               " start integer, end integer, folded text)")
    db.execute("create virtual table search_fts using fts5(folded, content='search_blocks',"
               " content_rowid='block_id', tokenize='unicode61 remove_diacritics 0')")
    text = next(db["documents"].rows)["text"]
    for b in db["blocks"].rows:
        db.execute("insert into search_blocks values (?, ?, ?, ?, ?)",
                   [b["id"], b["document_id"], b["start"], b["end"], fold(text)[b["start"]:b["end"]]])
    db.execute("insert into search_fts(search_fts) values('rebuild')")
    assert search(db.conn, "dang uy")[0]["match"] == "Đảng ủy"  # old layout, read as it is
    finalize(db.conn)
    assert "folded" not in db["search_blocks"].columns_dict
    assert not db["search_fts_content"].exists()
    assert search(db.conn, "dang uy")[0]["match"] == "Đảng ủy"
    assert db.execute("select count(*) from search_blocks").fetchone()[0] == db["blocks"].count


# -- query semantics (issue 10) -------------------------------------------------------

def test_quoted_words_are_a_phrase(db):
    assert search(db.conn, '"nghị định 63"') == []  # the text says "Nghị định số 63"
    assert search(db.conn, '"nghi dinh so 63"')[0]["match"] == "Nghị định số 63"
    assert search(db.conn, "nghị định 63")[0]["match"] == "Nghị định số 63"
    assert search(db.conn, '"kiem soat" 2024')[0]["match"].startswith("kiểm soát")
    assert search(db.conn, '"kiem soat" 2099') == []


def test_words_without_quotes_are_anded_in_any_order(db):
    assert search(db.conn, "huyen UBND")  # "Ủy ban nhân dân huyện", abbreviation second
    assert search(db.conn, "ke hoach nghi dinh")[0]["document_id"]
    assert search(db.conn, "ke hoach dang uy") == []  # not in one block
    assert search(db.conn, "dang uy 99") == []


def test_decomposed_query_gives_the_same_rows(db):
    import unicodedata

    for query in ("Nghị định 63", "Đảng ủy", '"hóa đơn điện tử"'):
        decomposed = unicodedata.normalize("NFD", query)
        assert decomposed != query
        assert search(db.conn, decomposed) == search(db.conn, query) != []


def test_results_say_when_cut_at_the_limit(db, tmp_path, capsys):
    assert len(search(db.conn, "thu tuc", limit=50)) == 3
    assert search(db.conn, "thu tuc", limit=50).more is False
    assert search(db.conn, "thu tuc", limit=3).more is False
    cut = search(db.conn, "thu tuc", limit=2)
    assert len(cut) == 2 and cut.more is True
    assert cli.main(["search", "thu tuc", "--limit", "2", "--db", str(tmp_path / "corpus.db")]) == 0
    assert "first 2 of more" in capsys.readouterr().out
    from pipeline.web.pages import search_page

    assert search_page(db.conn, "thu tuc", limit=3)["cut"] is False
    assert search_page(db.conn, "thu tuc", limit=2)["cut"] is True


def test_search_on_a_read_only_database(db, tmp_path):
    import sqlite3

    path = tmp_path / "corpus.db"
    expected = search(db.conn, "nghi dinh 63")
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    ro = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    assert search(ro, "nghi dinh 63") == expected != []
    ro.close()
    # a database not yet indexed: no hits, and nothing is created
    bare = tmp_path / "bare.db"
    conn = sqlite3.connect(bare)
    conn.execute("create table documents (id integer primary key, path text, text text)")
    conn.commit()
    conn.close()
    ro = sqlite3.connect(f"file:{bare}?mode=ro&immutable=1", uri=True)
    assert search(ro, "dang uy") == []


def test_fold_keeps_every_code_point_one_char():
    """What lets the index hold only tokens: offsets in fold(text) are offsets in text."""
    import sys

    from pipeline.text.normalize import fold

    chars = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    assert len(fold(chars)) == len(chars)
    assert all(len(fold(ch)) == 1 for ch in "ĐđİẞŉǰΣ")


def test_index_is_smaller_than_the_text(tmp_path, ingest_into):
    """Search tables (FTS shadow tables included) on 300 varied copies of the report:
    1.06 x the bytes of documents.text, 1.97 x when the folded text was stored twice."""
    text = "\n".join(REPORT.replace("45 thủ tục", f"{i} thủ tục").replace("2024", str(1900 + i))
                     for i in range(300))
    (tmp_path / "big.txt").write_text(text, encoding="utf-8")
    _, db = ingest_into(tmp_path / "big.txt")
    index = db.execute("select sum(pgsize) from dbstat where name like 'search%'").fetchone()[0]
    stored = db.execute("select sum(length(cast(text as blob))) from documents").fetchone()[0]
    assert index < 1.4 * stored
