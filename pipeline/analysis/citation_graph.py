"""The citation graph across the corpus: one identity per cited document, short forms
resolved, links to the documents that are in the corpus (the citations finalizer).

`finalize(db, document_ids)` runs once per ingest batch, after every document's
citations were stored by `citations.analyze`. It builds `cited_documents` (keyed on
canonical symbol + issued date; named laws and standards by name), resolves short and
bare mentions within a document and then across the corpus, joins aliases declared in
the text ("viết tắt là Đề án 06"), flags one symbol cited with two dates as a conflict,
and sets `target_document_id` where the cited document is itself in the corpus. A batch
touches only what its documents change (indexes `cited_keys`, `cited_aliases`,
`corpus_symbols`); a deletion, a new law name or a declared alias rebuilds in full.
"""
from __future__ import annotations

import bisect
import json
import re

from pipeline.analysis.citations import (
    _BARE_NEXT, _CAN_CU, _YEAR_PART, _fits, _flat, _strip_year, _trie, _type_word, rules,
)
from pipeline.store.db import in_list
from pipeline.text.sentences import SentenceIndex


def _key(row: dict) -> str | None:
    """Identity of a cited document: canonical + date (named/standards by their name)."""
    if row["kind"] == "named":
        return f"named|{row['name']}|{row['year'] or ''}|{row['issued_date'] or ''}"
    if row["kind"] == "standard":
        return f"standard|{row['canonical']}"
    if row["canonical"] and row["issued_date"]:
        return f"{row['canonical']}|{row['issued_date']}"
    return None


_ROW_COLS = ("id, document_id, kind, form, doc_type, number, year, canonical, issued_date,"
             " issuer, subject, name, alias, surface, start, [end], sentence_start, sentence_end,"
             # the stage's own resolution, not a former run's (see schemas/tables.py)
             " case when stage_ambiguous is null then resolves_to else stage_resolves_to end"
             " as resolves_to, target_document_id, cited_document_id")


class _Groups:
    """Where a citation without its own identity (no date, a bare number) looks for the
    one it means: identities by symbol without year, and by type + number."""

    def __init__(self, identities: dict[str, dict]):
        self.identities = identities
        self.by_canon: dict[str, set[str]] = {}
        self.by_number: dict[tuple, set[str]] = {}
        for key, ident in identities.items():
            self.add(key, ident)

    def add(self, key: str, ident: dict) -> None:
        if ident["kind"] == "document":
            self.by_canon.setdefault(_strip_year(ident["canonical"]), set()).add(key)
            n = _number_group(ident)
            if n:
                self.by_number.setdefault(n, set()).add(key)

    def canon(self, stripped: str) -> set[str]:
        return self.by_canon.get(stripped, set())

    def number(self, group: tuple) -> set[str]:
        return self.by_number.get(group, set())


def _number_group(r: dict) -> tuple | None:
    m = re.match(r"\d+", r["number"] or "")
    return ((r["doc_type"] or "").lower(), int(m.group())) if m else None


def _resolve(rows: list[dict], by_id: dict, identities: dict, groups: _Groups, first_row: dict) -> None:
    """Each row's identity (`_cited`, before law merging), `_ambiguous`, `_resolves`,
    `_basis`: its own key, the row it resolves to, else the one dated identity its symbol
    or number fits. Rows in id order; needs only the rows' own documents (`by_id`)."""
    for r in rows:
        key, ambiguous, resolves = r.get("_key"), 0, r["resolves_to"]
        if key is None and resolves is not None and resolves in by_id:
            key = by_id[resolves].get("_key")
        if key is None and r["form"] == "alias" and r["kind"] == "named":
            key = r["_key"] = _key(r)  # an alias whose declaration was not kept
            identities.setdefault(key, _new_ident(key, r))
            first_row.setdefault(key, r["id"])
        if key is None and r["kind"] == "document" and r["form"] != "self":
            if r["canonical"]:
                cands = {k for k in groups.canon(_strip_year(r["canonical"]))
                         if _fits(identities[k]["canonical"], identities[k]["issued_date"],
                                  r["canonical"], r["year"])}
            elif r["number"] and r["form"] in ("bare", "short"):
                cands = {k for k in groups.number(_number_group(r))
                         if r["year"] is None or identities[k]["year"] == r["year"]}
            else:
                cands = set()
            if len(cands) == 1:
                key = next(iter(cands))
                resolves = resolves if resolves is not None else first_row[key]
            elif len(cands) > 1:
                ambiguous = 1
            elif r["canonical"]:  # an undated document of its own
                key = r["_key"] = f"{r['canonical']}|"
                identities.setdefault(key, _new_ident(key, r) | {"issued_date": None, "kind": "document"})
        r["_cited"], r["_ambiguous"], r["_resolves"] = key, ambiguous, resolves
        r["_basis"] = None
        if r["form"] == "alias" and resolves is not None and resolves in by_id:
            d = by_id[resolves]  # the declaring sentence, in the same document
            r["_basis"] = (d["document_id"], d["sentence_start"], d["sentence_end"])


