"""Shared output for the query commands: table (rich), csv and json (pandas)."""
from __future__ import annotations

import json
import os
import sys

import pandas as pd
from rich.console import Console
from rich.table import Table

FORMATS = ("table", "csv", "json")


def emit(rows: list[dict], fmt: str = "table", columns: list[str] | None = None,
         title: str | None = None, file=None) -> None:
    file = file or sys.stdout
    columns = columns or (list(rows[0]) if rows else [])
    frame = pd.DataFrame(rows, columns=columns, dtype=object)  # keep ints ints, None empty
    if fmt == "csv":
        frame.to_csv(file, index=False)
    elif fmt == "json":
        json.dump([{c: _plain(r.get(c)) for c in columns} for r in rows], file,
                  ensure_ascii=False, indent=2)
        file.write("\n")
    else:
        # Piped output is not wrapped at 80 columns unless COLUMNS says so.
        width = None if file.isatty() or os.environ.get("COLUMNS") else 200
        console = Console(file=file, width=width)
        table = Table(title=title, show_lines=False)
        for c in columns:
            table.add_column(c, overflow="fold")
        for r in rows:
            table.add_row(*("" if r.get(c) is None else str(r.get(c)) for c in columns))
        console.print(table)


def _plain(value):
    if hasattr(value, "item"):
        return value.item()
    return value


class DocumentNotFound(LookupError):
    """No document matches what the user typed; `cli.main` reports it and exits 1."""


def resolve_document(db, ref: str) -> dict:
    """A document by id, exact path, path suffix/file name, or number symbol."""
    if ref.isdigit():
        rows = list(db.query("select * from documents where id = ?", [int(ref)]))
        if rows:
            return rows[0]
    for sql, arg in (("path = ?", ref), ("path like ?", f"%{ref}"), ("path like ?", f"%{ref}%")):
        rows = list(db.query(f"select * from documents where {sql} order by id", [arg]))
        if len(rows) >= 1:
            return rows[0]
    if db["documents"].exists() and "number_symbol" in db["documents"].columns_dict:
        rows = list(db.query("select * from documents where upper(number_symbol) = upper(?)", [ref]))
        if rows:
            return rows[0]
    raise DocumentNotFound(f"no document matches {ref!r}")


class UnsafeOutput(ValueError):
    """An output path that would overwrite the corpus database or an input file."""


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def check_output_path(path: str, db_path: str | None = None, inputs=()) -> None:
    """Refuse an output path that is the open database (or its -wal/-shm/-journal) or an
    input file (compared after resolving links)."""
    protected = []
    if db_path:
        protected += [db_path] + [db_path + s for s in ("-wal", "-shm", "-journal")]
    protected += [p for p in inputs if p]
    for p in protected:
        if _same_file(path, p):
            raise UnsafeOutput(f"refusing to write output to {path}: it is "
                               f"{'the corpus database' if db_path and p.startswith(db_path) else 'an input file'}"
                               f" ({p})")


def write_output(path: str, text: str, db_path: str | None = None, inputs=()) -> None:
    """Write `text` to `path` atomically: a temporary file in the same folder, renamed over
    `path` once complete (an interrupted write never leaves a truncated file)."""
    import tempfile

    path = os.fspath(path)
    check_output_path(path, db_path, inputs)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".baocao-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
