"""Small metadata rules found by the blind evaluation (tests/data/metadata_blind)."""
from __future__ import annotations

import pytest

from pipeline.analysis.structure import _place_words


@pytest.mark.parametrize("words, place", [
    ("TP.Cần Thơ", "Cần Thơ"),          # the city prefix glued to the name
    ("Tp.Đà Lạt", "Đà Lạt"),
    ("Lâm Đồng", "Lâm Đồng"),
])
def test_place_words(words, place):
    assert _place_words(words) == place


def test_phieu_trinh_is_a_type(ingest_into, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "pt.txt").write_text(
        "VĂN PHÒNG UBND TỈNH\nPHÒNG NỘI CHÍNH\n\nPHIẾU TRÌNH\n\nV/v giao nhiệm vụ rà soát thủ tục hành chính\n\n"
        "Kính gửi: Đồng chí Chánh Văn phòng.\n\nNgày 12/9/2025, Bộ Nội vụ có Công văn số 8151/BNV-CCHC về việc "
        "góp ý dự thảo báo cáo. Đề xuất giao Sở Nội vụ chủ trì tham mưu.\n", encoding="utf-8")
    _summary, db = ingest_into(tmp_path / "in")
    assert next(db.query("select doc_type from documents"))["doc_type"] == "Phiếu trình"
