"""Analysis in worker processes: provisional ids made real at write time, so a batch
read by one worker or by several stores the same rows, ids included."""
from __future__ import annotations

import json
import sqlite3

import pytest

from pipeline.store.ids import BASE, ProvisionalIds, _has_provisional, _id_column, is_provisional, pack_rows, remap_packed
from schemas.tables import REFERENCES
from tests.conftest import SAMPLE_CORPUS, SHARED_CORPUS

SHARED_OFFICE = SHARED_CORPUS.parent / "real" / "office"


def remap_rows(rows: dict[str, list[dict]], first: dict[str, int]) -> None:
    """The reference remap, row by row (what `remap_packed` must equal on packed rows).
    In place: each provisional id of table T becomes first[T] + (its rank - 1).
    A provisional id left in an id column (one REFERENCES does not list) raises, rather
    than storing a row that points nowhere."""

    def real(value, target):
        if not is_provisional(value):
            return value
        if target not in first:
            raise ValueError(f"provisional id {value - BASE} of {target} has no real id")
        return first[target] + value - BASE - 1

    for table, table_rows in rows.items():
        refs = REFERENCES.get(table, {})
        columns = set().union(*(row.keys() for row in table_rows))
        for column in columns:  # column by column: a document has ~10⁴ rows
            target = refs.get(column)
            if target is None:
                if _id_column(column) and any(
                        is_provisional(v) or _has_provisional(v)
                        for v in (row.get(column) for row in table_rows)):
                    raise ValueError(f"{table}.{column} holds a provisional id: "
                                     "list the column in schemas.tables.REFERENCES")
                continue
            for row in table_rows:
                value = row.get(column)
                if value is None:
                    continue
                if isinstance(value, list):
                    row[column] = [real(v, target) for v in value]
                elif isinstance(value, str) and value.startswith("["):
                    row[column] = json.dumps([real(v, target) for v in json.loads(value)])
                else:
                    row[column] = real(value, target)


REPORT = """ỦY BAN NHÂN DÂN
HUYỆN {huyen}

Số: {so}/BC-UBND

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

{huyen_title}, ngày {ngay} tháng 11 năm 2024

BÁO CÁO
Kết quả thực hiện công tác cải cách hành chính năm 2024

Thực hiện Quyết định số {qd}/QĐ-UBND ngày 15/01/2024 của UBND tỉnh về kế hoạch cải cách
hành chính năm 2024; căn cứ Nghị định số 61/2018/NĐ-CP ngày 23/4/2018 của Chính phủ, UBND
huyện {huyen_title} báo cáo như sau:

I. KẾT QUẢ ĐẠT ĐƯỢC

1. Cải cách thủ tục hành chính

Trong năm, huyện tiếp nhận {nhan} hồ sơ, đã giải quyết {xong} hồ sơ, đạt {pct}%; số hồ sơ
còn lại {con} hồ sơ đang giải quyết theo quy định tại Nghị định nêu trên.

2. Số hóa hồ sơ

Số hồ sơ được số hóa là {so_hoa}/{nhan} hồ sơ, đạt {pct2}%. Tổng kinh phí thực hiện là
{kinh_phi} triệu đồng, trong đó ngân sách tỉnh {ns_tinh} triệu đồng, ngân sách huyện
{ns_huyen} triệu đồng.

II. TỒN TẠI, HẠN CHẾ

1. Một số xã chưa cập nhật kịp thời hồ sơ lên hệ thống; UBND xã {xa} còn để {tre} hồ sơ
trễ hạn.

2. Nguyên nhân: đội ngũ công chức còn thiếu, trang thiết bị chưa đáp ứng yêu cầu.

III. KIẾN NGHỊ

Đề nghị Sở Nội vụ tham mưu UBND tỉnh bổ sung kinh phí cho việc số hóa hồ sơ theo Quyết
định số {qd}/QĐ-UBND.

Nơi nhận:
- UBND tỉnh;
- Sở Nội vụ;
- Lưu: VT.

TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH
Nguyễn Văn {ten}
"""

PLACES = [("TUẦN GIÁO", "Tuần Giáo", "Quài Tở"), ("ĐIỆN BIÊN", "Điện Biên", "Thanh Xương"),
          ("MƯỜNG ẢNG", "Mường Ảng", "Ẳng Nưa"), ("TỦA CHÙA", "Tủa Chùa", "Sính Phình")]


