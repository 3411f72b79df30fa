"""Provisional row ids for analysis done away from the database (a worker process).

A worker numbers each table's rows BASE+1, BASE+2, … in the order the stages ask for
them, exactly as `store.IdAllocator` would number them from the table's next free id.
When the main process writes the document, it reserves that many real ids per table
and shifts every column listed in `schemas.tables.REFERENCES` (JSON lists of ids too),
so a parallel batch stores the very rows a serial one does.
"""
from __future__ import annotations

import json

from schemas.tables import REFERENCES, TABLES

# Far above any real id and below 2**53 (ids survive a trip through a float or JSON).
BASE = 1 << 50
SPAN = 1 << 40  # ids one document can use in one table


def is_provisional(value) -> bool:
    return isinstance(value, int) and BASE < value <= BASE + SPAN


class ProvisionalIds:
    """`new_id(table)` for a worker: counts per table, from BASE+1."""

    def __init__(self):
        self.counts: dict[str, int] = {}

    def __call__(self, table: str) -> int:
        n = self.counts.get(table, 0) + 1
        self.counts[table] = n
        return BASE + n


def _id_column(column: str) -> bool:
    return column == "id" or column.endswith(("_id", "_ids", "_to"))


def _has_provisional(value) -> bool:
    if isinstance(value, str) and value.startswith("["):
        try:
            value = json.loads(value)
        except ValueError:
            return False
    return isinstance(value, list) and any(is_provisional(v) for v in value)


# A table's rows as the writer inserts them: the columns (schema order, those some row
# has) and one list of values per row.
Packed = dict[str, tuple[tuple[str, ...], list[list]]]


def pack_rows(rows: dict[str, list[dict]]) -> Packed:
    """In the worker: each table's rows ready for the writer, so that the main process
    (the one serial part of a parallel batch) only shifts ids and inserts. Structured
    values become JSON, except in id columns, where lists of ids stay lists for
    `remap_packed`. Refused here, as the writer would: a column the schema lacks, a
    provisional id in an id column REFERENCES does not list."""
    dumps, structured = json.dumps, (list, dict)
    packed: Packed = {}
    for table, table_rows in rows.items():
        if not table_rows:
            continue
        schema, refs = TABLES[table], REFERENCES.get(table, {})
        present = set().union(*table_rows)
        unknown = present - schema.keys()
        if unknown:
            raise KeyError(f"{table}: unknown column {sorted(unknown)[0]!r} (add it to schemas/tables.py)")
        columns = tuple(c for c in schema if c in present)
        for column in columns:
            if column not in refs and _id_column(column) and any(
                    is_provisional(v) or _has_provisional(v)
                    for v in (row.get(column) for row in table_rows)):
                raise ValueError(f"{table}.{column} holds a provisional id: "
                                 "list the column in schemas.tables.REFERENCES")
        as_json = tuple(c not in refs for c in columns)
        packed[table] = (columns, [
            [dumps(v, ensure_ascii=False) if j and isinstance(v, structured) else v
             for v, j in zip(map(row.get, columns), as_json)] for row in table_rows])
    return packed


def remap_packed(packed: Packed, first: dict[str, int]) -> None:
    """In place: each provisional id of table T becomes first[T] + (its rank - 1), in the
    columns REFERENCES lists (only those are visited); lists of ids are written as JSON.
    A provisional id of a table `first` lacks raises, rather than storing a row that
    points nowhere."""

    def real(value, target):
        if not is_provisional(value):
            return value
        if target not in first:
            raise ValueError(f"provisional id {value - BASE} of {target} has no real id")
        return first[target] + value - BASE - 1

    for table, (columns, values) in packed.items():
        refs = REFERENCES.get(table, {})
        for i, column in enumerate(columns):
            target = refs.get(column)
            if target is None:
                continue
            for row in values:
                value = row[i]
                if value is None:
                    continue
                if isinstance(value, list):
                    row[i] = json.dumps([real(v, target) for v in value])
                elif isinstance(value, str) and value.startswith("["):
                    row[i] = json.dumps([real(v, target) for v in json.loads(value)])
                else:
                    row[i] = real(value, target)
