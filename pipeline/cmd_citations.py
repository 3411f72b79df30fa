"""`baocao cited-by QUERY` and `baocao cites DOC`.

cited-by takes loose input ("nd 63/2010", "Nghị định 63/2010/NĐ-CP", "63/2010/nđ-cp",
"QĐ 4011") and lists every citing passage (document, page, section, sentence), newest
citing document first. cites lists what one document cites, grouped by type.
"""
from __future__ import annotations

import re

import sqlite_utils

from pipeline.cli import add_db_option
from pipeline.normalize import fold
from pipeline.output import FORMATS, clean, emit, resolve_document


def register(sub) -> None:
    p = sub.add_parser("cited-by", help="documents citing a given document (loose symbol input)")
    p.add_argument("query", nargs="+", help='e.g. "nd 63/2010", "63/2010/NĐ-CP", "QĐ 4011"')
    p.add_argument("--format", choices=FORMATS, default="table")
    add_db_option(p)
    p.set_defaults(func=cmd_cited_by)

    p = sub.add_parser("cites", help="what a document cites, grouped by type")
    p.add_argument("document", help="document id, path or file name, or its number symbol")
    p.add_argument("--format", choices=FORMATS, default="table")
    add_db_option(p)
    p.set_defaults(func=cmd_cites)


# ---- loose query ------------------------------------------------------------------------
def _type_hints() -> dict[str, tuple[str, set[str]]]:
    """folded alias -> (type word, its symbol codes): "nd", "nghi dinh" -> Nghị định, {NĐ}."""
    from pipeline.citations import rules
    hints = {}
    for t in rules()["raw"]["types"]:
        codes = {c.upper() for c in t.get("codes") or []}
        hints[fold(t["word"])] = (t["word"], codes)
        for c in codes:
            hints.setdefault(fold(c), (t["word"], codes))
    return hints


def parse_query(text: str) -> dict:
    """{canonical, number, year, type, codes} from loose input; missing parts are None."""
    from pipeline.citations import SYMBOL
    from pipeline.symbols import parse_symbol
    q = " ".join(text.split())
    m = re.search(SYMBOL, q, re.IGNORECASE)
    parsed = parse_symbol(m.group()) if m else None
    out = {"canonical": None, "number": None, "year": None, "type": None, "codes": set()}
    rest = q
    if parsed and parsed["abbreviation"] or parsed and parsed["issuer_code"] and not re.fullmatch(r"\d{4}", parsed["issuer_code"] or ""):
        out.update(canonical=parsed["canonical"], number=parsed["number"], year=parsed["year"])
        if parsed["abbreviation"]:
            out["codes"] = {parsed["abbreviation"].upper()}
        rest = q[:m.start()] + q[m.end():]
    else:
        n = re.search(r"(\d{1,5})(?:\s*/\s*((?:19|20)\d\d))?", q)
        if n:
            out["number"] = str(int(n.group(1))).zfill(2)
            out["year"] = int(n.group(2)) if n.group(2) else None
            rest = q[:n.start()] + q[n.end():]
    words = fold(re.sub(r"\bs[oố]\b", " ", rest, flags=re.I)).strip(" ,.:/-")
    hints = _type_hints()
    if words:
        key = " ".join(words.split())
        hit = hints.get(key) or next((v for k, v in hints.items() if key.startswith(k + " ") or k == key), None)
        if hit:
            out["type"], codes = hit
            out["codes"] = out["codes"] or codes
    return out


def _matches(q: dict, row: dict) -> bool:
    canon = row["canonical"] or row["cd_canonical"]
    if q["canonical"]:
        if canon is None:
            return False
        if canon.upper() == q["canonical"].upper():
            return True
        # query without year ("108/NĐ-CP") matches any year, and vice versa
        strip = lambda c: re.sub(r"^(\d+)/\d{4}/", r"\1/", c.upper())
        return strip(canon) == strip(q["canonical"]) and (q["year"] is None or row["year"] in (None, q["year"]))
    number = row["number"] or row["cd_number"]
    if q["number"] is None or number is None:
        return False
    if str(int(re.match(r"\d+", number).group())).zfill(2) != q["number"]:
        return False
    year = row["year"] or row["cd_year"]
    if q["year"] and year and year != q["year"]:
        return False
    if q["year"] and not year and canon and f"/{q['year']}/" not in canon:
        return False
    if q["type"]:
        code = re.search(r"[/-]([A-ZĐa-zđ]+)[-/]", "/" + (canon or "") + "/")
        type_ok = (row["doc_type"] or "").lower() == q["type"].lower()
        code_ok = bool(code and code.group(1).upper() in q["codes"])
        return type_ok or code_ok
    return True


