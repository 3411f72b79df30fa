"""Vietnamese-aware full-text search over the corpus.

SQLite's FTS5 can strip combining diacritics but does not fold `đ` to `d`. So the index
`search_fts` is built over a *folded copy* of each block (`pipeline.text.normalize.fold`:
diacritics stripped, đ→d, lower-case, one char per char on NFC text), but that copy is
not stored: `search_fts` is a contentless FTS5 table (`content=''`, only the token index)
whose rowid is the block id, and `search_blocks` records which blocks are indexed (block
id, document id, offsets; no text). Because folding keeps length, a hit found in the
folded block is at the same offsets in `documents.text`: a query reads the original block
(`substr(documents.text, start, end)`), folds only the rows it returns, and quotes the
original sentence, with diacritics.

Removing rows from a contentless index (SQLite 3.40 has no `contentless_delete`) needs
the folded text that was indexed: it is recomputed from `documents.text`, so
`store.delete_document` calls `forget_document` before the document's row goes. The
finalizer repairs anything else: stale rows of a document still present are removed the
same way; if their document is gone (deleted by other means) the index is rebuilt. A
database with the earlier layout (`search_blocks.folded` + external-content FTS) is
rebuilt by the finalizer on the next ingest; until then queries still work on it.

Query syntax: words are ANDed (a block must contain all of them, in any order);
`"nghị định 63"` in double quotes is a phrase (the words adjacent, in order). Queries are
NFC-normalised and folded the same way as the text, so "nghi dinh 63", "Nghị định 63"
and "NGHỊ ĐỊNH 63" (composed or decomposed) find the same blocks. Abbreviations from
schemas/data/abbreviations.yaml (UBND ↔ Ủy ban nhân dân …) are expanded as alternatives
when that file exists. The query path never writes (the web view opens the database
immutable).
"""
from __future__ import annotations

import re
import unicodedata

from pipeline.text.normalize import fold

TOKEN = re.compile(r"\w+", re.UNICODE)
_QUOTED = re.compile(r'"([^"]*)(?:"|$)')
_COMBINING = re.compile(r"[\u0300-\u036f]")

_FTS_DDL = ("create virtual table search_fts using fts5("
            " folded, content='', tokenize='unicode61 remove_diacritics 0')")


class Results(list):
    """The rows of a search; `more` is True when there were more than `limit`."""

    more: bool = False


def _table_sql(db, name: str) -> str | None:
    row = db.execute("select sql from sqlite_master where name = ?", [name]).fetchone()
    return row[0] if row else None


def ensure_tables(db) -> None:
    """Create the index tables; drop an index of the earlier layout (folded text stored in
    `search_blocks` and again in the FTS content) so that the finalizer rebuilds it.
    Writes: call it from the finalizer, never from the query path."""
    fts = _table_sql(db, "search_fts")
    blocks = _table_sql(db, "search_blocks")
    old = (fts is not None and "content=''" not in fts.replace('"', "'")) or \
        (blocks is not None and "folded" in blocks) or (fts is None) != (blocks is None)
    if old:
        db.execute("drop table if exists search_fts")
        db.execute("drop table if exists search_blocks")
        fts = None
    # keyed by document (forget_document's lookup) without a second index
    db.execute(
        "create table if not exists search_blocks ("
        " document_id integer, block_id integer, start integer, end integer,"
        " primary key (document_id, block_id)) without rowid"
    )
    if fts is None:
        db.execute(_FTS_DDL)


def _unindex(db, rows, texts: dict[int, str]) -> None:
    """Remove (block_id, document_id, start, end) rows from the index: a contentless FTS5
    delete must be given the folded text that was indexed, recomputed from the document."""
    conn = getattr(db, "conn", db)
    folded = {doc_id: fold(text) for doc_id, text in texts.items()}
    conn.executemany(
        "insert into search_fts(search_fts, rowid, folded) values('delete', ?, ?)",
        [(block_id, folded[doc_id][start:end]) for block_id, doc_id, start, end in rows])
    conn.executemany("delete from search_blocks where document_id = ? and block_id = ?",
                     [(r[1], r[0]) for r in rows])


def forget_document(db, document_id: int) -> None:
    """Take a document's blocks out of the index. Must run while `documents.text` still
    holds the indexed text (store.delete_document calls it first)."""
    if _table_sql(db, "search_blocks") is None:
        return
    rows = db.execute("select block_id, document_id, start, end from search_blocks"
                      " where document_id = ?", [document_id]).fetchall()
    if not rows:
        return
    row = db.execute("select text from documents where id = ?", [document_id]).fetchone()
    if row is None or row[0] is None:
        return  # cannot recompute: the finalizer rebuilds the index
    _unindex(db, rows, {document_id: row[0]})


