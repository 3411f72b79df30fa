"""`baocao figures` and `baocao audit`: the numbers of a document and their checks.

    baocao figures [DOC] [--kind percent --kind ratio] [--format table|csv|json]
    baocao audit [DOC] [--all] [--format table|csv|json|html|xlsx] [--output FILE]
                 [--fail-on mismatch]

`audit` shows by default only what an auditor must look at (mismatch, rounding): one
card per slip (checks sharing a figure), with document, page, section, the sentence with
its numbers marked «…», the number as the document writes it, what the arithmetic gives,
the basis (the words or table cells asserting the relation) and the auditor's review
(`baocao review`). `--format html` writes one self-contained page (inline CSS, no
scripts or external files) with a per-report summary and a table of contents;
`--format xlsx` one sheet per report plus a summary. Text cells starting with = + - @
are prefixed with ' in CSV and XLSX. `--fail-on mismatch` exits 5 (exitcodes.MISMATCH)
when a mismatch is open (not reviewed as a false alarm).
"""
from __future__ import annotations

import html
import io
import json
import os
import re
import sys
from datetime import datetime, timezone


from pipeline.commands import exitcodes
from pipeline.cli import add_db_option
from pipeline.commands.output import FORMATS, check_output_path, emit, resolve_document, write_output
from pipeline.store.db import ReadDB

FIGURE_COLUMNS = ["document", "id", "surface", "value", "unit", "kind", "numerator",
                  "denominator", "stated_percent", "subject", "scope", "page", "section",
                  "footnote", "start", "end"]
CHECK_COLUMNS = ["document", "id", "card", "verdict", "kind", "kind_vi", "page", "section",
                 "footnote", "stated", "stated_text", "computed", "computed_text", "basis",
                 "sentence", "message", "review", "review_note"]
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
    p.add_argument("--format", choices=FORMATS + ("html", "xlsx"), default="table")
    p.add_argument("--output", "-o", help="write to this file (default: stdout; xlsx needs it)")
    p.add_argument("--fail-on", choices=["mismatch"], default=None,
                   help="exit 5 when a mismatch (not reviewed as a false alarm) exists")
    add_db_option(p)
    p.set_defaults(func=cmd_audit)


def _documents(db, ref):
    if ref is None:
        return None, {d["id"]: d["path"] for d in db.query("select id, path from documents")}
    doc = resolve_document(db, ref)
    return doc["id"], {doc["id"]: doc["path"]}


def cmd_figures(args) -> int:
    with ReadDB(args.db) as db:
        doc_id, paths = _documents(db, args.document)
        if not db["figures"].exists():
            emit([], args.format, FIGURE_COLUMNS)
            return exitcodes.NO_MATCH
        where, params = [], []
        if doc_id is not None:
            where.append("document_id = ?")
            params.append(doc_id)
        if args.kind:
            where.append(f"kind in ({','.join('?' * len(args.kind))})")
            params.extend(args.kind)
        sql = "select * from figures" + (" where " + " and ".join(where) if where else "")
        rows = ({**r, "document": paths.get(r["document_id"], r["document_id"])}
                for r in db.query(sql + " order by document_id, start", params))
        return exitcodes.found(emit(rows, args.format, FIGURE_COLUMNS, title="figures"))


KIND_VI = {
    "ratio_percent": "tỷ lệ của phân số", "implicit_whole": "tỷ lệ trên tổng đã nêu",
    "complement": "phần còn lại", "complement_percent": "hai tỷ lệ bù nhau",
    "parts": "các phần của một tổng", "total": "tổng và các thành phần",
    "change": "mức tăng/giảm", "change_percent": "tỷ lệ tăng/giảm",
    "repeated": "số liệu nêu lại", "cross_document": "khác văn bản khác",
    "table_formula": "bảng: công thức cột", "table_total": "bảng: dòng/cột tổng",
    "table_percent": "bảng: cột tỷ lệ",
    "table_change": "bảng: cột tăng/giảm",
}
VERDICT_VI = {"mismatch": "sai lệch", "rounding": "làm tròn", "unverifiable": "chưa kiểm chứng được",
              "ok": "khớp"}
PERCENT_KINDS = {"ratio_percent", "implicit_whole", "complement_percent", "change_percent",
                 "table_percent"}


def _fmt(x, decimals=None) -> str:
    """A number in Vietnamese notation; integers without decimals (30, not 3)."""
    from pipeline.text.numbers import format_number

    if x is None:
        return ""
    if decimals is None:
        if abs(x - round(x)) < 1e-9:
            return format_number(x, 0)
        s = format_number(x, 4)
        return s.rstrip("0").rstrip(",")
    return format_number(x, decimals)


