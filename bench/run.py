"""`make bench`: speed of ingest, measured against baselines in the same run.

Generates (under bench/generated/, not committed):
  - a text corpus of >= 5 MB made from the sample reports in corpus/ and tests/data/sample/,
    with numbers varied so documents differ;
  - a PDF of >= 200 pages rendered with reportlab (DejaVu font), with footnotes;
  - a citation-dense text (one citation every ~100 characters).
Prints pages/s and MB/s, the ratio of our PDF extraction to pdfplumber's bare
`page.extract_text()` over the same pages, Word 97 .doc conversions/s with one warm
LibreOffice vs one cold `soffice` per file (`python bench/run.py doc` runs only that), citation MB/s on ordinary and dense text
(and at 1x vs 4x size, to show cost stays linear), figures/claims per second, and
each analysis stage's share of ingest time, and the list commands as a table vs CSV
(`python bench/run.py query [DB]` alone; `python bench/run.py text`: text ingest in MB per
CPU-second). Ratios, not absolute seconds, are what to
compare between machines.
"""
from __future__ import annotations

import os
import random
import re
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GEN = ROOT / "bench" / "generated"
FONT_DIRS = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu"]


def source_texts() -> list[str]:
    texts = []
    for folder in (ROOT / "corpus", ROOT / "tests" / "data" / "sample"):
        for p in sorted(folder.glob("*")):
            if p.suffix in (".txt", ".md"):
                texts.append(p.read_text(encoding="utf-8"))
    if not texts:
        raise SystemExit("bench: no sample .txt/.md documents in corpus/ or tests/data/sample/")
    return texts


def vary(text: str, rng: random.Random) -> str:
    """Change the numbers a little so each generated document is distinct."""
    return re.sub(r"(?<![\d/])(\d{2,3})(?![\d/])", lambda m: str(int(m.group()) + rng.randint(0, 9)), text)


def make_text_corpus(target_bytes: int = 5_300_000) -> tuple[Path, int]:
    folder = GEN / "text"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rng = random.Random(7)
    texts = source_texts()
    total, i = 0, 0
    while total < target_bytes:
        doc = "\n\n".join(vary(texts[(i + k) % len(texts)], rng) for k in range(8))
        path = folder / f"bao-cao-{i:03d}.txt"
        path.write_text(doc, encoding="utf-8")
        total += path.stat().st_size
        i += 1
    return folder, total


def make_pdf(pages_wanted: int = 210) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font_dir = next((d for d in FONT_DIRS if os.path.exists(os.path.join(d, "DejaVuSerif.ttf"))), None)
    if font_dir is None:
        raise SystemExit("bench: DejaVu fonts missing (apt-get install fonts-dejavu-core)")
    pdfmetrics.registerFont(TTFont("DejaVuSerif", os.path.join(font_dir, "DejaVuSerif.ttf")))
    path = GEN / "bench.pdf"
    words = " ".join(source_texts()).split()
    rng = random.Random(11)
    c = canvas.Canvas(str(path), pagesize=A4)
    width, height = A4
    footnote_no = 1
    for page in range(1, pages_wanted + 1):
        c.setFont("DejaVuSerif", 9)
        c.drawCentredString(width / 2, height - 1.2 * cm, "BÁO CÁO KẾT QUẢ CẢI CÁCH HÀNH CHÍNH")
        y = height - 2.5 * cm
        c.setFont("DejaVuSerif", 12)
        notes = []  # footnote numbers marked on this page
        while y > 6 * cm:
            start = rng.randrange(0, len(words) - 20)
            line = " ".join(words[start:start + 14])
            c.drawString(2.5 * cm, y, line)
            if rng.random() < 0.08 and len(notes) < 3:  # a raised, smaller marker
                tw = pdfmetrics.stringWidth(line, "DejaVuSerif", 12)
                c.setFont("DejaVuSerif", 7)
                c.drawString(2.5 * cm + tw, y + 4, str(footnote_no))
                c.setFont("DejaVuSerif", 12)
                notes.append(footnote_no)
                footnote_no += 1
            y -= 0.6 * cm
        if notes:
            # The footnote area: rule, small raised number, text that differs page to page
            # (identical lines on every page would rightly be removed as a running footer).
            c.line(2.5 * cm, 5.2 * cm, 8 * cm, 5.2 * cm)
            fy = 4.6 * cm
            for n in notes:
                start = rng.randrange(0, len(words) - 20)
                note = f"Kế hoạch số {n}/KH-UBND ngày 15/01/2024: " + " ".join(words[start:start + 9]) + "."
                c.setFont("DejaVuSerif", 6)
                c.drawString(2.5 * cm, fy + 3, str(n))
                c.setFont("DejaVuSerif", 9)
                c.drawString(2.5 * cm + 8, fy, note)
                fy -= 0.45 * cm
        c.setFont("DejaVuSerif", 10)
        c.drawCentredString(width / 2, 1.5 * cm, str(page))
        c.showPage()
    c.save()
    return path


