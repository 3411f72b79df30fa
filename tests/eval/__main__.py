"""Score every blind label set on a stored database: the figures of the README's quality table.

    python -m tests.eval DB [--rerun] [--only findings,places,metadata,audit,scans] [--json]
                            [--shared DIR] [--labels DIR]

One row per (set, measure): right / n and their ratio, with the set's status (held-out or
tuned, tests/data/eval_sets.yaml). `--rerun` first runs the analysis stages again, with the
code of the working tree, on each document's stored text, blocks, footnotes, pages and
tables, into a database in memory (the stored one is only read): a rule change is scored in
seconds, without re-extracting anything. The matching rules are the scorers' own.
"""
from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import sqlite3
import sys
from pathlib import Path

from tests.eval import DATA, MEASURES, LabelSet, label_sets, scorer

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
# the last stage each measure reads (stages run in their order up to it)
# metadata and scans need the citations: a scan's number may be identified by a citation
# elsewhere in the corpus (the cited_numbers finalizer)
LAST_STAGE = {"metadata": "citations", "scans": "citations", "audit": "audit",
              "places": "entities", "findings": "findings"}


def _row(measure: str, right: int, n: int) -> dict:
    return {"measure": measure, "right": right, "n": n, "value": round(right / n, 3) if n else None}


@contextlib.contextmanager
def _labels_file(module, path: Path):
    """metadata.py and scans.py read their one label file from `LABELS`: point it at the set."""
    before = module.LABELS
    module.LABELS = path
    try:
        yield
    finally:
        module.LABELS = before


def score_findings(db, shared: Path, s: LabelSet) -> list[dict]:
    r = scorer("findings").score(db, shared, labels=s.path)
    return [_row("findings.matched", r["found"], r["findings"]),
            _row("findings.category", r["category"], r["found"]),
            _row("findings.addressee", r["addressee"], r["found"]),
            _row("findings.non_findings_stored", r["non_findings_stored"], r["non_findings"])]


def score_places(db, shared: Path, s: LabelSet) -> list[dict]:
    r = scorer("places").score(db, shared, labels=s.path)
    return [_row("places.found", r["found"], r["places"]),
            _row("places.linked", r["linked"], r["places"]),
            _row("places.linked_of_found", r["linked"], r["found"]),
            _row("places.not_places_linked", r["not_places_linked"], r["not_places"])]


def score_metadata(db, shared: Path, s: LabelSet) -> list[dict]:
    module = scorer("metadata")
    with _labels_file(module, s.path):
        totals, misses = module.score(db, shared)
    rows = [_row(f"metadata.{f}", right, n) for f, (right, n) in totals.items()]
    # a miss with a value stored is a wrong fact; one with nothing stored is only missing
    wrong = sum(1 for _file, _field, _want, got in misses if got not in (None, ""))
    return rows + [_row("metadata.wrong_stored", wrong, sum(n for _r, n in totals.values()))]


def score_audit(db, shared: Path, s: LabelSet) -> list[dict]:
    r = scorer("audit").score(db, shared, labels=s.path, sets=(s.part,) if s.part else None)
    return [_row("audit.mismatch_precision", r["flags_true"], r["flags_true"] + r["flags_false"]),
            _row("audit.mismatch_recall", r["mismatch_found"], r["mismatch_labels"]),
            _row("audit.traps_flagged", r["traps_flagged"], r["traps"]),
            _row("audit.checked", r["checked"], r["checkable"]),
            # flags on relations no label holds: listed for review, neither right nor wrong
            {"measure": "audit.unlabelled_flags", "right": len(r["flags_unlabelled"]), "n": None, "value": None}]


def score_scans(db, shared: Path, s: LabelSet) -> list[dict]:
    module = scorer("scans")
    with _labels_file(module, s.path):
        totals, _misses = module.score(db, shared)
    order = {"typed": 0, "handwritten": 1, "wrong stored": 2}
    return [_row(f"scans.{f}.{how.replace(' ', '_')}", right, n)
            for (f, how), (right, n) in sorted(totals.items(), key=lambda kv: (order[kv[0][1]], kv[0][0]))]


SCORE = {"findings": score_findings, "places": score_places, "metadata": score_metadata,
         "audit": score_audit, "scans": score_scans}


def score_all(db, shared: Path = SHARED, only=MEASURES, data: Path = DATA) -> list[dict]:
    """Rows {set, status, measure, right, n, value} for every set of every measure in `only`."""
    rows = []
    for measure in only:
        for s in label_sets(measure, data):
            rows += [{"set": s.name, "status": s.status, **r} for r in SCORE[measure](db, shared, s)]
    return rows


