"""Document identity in the corpus (issue 10): a document is not its own citation, the same
content under two paths of one batch is stored once, and one symbol cited with two
different dates is flagged as a conflict. Fixtures written here."""
from __future__ import annotations

import io
import pytest
import json
from contextlib import redirect_stdout

from pipeline.analysis.citations import is_own_symbol
from pipeline.cli import main

DECREE = """CHÍNH PHỦ

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

Số: 77/2023/NĐ-CP

Hà Nội, ngày 14 tháng 9 năm 2023

NGHỊ ĐỊNH
Quy định về quản lý kho lưu trữ số của cơ quan nhà nước

Căn cứ Luật Tổ chức Chính phủ ngày 19 tháng 6 năm 2015;
Căn cứ Luật Lưu trữ ngày 11 tháng 11 năm 2011;
Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;
Theo đề nghị của Bộ trưởng Bộ Nội vụ;
Chính phủ ban hành Nghị định quy định về quản lý kho lưu trữ số của cơ quan nhà nước.

Chương I
QUY ĐỊNH CHUNG

Điều 1. Phạm vi điều chỉnh
Nghị định này quy định việc xây dựng, vận hành và bảo vệ kho lưu trữ số của cơ quan nhà nước.

Điều 2. Biểu mẫu
Các biểu mẫu ban hành kèm theo Nghị định số 77/2023/NĐ-CP được áp dụng thống nhất trong cả nước.

Điều 3. Hiệu lực thi hành
Nghị định này có hiệu lực từ ngày 01 tháng 11 năm 2023.

TM. CHÍNH PHỦ
THỦ TƯỚNG

Phạm Văn Minh

Phụ lục
DANH MỤC BIỂU MẪU
(Kèm theo Nghị định số 77/2023/NĐ-CP ngày 14 tháng 9 năm 2023 của Chính phủ)

Mẫu số 01. Sổ đăng ký hồ sơ lưu trữ số.
Mẫu số 02. Biên bản giao nhận tài liệu lưu trữ số.
"""

REPORT = """ỦY BAN NHÂN DÂN TỈNH PHÚ YÊN

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

Số: 12/BC-UBND

Phú Yên, ngày 20 tháng 01 năm 2025

BÁO CÁO
Kết quả triển khai kho lưu trữ số năm 2024

Thực hiện Nghị định số 77/2023/NĐ-CP ngày 14/9/2023 của Chính phủ quy định về quản lý kho lưu trữ số, tiếp theo Báo cáo số 12/BC-UBND ngày 15/01/2024 của Ủy ban nhân dân tỉnh, Ủy ban nhân dân tỉnh báo cáo như sau.

1. Kết quả
Toàn tỉnh đã số hóa 1.250 hồ sơ theo Nghị định số 77/2023/NĐ-CP.
"""


def run(*argv) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(list(argv))
    return code, out.getvalue()


def test_own_symbol_rules():
    own, date = "77/2023/NĐ-CP", "2023-09-14"
    assert is_own_symbol("77/2023/NĐ-CP", None, 2023, own, date)
    assert is_own_symbol("77/2023/NĐ-CP", date, 2023, own, date)
    assert not is_own_symbol("77/2023/NĐ-CP", "2023-10-02", 2023, own, date)  # another date
    assert not is_own_symbol("77/2022/NĐ-CP", None, 2022, own, date)  # another year
    assert not is_own_symbol("78/2023/NĐ-CP", None, 2023, own, date)
    # a number without a year in its symbol: the date decides
    assert is_own_symbol("12/BC-UBND", None, None, "12/BC-UBND", "2025-01-20")
    assert not is_own_symbol("12/BC-UBND", "2024-01-15", 2024, "12/BC-UBND", "2025-01-20")
    assert not is_own_symbol("12/BC-UBND", None, 2024, "12/BC-UBND", "2025-01-20")
    assert not is_own_symbol("12/BC-UBND", None, None, None, None)