def citation_dense_text(n_chars: int) -> str:
    rng = random.Random(3)
    forms = [
        "Nghị định số {n}/20{y:02d}/NĐ-CP ngày {d}/{m}/20{y:02d} của Chính phủ",
        "Quyết định số {n}/QĐ-UBND ngày {d}/{m}/20{y:02d}",
        "Kế hoạch số {n}/KH-UBND",
        "Nghị quyết số {n}-NQ/TW ngày {d} tháng {m} năm 20{y:02d}",
        "Thông tư số {n}/20{y:02d}/TT-BNV",
    ]
    parts, size = [], 0
    while size < n_chars:
        f = rng.choice(forms).format(n=rng.randint(1, 999), y=rng.randint(10, 24),
                                     d=rng.randint(1, 28), m=rng.randint(1, 12))
        piece = f"Thực hiện {f}, đơn vị đã triển khai. "
        parts.append(piece)
        size += len(piece)
    return "".join(parts)


def make_docs(n: int, folder: Path) -> list[Path]:
    """n distinct Word 97 .doc files (the sample texts, numbers varied), saved as .doc by
    LibreOffice from DOCX files written with python-docx."""
    import docx

    from extractors import office

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rng = random.Random(11)
    texts = source_texts()
    conv = office.converter()
    if conv is None:
        raise SystemExit("bench: python3-uno is missing (make system-deps as root)")
    out = []
    for i in range(n):
        d = docx.Document()
        for para in vary(texts[i % len(texts)], rng).split("\n\n")[:40]:
            d.add_paragraph(" ".join(para.split()))
        table = d.add_table(rows=3, cols=3)
        for r in range(3):
            for c in range(3):
                table.cell(r, c).text = str(rng.randint(1, 999))
        src = folder / f"src-{i:03d}.docx"
        d.save(src)
        out.append(folder / f"van-ban-{i:03d}.doc")
        conv.convert(src, out[-1], export_filter="MS Word 97")
        src.unlink()
    office.shutdown()
    return out


def bench_doc_conversion(n_warm: int = 20, n_cold: int = 5) -> None:
    """.doc → .docx conversions/s: one warm converter for the batch (its start counted)
    vs one cold `soffice --convert-to` per file. No cache: every file is new."""
    import tempfile

    from extractors import office

    print("\n== Word 97 .doc conversion (LibreOffice): warm converter vs cold soffice per file")
    docs = make_docs(max(n_warm, n_cold), GEN / "doc")
    out = Path(tempfile.mkdtemp(prefix="baocao-bench-"))
    try:
        conv = office.Converter(office.find_soffice(), office.find_uno_python())
        t0 = time.perf_counter()
        conv.convert(docs[0], out / "w0.docx")
        first = time.perf_counter() - t0
        for i, path in enumerate(docs[1:n_warm], start=1):
            conv.convert(path, out / f"w{i}.docx")
        warm = time.perf_counter() - t0
        conv.close()
        t0 = time.perf_counter()
        for i, path in enumerate(docs[:n_cold]):
            office.convert_cold(path, out / f"c{i}.docx", office.find_soffice())
        cold = time.perf_counter() - t0
    finally:
        shutil.rmtree(out, ignore_errors=True)
    print(f"warm: {n_warm} files in {warm:.2f}s = {rate(n_warm, warm)} conversions/s "
          f"(first file, with the start: {first:.2f}s; then {rate(n_warm - 1, warm - first)}/s)")
    print(f"cold: {n_cold} files in {cold:.2f}s = {rate(n_cold, cold)} conversions/s")
    print(f"warm / cold: {(n_warm / warm) / (n_cold / cold):.1f}x")