def _stated_text(r, own, text) -> str:
    """The stated number as the document writes it: the figure's own surface."""
    if r["kind"].startswith("table_"):
        return text[r["start"]:r["end"]]
    st = r["stated"]
    if st is None:
        return ""
    percent = r["kind"] in PERCENT_KINDS
    same = lambda a, b: abs(a - b) <= 1e-9 * max(1, abs(b))
    mine = sorted((f for f in own if f["value"] is not None and f["kind"] != "ratio"
                   and (f["kind"] == "percent") == percent), key=lambda f: f["start"])
    for f in mine:
        if same(f["value"], st):
            return f["surface"]
    # a stated sum the document writes as its terms ("97,79% + 2,83%", "36 Nghị quyết +
    # 137 Quyết định"): all of them, or all but the one it is compared with
    for k in range(len(mine), -1, -1):
        terms = mine[:k] + mine[k + 1:]
        if len(terms) >= 2 and same(sum(f["value"] for f in terms), st):
            return " + ".join(f["surface"] for f in terms)
    return _fmt(st) + ("%" if percent else "")


def _computed_text(r, stated_text) -> str:
    c = r["computed"]
    if c is None:
        return ""
    if r["kind"] == "complement_percent":
        return _fmt(c) + "%"
    if r["kind"] in PERCENT_KINDS:
        m = re.search(r",(\d+)", stated_text or "")
        d = len(m.group(1)) if m else 0
        return _fmt(c, max(d + 2, 2)) + "%"
    from pipeline.text.numbers import NUMBER, parse_number

    if " + " in (stated_text or ""):
        return _fmt(c)  # a stated sum of terms: the other statement's number
    # a table typed "532,000" / "197,128,000" (the stated value says which): shown alike
    en = re.fullmatch(r"\(?-?(\d{1,3}(?:,\d{3})+(?:\.\d+)?)\)?", (stated_text or "").strip())
    if r["kind"].startswith("table_") and en and r["stated"] is not None and \
            abs(float(en.group(1).replace(",", "")) - abs(r["stated"])) < 1e-6:
        return _fmt(c).translate(str.maketrans(",.", ".,"))
    m = re.match(NUMBER, stated_text or "")
    word = (stated_text or "")[m.end():].strip() if m else ""
    if m and re.match(r"[^\W\d_]", word) and r["stated"]:
        raw = parse_number(m.group(0))[0]
        scale = r["stated"] / raw if raw else 1.0
        if scale > 1.5:  # "22.143 tỷ đồng": the sum in the same scale
            return f"{_fmt(c / scale)} {word}"
    return _fmt(c)


def _line_around(text, start, end) -> tuple[int, int]:
    s = text.rfind("\n", 0, start) + 1
    e = text.find("\n", end)
    return s, (len(text) if e < 0 else e)


