"""The blind audit label sets are well formed, and the scorer reads either folder.

Checks the hand labels themselves (no pipeline code runs on the documents): the format the
scorer relies on, the house rule that a `where` quotes at most six words of the document,
and that the scorer's `labels`/`sets` parameters pick the files they name.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlite_utils
import yaml

from tests.conftest import SHARED_CORPUS
from tests.eval import audit as audit_eval

FOLDERS = [audit_eval.LABELS, audit_eval.LABELS2]
KINDS = {"ratio_percent", "total", "parts", "change", "change_percent", "table_total_row",
         "table_total_col", "table_percent_col", "formula_col", "composite_score", "repeated", "trap"}
VERDICTS = {"consistent", "rounding", "truncation", "mismatch", "not_a_claim"}


def _specs(folder: Path):
    return [(p, yaml.safe_load(p.read_text(encoding="utf-8"))) for p in sorted(folder.glob("*.yaml"))]


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_label_files_follow_the_format(folder):
    ids = set()
    for path, spec in _specs(folder):
        assert spec["file"] and spec["claims"], path.name
        assert spec.get("set", "held-out") in {"held-out", "dev"}, path.name
        for c in spec["claims"]:
            where = f"{path.name}:{c.get('id')}"
            assert c["id"] not in ids, f"duplicate id {where}"
            ids.add(c["id"])
            assert c["kind"] in KINDS, where
            assert c["verdict"] in VERDICTS, where
            assert (c["kind"] == "trap") == (c["verdict"] == "not_a_claim"), where
            assert c.get("where") and c.get("relation") and c.get("values"), where
            if c["verdict"] in {"mismatch", "not_a_claim"}:
                assert c.get("note"), f"a mismatch or trap needs a note: {where}"


def test_second_set_quotes_at_most_six_words():
    for path, spec in _specs(audit_eval.LABELS2):
        for c in spec["claims"]:
            for quoted in re.findall(r"'([^']+)'", c["where"]):
                assert len(quoted.split()) <= 6, f"{path.name}:{c['id']} quotes {len(quoted.split())} words"


def test_second_set_marks_the_dev_documents():
    sets = {spec["file"]: spec.get("set") for _p, spec in _specs(audit_eval.LABELS2)}
    assert all(s == "dev" for f, s in sets.items() if f.startswith("corpus/"))
    assert all(s == "held-out" for f, s in sets.items() if f.startswith("real/"))
    first = {spec["file"] for _p, spec in _specs(audit_eval.LABELS)}
    assert not first & set(sets), "a document is labelled in both blind sets"


@pytest.mark.real
def test_every_labelled_file_exists():
    shared = SHARED_CORPUS.parent
    for folder in FOLDERS:
        for path, spec in _specs(folder):
            assert (shared / spec["file"]).is_file(), f"{path.name}: {spec['file']}"


def _db_with(tmp_path, path: Path, checks: list[dict]):
    db = sqlite_utils.Database(tmp_path / "t.db")
    db["documents"].insert({"id": 1, "path": str(path)}, pk="id")
    db["figures"].create({"id": int, "value": float, "surface": str, "numerator": float,
                          "denominator": float}, pk="id")
    db["checks"].insert_all(
        [{"id": i, "document_id": 1, "kind": "ratio_percent", "stated": None, "computed": None,
          "figure_ids": "[]", "basis": "", **c} for i, c in enumerate(checks, 1)], pk="id")
    return db


def test_scorer_reads_the_folder_and_sets_it_is_given(tmp_path):
    # a synthetic document path and label folder: one planted slip, one trap
    labels = tmp_path / "labels"
    labels.mkdir()
    (labels / "a.yaml").write_text(yaml.safe_dump({"file": "real/x/a.txt", "claims": [
        {"id": "a-1", "kind": "ratio_percent", "where": "p.1", "values": ["43/80", "35,2%"],
         "relation": "43/80*100 = 53.75", "verdict": "mismatch", "note": "planted"},
        {"id": "a-2", "kind": "trap", "where": "p.1", "values": ["2025", "70%"],
         "relation": "none", "verdict": "not_a_claim", "note": "target"}]}, allow_unicode=True),
        encoding="utf-8")
    shared = tmp_path / "shared"
    db = _db_with(tmp_path, shared / "real/x/a.txt",
                  [{"verdict": "mismatch", "message": "43/80 = 53,75 %, văn bản ghi 35,2 %"}])
    s = audit_eval.score(db, shared, labels=labels)
    assert (s["mismatch_labels"], s["mismatch_found"], s["flags_true"], s["traps"]) == (1, 1, 1, 1)
    # the file has no `set:` key, so it is held-out: a dev-only run leaves it out
    s = audit_eval.score(db, shared, labels=labels, sets=("dev",))
    assert s["mismatch_labels"] == 0 and s["traps"] == 0
