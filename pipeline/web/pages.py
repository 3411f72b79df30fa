"""What the web pages show, computed from a sqlite3 connection (no web code here, so it
is tested directly): the document with its marks, cited-by with facets, search."""
from __future__ import annotations

import re
import unicodedata

from markupsafe import Markup, escape

from pipeline.commands.figures import KIND_VI

VERDICT_CLASS = {"mismatch": "flag-mismatch", "rounding": "flag-rounding", "ok": "flag-ok"}


def _rows(conn, sql, params=()):
    cur = conn.execute(sql, params)
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def _columns(conn, table):
    return {r[1] for r in conn.execute(f"pragma table_info({table})")}


def document_page(conn, doc_id: int) -> dict | None:
    docs = _rows(conn, "select * from documents where id = ?", [doc_id])
    if not docs:
        return None
    doc = docs[0]
    text = doc["text"] or ""
    cites = _rows(conn, "select c.id, c.start, c.end, c.canonical, c.target_document_id, c.relation,"
                  " c.form, c.surface from citations c where c.document_id = ? order by c.start", [doc_id])
    figs = _rows(conn, "select id, start, end, surface, value, unit, kind from figures"
                 " where document_id = ? order by start", [doc_id])
    checks = _rows(conn, "select * from checks where document_id = ? order by start", [doc_id])
    flagged: dict[int, str] = {}
    for c in checks:
        for fid in _ids(c.get("figure_ids")):
            if c["verdict"] == "mismatch" or fid not in flagged:
                flagged[fid] = c["verdict"]
    pages = _rows(conn, "select page, start from pages where document_id = ? order by start", [doc_id])
    sections = _rows(conn, "select path, heading, level, start from sections where document_id = ?"
                     " order by start", [doc_id])
    marks = []  # (start, end, open_html, close_html), citations win over figures
    for c in cites:
        if c["form"] == "self":
            continue
        href = (f"/-/baocao/doc/{c['target_document_id']}" if c["target_document_id"]
                else f"/-/baocao/cited-by?q={escape(c['canonical'] or c['surface'])}")
        title = f"{c['relation']}: {c['canonical'] or c['surface']}"
        marks.append((c["start"], c["end"], Markup(f'<a class="cite" href="{href}" title="{escape(title)}">'),
                      Markup("</a>")))
    for f in figs:
        verdict = flagged.get(f["id"])
        cls = "fig " + VERDICT_CLASS.get(verdict, "") if verdict else "fig"
        marks.append((f["start"], f["end"], Markup(f'<mark class="{cls}" data-figure="{f["id"]}">'),
                      Markup("</mark>")))
    html = _render(text, marks, [(p["start"], p["page"]) for p in pages])
    summary: dict[tuple, int] = {}
    for c in checks:
        key = (KIND_VI.get(c["kind"], c["kind"]), c["verdict"])
        summary[key] = summary.get(key, 0) + 1
    return {
        "doc": {k: v for k, v in doc.items() if k != "text"}, "html": html, "sections": sections,
        "flags": _flags(text, checks, _reviews(conn, doc.get("sha256"))),
        "summary": [{"kind": k, "verdict": v, "n": n} for (k, v), n in sorted(summary.items())],
        "n_citations": len(cites), "n_figures": len(figs),
    }


def _ids(raw) -> list[int]:
    return [int(x) for x in re.findall(r"\d+", raw or "")]


def _reviews(conn, sha256) -> dict[tuple, dict]:
    """The auditor's reviews of this document's checks (`baocao review`), keyed as there."""
    if not sha256 or not conn.execute(
            "select 1 from sqlite_master where type = 'table' and name = 'reviews'").fetchone():
        return {}
    return {(r["kind"], r["span_start"], r["span_end"]): r for r in _rows(
        conn, "select kind, span_start, span_end, verdict, note from reviews where sha256 = ?", [sha256])}


