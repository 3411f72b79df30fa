"""Hostile input (issue 12): nothing outside the corpus is lost, leaked or hangs the batch.

Each case: the batch finishes, the exit code, the failed row's reason, nothing else in the
database changed, nothing outside the given folder read."""
from __future__ import annotations

import os
import sqlite3

import pytest

from pipeline import cli
from tests.test_ingest import GOOD_REPORT


def _good_folder(tmp_path, name="in"):
    folder = tmp_path / name
    folder.mkdir()
    (folder / "bc.txt").write_text(GOOD_REPORT, encoding="utf-8")
    return folder


def _rows(db_path, sql):
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


# -- 1. --db of another application, or of a newer schema ---------------------------------

def test_db_of_another_application_is_refused_untouched(tmp_path, capsys):
    other = tmp_path / "app.db"
    conn = sqlite3.connect(other)
    conn.execute("create table customers (id integer primary key, name text)")
    conn.execute("create table documents (id integer primary key, body text)")
    conn.execute("insert into customers values (1, 'An')")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    folder = _good_folder(tmp_path)
    assert cli.main(["ingest", str(folder), "--db", str(other), "-q"]) == 1
    err = capsys.readouterr().err
    assert "not a baocao corpus" in err and "Traceback" not in err
    assert other.read_bytes() == before
    assert _rows(other, "select * from customers") == [(1, "An")]


def test_db_of_a_newer_schema_is_refused_untouched(tmp_path, capsys, ingest_into):
    from schemas.tables import SCHEMA_VERSION

    folder = _good_folder(tmp_path)
    ingest_into(folder)
    db_path = tmp_path / "corpus.db"
    conn = sqlite3.connect(db_path)
    conn.execute(f"pragma user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    (folder / "moi.txt").write_text(GOOD_REPORT.replace("xã", "huyện"), encoding="utf-8")
    assert cli.main(["ingest", str(folder), "--db", str(db_path), "-q"]) == 1
    assert "newer baocao" in capsys.readouterr().err
    assert _rows(db_path, "select count(*) from documents") == [(1,)]
    assert _rows(db_path, "select count(*) from blocks")[0][0] > 0


def test_own_database_carries_application_id_and_old_corpus_is_adopted(tmp_path, ingest_into):
    from pipeline import store

    folder = _good_folder(tmp_path)
    ingest_into(folder)
    db_path = tmp_path / "corpus.db"
    assert _rows(db_path, "pragma application_id") == [(store.APPLICATION_ID,)]
    # a corpus written before application_id existed (only our tables) is still ours
    conn = sqlite3.connect(db_path)
    conn.execute("pragma application_id = 0")
    conn.commit()
    conn.close()
    summary, db = ingest_into(folder)
    assert [o.status for o in summary.outcomes] == ["unchanged"]
    assert _rows(db_path, "pragma application_id") == [(store.APPLICATION_ID,)]


def test_not_a_database_file_is_a_message(tmp_path, capsys):
    bogus = tmp_path / "notes.db"
    bogus.write_text("ghi chú, không phải SQLite\n" * 200, encoding="utf-8")
    before = bogus.read_bytes()
    folder = _good_folder(tmp_path)
    assert cli.main(["ingest", str(folder), "--db", str(bogus), "-q"]) == 1
    assert "not a baocao corpus" in capsys.readouterr().err
    assert bogus.read_bytes() == before


# -- 2. an output path that is the database or an input ----------------------------------

def test_output_never_overwrites_the_database_or_an_input(tmp_path, capsys, ingest_into):
    folder = _good_folder(tmp_path)
    ingest_into(folder)
    db_path = str(tmp_path / "corpus.db")
    before = _rows(db_path, "select id, sha256, text from documents")
    size = os.path.getsize(db_path)
    link = tmp_path / "link-to-db.html"
    os.symlink(db_path, link)
    for target in (db_path, db_path + "-wal", str(link)):
        code = cli.main(["audit", "--db", db_path, "--format", "html", "--output", target])
        assert code == 1, target
        assert "refusing to write output" in capsys.readouterr().err
    assert os.path.getsize(db_path) == size
    assert _rows(db_path, "select id, sha256, text from documents") == before
    report = str(folder / "bc.txt")
    assert cli.main(["show", "bc.txt", "--db", db_path, "--html", "--output", report]) == 1
    assert "an input file" in capsys.readouterr().err
    assert (folder / "bc.txt").read_text(encoding="utf-8") == GOOD_REPORT
    # a normal output is written whole, through a temporary file that does not linger
    out = tmp_path / "out" / "audit.html"
    out.parent.mkdir()
    assert cli.main(["audit", "--db", db_path, "--format", "html", "--output", str(out)]) == 0
    assert out.read_text(encoding="utf-8").lstrip().startswith("<!DOCTYPE html")
    assert os.listdir(out.parent) == ["audit.html"]
