"""The store as the ingest and the query commands use it: what another backend (a
PostgreSQL store, docs/ARCHITECTURE.md "Past one machine: the store") would provide.
`pipeline.store.db` (SQLite) satisfies it: tests/test_incremental.py checks the names."""
from __future__ import annotations

from typing import Any, Iterable, Protocol, runtime_checkable


@runtime_checkable
class Store(Protocol):
    def open_db(self, path) -> Any:
        """A connection with the current schema (created, or derived tables rebuilt)."""

    def begin(self, db, what: str = ...) -> None:
        """Start the one write transaction of a document (waits for another writer)."""

    def rollback(self, db) -> None: ...

    def IdAllocator(self, db) -> Any:  # noqa: N802 (a class in the SQLite store)
        """Ids per table, handed out inside the transaction, never reused."""

    def insert_rows(self, db, table: str, rows: list[dict]) -> None: ...

    def insert_columns(self, db, table: str, columns: tuple[str, ...], rows: list[list]) -> None: ...

    def find_by_path(self, db, path: str) -> dict | None: ...

    def find_by_sha(self, db, sha256: str) -> dict | None: ...

    def delete_document(self, db, document_id: int) -> None: ...

    def mark_pending(self, db, names: list[str], document_ids: list[int] | None = None) -> None:
        """Corpus-wide work owed for these documents (None: all), in the document's transaction."""

    def pending_finalizers(self, db) -> set[str]: ...

    def pending_scope(self, db, name: str) -> set[int] | None: ...

    def pending_mark(self, db, name: str) -> int: ...

    def clear_pending(self, db, name: str, document_ids: set[int] | None = None,
                      upto: int | None = None) -> None: ...

    def in_list(self, db, values) -> tuple[str, list]:
        """SQL for `in (…)` over any number of values, and its parameters (PostgreSQL:
        `= any(%s)` with one array parameter)."""

    def drop_in_lists(self, db) -> None: ...

    def check_readable(self, path) -> None:
        """The query side: a corpus of ours, readable, or StoreError."""

    def ReadDB(self, path) -> Any:  # noqa: N802
        """Read-only access for the queries: query(sql, params) -> dict rows."""


def satisfied_by(module) -> list[str]:
    """The names of Store that `module` lacks (empty: it is a store)."""
    names: Iterable[str] = (n for n in Store.__dict__ if not n.startswith("_"))
    return [n for n in names if not callable(getattr(module, n, None))]
