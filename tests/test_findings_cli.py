"""`baocao findings`, `baocao show` and `baocao show --html` on a real ingest."""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.ingest import ingest

DATA = Path(__file__).resolve().parent / "data"
DOCS = [DATA / "structure_congvan.txt", DATA / "structure_baocao.md"]

pytestmark = pytest.mark.slow  # the ingest runs every stage (entities take seconds)


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "corpus.db"
    summary = ingest([str(p) for p in DOCS], path)
    assert not summary.failed
    return str(path)


def run(capsys, *argv) -> str:
    code = main(list(argv))
    out = capsys.readouterr().out
    assert code == 0, out
    return out


def test_findings_json_filters(db_path, capsys):
    rows = json.loads(run(capsys, "findings", "--db", db_path, "--format", "json"))
    assert {r["category"] for r in rows} >= {"strength", "limitation", "cause", "recommendation"}
    recs = json.loads(run(capsys, "findings", "--db", db_path, "--category", "recommendation",
                          "--format", "json"))
    assert recs and all(r["category"] == "recommendation" for r in recs)
    # Addressee and topic match without diacritics or case.
    xa = json.loads(run(capsys, "findings", "--db", db_path, "--addressee", "ubnd cac xa",
                        "--format", "json"))
    assert [r["addressee"] for r in xa] == ["UBND các xã"]
    topic = json.loads(run(capsys, "findings", "structure_baocao.md", "--db", db_path,
                           "--topic", "KHIEU NAI", "--format", "json"))
    assert topic and all(r["topic"] == "Công tác giải quyết khiếu nại, tố cáo" for r in topic)
    assert {r["category"] for r in topic} == {"strength", "limitation", "cause"}


def test_findings_csv_one_document(db_path, capsys):
    out = run(capsys, "findings", "87/PNV-CCHC", "--db", db_path, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 6
    assert all(r["document"].endswith("structure_congvan.txt") for r in rows)
    assert [r["addressee"] for r in rows if r["category"] == "recommendation"] == ["Sở Nội vụ"] * 4


def test_show_outline_counts(db_path, capsys):
    out = run(capsys, "show", "structure_baocao.md", "--db", db_path)
    assert "doc_type      Báo cáo" in out
    assert "number_symbol 14/BC-BPC" in out
    assert re.search(r"^  I\. KẾT QUẢ THẨM TRA  \[findings 7, citations \d+, figures \d+\]$", out, re.M)
    assert re.search(r"^      c\) Nguyên nhân  \[findings 2,", out, re.M)
    data = json.loads(run(capsys, "show", "structure_baocao.md", "--db", db_path, "--format", "json"))
    assert data["metadata"]["signer"] == "Lường Văn Sơn"
    top = [s for s in data["sections"] if s["level"] == 1]
    assert [s["path"] for s in top] == ["I", "II"]
    assert sum(s["findings"] for s in top) == 10


def test_show_html_is_self_contained(db_path, capsys, tmp_path):
    out_file = tmp_path / "cv.html"
    run(capsys, "show", "structure_congvan.txt", "--db", db_path, "--html", "--output", str(out_file))
    page = out_file.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<mark" in page  # displaCy entity marks
    assert "CITATION" in page or "FIGURE" in page
    assert not re.search(r"(src|href)=\"https?://", page)  # nothing fetched from elsewhere
    assert "Nguyễn Thị Hoa" in page
    assert page.count('class="finding recommendation"') == 4  # the lead-in and its three items


def test_unknown_document(db_path, capsys):
    assert main(["show", "no-such-doc", "--db", db_path]) == 3
