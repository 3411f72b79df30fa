"""`baocao figures` and `baocao audit`: the numbers of a document and their checks.

    baocao figures [DOC] [--kind percent --kind ratio] [--format table|csv|json]
    baocao audit [DOC] [--all] [--format table|csv|json|html] [--output FILE]

`audit` shows by default only what an auditor must look at (mismatch, rounding), each
with document, page, section, the sentence with its numbers marked «…», what was stated
and what the arithmetic gives. `--format html` writes one self-contained page (inline
CSS, no scripts or external files).
"""
from __future__ import annotations

import html
import io
import os
import json
import sys
from datetime import datetime, timezone

import sqlite_utils

from pipeline.cli import add_db_option
from pipeline.output import FORMATS, check_output_path, emit, resolve_document, write_output

FIGURE_COLUMNS = ["document", "id", "surface", "value", "unit", "kind", "numerator",
                  "denominator", "stated_percent", "subject", "scope", "page", "section",
                  "footnote", "start", "end"]
CHECK_COLUMNS = ["document", "id", "verdict", "kind", "page", "section", "footnote",
                 "stated", "computed", "sentence", "message"]
VERDICT_ORDER = {"mismatch": 0, "rounding": 1, "unverifiable": 2, "ok": 3}


def register(sub) -> None:
    p = sub.add_parser("figures", help="numeric indicators of a document (or of the corpus)")
    p.add_argument("document", nargs="?", help="document id, path, file name or number symbol")
    p.add_argument("--kind", action="append", choices=["count", "ratio", "percent", "money",
                                                       "score", "rank", "other"],
                   help="only these kinds (repeatable)")
    p.add_argument("--format", choices=FORMATS, default="table")
    add_db_option(p)
    p.set_defaults(func=cmd_figures)

    p = sub.add_parser("audit", help="arithmetic checks: stated vs computed")
    p.add_argument("document", nargs="?", help="document id, path, file name or number symbol")
    p.add_argument("--all", action="store_true",
                   help="every check (ok and unverifiable too), not only mismatch/rounding")
    p.add_argument("--format", choices=FORMATS + ("html",), default="table")
    p.add_argument("--output", "-o", help="write to this file (default: stdout)")
    add_db_option(p)
    p.set_defaults(func=cmd_audit)


def _documents(db, ref):
    if ref is None:
        return None, {d["id"]: d["path"] for d in db.query("select id, path from documents")}
    doc = resolve_document(db, ref)
    return doc["id"], {doc["id"]: doc["path"]}


def cmd_figures(args) -> int:
    db = sqlite_utils.Database(args.db)
    doc_id, paths = _documents(db, args.document)
    if not db["figures"].exists():
        emit([], args.format, FIGURE_COLUMNS)
        return 0
    where, params = [], []
    if doc_id is not None:
        where.append("document_id = ?")
        params.append(doc_id)
    if args.kind:
        where.append(f"kind in ({','.join('?' * len(args.kind))})")
        params.extend(args.kind)
    sql = "select * from figures" + (" where " + " and ".join(where) if where else "")
    rows = []
    for r in db.query(sql + " order by document_id, start", params):
        r["document"] = paths.get(r["document_id"], r["document_id"])
        rows.append(r)
    emit(rows, args.format, FIGURE_COLUMNS, title="figures")
    return 0


def check_rows(db, doc_id=None, include_all=False) -> list[dict]:
    """Checks joined with their document, and the sentence with its numbers marked."""
    if not db["checks"].exists():
        return []
    where, params = [], []
    if doc_id is not None:
        where.append("c.document_id = ?")
        params.append(doc_id)
    if not include_all:
        where.append("c.verdict in ('mismatch', 'rounding')")
    sql = ("select c.*, d.path as document from checks c "
           "join documents d on d.id = c.document_id"
           + (" where " + " and ".join(where) if where else "")
           + " order by c.document_id, c.start")
    rows = list(db.query(sql, params))
    ids = {i for r in rows for i in json.loads(r["figure_ids"] or "[]")}
    figs = {}
    if ids:
        for chunk in _chunks(sorted(ids), 500):
            for f in db.query(f"select id, document_id, start, end, sentence_start, sentence_end "
                              f"from figures where id in ({','.join('?' * len(chunk))})", chunk):
                figs[f["id"]] = f
    texts = {}  # one read of each document's text, however many checks it has
    for doc_id in {r["document_id"] for r in rows}:
        texts[doc_id] = db.execute("select text from documents where id = ?", [doc_id]).fetchone()[0] or ""
    for r in rows:
        text = texts[r["document_id"]]
        own = [figs[i] for i in json.loads(r["figure_ids"] or "[]")
               if i in figs and figs[i]["document_id"] == r["document_id"]]
        r["spans"] = [(f["start"] - (min(g["sentence_start"] for g in own)), f["end"] - min(
            g["sentence_start"] for g in own)) for f in own] if own else []
        if own:
            s = min(f["sentence_start"] for f in own)
            e = max(f["sentence_end"] for f in own)
            r["sentence_plain"] = text[s:e]
        else:
            r["sentence_plain"] = text[r["start"]:r["end"]]
            r["spans"] = []
        r["sentence"] = _mark(r["sentence_plain"], r["spans"], "«", "»")
    rows.sort(key=lambda r: (r["document_id"], VERDICT_ORDER.get(r["verdict"], 9), r["start"]))
    return rows


def _chunks(seq, n):
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


def _mark(sentence: str, spans, open_, close, escape=lambda s: s) -> str:
    out, pos = [], 0
    for s, e in sorted(set(spans)):
        if s < pos or s < 0 or e > len(sentence):
            continue
        out.append(escape(sentence[pos:s]))
        out.append(open_ + escape(sentence[s:e]) + close)
        pos = e
    out.append(escape(sentence[pos:]))
    return "".join(out)