def _flags(text: str, checks: list[dict], reviews: dict | None = None) -> list[dict]:
    """The mismatches, each with its kind in Vietnamese, its sentence and its review."""
    from pipeline.commands.review import REVIEW_VI
    from pipeline.text.sentences import SentenceIndex

    flags = [c for c in checks if c["verdict"] == "mismatch"]
    index = SentenceIndex(text) if flags else None
    out = []
    for c in flags:
        rev = (reviews or {}).get((c["kind"], c["start"], c["end"]))
        out.append(dict(c, kind_vi=KIND_VI.get(c["kind"], c["kind"]),
                        sentence=" ".join(index.sentence(c["start"]).split()) if c["start"] is not None else "",
                        review_vi=REVIEW_VI.get(rev["verdict"]) if rev else None,
                        review_note=rev["note"] if rev else None))
    return out


def _render(text: str, marks: list, page_starts: list) -> Markup:
    """Text with non-overlapping marks (earlier kept on overlap), page markers, paragraphs."""
    events = []
    last_end = -1
    for start, end, open_, close in sorted(marks, key=lambda m: (m[0], -m[1])):
        if start is None or end is None or start < last_end or end <= start:
            continue
        events.append((start, end, open_, close))
        last_end = end
    pages = sorted(p for p in page_starts if p[0] is not None)
    out: list[str] = []
    pos = 0
    pi = 0

    def emit_plain(a: int, b: int):
        nonlocal pi
        while pi < len(pages) and pages[pi][0] < b:
            at = max(pages[pi][0], a)
            out.append(_plain(text[a:at]))
            out.append(f'<span class="page" id="page-{pages[pi][1]}">[trang {pages[pi][1]}]</span>')
            a = at
            pi += 1
        out.append(_plain(text[a:b]))

    for start, end, open_, close in events:
        emit_plain(pos, start)
        out.append(str(open_) + _plain(text[start:end]) + str(close))
        pos = end
    emit_plain(pos, len(text))
    return Markup("".join(out))


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _plain(s: str) -> str:
    return str(escape(_CONTROL.sub("", s))).replace("\n\n", "</p><p>").replace("\n", "<br>")


def cited_by_page(conn, query: str, facets: dict[str, str]) -> dict:
    import sqlite_utils

    from pipeline.commands.citations import cited_by

    query = unicodedata.normalize("NFC", query or "").strip()
    rows = cited_by(sqlite_utils.Database(conn), query) if query else []
    extra = {r["id"]: r for r in _rows(
        conn, "select id, doc_type, issuer, substr(issued_date, 1, 4) as year from documents")}
    for r in rows:
        d = extra.get(r["document_id"], {})
        r.update(doc_type=d.get("doc_type"), issuer=d.get("issuer"), year=d.get("year"))
        r["sentence_html"] = _trim_highlight(r["sentence"], r["surface"])
    counts: dict[str, dict] = {}
    for name in ("doc_type", "issuer", "year", "relation"):
        c: dict = {}
        for r in rows:
            c[r[name]] = c.get(r[name], 0) + 1
        counts[name] = dict(sorted(c.items(), key=lambda kv: -kv[1]))
    for name, value in facets.items():
        if value:
            rows = [r for r in rows if str(r.get(name)) == value]
    return {"query": query, "rows": rows, "facets": counts, "selected": facets,
            "n_documents": len({r["document_id"] for r in rows})}


def _trim_highlight(sentence: str, surface: str, reach: int = 110) -> Markup:
    i = sentence.find(surface) if surface else -1
    if i < 0:
        return Markup(escape(sentence[: 2 * reach]))
    a, b = max(0, i - reach), min(len(sentence), i + len(surface) + reach)
    return Markup(("…" if a else "") + str(escape(sentence[a:i])) + "<mark>" + str(escape(surface))
                  + "</mark>" + str(escape(sentence[i + len(surface):b])) + ("…" if b < len(sentence) else ""))


def search_page(conn, query: str, limit: int = 50) -> dict:
    from pipeline.store.search import search

    query = unicodedata.normalize("NFC", query or "").strip()
    rows = search(conn, query, limit) if query else []
    for r in rows:
        r["snippet_html"] = _trim_highlight(r["snippet"], r["match"], 150)
    return {"query": query, "rows": rows, "cut": getattr(rows, "more", False)}
