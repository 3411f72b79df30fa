"""A document whose number was left unread, identified by a citation elsewhere in the corpus
(pipeline/analysis/cited_numbers.py). Letters written for these tests; the unread number
is a blank slot, as the text of a scan whose number was written by hand."""

from pipeline.analysis.cited_numbers import same_subject

TO_TRINH = ("BỘ CÔNG AN\nCÔNG AN TỈNH LÂM ĐỒNG\nSố:      /TTr-CAT-PC04\n\n"
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"
            "Lâm Đồng, ngày {day} tháng 10 năm 2025\n\nTỜ TRÌNH\n\n"
            "V/v xin chủ trương tổ chức cai nghiện ma túy tự nguyện tại gia đình, cộng đồng trên địa bàn tỉnh\n\n"
            "Kính gửi: Đồng chí Chủ tịch UBND tỉnh Lâm Đồng.\n\n"
            "Hiện nay số người nghiện ma túy ngoài xã hội còn nhiều, việc cai nghiện tự nguyện tại gia đình, "
            "cộng đồng chưa được tổ chức đồng bộ. Công an tỉnh kính trình Chủ tịch UBND tỉnh xem xét, cho chủ trương.\n")

PHIEU = ("VĂN PHÒNG UBND TỈNH LÂM ĐỒNG\nPHÒNG NỘI CHÍNH\n\nPHIẾU TRÌNH\n\n"
         "V/v tổ chức cai nghiện ma túy tự nguyện tại gia đình, cộng đồng trên địa bàn tỉnh\n\n"
         "Kính gửi: Đồng chí Chánh Văn phòng.\n\n"
         "Văn bản đến: {cited} của Công an tỉnh.\n\n"
         "Đề xuất: giao Sở Y tế chủ trì, phối hợp Công an tỉnh tham mưu kế hoạch thực hiện.\n")

CITED = "Tờ trình số 298/TTr-CAT-PC04 ngày 24/10/2025"


def _ingest(ingest_into, folder, files: dict):
    """Write `files` into `folder` and ingest the folder into a database of its own."""
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    db = ingest_into(folder, db_name=f"{folder.name}.db")[1]
    assert db["documents"].count == len(list(folder.iterdir()))
    return db


def _number(db, name):
    return next(db.query("select number_symbol, issued_date from documents where path like ?",
                         [f"%{name}"]))


def test_a_cover_sheet_identifies_the_letter_and_its_citation_links_to_it(ingest_into, tmp_path):
    db = _ingest(ingest_into, tmp_path / "in", {
        "to_trinh.txt": TO_TRINH.format(day="…"), "phieu.txt": PHIEU.format(cited=CITED)})
    assert dict(_number(db, "to_trinh.txt")) == {"number_symbol": "298/TTr-CAT-PC04", "issued_date": "2025-10-24"}
    target = next(db.query("select id from documents where path like '%to_trinh.txt'"))["id"]
    cites = list(db.query("select target_document_id from citations where canonical = '298/TTr-CAT-PC04'"))
    assert cites and {c["target_document_id"] for c in cites} == {target}
    basis = next(db.query("select n.*, d.text from cited_numbers n join documents d on d.id = n.basis_document_id"))
    assert basis["text"][basis["basis_start"]:basis["basis_end"]].startswith("Tờ trình số 298/TTr-CAT-PC04")


def test_the_citing_document_may_come_in_a_later_batch(ingest_into, tmp_path):
    folder = tmp_path / "in"
    db = _ingest(ingest_into, folder, {"to_trinh.txt": TO_TRINH.format(day="24")})
    assert _number(db, "to_trinh.txt")["number_symbol"] is None
    db = _ingest(ingest_into, folder, {"phieu.txt": PHIEU.format(cited=CITED)})
    assert _number(db, "to_trinh.txt")["number_symbol"] == "298/TTr-CAT-PC04"
    db = _ingest(ingest_into, folder, {})  # again: nothing duplicated, nothing lost
    assert db["cited_numbers"].count == 1
    assert _number(db, "to_trinh.txt")["number_symbol"] == "298/TTr-CAT-PC04"


def test_nothing_is_identified_unless_everything_printed_agrees(ingest_into, tmp_path):
    cases = {
        "another year": CITED.replace("/2025", "/2024"),
        "another month": CITED.replace("24/10", "24/11"),
        "another day than the printed one": CITED.replace("24/10", "23/10"),
        "another suffix": CITED.replace("TTr-CAT-PC04", "TTr-CAT-PC02"),
    }
    for k, (why, cited) in enumerate(cases.items()):
        folder = tmp_path / f"in{k}"
        db = _ingest(ingest_into, folder, {"to_trinh.txt": TO_TRINH.format(day="24"),
                                            "phieu.txt": PHIEU.format(cited=cited)})
        assert _number(db, "to_trinh.txt")["number_symbol"] is None, why


def test_another_subject_two_candidates_or_a_draft_give_nothing(ingest_into, tmp_path):
    other = PHIEU.replace("tổ chức cai nghiện ma túy tự nguyện tại gia đình, cộng đồng trên địa bàn tỉnh",
                          "bố trí kinh phí mua sắm trang thiết bị cho phòng cháy, chữa cháy năm 2026")
    db = _ingest(ingest_into, tmp_path / "a", {"to_trinh.txt": TO_TRINH.format(day="24"),
                                                "phieu.txt": other.format(cited=CITED)})
    assert _number(db, "to_trinh.txt")["number_symbol"] is None
    db = _ingest(ingest_into, tmp_path / "b", {
        "to_trinh.txt": TO_TRINH.format(day="…"), "phieu.txt": PHIEU.format(cited=CITED),
        "phieu2.txt": PHIEU.format(cited=CITED.replace("298/", "301/"))})
    assert _number(db, "to_trinh.txt")["number_symbol"] is None
    draft = TO_TRINH.replace("TỜ TRÌNH\n", "DỰ THẢO\n\nTỜ TRÌNH\n")
    db = _ingest(ingest_into, tmp_path / "c", {"to_trinh.txt": draft.format(day="…"),
                                                "phieu.txt": PHIEU.format(cited=CITED)})
    assert _number(db, "to_trinh.txt")["number_symbol"] is None


def test_same_subject_wants_most_words_shared():
    a = "xin chủ trương tổ chức cai nghiện ma túy tự nguyện tại gia đình, cộng đồng"
    assert same_subject(a, "tổ chức cai nghiện ma túy tự nguyện tại gia đình, cộng đồng trên địa bàn")
    assert not same_subject(a, "phòng, chống ma túy năm 2026")  # a topic's words are not a subject
    assert not same_subject(a, None)