def check_rows(db, doc_id=None, include_all=False) -> list[dict]:
    """Checks joined with their document and review, the sentence with its numbers
    marked, the stated number as written, and `card` (checks sharing a figure are one
    slip: one card)."""
    from pipeline.commands.review import REVIEW_VI, reviews_by_key

    if not db["checks"].exists():
        return []
    where, params = [], []
    if doc_id is not None:
        where.append("c.document_id = ?")
        params.append(doc_id)
    if not include_all:
        where.append("c.verdict in ('mismatch', 'rounding')")
    sql = ("select c.*, d.path as document, d.sha256 as sha256 from checks c "
           "join documents d on d.id = c.document_id"
           + (" where " + " and ".join(where) if where else "")
           + " order by c.document_id, c.start")
    rows = list(db.query(sql, params))
    reviews = reviews_by_key(db)
    ids = {i for r in rows for i in json.loads(r["figure_ids"] or "[]")}
    figs = {}
    if ids:
        from pipeline.store.db import in_list
        inside, params = in_list(db, sorted(ids))
        for f in db.query(f"select id, document_id, surface, value, kind, start, end, "
                          f"sentence_start, sentence_end from figures where id in ({inside})", params):
            figs[f["id"]] = f
    texts = {}  # one read of each document's text, however many checks it has
    for doc_id in {r["document_id"] for r in rows}:
        texts[doc_id] = db.execute("select text from documents where id = ?", [doc_id]).fetchone()[0] or ""
    parent: dict = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r in rows:
        text = texts[r["document_id"]]
        own = [figs[i] for i in json.loads(r["figure_ids"] or "[]")
               if i in figs and figs[i]["document_id"] == r["document_id"]]
        if own and not r["kind"].startswith("table_"):
            r["sentence_plain"], r["spans"] = _sentences_of(text, own)
        else:
            s, e = _line_around(text, r["start"], r["end"])
            r["spans"] = [(r["start"] - s, r["end"] - s)]
            r["sentence_plain"] = text[s:e]
        r["sentence"] = _mark(r["sentence_plain"], r["spans"], "«", "»")
        r["stated_text"] = _stated_text(r, own, text)
        r["computed_text"] = _computed_text(r, r["stated_text"])
        r["kind_vi"] = KIND_VI.get(r["kind"], r["kind"])
        r["verdict_vi"] = VERDICT_VI.get(r["verdict"], r["verdict"])
        rev = reviews.get((r["sha256"], r["kind"], r["start"], r["end"]))
        r["review"] = rev["verdict"] if rev else None
        r["review_vi"] = REVIEW_VI.get(rev["verdict"]) if rev else None
        r["review_note"] = rev["note"] if rev else None
        r["basis"] = r.get("basis")
        node = ("check", r["id"])
        find(node)
        for f in own:
            parent[find(node)] = find(("fig", f["id"]))
    for r in rows:
        r["card"] = None
    roots: dict = {}
    for r in rows:
        root = find(("check", r["id"]))
        r["card"] = roots.setdefault(root, r["id"])
    rows.sort(key=lambda r: (r["document_id"], VERDICT_ORDER.get(r["verdict"], 9), r["start"]))
    first: dict = {}
    for r in rows:  # a card's id is its first (worst) check's id
        r["card"] = first.setdefault(r["card"], r["id"])
    return rows


def _sentences_of(text, figs) -> tuple[str, list[tuple[int, int]]]:
    """The sentences holding a check's figures, and the figures' spans in them. Sentences
    apart (the text and its annex row pages later) are joined by " … ", not by all that
    lies between them."""
    pieces: list[list[int]] = []
    for a, b in sorted({(f["sentence_start"], f["sentence_end"]) for f in figs}):
        if pieces and a <= pieces[-1][1] + 2:  # the same or the next sentence
            pieces[-1][1] = max(pieces[-1][1], b)
        else:
            pieces.append([a, b])
    plain, offsets = "", []
    for a, b in pieces:
        plain += " … " if plain else ""
        offsets.append((a, b, len(plain)))
        plain += text[a:b]
    spans = [(f["start"] - a + off, f["end"] - a + off)
             for f in figs for a, b, off in offsets if a <= f["start"] < b]
    return plain, spans


def cards(rows) -> list[list[dict]]:
    """Rows grouped into cards (one per slip), in the order of their first check."""
    out: dict[int, list[dict]] = {}
    for r in rows:
        out.setdefault(r["card"], []).append(r)
    return list(out.values())


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
    with ReadDB(args.db) as db:
        doc_id, _ = _documents(db, args.document)
        rows = check_rows(db, doc_id, include_all=args.all)
        if args.output:  # refused before any work if it is the database or an input
            check_output_path(args.output, args.db)
        if args.format == "xlsx":
            if not args.output:
                print("baocao audit: --format xlsx needs --output FILE.xlsx", file=sys.stderr)
                return exitcodes.USAGE
            write_xlsx(rows, summary_rows(db, doc_id), args.output)
        else:
            out = io.StringIO() if args.output else sys.stdout
            if args.format == "html":
                out.write(render_html(rows, db, include_all=args.all, doc_id=doc_id))
            elif args.format == "table":
                render_cards(rows, out)
            else:
                safe = [{k: safe_cell(v) for k, v in r.items()} for r in rows] \
                    if args.format == "csv" else rows
                emit(safe, args.format, CHECK_COLUMNS, title="audit", file=out)
            if args.output:
                write_output(args.output, out.getvalue(), args.db)
        if args.output:
            print(f"{len(rows)} checks → {args.output}", file=sys.stderr)
        if args.fail_on == "mismatch" and _open_mismatches(db, doc_id):
            return exitcodes.MISMATCH
        return exitcodes.OK  # a clean audit is a success, not "nothing matched"


def _open_mismatches(db, doc_id) -> int:
    """Mismatches not reviewed as false alarms."""
    rows = check_rows(db, doc_id, include_all=False)
    return sum(1 for r in rows if r["verdict"] == "mismatch" and r["review"] != "false-alarm")


FORMULA_START = ("=", "+", "-", "@")


