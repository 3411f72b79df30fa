"""Batch ingest: bad input is recorded with a reason, nothing else is lost, re-runs are
idempotent, and one document is written in one transaction."""
from __future__ import annotations

import os

import pytest

from pipeline import cli

from pipeline.analysis import stages
from tests.conftest import SAMPLE_CORPUS

GOOD_REPORT = """BÁO CÁO
Kết quả thực hiện công tác cải cách hành chính năm 2024

I. KẾT QUẢ ĐẠT ĐƯỢC

Trong năm, UBND xã đã tiếp nhận 1.250 hồ sơ¹, giải quyết đúng hạn 1.200/1.250 hồ sơ, đạt 96%.

¹ Theo Kế hoạch số 12/KH-UBND ngày 10/01/2024 của UBND xã.
"""


def _write_bad_inputs(folder):
    folder.mkdir()
    (folder / "bao-cao-tot.txt").write_text(GOOD_REPORT, encoding="utf-8")
    (folder / "rong.txt").write_bytes(b"")
    (folder / "rac.pdf").write_bytes(os.urandom(2048))
    (folder / "rac.docx").write_bytes(b"day khong phai la docx " * 50)
    (folder / "bang-tinh.xlsx").write_bytes(b"PK\x03\x04" + os.urandom(200))
    (folder / "anh.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(100))
    (folder / "cu.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(600))
    (folder / "tcvn3.txt").write_bytes("QUYÕT §ÞNH vÒ viÖc".encode("cp1252"))
    os.symlink(folder / "khong-ton-tai.txt", folder / "mat-lien-ket.txt")  # unreadable
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(folder / "ma-hoa.pdf"), encrypt="matkhau")
    c.drawString(72, 720, "Bao cao mat")
    c.save()
    real_pdf = SAMPLE_CORPUS / "bao-cao-mau.pdf"
    data = real_pdf.read_bytes()
    (folder / "cut-ngang.pdf").write_bytes(data[: len(data) // 3])


EXPECTED_REASONS = {
    "rong.txt": "empty",
    "rac.pdf": "not a PDF",
    "rac.docx": "not a DOCX",
    "bang-tinh.xlsx": "unsupported file type",
    "anh.png": "corrupt image",  # a PNG header and noise
    "cu.doc": "OLE2 file without a Word document stream",
    "tcvn3.txt": "not UTF-8 or UTF-16",
    "mat-lien-ket.txt": "symbolic link not followed",
    "ma-hoa.pdf": "encrypted",
}


def test_bad_inputs_fail_clearly_and_the_batch_goes_on(tmp_path, ingest_into):
    folder = tmp_path / "in"
    _write_bad_inputs(folder)
    summary, db = ingest_into(folder)
    by_name = {os.path.basename(o.path): o for o in summary.outcomes}
    assert by_name["bao-cao-tot.txt"].status == "ingested"
    for name, needle in EXPECTED_REASONS.items():
        outcome = by_name[name]
        assert outcome.status == "failed", name
        assert needle in outcome.reason, (name, outcome.reason)
        assert "\n" not in outcome.reason and len(outcome.reason) < 300
    # a truncated PDF is either refused with a reason or kept partially, never a crash
    cut = by_name["cut-ngang.pdf"]
    assert cut.status in ("failed", "partial", "ingested")
    assert "crashed" not in (cut.reason or "")
    rows = {os.path.basename(r["path"]): r for r in db["documents"].rows}
    assert len(rows) == len(by_name)
    for name in EXPECTED_REASONS:
        assert rows[name]["status"] == "failed" and rows[name]["error"]
    assert rows["bao-cao-tot.txt"]["status"] == "ok"
    assert db["footnotes"].count == 1


def test_cli_summary_and_exit_code(tmp_path, capsys):
    folder = tmp_path / "in"
    _write_bad_inputs(folder)
    db = tmp_path / "c.db"
    assert cli.main(["ingest", str(folder), "--db", str(db), "--quiet"]) == 4
    out = capsys.readouterr().out
    assert "failed" in out and "rong.txt: empty file" in out
    assert "1 ingested" in out or "2 ingested" in out
    good = tmp_path / "good"
    good.mkdir()
    (good / "a.txt").write_text(GOOD_REPORT, encoding="utf-8")
    assert cli.main(["ingest", str(good), "--db", str(tmp_path / "d.db"), "-q"]) == 0


def test_reingest_is_idempotent_and_changes_replace_rows(tmp_path, ingest_into):
    folder = tmp_path / "in"
    folder.mkdir()
    report = folder / "bc.txt"
    report.write_text(GOOD_REPORT, encoding="utf-8")
    ingest_into(folder)
    summary, db = ingest_into(folder)
    assert [o.status for o in summary.outcomes] == ["unchanged"]
    counts = {t: db[t].count for t in ("documents", "blocks", "footnotes")}
    assert counts["documents"] == 1
    # the same content under another name is not a second document
    (folder / "ban-sao.txt").write_text(GOOD_REPORT, encoding="utf-8")
    summary, db = ingest_into(folder)
    assert sorted(o.status for o in summary.outcomes) == ["unchanged", "unchanged"]
    assert db["documents"].count == 1
    os.remove(folder / "ban-sao.txt")
    # a changed file at the same path replaces its rows
    report.write_text(GOOD_REPORT.replace("1.250 hồ sơ¹", "1.300 hồ sơ¹"), encoding="utf-8")
    summary, db = ingest_into(folder)
    assert [o.status for o in summary.outcomes] == ["ingested"]
    assert db["documents"].count == 1
    assert {t: db[t].count for t in ("documents", "blocks", "footnotes")} == counts
    text = next(db["documents"].rows)["text"]
    assert "1.300 hồ sơ" in text and "1.250 hồ sơ¹" not in text
    # --force re-ingests without duplicating
    summary, db = ingest_into(folder, force=True)
    assert db["documents"].count == 1 and db["footnotes"].count == 1


def _exploding_stage(ctx):
    ctx.add("dates", {"surface": "x", "start": 0, "end": 1})
    raise RuntimeError("boom in the middle of a document")


def test_crash_mid_document_leaves_no_half_document(tmp_path, ingest_into, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(GOOD_REPORT, encoding="utf-8")
    (folder / "b.txt").write_text(GOOD_REPORT.replace("xã", "phường"), encoding="utf-8")
    real = stages.stage_functions()
    monkeypatch.setattr(stages, "stage_functions", lambda: real + [("boom", _exploding_stage)])
    import pipeline.ingest as ingest_module

    monkeypatch.setattr(ingest_module, "stage_functions", lambda: real + [("boom", _exploding_stage)])
    summary, db = ingest_into(folder)
    assert all(o.status == "failed" and "analysis crashed" in o.reason for o in summary.outcomes)
    assert db["documents"].count == 2
    for table in ("blocks", "footnotes", "dates", "pages"):
        assert db[table].count == 0, table


@pytest.mark.slow
def test_directory_with_thousands_of_files(tmp_path, ingest_into):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(1500):
        if i % 3 == 0:
            (folder / f"f{i:04d}.bin").write_bytes(b"\x00\x01")
        else:
            (folder / f"f{i:04d}.txt").write_text(f"Báo cáo số {i}/BC-UBND.\n\nĐạt {i} hồ sơ.",
                                                  encoding="utf-8")
    summary, db = ingest_into(folder)
    assert len(summary.outcomes) == 1500
    assert summary.count("failed") == 500
    assert db["documents"].count == 1500
    summary, db = ingest_into(folder)
    assert summary.count("unchanged") == 1000 and db["documents"].count == 1500


def test_parallel_extraction_gives_the_same_rows(tmp_path, ingest_into):
    from tests.conftest import SAMPLE_CORPUS

    _, serial = ingest_into(SAMPLE_CORPUS, db_name="serial.db")
    _, parallel = ingest_into(SAMPLE_CORPUS, db_name="parallel.db", jobs=2)
    for table in ("documents", "blocks", "footnotes", "citations", "figures", "checks", "findings"):
        cols = "path, text" if table == "documents" else "start, end"
        key = "path" if table == "documents" else "document_id, start"
        assert list(serial.query(f"select {cols} from [{table}] order by {key}")) == \
            list(parallel.query(f"select {cols} from [{table}] order by {key}")), table


def test_schema_version_is_recorded(tmp_path, ingest_into):
    from schemas.tables import SCHEMA_VERSION

    _, db = ingest_into(tmp_path / "nothing-here")
    assert db.execute("pragma user_version").fetchone()[0] == SCHEMA_VERSION