def _named_match(query: str):
    """"Luật Đất đai 2013", "luat dat dai": a predicate over named citations, or None."""
    m = re.search(r"(?:năm\s+)?((?:19|20)\d\d)\s*$", query.strip())
    year = int(m.group(1)) if m else None
    words = fold(query[:m.start()] if m else query).split()
    if len(words) < 2:
        return None
    want = " ".join(words)

    def pred(row) -> bool:
        if row["kind"] != "named" or not row["name"]:
            return False
        return want in " ".join(fold(row["name"]).split()) and (year is None or row["year"] == year)
    return pred


def cited_by(db, query: str) -> list[dict]:
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
    hits = [dict(r) for r in rows
            if (r["kind"] == "document" and _matches(q, r)) or (named is not None and named(r))]
    hits.sort(key=lambda r: (r["doc_date"] or "", r["document_id"], -r["start"]), reverse=True)
    return [{
        "document_id": r["document_id"], "document": r["doc_symbol"] or r["path"].rsplit("/", 1)[-1],
        "document_date": r["doc_date"], "page": r["page"], "section": r["section"],
        "footnote": r["footnote"],
        "cited": r["canonical"] or r["cd_canonical"] or r["name"] or r["surface"],
        "cited_date": r["issued_date"] or r["cd_date"], "relation": r["relation"],
        "surface": r["surface"], "sentence": " ".join((r["sentence"] or "").split()),
        "conflict": r["cd_conflict"],
    } for r in hits]


def cmd_cited_by(args) -> int:
    db = sqlite_utils.Database(args.db)
    rows = cited_by(db, " ".join(args.query))
    cols = ["document_id", "document", "document_date", "page", "section", "footnote", "cited",
            "cited_date", "relation", "sentence"]
    if args.format != "table" or any(r["conflict"] for r in rows):
        cols.insert(cols.index("relation"), "conflict")  # one symbol, two dates in the corpus
    emit(rows, args.format, cols, title=f"cited by: {' '.join(args.query)} ({len(rows)} citations, "
         f"{len({r['document_id'] for r in rows})} documents)")
    return 0 if rows else 1


# ---- cites ------------------------------------------------------------------------------
def cites(db, document_id: int) -> list[dict]:
    groups: dict[tuple, dict] = {}
    # "Kế hoạch này" (form 'self': the document itself) stays in `citations`, not here
    for r in db.query(
            "select c.*, cd.canonical as cd_canonical, cd.issued_date as cd_date,"
            " cd.conflict as cd_conflict"
            " from citations c left join cited_documents cd on cd.id = c.cited_document_id"
            " where c.document_id = ? and c.form != 'self' order by c.start", [document_id]):
        cited = r["canonical"] or r["cd_canonical"] or r["name"] or r["surface"]
        date = r["issued_date"] or r["cd_date"]
        key = (r["doc_type"] or "", r["cited_document_id"] or cited)
        g = groups.setdefault(key, {
            "type": r["doc_type"] or "(unknown)", "cited": cited, "date": date, "kind": r["kind"],
            "mentions": 0, "relations": [], "pages": [], "flags": [], "ambiguous": 0,
            "cited_document_id": r["cited_document_id"], "target_document_id": r["target_document_id"],
            "subject": r["subject"]})
        g["mentions"] += 1
        g["date"] = g["date"] or date
        g["subject"] = g["subject"] or r["subject"]
        for field, value in (("relations", r["relation"]), ("pages", r["page"]), ("flags", r["problem"]),
                             ("flags", r["cd_conflict"])):
            if value is not None and value not in g[field]:
                g[field].append(value)
        g["ambiguous"] |= r["ambiguous"] or 0
    out = []
    for g in groups.values():
        out.append({**g, "relations": ", ".join(g["relations"]),
                    "pages": ", ".join(map(str, sorted(g["pages"]))),
                    "flags": "; ".join(g["flags"]) + ("; ambiguous" if g["ambiguous"] else "")})
    counts: dict[str, int] = {}
    for g in out:
        counts[g["type"]] = counts.get(g["type"], 0) + g["mentions"]
    out.sort(key=lambda g: (-counts[g["type"]], g["type"], g["date"] or "", g["cited"]))
    for g in out:
        g["type_mentions"] = counts[g["type"]]
        g["flags"] = g["flags"].strip("; ") or None
    return out


def cmd_cites(args) -> int:
    db = sqlite_utils.Database(args.db)
    doc = resolve_document(db, args.document)
    rows = cites(db, doc["id"])
    cols = ["type", "cited", "date", "mentions", "relations", "pages", "flags", "subject"]
    if args.format != "table":
        emit(rows, args.format, ["type", "type_mentions"] + cols[1:] + ["target_document_id"])
        return 0
    name = doc.get("number_symbol") or doc["path"]
    if not rows:
        print(f"{clean(name)}: no citations")
        return 0
    by_type: dict[str, list[dict]] = {}
    for r in rows:
        by_type.setdefault(r["type"], []).append(r)
    for t, items in by_type.items():
        emit(items, "table", cols[1:],
             title=f"{name} cites — {t}: {len(items)} documents, {items[0]['type_mentions']} mentions")
    return 0