def db_size_report(text_mb: float = 2.0) -> None:
    """Database MB per MB of input, on the sample corpus (corpus/) and on a generated text
    corpus of `text_mb` MB (`python bench/run.py dbsize [MB]` runs only this): the whole
    file, documents.text, and the search index (search_* tables, FTS shadow tables and
    indexes included; page sizes from SQLite's dbstat)."""
    import sqlite3

    from pipeline.ingest import ingest

    GEN.mkdir(parents=True, exist_ok=True)
    text_dir, _ = make_text_corpus(int(text_mb * 1e6))
    print("== database size per MB of input")
    for label, folder in (("sample corpus/", ROOT / "corpus"), (f"generated {text_mb:g} MB", text_dir)):
        files = [p for p in folder.rglob("*") if p.is_file()]
        input_mb = sum(p.stat().st_size for p in files) / 1e6
        db_path = GEN / "size.db"
        for p in GEN.glob("size.db*"):
            p.unlink()
        ingest([folder], db_path)
        conn = sqlite3.connect(db_path)
        conn.execute("VACUUM")
        text_mb_stored = conn.execute(
            "select coalesce(sum(length(cast(text as blob))), 0) from documents").fetchone()[0] / 1e6
        search_mb = conn.execute(
            "select coalesce(sum(pgsize), 0) from dbstat where name like 'search%'"
            " or name in (select name from sqlite_master where tbl_name like 'search%')").fetchone()[0] / 1e6
        conn.close()
        db_mb = db_path.stat().st_size / 1e6
        print(f"{label:18s} input {input_mb:6.2f} MB ({len(files)} files)  db {db_mb:6.2f} MB = "
              f"{db_mb / input_mb:5.2f} MB/MB  | documents.text {text_mb_stored:5.2f} MB, "
              f"search index {search_mb:5.2f} MB = {search_mb / input_mb:5.2f} MB/MB")


def _cited_by_before(db, query: str) -> list[dict]:
    """cited-by as it was before issue 11: the sentence (substr of the document text) of
    every citation row of the corpus, then the filter in Python. The baseline."""
    from pipeline.commands.citations import _matches, _named_match, parse_query
    q = parse_query(query)
    named = _named_match(query) if q["canonical"] is None else None
    rows = db.query(
        "select c.*, d.path, d.issued_date as doc_date, d.number_symbol as doc_symbol,"
        " substr(d.text, c.sentence_start + 1, c.sentence_end - c.sentence_start) as sentence,"
        " cd.canonical as cd_canonical, cd.number as cd_number, cd.year as cd_year,"
        " cd.issued_date as cd_date, cd.conflict as cd_conflict"
        " from citations c join documents d on d.id = c.document_id"
        " left join cited_documents cd on cd.id = c.cited_document_id"
        " where c.form != 'self'")
    return [dict(r) for r in rows
            if (r["kind"] == "document" and _matches(q, r)) or (named is not None and named(r))]


