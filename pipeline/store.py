"""The SQLite store (sqlite-utils): schema creation, versioning, per-document writes."""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from schemas.tables import DOCUMENT_TABLES, FOREIGN_KEYS, INDEXES, PRIMARY_KEYS, SCHEMA_VERSION, TABLES


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) a corpus database with the current schema."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), isolation_level=None)  # explicit transactions
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA foreign_keys=ON")
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version not in (0, SCHEMA_VERSION):
        # Derived tables are rebuilt from the stored text: drop them and force re-analysis.
        for name in DOCUMENT_TABLES + ["cited_documents", "search"]:
            if db[name].exists():
                db[name].drop()
        if db["documents"].exists():
            db["documents"].drop()
    ensure_schema(db)
    return db


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
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def find_by_sha(db, sha256: str):
    rows = list(db.query("select * from documents where sha256 = ?", [sha256]))
    return rows[0] if rows else None


def find_by_path(db, path: str):
    rows = list(db.query("select * from documents where path = ?", [path]))
    return rows[0] if rows else None


def delete_document(db, document_id: int) -> None:
    from pipeline.search import forget_document

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


def insert_rows(db, table: str, rows: list[dict]) -> None:
    """Insert rows (dicts keyed by the table's columns; lists/dicts stored as JSON).
    A plain executemany: sqlite-utils' insert_all inspects every value and was the
    largest single cost of writing a document."""
    if not rows:
        return
    columns = TABLES[table]
    for row in rows:
        unknown = row.keys() - columns.keys()
        if unknown:
            raise KeyError(f"{table}: unknown column {sorted(unknown)[0]!r} (add it to schemas/tables.py)")
    used = [c for c in columns if any(c in row for row in rows)]
    sql = (f"insert into [{table}] ({', '.join(f'[{c}]' for c in used)}) "
           f"values ({', '.join('?' for _ in used)})")
    conn = getattr(db, "conn", db)
    conn.executemany(sql, ([_sql_value(row.get(c)) for c in used] for row in rows))


def _sql_value(value):
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value
