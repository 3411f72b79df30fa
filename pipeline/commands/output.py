"""Shared output for the query commands: table (rich), csv and json."""
from __future__ import annotations

import itertools
import json
import os
import re
import sys

# pandas and rich are imported where a format needs them: a query command starts in
# ~0.1 s instead of ~1 s (bench/run.py startup)

FORMATS = ("table", "csv", "json")

# Terminal escape sequences (CSI "ESC[31m", OSC "ESC]0;title BEL", other ESC x), then any
# control character left (C0 but tab/newline, DEL, C1) and bidi overrides, which would
# reorder what the terminal shows.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]{0,512}(?:\x07|\x1b\\)?|\x1b[@-_]?"
                      r"|\x9b[0-?]*[ -/]*[@-~]|\x9d[^\x07\x9c]*[\x07\x9c]?")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# CSV cells a spreadsheet would run as a formula (CWE-1236); plain numbers are left alone.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[-+]?\d[\d.,]*%?")


def count_arg(text: str) -> int:
    """argparse type for a count (--limit, --jobs): a whole number from 1 to 10⁹."""
    import argparse

    if not (text.isascii() and text.strip().isdigit()) or not 1 <= int(text) <= 10 ** 9:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to 1000000000, got {clean(text)!r}")
    return int(text)


def clean(value) -> str:
    """Text from the corpus made safe for a terminal: no escape sequences or control
    characters (tab and newline kept)."""
    text = "" if value is None else str(value)
    if text.isprintable():
        return text
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def markup_safe(value) -> str:
    """`clean`, then escaped for Rich markup ("[xem phụ lục 1]" stays, "[/x]" is text)."""
    from rich.markup import escape
    return escape(clean(value))


_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def json_text(obj) -> str:
    """JSON (UTF-8, indented) in which every control character is a \\u escape: json
    escapes C0 itself; DEL, C1 (\\x9b is a CSI) and bidi overrides are escaped here."""
    text = json.dumps(obj, ensure_ascii=False, indent=2)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def csv_safe(value):
    """A CSV cell that cannot start a formula: strings starting with = + - @ tab CR get
    a leading apostrophe (numbers, and strings that are plain numbers, stay); control
    characters are dropped as on the terminal."""
    if not isinstance(value, str):
        return value
    value = clean(value)
    if value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def emit(rows, fmt: str = "table", columns: list[str] | None = None,
         title: str | None = None, file=None) -> int:
    """Print `rows` (dicts; a list or any iterable, consumed as it goes) as a table, CSV
    or JSON; returns how many rows were printed. Table and CSV are streamed: the first
    line is out before the last row is read."""
    file = file or sys.stdout
    rows = iter(rows)
    if columns is None:
        first = next(rows, None)
        columns = list(first) if first is not None else []
        if first is not None:
            rows = itertools.chain([first], rows)
    if fmt == "csv":
        # the csv module, row by row (streamed; pandas cost ~0.5 s of start-up): cells as
        # they are, None empty, neutralised cell by cell
        import csv
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(columns)
        n = 0
        for r in rows:
            writer.writerow(["" if (v := csv_safe(r.get(c))) is None else v for c in columns])
            n += 1
        return n
    if fmt == "json":
        items = [{c: _plain(r.get(c)) for c in columns} for r in rows]
        file.write(json_text(items))
        file.write("\n")
        return len(items)
    from pipeline.commands.table import stream_table

    # cells and titles are plain text, never markup, cleaned of control characters
    cells = ({c: "" if r.get(c) is None else clean(r.get(c)) for c in columns} for r in rows)
    return stream_table(file, columns, cells, title=clean(title) if title else None,
                        width=_width(file))


def _width(file) -> int:
    """The terminal's width; piped output is not wrapped at 80 columns unless COLUMNS
    says so (200)."""
    env = os.environ.get("COLUMNS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    if file.isatty():
        import shutil
        return shutil.get_terminal_size().columns
    return 200


def _plain(value):
    if hasattr(value, "item"):
        return value.item()
    return value


class DocumentNotFound(LookupError):
    """No document matches what the user typed; `cli.main` reports it (exit code NO_DATA)."""


def resolve_document(db, ref: str) -> dict:
    """A document by id, exact path, the end of a path (a whole file or folder name:
    "bc.txt" is not "abc.txt"), number symbol, or a piece of the path. At the first of these
    levels that matches, one document is the answer; several raise AmbiguousDocument with
    the candidates, never a silent pick."""
    if not ref or not ref.strip():
        raise DocumentNotFound("no document given (empty DOC)")
    if ref.isascii() and ref.isdigit() and len(ref) < 19:  # "²".isdigit() too; ids fit 64 bits
        rows = list(db.query("select * from documents where id = ?", [int(ref)]))
        if rows:
            return rows[0]
    like = ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")  # literal
    levels = [("path = ?", ref), ("path = ?", os.path.abspath(ref)),
              ("(path like ? escape '\\')", f"%/{like}")]
    if db["documents"].exists() and "number_symbol" in db["documents"].columns_dict:
        levels.append(("upper(number_symbol) = upper(?)", ref))
    levels.append(("path like ? escape '\\'", f"%{like}%"))
    for sql, arg in levels:
        rows = list(db.query(f"select * from documents where {sql} order by id", [arg]))
        if len(rows) == 1:
            return rows[0]
        if rows:
            raise AmbiguousDocument(ref, rows)
    raise DocumentNotFound(f"no document matches {clean(ref)!r}")


class AmbiguousDocument(LookupError):
    """A DOC that names several documents at the same level of precision."""

    def __init__(self, ref: str, rows: list[dict]):
        self.ref, self.rows = ref, rows
        super().__init__(f"{clean(ref)!r} matches {len(rows)} documents; give the id or more of the path")

    def candidates(self, limit: int = 20) -> list[str]:
        lines = [f"  {r['id']:>6}  {clean(r.get('number_symbol') or '-'):<22} {clean(r['path'])}"
                 for r in self.rows[:limit]]
        if len(self.rows) > limit:
            lines.append(f"  … and {len(self.rows) - limit} more")
        return lines


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