def test_a_document_is_not_its_own_citation(tmp_path, ingest_into):
    (tmp_path / "in").mkdir()
    decree = tmp_path / "in" / "nghi-dinh-77.txt"
    report = tmp_path / "in" / "bao-cao-12.txt"
    decree.write_text(DECREE, encoding="utf-8")
    report.write_text(REPORT, encoding="utf-8")
    summary, db = ingest_into(tmp_path / "in")
    assert not summary.failed
    docs = {r["path"].rsplit("/", 1)[-1]: r for r in db.query("select * from documents")}
    d, r = docs["nghi-dinh-77.txt"], docs["bao-cao-12.txt"]
    assert (d["number_symbol"], d["issued_date"]) == ("77/2023/NĐ-CP", "2023-09-14")
    assert (r["number_symbol"], r["issued_date"]) == ("12/BC-UBND", "2025-01-20")
    own = [dict(c) for c in db.query(
        "select * from citations where document_id = ? and canonical = ?", [d["id"], "77/2023/NĐ-CP"])]
    # "ban hành kèm theo Nghị định số 77/2023/NĐ-CP" and the annex caption
    assert len(own) >= 2 and all(c["form"] == "self" for c in own), own
    assert all(c["target_document_id"] == d["id"] and c["cited_document_id"] is None for c in own)
    text = d["text"]
    assert all(text[c["start"]:c["end"]] == c["surface"] for c in own)
    # cited-by: the report's two mentions, none from the decree itself
    code, out = run("cited-by", "nđ 77/2023", "--db", str(tmp_path / "corpus.db"), "--format", "json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 2
    assert {x["document_id"] for x in rows} == {r["id"]}
    # cites: the decree cites Nghị định 30/2020 (and the laws), not itself
    code, out = run("cites", str(d["id"]), "--db", str(tmp_path / "corpus.db"), "--format", "json")
    cited = {x["cited"] for x in json.loads(out)}
    assert "30/2020/NĐ-CP" in cited and "77/2023/NĐ-CP" not in cited
    # the report's own number, last year's report of the same number is a real citation
    last_year = [dict(c) for c in db.query(
        "select * from citations where document_id = ? and canonical = ?", [r["id"], "12/BC-UBND"])]
    assert [(c["form"], c["issued_date"]) for c in last_year] == [("full", "2024-01-15")]
    # cited_documents counts the report's mentions only
    cd = next(iter(db.query("select * from cited_documents where canonical = ?", ["77/2023/NĐ-CP"])))
    assert (cd["mentions"], cd["citing_documents"], cd["target_document_id"]) == (2, 1, d["id"])


def test_same_content_under_two_paths_of_one_batch_is_stored_once(tmp_path, ingest_into):
    """Two folders ingested together, both holding the same report (and the same file
    listed twice): one document; the copies are reported unchanged, naming the original."""
    a, b = tmp_path / "phong-noi-vu", tmp_path / "van-phong"
    a.mkdir()
    b.mkdir()
    (a / "bao-cao-12.txt").write_text(REPORT, encoding="utf-8")
    (b / "ban-sao bao cao 12.txt").write_text(REPORT, encoding="utf-8")
    (b / "nghi-dinh-77.txt").write_text(DECREE, encoding="utf-8")
    summary, db = ingest_into(a, b, a / "bao-cao-12.txt")
    assert db["documents"].count == 2
    assert sorted(o.status for o in summary.outcomes) == ["ingested", "ingested", "unchanged", "unchanged"]
    original = str(a / "bao-cao-12.txt")
    first, = [o for o in summary.outcomes if o.path == original and o.status == "ingested"]
    copy, = [o for o in summary.outcomes if o.path.endswith("ban-sao bao cao 12.txt")]
    assert copy.status == "unchanged" and copy.reason == f"same content as {original}"
    assert copy.document_id == first.document_id
    twice, = [o for o in summary.outcomes if o.path == original and o.status == "unchanged"]
    assert twice.reason == "listed twice" and twice.document_id == first.document_id
    # the report's citations are stored once
    assert db.execute("select count(*) from citations where canonical = '77/2023/NĐ-CP'"
                      " and form != 'self'").fetchone()[0] == 2
    # the CLI says so
    code, out = run("ingest", str(a), str(b), "--db", str(tmp_path / "cli.db"), "-q")
    assert code == 0 and "2 ingested, 1 unchanged" in out


def test_copy_of_an_unreadable_file_fails_with_it(tmp_path, ingest_into):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    for folder in (a, b):
        (folder / "rong.txt").write_text("", encoding="utf-8")
    summary, db = ingest_into(a, b)
    assert [o.status for o in summary.outcomes] == ["failed", "failed"]
    copy, = [o for o in summary.outcomes if o.path == str(b / "rong.txt")]
    assert copy.reason == f"empty file (0 bytes) (same content as {a / 'rong.txt'})"
    # each path keeps its failed row (retried on the next ingest)
    assert db["documents"].count == 2 and copy.document_id is not None


def _report(place: str, number: int, body: str) -> str:
    return (f"ỦY BAN NHÂN DÂN HUYỆN {place.upper()}\n\nSố: {number}/BC-UBND\n\n"
            f"{place}, ngày 10 tháng 3 năm 2024\n\nBÁO CÁO\nKết quả chuyển đổi số năm 2023\n\n{body}\n")


def test_one_symbol_cited_with_two_dates_is_a_conflict(tmp_path, ingest_into):
    """06/QĐ-TTg dated 06/01/2022 in one report and 07/01/2022 in another: one of them is
    wrong; both identities are kept and flagged. A 06/QĐ-TTg of 2023 is another decision
    (numbers restart every year), and a symbol with its year conflicts across years too."""
    folder = tmp_path / "in"
    folder.mkdir()
    texts = {
        "a.txt": _report("Krông Pắc", 21, "Thực hiện Quyết định số 06/QĐ-TTg ngày 06/01/2022 của Thủ "
                         "tướng Chính phủ về phát triển dữ liệu dân cư, huyện đã cấp 5.200 tài khoản định "
                         "danh. Căn cứ Nghị định số 45/2020/NĐ-CP ngày 08/4/2020 của Chính phủ, huyện "
                         "đã tiếp nhận 310 hồ sơ trực tuyến."),
        "b.txt": _report("Ea Kar", 34, "Triển khai Quyết định số 06/QĐ-TTg ngày 07/01/2022 của Thủ tướng "
                         "Chính phủ, huyện đã thu nhận 4.100 hồ sơ căn cước. Theo Nghị định số "
                         "45/2020/NĐ-CP ngày 09/4/2021 của Chính phủ, huyện đã tiếp nhận 280 hồ sơ."),
        "c.txt": _report("Cư Kuin", 9, "Thực hiện Quyết định số 06/QĐ-TTg ngày 05/01/2023 của Thủ tướng "
                         "Chính phủ về chương trình năm 2023, huyện đã tổ chức 12 lớp tập huấn."),
    }
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    summary, db = ingest_into(folder)
    assert not summary.failed
    cds = {(r["canonical"], r["issued_date"]): r["conflict"] for r in db.query(
        "select canonical, issued_date, conflict from cited_documents where kind = 'document'")}
    assert cds[("06/QĐ-TTg", "2022-01-06")] == "06/QĐ-TTg also cited with date 2022-01-07"
    assert cds[("06/QĐ-TTg", "2022-01-07")] == "06/QĐ-TTg also cited with date 2022-01-06"
    assert cds[("06/QĐ-TTg", "2023-01-05")] is None
    assert cds[("45/2020/NĐ-CP", "2020-04-08")] == "45/2020/NĐ-CP also cited with date 2021-04-09"
    assert cds[("45/2020/NĐ-CP", "2021-04-09")] == "45/2020/NĐ-CP also cited with date 2020-04-08"
    # not merged: three identities for 06/QĐ-TTg
    assert sum(1 for c, _d in cds if c == "06/QĐ-TTg") == 3
    # cited-by shows it, in every format
    code, out = run("cited-by", "06/QĐ-TTg", "--db", str(tmp_path / "corpus.db"), "--format", "json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 3
    flagged = {r["cited_date"]: r["conflict"] for r in rows}
    assert flagged["2022-01-06"] and flagged["2022-01-07"] and flagged["2023-01-05"] is None
    code, out = run("cited-by", "06/QĐ-TTg", "--db", str(tmp_path / "corpus.db"))
    assert "conflict" in out and "also cited with date" in out
    # and `cites` lists it among the document's flags
    a_id = next(iter(db.query("select id from documents where path like '%a.txt'")))["id"]
    code, out = run("cites", str(a_id), "--db", str(tmp_path / "corpus.db"), "--format", "json")
    flags = {g["cited"]: g["flags"] for g in json.loads(out)}
    assert "2022-01-07" in (flags["06/QĐ-TTg"] or "")


def test_a_path_that_becomes_a_copy_loses_its_old_document(tmp_path, ingest_into):
    """b.txt held the decree; now it holds the same report as a.txt: the decree's rows go
    and the report is stored once (in the same batch as a.txt, or in a later one)."""
    folder = tmp_path / "in"
    folder.mkdir()
    a, b = folder / "a.txt", folder / "b.txt"
    b.write_text(DECREE, encoding="utf-8")
    ingest_into(b)
    a.write_text(REPORT, encoding="utf-8")
    b.write_text(REPORT, encoding="utf-8")
    summary, db = ingest_into(folder)  # one batch
    assert sorted(o.status for o in summary.outcomes) == ["ingested", "unchanged"]
    assert [r["path"] for r in db.query("select path from documents")] == [str(a)]
    assert not list(db.query("select 1 from citations where document_id not in (select id from documents)"))
    # a later batch: b.txt back to the decree, then again a copy of a.txt
    b.write_text(DECREE, encoding="utf-8")
    ingest_into(b)
    assert db["documents"].count == 2
    b.write_text(REPORT, encoding="utf-8")
    summary, db = ingest_into(b)
    assert [(o.status, o.reason) for o in summary.outcomes] == [("unchanged", f"same content as {a}")]
    assert db["documents"].count == 1
    assert not list(db.query("select 1 from cited_documents where canonical = '30/2020/NĐ-CP'"))


# ---- issue 10: one law by name and by number; declared aliases corpus-wide -----------------
LAW_DECREE = """CHÍNH PHỦ

Số: 15/2025/NĐ-CP

Hà Nội, ngày 03 tháng 3 năm 2025

NGHỊ ĐỊNH
Quy định chức năng, nhiệm vụ của các cơ quan thuộc Chính phủ

Căn cứ Luật Tổ chức Chính phủ số 63/2025/QH15 ngày 18 tháng 02 năm 2025;
Căn cứ Luật Đất đai năm 2024;
Chính phủ ban hành Nghị định quy định chức năng, nhiệm vụ của các cơ quan thuộc Chính phủ.

Điều 1. Phạm vi điều chỉnh
Theo quy định của Luật Tổ chức Chính phủ, các bộ thực hiện chức năng quản lý nhà nước về ngành, lĩnh vực.
"""

LAW_REPORT = """ỦY BAN NHÂN DÂN HUYỆN KRÔNG BÔNG

Số: 40/BC-UBND

Krông Bông, ngày 10 tháng 4 năm 2025

BÁO CÁO
Kết quả sắp xếp tổ chức bộ máy quý I năm 2025

Thực hiện Quyết định số 06/QĐ-TTg ngày 06/01/2022 của Thủ tướng Chính phủ phê duyệt Đề án phát triển ứng dụng dữ liệu về dân cư, định danh và xác thực điện tử giai đoạn 2022 - 2025 (viết tắt là Đề án 06), huyện đã cấp 3.400 tài khoản định danh.

Căn cứ Luật Tổ chức Chính phủ ngày 18 tháng 02 năm 2025, huyện đã sắp xếp 4 phòng chuyên môn. Hồ sơ giao đất trước năm 2024 áp dụng Luật Đất đai năm 2013; Luật Đất đai quy định thời hạn xử lý hồ sơ tồn đọng.
"""

LAW_PLAN = """ỦY BAN NHÂN DÂN XÃ EA KAR

Số: 12/KH-UBND

Ea Kar, ngày 02 tháng 5 năm 2025

KẾ HOẠCH
Triển khai nhiệm vụ chuyển đổi số năm 2025

Tiếp tục thực hiện Đề án 06 trên địa bàn xã, phấn đấu 95% người dân có tài khoản định danh. Luật Tổ chức Chính phủ giao Chính phủ thống nhất quản lý nền hành chính; Luật Đất đai quy định rõ thẩm quyền giao đất. Ủy ban nhân dân xã phối hợp triển khai Luật Đầu tư công trên địa bàn.
"""


@pytest.fixture
def law_corpus(tmp_path, ingest_into):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in (("nd-15.txt", LAW_DECREE), ("bc-40.txt", LAW_REPORT), ("kh-12.txt", LAW_PLAN)):
        (folder / name).write_text(text, encoding="utf-8")
    summary, db = ingest_into(folder)
    assert not summary.failed
    ids = {r["path"].rsplit("/", 1)[-1]: r["id"] for r in db.query("select id, path from documents")}
    return db, ids, str(tmp_path / "corpus.db")


def _ids(db_path: str, query: str) -> set[int]:
    code, out = run("cited-by", query, "--db", db_path, "--format", "json")
    return {r["citation_id"] for r in json.loads(out)}


def test_a_law_by_name_and_by_number_is_one_cited_document(law_corpus):
    db, ids, db_path = law_corpus
    laws = [dict(r) for r in db.query("select * from cited_documents where name like 'Luật Tổ chức Chính phủ%'")]
    assert len(laws) == 1, laws
    law = laws[0]
    assert (law["canonical"], law["issued_date"]) == ("63/2025/QH15", "2025-02-18")
    cits = [dict(r) for r in db.query("select c.*, d.text from citations c join documents d on d.id = c.document_id"
                                      " where c.cited_document_id = ? order by c.document_id, c.start", [law["id"]])]
    where = {(c["document_id"], c["form"]) for c in cits}
    # the full mention, the named one with its date, the name alone after the full mention
    # (same document) and the name alone in a plan whose corpus knows one such law
    assert where == {(ids["nd-15.txt"], "full"), (ids["nd-15.txt"], "name"),
                     (ids["bc-40.txt"], "named"), (ids["kh-12.txt"], "name")}, where
    assert law["mentions"] == 4 and law["citing_documents"] == 3
    for c in cits:
        assert c["text"][c["start"]:c["end"]] == c["surface"]
    alone = next(c for c in cits if c["form"] == "name" and c["document_id"] == ids["nd-15.txt"])
    assert alone["surface"] == "Luật Tổ chức Chính phủ" and alone["section"] == "Điều 1"
    # its basis: the earlier full mention's sentence in the same document
    basis = alone["text"][alone["basis_start"]:alone["basis_end"]]
    assert alone["basis_document_id"] == ids["nd-15.txt"] and "63/2025/QH15" in basis
    # cited-by finds all four from any of its names
    want = {c["id"] for c in cits}
    for q in ("luật tổ chức chính phủ", "Luật Tổ chức Chính phủ", "63/2025/QH15", "qh15 63/2025"):
        assert _ids(db_path, q) == want, q


def test_two_laws_of_one_name_stay_apart(law_corpus):
    db, ids, db_path = law_corpus
    land = {r["year"]: r for r in db.query("select * from cited_documents where name = 'Luật Đất đai'")}
    assert set(land) == {2013, 2024}  # not merged
    alone = {r["document_id"]: dict(r) for r in db.query(
        "select * from citations where form = 'name' and surface = 'Luật Đất đai'")}
    # in the report, the earlier "Luật Đất đai năm 2013" fixes it; in the plan nothing does
    assert alone[ids["bc-40.txt"]]["cited_document_id"] == land[2013]["id"]
    plan = alone[ids["kh-12.txt"]]
    assert plan["ambiguous"] == 1 and plan["cited_document_id"] is None
    # "Luật Đầu tư công" is not a mention of any known law; nothing is invented for it
    assert not list(db.query("select 1 from citations where surface like 'Luật Đầu tư%'"))
    code, out = run("cited-by", "luật đất đai 2013", "--db", db_path, "--format", "json")
    rows = json.loads(out)
    assert {r["cited"] for r in rows} == {"Luật Đất đai 2013"} and len(rows) == 2


def test_a_declared_alias_joins_its_document_across_the_corpus(law_corpus):
    db, ids, db_path = law_corpus
    decision = next(db.query("select * from cited_documents where canonical = '06/QĐ-TTg'"))
    assert "đề án 06" in (decision["aliases"] or "")
    assert not list(db.query("select 1 from cited_documents where name = 'Đề án 06'"))
    plan = next(db.query("select * from citations where document_id = ? and surface = 'Đề án 06'",
                         [ids["kh-12.txt"]]))
    assert plan["cited_document_id"] == decision["id"]
    report = db["documents"].get(ids["bc-40.txt"])["text"]
    assert plan["basis_document_id"] == ids["bc-40.txt"]
    assert "(viết tắt là Đề án 06)" in report[plan["basis_start"]:plan["basis_end"]]
    # the declaration itself is not a mention
    assert not list(db.query("select 1 from citations where document_id = ? and surface = 'Đề án 06'",
                             [ids["bc-40.txt"]]))
    assert _ids(db_path, "Đề án 06") == _ids(db_path, "06/QĐ-TTg") != set()
    assert plan["id"] in _ids(db_path, "06/QĐ-TTg")


def test_name_rows_keep_their_ids_across_batches(law_corpus, tmp_path, ingest_into):
    db, ids, db_path = law_corpus
    before = {(r["document_id"], r["start"]): r["id"] for r in db.query("select * from citations where form = 'name'")}
    extra = tmp_path / "more"
    extra.mkdir()
    (extra / "tb.txt").write_text(LAW_PLAN.replace("12/KH-UBND", "7/TB-UBND").replace("KẾ HOẠCH", "THÔNG BÁO"),
                                  encoding="utf-8")
    summary, db = ingest_into(extra)
    after = {(r["document_id"], r["start"]): r["id"] for r in db.query("select * from citations where form = 'name'")}
    assert all(after[k] == v for k, v in before.items())
    assert len(after) > len(before)


def test_codes_and_ordinances_by_name_and_number(tmp_path, ingest_into):
    """Bộ luật and Pháp lệnh follow the same identity as Luật."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "BÁO CÁO\nCông tác lao động năm 2024\n\nCăn cứ Bộ luật Lao động số 45/2019/QH14 ngày 20/11/2019; "
        "căn cứ Pháp lệnh Ưu đãi người có công với cách mạng số 02/2020/UBTVQH14 ngày 09/12/2020, "
        "Sở đã rà soát 1.200 hồ sơ.\n", encoding="utf-8")
    (folder / "b.txt").write_text(
        "BÁO CÁO\nKết quả thanh tra năm 2024\n\nTheo Bộ luật Lao động năm 2019, doanh nghiệp phải ký hợp đồng; "
        "qua thanh tra, Bộ luật Lao động được các doanh nghiệp chấp hành. Pháp lệnh Ưu đãi người có công "
        "với cách mạng quy định mức trợ cấp.\n", encoding="utf-8")
    summary, db = ingest_into(folder)
    assert not summary.failed
    code_row, = db.query("select * from cited_documents where canonical = '45/2019/QH14'")
    assert (code_row["mentions"], code_row["citing_documents"]) == (3, 2)
    ordinance, = db.query("select * from cited_documents where canonical = '02/2020/UBTVQH14'")
    assert (ordinance["mentions"], ordinance["citing_documents"]) == (2, 2)
    assert not list(db.query("select 1 from cited_documents where kind = 'named'"))
    db_path = str(tmp_path / "corpus.db")
    assert _ids(db_path, "bộ luật lao động") == _ids(db_path, "45/2019/QH14") != set()


def test_alias_declared_with_sau_day_goi_tat_la(tmp_path, ingest_into):
    """"(sau đây gọi tắt là Kế hoạch 45)": a plan's alias that the extractor does not
    recognize on its own is found in the other documents by its declared wording."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "BÁO CÁO\nSơ kết công tác chuyển đổi số\n\nỦy ban nhân dân tỉnh ban hành Kế hoạch số 45/KH-UBND "
        "ngày 14/3/2023 về chuyển đổi số trong các cơ quan nhà nước (sau đây gọi tắt là Kế hoạch 45). "
        "Sau một năm, Kế hoạch 45 đã hoàn thành 80% chỉ tiêu.\n", encoding="utf-8")
    (folder / "b.txt").write_text(
        "BÁO CÁO\nKết quả quý II năm 2024\n\nTheo Kế hoạch 45, xã đã lắp đặt 12 điểm truy cập Internet "
        "công cộng.\n", encoding="utf-8")
    summary, db = ingest_into(folder)
    assert not summary.failed
    plan, = db.query("select * from cited_documents where canonical = '45/KH-UBND'")
    b_id = next(db.query("select id from documents where path like '%b.txt'"))["id"]
    a_id = next(db.query("select id from documents where path like '%a.txt'"))["id"]
    other, = db.query("select * from citations where document_id = ?", [b_id])
    assert (other["surface"], other["cited_document_id"]) == ("Kế hoạch 45", plan["id"])
    text_b = db["documents"].get(b_id)["text"]
    assert text_b[other["start"]:other["end"]] == other["surface"]
    declaring = db["documents"].get(other["basis_document_id"])["text"]
    assert "(sau đây gọi tắt là Kế hoạch 45)" in declaring[other["basis_start"]:other["basis_end"]]
    assert other["basis_document_id"] == a_id
    assert plan["mentions"] == 3 and plan["citing_documents"] == 2
