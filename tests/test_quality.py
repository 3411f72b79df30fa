"""The text-quality gate (pipeline/text/quality.py): Vietnamese syllable rule, token classes,
lost diacritics, glyph repairs; and its effect on stored documents."""
from __future__ import annotations

import time
import unicodedata

import pytest

from pipeline.text.quality import THRESHOLD, assess, is_syllable, repair, token_kind

CLEAN = (
    "Ủy ban nhân dân huyện đã tổ chức 12 hội nghị tuyên truyền về cải cách hành chính, "
    "thu hút 1.350 lượt người tham dự. Thực hiện Nghị định số 61/2018/NĐ-CP ngày 23/4/2018 "
    "của Chính phủ, bộ phận một cửa đã tiếp nhận 8.214 hồ sơ, giải quyết đúng hạn 8.031 hồ "
    "sơ, đạt tỷ lệ 97,77%. UBND các xã tiếp tục rà soát, đơn giản hóa thủ tục; việc luân "
    "chuyển công chức được thực hiện theo Kế hoạch số 102/KH-UBND, bảo đảm khách quan, "
    "đúng quy trình và nâng cao chất lượng phục vụ người dân, doanh nghiệp trên địa bàn."
)


def strip_marks(text: str) -> str:
    out = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return out.replace("đ", "d").replace("Đ", "D")


@pytest.mark.parametrize("word", [
    "nghiệp", "người", "hoạch", "khuyến", "thuế", "quyết", "quỳnh", "giường", "gì", "việc",
    "được", "CỘNG", "Hạnh", "phúc", "ương", "uống", "khoảng", "tuyển", "xoong", "yêu", "ủy",
    "thuở", "luật", "khuya", "nguyệt", "oanh", "huỳnh", "giữa",
])
def test_valid_syllables(word):
    assert is_syllable(word)


@pytest.mark.parametrize("word", [
    "BØC", "HØI", "cac",  # stop coda without its tone
    "viet", "nghiep",  # "ie" needs its circumflex
    "thưc",  # stop coda needs sắc or nặng
    "ngàyy", "khônng", "Facebook", "tớỉ",  # two tones
    "strong", "anhh", "ƣu",
])
def test_invalid_syllables(word):
    assert not is_syllable(word)


@pytest.mark.parametrize("token,kind", [
    ("63/2010/NĐ-CP", "symbol"), ("132-KL/TW", "symbol"), ("BCA-C04", "symbol"),
    ("16.657.859.964", "number"), ("97,79%", "number"), ("(16/4/2025)", "number"),
    ("UBND", "abbr"), ("TTg", "abbr"), ("HĐND,", "abbr"), ("sau:", "syllable"),
    ("chính¹", "syllable"), ("1,8mm", "number"), ("–", None), ("a)", None),
    ("BØC", "invalid"), ("hien", "invalid"), ("|", "invalid"), ("¡", "invalid"),
    ("—", None), ("./.", None),
])
def test_token_kinds(token, kind):
    assert token_kind(token) == kind


def test_clean_text_passes():
    q = assess(CLEAN)
    assert q.ok and q.score >= 0.95 and q.tokens > 80


def test_lost_diacritics_are_caught():
    q = assess(strip_marks(CLEAN))
    assert not q.ok and q.reason == "text without diacritics"
    assert q.score < 0.2


def test_wrong_font_mapping_is_caught():
    # Glyphs mapped to the wrong code points (a broken font): the shape of "298 PC04.pdf"
    # (every precomposed letter with a tone mark below or a hook lands on a Latin-1 glyph).
    wrong = dict(zip("ộươạảệấốềịủờợồữậụọỉẩ", "ØùôøØÖÊæÒßÞ×ÛÔÐÆÚÓÑÉ"))
    broken = CLEAN.translate(str.maketrans(wrong))
    q = assess(broken)
    assert not q.ok and q.score < THRESHOLD


def test_short_text_is_not_judged():
    assert assess("BØC ÔNG AN").ok
    assert assess("").ok and assess("").score == 1.0


def test_repair_keeps_offsets():
    text = "Báo cáo tình hình thƣơng mại, Ƣu tiên Ðảng ủy"
    fixed = repair(text)
    assert fixed == "Báo cáo tình hình thương mại, Ưu tiên Đảng ủy"
    assert len(fixed) == len(text)


def test_gate_is_fast():
    """About 100k tokens a second: a 40-page report costs well under a second."""
    text = " ".join([CLEAN] * 200)  # ~18k tokens
    assess(text)  # warm the syllable cache as a real document would
    t0 = time.perf_counter()
    assess(text)
    assert time.perf_counter() - t0 < 1.0


def test_txt_with_lost_diacritics_is_partial(ingest_into, tmp_path):
    good, bad = tmp_path / "tot.txt", tmp_path / "mat-dau.txt"
    good.write_text(CLEAN, encoding="utf-8")
    bad.write_text(strip_marks(CLEAN) + "\n\n" + strip_marks(CLEAN), encoding="utf-8")
    _, db = ingest_into(good, bad)
    status = {r["path"].rsplit("/", 1)[-1]: r for r in db.query("select path, status, warnings from documents")}
    assert status["tot.txt"]["status"] == "ok"
    assert status["mat-dau.txt"]["status"] == "partial"
    assert "text without diacritics" in status["mat-dau.txt"]["warnings"]
