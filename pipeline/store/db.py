"""The SQLite store (sqlite-utils): schema creation, versioning, per-document writes."""
from __future__ import annotations

import errno
import itertools
import json
import os
import sqlite3
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from schemas.tables import DOCUMENT_TABLES, FOREIGN_KEYS, INDEXES, PRIMARY_KEYS, SCHEMA_VERSION, TABLES


# `PRAGMA application_id` of a baocao corpus ("BAOC"): set on create, checked on open.
APPLICATION_ID = 0x42414F43

# Tables a baocao corpus may hold besides TABLES (search index, pending corpus-wide work).
_OWN_EXTRA_TABLES = ("search_blocks", "search_fts", "pending_finalizers", "pending_documents")
# Derived indexes the finalizers keep for incremental runs (dropped with the derived
# tables on a schema change, so the next run rebuilds them in full).
FINALIZER_TABLES = ("cited_keys", "cited_aliases", "corpus_symbols", "indicator_keys", "cited_numbers")

BUSY_TIMEOUT_S = 600.0  # any statement waits this long for another writer
LOCK_WAIT_S = float(os.environ.get("BAOCAO_LOCK_WAIT", 1800))  # a document write, with a message


class StoreError(RuntimeError):
    """The database cannot be used (not ours, newer schema, unreadable): one-line reason."""


class DiskFull(StoreError):
    """No space left for the database: the batch stops, what was committed stays."""


def is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, sqlite3.OperationalError):
        return "disk is full" in str(exc)
    return isinstance(exc, OSError) and exc.errno == errno.ENOSPC


def _is_locked(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and (
        "locked" in str(exc) or "busy" in str(exc))


def begin(db, what: str = "the corpus database") -> None:
    """BEGIN IMMEDIATE; while another process writes, wait (saying so once on stderr)
    instead of failing with `database is locked`."""
    conn = getattr(db, "conn", db)
    started = time.monotonic()
    told = False
    conn.execute("PRAGMA busy_timeout = 2000")
    try:
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if not _is_locked(exc):
                    raise
                waited = time.monotonic() - started
                if waited > LOCK_WAIT_S:
                    raise StoreError(f"{what} is still locked by another process after "
                                     f"{waited:.0f} s; try again later") from None
                if not told:
                    print(f"baocao: {what} is being written by another process; waiting…",
                          file=sys.stderr, flush=True)
                    told = True
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")


def rollback(db) -> None:
    """Roll back if a transaction is open (SQLite may already have, e.g. on a full disk)."""
    conn = getattr(db, "conn", db)
    if conn.in_transaction:
        conn.execute("ROLLBACK")


def _is_ours(conn: sqlite3.Connection) -> bool:
    """A database without application_id written by an older baocao: only our tables."""
    names = {r[0] for r in conn.execute(
        "select name from sqlite_master where type = 'table'")}
    names = {n for n in names if not n.startswith("sqlite_")}
    if "documents" not in names:
        return False
    allowed = set(TABLES) | set(_OWN_EXTRA_TABLES)
    return all(n in allowed or n in FINALIZER_TABLES or n.startswith("search_fts_") for n in names)


def check_db(conn: sqlite3.Connection, path) -> int:
    """Refuse a database that is not a baocao corpus, or one of a newer schema.
    Returns its user_version (0 for a new, empty database)."""
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        n_objects = conn.execute("select count(*) from sqlite_master").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is not a baocao corpus database ({exc})") from None
    if n_objects == 0 and app_id in (0, APPLICATION_ID):
        return 0  # new database
    if app_id != APPLICATION_ID and not (app_id == 0 and _is_ours(conn)):
        raise StoreError(f"{path} is not a baocao corpus database (it belongs to another "
                         "application); refusing to touch it: choose another --db")
    if version > SCHEMA_VERSION:
        raise StoreError(f"{path} was written by a newer baocao (schema {version} > "
                         f"{SCHEMA_VERSION}); refusing to change it: upgrade baocao")
    return version


def check_readable(path: str | Path) -> None:
    """For the query commands: the file is a baocao corpus (not another application's,
    not a newer schema, not garbage) with documents in it; StoreError otherwise."""
    try:
        conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True, timeout=30)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open {path}: {exc}") from None
    try:
        version = check_db(conn, path)
        if version == 0 and not conn.execute(
                "select 1 from sqlite_master where name = 'documents'").fetchone():
            raise StoreError(f"{path} holds no corpus yet (run `baocao ingest`)")
    except sqlite3.Error as exc:
        raise StoreError(f"cannot read {path}: {exc}") from None
    finally:
        conn.close()


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) a corpus database with the current schema.
    Raises StoreError for a database that is not ours or of a newer schema."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), isolation_level=None,  # explicit transactions
                           timeout=BUSY_TIMEOUT_S)
    try:
        version = check_db(conn, path)
    except BaseException:
        conn.close()
        raise
    db = _sqlite_utils().Database(conn)
    _retry_locked(lambda: db.execute("PRAGMA journal_mode=WAL"))
    db.execute("PRAGMA foreign_keys=ON")
    begin(db, str(path))
    try:
        version = check_db(conn, path)  # again, now that we hold the write lock
        if version not in (0, SCHEMA_VERSION):
            # An older schema of ours: derived tables are rebuilt from the stored text;
            # drop them and force re-analysis.
            for name in DOCUMENT_TABLES + ["cited_documents", "search", *FINALIZER_TABLES]:
                if db[name].exists():
                    db[name].drop()
            if db["documents"].exists():
                db["documents"].drop()
        ensure_schema(db)
        db.execute("COMMIT")
    except BaseException as exc:
        rollback(db)
        conn.close()
        if is_disk_full(exc):
            raise DiskFull(f"disk full: cannot write {path}") from None
        raise
    return db


