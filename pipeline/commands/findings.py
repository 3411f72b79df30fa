"""`baocao findings` and `baocao show`: what documents conclude, and one document's outline.

    baocao findings [DOC] [--category limitation ...] [--topic TEXT] [--addressee TEXT]
                    [--format table|csv|json]
    baocao show DOC [--format table|json]
    baocao show DOC --html [--output FILE]

`--topic` and `--addressee` match anywhere in the value, ignoring case and diacritics
("ubnd xa" finds "UBND xã, thị trấn"). `show` prints the document's metadata and its
section tree with, per section (subsections included), the number of findings,
citations and figures. `show --html` writes one self-contained page: metadata, outline,
and the text with entities, citations, figures and dates highlighted by spaCy's displaCy,
each finding tagged with its category (and addressee).
"""
from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path


from pipeline.commands import exitcodes
from pipeline.cli import add_db_option
from pipeline.text.normalize import fold
from pipeline.commands.output import FORMATS, clean, emit, json_text, resolve_document, write_output
from pipeline.store.db import ReadDB

CATEGORIES = ["strength", "limitation", "cause", "responsibility", "recommendation",
              "direction", "other"]
FINDING_COLUMNS = ["document", "id", "section", "page", "category", "topic", "addressee",
                   "basis", "text"]
META_COLUMNS = ["doc_type", "number_symbol", "issued_date", "issued_place", "issuer", "title",
                "signer", "signer_role", "recipients", "period_start", "period_end"]
# displaCy labels and colours for `show --html`.
COLORS = {"ORG": "#7aecec", "LOC": "#ff9561", "PER": "#aa9cfc", "CITATION": "#feca74",
          "FIGURE": "#bfe1d9", "DATE": "#e4e7d2"}


def register(sub) -> None:
    p = sub.add_parser("findings", help="findings (strengths, limitations, recommendations …)")
    p.add_argument("document", nargs="?", help="document id, path, file name or number symbol")
    p.add_argument("--category", action="append", choices=CATEGORIES,
                   help="only these categories (repeatable)")
    p.add_argument("--topic", help="topic contains this (case and diacritics ignored)")
    p.add_argument("--addressee", help="addressee contains this (case and diacritics ignored)")
    p.add_argument("--format", choices=FORMATS, default="table")
    add_db_option(p)
    p.set_defaults(func=cmd_findings)

    p = sub.add_parser("show", help="a document's metadata and section outline (or --html)")
    p.add_argument("document", help="document id, path, file name or number symbol")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--html", action="store_true",
                   help="write the document as HTML with entities, citations and figures marked")
    p.add_argument("--output", "-o", help="HTML file (default: <file name>.html in the current folder)")
    add_db_option(p)
    p.set_defaults(func=cmd_show)


# ---- findings ----------------------------------------------------------------------------

def finding_rows(db, doc_id=None, categories=None, topic=None, addressee=None) -> list[dict]:
    return list(iter_finding_rows(db, doc_id, categories, topic, addressee))


def iter_finding_rows(db, doc_id=None, categories=None, topic=None, addressee=None):
    """The findings, in document and text order, as the query returns them."""
    if not db["findings"].exists():
        return
    where, params = [], []
    if doc_id is not None:
        where.append("f.document_id = ?")
        params.append(doc_id)
    if categories:
        where.append(f"f.category in ({','.join('?' * len(categories))})")
        params.extend(categories)
    sql = ("select f.*, d.path as document from findings f join documents d on d.id = f.document_id"
           + (" where " + " and ".join(where) if where else "") + " order by f.document_id, f.start")
    for r in db.query(sql, params):
        if topic and fold(topic) not in fold(r["topic"] or ""):
            continue
        if addressee and fold(addressee) not in fold(r["addressee"] or ""):
            continue
        yield r


def cmd_findings(args) -> int:
    with ReadDB(args.db) as db:
        doc_id = None
        if args.document:
            doc_id = resolve_document(db, args.document)["id"]
        rows = iter_finding_rows(db, doc_id, args.category, args.topic, args.addressee)
        if args.format == "table":
            rows = map(_short, rows)
        return exitcodes.found(emit(rows, args.format, FINDING_COLUMNS, title="findings"))


def _short(r: dict) -> dict:
    """A finding as the table shows it: the file name, the text cut at 160 characters."""
    r["document"] = Path(r["document"]).name
    if len(r["text"]) > 160:
        r["text"] = r["text"][:157] + "…"
    return r


