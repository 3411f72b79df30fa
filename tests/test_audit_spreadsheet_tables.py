"""Tables pasted from spreadsheets (found by the blind evaluation, tests/data/audit_blind):
the numbering row holds formulas ("(5)=(4-3)") and shows "(3)" as "-3"; negative amounts are
written in parentheses ("(5.000)")."""
from __future__ import annotations

import docx


def _price_table(path, rows):
    d = docx.Document()
    d.add_paragraph("BẢNG GIÁ THỊ TRƯỜNG THÁNG 11 NĂM 2025")
    t = d.add_table(rows=0, cols=6)
    for r in [["STT", "Tên hàng hóa", "Giá kỳ trước", "Giá kỳ này", "Mức tăng (giảm)", "Tỷ lệ tăng (giảm) (%)"],
              ["(1)", "(2)", "-3", "(4)", "(5)=(4-3)", "(6)=(5/3)"]] + rows:
        cells = t.add_row().cells
        for c, v in zip(cells, r):
            c.text = v
    d.save(path)


def test_formula_columns_with_spreadsheet_numbering_and_negatives(tmp_path, ingest_into):
    _price_table(tmp_path / "gia.docx", [
        ["1", "Gạo tẻ thường", "13.000", "16.000", "3.000", "23,08"],
        ["2", "Thịt lợn hơi", "60.000", "55.000", "(5.000)", "-8,33"],
        ["3", "Xăng Ron 95", "21.620", "21.110", "(510)", "-2,36"],
        ["4", "Đường cát trắng", "25.000", "25.000", "-", "0"],
        ["5", "Vàng 99,9%", "5.196.000", "5.366.000", "170.000", "0,0327"],  # a fraction, not ×100
    ])
    _summary, db = ingest_into(tmp_path / "gia.docx")
    checks = list(db.query("select kind, verdict, message from checks where kind = 'table_formula'"))
    verdicts = {c["message"].split("dòng “")[1].split("”")[0]: c["verdict"] for c in checks
                if "(6)=(5/3)" in c["message"]}
    assert verdicts["Vàng 99,9%"] == "mismatch"
    assert verdicts["Thịt lợn hơi"] in ("ok", "rounding")
    assert verdicts["Xăng Ron 95"] in ("ok", "rounding")
    diffs = [c for c in checks if "(5)=(4-3)" in c["message"]]
    assert diffs and all(c["verdict"] == "ok" for c in diffs)
