"""Entities: organisations, places (linked to the official list) and people.

Figures printed: place-linking accuracy on the labelled places of the real report and of
the passages, ORG/PER precision and recall on the passages, and underthesea's raw NER
precision for PER against the filtered fallback.
"""
from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import pytest
import yaml

from pipeline.analysis.entities import abbreviations, expand, extract_entities, rules
from tests.conftest import SHARED_CORPUS

DATA = Path(__file__).parent / "data"
CORPUS = SHARED_CORPUS
REPORT = CORPUS / "bao-cao-giam-sat-cchc-tuan-giao-2024.txt"


def _none(v):
    return None if v in ("null", "~", "") else v


def load_passages():
    cases = yaml.load((DATA / "entities_passages.yaml").read_text(encoding="utf-8"),
                      Loader=yaml.BaseLoader)
    return [(c["text"], [tuple(_none(x) for x in e) for e in c["expected"]]) for c in cases]


def key(r):
    base = (r["label"], r["surface"], r["canonical"])
    return base + ((r["unit_code"], r["successor"]) if r["label"] == "LOC" else ())


@pytest.mark.slow
def test_passages():
    expected, got = Counter(), Counter()
    for text, exp in load_passages():
        rows = extract_entities(text)
        for r in rows:
            assert text[r["start"]:r["end"]] == r["surface"]
        expected += Counter(exp)
        got += Counter(map(key, rows))
    figures = {}
    for label in ("ORG", "LOC", "PER"):
        e = Counter({k: n for k, n in expected.items() if k[0] == label})
        g = Counter({k: n for k, n in got.items() if k[0] == label})
        tp = sum((e & g).values())
        figures[label] = (tp / max(1, sum(g.values())), tp / max(1, sum(e.values())))
    # Place linking: of the labelled places, how many were found with the right unit and
    # successor (a found place with a wrong unit counts as wrong).
    loc_expected = Counter({k: n for k, n in expected.items() if k[0] == "LOC"})
    linked = sum((loc_expected & got).values()) / sum(loc_expected.values())
    print(f"\nentities/passages: place linking {linked:.3f} on {sum(loc_expected.values())} places; "
          + ", ".join(f"{lb} P={p:.3f} R={r:.3f}" for lb, (p, r) in figures.items()))
    print("  missing:", sorted((expected - got).elements()))
    print("  extra:", sorted((got - expected).elements()))
    assert linked >= 0.95
    for p, r in figures.values():
        assert p >= 0.9 and r >= 0.9