def bench_cited_by(n_docs: int = 300) -> None:
    """`python bench/run.py cited-by [N]`: cited-by over N generated reports, before
    (sentence for every row, then filter) and after (filter in SQL, sentences for matches)."""
    import sqlite_utils

    from pipeline.analysis.citations import corpus_sample
    from pipeline.commands.citations import cited_by
    from pipeline.ingest import ingest

    folder = GEN / f"cited_by_{n_docs}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name, text in corpus_sample(n_docs):
        (folder / name).write_text(text, encoding="utf-8")
    db_path = GEN / f"cited_by_{n_docs}.db"
    for p in GEN.glob(f"cited_by_{n_docs}.db*"):
        p.unlink()
    t0 = time.perf_counter()
    ingest([folder], db_path)
    db = sqlite_utils.Database(db_path)
    n_cit = db["citations"].count
    print(f"== cited-by: {n_docs} documents, {n_cit} citations, "
          f"{db.execute('select sum(length(text)) from documents').fetchone()[0] / 1e6:.1f} M chars "
          f"(ingest {time.perf_counter() - t0:.1f}s)")
    for query in ("83/2015/QH13", "luật ngân sách nhà nước", "Đề án 06", "qh13 83/2015", "nđ 44/2019",
                  "999/2099/NĐ-CP"):
        best = {}
        for label, fn in (("before", _cited_by_before), ("after", cited_by)):
            times = []
            for _ in range(3):
                t = time.perf_counter()
                hits = fn(db, query)
                times.append(time.perf_counter() - t)
            best[label] = (min(times), len(hits))
        (b, nb), (a, na) = best["before"], best["after"]
        print(f"  {query!r:28s} before {b * 1000:7.1f} ms ({nb:4d} rows)  after {a * 1000:7.1f} ms "
              f"({na:4d} rows)  x{b / a:.1f}")


def bench_text(db_path: Path | None = None) -> Path:
    """`python bench/run.py text`: text ingest of the generated corpus with one worker, in
    MB per CPU-second (main process + worker, which other work on the machine disturbs
    less than wall time) and each stage's share of the stages' time. Returns the database."""
    import resource

    from pipeline import ingest as ingest_module
    from pipeline.ingest import ingest

    GEN.mkdir(parents=True, exist_ok=True)
    text_dir, text_bytes = make_text_corpus()
    db_path = db_path or GEN / "text.db"
    for p in GEN.glob(db_path.name + "*"):
        p.unlink()
    cpu = lambda: sum(sum(resource.getrusage(w)[:2]) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    ingest_module.STAGE_SECONDS.clear()
    c0, t0 = cpu(), time.perf_counter()
    summary = ingest([text_dir], db_path, jobs=1)
    secs, wall = cpu() - c0, time.perf_counter() - t0
    mb = text_bytes / 1e6
    print(f"== text ingest: {mb:.2f} MB ({summary.count('ingested')} documents) in {secs:.1f} s CPU "
          f"= {mb / secs:.3f} MB per CPU-second ({wall:.1f} s wall)")
    stages = dict(ingest_module.STAGE_SECONDS)
    total = sum(stages.values())
    for name, s in sorted(stages.items(), key=lambda kv: -kv[1]):
        print(f"  {name:44s} {s:7.2f}s  {100 * s / total:5.1f}% of stage time")
    return db_path


def bench_query(db_path: Path | None = None) -> None:
    """`python bench/run.py query [DB]`: list commands as whole processes on a corpus
    (default: the text corpus of `bench/run.py text`), table vs CSV: CPU seconds, and wall
    seconds until the first line and the last arrive on the pipe."""
    import resource
    import subprocess

    db_path = db_path or GEN / "text.db"
    if not db_path.exists():
        db_path = bench_text(db_path)
    import sqlite3
    conn = sqlite3.connect(db_path)
    counts = {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in ("documents", "findings", "figures")}
    conn.close()
    print(f"== query commands on {db_path.name}: {counts['documents']} documents, "
          f"{counts['findings']} findings, {counts['figures']} figures")
    for argv in (["findings"], ["findings", "--format", "csv"], ["figures"], ["figures", "--format", "csv"]):
        before = sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2])
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "--db", str(db_path), *argv],
                                cwd=ROOT, stdout=subprocess.PIPE, env={**os.environ, "COLUMNS": "200"})
        proc.stdout.readline()
        first = time.perf_counter() - t0
        lines = 1 + sum(1 for _ in proc.stdout)
        proc.wait()
        wall = time.perf_counter() - t0
        cpu = sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2]) - before
        print(f"  {' '.join(argv):28s} {cpu:6.2f} s CPU, first line after {first:5.2f} s, "
              f"all {lines:,} lines after {wall:5.2f} s")


