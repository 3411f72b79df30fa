"""`baocao review`: an auditor's verdict on a check, kept across re-ingest.

    baocao review CHECK --verdict confirmed|false-alarm [--note TEXT]
    baocao review CHECK --clear
    baocao review --list [--format table|csv|json]

Check ids change when a document is re-ingested; a review is keyed on what does not:
the document's sha256, the check kind and the check's span in the document text. The
`reviews` table is not a document table, so re-ingest and schema rebuilds keep it, and
every view of `baocao audit` shows the review next to its check.
"""
from __future__ import annotations

import sys
from datetime import datetime, timezone


from pipeline.commands import exitcodes
from pipeline.cli import add_db_option
from pipeline.commands.output import FORMATS, emit

VERDICTS = ("confirmed", "false-alarm")
REVIEW_VI = {"confirmed": "đã xác nhận", "false-alarm": "báo nhầm"}


def register(sub) -> None:
    p = sub.add_parser("review", help="record an auditor's verdict on an audit check")
    p.add_argument("check", nargs="?", type=int, help="check id (as shown by `baocao audit`)")
    p.add_argument("--verdict", choices=VERDICTS)
    p.add_argument("--note", default=None, help="free text")
    p.add_argument("--clear", action="store_true", help="remove the review of this check")
    p.add_argument("--list", action="store_true", help="list every review")
    p.add_argument("--format", choices=FORMATS, default="table")
    add_db_option(p)
    p.set_defaults(func=cmd_review)


def review_key(check: dict, sha256: str) -> dict:
    return {"sha256": sha256, "kind": check["kind"], "span_start": check["start"],
            "span_end": check["end"]}


def reviews_by_key(db) -> dict[tuple, dict]:
    if not db["reviews"].exists():
        return {}
    return {(r["sha256"], r["kind"], r["span_start"], r["span_end"]): r
            for r in db.query("select * from reviews")}


def cmd_review(args) -> int:
    from pipeline.store.db import ensure_schema

    import sqlite_utils  # lazily: it imports pandas

    db = sqlite_utils.Database(args.db)
    try:
        ensure_schema(db)  # an older database gets its reviews table
        if args.list:
            rows = list(db.query(
                "select r.*, d.path as document from reviews r "
                "left join documents d on d.sha256 = r.sha256 order by r.reviewed_at"))
            emit(rows, args.format, ["document", "kind", "span_start", "span_end", "verdict", "note",
                                     "reviewed_at"], title="reviews")
            return 0
        if args.check is None or (args.verdict is None and not args.clear):
            print("baocao review: give a check id and --verdict (or --clear, or --list)", file=sys.stderr)
            return exitcodes.USAGE
        rows = list(db.query("select c.*, d.sha256 from checks c join documents d on d.id = c.document_id "
                             "where c.id = ?", [args.check]))
        if not rows:
            print(f"baocao review: no check {args.check}", file=sys.stderr)
            return exitcodes.NO_DATA
        chk = rows[0]
        key = review_key(chk, chk["sha256"])
        where = "sha256 = ? and kind = ? and span_start = ? and span_end = ?"
        db.execute(f"delete from reviews where {where}", list(key.values()))
        if not args.clear:
            row = dict(key, verdict=args.verdict, note=args.note,
                       reviewed_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
            db["reviews"].insert(row)
        db.conn.commit()
        what = "cleared" if args.clear else args.verdict
        print(f"check {args.check} ({chk['kind']}): {what}", file=sys.stderr)
        return 0
    finally:
        db.close()