def _join_aliases(rows: list[dict], aliases: dict, first_row: dict) -> None:
    """A mention of a declared alias in another document joins its document."""
    for r in rows:
        if r["kind"] != "named" or r["form"] != "named" or r["year"] or r["issued_date"]:
            continue
        targets = aliases.get(name_key(r["name"] or r["surface"]))
        if not targets:
            continue
        if len(targets) == 1:
            (target, basis), = targets.items()
            r["_cited"], r["_basis"] = target, basis
            r["_resolves"] = r["_resolves"] if r["_resolves"] is not None else first_row.get(target)
        else:  # two documents declare the same alias: which one is meant is not known
            r["_cited"], r["_ambiguous"] = None, 1


def _ensure_state(db) -> bool:
    """The tables that let a batch resolve only what it changes; True if they were there
    and filled (a first full run killed after creating them leaves them empty: the next
    run must rebuild, not trust them)."""
    existed = db["cited_keys"].exists() and bool(
        db.execute("select 1 from cited_keys limit 1").fetchone()
        or not db.execute("select 1 from citations limit 1").fetchone())
    db.execute("create table if not exists cited_keys (key text primary key, root text,"
               " kind text, canonical text, canon_group text, number_group text, issued_date text,"
               " number text, doc_type text, year integer, name text, issuer text, subject text,"
               " names text, merged_names text, first_row integer, cand integer, lawlike integer)")
    db.execute("create index if not exists idx_cited_keys_canon on cited_keys (canon_group)")
    db.execute("create index if not exists idx_cited_keys_number on cited_keys (number_group)")
    db.execute("create index if not exists idx_cited_keys_canonical on cited_keys (canonical)")
    db.execute("create index if not exists idx_cited_keys_lawlike on cited_keys (lawlike)")
    db.execute("create table if not exists cited_aliases (label text, key text,"
               " basis_document_id integer, basis_start integer, basis_end integer)")
    db.execute("create table if not exists corpus_symbols (document_id integer primary key,"
               " canonical text, issued_date text)")
    db.execute("create index if not exists idx_corpus_symbols_canonical on corpus_symbols (canonical)")
    db.execute("create index if not exists idx_cited_documents_key on cited_documents (key)")
    return existed


def _key_row(key: str, ident: dict, root: str, first_row: dict, cand: bool, merged_names) -> tuple:
    n = _number_group(ident) if ident["kind"] == "document" else None
    return (key, root, ident["kind"], ident["canonical"],
            _strip_year(ident["canonical"]) if ident["kind"] == "document" and ident["canonical"] else None,
            f"{n[0]}|{n[1]}" if n else None, ident["issued_date"], ident["number"], ident["doc_type"],
            ident["year"], ident["name"], ident["issuer"], ident["subject"],
            json.dumps(sorted(ident.get("_names", ())), ensure_ascii=False),
            json.dumps(sorted(merged_names), ensure_ascii=False) if merged_names is not None else None,
            first_row.get(key), int(cand), int(_lawlike(ident)))


def _document_symbols(db, where: str = "", params=()) -> list[tuple]:
    from pipeline.text.symbols import canonicalize
    out = []
    if "number_symbol" in db["documents"].columns_dict:
        for d in db.query("select id, number_symbol, issued_date from documents where number_symbol"
                          f" is not null and status != 'failed'{where}", list(params)):
            c = canonicalize(d["number_symbol"])
            if c:
                out.append((d["id"], c, d["issued_date"]))
    return out


def _target(ident: dict, docs: list[tuple[int, str | None]]) -> int | None:
    """The corpus document a cited identity is: same symbol and date, or the one document
    of that symbol when a date is missing on either side."""
    exact = [d for d, date in docs if ident["issued_date"] and date == ident["issued_date"]]
    if exact:
        return exact[0]
    if len(docs) == 1 and (ident["issued_date"] is None or docs[0][1] is None):
        return docs[0][0]
    return None


def finalize(db, document_ids=None) -> None:
    """Build `cited_documents` and link citations to it, resolving short forms across
    documents and linking cited documents that are themselves in the corpus
    (documents.number_symbol + issued_date).

    Identity beyond the symbol (issue 10): a law cited by name and by number is one cited
    document (`_merge_laws`); a law named alone ("Luật Tổ chức Chính phủ") is found in the
    text by the names the corpus knows and linked when the context fixes it (`_name_mentions`,
    rows of form 'name'); an alias a text declares ("(viết tắt là Đề án 06)") joins its
    document corpus-wide, the declaring sentence kept in `basis_*`.

    `document_ids` (the documents a batch wrote or deleted) lets the batch touch only what
    they change (`_finalize_batch`); what it cannot settle locally (a deleted document, a
    new law name, an alias) and None rebuild from every citation (`_finalize_all`). Both
    give the same rows (tests/test_incremental.py)."""
    if not db["citations"].exists():
        return
    cols = db["citations"].columns_dict
    if "stage_ambiguous" not in cols:  # a database made before these columns
        from pipeline.store.db import ensure_schema
        ensure_schema(db)
    had_state = _ensure_state(db)
    if document_ids is not None and had_state:
        from pipeline.store.db import begin, rollback
        begin(db)
        try:
            done = _finalize_batch(db, sorted(document_ids))
            db.execute("COMMIT" if done else "ROLLBACK")
        except BaseException:
            rollback(db)
            raise
        if done:
            LAST_RUN["path"] = "batch"
            return
    _finalize_all(db)
    LAST_RUN["path"] = "all"