def make_mixed_corpus(n: int = 100, sources_per_doc: int = 4) -> Path:
    """n distinct documents, 60 % text and 40 % DOCX (python-docx), from the sample texts
    with numbers varied."""
    import docx

    folder = GEN / "mixed"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rng = random.Random(13)
    texts = source_texts()
    for i in range(n):
        body = "\n\n".join(vary(texts[(i + k) % len(texts)], rng) for k in range(sources_per_doc))
        if i % 5 in (1, 3):
            d = docx.Document()
            for para in body.split("\n\n"):
                d.add_paragraph(" ".join(para.split()))
            d.save(folder / f"van-ban-{i:03d}.docx")
        else:
            (folder / f"bao-cao-{i:03d}.txt").write_text(body, encoding="utf-8")
    return folder


_JOBS_RUN = """
import json, resource, sys, time
from pipeline.cli import main
t0 = time.perf_counter()
main(sys.argv[1:])
from pipeline.ingest import MAIN_SECONDS
cpu = lambda who: sum(resource.getrusage(who)[:2])
print(json.dumps({"wall": time.perf_counter() - t0, "main": cpu(resource.RUSAGE_SELF),
                  "workers": cpu(resource.RUSAGE_CHILDREN), "phases": MAIN_SECONDS}))
"""


def bench_jobs(n: int = 100, rounds: int = 3) -> None:
    """Wall time of `baocao ingest --jobs 2` vs `--jobs 1` on n text/DOCX documents (the
    size of the text corpus's reports), each run a fresh process and database, the two
    interleaved so both see the same load; CPU seconds of the main process and of the
    workers tell what a busy machine hides."""
    import json
    import statistics
    import subprocess

    GEN.mkdir(parents=True, exist_ok=True)
    folder = make_mixed_corpus(n, sources_per_doc=8)
    size = sum(p.stat().st_size for p in folder.iterdir())
    print(f"== --jobs 2 vs --jobs 1: {n} documents ({size / 1e6:.2f} MB of files), "
          f"{rounds} interleaved rounds, {len(os.sched_getaffinity(0))} usable cores")
    times: dict[int, list[float]] = {1: [], 2: []}
    for r in range(rounds):
        for jobs in (1, 2):
            db = GEN / f"jobs{jobs}.db"
            for p in GEN.glob(f"jobs{jobs}.db*"):
                p.unlink()
            out = subprocess.run([sys.executable, "-c", _JOBS_RUN, "ingest", str(folder),
                                  "--db", str(db), "--jobs", str(jobs), "-q"], cwd=ROOT,
                                 check=True, capture_output=True, text=True).stdout
            m = json.loads(out.strip().splitlines()[-1])
            times[jobs].append(m["wall"])
            phases = ", ".join(f"{k} {v:.1f}" for k, v in m["phases"].items())
            print(f"  round {r + 1}, --jobs {jobs}: {m['wall']:.1f} s wall, CPU main "
                  f"{m['main']:.1f} s ({phases}) + workers {m['workers']:.1f} s, "
                  f"load {os.getloadavg()[0]:.1f}")
    one, two = statistics.median(times[1]), statistics.median(times[2])
    print(f"median --jobs 1 {one:.1f} s, --jobs 2 {two:.1f} s: ratio {two / one:.2f} "
          f"(best runs: {min(times[2]) / min(times[1]):.2f})")


def rate(n: float, seconds: float) -> str:
    return f"{n / seconds:,.1f}" if seconds > 0 else "inf"


def bench_pdf(pdf_path: Path, n_pages: int) -> float:
    """Extraction through PDFium (the default reader) and through the former pdfplumber
    reader, each ÷ pdfplumber's bare page.extract_text() on the same pages, in one run.
    Returns the bare time."""
    import gc

    import pdfplumber

    from extractors.pdf import extract_pdf

    print("\n== PDF: ours vs pdfplumber page.extract_text() (same pages, same run; CPU seconds,"
          " which other work on the machine disturbs less than wall time)")
    # Each timing starts from a collected heap: pdfminer leaves ~0.5 M objects in
    # reference cycles, which the next measurement's garbage collections would pay for.
    gc.collect()
    t0, c0 = time.perf_counter(), time.process_time()
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.flush_cache()
    bare, bare_cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"pdfplumber extract_text: {bare_cpu:.2f}s CPU, {bare:.2f}s wall ({rate(n_pages, bare)} pages/s)")
    for reader in ("pdfium", "pdfplumber"):
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        doc = extract_pdf(pdf_path, reader=reader)
        ours, ours_cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"baocao extract_pdf ({reader + ' reader):':19s} {ours_cpu:.2f}s CPU, {ours:.2f}s wall "
              f"({rate(n_pages, ours)} pages/s), {len(doc.footnotes)} footnotes, "
              f"ratio {ours_cpu / bare_cpu:.2f}x CPU ({ours / bare:.2f}x wall)")
    return bare


