"""`python -m tests.eval DB`: every label set scored for every measure (tests/eval/__main__.py).

The label sets here are written for the test, on the sample corpus (corpus/, written for
this project), in the folder layout of tests/data: the driver must find them by their
folder names, give each its status, report what the scorers report, and `--rerun` must
reproduce, from the stored text alone, the figures of a database the same code ingested."""
from __future__ import annotations

import io
import json
import shutil
from contextlib import redirect_stdout
from pathlib import Path

import pytest
import yaml

from tests.conftest import SAMPLE_CORPUS, SHARED_REAL
from tests.eval import MEASURES, label_sets
from tests.eval import __main__ as cli
from tests.eval import findings as findings_eval

CONG_VAN = "x/cong-van-1468-2024.txt"
KE_HOACH = "x/ke-hoach-24-2024.md"


def _run(*argv) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = cli.main([str(a) for a in argv])
    return code, out.getvalue()


def _dump(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _findings(where_category_addressee, traps=()) -> dict:
    return {"findings": [{"file": CONG_VAN, "where": w, "is_finding": True, "category": c, "addressee": a}
                         for w, c, a in where_category_addressee]
            + [{"file": CONG_VAN, "where": w, "is_finding": False, "why": "lead-in formula"} for w in traps]}


def _labels(root: Path) -> None:
    """Label sets on the sample công văn in tests/data's layout (two findings sets, numbered
    2 and 10 to check their order; an audit folder of two parts, dev and held-out)."""
    _dump(root / "findings_blind2" / "findings.yaml", _findings(
        [("1: Phòng Tài nguyên và Môi trường rà soát", "direction", "Phòng Tài nguyên và Môi trường"),
         ("4: UBND các xã, thị trấn tiếp tục", "direction", "UBND các xã, thị trấn")],
        traps=["intro: Để khắc phục những tồn tại, hạn"]))
    _dump(root / "findings_blind10" / "findings.yaml", _findings(
        [("3: Phòng Văn hóa và Thông tin phối hợp", "direction", "Phòng Văn hóa và Thông tin")]))
    _dump(root / "findings_blind2" / "places.yaml", {
        "places": [{"file": CONG_VAN, "surface": "Vũ Quang", "where": "place-date: Vũ Quang, ngày 20 tháng",
                    "canonical": "Huyện Vũ Quang, tỉnh Hà Tĩnh"}],
        "not_places": [{"file": CONG_VAN, "surface": "Một cửa"}]})
    _dump(root / "metadata_blind" / "labels.yaml", [{
        "file": f"real/{CONG_VAN}", "number_symbol": "1468/UBND-NV", "issued_date": "2024-12-20",
        "issued_place": "Vũ Quang", "issuer": "UBND huyện Vũ Quang", "issuer_printed": "HUYỆN VŨ QUANG",
        "issuer_parent": "ỦY BAN NHÂN DÂN", "doc_type": "công văn",
        "title": "khắc phục tồn tại, hạn chế trong công tác cải cách hành chính năm 2024"}])
    _dump(root / "scans_blind" / "labels.yaml", [{
        "file": f"real/{CONG_VAN}", "number_symbol": "1468/UBND-NV", "number_written": "typed",
        "symbol_suffix": "/UBND-NV", "issued_date": "2024-12-20", "date_written": "typed",
        "issuer": "UBND huyện Vũ Quang", "issuer_printed": "HUYỆN VŨ QUANG", "issuer_written": "typed"}])
    claim = {"id": "c-1", "kind": "ratio_percent", "where": "intro", "values": ["98,56%", "169"],
             "relation": "none", "verdict": "not_a_claim", "note": "a rate and a count, no relation"}
    _dump(root / "audit_blind" / "dev.yaml", {"file": f"real/{CONG_VAN}", "set": "dev", "claims": [claim]})
    _dump(root / "audit_blind" / "held.yaml", {"file": f"real/{KE_HOACH}", "claims": [
        {**claim, "values": ["70%", "80%"]}]})
    (root / "eval_sets.yaml").write_text("findings_blind2: tuned\naudit_blind/dev: tuned\n", encoding="utf-8")


@pytest.fixture(scope="module")
def labelled(tmp_path_factory):
    """(db path, shared, labels): the sample công văn and kế hoạch ingested from a
    ../shared-like folder, and label sets written for them."""
    from pipeline.ingest import ingest

    tmp = tmp_path_factory.mktemp("eval")
    shared, labels = tmp / "shared", tmp / "labels"
    for name in (CONG_VAN, KE_HOACH):
        (shared / "real" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLE_CORPUS / Path(name).name, shared / "real" / name)
    _labels(labels)
    ingest([str(shared / "real")], tmp / "corpus.db", jobs=1)
    return tmp / "corpus.db", shared, labels


def test_sets_are_found_by_folder_name_with_their_status(labelled):
    _db, _shared, labels = labelled
    sets = {m: [(s.name, s.status) for s in label_sets(m, labels)] for m in MEASURES}
    assert sets == {
        "findings": [("findings_blind2", "tuned"), ("findings_blind10", "held-out")],  # natural order
        "places": [("findings_blind2", "tuned")],
        "metadata": [("metadata_blind", "held-out")],  # not listed: held out
        "audit": [("audit_blind/dev", "tuned"), ("audit_blind/held-out", "held-out")],
        "scans": [("scans_blind", "held-out")]}


def test_rows_are_the_scorers_figures_and_rerun_reproduces_them(labelled):
    db, shared, labels = labelled
    code, out = _run(db, "--json", "--shared", shared, "--labels", labels)
    assert code == 0
    rows = json.loads(out)
    assert {r["measure"].split(".")[0] for r in rows} == set(MEASURES)
    by = {(r["set"], r["measure"]): r for r in rows}
    s = findings_eval.score(cli.open_read_only(db), shared, labels=labels / "findings_blind2" / "findings.yaml")
    assert s["findings"] == 2 and s["non_findings"] == 1  # the labels reach the stored document
    assert (by["findings_blind2", "findings.matched"]["right"], by["findings_blind2", "findings.matched"]["n"]) \
        == (s["found"], s["findings"])
    assert (by["findings_blind2", "findings.category"]["right"], by["findings_blind2", "findings.addressee"]["right"]) \
        == (s["category"], s["addressee"])
    assert by["findings_blind10", "findings.matched"]["n"] == 1
    assert by["findings_blind2", "places.linked"]["n"] == 1 and by["findings_blind2", "places.not_places_linked"]["n"] == 1
    assert by["metadata_blind", "metadata.number_symbol"]["n"] == 1
    assert by["metadata_blind", "metadata.wrong_stored"]["n"] == 6
    assert by["audit_blind/dev", "audit.traps_flagged"]["n"] == 1 == by["audit_blind/held-out", "audit.traps_flagged"]["n"]
    assert by["scans_blind", "scans.symbol_suffix.typed"]["n"] == 1
    for r in rows:
        assert r["value"] == (round(r["right"] / r["n"], 3) if r["n"] else None), r
    # the same code on the stored text: the same figures, without extracting anything again
    code, again = _run(db, "--json", "--rerun", "--shared", shared, "--labels", labels)
    assert code == 0 and json.loads(again) == rows


def test_table_only_and_usage(labelled):
    db, shared, labels = labelled
    code, out = _run(db, "--only", "places,audit", "--shared", shared, "--labels", labels)
    head, rule, *body = out.splitlines()
    assert code == 0 and head.split() == ["set", "status", "measure", "value", "right", "n"]
    assert {line.split()[2].split(".")[0] for line in body} == {"places", "audit"}
    assert any(line.split()[:3] == ["findings_blind2", "tuned", "places.linked"] for line in body)
    with pytest.raises(SystemExit) as exc, redirect_stdout(io.StringIO()):
        cli.main([str(db), "--only", "findings,nonsense"])
    assert exc.value.code == 2
    assert _run(db.parent / "missing.db")[0] == 3


def test_the_repository_sets_are_all_scored(labelled):
    """tests/data: every set of every measure gets its rows (on a database that holds none of
    their documents, n is 0 but the rows are there)."""
    db, _shared, _labels = labelled
    code, out = _run(db, "--json")
    rows = json.loads(out)
    names = {(r["set"], r["measure"].split(".")[0], r["status"]) for r in rows}
    for measure in MEASURES:
        sets = label_sets(measure)
        assert sets, measure
        assert {(s.name, measure, s.status) for s in sets} <= names
    assert ("findings_blind3", "findings", "tuned") in names
    assert ("audit_blind2/held-out", "audit", "held-out") in names


@pytest.mark.real
def test_real_document_scored_and_rerun(tmp_path):
    """A real Word document labelled in the second set, ingested alone: its labels are matched and a
    rerun gives the stored figures."""
    from pipeline.ingest import ingest

    ingest([str(SHARED_REAL / "office" / "36-HD_VPTW_380096.docx")], tmp_path / "c.db", jobs=1)
    code, out = _run(tmp_path / "c.db", "--json", "--only", "findings,places")
    rows = {(r["set"], r["measure"]): r for r in json.loads(out)}
    assert code == 0
    assert rows["findings_blind2", "findings.matched"]["n"] > 5
    assert rows["findings_blind2", "findings.matched"]["right"] > 0
    assert rows["findings_blind2", "places.found"]["n"] > 5
    code, again = _run(tmp_path / "c.db", "--json", "--only", "findings,places", "--rerun")
    assert {(r["set"], r["measure"]): r for r in json.loads(again)} == rows


def test_rerun_keeps_no_metadata_the_current_code_does_not_find(ingest_into, tmp_path):
    """A stored value no stage sets any more (an older rule's reading) is not carried into
    the rerun: every metadata column comes from the stages run again, None where none is found."""
    import sqlite3
    from types import SimpleNamespace

    from pipeline.ingest import metadata

    note = tmp_path / "ghi-chu.md"
    note.write_text("Tình hình thực hiện nhiệm vụ trong tháng cơ bản ổn định.\n\n"
                    "Các phòng, ban tiếp tục rà soát hồ sơ tồn đọng, báo cáo kết quả trước ngày 25.\n",
                    encoding="utf-8")
    _summary, db = ingest_into(note)
    columns = list(metadata(SimpleNamespace(meta={})))
    fresh = db.execute(f"select {', '.join(columns)} from documents").fetchone()
    with sqlite3.connect(tmp_path / "corpus.db") as conn:  # an older run's reading of the same text
        conn.execute("update documents set number_symbol = '99/BC-UBND', doc_type = 'báo cáo', "
                     "issuer = 'ỦY BAN NHÂN DÂN TỈNH X', signer = 'Nguyễn Văn A'")
    for only in (["metadata"], list(MEASURES)):
        again = cli.rerun(cli.open_read_only(tmp_path / "corpus.db"), only)
        assert again.execute(f"select {', '.join(columns)} from documents").fetchone() == fresh
    assert {"doc_type", "number_symbol", "issuer", "signer"} <= set(columns)
    assert "text" not in columns and "path" not in columns


def test_rerun_runs_the_stages_up_to_the_last_one_scored(labelled):
    db, _shared, _labels = labelled
    again = cli.rerun(cli.open_read_only(db), ["metadata"])
    assert again["sections"].count and not again["findings"].count
    again = cli.rerun(cli.open_read_only(db), ["places"])
    assert again["entities"].count and not again["findings"].count