def _finalize_all(db) -> None:
    rows = [dict(r) for r in db.query(
        f"select {_ROW_COLS} from citations where form != 'name' order by id")]
    old_name_rows = {(r["document_id"], r["start"], r["end"]): r["id"] for r in db.query(
        "select id, document_id, start, [end] from citations where form = 'name'")}
    by_id = {r["id"]: r for r in rows}
    identities: dict[str, dict] = {}
    first_row: dict[str, int] = {}
    for r in rows:
        key = _key(r) if r["form"] not in ("self", "alias") else None  # the document itself is not cited
        if key:
            r["_key"] = key
            ident = identities.setdefault(key, _new_ident(key, r))
            ident["subject"] = ident["subject"] or r["subject"]
            first_row.setdefault(key, r["id"])
    cand_keys = set(identities)
    _resolve(rows, by_id, identities, _Groups(identities), first_row)
    for r in rows:  # names a law carries ("Luật X số 63/2025/QH15"), for merging and finding
        if r.get("_cited") and r["name"] and r["kind"] in ("document", "named"):
            identities[r["_cited"]].setdefault("_names", set()).add(name_key(r["name"]))
    state = [(k, dict(ident)) for k, ident in identities.items()]  # before merging
    _date_conflicts(identities)
    root = _merge_laws(identities)
    aliases = _corpus_aliases(rows, root, identities)
    _join_aliases(rows, aliases, first_row)
    for r in rows:
        if r.get("_cited"):
            r["_cited"] = root(r["_cited"])
    names, basis_of = _name_map(identities, root, aliases)
    new_rows = _name_mentions(db, rows, identities, names, basis_of, first_row, old_name_rows)
    rows += new_rows
    docs: dict[str, list[tuple[int, str | None]]] = {}
    symbols = _document_symbols(db)
    for d, c, date in symbols:
        docs.setdefault(c, []).append((d, date))
    counts: dict[str, list] = {}
    for r in rows:
        if r.get("_cited"):
            counts.setdefault(r["_cited"], []).append(r["document_id"])
    alias_of: dict[str, set[str]] = {}
    for label, targets in aliases.items():
        for t in targets:
            alias_of.setdefault(root(t), set()).add(label)
    # a cited document keeps its id across batches (new ones after the largest)
    old_ids = dict(db.execute("select key, id from cited_documents").fetchall())
    n = max(old_ids.values(), default=0)
    ids, out = {}, []
    for key in sorted(identities):
        if root(key) != key or key not in counts:
            continue  # merged into another, or its mentions all joined a declared alias
        ident = identities[key]
        if key not in old_ids:
            n += 1
        ids[key] = old_ids.get(key, n)
        ident["target_document_id"] = _target(ident, docs.get(ident["canonical"] or "", []))
        mentions = counts.get(key, [])
        out.append(_cited_row(ids[key], ident, alias_of.get(key, set()), mentions))
    db.execute("BEGIN IMMEDIATE")
    try:
        from pipeline.store.db import insert_rows
        db.execute("delete from cited_documents")
        insert_rows(db, "cited_documents", out)
        keep = {r["id"] for r in new_rows}
        stale = [i for i in old_name_rows.values() if i not in keep]
        db.conn.executemany("delete from citations where id = ?", [(i,) for i in stale])
        _write_rows(db, rows, new_rows, ids, identities)
        db.execute("delete from cited_keys")
        db.conn.executemany(f"insert into cited_keys values ({','.join('?' * 18)})", [
            _key_row(k, ident, root(k), first_row, k in cand_keys,
                     identities[k].get("_names", set()) if root(k) == k else None)
            for k, ident in state])
        db.execute("delete from cited_aliases")
        db.conn.executemany("insert into cited_aliases values (?, ?, ?, ?, ?)", [
            (label, t, *basis) for label, targets in aliases.items() for t, basis in targets.items()])
        db.execute("delete from corpus_symbols")
        db.conn.executemany("insert into corpus_symbols values (?, ?, ?)", symbols)
        for table, cols_ in INDEXES_LATE:
            db.execute(f"create index if not exists [idx_{table}_{'_'.join(cols_)}] "
                       f"on [{table}] ({', '.join(cols_)})")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _cited_row(cid: int, ident: dict, alias_labels: set[str], mentions: list[int]) -> dict:
    other = sorted((ident.get("_names", set()) | alias_labels) - {name_key(ident["name"] or "")})
    return {"id": cid, **{k: v for k, v in ident.items() if not k.startswith("_")},
            "aliases": " | ".join(other) or None,
            "mentions": len(mentions), "citing_documents": len(set(mentions))}


