"""A document's own number read from its annex caption when the header's slot is unread
(pipeline/analysis/own_number.py). Texts written for these tests."""
import pytest

from pipeline.analysis.own_number import from_annex_caption

HEADER = ("SỞ NỘI VỤ TỈNH LÂM ĐỒNG\nSố: …/SNV-CCVC\nV/v cử công chức tham gia đoàn kiểm tra\n\n"
          "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"
          "Lâm Đồng, ngày … tháng 3 năm 2025\n\n"
          "Kính gửi: Các sở, ban, ngành thuộc tỉnh.\n\n"
          "Thực hiện Kế hoạch kiểm tra công tác cải cách hành chính năm 2025, Sở Nội vụ đề nghị các cơ quan "
          "cử công chức tham gia đoàn kiểm tra theo danh sách kèm theo.\n\nNơi nhận:\n- Như trên;\n- Lưu: VT.\n\n"
          "GIÁM ĐỐC\n\nDANH SÁCH\n")


def _header_end(text: str) -> int:
    return text.index("Kính gửi")


@pytest.mark.parametrize("caption, want", [
    ("(Kèm theo Công văn số 412/SNV-CCVC ngày 05 tháng 3 năm 2025 của Sở Nội vụ)",
     ("412/SNV-CCVC", "2025-03-05")),
    ("(Kèm theo Công văn sô: 412/SNV-CCVC ngày 5/3/2025)", ("412/SNV-CCVC", "2025-03-05")),  # OCR's "sô"
    ("(Kèm theo Công văn số 412/SNV-CCVC)", ("412/SNV-CCVC", None)),
    # another document's suffix, another type, a month the header contradicts: not this one's
    ("(Kèm theo Công văn số 412/UBND-NC ngày 05 tháng 3 năm 2025)", None),
    ("(Kèm theo Kế hoạch số 412/SNV-CCVC ngày 05 tháng 3 năm 2025)", None),
    ("(Kèm theo Công văn số 412/SNV-CCVC ngày 05 tháng 4 năm 2025)", None),
    ("(Kèm theo Công văn số 412/SNV-CCVC ngày 05 tháng 3 năm 2024)", None),
    # the suffix must end where the caption's symbol ends
    ("(Kèm theo Công văn số 412/SNV-CCVC-TH ngày 05 tháng 3 năm 2025)", None),
])
def test_caption_gives_the_number_only_when_it_is_this_documents(caption, want):
    text = HEADER + caption + "\n1. Ông Nguyễn Văn An, chuyên viên.\n"
    got = from_annex_caption(text, _header_end(text), "Công văn", None)
    assert (got and (got["number_symbol"], got["issued_date"])) == (want or None)
    if got:  # provenance: the caption's words
        assert text[got["start"]:got["end"]].lower().startswith("kèm theo công văn")


def test_captions_that_disagree_give_nothing():
    text = (HEADER + "(Kèm theo Công văn số 412/SNV-CCVC ngày 05 tháng 3 năm 2025)\n1. Ông A.\n\nPHỤ LỤC II\n"
            "(Kèm theo Công văn số 421/SNV-CCVC ngày 05 tháng 3 năm 2025)\n1. Bà B.\n")
    assert from_annex_caption(text, _header_end(text), "Công văn", None) is None


def test_a_printed_number_or_a_stated_date_wins():
    printed = HEADER.replace("Số: …/SNV-CCVC", "Số: 398/SNV-CCVC") + "(Kèm theo Công văn số 412/SNV-CCVC)\n"
    assert from_annex_caption(printed, _header_end(printed), "Công văn", None) is None
    text = HEADER + "(Kèm theo Công văn số 412/SNV-CCVC ngày 05 tháng 3 năm 2025)\n"
    assert from_annex_caption(text, _header_end(text), "Công văn", "2025-03-06") is None


def test_ingested_letter_takes_its_number_from_the_caption(ingest_into, tmp_path):
    """End to end: the number and the day are stored, and the caption is no citation."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "cv.txt").write_text(
        HEADER + "(Kèm theo Công văn số 412/SNV-CCVC ngày 05 tháng 3 năm 2025 của Sở Nội vụ)\n"
        "1. Ông Nguyễn Văn An, chuyên viên Phòng Công chức.\n", encoding="utf-8")
    db = ingest_into(tmp_path / "in")[1]
    doc = next(db.query("select id, number_symbol, issued_date from documents"))
    assert (doc["number_symbol"], doc["issued_date"]) == ("412/SNV-CCVC", "2025-03-05")
    forms = [r["form"] for r in db.query("select form from citations where canonical = '412/SNV-CCVC'")]
    assert forms and set(forms) == {"self"}
