"""`baocao cited-by QUERY` and `baocao cites DOC`.

cited-by takes loose input ("nd 63/2010", "Nghị định 63/2010/NĐ-CP", "63/2010/nđ-cp",
"QĐ 4011") and lists every citing passage (document, page, section, sentence), newest
citing document first. cites lists what one document cites, grouped by type.
"""
from __future__ import annotations

import re
import sys


from pipeline.commands import exitcodes
from pipeline.cli import add_db_option
from pipeline.store.db import ReadDB, in_list
from pipeline.text.normalize import fold
from pipeline.commands.output import FORMATS, clean, emit, resolve_document


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
    from pipeline.analysis.citations import raw_rules
    hints = {}
    for t in raw_rules()["types"]:
        codes = {c.upper() for c in t.get("codes") or []}
        hints[fold(t["word"])] = (t["word"], codes)
        for c in codes:
            hints.setdefault(fold(c), (t["word"], codes))
    return hints


def parse_query(text: str) -> dict:
    """{canonical, number, year, type, codes} from loose input; missing parts are None."""
    from pipeline.analysis.citations import SYMBOL
    from pipeline.text.symbols import parse_symbol
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
        n = re.search(r"(?<!\w)(\d{1,5})(?:\s*/\s*((?:19|20)\d\d))?", q)
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
        elif out["number"] and not out["canonical"]:
            # "qh15 63/2025": the code written apart from the number
            out["code_words"] = [t for t in re.findall(r"[a-z]+\d*", key)
                                 if t not in hints and t not in ("so", "nam", "ngay")]
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
    if q.get("code_words"):
        parts = re.split(r"[/-]", fold(canon or ""))
        if not all(w in parts for w in q["code_words"]):
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


def _number_variants(number: str) -> list[str]:
    """"06" as stored may be written 6, 06, 006: the values an indexed `number in (...)` takes."""
    n = str(int(number))
    return sorted({n.zfill(k) for k in range(1, 6)})


def _cd_matches(q: dict, named, cd: dict) -> bool:
    """Does a cited document match the query (by symbol/number, or by one of its names)?"""
    row = {"canonical": cd["canonical"], "cd_canonical": None, "number": cd["number"],
           "cd_number": None, "year": cd["year"], "cd_year": None, "doc_type": cd["doc_type"]}
    if cd["kind"] == "document" and _matches(q, row):
        return True
    if named is None:
        return False
    labels = [cd["name"]] + (cd["aliases"] or "").split(" | ")
    year = cd["year"] or (int(cd["issued_date"][:4]) if cd["issued_date"] else None)
    return any(named({"kind": "named", "name": x, "year": year}) for x in labels if x)


_LIGHT = ("c.id, c.document_id, c.kind, c.form, c.doc_type, c.number, c.year, c.canonical,"
          " c.issued_date, c.name, c.surface, c.relation, c.page, c.section, c.footnote, c.start,"
          " c.[end], c.sentence_start, c.sentence_end, c.cited_document_id, c.basis_document_id,"
          " c.basis_start, c.basis_end")