def generated_reports(folder, n: int = 6) -> None:
    """Reports of one layout with other figures; one slip on purpose (a wrong percentage
    or total) in every other one, so the audit writes checks that point at figures."""
    for i in range(n):
        huyen, title, xa = PLACES[i % len(PLACES)]
        nhan, xong = 1200 + 37 * i, 1100 + 31 * i
        so_hoa = 900 + 11 * i
        ns_tinh, ns_huyen = 400 + 10 * i, 150 + 5 * i
        pct = round(100 * xong / nhan, 1) + (3 if i % 2 else 0)
        text = REPORT.format(
            huyen=huyen, huyen_title=title, xa=xa, so=100 + i, ngay=10 + i, qd=2000 + i,
            nhan=f"{nhan:,}".replace(",", "."), xong=f"{xong:,}".replace(",", "."),
            con=nhan - xong, pct=f"{pct:.1f}".replace(".", ","),
            so_hoa=so_hoa, pct2=f"{100 * so_hoa / nhan:.1f}".replace(".", ","),
            kinh_phi=ns_tinh + ns_huyen + (20 if i % 2 == 0 else 0), ns_tinh=ns_tinh,
            ns_huyen=ns_huyen, tre=3 + i, ten=["An", "Bình", "Cường", "Dũng"][i % 4])
        (folder / f"bao-cao-{i:02d}.txt").write_text(text, encoding="utf-8")
    (folder / "hong.pdf").write_bytes(b"%PDF-1.4 not really")  # a failed row in the middle
    (folder / "ban-sao.txt").write_text((folder / "bao-cao-01.txt").read_text(encoding="utf-8"),
                                        encoding="utf-8")  # same content: stored once


def dump(db_path) -> dict[str, list]:
    """Every row of every table, every column (the clock columns blanked), sorted."""
    conn = sqlite3.connect(db_path)
    try:
        out = {}
        names = [r[0] for r in conn.execute(
            "select name from sqlite_master where type = 'table' order by name")]
        for name in names:
            if name.startswith("search_fts_"):  # FTS5 shadow tables: search_fts is compared
                continue
            cols = [r[1] for r in conn.execute(f"pragma table_info([{name}])")]
            select = ", ".join("null" if c in ("ingested_at", "since") else f"[{c}]" for c in cols)
            out[name] = sorted(map(repr, conn.execute(f"select {select or '*'} from [{name}]")))
        return out
    finally:
        conn.close()


@pytest.fixture(scope="module")
def batches(tmp_path_factory):
    from pipeline.ingest import ingest

    folder = tmp_path_factory.mktemp("mixed")
    generated_reports(folder)
    paths = [str(SAMPLE_CORPUS), str(folder)]
    out = {}
    for jobs in (1, 2):
        db_path = tmp_path_factory.mktemp(f"jobs{jobs}") / "corpus.db"
        out[jobs] = (ingest(paths, db_path, jobs=jobs), db_path)
    return out


def test_one_worker_and_two_store_identical_databases(batches):
    (one, db1), (two, db2) = batches[1], batches[2]
    assert [(o.path, o.status, o.document_id) for o in one.outcomes] == \
        [(o.path, o.status, o.document_id) for o in two.outcomes]
    a, b = dump(db1), dump(db2)
    assert a.keys() == b.keys()
    for table in a:
        assert a[table] == b[table], table
    # the comparison covers rows that point at other rows, not just plain ones
    conn = sqlite3.connect(db1)
    for sql in ("select count(*) from sections where parent_id is not null",
                "select count(*) from findings where section_id is not null",
                "select count(*) from citations where resolves_to is not null",
                "select count(*) from checks where verdict = 'mismatch'",
                "select count(*) from finding_figures", "select count(*) from finding_citations",
                "select count(*) from documents where status = 'failed'"):
        assert conn.execute(sql).fetchone()[0] > 0, sql


def test_stored_ids_are_real_and_point_inside_their_document(batches):
    _, db_path = batches[2]
    conn = sqlite3.connect(db_path)
    owner = {}  # (table, id) -> document_id
    for table, refs in REFERENCES.items():
        if "document_id" in refs and "id" in refs:
            for rid, doc in conn.execute(f"select id, document_id from [{table}]"):
                owner[table, rid] = doc
    documents = {r[0] for r in conn.execute("select id from documents")}
    checked = 0
    for table, refs in REFERENCES.items():
        for column, target in refs.items():
            if column == "id" or target == "cited_documents":
                continue
            for doc, value in conn.execute(
                    f"select {'document_id' if 'document_id' in refs else 'null'}, [{column}] "
                    f"from [{table}] where [{column}] is not null"):
                values = json.loads(value) if isinstance(value, str) else [value]
                for v in values:
                    assert v < BASE, (table, column, v)
                    if target == "documents":
                        assert v in documents, (table, column, v)
                    elif column == "resolves_to":  # the finalizer may point across documents
                        assert (target, v) in owner, (table, column, v)
                    else:
                        assert owner.get((target, v)) == doc, (table, column, v)
                    checked += 1
    assert checked > 500