def _sqlite_utils():
    """sqlite_utils, for the ingest only (queries use ReadDB). It imports pandas when
    installed, ~0.4 s of every ingest's start, only to map pandas' Timestamp to a column
    type, which we never insert: it is imported with pandas hidden, unless pandas is
    loaded already. pandas itself stays importable for whoever needs it later."""
    if "sqlite_utils" in sys.modules or "pandas" in sys.modules:
        import sqlite_utils
        return sqlite_utils
    sys.modules["pandas"] = None  # `import pandas` raises ImportError meanwhile
    try:
        import sqlite_utils
    finally:
        del sys.modules["pandas"]
    return sqlite_utils


def _retry_locked(fn, attempts: int = 600):
    for i in range(attempts):
        try:
            return fn()
        except sqlite3.OperationalError as exc:
            if not _is_locked(exc) or i == attempts - 1:
                raise
            time.sleep(0.1)


def ensure_schema(db: sqlite_utils.Database) -> None:
    for name, columns in TABLES.items():
        table = db[name]
        if not table.exists():
            table.create(columns, pk=PRIMARY_KEYS.get(name),
                         foreign_keys=FOREIGN_KEYS.get(name) or None)
            for cols in INDEXES.get(name, []):
                table.create_index(cols, if_not_exists=True)
        else:
            missing = {c: t for c, t in columns.items() if c not in table.columns_dict}
            for c, t in missing.items():
                table.add_column(c, t)
    db.execute("create table if not exists pending_finalizers (name text primary key, since text)")
    # which documents each pending finalizer owes a run (NULL: the whole corpus)
    db.execute("create table if not exists pending_documents (name text, document_id integer)")
    db.execute("create index if not exists idx_pending_documents_name on pending_documents (name)")
    from pipeline.store.search import ensure_tables as ensure_search_tables

    ensure_search_tables(db)  # created here, so that queries never have to write
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")


def mark_pending(db, names: list[str], document_ids: list[int] | None = None) -> None:
    """Corpus-wide steps (stages.FINALIZERS) owed a run for these documents (new, replaced
    or deleted ids; None: the whole corpus); call inside the document's transaction."""
    conn = getattr(db, "conn", db)
    conn.executemany("insert or replace into pending_finalizers (name, since) values (?, ?)",
                     [(n, now()) for n in names])
    ids = [None] if document_ids is None else document_ids
    conn.executemany("insert into pending_documents (name, document_id) values (?, ?)",
                     [(n, i) for n in names for i in ids])