def safe_cell(v):
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(v, str) and v.startswith(FORMULA_START):
        return "'" + v
    return v


def summary_rows(db, doc_id=None) -> list[dict]:
    """Checks by document, kind and verdict (every check, not only the flagged ones)."""
    if not db["checks"].exists():
        return []
    sql = ("select d.path as document, c.kind, c.verdict, count(*) as n from checks c "
           "join documents d on d.id = c.document_id"
           + (" where c.document_id = ?" if doc_id is not None else "")
           + " group by d.path, c.kind, c.verdict order by d.path, c.kind")
    return list(db.query(sql, [doc_id] if doc_id is not None else []))


XLSX_COLUMNS = ["card", "id", "verdict_vi", "kind_vi", "page", "section", "footnote", "stated",
                "stated_text", "computed", "computed_text", "basis", "sentence", "message",
                "review_vi", "review_note"]


def write_xlsx(rows, summary, path) -> None:
    """One sheet per report (numbers as numbers) and a summary sheet first."""
    import pandas as pd

    sheets: dict[str, pd.DataFrame] = {}
    summ = []
    for s in summary:
        summ.append({"văn bản": s["document"], "loại kiểm tra": KIND_VI.get(s["kind"], s["kind"]),
                     "kết luận": VERDICT_VI.get(s["verdict"], s["verdict"]), "số lượng": s["n"]})
    sheets["Tổng hợp"] = pd.DataFrame(summ, columns=["văn bản", "loại kiểm tra", "kết luận", "số lượng"])
    by_doc: dict[str, list[dict]] = {}
    for r in rows:
        by_doc.setdefault(r["document"], []).append(r)
    used = set(sheets)
    for doc, items in by_doc.items():
        base = re.sub(r"[\[\]:*?/\\]", "_", os.path.basename(str(doc)))[:28] or "report"
        name, k = base, 2
        while name in used:
            name, k = f"{base[:25]}~{k}", k + 1
        used.add(name)
        sheets[name] = pd.DataFrame([{c: r.get(c) for c in XLSX_COLUMNS} for r in items], columns=XLSX_COLUMNS)
    for frame in sheets.values():
        for c in frame.columns:
            # every text column (pandas 3 types them `str`, not `object`): "-102" as written
            # would otherwise be read by a spreadsheet as a formula
            if not pd.api.types.is_numeric_dtype(frame[c]):
                frame[c] = frame[c].map(safe_cell)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)


def _where(r) -> str:
    return " · ".join(x for x in (
        f"trang {r['page']}" if r.get("page") else "",
        f"mục {r['section']}" if r.get("section") else "",
        f"chú thích {r['footnote']}" if r.get("footnote") else "") if x)


