"""Corpus-wide steps under a low limit on SQL host parameters: a stock SQLite allows
32,766 `?` per statement (999 before 3.32), and a long `in (…)` list of ids or keys must
not depend on it (pipeline/store/db.py `in_list`)."""
from __future__ import annotations

import sqlite3
import sys

import pytest

from pipeline.store import db as store

pytestmark = pytest.mark.skipif(sys.version_info < (3, 11), reason="Connection.setlimit: Python 3.11")

LIMIT = 99
TABLES = ("citations", "cited_documents", "cited_keys", "corpus_symbols", "checks", "indicator_keys",
          "search_blocks", "figures")


def _report(i: int, n_cites: int = 12) -> str:
    """A short district report citing n_cites decisions no other report cites (so the
    batch holds more distinct cited documents than the limit) and stating one indicator
    every report states (cross-document comparisons)."""
    lines = [f"ỦY BAN NHÂN DÂN HUYỆN MƯỜNG {i % 3 + 1}", f"Số: {i + 1}/BC-UBND",
             f"ngày {i % 27 + 1} tháng {i % 12 + 1} năm 2024", "BÁO CÁO",
             "Kết quả cải cách hành chính năm 2024"]
    for j in range(n_cites):
        k = i * n_cites + j
        lines.append(f"{j + 1}. Thực hiện Quyết định số {k + 100}/QĐ-UBND ngày {j % 28 + 1}/{k % 12 + 1}/2023 "
                     f"của Ủy ban nhân dân tỉnh, các phòng đã rà soát {20 + j} hồ sơ.")
    lines.append(f"Tỷ lệ hồ sơ giải quyết đúng hạn năm 2024 đạt {90 + i % 7}%.")
    return "\n\n".join(lines) + "\n"


def _limited_open_db(monkeypatch):
    real = store.open_db

    def open_db(path):
        db = real(path)
        db.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, LIMIT)
        return db
    monkeypatch.setattr(store, "open_db", open_db)


def _rows(db, check_ids: bool = True) -> dict[str, list[tuple]]:
    """Every row of the finalizers' tables; `check_ids=False`: a check's id left out (a
    rerun gives the cross-document checks new ids: ids are never reused)."""
    out = {t: db.execute(f"select * from [{t}] order by 1, 2").fetchall() for t in TABLES
           if db[t].exists()}
    if not check_ids:
        out["checks"] = sorted(r[1:] for r in out["checks"])
    return out


def test_in_list_inline_or_temporary_table():
    conn = sqlite3.connect(":memory:")
    conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, LIMIT)
    conn.execute("create table t (id integer primary key)")
    conn.executemany("insert into t values (?)", [(i,) for i in range(1000)])
    sql, params = store.in_list(conn, [3, 5])
    assert params == [3, 5]
    assert conn.execute(f"select id from t where id in ({sql})", params).fetchall() == [(3,), (5,)]
    many = list(range(0, 1000, 3))  # 334 values, over the limit
    sql, params = store.in_list(conn, many)
    assert params == []
    assert [r[0] for r in conn.execute(f"select id from t where id in ({sql}) order by id", params)] == many
    store.drop_in_lists(conn)
    assert not conn.execute("select name from sqlite_temp_master where type = 'table'").fetchall()


def test_finalizers_over_more_keys_than_the_limit(tmp_path, monkeypatch, ingest_into):
    """A second batch of 9 reports (the first made the finalizers' indexes): 108 new cited
    documents, every finalizer on its batch path with lists longer than the limit; the
    rows equal those of the same two batches without the limit."""
    first, second = tmp_path / "a", tmp_path / "b"
    for folder, numbers in ((first, range(2)), (second, range(2, 11))):
        folder.mkdir()
        for i in numbers:
            (folder / f"bao-cao-{i:02d}.txt").write_text(_report(i), encoding="utf-8")
    dbs = {}
    for name in ("free", "limited"):
        if name == "limited":
            _limited_open_db(monkeypatch)
        for folder in (first, second):
            summary, dbs[name] = ingest_into(folder, db_name=f"{name}.db", jobs=1)
            assert not summary.failed
    limited = dbs["limited"]
    assert limited.execute("select count(*) from cited_documents").fetchone()[0] > LIMIT
    assert _rows(limited) == _rows(dbs["free"])
    assert not limited.execute("select 1 from pending_finalizers").fetchall()


def test_finalizers_given_more_documents_than_the_limit(tmp_path, ingest_into):
    """A scope of more document ids than the limit (documents written, and ids of
    documents since deleted): each finalizer runs, and what it leaves equals a full run."""
    from pipeline.analysis.stages import finalizer_functions

    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(4):
        (folder / f"bao-cao-{i:02d}.txt").write_text(_report(i, n_cites=3), encoding="utf-8")
    _, db = ingest_into(folder, jobs=1)
    before = _rows(db, check_ids=False)
    db.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, LIMIT)
    ids = {r[0] for r in db.execute("select id from documents")} | set(range(1000, 1000 + 3 * LIMIT))
    for _name, fn in finalizer_functions():
        fn(db, ids)
        store.drop_in_lists(db)
    assert _rows(db, check_ids=False) == before