def pending_finalizers(db) -> set[str]:
    return {r[0] for r in db.execute("select name from pending_finalizers").fetchall()}


def pending_scope(db, name: str) -> set[int] | None:
    """The document ids a pending finalizer owes a run, or None for the whole corpus
    (asked so, or pending from a run that did not record documents)."""
    ids = [r[0] for r in db.execute(
        "select document_id from pending_documents where name = ?", [name]).fetchall()]
    if not ids or None in ids:
        return None
    return set(ids)


def clear_pending(db, name: str, document_ids: set[int] | None = None, upto: int | None = None) -> None:
    """The finalizer ran for these documents (None: for all) over the rows pending when it
    started (`upto`: the last rowid it saw, see `pending_mark`): a document another process
    wrote meanwhile stays pending."""
    bound = "" if upto is None else " and rowid <= ?"
    extra = [] if upto is None else [upto]
    if document_ids is None:
        db.execute("delete from pending_documents where name = ?" + bound, [name, *extra])
    else:
        getattr(db, "conn", db).executemany(
            "delete from pending_documents where name = ? and document_id = ?" + bound,
            [(name, i, *extra) for i in document_ids])
    if not db.execute("select 1 from pending_documents where name = ? limit 1", [name]).fetchone():
        db.execute("delete from pending_finalizers where name = ?", [name])


def pending_mark(db, name: str) -> int:
    """The last pending row of a finalizer now (0: none), read before it runs."""
    row = db.execute("select max(rowid) from pending_documents where name = ?", [name]).fetchone()
    return row[0] or 0


