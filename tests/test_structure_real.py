"""Structure of the real DOCX and PDF documents in ../shared/corpus (slow: real PDFs)."""
from __future__ import annotations

import json
import re

import pytest
from tests.conftest import SHARED_CORPUS


CORPUS = SHARED_CORPUS
DECREE = CORPUS / "chinhphu_nd335-2025.pdf"
DRAFT = CORPUS / "lamdong_ubnd_bc_cchc_2025_draft.docx"
SIGNED = CORPUS / "lamdong_ubnd_bc329_cchc_2025_signed.pdf"

pytestmark = [pytest.mark.slow, pytest.mark.real]


@pytest.fixture(scope="module")
def corpus(real_corpus_db):
    return real_corpus_db[1]  # ../shared/corpus ingested once per session (conftest)


def _doc(db, path):
    rows = list(db.query("select * from documents where path = ? and status != 'failed'", [str(path)]))
    assert rows, f"{path.name} not ingested"
    return rows[0]


def _sections(db, doc):
    return list(db.query("select * from sections where document_id = ? order by start", [doc["id"]]))


def assert_sane_tree(db, doc):
    """Every section lies inside its parent, one level below it, headings are exact spans,
    siblings do not overlap, and nothing reaches into the footnotes."""
    rows = _sections(db, doc)
    by_id = {r["id"]: r for r in rows}
    text = doc["text"]
    fn_starts = [b["start"] for b in db.query(
        "select start from blocks where document_id = ? and kind = 'footnote'", [doc["id"]])]
    body_end = min(fn_starts) if fn_starts else len(text)
    for r in rows:
        assert text[r["heading_start"]:r["heading_end"]] == r["heading"]
        assert r["start"] <= r["heading_start"] < r["heading_end"] <= r["end"] <= body_end
        if r["parent_id"]:
            p = by_id[r["parent_id"]]
            assert p["start"] < r["start"] and r["end"] <= p["end"] and r["level"] == p["level"] + 1
        else:
            assert r["level"] == 1
    for a, b in zip(rows, rows[1:]):
        if a["parent_id"] == b["parent_id"]:
            assert a["end"] <= b["start"]
    return rows


def test_decree_metadata(corpus):
    doc = _doc(corpus, DECREE)
    assert doc["doc_type"] == "Nghị định"
    assert doc["number_symbol"] == "335/2025/NĐ-CP"
    assert doc["issued_date"] == "2025-12-21"
    assert doc["issued_place"] == "Hà Nội"
    assert doc["issuer"] == "CHÍNH PHỦ"
    assert doc["title"].startswith("Quy định về đánh giá, xếp loại chất lượng")
    assert doc["signer"] == "Phạm Thị Thanh Trà"
    assert doc["signer_role"] == "TM. CHÍNH PHỦ, KT. THỦ TƯỚNG, PHÓ THỦ TƯỚNG"
    recipients = json.loads(doc["recipients"])
    assert recipients[0] == "Ban Bí thư Trung ương Đảng"
    assert "Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ" in recipients  # wrapped line re-joined
    assert doc["period_start"] is None and doc["period_end"] is None


def test_decree_sections(corpus):
    doc = _doc(corpus, DECREE)
    rows = assert_sane_tree(corpus, doc)
    chapters = [r["number"] for r in rows if r["level"] == 1 and r["number"].startswith("Chương")]
    assert chapters == ["Chương I", "Chương II", "Chương III", "Chương IV"]
    articles = [r for r in rows if (r["number"] or "").startswith("Điều")]
    assert [a["number"] for a in articles] == [f"Điều {i}" for i in range(1, 30)]
    by_id = {r["id"]: r for r in rows}
    for a in articles:  # every article sits in a chapter (directly or through a Mục)
        assert by_id[a["parent_id"]]["number"].split()[0] in ("Chương", "Mục")
    first = articles[0]
    assert first["heading"] == "Phạm vi điều chỉnh" and first["path"] == "Chương I.Điều 1"
    # Khoản and điểm nest under their article.
    assert any(r["path"] == "Chương I.Điều 2.1.a" and r["heading"] == "Ở trung ương" for r in rows)
    assert any(r["number"].startswith("Phụ lục") and r["level"] == 1 for r in rows)
    # Nothing before Điều 1 (căn cứ, enacting formula) is a finding.
    assert not list(corpus.query("select 1 from findings where document_id = ? and end <= ?",
                                 [doc["id"], rows[0]["start"]]))


@pytest.mark.parametrize("path", [DRAFT, SIGNED], ids=["docx", "pdf"])
def test_lamdong_report(corpus, path):
    doc = _doc(corpus, path)
    assert doc["doc_type"] == "Báo cáo"
    assert doc["issuer"] == "ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG"
    assert doc["title"] == ("Công tác cải cách hành chính năm 2025 và phương hướng, nhiệm vụ năm 2026 "
                            "của tỉnh Lâm Đồng")
    if path == DRAFT:  # the draft leaves the number and day blank
        assert doc["number_symbol"] is None and doc["issued_date"] is None
        assert doc["issued_place"] == "Lâm Đồng"
    else:  # the signed PDF prints them in signature widgets (annotation appearances)
        assert (doc["number_symbol"], doc["issued_date"]) == ("329/BC-UBND", "2025-12-19")
        assert doc["issued_place"] == "Lâm Đồng"
    assert doc["signer"] == "Nguyễn Ngọc Phúc" and doc["signer_role"] == "KT. CHỦ TỊCH, PHÓ CHỦ TỊCH"
    assert (doc["period_start"], doc["period_end"]) == ("2025", "2025")
    rows = assert_sane_tree(corpus, doc)
    top = [(r["number"], r["heading"][:20]) for r in rows if r["level"] == 1]
    assert [t[0] for t in top] == ["I", "II", "III", "IV", "Phụ lục"]
    ii = next(r for r in rows if r["path"] == "II")
    assert [r["number"] for r in rows if r["parent_id"] == ii["id"]] == ["1", "2", "3", "4", "5", "6"]
    cats = {r["section"]: r["category"] for r in corpus.query(
        "select section, category from findings where document_id = ?", [doc["id"]])}
    assert cats["III.1"] == "strength" and cats["III.2"] == "limitation"
    assert all(c == "recommendation" for s, c in cats.items() if re.match(r"IV\.", s))


def test_docx_and_pdf_trees_agree(corpus):
    a, b = _doc(corpus, DRAFT), _doc(corpus, SIGNED)
    pa = [(r["path"], r["level"]) for r in _sections(corpus, a)]
    pb = [(r["path"], r["level"]) for r in _sections(corpus, b)]
    same = sum(1 for x in pa if x in set(pb))
    print(f"\nLâm Đồng draft DOCX vs signed PDF: {len(pa)} / {len(pb)} sections, {same} paths shared")
    assert same / max(len(pa), len(pb)) >= 0.9
