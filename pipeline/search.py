"""Vietnamese-aware full-text search over the corpus.

SQLite's FTS5 can strip combining diacritics but does not fold `đ` to `d`, and it would
index the text with its own offsets. So we index a *folded copy* of each block
(`pipeline.normalize.fold`: diacritics stripped, đ→d, lower-case, one char per char)
in `search_blocks`, with an external-content FTS5 table `search_fts` over it. Because
folding keeps length, a match found in the folded text is at the same offsets in
`documents.text`: results quote the original sentence, with diacritics.

Queries are folded the same way, so "nghi dinh 63", "Nghị định 63" and "NGHỊ ĐỊNH 63"
find the same blocks. Abbreviations from schemas/data/abbreviations.yaml (UBND ↔ Ủy ban
nhân dân …) are expanded as alternatives when that file exists.
"""
from __future__ import annotations

import re

from pipeline.normalize import fold

TOKEN = re.compile(r"\w+", re.UNICODE)


def ensure_tables(db) -> None:
    db.execute(
        "create table if not exists search_blocks ("
        " block_id integer primary key, document_id integer, start integer, end integer,"
        " folded text)"
    )
    db.execute("create index if not exists search_blocks_doc on search_blocks(document_id)")
    db.execute(
        "create virtual table if not exists search_fts using fts5("
        " folded, content='search_blocks', content_rowid='block_id',"
        " tokenize='unicode61 remove_diacritics 0')"
    )


def finalize(db) -> None:
    """Bring the index in line with `blocks`: drop rows of documents that are gone or
    re-ingested, index blocks not yet indexed. Incremental: cost ~ what changed."""
    ensure_tables(db)
    conn = getattr(db, "conn", db)  # sqlite_utils.Database or a bare sqlite3 connection
    db.execute("BEGIN IMMEDIATE")
    try:
        stale = db.execute(
            "select s.block_id, s.folded from search_blocks s"
            " left join blocks b on b.id = s.block_id and b.document_id = s.document_id"
            " where b.id is null"
        ).fetchall()
        for block_id, folded in stale:
            db.execute("insert into search_fts(search_fts, rowid, folded) values('delete', ?, ?)",
                       [block_id, folded])
            db.execute("delete from search_blocks where block_id = ?", [block_id])
        pending = db.execute(
            "select distinct document_id from blocks"
            " where id not in (select block_id from search_blocks)"
        ).fetchall()
        for (document_id,) in pending:
            # one read of the document's text, folded once (fold keeps offsets)
            text = db.execute("select text from documents where id = ?", [document_id]).fetchone()[0]
            folded_doc = fold(text)
            blocks = db.execute(
                "select id, start, end from blocks where document_id = ?"
                " and id not in (select block_id from search_blocks)", [document_id]).fetchall()
            rows = [(block_id, document_id, start, end, folded_doc[start:end])
                    for block_id, start, end in blocks]
            conn.executemany("insert into search_blocks values (?, ?, ?, ?, ?)", rows)
            conn.executemany("insert into search_fts(rowid, folded) values (?, ?)",
                             [(r[0], r[4]) for r in rows])
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _expansions() -> dict[str, list[str]]:
    """Folded abbreviation -> folded expansions (both directions)."""
    try:
        from schemas import load_data
        data = load_data("abbreviations")
    except (FileNotFoundError, ImportError):
        return {}
    pairs: dict[str, list[str]] = {}
    entries = data.get("abbreviations", data) if isinstance(data, dict) else data
    items = entries.items() if isinstance(entries, dict) else (
        (e.get("abbr") or e.get("abbreviation"), e.get("expansion") or e.get("canonical"))
        for e in entries if isinstance(e, dict))
    ambiguous = {e.get("abbr") for e in entries if isinstance(e, dict) and e.get("ambiguous")} \
        if isinstance(entries, list) else set()
    for abbr, expansion in items:
        # two-letter and ambiguous abbreviations ("TU", "HU") would match ordinary words
        if not abbr or not expansion or len(abbr) <= 2 or abbr in ambiguous:
            continue
        if isinstance(expansion, dict):
            expansion = expansion.get("expansion") or expansion.get("canonical")
        if not isinstance(expansion, str):
            continue
        a, e = fold(abbr), fold(expansion)
        pairs.setdefault(a, []).append(e)
        pairs.setdefault(e, []).append(a)
    return pairs