def _write_rows(db, rows, new_rows, ids, identities) -> None:
    """Insert the new name rows; set each row's links (cited document, target, the row it
    resolves to, ambiguity, basis sentence)."""
    fresh = [r for r in new_rows if r["_new"]]
    if fresh:
        from pipeline.store.db import insert_rows
        insert_rows(db, "citations", [{k: v for k, v in r.items() if not k.startswith("_")}
                                      for r in fresh])
    params = []
    for r in rows:
        cid = ids.get(r["_cited"]) if r["_cited"] else None
        target = r["target_document_id"] if r["form"] == "self" else \
            (identities[r["_cited"]]["target_document_id"] if r["_cited"] else None)
        b = r.get("_basis") or (None, None, None)
        params.append((cid, target, r["_resolves"], r["_ambiguous"], *b, r["id"]))
    db.conn.executemany(
        "update citations set cited_document_id = ?1, target_document_id = ?2, resolves_to = ?3,"
        " ambiguous = case when form = 'name' then ?4"
        "   else max(coalesce(stage_ambiguous, ambiguous, 0), ?4) end,"
        " stage_resolves_to = case when stage_ambiguous is null then resolves_to else stage_resolves_to end,"
        " stage_ambiguous = coalesce(stage_ambiguous, ambiguous, 0),"
        " basis_document_id = ?5, basis_start = ?6, basis_end = ?7 where id = ?8", params)


class _StoredIdentities(dict):
    """Identities read from `cited_keys` on first use (the batch path never loads them all)."""

    def __init__(self, db):
        super().__init__()
        self.db = db
        self.stored: dict[str, dict] = {}

    def load(self, keys) -> None:
        keys = [k for k in set(keys) if k not in self and k not in self.stored]
        if not keys:
            return
        inside, params = in_list(self.db, keys)
        for row in self.db.query(f"select * from cited_keys where key in ({inside})", params):
            self._take(row)

    def _take(self, row) -> None:
        ident = {k: row[k] for k in ("key", "canonical", "doc_type", "issued_date", "issuer",
                                     "subject", "kind", "name", "number", "year")}
        ident["_names"] = set(json.loads(row["merged_names"] or row["names"] or "[]"))
        ident["_own_names"] = set(json.loads(row["names"] or "[]"))
        ident["_root"], ident["_first"], ident["_cand"] = row["root"], row["first_row"], row["cand"]
        self.stored[row["key"]] = ident
        self[row["key"]] = ident

    def where(self, sql: str, params) -> list[str]:
        out = []
        for row in self.db.query(f"select * from cited_keys where {sql}", params):
            if row["key"] not in self:
                self._take(row)
            out.append(row["key"])
        return out


class _StoredGroups(_Groups):
    def __init__(self, identities: _StoredIdentities, new: dict[str, dict]):
        self.identities, self.by_canon, self.by_number = identities, {}, {}
        for key, ident in new.items():
            self.add(key, ident)

    def canon(self, stripped: str) -> set[str]:
        return set(self.identities.where("canon_group = ? and cand = 1", [stripped])) | \
            self.by_canon.get(stripped, set())

    def number(self, group: tuple) -> set[str]:
        return set(self.identities.where("number_group = ? and cand = 1", [f"{group[0]}|{group[1]}"])) | \
            self.by_number.get(group, set())


LAST_RUN = {"path": None}  # "batch" or "all": which path the last finalize took (tests)


