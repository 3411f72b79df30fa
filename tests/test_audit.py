"""Arithmetic audit: the labelled claims (real report + own passages), verdict rules,
no false alarm on the traps, the commands and the cross-document finalizer."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from extractors import extract
from pipeline.analysis.audit import audit, percent_verdict
from pipeline.analysis.figures import extract_figures

DATA = Path(__file__).resolve().parent / "data"
from tests.conftest import SHARED_CORPUS
SHARED = SHARED_CORPUS
REAL = [yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in sorted(DATA.glob("claims_*.yaml")) if p.name != "claims_passages.yaml"]
OWN = yaml.safe_load((DATA / "claims_passages.yaml").read_text(encoding="utf-8"))


def _labelled_documents():
    docs = []
    for spec in REAL:  # real documents of ../shared/corpus (skipped when absent)
        real_path = SHARED / spec["document"]
        if real_path.exists():
            docs.append((real_path, spec["claims"], []))
    for name, spec in OWN["documents"].items():
        docs.append((DATA / name, spec["claims"], spec.get("no_mismatch", [])))
    return docs


def _run(path):
    doc = extract(path)
    figs = extract_figures(doc.text, sorted(b.start for b in doc.blocks))
    for i, f in enumerate(figs):
        f["id"] = i
    checks = audit(doc.text, figs)
    by_id = {f["id"]: f for f in figs}
    for c in checks:
        nums = []
        for fid in c["figure_ids"]:
            f = by_id[fid]
            nums.append(f["value"])
            if f.get("denominator") is not None:
                nums.extend([f["numerator"], f["denominator"]])
        c["numbers"] = nums
    return checks


def _contains(have, want) -> bool:
    pool = list(have)
    for w in want:
        hit = next((h for h in pool if abs(h - w) <= 1e-6 * max(1.0, abs(w))), None)
        if hit is None:
            return False
        pool.remove(hit)
    return True


def _find(checks, claim):
    cands = [c for c in checks if c["kind"] == claim["kind"] and _contains(c["numbers"], claim["numbers"])]
    cands.sort(key=lambda c: len(c["numbers"]))
    return cands[0] if cands else None


@pytest.fixture(scope="module")
def results():
    return [(path, claims, traps, _run(path)) for path, claims, traps in _labelled_documents()]


@pytest.mark.real
def test_label_set_size():
    claims = [c for _, cs, _ in _labelled_documents() for c in cs]
    mismatches = [c for c in claims if c["verdict"] == "mismatch"]
    truncations = [c for c in claims if c.get("truncation")]
    print(f"\n{len(claims)} labelled claims, {len(mismatches)} inconsistencies, "
          f"{len(truncations)} truncations")
    assert len(claims) >= 120
    assert len(mismatches) >= 15
    assert len(truncations) >= 10


def test_every_labelled_claim(results):
    total = right = 0
    wrong = []
    for path, claims, _, checks in results:
        for claim in claims:
            total += 1
            chk = _find(checks, claim)
            got = chk["verdict"] if chk else None
            if got == claim["verdict"]:
                right += 1
            else:
                wrong.append((path.name, claim, got))
    print(f"\nclaims with the expected verdict: {right}/{total} = {right / total:.3f}")
    for w in wrong:
        print("  wrong:", w)
    assert right / total >= 0.95
    # every labelled inconsistency is found
    assert not [w for w in wrong if w[1]["verdict"] == "mismatch"]


def test_no_false_mismatch(results):
    """A mismatch verdict only where a labelled claim is inconsistent."""
    for path, claims, traps, checks in results:
        bad = [c for c in claims if c["verdict"] == "mismatch"]
        for chk in checks:
            if chk["verdict"] != "mismatch":
                continue
            assert any(b["kind"] == chk["kind"] and _contains(chk["numbers"], b["numbers"])
                       for b in bad), f"false alarm in {path.name}: {chk['message']}"
        for trap in traps:
            hits = [c for c in checks if c["verdict"] == "mismatch" and _contains(c["numbers"], trap)]
            assert not hits, f"trap {trap} flagged in {path.name}: {hits[0]['message']}"


def test_checks_state_unrounded_values_and_vietnamese_message(results):
    for _, _, _, checks in results:
        for chk in checks:
            assert chk["message"] and ("Nêu" in chk["message"] or "nêu" in chk["message"]
                                       or "thành phần" in chk["message"])
    real = next((r[3] for r in results if r[0].name.startswith("bao-cao-giam-sat")), None)
    if real:
        chk = next(c for c in real if c["kind"] == "ratio_percent" and c["stated"] == 97.79)
        assert chk["computed"] == pytest.approx(6326 / 6469 * 100)
        assert chk["verdict"] == "ok"


@pytest.mark.parametrize("stated,decimals,computed,verdict", [
    (97.79, 2, 97.7895, "ok"), (52.8, 1, 52.857, "rounding"), (87.9, 1, 87.0857, "mismatch"),
    (78.34, 2, 78.3333, "rounding"), (96, 0, 96.667, "rounding"), (100, 0, 100.0, "ok"),
    (12.9, 1, 12.9143, "ok"), (2.83, 2, 2.2105, "mismatch"), (66.66, 2, 66.6667, "rounding"),
    (66.67, 2, 66.6667, "ok"), (50, 0, 47.9, "mismatch"),
])
def test_percent_verdict(stated, decimals, computed, verdict):
    assert percent_verdict(stated, decimals, computed) == verdict


def _checks_of(text):
    figs = extract_figures(text)
    for i, f in enumerate(figs):
        f["id"] = i
    return audit(text, figs)


@pytest.mark.parametrize("text", [
    "Huyện đã giải quyết 1.200/1.250 hồ sơ, tăng 35,5% so với năm 2022.",
    "Có 12/20 xã đạt tỷ lệ trên 90%, chiếm 60%.",
    "Đã cấp 2.400 thẻ, trong đó có 310 thẻ cho trẻ em dưới 6 tuổi.",
    "Tiếp nhận 640 hồ sơ, giải quyết 600 hồ sơ, đạt 80%.",
    "Giải quyết 1.200/1.250 hồ sơ, chiếm 8,5% tổng số hồ sơ toàn tỉnh.",
    "Kỷ luật 12 cán bộ, trong đó: khiển trách 07 người; thực hiện luân chuyển 15 công chức.",
    "Năm 2023 tiếp nhận 1.200 hồ sơ, tăng 150 hồ sơ, trong đó: cấp huyện 100 hồ sơ, cấp xã 60 hồ sơ.",
    "Tổng số 250 cán bộ, trong đó: nữ 120 người, đảng viên 180 người.",
    "Tiếp nhận 1.500 hồ sơ, trả kết quả qua bưu chính 480 hồ sơ, chiếm 12%.",
    "Đã cấp 5.200/6.000 thẻ, đạt 92% kế hoạch năm.",
    "Giải quyết 1.234/1.300 hồ sơ, đạt 94,9%, vượt 4,9% so với kế hoạch.",
    "Có 14/32 TTHC phát sinh hồ sơ mức độ 3 và 30/32 TTHC phát sinh hồ sơ mức độ 4.",
    "Số hóa 3.980/4.215 hồ sơ, đạt 94,42%; toàn huyện còn 1.285 hồ sơ chưa được số hóa.",
    "Tổng vốn 8.617 tỷ đồng (gồm kế hoạch 7.294 tỷ đồng; vốn chuyển sang 1.324 tỷ đồng).",
    "Có 23/25 xã có tỷ lệ hộ dùng nước sạch đạt 95%.",
    "Có 19/24 cơ quan đạt tỷ lệ hồ sơ đúng hạn 98%.",
    "Có 4.512/4.800 hộ có tài khoản; 120 hộ chưa có tài khoản là hộ nghèo.",
    "Năm 2022 có 11/14 xã xếp loại khá, năm 2023 có 12/14 xã xếp loại khá.",
    "Tổ chức 46 lớp, gồm 18 lớp cấp huyện với 1.200 lượt người tham gia và 28 lớp cấp xã.",
    "Cấp huyện tiếp nhận 1.245 hồ sơ. Cấp xã tiếp nhận 1.425 hồ sơ.",
    "3.1. | Tỷ lệ hồ sơ giải quyết đúng hạn | % | 95\n3.1.1. | Tổng số hồ sơ | Hồ sơ | 200\n"
    "3.1.2. | Số hồ sơ trễ hạn | Hồ sơ | 10",
])
def test_traps_never_mismatch(text):
    assert all(c["verdict"] != "mismatch" for c in _checks_of(text))


def test_document_place():
    from pipeline.analysis.audit import document_place
    assert document_place("ỦY BAN NHÂN DÂN\nHUYỆN NAM SƠN\n\nBÁO CÁO") == "huyen nam son"
    assert document_place("của Hội đồng nhân dân huyện Ngọc Lâm về việc") == "huyen ngoc lam"
    assert document_place("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nCHÍNH PHỦ") is None


def test_bullet_is_one_claim_and_paren_ratio():
    text = ("- Cấp xã: Số hóa 4.716/4.820 hồ sơ, đạt 97,84%. Còn 104 hồ sơ chưa số hóa, "
            "chiếm 2,74%.\n\nTỷ lệ đúng hạn đạt 95,5% (tương ứng 191/200 hồ sơ).")
    got = {(c["kind"], c["verdict"]) for c in _checks_of(text)}
    assert ("implicit_whole", "mismatch") in got and ("complement", "ok") in got
    assert ("ratio_percent", "ok") in got


def test_share_of_the_numerator():
    text = "Giải quyết 1.180/1.200 hồ sơ, trong đó 1.150 hồ sơ trước hạn, chiếm 97,46%."
    got = [(c["kind"], c["verdict"]) for c in _checks_of(text)]
    assert ("implicit_whole", "ok") in got


def test_transposed_restatement():
    text = ("Trong năm 2023, huyện tiếp nhận và giải quyết 2.315 hồ sơ đất đai.\n\n"
            "Kết luận: năm 2023 huyện đã tiếp nhận và giải quyết 2.135 hồ sơ đất đai.")
    got = [c for c in _checks_of(text) if c["kind"] == "repeated"]
    assert [c["verdict"] for c in got] == ["mismatch"]
    assert (got[0]["stated"], got[0]["computed"]) == (2135, 2315)


def test_total_breakdown_and_change():
    text = ("Toàn tỉnh giảm từ 120 đơn vị xuống còn 98 đơn vị (cấp tỉnh: 20 đơn vị, cấp huyện: "
            "78 đơn vị), trong đó: cấp tỉnh giảm 08 đơn vị; cấp huyện giảm 14 đơn vị.")
    kinds = {(c["kind"], c["verdict"]) for c in _checks_of(text)}
    assert ("total", "ok") in kinds and ("change", "ok") in kinds


# ---- end to end: ingest, commands, cross-document ----------------------------------------

OTHER_DISTRICT = """ỦY BAN NHÂN DÂN HUYỆN ĐÔNG HẢI