def path_key(path: str) -> str:
    """The path as stored: a file name that is not valid UTF-8 (decoded by Python with
    surrogateescape) keeps its raw bytes as \\xNN escapes, so it can be stored and shown."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")


def find_by_sha(db, sha256: str):
    rows = list(db.query("select * from documents where sha256 = ?", [sha256]))
    return rows[0] if rows else None


def find_by_path(db, path: str):
    rows = list(db.query("select * from documents where path = ?", [path]))
    return rows[0] if rows else None


def delete_document(db, document_id: int) -> None:
    from pipeline.store.search import forget_document

    forget_document(db, document_id)  # needs documents.text: before the row goes
    for name in DOCUMENT_TABLES:
        db.execute(f"delete from [{name}] where document_id = ?", [document_id])
    db.execute("delete from documents where id = ?", [document_id])


def now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


class IdAllocator:
    """Hands out row ids inside one document's transaction, so stages can reference rows
    of other tables (findings.section_id, checks.figure_ids …) before anything is written."""

    def __init__(self, db):
        self.db = db
        self.next: dict[str, int] = {}
        for table in TABLES:  # snapshot now: later deletes must not lower the counters
            if "id" in TABLES[table]:
                self(table)
                self.next[table] -= 1

    def __call__(self, table: str) -> int:
        if table not in self.next:
            row = self.db.execute(f"select coalesce(max(id), 0) from [{table}]").fetchone()
            self.next[table] = row[0] + 1
        value = self.next[table]
        self.next[table] += 1
        return value

    def reserve(self, table: str, n: int) -> int:
        """The first of `n` consecutive ids (those `n` calls would have handed out)."""
        first = self(table)
        self.next[table] += n - 1
        return first


def insert_rows(db, table: str, rows: list[dict]) -> None:
    """Insert rows (dicts keyed by the table's columns; lists/dicts stored as JSON).
    A plain executemany: sqlite-utils' insert_all inspects every value and was the
    largest single cost of writing a document."""
    if not rows:
        return
    columns = TABLES[table]
    present = set().union(*rows)  # every column some row has, in one pass
    unknown = present - columns.keys()
    if unknown:
        raise KeyError(f"{table}: unknown column {sorted(unknown)[0]!r} (add it to schemas/tables.py)")
    used = [c for c in columns if c in present]
    sql = (f"insert into [{table}] ({', '.join(f'[{c}]' for c in used)}) "
           f"values ({', '.join('?' for _ in used)})")
    conn = getattr(db, "conn", db)
    dumps, structured = json.dumps, (list, dict)
    # _sql_value inlined: a function call per value was most of the Python time here
    conn.executemany(sql, ([dumps(v, ensure_ascii=False) if isinstance(v, structured) else v
                            for v in map(row.get, used)] for row in rows))


def insert_columns(db, table: str, columns: tuple[str, ...], rows: list[list]) -> None:
    """Insert rows given as lists of SQL values in `columns` order (`ids.pack_rows`, done
    in the worker): the writer's cheapest path."""
    if not rows:
        return
    sql = (f"insert into [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
           f"values ({', '.join('?' for _ in columns)})")
    getattr(db, "conn", db).executemany(sql, rows)


# Host parameters per statement: SQLite before 3.32 allows 999, later builds 32,766, and a
# connection may be set to fewer (setlimit). A list of ids or keys longer than a quarter of
# the connection's limit (so that a statement may hold a few lists and other parameters)
# goes through a temporary table instead of `?` placeholders.
MAX_INLINE = 900
_TEMP_PREFIX = "baocao_in_"
_temp_names = itertools.count(1)


def _variable_limit(conn) -> int:
    try:
        return conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    except AttributeError:  # Python < 3.11: assume the smallest default
        return 999


def in_list(db, values) -> tuple[str, list]:
    """What goes inside `in (…)` for `values`, and its parameters: placeholders for a
    short list, else `select v from` a temporary table holding them (any length; dropped
    by `drop_in_lists`). `f"… id in ({sql})"` with `params` where the list stands."""
    values = list(values)
    conn = getattr(db, "conn", db)
    if len(values) <= min(MAX_INLINE, _variable_limit(conn) // 4):
        return ",".join("?" * len(values)), values
    name = f"{_TEMP_PREFIX}{next(_temp_names)}"
    conn.execute(f"create temp table {name} (v primary key) without rowid")
    conn.executemany(f"insert or ignore into temp.{name} values (?)", ((v,) for v in values))
    return f"select v from temp.{name}", []


def drop_in_lists(db) -> None:
    """Drop the temporary tables `in_list` made on this connection."""
    conn = getattr(db, "conn", db)
    for (name,) in conn.execute("select name from sqlite_temp_master where type = 'table'"
                                " and name like ?", [_TEMP_PREFIX + "%"]).fetchall():
        conn.execute(f"drop table temp.{name}")


def _sql_value(value):
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


class ReadDB:
    """The read side of sqlite_utils.Database that the query commands use (`query`,
    `execute`, `db[table].exists()` / `.columns_dict`), without importing sqlite_utils,
    which imports pandas when it is installed: a query command starts in ~0.1 s.
    A context manager: `with ReadDB(path) as db:` closes the connection on the way out
    (a command must not leave it to the garbage collector, e.g. under `baocao serve`-like
    callers or tests that run many commands in one process)."""

    def __init__(self, path):
        self.conn = sqlite3.connect(str(path))

    def __enter__(self) -> "ReadDB":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def query(self, sql: str, params=()):
        cur = self.conn.execute(sql, params)
        names = [d[0] for d in cur.description or ()]
        for row in cur:
            yield dict(zip(names, row))

    def execute(self, sql: str, params=()):
        return self.conn.execute(sql, params)

    def __getitem__(self, name: str) -> "_ReadTable":
        return _ReadTable(self.conn, name)

    def close(self) -> None:
        self.conn.close()


class _ReadTable:
    def __init__(self, conn, name: str):
        self.conn, self.name = conn, name

    def exists(self) -> bool:
        return self.conn.execute("select 1 from sqlite_master where type = 'table' and name = ?",
                                 [self.name]).fetchone() is not None

    @property
    def columns_dict(self) -> dict:
        return {r[1]: r[2] for r in self.conn.execute(f"pragma table_info([{self.name}])")}
