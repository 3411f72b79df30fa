"""Dates: labelled passages, the real report through the real ingest, property tests."""
from __future__ import annotations

import calendar
import sqlite3
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.analysis.dates import extract_dates
from tests.conftest import SHARED_CORPUS

DATA = Path(__file__).parent / "data"
CORPUS = SHARED_CORPUS
REPORT = CORPUS / "bao-cao-giam-sat-cchc-tuan-giao-2024.txt"


def _none(v):
    return None if v in ("null", "~", "") else v


def load_passages():
    # BaseLoader: keep "2023-02-30" a string (YAML would make it a datetime and fail).
    cases = yaml.load((DATA / "dates_passages.yaml").read_text(encoding="utf-8"),
                      Loader=yaml.BaseLoader)
    return [(c["text"], [tuple(_none(x) for x in (e + ["null", "null"])[:5])
                         for e in c["expected"]]) for c in cases]


def key(row):
    return (row["surface"], row["value"], row["kind"], row["range_end"], row["problem"])


def precision_recall(expected: Counter, got: Counter) -> tuple[float, float]:
    tp = sum((expected & got).values())
    precision = tp / sum(got.values()) if got else 1.0
    recall = tp / sum(expected.values()) if expected else 1.0
    return precision, recall


def test_passages_precision_recall():
    expected, got = Counter(), Counter()
    misses = []
    for text, exp in load_passages():
        rows = extract_dates(text)
        for r in rows:
            assert text[r["start"]:r["end"]] == r["surface"]
        e, g = Counter(exp), Counter(map(key, rows))
        expected += e
        got += g
        if e != g:
            misses.append((text[:60], sorted(e - g), sorted(g - e)))
    p, r = precision_recall(expected, got)
    print(f"\ndates/passages: {sum(expected.values())} expected, precision {p:.3f}, recall {r:.3f}")
    for m in misses:
        print("  mismatch:", m)
    assert p >= 0.98 and r >= 0.98


def load_report_labels() -> Counter:
    labels = Counter()
    for line in (DATA / "dates_tuan_giao.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|")]
        surface, value, kind = parts[:3]
        labels[(surface, value, kind, parts[3] if len(parts) > 3 else None)] += 1
    return labels


@pytest.mark.real
def test_real_report_through_ingest(tmp_path):
    from pipeline.ingest import ingest

    db_path = tmp_path / "dates.db"
    summary = ingest([REPORT], db_path)
    assert not summary.failed, summary.failed
    con = sqlite3.connect(db_path)
    text = con.execute("select text from documents").fetchone()[0]
    rows = con.execute(
        "select surface, value, kind, range_end, problem, start, end, footnote from dates"
    ).fetchall()
    for surface, *_rest, start, end, _fn in rows:
        assert text[start:end] == surface
    got = Counter((s, v, k, re_) for s, v, k, re_, *_ in rows)
    expected = load_report_labels()
    p, r = precision_recall(expected, got)
    in_footnotes = sum(1 for row in rows if row[-1] is not None)
    print(f"\ndates/real report: {sum(expected.values())} labelled, {len(rows)} found "
          f"({in_footnotes} in footnotes), precision {p:.3f}, recall {r:.3f}")
    print("  missed:", sorted((expected - got).elements())[:10])
    print("  spurious:", sorted((got - expected).elements())[:10])
    assert p >= 0.98 and r >= 0.98
    assert in_footnotes > 20  # footnote dates carry their footnote number


# -- property tests ---------------------------------------------------------------------
def _styles(d: date):
    dd, mm, y = d.day, d.month, d.year
    return [
        f"{dd}/{mm}/{y}", f"{dd:02d}/{mm:02d}/{y}", f"{dd}-{mm}-{y}", f"{dd:02d}.{mm:02d}.{y}",
        f"ngày {dd:02d} tháng {mm} năm {y}", f"ngày {dd} tháng {mm:02d} năm {y}",
        f"ngày {dd}/{mm}/{y}",
    ]


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2099, 12, 31)),
       st.integers(min_value=0, max_value=6))
def test_valid_day_dates_round_trip(d, style):
    surface = _styles(d)[style]
    text = f"Văn bản được ký {surface} tại trụ sở cơ quan."
    rows = extract_dates(text)
    assert len(rows) == 1, (text, rows)
    assert rows[0]["value"] == d.isoformat()
    assert rows[0]["kind"] == "day" and rows[0]["problem"] is None
    assert text[rows[0]["start"]:rows[0]["end"]] == rows[0]["surface"]


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=1950, max_value=2099), st.integers(min_value=1, max_value=12),
       st.integers(min_value=0, max_value=2))
def test_valid_months_round_trip(y, m, style):
    surface = [f"tháng {m}/{y}", f"tháng {m:02d} năm {y}", f"tháng {m}-{y}"][style]
    rows = extract_dates(f"Số liệu tính đến {surface}, theo báo cáo của các xã.")
    assert [(r["value"], r["kind"], r["problem"]) for r in rows] == [(f"{y:04d}-{m:02d}", "month", None)]


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=1950, max_value=2090), st.integers(min_value=1, max_value=9),
       st.sampled_from(["giai đoạn {a}-{b}", "giai đoạn {a} - {b}", "kỳ {a}-{b}",
                        "từ năm {a} đến năm {b}", "năm {a}–{b}"]))
def test_year_ranges(a, span, form):
    b = a + span
    surface = form.format(a=a, b=b)
    rows = extract_dates(f"Kết quả thực hiện {surface} trên địa bàn.")
    assert [(r["surface"], r["value"], r["range_end"]) for r in rows] == [(surface, str(a), str(b))]


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1950, max_value=2099), st.integers(min_value=1, max_value=12),
       st.integers(min_value=29, max_value=35), st.integers(min_value=0, max_value=2))
def test_impossible_days_flagged_not_dropped(y, m, d, style):
    last = calendar.monthrange(y, m)[1]
    surface = [f"{d}/{m}/{y}", f"{d}-{m}-{y}", f"ngày {d} tháng {m} năm {y}"][style]
    rows = extract_dates(f"Văn bản ghi ngày ký {surface} cần được kiểm tra.")
    if d > 31:
        # Three-digit days cannot occur; 32..35 are still one date with a problem.
        pass
    assert len(rows) == 1
    assert rows[0]["value"] == f"{y:04d}-{m:02d}-{d:02d}"
    assert (rows[0]["problem"] is None) == (d <= last)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=13, max_value=99), st.integers(min_value=1950, max_value=2099))
def test_impossible_months_flagged(m, y):
    rows = extract_dates(f"Dự thảo ghi thời điểm tháng {m}/{y} cần đính chính.")
    assert len(rows) == 1 and rows[0]["problem"] == f"impossible month {m}"


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=1, max_value=999), st.integers(min_value=1950, max_value=2099),
       st.sampled_from(["NĐ-CP", "QĐ-UBND", "TT-BTC", "QH14", "NQ-HĐND"]))
def test_symbols_are_not_dates(n, y, tail):
    rows = extract_dates(f"Thực hiện văn bản số {n}/{y}/{tail} của cơ quan cấp trên.")
    assert rows == []


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=1, max_value=99999), st.integers(min_value=1, max_value=99999))
def test_ratios_are_not_dates(a, b):
    fmt = lambda n: f"{n:,}".replace(",", ".")  # noqa: E731  Vietnamese thousands
    rows = extract_dates(f"Đã số hóa {fmt(a)}/{fmt(b)} hồ sơ, đạt {a % 100},{b % 100}%.")
    assert rows == []