def _finalize_batch(db, document_ids: list[int]) -> bool:
    """The batch's documents and what they change, inside the caller's transaction; False
    (nothing written that stays: the caller rolls back) when only a rebuild can say."""
    marks, marked = in_list(db, document_ids)
    present = {r[0] for r in db.execute(f"select id from documents where id in ({marks})", marked)}
    if len(present) != len(document_ids):
        return False  # a deleted or replaced document: its links may be anywhere
    rows = [dict(r) for r in db.query(
        f"select {_ROW_COLS} from citations where form != 'name' and document_id in ({marks})"
        " order by id", marked)]
    identities = _StoredIdentities(db)
    for r in rows:
        if r["alias"] or r["form"] == "alias":
            return False  # a declared alias joins mentions anywhere in the corpus
        key = _key(r) if r["form"] != "self" else None
        if key:
            r["_key"] = key
    identities.load(r["_key"] for r in rows if r.get("_key"))
    new: dict[str, dict] = {}
    first_row: dict[str, int] = {}
    subjects: dict[str, str] = {}
    for r in rows:
        key = r.get("_key")
        if key is None:
            continue
        if key in identities.stored:
            ident = identities[key]
            if r["subject"] and not ident["subject"]:
                if ident["_root"] != key:
                    return False  # a merged identity: its law's fields come from several
                ident["subject"] = subjects[key] = r["subject"]  # the first mention with one
        else:
            ident = new.setdefault(key, _new_ident(key, r))
            ident["subject"] = ident["subject"] or r["subject"]
            first_row.setdefault(key, r["id"])
            identities[key] = ident
        if r["name"] and r["kind"] in ("document", "named"):
            own = ident.setdefault("_own_names", set()) if key in identities.stored else ident.setdefault("_names", set())
            if name_key(r["name"]) not in own:
                if key in identities.stored:
                    return False  # a new name for a known identity: merges may change
                own.add(name_key(r["name"]))
    if any(_lawlike(ident) and ident.get("_names") for ident in new.values()):
        return False  # a new named law: merges and name mentions corpus-wide
    # Old citations whose reading a new identity can change: the loose ones (no date,
    # a bare number) in its symbol and number groups; their documents are read again.
    affected = set(document_ids)
    for key, ident in new.items():
        if ident["kind"] != "document":
            continue
        loose = db.execute(
            "select document_id from citations where canonical in (?, ?) and issued_date is null"
            " and form not in ('self', 'alias', 'name')",
            [ident["canonical"], _strip_year(ident["canonical"])]).fetchall()
        group = _number_group(ident)
        if group:
            nums = {str(group[1]), str(group[1]).zfill(2), str(group[1]).zfill(3), ident["number"]}
            loose += db.execute(
                f"select document_id from citations where number in ({','.join('?' * len(nums))})"
                " and canonical is null and form in ('bare', 'short')", sorted(nums)).fetchall()
        affected |= {d for (d,) in loose}
    others = sorted(affected - set(document_ids))
    if others:
        omarks, params = in_list(db, others)
        more = [dict(r) for r in db.query(
            f"select {_ROW_COLS} from citations where form != 'name' and document_id in ({omarks})",
            params)]
        for r in more:
            if r["alias"] or r["form"] == "alias":
                return False
            key = _key(r) if r["form"] != "self" else None
            if key:
                r["_key"] = key
        identities.load(r["_key"] for r in more if r.get("_key"))
        rows = sorted(rows + more, key=lambda r: r["id"])
    by_id = {r["id"]: r for r in rows}
    for k in list(identities.stored):
        first_row.setdefault(k, identities.stored[k]["_first"])

    class _First(dict):
        def __missing__(self, key):
            identities.load([key])
            return identities[key]["_first"] if key in identities else None
    first = _First(first_row)
    _resolve(rows, by_id, identities, _StoredGroups(identities, new), first)
    for r in rows:  # undated identities a row created
        k = r.get("_cited")
        if k and k not in identities.stored and k not in new:
            new[k] = identities[k]
    aliases: dict[str, dict[str, tuple]] = {}
    for label, key, bd, bs, be in db.execute("select * from cited_aliases"):
        aliases.setdefault(label, {})[key] = (bd, bs, be)
    _join_aliases(rows, aliases, first)
    identities.load(r["_cited"] for r in rows if r.get("_cited"))
    root = lambda k: identities[k]["_root"] if k in identities.stored else k
    for r in rows:
        if r.get("_cited"):
            r["_cited"] = root(r["_cited"])
    # laws the corpus knows by name, for mentions of a name alone in these documents
    identities.where("lawlike = 1 and key = root", [])
    names, basis_of = _name_map({k: v for k, v in identities.items() if k in identities.stored or k in new},
                                root, aliases)
    for nm, keys in names.items():
        for k in keys:
            first.setdefault(k, identities[k]["_first"] if k in identities.stored else first_row.get(k))
    wanted = [first[k] for keys in names.values() for k in keys if first.get(k) and first[k] not in by_id]
    ctx_rows = list(rows)
    if wanted:
        inside, params = in_list(db, wanted)
        ctx_rows += [dict(r) for r in db.query(
            f"select {_ROW_COLS} from citations where id in ({inside})", params)]
    amarks, amarked = in_list(db, sorted(affected))
    old_name_rows = {(r["document_id"], r["start"], r["end"]): r["id"] for r in db.query(
        f"select id, document_id, start, [end] from citations where form = 'name' and document_id in ({amarks})",
        amarked)}
    new_rows = _name_mentions(db, ctx_rows, identities, names, basis_of, first, old_name_rows,
                              doc_ids=sorted(affected))
    before = {r["cited_document_id"] for r in rows if r["cited_document_id"]}
    before |= {i for (i,) in db.execute(
        f"select cited_document_id from citations where form = 'name' and document_id in ({amarks})"
        " and cited_document_id is not null", amarked)}
    keep = {r["id"] for r in new_rows}
    db.conn.executemany("delete from citations where id = ?",
                        [(i,) for i in old_name_rows.values() if i not in keep])
    rows += new_rows
    # cited documents: ids, new rows, targets, conflicts
    cited_keys = sorted({r["_cited"] for r in rows if r.get("_cited")})
    if cited_keys:
        inside, params = in_list(db, cited_keys)
        ids = dict(db.execute(f"select key, id from cited_documents where key in ({inside})", params).fetchall())
    else:
        ids = {}
    n = db.execute("select coalesce(max(id), 0) from cited_documents").fetchone()[0]
    fresh_roots = sorted({r["_cited"] for r in rows if r.get("_cited")} - set(ids))
    for key in fresh_roots:
        n += 1
        ids[key] = n
    symbols = _document_symbols(db, f" and id in ({marks})", marked)
    db.conn.executemany("insert or replace into corpus_symbols values (?, ?, ?)", symbols)
    canonicals = {c for _d, c, _date in symbols} | {identities[k]["canonical"] for k in fresh_roots
                                                      if identities[k]["canonical"]}
    targets: dict[str, int | None] = {}
    for c in sorted(canonicals):
        docs = [(d, date) for d, date in db.execute(
            "select document_id, issued_date from corpus_symbols where canonical = ? order by document_id", [c])]
        for cid, key, date, old in db.execute(
                "select id, key, issued_date, target_document_id from cited_documents where canonical = ?", [c]).fetchall():
            t = _target({"issued_date": date}, docs)
            if t != old:
                db.execute("update cited_documents set target_document_id = ? where id = ?", [t, cid])
                db.execute("update citations set target_document_id = ? where cited_document_id = ?"
                           " and form != 'self'", [t, cid])
        for key in fresh_roots:
            if identities[key]["canonical"] == c:
                targets[key] = _target(identities[key], docs)
    for key in fresh_roots:
        identities[key]["target_document_id"] = targets.get(key)
    stored_targets = {}
    if ids:
        inside, params = in_list(db, list(ids))
        stored_targets = dict(db.execute(
            f"select key, target_document_id from cited_documents where key in ({inside})", params).fetchall())
    for key in ids:
        if key not in fresh_roots:
            identities[key]["target_document_id"] = stored_targets.get(key)
    # conflicts: the canonical groups a new dated identity joins
    for c in sorted({ident["canonical"] for ident in new.values()
                     if ident["kind"] == "document" and ident["canonical"] and ident["issued_date"]}):
        group = {k: identities[k] for k in identities.where(
            "canonical = ? and kind = 'document' and issued_date is not null", [c])}
        group.update({k: v for k, v in new.items() if v["canonical"] == c and v["issued_date"]
                      and v["kind"] == "document"})
        _date_conflicts(group)
        for k, ident in group.items():
            if k not in fresh_roots:
                db.execute("update cited_documents set conflict = ? where key = ?", [ident["conflict"], k])
    for key in fresh_roots:
        identities[key].setdefault("conflict", None)
    from pipeline.store.db import insert_rows
    insert_rows(db, "cited_documents", [
        _cited_row(ids[k], {f: v for f, v in identities[k].items() if not f.startswith("_") or f == "_names"}
                   | {"key": k}, set(), []) for k in fresh_roots])
    _write_rows(db, rows, new_rows, ids, identities)
    # mention counts of every cited document whose citations changed
    touched = before | {ids[r["_cited"]] for r in rows if r.get("_cited")}
    for cid in sorted(touched):
        m, c = db.execute("select count(*), count(distinct document_id) from citations"
                          " where cited_document_id = ?", [cid]).fetchone()
        if m:
            db.execute("update cited_documents set mentions = ?, citing_documents = ? where id = ?", [m, c, cid])
        else:  # all its mentions now read as another document
            db.execute("delete from cited_keys where key = (select key from cited_documents"
                       " where id = ?) and key like '%|'", [cid])
            db.execute("delete from cited_documents where id = ?", [cid])
    for key, subject in subjects.items():
        db.execute("update cited_keys set subject = ? where key = ?", [subject, key])
        db.execute("update cited_documents set subject = ? where key = ?", [subject, key])
    new_keys = [k for k in new if k not in identities.stored]
    db.conn.executemany(f"insert or replace into cited_keys values ({','.join('?' * 18)})", [
        _key_row(k, identities[k], k, first_row, k in first_row and _key_is_cand(k),
                 identities[k].get("_names", set())) for k in new_keys])
    return True