def render_cards(rows, out) -> None:
    """Terminal view: one card per slip (checks sharing a figure together), numbers
    highlighted in the sentence, stated numbers as the document writes them."""
    from rich.console import Console
    from pipeline.commands.output import markup_safe as escape  # Rich markup and control characters

    width = None if out.isatty() or os.environ.get("COLUMNS") else 120
    console = Console(file=out, width=width, highlight=False)
    colour = {"mismatch": "bold red", "rounding": "yellow", "ok": "green", "unverifiable": "dim"}
    if not rows:
        console.print("no mismatch or rounding found (use --all to list every check)")
    marks = ("[reverse]", "[/reverse]") if console.is_terminal else ("«", "»")
    for group in cards(rows):
        head = group[0]
        console.print(f"[{colour.get(head['verdict'], '')}]{head['verdict'].upper()}[/] "
                      f"{escape(str(head['document']))}  {_where(head)}  "
                      f"(thẻ {head['card']}, {len(group)} kiểm tra)")
        shown = set()
        for r in group:
            if r["sentence_plain"] not in shown:
                shown.add(r["sentence_plain"])
                console.print(f"  {_mark(r['sentence_plain'], r['spans'], *marks, escape)}")
        for r in group:
            review = f"  [bold]review: {r['review']}[/]" + (f" — {escape(r['review_note'])}" if r.get("review_note") else "") \
                if r.get("review") else ""
            console.print(f"  [{colour.get(r['verdict'], '')}]{r['verdict']}[/] "
                          f"{escape(r['kind_vi'])} (check {r['id']}): "
                          f"stated {escape(r['stated_text'])} · computed {escape(r['computed_text'])}{review}")
            if r.get("basis"):
                console.print(f"    căn cứ: {escape(r['basis'])}")
            console.print(f"    → {escape(r['message'])}")
        console.print()


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
.summary span{margin-right:1rem}.card{border-top:2px solid #999}
.review{font-weight:600}
"""


def render_html(rows, db=None, include_all=False, doc_id=None) -> str:
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    esc = html.escape
    parts = ["<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\">",
             "<title>Kiểm tra số liệu</title>", f"<style>{_CSS}</style></head><body>",
             "<h1>Kiểm tra số liệu (baocao audit)</h1>",
             f"<p>{len(rows)} kiểm tra · {'tất cả' if include_all else 'chỉ sai lệch và làm tròn'}"
             f" · tạo lúc {now}</p><p class=\"summary\">"]
    for v in ("mismatch", "rounding", "unverifiable", "ok"):
        if counts.get(v):
            parts.append(f"<span class=\"v {v}\">{VERDICT_VI[v]}: {counts[v]}</span>")
    parts.append("</p>")
    by_doc: dict[str, list[dict]] = {}
    for r in rows:
        by_doc.setdefault(r["document"], []).append(r)
    summary: dict[str, list[dict]] = {}
    for s in (summary_rows(db, doc_id) if db is not None else []):
        summary.setdefault(s["document"], []).append(s)
    # table of contents: every flag with its page and section
    parts.append("<h2>Mục lục</h2><ol>")
    for n, doc in enumerate(by_doc, 1):
        parts.append(f"<li><a href=\"#doc{n}\">{esc(str(doc))}</a><ul>")
        for group in cards(by_doc[doc]):
            r = group[0]
            parts.append(f"<li><a href=\"#c{r['id']}\"><span class=\"v {r['verdict']}\">"
                         f"{esc(r['verdict_vi'])}</span> {esc(r['kind_vi'])}</a> — "
                         f"{esc(_where(r) or 'không rõ trang')}</li>")
        parts.append("</ul></li>")
    parts.append("</ol>")
    if not rows:
        parts.append("<p>Không có sai lệch nào.</p>")
    for n, (doc, items) in enumerate(by_doc.items(), 1):
        parts.append(f"<h2 id=\"doc{n}\">{esc(str(doc))}</h2>")
        if summary.get(doc):
            parts.append("<table class=\"sum\"><thead><tr><th>Loại kiểm tra</th>"
                         + "".join(f"<th>{VERDICT_VI[v]}</th>" for v in VERDICT_ORDER) + "</tr></thead><tbody>")
            kinds: dict[str, dict] = {}
            for s in summary[doc]:
                kinds.setdefault(s["kind"], {})[s["verdict"]] = s["n"]
            for k, vs in kinds.items():
                parts.append(f"<tr><td>{esc(KIND_VI.get(k, k))}</td>"
                             + "".join(f"<td class=\"num\">{vs.get(v, '')}</td>" for v in VERDICT_ORDER)
                             + "</tr>")
            parts.append("</tbody></table><p></p>")
        parts.append("<table><thead><tr>"
                     "<th>Kết luận</th><th>Loại</th><th>Trang</th><th>Mục</th>"
                     "<th>Câu (số liệu được đánh dấu)</th><th>Nêu</th><th>Tính lại</th>"
                     "<th>Căn cứ</th><th>Giải thích</th><th>Rà soát</th></tr></thead><tbody>")
        for group in cards(items):
            for k, r in enumerate(group):
                sentence = _mark(r["sentence_plain"], r["spans"], "<mark>", "</mark>", esc)
                where = r["section"] or ""
                if r.get("footnote"):
                    where += f" (chú thích {r['footnote']})"
                review = ""
                if r.get("review"):
                    review = f"<span class=\"review\">{esc(r['review_vi'])}</span>"
                    if r.get("review_note"):
                        review += f"<br>{esc(r['review_note'])}"
                attrs = f" id=\"c{r['id']}\"" + (" class=\"card\"" if k == 0 else "")
                parts.append(
                    f"<tr{attrs}><td><span class=\"v {r['verdict']}\">{esc(r['verdict_vi'])}</span></td>"
                    f"<td>{esc(r['kind_vi'])}</td><td>{r['page'] or ''}</td>"
                    f"<td>{esc(where)}</td><td>{sentence}</td>"
                    f"<td class=\"num\">{esc(r['stated_text'])}</td>"
                    f"<td class=\"num\">{esc(r['computed_text'])}</td>"
                    f"<td>{esc(r.get('basis') or '')}</td>"
                    f"<td>{esc(r['message'] or '')}</td><td>{review}</td></tr>")
        parts.append("</tbody></table>")
    parts.append("</body></html>\n")
    return "".join(parts)