def main() -> None:
    import pdfplumber

    from pipeline import ingest as ingest_module
    from pipeline.ingest import ingest

    GEN.mkdir(parents=True, exist_ok=True)
    print("== generating inputs")
    text_dir, text_bytes = make_text_corpus()
    pdf_path = make_pdf()
    with pdfplumber.open(pdf_path) as pdf:
        n_pages = len(pdf.pages)
    print(f"text corpus: {text_bytes / 1e6:.2f} MB in {len(list(text_dir.iterdir()))} files; PDF: {n_pages} pages")

    bare = bench_pdf(pdf_path, n_pages)

    print("\n== full ingest (extract + all stages + store)")
    db_path = GEN / "bench.db"
    for p in GEN.glob("bench.db*"):
        p.unlink()
    ingest_module.STAGE_SECONDS.clear()
    t0 = time.perf_counter()
    summary = ingest([text_dir], db_path, jobs=1)  # stage shares: one worker
    text_seconds = time.perf_counter() - t0
    text_stage = dict(ingest_module.STAGE_SECONDS)
    print(f"text: {text_bytes / 1e6:.2f} MB in {text_seconds:.2f}s = {text_bytes / 1e6 / text_seconds:.2f} MB/s "
          f"({summary.count('ingested')} documents)")
    ingest_module.STAGE_SECONDS.clear()
    t0 = time.perf_counter()
    ingest([pdf_path], db_path, jobs=1)
    pdf_seconds = time.perf_counter() - t0
    print(f"PDF:  {n_pages} pages in {pdf_seconds:.2f}s = {rate(n_pages, pdf_seconds)} pages/s "
          f"(ingest / bare extract_text = {pdf_seconds / bare:.2f}x)")
    print("stage share of text ingest time:")
    for name, secs in sorted(text_stage.items(), key=lambda kv: -kv[1]):
        print(f"  {name:32s} {secs:7.2f}s  {100 * secs / text_seconds:5.1f}%")

    print("\n== citations (pure extraction, linear in text length)")
    try:
        from pipeline.analysis.citations import extract_citations
    except ImportError:
        extract_citations = None
    if extract_citations:
        ordinary = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(text_dir.iterdir())[:10])
        for label, text in (("ordinary", ordinary), ("dense 1x", citation_dense_text(1_000_000)),
                            ("dense 4x", citation_dense_text(4_000_000))):
            t0 = time.perf_counter()
            found = extract_citations(text)
            secs = time.perf_counter() - t0
            mb = len(text.encode("utf-8")) / 1e6
            print(f"{label:9s} {mb:6.2f} MB {len(found):7d} citations {secs:6.2f}s = {mb / secs:6.2f} MB/s")

    print("\n== figures and checks")
    try:
        from pipeline.analysis.figures import extract_figures
    except ImportError:
        extract_figures = None
    if extract_figures:
        import sqlite_utils

        db = sqlite_utils.Database(db_path)
        n_fig = db["figures"].count if db["figures"].exists() else 0
        n_checks = db["checks"].count if db["checks"].exists() else 0
        fig_s = sum(v for k, v in text_stage.items() if "figures" in k)
        audit_s = sum(v for k, v in text_stage.items() if "audit" in k)
        print(f"figures: {n_fig} in {fig_s:.2f}s ({rate(n_fig, fig_s)}/s, {100 * fig_s / text_seconds:.1f}% of ingest)")
        print(f"checks:  {n_checks} in {audit_s:.2f}s ({rate(n_checks, audit_s)} claims/s, "
              f"{100 * audit_s / text_seconds:.1f}% of ingest)")

    print()
    bench_query(db_path)
    bench_doc_conversion()


