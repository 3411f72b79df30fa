"""`baocao status`: a document's force as the corpus tells it (three decisions/reports
written for this test: one amends, one replaces, one cites as basis and implements)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli


DATA = Path(__file__).resolve().parent / "data" / "status"


run = run_cli  # (tests/conftest.py)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    from pipeline.ingest import ingest
    path = tmp_path_factory.mktemp("status") / "corpus.db"
    assert not ingest([str(DATA)], path).failed
    return str(path)


@pytest.mark.parametrize("query", ["qđ 12/2015", "12/2015/QĐ-UBND", "Quyết định số 12/2015/QĐ-UBND"])
def test_replaced_document_state_and_edges(db, query):
    code, out = run("status", query, "--db", db, "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert {r["cited"] for r in rows} == {"12/2015/QĐ-UBND"}
    assert rows[0]["state"] == "bị thay thế bởi 31/2019/QĐ-UBND từ ngày 15/10/2019"
    rels = {(r["by"], r["relation"]) for r in rows}
    assert ("31/2019/QĐ-UBND", "replaces") in rels
    # "sửa đổi … Quy chế ban hành kèm theo Quyết định số 12/2015": amends the decision
    assert ("20/2016/QĐ-UBND", "amends") in rels
    # căn cứ (legal basis) kept apart from implementation and mere reference
    assert ("05/BC-UBND", "based_on") in rels and ("05/BC-UBND", "implements") in rels
    # strongest effect first
    assert rows[0]["relation"] == "replaces"


def test_amended_only_and_nothing_known(db):
    code, out = run("status", "nd 61/2018", "--db", db, "--format", "json")
    rows = json.loads(out)
    assert code == 0 and rows[0]["state"].startswith("không thấy văn bản nào")
    assert [r["relation"] for r in rows] == ["based_on"]


def test_no_match_exit_1(db):
    code, out = run("status", "qđ 999/2001", "--db", db)
    assert code == 1 and "no citation matches" in out


def test_table_view_states_basis_and_reference(db):
    code, out = run("status", "12/2015/QĐ-UBND", "--db", db)
    assert code == 0
    assert "bị thay thế bởi 31/2019/QĐ-UBND" in " ".join(out.split())
    assert "văn bản căn cứ" in out and "dẫn chiếu" in out


def test_version(capsys):
    from pipeline.cli import main
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out.startswith("baocao ")
