"""The second blind label set (tests/data/findings_blind2) is well formed for its scorer, and
the scorer (tests/eval/findings.py) reads whichever label file it is given.

No pipeline rule runs on the labelled documents here: the labels stay blind until the
findings and places rules are measured on them."""
from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils
import yaml

from tests.conftest import SHARED_REAL
from tests.eval import findings as scorer
from tests.eval import places as place_scorer

BLIND2 = Path(__file__).parent / "data" / "findings_blind2"


def _labels(name: str) -> dict:
    return yaml.safe_load((BLIND2 / name).read_text(encoding="utf-8"))


def test_scorer_takes_the_label_file_and_resolves_corpus_paths(tmp_path):
    shared = tmp_path / "shared"
    (shared / "real" / "office").mkdir(parents=True)
    (shared / "corpus").mkdir()
    letter, report = shared / "real" / "office" / "cv.doc", shared / "corpus" / "bc.pdf"
    db = sqlite_utils.Database(tmp_path / "t.db")
    db["documents"].insert_all([{"id": 1, "path": str(letter)}, {"id": 2, "path": str(report)}])
    db["findings"].insert_all([
        {"document_id": 1, "text": "Giao Sở Tài chính chủ trì, phối hợp với các đơn vị rà soát.",
         "category": "direction", "addressee": "Sở Tài chính"},
        {"document_id": 1, "text": "Trên đây là ý kiến của Văn phòng, đề nghị quý cơ quan tổng hợp./.",
         "category": "recommendation", "addressee": None},
        {"document_id": 2, "text": "Tỷ lệ hồ sơ giải quyết đúng hạn đạt 98,5 %, tăng so với năm trước.",
         "category": "other", "addressee": None},
    ])
    labels = tmp_path / "labels.yaml"
    labels.write_text(yaml.safe_dump({"findings": [
        {"file": "office/cv.doc", "where": "1: Giao Sở Tài chính chủ trì, phối hợp", "is_finding": True,
         "category": "direction", "addressee": "Sở Tài chính"},
        {"file": "office/cv.doc", "where": "closing: Trên đây là ý kiến của Văn phòng", "is_finding": False,
         "why": "closing formula"},
        {"file": "office/cv.doc", "where": "Kính gửi: Sở Tài chính tỉnh", "is_finding": False, "why": "recipient"},
        {"file": "../corpus/bc.pdf", "where": "II.2 ¶3: Tỷ lệ hồ sơ giải quyết đúng hạn", "is_finding": True,
         "category": "strength", "addressee": None},
        {"file": "office/missing.doc", "where": "¶1: Văn bản không có trong cơ sở dữ liệu", "is_finding": True,
         "category": "other", "addressee": None},
    ]}, allow_unicode=True), encoding="utf-8")
    s = scorer.score(db, shared, labels)
    assert (s["findings"], s["found"], s["category"], s["addressee"]) == (2, 2, 1, 2)
    assert (s["non_findings"], s["non_findings_stored"]) == (2, 1)
    assert [(m[0], m[2], m[3]) for m in s["misses"]] == [("../corpus/bc.pdf", "strength", "other")]


def test_findings_labels_fit_the_scorer():
    assert scorer.LABELS2 == BLIND2 / "findings.yaml"
    scorer.check_labels(_labels("findings.yaml")["findings"], min_findings=150)


def test_place_labels_are_complete():
    labels = _labels("places.yaml")
    place_scorer.check_labels(labels)


@pytest.mark.real
def test_every_labelled_document_exists():
    files = {e["file"] for e in _labels("findings.yaml")["findings"]}
    labels = _labels("places.yaml")
    files |= {e["file"] for e in labels["places"] + labels["not_places"]}
    assert [f for f in sorted(files) if not (SHARED_REAL / f).is_file()] == []