def finalize(db, document_ids=None) -> None:
    """Bring the index in line with `blocks`: drop rows of documents that are gone or
    re-ingested, index blocks not yet indexed. `document_ids`: the documents written or
    deleted since the last run (the batch's cost, whatever the corpus size); None checks
    every document (a full rebuild only when rows must go whose document text is gone)."""
    conn = getattr(db, "conn", db)  # sqlite_utils.Database or a bare sqlite3 connection
    db.execute("BEGIN IMMEDIATE")
    try:
        ensure_tables(db)
        if document_ids is None:
            where, params = "", []
        else:
            from pipeline.store.db import in_list
            inside, params = in_list(db, sorted(document_ids))
            where = f" where s.document_id in ({inside})"
        stale = db.execute(
            "select s.block_id, s.document_id, s.start, s.end from search_blocks s"
            " left join blocks b on b.id = s.block_id and b.document_id = s.document_id"
            + (where.replace(" where", " where b.id is null and") if where else " where b.id is null"),
            params).fetchall()
        if stale:
            texts = {}
            for doc_id in {r[1] for r in stale}:
                row = db.execute("select text from documents where id = ?", [doc_id]).fetchone()
                texts[doc_id] = row[0] if row else None
            if any(t is None for t in texts.values()):
                # Indexed text no longer known: start the index again.
                db.execute("insert into search_fts(search_fts) values('delete-all')")
                db.execute("delete from search_blocks")
                document_ids = None
            else:
                _unindex(db, stale, texts)
        if document_ids is None:
            pending = db.execute(
                "select distinct document_id from blocks"
                " where id not in (select block_id from search_blocks)"
            ).fetchall()
        else:
            pending = [(i,) for i in sorted(document_ids) if db.execute(
                "select 1 from blocks where document_id = ? and id not in"
                " (select block_id from search_blocks where document_id = ?) limit 1",
                [i, i]).fetchone()]
        for (document_id,) in pending:
            # one read of the document's text, folded once (fold keeps offsets)
            text = db.execute("select text from documents where id = ?", [document_id]).fetchone()[0]
            folded_doc = fold(text or "")
            blocks = db.execute(
                "select id, start, end from blocks where document_id = ?"
                " and id not in (select block_id from search_blocks where document_id = ?)",
                [document_id, document_id]).fetchall()
            conn.executemany("insert into search_blocks values (?, ?, ?, ?)",
                             [(document_id, block_id, start, end) for block_id, start, end in blocks])
            conn.executemany("insert into search_fts(rowid, folded) values (?, ?)",
                             [(block_id, folded_doc[start:end]) for block_id, start, end in blocks])
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


def fold_query(query: str) -> str:
    """NFC first (a decomposed "nghị" must fold like a composed one), then fold; marks
    that NFC could not compose onto a letter are dropped."""
    return _COMBINING.sub("", fold(unicodedata.normalize("NFC", query or "")))


def _keys() -> list[tuple[list[str], list[list[str]]]]:
    """Abbreviation/expansion token lists with their alternatives, longest first."""
    keys = [(TOKEN.findall(k), [TOKEN.findall(v) for v in vs]) for k, vs in _expansions().items()]
    return sorted((k for k in keys if k[0]), key=lambda k: -len(k[0]))


class _Term(list):
    """Alternatives of one term; `loose` when typed without quotes."""

    def __init__(self, alts, loose: bool = False):
        super().__init__(alts)
        self.loose = loose


def parse(query: str) -> list[list[list[str]]]:
    """The query as terms that must all match (AND); each term is a list of alternative
    phrases (folded token lists), the first the one typed. Double-quoted text is one
    phrase; outside quotes each word is a term, except that an abbreviation or its
    expansion ("ubnd", "uy ban nhan dan") is one term with the other as an alternative."""
    folded = fold_query(query)
    keys = _keys()
    terms: list[list[list[str]]] = []
    pos = 0
    for m in list(_QUOTED.finditer(folded)) + [None]:
        loose = TOKEN.findall(folded[pos:m.start() if m else len(folded)])
        i = 0
        while i < len(loose):
            for key, values in keys:
                if loose[i:i + len(key)] == key:
                    terms.append(_Term(_unique([key] + values), loose=True))
                    i += len(key)
                    break
            else:
                terms.append([[loose[i]]])
                i += 1
        if m is None:
            break
        phrase = TOKEN.findall(m.group(1))
        if phrase:
            terms.append(_phrase_alternatives(phrase, keys))
        pos = m.end()
    return terms


def _phrase_alternatives(tokens: list[str], keys) -> list[list[str]]:
    """The phrase, then with each abbreviation in it swapped for its expansion or back."""
    found = [tokens]
    for key, values in keys:
        n = len(key)
        for i in range(len(tokens) - n + 1):
            if tokens[i:i + n] == key:
                found.extend(tokens[:i] + v + tokens[i + n:] for v in values)
    return _unique(found)


def _unique(alts: list[list[str]]) -> list[list[str]]:
    unique: list[list[str]] = []
    for alt in alts:
        if alt and alt not in unique:
            unique.append(alt)
    return unique