def _key_is_cand(key: str) -> bool:
    """A key a citation carries itself (symbol + date, a name, a standard), not an
    undated identity made for a lone mention."""
    return not key.endswith("|")


# indexes cited-by filters on, also made on databases created before they were declared
INDEXES_LATE = [("citations", ["number"]), ("cited_documents", ["number"])]
_QH_CODE = re.compile(r"/(?:UBTV)?QH\d+$", re.IGNORECASE)
_COMMA_SP = re.compile(r"\s*,\s*")


def name_key(name: str) -> str:
    """A name compared across mentions: case and spacing do not matter."""
    return _COMMA_SP.sub(", ", " ".join(name.replace("*", " ").replace("_", " ").lower().split()))


def _new_ident(key: str, r: dict) -> dict:
    return {"key": key, "canonical": r["canonical"], "doc_type": r["doc_type"],
            "issued_date": r["issued_date"], "issuer": r["issuer"], "subject": r["subject"],
            "kind": r["kind"], "name": r["name"], "number": r["number"], "year": r["year"]}


def _lawlike(ident: dict) -> bool:
    """Laws, codes, ordinances (cited by name) and resolutions of the Quốc hội."""
    return (ident["doc_type"] or "").lower() in rules()["named"] or \
        bool(ident["canonical"] and _QH_CODE.search(ident["canonical"]))


def _ident_year(ident: dict) -> int | None:
    if ident["year"]:
        return int(ident["year"])
    if ident["issued_date"]:
        return int(ident["issued_date"][:4])
    m = _YEAR_PART.match(ident["canonical"] or "")
    return int(ident["canonical"].split("/")[1]) if m else None