def open_read_only(path: Path):
    import sqlite_utils
    return sqlite_utils.Database(sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True))


def rerun(stored, only=MEASURES):
    """A database in memory holding the stored documents and what the analysis stages, run
    again with the current code on their stored text, make of them (stages up to the last one
    `only` needs; the audit's cross-document finalizer when the audit is scored, the one that
    identifies scans' numbers by citations when metadata is)."""
    import sqlite_utils

    from pipeline.analysis.stages import STAGES
    from pipeline.ingest import analyse, metadata
    from pipeline.store.db import ensure_schema, insert_rows
    from schemas.tables import TABLES

    position = lambda m: next(i for i, s in enumerate(STAGES) if f".{LAST_STAGE[m]}:" in s)
    until = LAST_STAGE[max(only, key=position)]
    mem = sqlite_utils.Database(sqlite3.connect(":memory:", isolation_level=None))  # as open_db: explicit transactions
    ensure_schema(mem)
    # ids above the stored ones: the copied blocks, footnotes, pages and tables keep theirs
    counters = {t: itertools.count((stored.execute(f"select max(id) from [{t}]").fetchone()[0] or 0) + 1)
                if "id" in TABLES[t] and stored[t].exists() else itertools.count(1) for t in TABLES}
    new_id = lambda table: next(counters[table])
    given = ("blocks", "footnotes", "pages", "tables")
    for doc in stored.query("select * from documents"):
        doc = {k: v for k, v in doc.items() if k in TABLES["documents"]}
        # the current schema's columns only: the database may come from an older release
        rows = {t: [{k: v for k, v in r.items() if k in TABLES[t]}
                    for r in stored.query(f"select * from [{t}] where document_id = ?", [doc["id"]])]
                for t in given}
        if doc.get("text"):
            # the ingest's own per-document analysis; every metadata column replaced, so a
            # value the current code no longer finds is not kept from the stored run
            ctx = analyse(doc["id"], doc, *(rows[t] for t in given), new_id, seconds={}, until=until)
            doc.update(metadata(ctx))
            for table, extra in ctx.rows.items():
                rows.setdefault(table, []).extend(extra)
        insert_rows(mem, "documents", [doc])
        for table, table_rows in rows.items():
            insert_rows(mem, table, table_rows)
    if "audit" in only:
        from pipeline.analysis.audit import finalize
        finalize(mem)
    if {"metadata", "scans"} & set(only):
        from pipeline.analysis import cited_numbers
        cited_numbers.finalize(mem)
    return mem


def table(rows: list[dict]) -> str:
    head = ("set", "status", "measure", "value", "right", "n")
    cells = [[r["set"], r["status"], r["measure"], "—" if r["value"] is None else f"{r['value']:.3f}",
              str(r["right"]), "" if r["n"] is None else str(r["n"])] for r in rows]
    widths = [max(len(c) for c in col) for col in zip(head, *cells)]
    line = lambda cs: "  ".join(c.ljust(w) if i < 3 else c.rjust(w) for i, (c, w) in enumerate(zip(cs, widths)))
    return "\n".join([line(head), line(["-" * w for w in widths]), *map(line, cells)])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.eval", description=__doc__.split("\n\n")[0])
    ap.add_argument("db", type=Path, help="a database written by `baocao ingest`")
    ap.add_argument("--rerun", action="store_true",
                    help="run the analysis stages again on the stored text (current code) before scoring")
    ap.add_argument("--only", default=",".join(MEASURES),
                    help=f"comma-separated measures (default: all of {','.join(MEASURES)})")
    ap.add_argument("--json", action="store_true", help="one JSON list of rows")
    ap.add_argument("--shared", type=Path, default=SHARED, help="the real documents' folder (../shared)")
    ap.add_argument("--labels", type=Path, default=DATA, help="the folder holding the label sets (tests/data)")
    args = ap.parse_args(argv)
    only = [m.strip() for m in args.only.split(",") if m.strip()]
    if not only or set(only) - set(MEASURES):
        ap.error(f"--only: choose among {','.join(MEASURES)}")
    if not args.db.is_file():
        print(f"no database: {args.db}", file=sys.stderr)
        return 3
    db = open_read_only(args.db)
    if args.rerun:
        db = rerun(db, only)
    rows = score_all(db, args.shared, only, args.labels)
    print(json.dumps(rows, ensure_ascii=False, indent=1) if args.json else table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