BÁO CÁO
Tình hình kinh tế - xã hội năm 2023

Số hộ nghèo toàn huyện cuối năm 2023 là 2.015 hộ, giảm 240 hộ so với đầu năm.
"""


@pytest.fixture
def corpus_db(ingest_into, tmp_path):
    other = tmp_path / "dong-hai.txt"
    other.write_text(OTHER_DISTRICT, encoding="utf-8")
    summary, db = ingest_into(DATA / "figures_passages.txt", DATA / "figures_passages_2.txt", other)
    assert summary.count("failed") == 0
    return db


@pytest.mark.slow
def test_commands_and_cross_document(corpus_db, capsys, tmp_path):
    from pipeline.cli import main

    db_path = str(corpus_db.execute("pragma database_list").fetchone()[2])
    rows = list(corpus_db.query("select * from checks where kind = 'cross_document'"))
    assert any(r["stated"] in (1301, 1284) and r["computed"] in (1301, 1284) for r in rows), rows
    assert all(r["other_document_id"] for r in rows)
    # another district's figure for the same indicator is not a contradiction
    assert not any(2015 in (r["stated"], r["computed"]) for r in rows)

    assert main(["audit", "figures_passages.txt", "--format", "json", "--db", db_path]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out and {r["verdict"] for r in out} <= {"mismatch", "rounding"}
    first = next(r for r in out if r["stated"] == 38.5)
    assert "«214/596 doanh nghiệp»" in first["sentence"] and "«38,5%»" in first["sentence"]

    assert main(["audit", "figures_passages.txt", "--db", db_path]) == 0  # terminal cards
    cards = capsys.readouterr().out
    assert "MISMATCH" in cards and "«38,5%»" in cards and "stated 38,5" in cards

    assert main(["audit", "--all", "--format", "csv", "--db", db_path]) == 0
    csv_out = capsys.readouterr().out
    assert "ok" in csv_out and "mismatch" in csv_out

    html_file = tmp_path / "audit.html"
    assert main(["audit", "--format", "html", "--output", str(html_file), "--db", db_path]) == 0
    page = html_file.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<mark>" in page and "<script" not in page
    assert "http" not in page.split("<body>")[0]  # nothing external in the head

    assert main(["figures", "figures_passages_2.txt", "--kind", "money", "--format", "json",
                 "--db", db_path]) == 0
    figs = json.loads(capsys.readouterr().out)
    assert figs and all(f["kind"] == "money" and f["unit"] == "đồng" for f in figs)
    ratio = next(corpus_db.query("select * from figures where surface = '214/596 doanh nghiệp'"))
    assert ratio["stated_percent"] == 38.5  # the percentage stated for it, linked by the audit
    share = next(corpus_db.query("select * from figures where surface = '38,5%'"))
    assert (share["numerator"], share["denominator"]) == (214, 596)
    assert main(["figures", "--format", "table", "--db", db_path]) == 0
    assert "hồ sơ" in capsys.readouterr().out


# ---- robustness: any text in, consistent spans and no crash -------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PIECES = ["6.326", "/", "6.469", " hồ sơ", ", đạt ", "97,79", "%", "; ", "143", " chưa ",
           "chiếm ", "2,21", " trong đó: ", "cấp huyện: ", "cấp xã ", "(", ")", ". ", "\n\n",
           "- ", "năm 2023", "15/12/2023", "63/2010/NĐ-CP", "gồm ", "tăng ", "từ ", " xuống còn ",
           "1,5 tỷ đồng", "hai ", "xã", " | ", "3.1.", "Tổng số ", "0", "100", "xếp loại tốt",
           "tỷ lệ ", "trên ", "Điều 5", "¹"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=60))
def test_any_text_gives_consistent_figures_and_checks(pieces):
    text = "".join(pieces)
    figs = extract_figures(text)
    for i, f in enumerate(figs):
        f["id"] = i
        assert text[f["start"]:f["end"]] == f["surface"]
        assert f["kind"] in ("count", "ratio", "percent", "money", "score", "rank", "other")
    for chk in audit(text, figs):
        assert chk["verdict"] in ("ok", "rounding", "mismatch", "unverifiable")
        assert 0 <= chk["start"] < chk["end"] <= len(text)
        assert chk["message"]