# ---- show ----------------------------------------------------------------------------------

def _count_by_section(db, table: str, doc_id: int) -> dict[str, int]:
    if not db[table].exists():
        return {}
    return {r["section"]: r["n"] for r in db.query(
        f"select section, count(*) n from [{table}] where document_id = ? and section is not null "
        f"group by section", [doc_id])}


def outline(db, doc_id: int) -> list[dict]:
    """Sections in reading order with subtree counts of findings, citations and figures."""
    if not db["sections"].exists():
        return []
    sections = list(db.query("select * from sections where document_id = ? order by start", [doc_id]))
    counts = {t: _count_by_section(db, t, doc_id) for t in ("findings", "citations", "figures")}
    out = []
    for s in sections:
        row = {k: s[k] for k in ("id", "parent_id", "level", "number", "path", "heading", "page",
                                 "start", "end")}
        for t, by_path in counts.items():
            row[t] = sum(n for p, n in by_path.items() if p == s["path"] or p.startswith(s["path"] + "."))
        out.append(row)
    return out


def cmd_show(args) -> int:
    with ReadDB(args.db) as db:
        doc = resolve_document(db, args.document)
        if args.html:
            out = Path(args.output or (Path(doc["path"]).stem + ".html"))
            write_output(str(out), render_html(db, doc), args.db, [doc["path"]])
            print(f"wrote {clean(out)}")
            return 0
        sections = outline(db, doc["id"])
        meta = {k: doc.get(k) for k in META_COLUMNS}
        if meta.get("recipients"):
            meta["recipients"] = json.loads(meta["recipients"])
        if args.format == "json":
            sys.stdout.write(json_text({"document": doc["path"], "id": doc["id"], "metadata": meta,
                                        "sections": sections}))
            sys.stdout.write("\n")
            return 0
        print(f"{clean(doc['path'])}  (id {doc['id']}, {doc['format']}, {doc.get('pages') or '?'} pages, "
              f"status {doc['status']})")
        for k in META_COLUMNS:  # document text printed through clean(): no terminal escapes
            v = meta[k]
            if v is not None:
                print(f"  {k:13} {clean('; '.join(v) if isinstance(v, list) else v)}")
        print()
        totals = {t: sum(_count_by_section(db, t, doc["id"]).values()) for t in ("findings", "citations", "figures")}
        print(f"outline ({len(sections)} sections; findings {totals['findings']}, citations "
              f"{totals['citations']}, figures {totals['figures']} in sections)")
        for s in sections:
            label = _printed_number(s["number"])
            heading = clean(s["heading"] if len(s["heading"]) <= 90 else s["heading"][:87] + "…")
            print(f"{'  ' * s['level']}{clean(label)}{heading}  "
                  f"[findings {s['findings']}, citations {s['citations']}, figures {s['figures']}]")
        return 0


def _printed_number(number: str | None) -> str:
    """The number as printed before a heading: "II. ", "2.1. ", "a) ", "(3) ", "Điều 1 "."""
    if not number:
        return ""
    if re.fullmatch(r"[IVXLC]+|\d+(?:\.\d+)*|[A-H]|Điều \d+[a-z]?", number):
        return number + ". "
    if re.fullmatch(r"[a-zđ]", number):
        return number + ") "
    return number + " "


# ---- HTML (displaCy) -------------------------------------------------------------------------

def _marks(db, doc_id: int) -> list[tuple[int, int, str]]:
    """(start, end, label) of everything to highlight, overlaps resolved: displaCy's entity
    style draws one label per character, so citations win over figures, dates and names
    inside them, and a longer span over a shorter one."""
    spans = []
    priority = {"CITATION": 0, "FIGURE": 1, "DATE": 2, "ORG": 3, "LOC": 3, "PER": 3}
    queries = [("citations", "select start, end, 'CITATION' label from citations"),
               ("figures", "select start, end, 'FIGURE' label from figures"),
               ("dates", "select start, end, 'DATE' label from dates"),
               ("entities", "select start, end, label from entities")]
    for table, sql in queries:
        if db[table].exists():
            spans.extend((r["start"], r["end"], r["label"]) for r in db.query(
                sql + " where document_id = ? and start is not null", [doc_id]))
    spans.sort(key=lambda s: (priority.get(s[2], 9), -(s[1] - s[0]), s[0]))
    taken: list[tuple[int, int]] = []
    kept = []
    for s, e, label in spans:
        if e <= s or any(s < te and ts < e for ts, te in taken):
            continue
        taken.append((s, e))
        kept.append((s, e, label))
    return sorted(kept)