def _merge_laws(identities: dict[str, dict]):
    """One law cited by name and year/date ("Luật Tổ chức Chính phủ ngày 18/02/2025") and
    by its number ("Luật Tổ chức Chính phủ số 63/2025/QH15") is one identity: the named
    identities of a (name, year) join the one numbered identity that carries that name
    and a compatible date; with two candidates (two numbers, or one number with two
    dates) nothing is merged. Returns root(key) -> the key that stands for it."""
    parent: dict[str, str] = {}

    def root(k: str) -> str:
        while k in parent:
            k = parent[k]
        return k
    groups: dict[tuple, list[str]] = {}
    for key, ident in identities.items():
        if ident["kind"] not in ("document", "named") or not _lawlike(ident):
            continue
        year = _ident_year(ident)
        if year is None:
            continue
        for nm in ident.get("_names", ()):
            groups.setdefault((nm, year), []).append(key)
    for (_nm, _year), keys in groups.items():
        docs = [k for k in keys if identities[k]["kind"] == "document"]
        named = [k for k in keys if identities[k]["kind"] == "named"]
        dated = {identities[k]["issued_date"] for k in named} - {None}
        for k in named:
            date = identities[k]["issued_date"]
            if docs:
                fit = {root(x) for x in docs if date is None or identities[x]["issued_date"] in (None, date)}
            elif len(dated) <= 1:  # named only: the dated one stands for the others
                fit = {root(x) for x in named if identities[x]["issued_date"] == (next(iter(dated)) if dated else None)}
                fit = {min(fit)} if fit else set()
            else:
                continue
            if len(fit) == 1 and root(k) != next(iter(fit)):
                parent[root(k)] = next(iter(fit))
    for key, ident in identities.items():  # the standing identity takes what it lacks
        r = root(key)
        if r != key:
            rep = identities[r]
            rep.setdefault("_names", set()).update(ident.get("_names", ()))
            for f in ("name", "issued_date", "subject", "issuer", "year"):
                rep[f] = rep[f] or ident[f]
    return root


def _corpus_aliases(rows, root, identities) -> dict[str, dict[str, tuple]]:
    """alias as declared ("(viết tắt là Đề án 06)") -> {identity key: declaring sentence}."""
    out: dict[str, dict[str, tuple]] = {}
    for r in rows:
        if r["alias"] and r.get("_cited"):
            out.setdefault(name_key(r["alias"]), {}).setdefault(
                root(r["_cited"]), (r["document_id"], r["sentence_start"], r["sentence_end"]))
    return out


def _name_pattern(names):
    """Known names, as a trie over the lower-cased text."""
    return re.compile(r"(?<![^\W\d_⁰¹²³⁴⁵⁶⁷⁸⁹])" + _trie(names) + r"(?![^\W\d_⁰¹²³⁴⁵⁶⁷⁸⁹])")


def _name_map(identities, root, aliases):
    """name -> the law identities (roots) it names; alias label -> {identity: declaring sentence}."""
    names: dict[str, set[str]] = {}
    for key, ident in identities.items():
        if root(key) != key or not _lawlike(ident):
            continue
        for nm in ident.get("_names", ()):
            if len(nm.split()) > len((ident["doc_type"] or "").split()):  # not "Hiến pháp" alone
                names.setdefault(nm, set()).add(key)
    basis_of: dict[str, dict[str, tuple]] = {}
    for label, targets in aliases.items():
        if len(label.split()) >= 2:
            basis_of[label] = {root(t): b for t, b in targets.items()}
            names.setdefault(label, set()).update(basis_of[label])
    return names, basis_of