def test_provisional_ids_become_the_ids_a_serial_writer_hands_out():
    new_id = ProvisionalIds()
    doc = new_id("documents")
    s1, s2 = new_id("sections"), new_id("sections")
    f1, f2, f3 = new_id("figures"), new_id("figures"), new_id("figures")
    rows = {
        "sections": [{"id": s1, "document_id": doc, "parent_id": None},
                     {"id": s2, "document_id": doc, "parent_id": s1}],
        "figures": [{"id": f, "document_id": doc, "value": float(BASE + 7)} for f in (f1, f2, f3)],
        "checks": [{"id": new_id("checks"), "document_id": doc, "figure_ids": [f1, f3]}],
        "finding_figures": [{"finding_id": new_id("findings"), "figure_id": f2,
                             "document_id": doc}],
    }
    assert new_id.counts == {"documents": 1, "sections": 2, "figures": 3, "checks": 1,
                             "findings": 1}
    # the store's next free ids: documents 8, sections 41, figures 100, checks 5, findings 12
    remap_rows(rows, {"documents": 8, "sections": 41, "figures": 100, "checks": 5,
                      "findings": 12})
    assert rows["sections"] == [{"id": 41, "document_id": 8, "parent_id": None},
                                {"id": 42, "document_id": 8, "parent_id": 41}]
    assert [f["id"] for f in rows["figures"]] == [100, 101, 102]
    assert rows["figures"][0]["value"] == float(BASE + 7)  # a value is not an id
    assert rows["checks"] == [{"id": 5, "document_id": 8, "figure_ids": [100, 102]}]
    assert rows["finding_figures"] == [{"finding_id": 12, "figure_id": 101, "document_id": 8}]


def test_an_id_column_missing_from_the_map_is_refused_not_stored():
    new_id = ProvisionalIds()
    rows = {"findings": [{"id": new_id("findings"), "document_id": new_id("documents"),
                          "chart_id": new_id("blocks")}]}
    with pytest.raises(ValueError, match="findings.chart_id"):
        remap_rows(rows, {"findings": 1, "documents": 1, "blocks": 1})


def test_packed_rows_store_what_the_rows_would():
    """The worker packs rows (ids.pack_rows), the writer shifts their ids (remap_packed):
    the values inserted are those of the rows remapped one by one, JSON included."""
    new_id = ProvisionalIds()
    doc = new_id("documents")
    f1, f2 = new_id("figures"), new_id("figures")
    rows = {
        "figures": [{"id": f1, "document_id": doc, "value": 45.0, "surface": "45 hồ sơ"},
                    {"id": f2, "document_id": doc, "value": float(BASE + 3), "unit": "%"}],
        "checks": [{"id": new_id("checks"), "document_id": doc, "figure_ids": [f2, f1],
                    "message": "Tỷ lệ 90% khớp với 45/50 hồ sơ", "kind": "ratio_percent"}],
        "tables": [{"id": new_id("tables"), "document_id": doc,
                    "rows": [["Xã", "Hồ sơ"], ["Quài Tở", "1.234"]]}],
        "sections": [],
    }
    first = {"documents": 3, "figures": 20, "checks": 7, "tables": 2}
    packed = pack_rows(json.loads(json.dumps(rows)))
    assert "sections" not in packed
    remap_packed(packed, first)
    remap_rows(rows, first)
    for table, (columns, values) in packed.items():
        expected = [[json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v
                     for v in map(row.get, columns)] for row in rows[table]]
        assert values == expected, table
    assert packed["checks"][1][0][packed["checks"][0].index("figure_ids")] == "[21, 20]"
    assert packed["figures"][1][1][packed["figures"][0].index("value")] == float(BASE + 3)


