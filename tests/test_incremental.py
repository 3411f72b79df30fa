"""Corpus-wide steps run per batch on what the batch changed (stages.FINALIZERS with the
pending document ids): after any sequence of batches the derived tables equal those of
one batch of the same files (ids aside: compared by document path and offsets)."""
from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from pipeline.analysis import citation_graph as citations
from pipeline.ingest import ingest

DATA = Path(__file__).parent / "data" / "incremental"


def _dump(db_path: Path) -> dict:
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    path = {r["id"]: Path(r["path"]).name for r in conn.execute("select id, path from documents")}
    cited = {r["id"]: r["key"] for r in conn.execute("select id, key from cited_documents")}
    span = {r["id"]: (path[r["document_id"]], r["start"], r["end"])
            for r in conn.execute("select id, document_id, start, [end] from citations")}
    out = {}
    key_of = {r["id"]: cited.get(r["cited_document_id"])
              for r in conn.execute("select id, cited_document_id from citations")}
    doc_of = {r["id"]: r["document_id"] for r in conn.execute("select id, document_id from citations")}

    def resolved(r):
        """The row a mention resolves to; in another document, the first full mention of
        the corpus, which depends on ingest order: compared by what it cites."""
        ref = r["resolves_to"]
        if ref is None or doc_of.get(ref) == r["document_id"]:
            return span.get(ref)
        return key_of.get(ref)
    out["citations"] = sorted(
        (path[r["document_id"]], r["start"], r["end"], r["form"], r["kind"], r["surface"],
         cited.get(r["cited_document_id"]), path.get(r["target_document_id"]),
         resolved(r), r["ambiguous"], path.get(r["basis_document_id"]),
         r["basis_start"], r["basis_end"])
        for r in conn.execute("select * from citations"))
    # issuer and subject are the first mention's (by id, so by ingest order): not compared
    out["cited_documents"] = sorted(
        (r["key"], r["canonical"], r["issued_date"], r["name"], r["aliases"], r["mentions"],
         r["citing_documents"], path.get(r["target_document_id"]), r["conflict"],
         r["doc_type"], r["kind"], r["number"], r["year"])
        for r in conn.execute("select * from cited_documents"))
    # which of two documents is the base depends on their ids (ingest order): compared as pairs
    figure = {r["id"]: (path[r["document_id"]], r["start"], r["end"], r["value"])
              for r in conn.execute("select id, document_id, start, [end], value from figures")}
    out["checks"] = sorted(tuple(sorted(figure[i] for i in json.loads(r["figure_ids"])))
                           for r in conn.execute("select * from checks where kind = 'cross_document'"))
    out["search"] = sorted((path[r["document_id"]], r["start"], r["end"])
                           for r in conn.execute("select * from search_blocks"))
    out["search_hits"] = sorted(
        path[r[0]] for r in conn.execute(
            "select s.document_id from search_fts f join search_blocks s on s.block_id = f.rowid"
            " where search_fts match 'quyet dinh'"))
    out["pending"] = conn.execute("select count(*) from pending_finalizers").fetchone()[0]
    conn.close()
    return out


def _run(tmp: Path, name: str, batches: list[list[tuple[str, str]]]) -> tuple[dict, list[str]]:
    """batches of (file name in the corpus folder, fixture it holds)."""
    folder, db = tmp / name, tmp / f"{name}.db"
    folder.mkdir()
    paths = []
    for batch in batches:
        written = []
        for target, source in batch:
            shutil.copyfile(DATA / source, folder / target)
            written.append(folder / target)
        ingest(written, db)
        paths.append(citations.LAST_RUN["path"])
    return _dump(db), paths


FINAL = [("a.txt", "a2.txt"), ("b.txt", "b.txt"), ("c.txt", "c.txt"), ("d.txt", "d.txt"),
         ("e.txt", "e.txt")]


@pytest.mark.parametrize("order", [
    # the cited decision (b) after the report citing it (a), the undated mention (c)
    # before the dated one, a conflicting date (d), then a replaced file (a → a2)
    [["a"], ["c"], ["b"], ["d", "e"], ["a2"]],
    [["e"], ["c", "b"], ["a"], ["d"], ["a2"]],
    [["b"], ["a"], ["e"], ["c"], ["d"], ["a2"]],
    [["b", "d", "e"], ["a"], ["c"], ["a2"]],
])
def test_batches_equal_one_batch(tmp_path, order):
    whole, _ = _run(tmp_path, "whole", [FINAL])
    steps = [[("a.txt" if n in ("a", "a2") else f"{n}.txt", f"{n}.txt") for n in batch] for batch in order]
    parts, paths = _run(tmp_path, "parts", steps)
    assert parts == whole
    assert whole["cited_documents"] and whole["checks"] and whole["search_hits"]
    assert whole["pending"] == 0
    # the incremental path was taken (d: a law by name, e: an alias, a2: a replaced file
    # go through a rebuild)
    assert "batch" in paths