def alternatives(query: str) -> list[list[str]]:
    """Folded token lists to look for: the query itself, then with each abbreviation
    swapped for its expansion or back (UBND ↔ "uy ban nhan dan")."""
    tokens = TOKEN.findall(fold(query))
    if not tokens:
        return []
    phrase = " ".join(tokens)
    found = [tokens]
    for key, values in _expansions().items():
        pattern = rf"(?<!\w){re.escape(key)}(?!\w)"
        if re.search(pattern, phrase):
            found.extend(TOKEN.findall(re.sub(pattern, v, phrase)) for v in values)
    unique = []
    for alt in found:
        if alt not in unique:
            unique.append(alt)
    return unique


def build_match(query: str) -> str:
    """Folded FTS5 MATCH expression: each alternative as a phrase, or all the query's
    tokens anywhere in the block."""
    alts = alternatives(query)
    if not alts:
        return '""'
    parts = ['"' + " ".join(a) + '"' for a in alts]
    if len(alts[0]) > 1:
        parts.append("(" + " AND ".join(f'"{t}"' for t in alts[0]) + ")")
    return " OR ".join(parts)


def search(db, query: str, limit: int = 20, document_id: int | None = None) -> list[dict]:
    """Blocks matching `query`, best first, each with the exact span of the first hit."""
    if not db.execute("select 1 from sqlite_master where name = 'search_fts'").fetchone():
        ensure_tables(db)  # a query is a reader: write only on a database without the index
    match = build_match(query)
    sql = (
        "select s.block_id, s.document_id, s.start, s.end, s.folded, d.path, d.text,"
        " bm25(search_fts) as score, b.page"
        " from search_fts join search_blocks s on s.block_id = search_fts.rowid"
        " join documents d on d.id = s.document_id join blocks b on b.id = s.block_id"
        " where search_fts match ?" + (" and s.document_id = ?" if document_id else "") +
        " order by score limit ?"
    )
    params = [match] + ([document_id] if document_id else []) + [limit]
    results = []
    alts = alternatives(query)
    for block_id, doc_id, start, end, folded, path, text, score, page in db.execute(sql, params):
        hit_start, hit_end = _first_hit(folded, alts)
        snippet_from = max(0, hit_start - 80)
        snippet_to = min(len(folded), hit_end + 120)
        results.append({
            "document_id": doc_id, "path": path, "page": page,
            "start": start + hit_start, "end": start + hit_end,
            "match": text[start + hit_start:start + hit_end],
            "snippet": text[start + snippet_from:start + snippet_to].replace("\n", " "),
            "score": round(-score, 3),
        })
    return results


def _first_hit(folded: str, alts: list[list[str]]) -> tuple[int, int]:
    for tokens in alts:
        # the tokens in order, allowing a few words between them ("nghi dinh [so] 63")
        phrase = r"\W+(?:\w+\W+){0,3}?".join(map(re.escape, tokens))
        m = re.search(rf"(?<!\w){phrase}(?!\w)", folded)
        if m:
            return m.start(), m.end()
    for t in alts[0] if alts else ():
        m = re.search(rf"(?<!\w){re.escape(t)}(?!\w)", folded)
        if m:
            return m.start(), m.end()
    return 0, min(len(folded), 80)


# -- command ------------------------------------------------------------------------

def register(sub) -> None:
    from pipeline.cli import add_db_option
    from pipeline.output import FORMATS, count_arg

    p = sub.add_parser("search", help="full-text search, with or without diacritics")
    p.add_argument("query", help='e.g. "nghi dinh 63" or "Nghị định 63"')
    p.add_argument("--limit", type=count_arg, default=20)
    p.add_argument("--doc", help="restrict to one document (id, path or symbol)")
    p.add_argument("--format", choices=FORMATS, default="table")
    add_db_option(p)
    p.set_defaults(func=cmd_search)


def cmd_search(args) -> int:
    import sqlite_utils

    from pipeline.output import emit, resolve_document

    db = sqlite_utils.Database(args.db)
    doc_id = None
    if args.doc:
        doc_id = resolve_document(db, args.doc)["id"]
    rows = search(db.conn, args.query, args.limit, doc_id)
    emit(rows, args.format, ["document_id", "path", "page", "match", "snippet"] if args.format == "table"
         else None, title=f"search: {args.query}")
    return 0 if rows else 1