def render_html(db, doc: dict) -> str:
    from spacy import displacy

    text = doc["text"] or ""
    doc_id = doc["id"]
    marks = _marks(db, doc_id)
    blocks = list(db.query("select kind, start, end from blocks where document_id = ? order by start",
                           [doc_id])) if db["blocks"].exists() else []
    if not blocks:
        blocks = [{"kind": "paragraph", "start": 0, "end": len(text)}]
    heading_at = {s["start"]: s for s in outline(db, doc_id)}
    found = sorted((f["start"], f["end"], f["category"], f["addressee"]) for f in finding_rows(db, doc_id))
    parts = []
    k = 0
    for b in blocks:
        while k < len(marks) and marks[k][1] <= b["start"]:
            k += 1
        ents = []
        j = k
        while j < len(marks) and marks[j][0] < b["end"]:
            s, e, label = marks[j]
            if s >= b["start"] and e <= b["end"]:
                ents.append({"start": s - b["start"], "end": e - b["start"], "label": label})
            j += 1
        fragment = displacy.render({"text": text[b["start"]:b["end"]], "ents": ents, "title": None},
                                   style="ent", manual=True, options={"colors": COLORS})
        sec = heading_at.get(b["start"])
        if sec is not None:
            parts.append(f'<div class="section level{min(sec["level"], 4)}" id="s{sec["id"]}"></div>')
        cls = "footnote" if b["kind"] == "footnote" else ("table" if b["kind"] == "table" else "block")
        tags = "".join(
            f'<span class="finding {cat}" title="{html.escape(addr or "")}">{cat}'
            f'{" → " + html.escape(addr) if addr else ""}</span>'
            for fs, fe, cat, addr in found if b["start"] <= fs < b["end"])
        parts.append(f'<div class="{cls}">{tags}{fragment}</div>')
    meta_rows = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(_meta_value(doc.get(k)))}</td></tr>"
        for k in META_COLUMNS if doc.get(k))
    outline_items = "".join(
        f'<li style="margin-left:{(s["level"] - 1) * 1.2}em"><a href="#s{s["id"]}">'
        f'{html.escape(s["number"] or "")} {html.escape(s["heading"][:100])}</a> '
        f'<small>findings {s["findings"]} · citations {s["citations"]} · figures {s["figures"]}</small></li>'
        for s in outline(db, doc_id))
    legend = " ".join(f'<span class="tag" style="background:{c}">{l}</span>' for l, c in COLORS.items())
    title = html.escape(doc.get("title") or Path(doc["path"]).name)
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: "Times New Roman", serif; max-width: 60em; margin: 2em auto; color: #222; }}
table.meta th {{ text-align: left; padding-right: 1em; vertical-align: top; }}
.block, .footnote, .table {{ margin: 0.4em 0; }}
.footnote {{ font-size: 0.85em; color: #444; border-top: 1px solid #ddd; }}
.table .entities {{ white-space: pre-wrap; font-family: monospace; font-size: 0.8em; }}
.entities {{ line-height: 2 !important; }}
.tag {{ padding: 0.2em 0.5em; border-radius: 0.3em; font-size: 0.8em; font-weight: bold; }}
ul.outline {{ list-style: none; padding-left: 0; }}
ul.outline small {{ color: #777; }}
.finding {{ font: bold 0.7em sans-serif; padding: 0.1em 0.4em; border-radius: 0.3em; margin-right: 0.5em;
  background: #eee; }}
.finding.strength {{ background: #c8e6c9; }} .finding.limitation {{ background: #ffcdd2; }}
.finding.cause {{ background: #ffe0b2; }} .finding.responsibility {{ background: #d1c4e9; }}
.finding.recommendation {{ background: #bbdefb; }} .finding.direction {{ background: #f0f4c3; }}
</style></head><body>
<h1>{title}</h1>
<p>{html.escape(doc["path"])}</p>
<table class="meta">{meta_rows}</table>
<h2>Mục lục</h2><ul class="outline">{outline_items}</ul>
<p>{legend}</p>
<h2>Văn bản</h2>
{''.join(parts)}
</body></html>
"""


def _meta_value(v) -> str:
    if isinstance(v, str) and v.startswith("["):
        try:
            return "; ".join(json.loads(v))
        except ValueError:
            pass
    return str(v)