def test_packing_refuses_what_the_writer_would(monkeypatch):
    from schemas.tables import TABLES

    new_id = ProvisionalIds()
    with pytest.raises(KeyError, match="'chart_id'"):
        pack_rows({"findings": [{"id": new_id("findings"), "chart_id": new_id("blocks")}]})
    monkeypatch.setitem(TABLES["findings"], "chart_id", "integer")  # a new id column…
    with pytest.raises(ValueError, match="findings.chart_id"):  # …that REFERENCES lacks
        pack_rows({"findings": [{"id": new_id("findings"), "document_id": new_id("documents"),
                                 "chart_id": new_id("blocks")}]})
    packed = pack_rows({"sections": [{"id": new_id("sections"), "parent_id": None}]})
    with pytest.raises(ValueError, match="no real id"):
        remap_packed(packed, {"documents": 1})


@pytest.mark.real
@pytest.mark.slow
def test_real_documents_one_worker_and_two_identical(tmp_path):
    from pipeline.ingest import ingest

    files = [SHARED_CORPUS / "bao-cao-giam-sat-cchc-tuan-giao-2024.txt",
             SHARED_CORPUS / "lamdong_ubnd_bc_cchc_2025_draft.docx",
             SHARED_CORPUS / "chinhphu_nd335-2025.pdf",
             *sorted(SHARED_OFFICE.glob("*.docx"))]
    dumps = []
    for jobs in (1, 2):
        db_path = tmp_path / f"j{jobs}.db"
        summary = ingest([str(p) for p in files], db_path, jobs=jobs)
        assert summary.count("ingested") + summary.count("partial") >= len(files) - 1
        dumps.append(dump(db_path))
    for table in dumps[0]:
        assert dumps[0][table] == dumps[1][table], table


def test_jobs_default_to_the_usable_cores(tmp_path, monkeypatch):
    import pipeline.ingest as ingest_module
    from pipeline import cli

    seen = []

    class Recording(ingest_module.LocalProcesses):
        def __init__(self, work, workers, limits):
            seen.append(workers)
            super().__init__(work, workers, limits)

    monkeypatch.setattr(ingest_module, "usable_cores", lambda: 3)
    monkeypatch.setattr(ingest_module, "LocalProcesses", Recording)
    (tmp_path / "a.txt").write_text("Báo cáo số 5/BC-UBND.\n\nĐạt 5 hồ sơ.", encoding="utf-8")
    db = str(tmp_path / "c.db")
    assert cli.main(["ingest", str(tmp_path / "a.txt"), "--db", db, "-q"]) == 0
    assert cli.main(["ingest", str(tmp_path / "a.txt"), "--db", db, "-q", "--force", "--jobs", "1"]) == 0
    assert seen == [3, 1]


def _dies_on_bomb(path, limits):
    """A stand-in for `process_file`: the file named 'bomb' kills its worker."""
    import os

    import time

    if path == "bomb":
        os._exit(1)
    time.sleep(0.02)  # long enough for both workers to take files
    return path, os.getpid(), None


def test_a_dead_worker_costs_only_its_file_and_the_pool_comes_back():
    """After a pool breaks, the files that were in it run one at a time (so the file that
    kills a lone worker is found), and the files never submitted go back to the full pool."""
    from pipeline.executors import LocalProcesses
    from pipeline.ingest import Limits

    items = [(f"f{i}",) for i in range(3)] + [("bomb",)] + [(f"g{i}",) for i in range(40)]
    out = list(LocalProcesses(_dies_on_bomb, 2, Limits(timeout_s=60, max_memory_mb=0)).map(items))
    assert [item for item, _ in out] == items  # every file, in the order given
    results = dict(out)
    assert results[("bomb",)][2].startswith("worker killed")
    assert all(results[i][2] is None for i in items if i != ("bomb",))
    late = {results[(f"g{i}",)][1] for i in range(20, 40)}  # long after the break
    assert len(late) == 2  # two workers again, not one


def test_the_ingest_starts_without_pandas(tmp_path):
    """sqlite_utils (the ingest's store) imports pandas when installed, ~0.4 s of every
    batch's start for a type mapping never used: the store hides it, pandas stays importable."""
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys\nfrom pipeline.store import db as store\n"
            f"store.open_db({str(tmp_path / 'p.db')!r}).close()\n"
            "print('pandas' in sys.modules, 'sqlite_utils' in sys.modules)\n"
            "import importlib.util\nif importlib.util.find_spec('pandas'):\n"
            "    import pandas\n    print(bool(pandas.DataFrame))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).parents[1], check=True).stdout.split()
    assert out[:2] == ["False", "True"]
    assert out[2:] in ([], ["True"])