def cmd_audit(args) -> int:
    db = sqlite_utils.Database(args.db)
    doc_id, _ = _documents(db, args.document)
    rows = check_rows(db, doc_id, include_all=args.all)
    if args.output:  # refused before any work if it is the database or an input
        check_output_path(args.output, args.db)
    out = io.StringIO() if args.output else sys.stdout
    if args.format == "html":
        out.write(render_html(rows, db, include_all=args.all))
    elif args.format == "table":
        render_cards(rows, out)
    else:
        emit(rows, args.format, CHECK_COLUMNS, title="audit", file=out)
    if args.output:
        write_output(args.output, out.getvalue(), args.db)
        print(f"{len(rows)} checks → {args.output}", file=sys.stderr)
    return 0


def render_cards(rows, out) -> None:
    """Terminal view: one card per check (a wide table wraps the sentence into a column
    of single words), numbers highlighted in the sentence."""
    from rich.console import Console
    from pipeline.output import markup_safe as escape  # Rich markup and control characters

    from pipeline.numbers import format_number

    def num(x):
        if x is None:
            return "—"
        return format_number(x, 0 if abs(x - round(x)) < 1e-9 else 4).rstrip("0").rstrip(",")

    width = None if out.isatty() or os.environ.get("COLUMNS") else 120
    console = Console(file=out, width=width, highlight=False)
    colour = {"mismatch": "bold red", "rounding": "yellow", "ok": "green", "unverifiable": "dim"}
    if not rows:
        console.print("no mismatch or rounding found (use --all to list every check)")
    for r in rows:
        where = " · ".join(x for x in (
            f"p.{r['page']}" if r.get("page") else "",
            f"§{r['section']}" if r.get("section") else "",
            f"chú thích {r['footnote']}" if r.get("footnote") else "") if x)
        console.print(f"[{colour.get(r['verdict'], '')}]{r['verdict'].upper()}[/] "
                      f"{escape(str(r['document']))}  {where}  ({r['kind']}, check {r['id']})")
        console.print(f"  stated {num(r['stated'])} · computed {num(r['computed'])}")
        marks = ("[reverse]", "[/reverse]") if console.is_terminal else ("«", "»")
        sentence = _mark(r["sentence_plain"], r["spans"], *marks, escape)
        console.print(f"  {sentence}")
        console.print(f"  → {escape(r['message'])}\n")


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;margin:2rem;
color:#1d1d1f;max-width:1200px}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border:1px solid #ddd;padding:.4rem .5rem;vertical-align:top;text-align:left}
th{background:#f4f4f6}
mark{background:#ffe58a;padding:0 .1rem;border-radius:2px}
.v{font-weight:600;border-radius:3px;padding:.1rem .4rem;white-space:nowrap}
.mismatch{background:#fde2e1;color:#a1140b}.rounding{background:#fff1d6;color:#8a5300}
.ok{background:#e3f6e8;color:#1b6e32}.unverifiable{background:#ececf1;color:#555}
.num{font-variant-numeric:tabular-nums;white-space:nowrap}
.summary span{margin-right:1rem}
"""


def render_html(rows, db=None, include_all=False) -> str:
    from pipeline.numbers import format_number

    def num(x):
        if x is None:
            return ""
        return format_number(x, 0 if abs(x - round(x)) < 1e-9 else 4).rstrip("0").rstrip(",")

    counts: dict[str, int] = {}
    for r in rows:
        counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    parts = ["<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\">",
             "<title>Kiểm tra số liệu</title>", f"<style>{_CSS}</style></head><body>",
             "<h1>Kiểm tra số liệu (baocao audit)</h1>",
             f"<p>{len(rows)} kiểm tra · {'tất cả' if include_all else 'chỉ sai lệch và làm tròn'}"
             f" · tạo lúc {now}</p><p class=\"summary\">"]
    for v in ("mismatch", "rounding", "unverifiable", "ok"):
        if counts.get(v):
            parts.append(f"<span class=\"v {v}\">{v}: {counts[v]}</span>")
    parts.append("</p>")
    by_doc: dict[str, list[dict]] = {}
    for r in rows:
        by_doc.setdefault(r["document"], []).append(r)
    if not rows:
        parts.append("<p>Không có sai lệch nào.</p>")
    for doc, items in by_doc.items():
        parts.append(f"<h2>{html.escape(str(doc))}</h2><table><thead><tr>"
                     "<th>Kết luận</th><th>Loại</th><th>Trang</th><th>Mục</th>"
                     "<th>Câu (số liệu được đánh dấu)</th><th>Nêu</th><th>Tính lại</th>"
                     "<th>Giải thích</th></tr></thead><tbody>")
        for r in items:
            sentence = _mark(r["sentence_plain"], r["spans"], "<mark>", "</mark>", html.escape)
            where = r["section"] or ""
            if r.get("footnote"):
                where += f" (chú thích {r['footnote']})"
            parts.append(
                f"<tr><td><span class=\"v {r['verdict']}\">{r['verdict']}</span></td>"
                f"<td>{html.escape(r['kind'])}</td><td>{r['page'] or ''}</td>"
                f"<td>{html.escape(where)}</td><td>{sentence}</td>"
                f"<td class=\"num\">{num(r['stated'])}</td><td class=\"num\">{num(r['computed'])}</td>"
                f"<td>{html.escape(r['message'] or '')}</td></tr>")
        parts.append("</tbody></table>")
    parts.append("</body></html>\n")
    return "".join(parts)
