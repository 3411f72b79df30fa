"""Exit codes of `baocao`: one meaning each, so a script can tell the outcomes apart.

    0  OK            results printed, or the command did its work
    1  NO_MATCH      the query ran and matched nothing (cited-by, cites, search, findings,
                     figures, audit, status)
    2  USAGE         bad arguments (argparse's own code), an ambiguous DOC (the candidates
                     are listed), an --output that would overwrite the database or an input
    3  NO_DATA       no database, or one that cannot be used (not ours, newer schema,
                     unreadable, read-only, disk full); no such document or check
    4  FILES_FAILED  ingest: some files failed (each recorded with its reason); the rest went in
    5  MISMATCH      audit --fail-on mismatch: a mismatch not reviewed as a false alarm
"""
OK = 0
NO_MATCH = 1
USAGE = 2
NO_DATA = 3
FILES_FAILED = 4
MISMATCH = 5


def found(rows) -> int:
    """OK when a query returned rows, NO_MATCH when it returned none."""
    return OK if rows else NO_MATCH