def write_zip_bomb(path: Path, mb: int = 128) -> None:
    """A .docx whose word/document.xml expands to `mb` MB (about 1 MB compressed)."""
    import zipfile

    ns = "http://schemas.openxmlformats.org/"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", f'<?xml version="1.0"?><Types xmlns="{ns}package/2006/'
                    'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')
        zf.writestr("_rels/.rels", f'<?xml version="1.0"?><Relationships xmlns="{ns}package/2006/'
                    f'relationships"><Relationship Id="rId1" Type="{ns}officeDocument/2006/'
                    'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            fh.write(f'<w:document xmlns:w="{ns}wordprocessingml/2006/main"><w:body>'.encode())
            chunk = (b"<w:p><w:r><w:t>" + b"A" * 900 + b"</w:t></w:r></w:p>") * 1000
            for _ in range(mb * 1_000_000 // len(chunk) + 1):
                fh.write(chunk)
            fh.write(b"</w:body></w:document>")


def zip_bomb_peak_memory(jobs: int = 2) -> dict:
    """Peak memory of an ingest batch holding a zip-bomb DOCX (128 MB of XML) next to a
    normal report, run in a fresh process: its own peak RSS and its largest extraction
    worker's (both must stay well under 1 GB; their sum bounds the batch)."""
    import json
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        write_zip_bomb(folder / "bom.docx")
        sample = next(iter(sorted((ROOT / "corpus").glob("*.txt"))), None)
        if sample:
            shutil.copy(sample, folder / sample.name)
        code = (
            "import json, resource, sys\n"
            "from pipeline.ingest import ingest\n"
            f"s = ingest([{str(folder)!r}], {str(Path(tmp) / 'c.db')!r}, jobs={jobs})\n"
            "kb = lambda who: resource.getrusage(who).ru_maxrss\n"
            "print(json.dumps({'main_mb': kb(resource.RUSAGE_SELF) / 1024,"
            " 'worker_mb': kb(resource.RUSAGE_CHILDREN) / 1024,"
            " 'outcomes': [(o.path.rsplit('/', 1)[-1], o.status, o.reason) for o in s.outcomes]}))\n")
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    result["batch_peak_mb_upper_bound"] = result["main_mb"] + result["worker_mb"]
    return result


if __name__ == "__main__":
    if sys.argv[1:2] == ["cited-by"]:
        bench_cited_by(int(sys.argv[2]) if len(sys.argv) > 2 else 300)
        raise SystemExit(0)
    if sys.argv[1:2] == ["query"]:
        bench_query(Path(sys.argv[2]) if len(sys.argv) > 2 else None)
        raise SystemExit(0)
    if sys.argv[1:] == ["text"]:
        bench_text()
        raise SystemExit(0)
    if sys.argv[1:2] == ["jobs"]:
        bench_jobs(*(int(a) for a in sys.argv[2:4]))
        raise SystemExit(0)
    if sys.argv[1:] == ["pdf"]:
        GEN.mkdir(parents=True, exist_ok=True)
        path = make_pdf()
        import pypdfium2
        bench_pdf(path, len(pypdfium2.PdfDocument(path)))
        sys.exit(0)
    if sys.argv[1:] == ["doc"]:
        GEN.mkdir(parents=True, exist_ok=True)
        bench_doc_conversion()
    elif sys.argv[1:] == ["--zip-bomb"]:
        r = zip_bomb_peak_memory()
        print(f"zip-bomb batch: main process peak {r['main_mb']:.0f} MB, largest worker "
              f"{r['worker_mb']:.0f} MB (sum {r['batch_peak_mb_upper_bound']:.0f} MB < 1024 MB)")
        for name, status, reason in r["outcomes"]:
            print(f"  {name}: {status}{': ' + reason if reason else ''}")
    elif sys.argv[1:2] == ["dbsize"]:
        db_size_report(*(float(a) for a in sys.argv[2:3]))
    else:
        main()
