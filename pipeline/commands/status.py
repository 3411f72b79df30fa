"""`baocao status SYMBOL`: what the corpus says about a document's force.

Legal staff ask first: is this document still in force? The citation relations already
extracted (căn cứ, thực hiện, sửa đổi/bổ sung, thay thế, bãi bỏ, hướng dẫn, hết hiệu lực)
form a graph; this command reads the edges that point at one document and states its last
known state, with the sentences that say so. As the national legal portals do, "văn bản
căn cứ" (the document is cited as legal basis) is kept apart from "văn bản dẫn chiếu"
(merely referred to).

The state is only what the corpus says: "no amendment, replacement or repeal is known in
the corpus" is not "in force".
"""
from __future__ import annotations

import re


from pipeline.commands import exitcodes
from pipeline.cli import add_db_option
from pipeline.store.db import ReadDB
from pipeline.commands.output import FORMATS, emit

# Edge kinds, strongest effect on the cited document first (rules as data).
EFFECTS = {
    "repeals": ("bị bãi bỏ bởi", "bãi bỏ"),
    "replaces": ("bị thay thế bởi", "thay thế"),
    "amends": ("được sửa đổi, bổ sung bởi", "sửa đổi, bổ sung"),
    "implements": ("được triển khai, hướng dẫn bởi", "triển khai / hướng dẫn"),
    "based_on": ("là căn cứ pháp lý của", "văn bản căn cứ"),
    "cites": ("được dẫn chiếu bởi", "văn bản dẫn chiếu"),
}
ENDS_FORCE = ("repeals", "replaces")
# "có hiệu lực (thi hành) (kể) từ ngày 15/10/2019": when the change takes effect, if said.
_EFFECTIVE = re.compile(r"hiệu lực(?:\s+thi hành)?(?:\s+kể)?\s+từ\s+ngày\s+", re.IGNORECASE)


def register(sub) -> None:
    p = sub.add_parser("status", help="a document's force as the corpus tells it: amended, "
                       "replaced, repealed, implemented, cited as basis")
    p.add_argument("query", nargs="+", help='e.g. "qđ 12/2015", "63/2010/NĐ-CP", "nd 61"')
    p.add_argument("--format", choices=FORMATS, default="table")
    add_db_option(p)
    p.set_defaults(func=cmd_status)


def status(db, query: str) -> dict | None:
    """{'cited': …, 'state': …, 'edges': [...], 'counts': {...}} or None when nothing matches."""
    from pipeline.commands.citations import cited_by

    rows = cited_by(db, query)
    if not rows:
        return None
    # One status per cited document: the most mentioned (symbol, date) the query matched.
    keys: dict[tuple, int] = {}
    for r in rows:
        keys[(r["cited"], r["cited_date"])] = keys.get((r["cited"], r["cited_date"]), 0) + 1
    cited, cited_date = max(keys, key=lambda k: (keys[k], k[1] is not None))
    # a dateless mention of the same symbol belongs to it (cited_by already matched it)
    rows = [r for r in rows if r["cited"] == cited and r["cited_date"] in (None, cited_date)]
    edges: dict[tuple, dict] = {}
    for r in rows:
        relation = r["relation"] if r["relation"] in EFFECTS else "cites"
        key = (r["document_id"], relation)
        e = edges.get(key)
        if e is None:
            edges[key] = e = {
                "relation": relation, "relation_vi": EFFECTS[relation][1],
                "by_document_id": r["document_id"], "by": r["document"],
                "by_date": r["document_date"], "mentions": 0, "page": r["page"],
                "section": r["section"], "sentence": r["sentence"],
                "effective": _effective_date(r["sentence"]),
            }
        e["mentions"] += 1
    order = list(EFFECTS)
    edge_list = sorted(edges.values(), key=lambda e: (order.index(e["relation"]),
                                                      _neg_date(e["by_date"]), e["by"]))
    counts = {rel: sum(1 for e in edge_list if e["relation"] == rel) for rel in EFFECTS}
    return {"cited": cited, "cited_date": cited_date, "state": _state(edge_list),
            "edges": edge_list, "counts": counts}


def _effective_date(sentence: str | None) -> str | None:
    from pipeline.text.vndate import DAY_DATE, parse_day_date
    m = _EFFECTIVE.search(sentence or "")
    if not m:
        return None
    d = DAY_DATE.match(sentence, m.end())
    return parse_day_date(d.group())[0] if d else None


def _neg_date(date: str | None) -> str:
    # newest first inside one relation, undated last
    return "".join(chr(0x10FFFF - ord(c)) for c in (date or ""))


def _state(edges: list[dict]) -> str:
    """The last known state, from the newest edge that ends or changes the document's force."""
    for rels in (ENDS_FORCE, ("amends",)):
        hits = [e for e in edges if e["relation"] in rels]
        if hits:
            newest = max(hits, key=lambda e: e["by_date"] or "")
            if newest["effective"]:
                when = f" từ ngày {_vn_date(newest['effective'])}"
            elif newest["by_date"]:
                when = f" (văn bản ngày {_vn_date(newest['by_date'])})"
            else:
                when = ""
            return f"{EFFECTS[newest['relation']][0]} {newest['by']}{when}"
    return "không thấy văn bản nào trong kho sửa đổi, thay thế hay bãi bỏ"


def _vn_date(iso: str) -> str:
    parts = iso.split("-")
    return "/".join(reversed(parts))


def cmd_status(args) -> int:
    with ReadDB(args.db) as db:
        query = " ".join(args.query)
        result = status(db, query)
        if result is None:
            print(f"no citation matches {query!r}")
            return exitcodes.NO_MATCH
        cols = ["relation_vi", "by", "by_date", "effective", "mentions", "page", "section", "sentence"]
        if args.format != "table":
            emit([{"cited": result["cited"], "cited_date": result["cited_date"],
                   "state": result["state"], **e} for e in result["edges"]], args.format,
                 ["cited", "cited_date", "state", "relation"] + cols + ["by_document_id"])
            return 0
        date = f" ngày {_vn_date(result['cited_date'])}" if result["cited_date"] else ""
        basis = result["counts"]["based_on"]
        referred = len(result["edges"]) - basis
        emit(result["edges"], "table", cols,
             title=f"{result['cited']}{date}: {result['state']} — văn bản căn cứ của {basis}, "
                   f"dẫn chiếu trong {referred}")
        return 0
