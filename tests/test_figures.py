"""Figure extraction: hand-labelled precision/recall, exclusions, provenance."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from extractors import extract
from pipeline.analysis.figures import extract_figures
from tests.conftest import REAL_TXT

DATA = Path(__file__).resolve().parent / "data"
LABELS = yaml.safe_load((DATA / "figures_labels.yaml").read_text(encoding="utf-8"))


def _key(value, unit, kind):
    return (round(float(value), 4), (unit or "-").lower(), kind)


def _gold(name):
    out = []
    for line in LABELS[name].strip().splitlines():
        value, unit, kind = (x.strip() for x in line.split("|"))
        out.append(_key(value, None if unit == "-" else unit, kind))
    return out


def _figures(path):
    doc = extract(path)
    return doc.text, extract_figures(doc.text, sorted(b.start for b in doc.blocks))


def _path(name):
    return REAL_TXT if name == REAL_TXT.name else DATA / name


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.real) if n == REAL_TXT.name else n
                                  for n in sorted(LABELS)])
def test_precision_recall(name):
    text, figs = _figures(_path(name))
    print(f"\n{name}: {len(figs)} figures")
    for f in figs:
        print(f"  {f['surface']!r:34} value={f['value']:<16g} unit={f['unit']!s:18} "
              f"kind={f['kind']:8} subject={f['subject']!r} scope={f['scope']!r}")
    predicted = Counter(_key(f["value"], f["unit"], f["kind"]) for f in figs)
    gold = Counter(_gold(name))
    tp = sum((predicted & gold).values())
    precision = tp / max(1, sum(predicted.values()))
    recall = tp / max(1, sum(gold.values()))
    print(f"precision {precision:.3f} recall {recall:.3f} (tp {tp}, predicted "
          f"{sum(predicted.values())}, gold {sum(gold.values())})")
    print("missed:", sorted((gold - predicted).elements()))
    print("spurious:", sorted((predicted - gold).elements()))
    assert precision >= 0.95 and recall >= 0.95
    for f in figs:
        assert text[f["start"]:f["end"]] == f["surface"]


def _one(text):
    return [(f["surface"], f["value"], f["unit"], f["kind"]) for f in extract_figures(text)]


@pytest.mark.parametrize("text,expected", [
    ("Số hóa 6.326/6.469 hồ sơ, đạt 97,79%.",
     [("6.326/6.469 hồ sơ", 6326, "hồ sơ", "ratio"), ("97,79%", 97.79, "%", "percent")]),
    ("tỷ lệ 62,47 % tổng số", [("62,47 %", 62.47, "%", "percent")]),
    ("đạt 83,288 điểm", [("83,288 điểm", 83.288, "điểm", "score")]),
    ("số kiến nghị 16.657.859.964 đồng", [("16.657.859.964 đồng", 16657859964, "đồng", "money")]),
    ("bố trí 1,5 tỷ đồng", [("1,5 tỷ đồng", 1.5e9, "đồng", "money")]),
    ("cắt giảm 02 TTHC", [("02 TTHC", 2, "TTHC", "count")]),
    ("xếp thứ 7/10 huyện", [("7/10 huyện", 7, "huyện", "rank")]),
    ("có hai xã và ba mươi mốt hồ sơ", [("hai xã", 2, "xã", "count"),
                                        ("ba mươi mốt hồ sơ", 31, "hồ sơ", "count")]),
    ("tần số 94,9 MHz", [("94,9 MHz", 94.9, "MHz", "other")]),
    ("có 1,2 triệu người", [("1,2 triệu người", 1.2e6, "người", "count")]),
    ("đúng hạn 191 hồ sơ/200 hồ sơ", [("191 hồ sơ/200 hồ sơ", 191, "hồ sơ", "ratio")]),
    ("thu hồi 12,35 tỷ đồng/15,2 tỷ đồng", [("12,35 tỷ đồng/15,2 tỷ đồng", 12.35e9, "đồng", "ratio")]),
    ("tăng 5,3 điểm phần trăm", [("5,3 điểm phần trăm", 5.3, "điểm phần trăm", "other")]),
    ("đạt tổng điểm 86,45", [("86,45", 86.45, "điểm", "score")]),
    ("đạt 91,56/100 điểm", [("91,56/100 điểm", 91.56, "điểm", "score")]),
    ("| Hồ sơ | 195.197 |", [("195.197", 195197, "hồ sơ", "count")]),
    ("| % | 99,10 |", [("99,10", 99.1, "%", "percent")]),
    ("| Triệu đồng | 9.037 |", [("9.037", 9.037e9, "đồng", "money")]),
])
def test_formats(text, expected):
    got = _one(text)
    assert [(s, pytest.approx(v), u, k) for s, v, u, k in expected] == got


@pytest.mark.parametrize("text", [
    "Nghị định số 63/2010/NĐ-CP ngày 08/6/2010 của Chính phủ",
    "Quyết định 4011/QĐ-UBND; Nghị quyết số 18-NQ/TW; Kế hoạch số 07-KH/TW",
    "giai đoạn 2021-2025, tầm nhìn đến năm 2030",
    "từ 7/2021 đến 31/12/2023; tháng 12/2023",
    "1.2. Hạn chế",
    "II. KẾT QUẢ THỰC HIỆN",
    "(3) Chỉ đạo các cơ quan",
    "theo Nghị định 59 của Chính phủ; dịch vụ công mức độ 3, mức độ 4; ISO 9001: 2015",
    "Điều 5 khoản 2; Thông tư 01/2020/TT-VPCP; công văn 1381/UBND-KSTT",
    "Từ ngày 10/9/2023-31/3/2024",
    "một số xã, một cửa liên thông, năm học",
    "trước ngày 15 tháng 12 hằng năm; điểm a khoản 2 Điều 14 Nghị định này",
    "tháng 7 năm 2023; quý 3; Chương II",
    "Tiêu chí số 18; kỳ họp thứ 12; lần thứ 3; đợt 2; giai đoạn 2",
    "làm việc từ 08h00 đến 17h00; điện thoại 0215.3825.123; mạng 5G; Covid-19",
])
def test_not_figures(text):
    assert _one(text) == []


def test_scope_and_subject():
    text = ("Năm 2022: Tổng số TTHC cung cấp trực tuyến: 32 TTHC. Số hồ sơ phát sinh: "
            "410/512 hồ sơ.\n\n- Cấp xã: số hóa 120/150 hồ sơ, đạt 80%.")
    figs = {f["surface"]: f for f in extract_figures(text)}
    assert figs["410/512 hồ sơ"]["period"] == "2022"
    assert "cấp xã" in figs["120/150 hồ sơ"]["scope"]
    assert figs["32 TTHC"]["subject"].startswith("Tổng số TTHC")
    assert figs["80%"]["subject"] == figs["120/150 hồ sơ"]["subject"]


@pytest.mark.real
def test_real_report_figures():
    text, figs = _figures(REAL_TXT)
    surfaces = [f["surface"] for f in figs]
    assert "6.326/6.469 hồ sơ" in surfaces and "97,79%" in surfaces
    assert "38.687 hồ sơ" in surfaces and "62,47 %" in surfaces
    assert "16.657.859.964 đồng" in surfaces
    assert not any("2010" in s or "NĐ" in s for s in surfaces)
    assert 140 <= len(figs) <= 200
    for f in figs:
        assert text[f["start"]:f["end"]] == f["surface"]


@pytest.mark.slow
def test_stage_rows_have_provenance(ingest_into):
    summary, db = ingest_into(DATA / "figures_passages.txt")
    assert summary.count("failed") == 0
    text = next(db["documents"].rows)["text"]
    rows = list(db["figures"].rows)
    assert len(rows) > 150
    for r in rows:
        assert text[r["start"]:r["end"]] == r["surface"]
        assert r["sentence_start"] <= r["start"] < r["end"] <= r["sentence_end"]


@pytest.mark.slow
def test_scope_from_section_headings(ingest_into, tmp_path):
    src = tmp_path / "hs.txt"
    src.write_text("ỦY BAN NHÂN DÂN HUYỆN NAM SƠN\n\nBÁO CÁO\nKết quả công tác\n\n"
                   "I. KẾT QUẢ NĂM 2023\n\n1. Cấp xã\n\nĐã tiếp nhận 1.200 hồ sơ, giải quyết đúng "
                   "hạn 1.150/1.200 hồ sơ, đạt 95,83%.\n", encoding="utf-8")
    _, db = ingest_into(src)
    rows = {r["surface"]: r for r in db["figures"].rows}
    ratio = rows["1.150/1.200 hồ sơ"]
    assert ratio["period"] == "2023" and "cấp xã" in ratio["scope"]
    assert ratio["stated_percent"] == 95.83
