"""A scan's handwritten number identified by the corpus that cites it (a finalizer).

OCR leaves a number written by hand unread ("Số: …/C04-P6"). An office keeps, beside
the scan, what it wrote about it: a cover sheet ("Phiếu trình … Công văn số 3980/C04-P6
ngày 28/8/2025 của Cục …"), the letter that carries it out. Such a citation is the
scan's identity when everything the scan prints agrees with it and nothing else does:

- the citation's symbol ends with the scan's printed suffix ("/C04-P6");
- its year is the year printed in the scan's date line, its month the month when that
  is printed, its date the scan's date when both are known;
- it is about the same thing: the scan's title and the citation's subject, or the title
  or sentence of the citing document, share most of their words (SAME_SUBJECT);
- exactly one symbol passes, no document of the corpus already holds it, and no other
  unread scan passes for it; a draft ("DỰ THẢO" heading a line) is never identified.

The number (and a date the scan's header left unread) is written to `documents`, with its
basis (the citation and where it stands) in `cited_numbers`. Each run recomputes every
such inference over the whole corpus: a citing document that arrives later, or leaves,
changes it; the citation graph then links the citations to the scan.
"""
from __future__ import annotations

import re

from pipeline.analysis.own_number import _HEADER_MONTH, _HEADER_YEAR, _suffix_key, unread_suffix
from pipeline.text.normalize import fold

HEADER_CHARS = 1500  # the scan's header: its number slot and date line are in here
SAME_SUBJECT = 0.75  # shared words ÷ the shorter text's words
MIN_SHARED = 6       # and at least this many shared words (two titles of one topic share a few)
GRAPH = "pipeline.analysis.citation_graph:finalize"
_DRAFT = re.compile(r"(?m)^[\s(]*du thao\b")  # "DỰ THẢO", "(Dự thảo lần 2)" opening a header line


def _words(text: str | None) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", fold(text or "")) if len(w) > 1}


def same_subject(title: str | None, other: str | None) -> bool:
    a, b = _words(title), _words(other)
    shared = len(a & b)
    return shared >= MIN_SHARED and shared >= SAME_SUBJECT * min(len(a), len(b))


def _ensure(db) -> None:
    db.execute("create table if not exists cited_numbers (document_id integer primary key,"
               " number_symbol text, issued_date text, citation_id integer,"
               " basis_document_id integer, basis_start integer, basis_end integer)")


def _restore(db) -> list[int]:
    """Undo the former run's inferences (values a re-analysis has not already replaced)."""
    ids = []
    for r in db.execute("select document_id, number_symbol, issued_date from cited_numbers").fetchall():
        db.execute("update documents set number_symbol = null where id = ? and number_symbol = ?", [r[0], r[1]])
        if r[2]:
            db.execute("update documents set issued_date = null where id = ? and issued_date = ?", [r[0], r[2]])
        ids.append(r[0])
    db.execute("delete from cited_numbers")
    return ids


def _suffix_of(canonical: str) -> str | None:
    number, _, rest = canonical.partition("/")
    return _suffix_key("/" + rest) if number.isdigit() and rest else None


def _citations_by_suffix(db, keys: set[str]) -> dict[str, list[dict]]:
    """The citations of a document whose symbol ends with one of these suffixes (one pass
    over the symbols, then their rows), by suffix."""
    ids = [i for i, canonical in db.execute(
        "select id, canonical from citations where kind = 'document' and form != 'self'"
        " and canonical is not null").fetchall() if _suffix_of(canonical) in keys]
    out: dict[str, list[dict]] = {}
    for k in range(0, len(ids), 500):
        chunk = ids[k:k + 500]
        for c in db.execute(
                "select c.id, c.document_id, c.canonical, c.issued_date, c.year, c.subject, c.start,"
                " c.[end], d.title, substr(d.text, c.sentence_start + 1, c.sentence_end - c.sentence_start)"
                " from citations c join documents d on d.id = c.document_id"
                f" where c.id in ({','.join('?' * len(chunk))})", chunk).fetchall():
            c = dict(zip(("id", "document_id", "canonical", "issued_date", "year", "subject", "start",
                          "end", "title", "sentence"), c))
            out.setdefault(_suffix_of(c["canonical"]), []).append(c)
    return out


def _fits(doc: dict, c: dict) -> bool:
    """Does citation `c` agree with everything the unread document prints?"""
    if c["document_id"] == doc["id"]:
        return False
    date = c["issued_date"]
    year = int(date[:4]) if date else c["year"]
    if year != doc["year"] or (date and doc["month"] and int(date[5:7]) != doc["month"]) \
            or (date and doc["issued_date"] and date != doc["issued_date"]):
        return False
    return any(same_subject(doc["title"], t) for t in (c["subject"], c["title"], c["sentence"]))


def _unread(db) -> list[dict]:
    """The documents whose header shows a number slot without its number, with the parts
    of their date that are printed, and a title to compare (drafts left out)."""
    out = []
    for row in db.execute("select id, title, issued_date, substr(text, 1, ?) from documents"
                          " where number_symbol is null and status != 'failed' and text is not null",
                          [HEADER_CHARS]).fetchall():
        doc = dict(zip(("id", "title", "issued_date", "head"), row))
        head = fold(doc["head"])
        slot = unread_suffix(doc["head"], len(doc["head"]))
        if not slot or not doc["title"] or _DRAFT.search(head):
            continue  # a draft's blank number is not the one its final version was given
        doc["year"] = (m := _HEADER_YEAR.search(head)) and int(m.group("y"))
        doc["month"] = (m := _HEADER_MONTH.search(head)) and int(m.group("m"))
        if doc["issued_date"]:
            doc["year"], doc["month"] = int(doc["issued_date"][:4]), int(doc["issued_date"][5:7])
        if doc["year"]:
            out.append({**doc, "suffix": _suffix_key(slot[0])})
    return out


def finalize(db, document_ids=None) -> None:
    """Recompute every scan's number identified by a citation (see the module's doc)."""
    _ensure(db)
    changed = set(_restore(db))
    held = {r[0] for r in db.execute("select number_symbol from documents where number_symbol is not null")}
    found: dict[int, dict] = {}
    unread = _unread(db)
    cited = _citations_by_suffix(db, {d["suffix"] for d in unread}) if unread else {}
    for doc in unread:
        cands = [c for c in cited.get(doc["suffix"], []) if _fits(doc, c)]
        symbols = {c["canonical"] for c in cands}
        dates = {c["issued_date"] for c in cands if c["issued_date"]}
        if len(symbols) == 1 and len(dates) <= 1 and not symbols & held:
            best = max(cands, key=lambda c: c["issued_date"] is not None)
            found[doc["id"]] = {**best, "fill_date": None if doc["issued_date"] else best["issued_date"]}
    claimed: dict[str, list[int]] = {}
    for d, c in found.items():
        claimed.setdefault(c["canonical"], []).append(d)
    for d, c in found.items():
        if len(claimed[c["canonical"]]) > 1:
            continue  # two unread scans fit one citation: neither is identified
        db.execute("update documents set number_symbol = ? where id = ?", [c["canonical"], d])
        if c["fill_date"]:
            db.execute("update documents set issued_date = ? where id = ?", [c["fill_date"], d])
        db.execute("insert into cited_numbers values (?, ?, ?, ?, ?, ?, ?)",
                   [d, c["canonical"], c["fill_date"], c["id"], c["document_id"], c["start"], c["end"]])
        changed.add(d)
    if changed:  # the citation graph links citations to the scans whose number changed
        from pipeline.store.db import mark_pending
        mark_pending(db, [GRAPH], sorted(changed))