def test_a_new_document_is_linked_from_earlier_citations(tmp_path):
    dump, paths = _run(tmp_path, "link", [[("a.txt", "a.txt")], [("b.txt", "b.txt")]])
    assert paths[1] == "batch"
    linked = [c for c in dump["citations"] if c[0] == "a.txt" and "12/QĐ-UBND" in c[5]]
    assert linked and all(c[7] == "b.txt" for c in linked)


def test_query_commands_start_without_pandas(tmp_path):
    """cited-by, status and search (table and CSV) import neither pandas nor sqlite_utils
    (which imports pandas): start-up stays ~0.1 s of CPU."""
    import subprocess
    import sys

    folder = tmp_path / "c"
    folder.mkdir()
    shutil.copyfile(DATA / "b.txt", folder / "b.txt")
    db = tmp_path / "q.db"
    ingest([folder], db)
    code = ("import sys; from pipeline import cli\n"
            f"for argv in (['cited-by', '61/2018'], ['status', 'qđ 12'], ['search', 'quyet dinh'],"
            " ['search', 'quyet dinh', '--format', 'csv']):\n"
            f"    cli.main(argv + ['--db', {str(db)!r}])\n"
            "print(sorted(m for m in ('pandas', 'sqlite_utils') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).parents[1], check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_the_sqlite_store_provides_the_store_interface():
    import pipeline.store.db as sqlite_store
    from pipeline.store.interface import Store, satisfied_by

    assert satisfied_by(sqlite_store) == []
    assert isinstance(sqlite_store, Store)
    assert satisfied_by(object()) != []


def test_a_killed_batch_is_finished_with_its_documents(tmp_path, monkeypatch):
    """The finalizers killed after a batch's documents were written: the pending work
    names those documents, and the next batch resolves them with its own."""
    from pipeline.store.db import open_db, pending_scope

    folder, db = tmp_path / "k", tmp_path / "k.db"
    folder.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        shutil.copyfile(DATA / name, tmp_path / name)
    shutil.copyfile(tmp_path / "a.txt", folder / "a.txt")
    ingest([folder / "a.txt"], db)
    real = citations.finalize

    def killed(conn, document_ids=None):
        raise KeyboardInterrupt
    monkeypatch.setattr(citations, "finalize", killed)
    shutil.copyfile(tmp_path / "b.txt", folder / "b.txt")
    with pytest.raises(KeyboardInterrupt):
        ingest([folder / "b.txt"], db)
    conn = open_db(db)
    b_id = conn.execute("select id from documents where path like '%b.txt'").fetchone()[0]
    assert pending_scope(conn, "pipeline.analysis.citation_graph:finalize") == {b_id}
    conn.close()
    monkeypatch.setattr(citations, "finalize", real)
    shutil.copyfile(tmp_path / "c.txt", folder / "c.txt")
    ingest([folder / "c.txt"], db)
    assert citations.LAST_RUN["path"] == "batch"
    whole, _ = _run(tmp_path, "whole", [[("a.txt", "a.txt"), ("b.txt", "b.txt"), ("c.txt", "c.txt")]])
    assert _dump(db) == whole


def test_an_index_killed_while_built_is_built_again(tmp_path, monkeypatch):
    """The cross-document index table is created in the transaction that fills it: a run
    killed half way leaves no empty table that a later batch would take as up to date."""
    from pipeline.analysis import audit
    from pipeline.store.db import open_db

    folder, db = tmp_path / "i", tmp_path / "i.db"
    folder.mkdir()
    shutil.copyfile(DATA / "a.txt", folder / "a.txt")
    ingest([folder / "a.txt"], db)
    conn = open_db(db)
    conn.execute("drop table indicator_keys")  # a database from before the index
    conn.conn.commit()
    conn.close()

    def killed(db, conn, document_ids):
        raise KeyboardInterrupt
    real = audit._finalize
    monkeypatch.setattr(audit, "_finalize", killed)
    shutil.copyfile(DATA / "b.txt", folder / "b.txt")
    with pytest.raises(KeyboardInterrupt):
        ingest([folder / "b.txt"], db)
    conn = open_db(db)
    assert not conn["indicator_keys"].exists()
    conn.close()
    monkeypatch.setattr(audit, "_finalize", real)
    shutil.copyfile(DATA / "c.txt", folder / "c.txt")
    ingest([folder / "c.txt"], db)
    whole = tmp_path / "whole.db"
    ingest([folder / "a.txt", folder / "b.txt", folder / "c.txt"], whole)

    def keys(path):
        c = open_db(path)
        out = sorted((Path(r[0]).name, r[1]) for r in c.execute(
            "select d.path, k.key from indicator_keys k join documents d on d.id = k.document_id"))
        c.close()
        return out
    assert keys(db) == keys(whole) and keys(whole)  # every document indexed again, as in one batch


def test_rows_pending_after_a_run_started_stay_pending(tmp_path):
    from pipeline.store.db import clear_pending, mark_pending, open_db, pending_mark, pending_scope

    conn = open_db(tmp_path / "p.db")
    mark_pending(conn, ["f"], None)
    mark = pending_mark(conn, "f")
    mark_pending(conn, ["f"], [7])  # another process writes document 7 while f runs
    clear_pending(conn, "f", None, upto=mark)
    assert pending_scope(conn, "f") == {7}
