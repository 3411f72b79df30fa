"""One more document at any corpus size (issue 11): `python bench/scale.py [N ...]`.

For each N (default 50 500 5000) a corpus of N short generated reports is ingested in one
batch (peak memory of that batch), then single new reports are ingested one at a time and
the CPU time of each is taken (median of 3): the batch work plus the corpus-wide
finalizers, which must not grow with N. Then `cited-by` on the corpus, in-process and as
a whole command (start-up included). The reports cite a pool of documents that grows
with the corpus (decrees, decisions, plans, laws by number and by a known name, bare
and undated mentions, reports of the corpus itself), so new documents keep adding
identities, loose mentions to resolve and links to corpus documents.
"""
from __future__ import annotations

import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
GEN = ROOT / "bench" / "generated"

LAWS = [("Luật Tổ chức chính quyền địa phương", "77/2015/QH13", "19/6/2015"),
        ("Luật Ngân sách nhà nước", "83/2015/QH13", "25/6/2015")]


def report(i: int, n: int, rnd: random.Random) -> str:
    """The i-th report of a corpus of n: ~1.5 KB, 8 citations."""
    year = 2020 + i % 5
    pool = max(40, n // 2)  # distinct cited documents grow with the corpus
    cites = []
    for j in range(8):
        k = rnd.randrange(pool)
        y, d, m = 2015 + k % 9, k % 28 + 1, k % 12 + 1
        form = rnd.randrange(10)
        if form == 0:
            name, sym, date = LAWS[k % 2]
            cites.append(f"{name} số {sym} ngày {date}")
        elif form == 1 and i > 0:  # an earlier report of the corpus
            o = rnd.randrange(i)
            cites.append(f"Báo cáo số {o + 1}/BC-UBND ngày {o % 28 + 1}/{o % 12 + 1}/{2020 + o % 5}")
        elif form == 2:
            cites.append(f"Nghị định {k + 10} của Chính phủ")  # bare: resolved across the corpus
        elif form == 3:
            cites.append(f"Quyết định số {k * 7 + 100}/QĐ-UBND")  # undated
        elif form < 6:
            cites.append(f"Nghị định số {k + 10}/{y}/NĐ-CP ngày {d}/{m}/{y} của Chính phủ")
        elif form < 8:
            cites.append(f"Quyết định số {k * 7 + 100}/QĐ-UBND ngày {d}/{m}/{y} của Ủy ban nhân dân tỉnh")
        else:
            cites.append(f"Kế hoạch số {k + 30}/KH-UBND ngày {d}/{m}/{y}")
    verbs = ["Căn cứ", "Thực hiện", "Triển khai", "Theo"]
    paras = [f"ỦY BAN NHÂN DÂN XÃ SỐ {i % 23 + 1}\n\nSố: {i + 1}/BC-UBND\n\n"
             f"ngày {i % 28 + 1} tháng {i % 12 + 1} năm {year}\n\nBÁO CÁO\nKết quả thực hiện nhiệm vụ năm {year - 1}"]
    for j, cite in enumerate(cites):
        paras.append(f"{j + 1}. {verbs[j % 4]} {cite}, các cơ quan, đơn vị đã rà soát "
                     f"{rnd.randint(10, 900)} hồ sơ, đạt {rnd.randint(50, 99)}% kế hoạch.")
    return "\n\n".join(paras) + "\n"


def cpu() -> float:
    """CPU seconds of this process and of its finished children (the extraction workers,
    whose pool ends with each batch)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def run(n: int, extra: int = 5) -> dict:
    from pipeline.commands.citations import cited_by
    from pipeline.ingest import ingest
    from pipeline.store.db import ReadDB

    folder = GEN / f"scale_{n}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rnd = random.Random(n)
    for i in range(n):
        (folder / f"bc-{i:05d}.txt").write_text(report(i, n, rnd), encoding="utf-8")
    db = GEN / f"scale_{n}.db"
    for p in GEN.glob(f"scale_{n}.db*"):
        p.unlink()
    t, c = time.perf_counter(), cpu()
    ingest([folder], db)
    build = (time.perf_counter() - t, cpu() - c)
    one = []
    for k in range(extra):
        new = GEN / f"scale_{n}_new{k}.txt"
        new.write_text(report(n + k, n, rnd), encoding="utf-8")
        c = cpu()
        ingest([new], db)
        one.append(cpu() - c)
    rdb = ReadDB(db)
    n_cit = rdb.execute("select count(*) from citations").fetchone()[0]
    query_s = []
    for _ in range(3):
        t = time.perf_counter()
        hits = cited_by(rdb, "83/2015/QH13")
        query_s.append(time.perf_counter() - t)
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pipeline.cli", "cited-by", "83/2015/QH13", "--db", str(db),
                           "--format", "csv"], cwd=ROOT, capture_output=True)
    command_s = time.perf_counter() - t
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import pipeline.cli"], cwd=ROOT, capture_output=True)
    startup_s = time.perf_counter() - t
    return {"n": n, "citations": n_cit, "build_s": build, "one_cpu_s": statistics.median(one),
            "cited_by_s": min(query_s), "cited_by_rows": len(hits), "command_s": command_s,
            "command_ok": proc.returncode == 0, "startup_s": startup_s,
            "db_mb": db.stat().st_size / 1e6,
            "input_mb": sum(p.stat().st_size for p in folder.iterdir()) / 1e6,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main(sizes: list[int]) -> None:
    print("== one more document (CPU s, median of 5 single-file ingests), per corpus size")
    results = []
    for n in sizes:
        r = run(n)
        results.append(r)
        print(f"  {r['n']:5d} docs, {r['citations']:6d} citations: build {r['build_s'][0]:6.1f} s wall "
              f"{r['build_s'][1]:6.1f} s CPU, peak RSS so far {r['peak_rss_mb']:5.0f} MB | one more "
              f"{r['one_cpu_s']:.3f} s CPU | cited-by {r['cited_by_s'] * 1000:6.1f} ms ({r['cited_by_rows']} rows), "
              f"as a command {r['command_s']:.2f} s (import pipeline.cli alone {r['startup_s']:.2f} s) | "
              f"db {r['db_mb'] / r['input_mb']:.2f} MB per MB of input")
    if len(results) > 1:
        print(f"  ratio one more document {results[-1]['n']}/{results[0]['n']}: "
              f"{results[-1]['one_cpu_s'] / results[0]['one_cpu_s']:.2f} (goal <= 1.2)")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [50, 500, 5000])