def cited_by(db, query: str, context: bool = False) -> list[dict]:
    """Every citing mention of what `query` names, newest citing document first.

    Filter first: the cited documents that match (indexed `number`, or their names and
    aliases), then the citations linked to them or carrying the number themselves (indexed
    `number`, `cited_document_id`); sentences (substr of the document text) are computed
    for the matched rows only. `context`: also the raw text before/after the mention in
    its sentence (`_before`, `_after`), for the terminal view."""
    q = parse_query(query)
    named = _named_match(query) if q["canonical"] is None else None
    cd_cols = "id, kind, canonical, doc_type, number, year, issued_date, name, aliases, conflict"
    if "aliases" not in db["cited_documents"].columns_dict:
        cd_cols = cd_cols.replace("aliases", "null as aliases")
    cands: dict[int, dict] = {}
    if q["number"]:
        v = _number_variants(q["number"])
        for r in db.query(f"select {cd_cols} from cited_documents where number in "
                          f"({','.join('?' * len(v))})", v):
            cands[r["id"]] = dict(r)
    if named is not None:
        for r in db.query(f"select {cd_cols} from cited_documents where name is not null"
                          + (" or aliases is not null" if "null as" not in cd_cols else "")):
            cands[r["id"]] = dict(r)
    cds = {i: cd for i, cd in cands.items() if _cd_matches(q, named, cd)}
    conds, params = [], []
    if q["number"]:
        v = _number_variants(q["number"])
        conds.append(f"c.number in ({','.join('?' * len(v))})")
        params += v
    if cds:
        inside, cd_params = in_list(db, list(cds))  # a name may fit many cited documents
        conds.append(f"c.cited_document_id in ({inside})")
        params += cd_params
    if named is not None:  # a name the corpus could not tie to one document
        conds.append("(c.kind = 'named' and c.cited_document_id is null)")
    if not conds:
        return []
    basis_cols = "basis_document_id" in db["citations"].columns_dict
    light = _LIGHT if basis_cols else _LIGHT.replace(
        ", c.basis_document_id, c.basis_start, c.basis_end", ", null as basis_document_id,"
        " null as basis_start, null as basis_end")
    rows = db.query(
        f"select {light}, cd.canonical as cd_canonical, cd.number as cd_number,"
        " cd.year as cd_year, cd.issued_date as cd_date, cd.conflict as cd_conflict"
        " from citations c left join cited_documents cd on cd.id = c.cited_document_id"
        f" where c.form != 'self' and ({' or '.join(conds)})", params)
    hits = [dict(r) for r in rows
            if r["cited_document_id"] in cds or (r["kind"] == "document" and _matches(q, r))
            or (named is not None and named(r))]
    # only now the sentences and the citing documents
    docs: dict[int, dict] = {}
    sentence: dict[int, str] = {}
    ids = [r["id"] for r in hits]
    if ids:
        inside, id_params = in_list(db, ids)
        for s in db.query(
                "select c.id, d.id as doc_id, d.path, d.issued_date, d.number_symbol,"
                " substr(d.text, c.sentence_start + 1, c.sentence_end - c.sentence_start) as sentence,"
                " substr(d.text, c.sentence_start + 1, c.start - c.sentence_start) as before,"
                " substr(d.text, c.[end] + 1, c.sentence_end - c.[end]) as after"
                " from citations c join documents d on d.id = c.document_id"
                f" where c.id in ({inside})", id_params):
            docs[s["doc_id"]] = {"path": s["path"], "date": s["issued_date"], "symbol": s["number_symbol"]}
            sentence[s["id"]] = (s["sentence"], s["before"], s["after"])
    for r in hits:
        d = docs[r["document_id"]]
        r.update(doc_date=d["date"], doc_symbol=d["symbol"], path=d["path"])
    hits.sort(key=lambda r: (r["doc_date"] or "", r["document_id"], -r["start"]), reverse=True)
    out = [{
        "document_id": r["document_id"], "document": r["doc_symbol"] or r["path"].rsplit("/", 1)[-1],
        "document_date": r["doc_date"], "page": r["page"], "section": r["section"],
        "footnote": r["footnote"],
        "cited": r["canonical"] or r["cd_canonical"] or _with_year(r["name"], r["year"] or r["cd_year"])
        or r["surface"],
        "cited_date": r["issued_date"] or r["cd_date"], "relation": r["relation"],
        "surface": r["surface"], "sentence": " ".join((sentence[r["id"]][0] or "").split()),
        "conflict": r["cd_conflict"],
        # added for the terminal view and for tracing a link back to its basis
        "citation_id": r["id"], "cited_document_id": r["cited_document_id"], "form": r["form"],
        "start": r["start"], "end": r["end"],
        "basis_document_id": r["basis_document_id"], "basis_start": r["basis_start"],
        "basis_end": r["basis_end"],
    } for r in hits]
    if context:
        for o, r in zip(out, hits):
            o["_before"], o["_after"] = sentence[r["id"]][1] or "", sentence[r["id"]][2] or ""
    return out


def _with_year(name: str | None, year: int | None) -> str | None:
    """"Luật Đất đai" of 2013 -> "Luật Đất đai 2013": two laws of one name stay apart."""
    if not name or not year or name.endswith(str(year)):
        return name
    return f"{name} {year}"