def load_report_places() -> Counter:
    out = Counter()
    for line in (DATA / "entities_places_tuan_giao.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        surface, canonical, code, successor, n = [p.strip() for p in line.split("|")]
        out[(surface, canonical, code or None, successor or None)] += int(n)
    return out


@pytest.mark.real
@pytest.mark.slow
def test_real_report_through_ingest(tmp_path):
    from pipeline.ingest import ingest

    db_path = tmp_path / "entities.db"
    summary = ingest([REPORT], db_path)
    assert not summary.failed, summary.failed
    con = sqlite3.connect(db_path)
    text = con.execute("select text from documents").fetchone()[0]
    rows = [dict(zip(("surface", "label", "canonical", "unit_code", "successor", "source",
                      "start", "end", "footnote"), r))
            for r in con.execute("select surface, label, canonical, unit_code, successor, "
                                 "source, start, end, footnote from entities")]
    assert rows
    for r in rows:
        assert text[r["start"]:r["end"]] == r["surface"]
    got = Counter((r["surface"], r["canonical"], r["unit_code"], r["successor"])
                  for r in rows if r["label"] == "LOC")
    expected = load_report_places()
    correct = sum((expected & got).values())
    accuracy = correct / sum(expected.values())
    precision = correct / max(1, sum(got.values()))
    print(f"\nentities/real report: {sum(expected.values())} labelled places, "
          f"{sum(got.values())} LOC rows, linking accuracy {accuracy:.3f}, precision {precision:.3f}")
    print("  missed:", sorted((expected - got).elements()))
    print("  extra:", sorted((got - expected).elements()))
    assert accuracy >= 0.95 and precision >= 0.95
    # Footnote places carry the footnote number (provenance).
    assert any(r["footnote"] == 3 and r["label"] == "LOC" for r in rows)
    orgs = {r["canonical"] for r in rows if r["label"] == "ORG"}
    for name in ("Ủy ban nhân dân huyện Tuần Giáo", "Hội đồng nhân dân huyện Tuần Giáo",
                 "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân", "Phòng Nội vụ",
                 "Ủy ban nhân dân tỉnh Điện Biên", "Kiểm toán nhà nước", "Bộ Tài chính",
                 "Phòng Giáo dục và Đào tạo", "Ban Thường vụ Huyện ủy"):
        assert name in orgs, name
    people = [(r["surface"], r["source"]) for r in rows if r["label"] == "PER"]
    assert people == [("Trần Bình Trọng", "rule")]


@pytest.mark.real
@pytest.mark.slow
def test_underthesea_raw_precision_is_low_and_the_filter_keeps_real_names():
    """Measure the fallback: underthesea's PER proposals on the real report, raw and
    filtered (the only person named in it is the signer)."""
    from pipeline.analysis.entities import plausible_person, underthesea_people
    from extractors import extract

    doc = extract(REPORT)
    raw = underthesea_people(doc.text, raw=True)
    truth = {"Trần Bình Trọng"}
    surfaces = [doc.text[r["start"]:r["end"]] for r in raw]
    raw_precision = sum(s in truth for s in surfaces) / max(1, len(surfaces))
    kept = [s for s in surfaces if plausible_person(s)]
    kept_precision = sum(s in truth for s in kept) / max(1, len(kept))
    print(f"\nunderthesea NER PER on the real report: {len(surfaces)} proposed, raw precision "
          f"{raw_precision:.3f}; after the filter {len(kept)} kept, precision {kept_precision:.3f}")
    assert raw_precision < 0.5
    assert kept and kept_precision == 1.0


def test_abbreviations_data_is_consistent():
    ab = abbreviations()
    for k in ("UBND", "HĐND", "TTHC", "CCHC", "QPPL", "MTTQVN", "BCĐ"):
        assert k in ab and ab[k]["expansion"] and ab[k]["example"]
    assert expand("UBND huyện Tuần Giáo") == "Ủy ban nhân dân huyện Tuần Giáo"
    assert expand("Văn phòng HĐND&UBND") == "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân"
    assert expand("Phòng Lao động - TB&XH") == "Phòng Lao động - Thương binh và Xã hội"
    # Every example in the data mentions its abbreviation.
    for e in ab.values():
        assert e["abbr"].rstrip(".") in e["example"], e


def test_organisation_rules_examples():
    r = rules()
    assert {"councils", "standalone", "agency_heads", "department_names", "people"} <= set(r)
    text = "Phòng Tài nguyên & Môi trường và sở Tài nguyên và Môi trường cùng kiểm tra."
    orgs = [x["canonical"] for x in extract_entities(text, use_ner=False) if x["label"] == "ORG"]
    assert orgs == ["Phòng Tài nguyên và Môi trường", "Sở Tài nguyên và Môi trường"]


def test_not_entities():
    text = ("Kế hoạch số 15/KH-UBND và Văn bản số 1071/UBND-VP về nhiệm vụ kiểm soát TTHC; "
            "phát triển kinh tế - xã hội; các phòng chuyên môn; thành viên ban chỉ đạo.")
    assert extract_entities(text) == []


def test_place_of_issue_is_a_place_mention():
    """"Quảng Ngãi, ngày …" has no level word; the place of issue is still a LOC, linked
    to the one unit of the first level that knows the name (province, then district)."""
    from pipeline.analysis.entities import place_of_issue

    text = "ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NGÃI\nSố: 12/BC-UBND\n\nQuảng Ngãi, ngày 05 tháng 3 năm 2024\n\nBÁO CÁO\n"
    row = place_of_issue(text, "Quảng Ngãi", [])
    assert row["canonical"] == "Tỉnh Quảng Ngãi" and text[row["start"]:row["end"]] == "Quảng Ngãi"
    assert row["start"] == text.index("Quảng Ngãi, ngày")
    row = place_of_issue("Đà Lạt, ngày 02 tháng 8 năm 2024", "Đà Lạt", [])
    assert row["canonical"] == "Thành phố Đà Lạt"  # a city inside a province
    assert place_of_issue("Mường Phăng, ngày 02 tháng 8 năm 2024", "Mường Phăng", []) is None  # communes: no guess
    taken = [{"label": "LOC", "start": 0, "end": 10}]
    assert place_of_issue("Quảng Ngãi, ngày 05 tháng 3 năm 2024", "Quảng Ngãi", taken) is None  # found already
    # an abbreviated level glued to the place ("TP.Huế, ngày …") belongs to the mention
    text = "Số: 31/QĐ-UB TP.Huế, ngày 09 tháng 5 năm 2023"
    row = place_of_issue(text, "Huế", [])
    assert text[row["start"]:row["end"]] == "TP.Huế" and row["canonical"].endswith("Huế")