def alternatives(query: str) -> list[list[str]]:
    """Folded token lists: the query's tokens, then each with one abbreviation swapped
    (UBND ↔ "uy ban nhan dan"). Kept for callers that want the query as one phrase."""
    tokens = TOKEN.findall(fold_query(query))
    return _phrase_alternatives(tokens, _keys()) if tokens else []


def build_match(query: str) -> str:
    """Folded FTS5 MATCH expression: every term ANDed, each term the OR of its
    alternative phrases (plus, without quotes, the whole query as a phrase for ranking)."""
    terms = parse(query)
    if not terms:
        return '""'
    parts = []
    for alts in terms:
        phrases = ['"' + " ".join(a) + '"' for a in alts]
        if getattr(alts, "loose", False) and len(alts[0]) > 1:
            # words typed without quotes stay ANDed, whatever they may abbreviate
            phrases[0] = "(" + " AND ".join(f'"{t}"' for t in alts[0]) + ")"
        parts.append(phrases[0] if len(phrases) == 1 else "(" + " OR ".join(phrases) + ")")
    match = " AND ".join(parts)
    if len(terms) > 1 and '"' not in query:
        # The words as a phrase too: it matches no block the AND does not, but ranks
        # blocks that have the words together first (bm25 adds up the phrases found).
        match = " OR ".join(['"' + " ".join(a) + '"' for a in alternatives(query)]
                            + ["(" + match + ")"])
    return match


def search(db, query: str, limit: int = 20, document_id: int | None = None) -> Results:
    """Blocks matching `query`, best first, each with the exact span of the first hit.
    `.more` on the result says whether more than `limit` blocks matched. Read-only."""
    results = Results()
    terms = parse(query)
    if not terms or _table_sql(db, "search_fts") is None:
        return results
    sql = (
        "select b.id, b.document_id, b.start, b.end, d.path,"
        " substr(d.text, b.start + 1, b.end - b.start), bm25(search_fts) as score, b.page"
        " from search_fts join blocks b on b.id = search_fts.rowid"
        " join documents d on d.id = b.document_id"
        " where search_fts match ?" + (" and b.document_id = ?" if document_id else "") +
        " order by score limit ?"
    )
    params = [build_match(query)] + ([document_id] if document_id else []) + [limit + 1]
    rows = db.execute(sql, params).fetchall()
    results.more = len(rows) > limit
    for block_id, doc_id, start, end, path, block, score, page in rows[:limit]:
        block = block or ""
        hit_start, hit_end = _first_hit(fold(block), terms)
        snippet_from = max(0, hit_start - 80)
        snippet_to = min(len(block), hit_end + 120)
        results.append({
            "document_id": doc_id, "path": path, "page": page,
            "start": start + hit_start, "end": start + hit_end,
            "match": block[hit_start:hit_end],
            "snippet": block[snippet_from:snippet_to].replace("\n", " "),
            "score": round(-score, 3),
        })
    return results


def _term_pattern(alts: list[list[str]]) -> str:
    return "(?:" + "|".join(r"\W+".join(map(re.escape, a)) for a in alts) + ")"


def _first_hit(folded: str, terms: list[list[list[str]]]) -> tuple[int, int]:
    # the terms in order, allowing a few words between them ("nghi dinh [so] 63")
    pattern = r"\W+(?:\w+\W+){0,3}?".join(_term_pattern(t) for t in terms)
    m = re.search(rf"(?<!\w){pattern}(?!\w)", folded)
    if m:
        return m.start(), m.end()
    for t in terms:  # else the first term found (a phrase if there is one)
        m = re.search(rf"(?<!\w){_term_pattern(t)}(?!\w)", folded)
        if m:
            return m.start(), m.end()
    return 0, min(len(folded), 80)


# -- command ------------------------------------------------------------------------

def register(sub) -> None:
    from pipeline.cli import add_db_option
    from pipeline.commands.output import FORMATS, count_arg

    p = sub.add_parser("search", help="full-text search, with or without diacritics")
    p.add_argument("query", help='words are ANDed, "double quotes" make a phrase:'
                                 ' nghi dinh 63, \'"Nghị định 63"\'')
    p.add_argument("--limit", type=count_arg, default=20)
    p.add_argument("--doc", help="restrict to one document (id, path or symbol)")
    p.add_argument("--format", choices=FORMATS, default="table")
    add_db_option(p)
    p.set_defaults(func=cmd_search)


def cmd_search(args) -> int:
    from pipeline.commands.output import emit, resolve_document
    from pipeline.store.db import ReadDB

    with ReadDB(args.db) as db:  # not sqlite_utils: it imports pandas (start-up)
        doc_id = None
        if args.doc:
            doc_id = resolve_document(db, args.doc)["id"]
        rows = search(db.conn, args.query, args.limit, doc_id)
        title = f"search: {args.query}"
        if rows.more:
            title += f" (first {len(rows)} of more)"
        emit(rows, args.format, ["document_id", "path", "page", "match", "snippet"] if args.format == "table"
             else None, title=title)
        return 0 if rows else 1