RELATION_VI = {"based_on": "căn cứ", "implements": "triển khai", "amends": "sửa đổi",
               "replaces": "thay thế", "repeals": "bãi bỏ", "cites": "dẫn chiếu"}


def _trim(before: str, mention: str, after: str, width: int = 110) -> str:
    """The sentence around a mention, cut at word boundaries so the mention stays in view,
    document text escaped for rich, the mention highlighted."""
    def flat(x: str) -> str:
        inner = " ".join(x.split())
        return (" " if x[:1].isspace() and inner else "") + inner + (" " if x[-1:].isspace() and inner else "")
    from rich.markup import escape  # rich only for the terminal view (start-up)

    before, mention, after = flat(before), " ".join(mention.split()), flat(after)
    room = max(20, width - len(mention))
    left = min(len(before), max(room // 2, room - len(after)))
    if left < len(before):
        cut = before[len(before) - left:]
        before = "…" + (cut.split(" ", 1)[1] if " " in cut else cut)
    right = room - min(left, len(before))
    if right < len(after):
        cut = after[:right]
        after = (cut.rsplit(" ", 1)[0] if " " in cut else cut) + "…"
    return f"{escape(before)}[bold yellow]{escape(mention)}[/]{escape(after)}"


def print_compact(rows: list[dict], title: str, file=None) -> None:
    """One line per mention: date, document, page/section, relation, cited, the sentence
    trimmed around the mention with the mention highlighted."""
    import os

    from rich.console import Console
    from rich.markup import escape
    file = file or sys.stdout
    width = None if file.isatty() or os.environ.get("COLUMNS") else 200
    console = Console(file=file, width=width, highlight=False)
    console.print(f"[bold]{escape(title)}[/]")
    for r in rows:
        where = " ".join(x for x in (
            f"tr.{r['page']}" if r["page"] is not None else "",
            f"§{r['section']}" if r["section"] else "",
            f"chú thích {r['footnote']}" if r["footnote"] is not None else "") if x)
        cited = r["cited"] + (f" ({r['cited_date']})" if r["cited_date"] else "")
        line = (f"[cyan]{escape(r['document_date'] or '----------')}[/] "
                f"[bold]{escape(str(r['document']))}[/] {escape(where)} "
                f"[magenta]{escape(RELATION_VI.get(r['relation'], r['relation'] or ''))}[/] "
                f"[green]{escape(cited)}[/]"
                + (f" [red](conflict: {escape(r['conflict'])})[/]" if r["conflict"] else "")
                + ": " + _trim(r["_before"], r["surface"], r["_after"]))
        console.print(line, no_wrap=True, overflow="ellipsis", crop=True)


def cmd_cited_by(args) -> int:
    with ReadDB(args.db) as db:
        rows = cited_by(db, " ".join(args.query), context=args.format == "table")
        title = (f"cited by: {' '.join(args.query)} ({len(rows)} citations, "
                 f"{len({r['document_id'] for r in rows})} documents)")
        if args.format == "table":
            print_compact(rows, title)
            return 0 if rows else 1
        cols = ["document_id", "document", "document_date", "page", "section", "footnote", "cited",
                "cited_date", "conflict", "relation", "sentence", "citation_id", "cited_document_id",
                "form", "start", "end", "basis_document_id", "basis_start", "basis_end"]
        emit(rows, args.format, cols, title=title)
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
    with ReadDB(args.db) as db:
        doc = resolve_document(db, args.document)
        rows = cites(db, doc["id"])
        cols = ["type", "cited", "date", "mentions", "relations", "pages", "flags", "subject"]
        if args.format != "table":
            emit(rows, args.format, ["type", "type_mentions"] + cols[1:] + ["target_document_id"])
            return exitcodes.found(rows)
        name = doc.get("number_symbol") or doc["path"]
        if not rows:
            print(f"{clean(name)}: no citations")
            return exitcodes.NO_MATCH
        by_type: dict[str, list[dict]] = {}
        for r in rows:
            by_type.setdefault(r["type"], []).append(r)
        for t, items in by_type.items():
            emit(items, "table", cols[1:],
                 title=f"{name} cites — {t}: {len(items)} documents, {items[0]['type_mentions']} mentions")
        return 0
