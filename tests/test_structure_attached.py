"""A text issued with a decision ("CHƯƠNG TRÌNH … (Ban hành kèm theo Quyết định số …)"),
printed after the decision's signature, is a body of its own type: its assessment and its
tasks are findings, classified as a programme's, while the decision's signer stays the signer."""

_DECISION = """ỦY BAN NHÂN DÂN
TỈNH HẬU GIANG

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

Số: 118/QĐ-UBND
Hậu Giang, ngày 14 tháng 3 năm 2023

QUYẾT ĐỊNH

Ban hành Chương trình chuyển đổi số tỉnh Hậu Giang giai đoạn 2023 - 2025

ỦY BAN NHÂN DÂN TỈNH HẬU GIANG

Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;

Xét đề nghị của Giám đốc Sở Thông tin và Truyền thông.

QUYẾT ĐỊNH:

Điều 1. Ban hành kèm theo Quyết định này Chương trình chuyển đổi số tỉnh Hậu Giang giai đoạn 2023 - 2025.

Điều 2. Quyết định này có hiệu lực kể từ ngày ký.

Điều 3. Chánh Văn phòng UBND tỉnh, Giám đốc các sở, ngành tỉnh và Chủ tịch UBND các huyện chịu trách nhiệm thi hành Quyết định này./.

{nơi_nhận}
- Như Điều 3;
- Lưu: VT.

TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH

Trần Văn Hòa

ỦY BAN NHÂN DÂN
TỈNH HẬU GIANG

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

{loại}

Chuyển đổi số tỉnh Hậu Giang giai đoạn 2023 - 2025
(Ban hành kèm theo Quyết định số 118/QĐ-UBND ngày 14/3/2023
của Ủy ban nhân dân tỉnh Hậu Giang)

I. ĐÁNH GIÁ KẾT QUẢ GIAI ĐOẠN TRƯỚC

1. Kết quả đạt được

Hạ tầng mạng của các cơ quan nhà nước được nâng cấp, 100% xã, phường kết nối mạng truyền số liệu chuyên dùng, nhiều dịch vụ công được cung cấp trực tuyến toàn trình.

2. Hạn chế

Tỷ lệ hồ sơ nộp trực tuyến còn thấp, nhiều cán bộ cấp xã chưa thành thạo kỹ năng số.

II. NHIỆM VỤ VÀ GIẢI PHÁP

1. Hoàn thiện kho dữ liệu dùng chung của tỉnh, kết nối với cơ sở dữ liệu quốc gia về dân cư.

2. Đào tạo kỹ năng số cho cán bộ, công chức cấp xã.
"""


def _ingest(ingest_into, tmp_path, nơi_nhận="Nơi nhận:", loại="CHƯƠNG TRÌNH"):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "qd118.txt").write_text(
        _DECISION.replace("{nơi_nhận}", nơi_nhận).replace("{loại}", loại), encoding="utf-8")
    return ingest_into(tmp_path / "in")[1]


def _findings(db):
    return {r["text"][:30]: r["category"] for r in db.query("select text, category from findings")}


def test_programme_after_the_signature_is_read_as_a_programme(ingest_into, tmp_path):
    db = _ingest(ingest_into, tmp_path)
    f = _findings(db)
    assert f["Hạ tầng mạng của các cơ quan n"] == "strength"
    assert f["Tỷ lệ hồ sơ nộp trực tuyến còn"] == "limitation"
    assert f["Hoàn thiện kho dữ liệu dùng ch"] == "recommendation"  # the programme's own task
    assert f["Đào tạo kỹ năng số cho cán bộ,"] == "recommendation"
    # its title lines and caption are no findings; the decision is still the document
    assert not any(k.startswith(("Chuyển đổi số tỉnh", "(Ban hành", "CHƯƠNG")) for k in f)
    doc = next(db.query("select doc_type, number_symbol from documents"))
    assert (doc["doc_type"], doc["number_symbol"]) == ("Quyết định", "118/QĐ-UBND")


def test_without_the_caption_nothing_after_the_signature_is_a_finding(ingest_into, tmp_path):
    """The type line alone (a copy of the decision's own header, a second page) proves nothing."""
    db = _ingest(ingest_into, tmp_path)
    text = next(db.query("select text from documents"))["text"]
    assert "(Ban hành kèm theo" in text
    (tmp_path / "in2").mkdir()
    (tmp_path / "in2" / "qd118.txt").write_text(
        _DECISION.replace("{nơi_nhận}", "Nơi nhận:").replace("{loại}", "CHƯƠNG TRÌNH")
        .replace("(Ban hành kèm theo Quyết định số 118/QĐ-UBND ngày 14/3/2023\n"
                 "của Ủy ban nhân dân tỉnh Hậu Giang)", ""), encoding="utf-8")
    db2 = ingest_into(tmp_path / "in2", db_name="no_caption.db")[1]
    assert not any(k.startswith(("Hạ tầng mạng", "Hoàn thiện kho")) for k in _findings(db2))


def test_misread_signature_block_and_type_line(ingest_into, tmp_path):
    """OCR misread "Nơi nhận" and the type line ("KÉ HOẠCH"): the caption still marks where
    the plan starts, so the recipient list before it is no finding and the plan is a plan."""
    db = _ingest(ingest_into, tmp_path, nơi_nhận="NơI nhận:", loại="KÉ HOẠCH")
    f = _findings(db)
    assert f["Hoàn thiện kho dữ liệu dùng ch"] == "recommendation"
    assert f["Tỷ lệ hồ sơ nộp trực tuyến còn"] == "limitation"
    assert not any(k.startswith(("Như Điều 3", "- Như Điều 3", "Lưu")) for k in f)


def test_caption_without_parentheses(ingest_into, tmp_path):
    """"Ban hành kèm theo Quyết định số …" printed without parentheses (or OCR lost them), its
    issuer on the next line: the same programme, and the issuer line is no finding."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "qd118.txt").write_text(
        _DECISION.replace("{nơi_nhận}", "Nơi nhận:").replace("{loại}", "CHƯƠNG TRÌNH")
        .replace("(Ban hành kèm theo", "Ban hành kèm theo").replace("tỉnh Hậu Giang)", "tỉnh Hậu Giang"),
        encoding="utf-8")
    db = ingest_into(tmp_path / "in")[1]
    f = _findings(db)
    assert f["Hoàn thiện kho dữ liệu dùng ch"] == "recommendation"
    assert f["Tỷ lệ hồ sơ nộp trực tuyến còn"] == "limitation"
    assert not any(k.startswith(("của Ủy ban", "Chuyển đổi số tỉnh", "Ban hành kèm theo Quyết định số")) for k in f)