def _name_mentions(db, rows, identities, names, basis_of, first_row, old_ids, doc_ids=None) -> list[dict]:
    """A law named alone ("theo Luật Tổ chức Chính phủ, ..."), or an alias declared in
    another document, found by the names the corpus knows. Linked when the context fixes
    it: the earlier mentions of that name in the same document agree on one law, else the
    corpus knows exactly one law of that name; otherwise the row stays `ambiguous`. A name
    followed by a word that could continue it ("Luật Đầu tư" in "Luật Đầu tư công") is
    not taken. Rows of form 'name', kept under the same id while they stay. `doc_ids`:
    only these documents' texts are read."""
    if not names:
        return []
    pat = _name_pattern(names)
    by_id = {r["id"]: r for r in rows}
    by_doc: dict[int, list[dict]] = {}
    for r in rows:
        by_doc.setdefault(r["document_id"], []).append(r)
    next_id = db.execute("select coalesce(max(id), 0) from citations").fetchone()[0] + 1
    out = []
    where, params = "", []
    if doc_ids is not None:
        inside, params = in_list(db, doc_ids)
        where = f" and id in ({inside})"
    for d in db.query("select id, text from documents where status != 'failed' and text is not null"
                      + where + " order by id", params):
        text = d["text"]
        low = text.lower()
        if len(low) != len(text):
            continue
        hits = []
        for m in pat.finditer(low):
            nm = name_key(m.group())
            if nm not in names:
                continue
            if not any(c.isupper() for c in text[m.start():m.end()]) or low.endswith("pháp ", 0, m.start()):
                continue  # "pháp luật đất đai" is not the law
            if not (_BARE_NEXT.match(text, m.end()) or _NAME_NEXT.match(text, m.end())) or _DECLARED.search(text, max(0, m.start() - 30), m.start()):
                continue  # "Luật Đầu tư công"; the declaration "(viết tắt là Đề án 06)" itself
            hits.append((m.start(), m.end(), nm))
        if not hits:
            continue
        own = sorted(by_doc.get(d["id"], []), key=lambda r: r["start"])
        spans = [(r["start"], r["end"]) for r in own]
        starts = [s for s, _ in spans]
        sentences = ctx = None
        seen: dict[str, dict[str, dict]] = {}  # name -> {identity: its last mention so far}
        walked = 0
        for start, end, nm in hits:
            while walked < len(own) and own[walked]["start"] < start:  # one pass over the rows
                r = own[walked]
                walked += 1
                if r.get("_cited") and r["_cited"] in identities:
                    labels = set(identities[r["_cited"]].get("_names", ()))
                    if r["alias"]:
                        labels.add(name_key(r["alias"]))
                    for label in labels:
                        seen.setdefault(label, {})[r["_cited"]] = r
            k = bisect.bisect_right(starts, start) - 1
            if (k >= 0 and spans[k][1] > start) or (k + 1 < len(spans) and spans[k + 1][0] < end):
                continue  # part of a citation already found
            keys = seen.get(nm, {})
            basis = resolves = None
            if len(keys) == 1:
                (cited, ref), = keys.items()
                basis, resolves = (d["id"], ref["sentence_start"], ref["sentence_end"]), ref["id"]
            elif not keys and len(names[nm]) == 1:
                cited = next(iter(names[nm]))
                resolves = first_row.get(cited)
                basis = basis_of.get(nm, {}).get(cited)
                ref = by_id.get(resolves)
                if basis is None and ref is not None:
                    basis = (ref["document_id"], ref["sentence_start"], ref["sentence_end"])
            else:
                cited = None
            if sentences is None:
                sentences = SentenceIndex(text)
                ctx = _context(db, d["id"], text)
            ss, se = sentences.around(start)
            ident = identities[cited] if cited else {}
            rid = old_ids.get((d["id"], start, end))
            row = {"id": rid or next_id, "document_id": d["id"], "surface": text[start:end],
                   "kind": "named", "form": "name", "doc_type": ident.get("doc_type") or _type_word(text[start:end].split()[0]),
                   "name": _flat(text[start:end]), "relation": _name_relation(text, ss, start),
                   "ambiguous": 0 if cited else 1, "malformed": 0, "sentence_start": ss, "sentence_end": se,
                   **ctx.provenance(start, end),
                   "_new": rid is None, "_cited": cited, "_ambiguous": 0 if cited else 1,
                   "_resolves": resolves, "_basis": basis, "target_document_id": None}
            if rid is None:
                next_id += 1
            out.append(row)
    return out


# after a law's name, words that cannot continue it (a verb it governs, a connective);
# any other lower-case word may ("Luật Đầu tư" + "công" is another law)
_NAME_NEXT = re.compile(r"(?:[ \t*_]|\n(?!\n))*(?:giao|yêu|cho|không|chưa|cấm|nghiêm|sẽ|đang|vẫn|hiện|"
                        r"mới|gồm|hoặc|nay|đều|cần|phải|nên)(?![^\W\d_⁰¹²³⁴⁵⁶⁷⁸⁹])", re.IGNORECASE)
_DECLARED = re.compile(r"(?:gọi|viết)\s+(?:tắt\s+)?(?:là\s*)?:?\s*[“\"]?$", re.IGNORECASE)


def _name_relation(text: str, ss: int, start: int) -> str:
    r = rules()
    if _CAN_CU.match(text, ss, start):
        return "based_on"
    last = "cites"
    prefix = text[max(ss, start - 200):start]
    for m in r["rel_re"].finditer(prefix[prefix.rfind(";") + 1:]):
        last = r["rel_names"][int(m.lastgroup[1:])] or last
    return last


def _context(db, document_id: int, text: str):
    """Provenance (page, section, footnote) of a document already stored."""
    from pipeline.analysis.stages import Context
    q = lambda t: [dict(r) for r in db.query(f"select * from [{t}] where document_id = ?", [document_id])]
    ctx = Context(document_id=document_id, text=text, format="", blocks=q("blocks"),
                  footnotes=q("footnotes"), pages=q("pages"), tables=[], new_id=lambda t: 0)
    ctx.rows["sections"] = q("sections")
    return ctx


def _date_conflicts(identities: dict[str, dict]) -> None:
    """One symbol cited with different dates ("06/QĐ-TTg ngày 06/01/2022" in one report,
    "ngày 07/01/2022" in another) is flagged on each of its identities (`conflict`), not
    merged: one of the dates is wrong, the corpus cannot say which. Symbols without a year
    restart their numbering every year, so dates of different years are different
    documents, not a conflict."""
    by_canon: dict[str, list[dict]] = {}
    for ident in identities.values():
        ident["conflict"] = None
        if ident["kind"] == "document" and ident["canonical"] and ident["issued_date"]:
            by_canon.setdefault(ident["canonical"], []).append(ident)
    for canonical, group in by_canon.items():
        if len(group) < 2:
            continue
        with_year = bool(_YEAR_PART.match(canonical))
        for ident in group:
            others = sorted({o["issued_date"] for o in group if o is not ident
                             and o["issued_date"] != ident["issued_date"]
                             and (with_year or o["issued_date"][:4] == ident["issued_date"][:4])})
            if others:
                ident["conflict"] = f"{canonical} also cited with date {', '.join(others)}"
