"""Score document metadata against the blind hand labels (tests/data/metadata_blind).

Field rules (what counts as right), chosen before the first run:
- number_symbol: equal after removing spaces, case-folded; a blank "Số: /…" is null.
- issued_date: equal; a label with a blank day (date_partial) is right when we store null
  (we store full dates only) or the same partial date.
- issued_place: equal after folding diacritics and case.
- issuer: the printed issuer (or parent + issuer) equal after folding, ignoring line breaks.
- doc_type: equal after folding ("phiếu trình" = "tờ trình" is NOT merged).
- title: equal after folding, leading "V/v" and trailing punctuation removed, or a
  difflib ratio ≥ 0.9 (line-break hyphenation, quotes). A long title of a document in
  ../shared/corpus is labelled by its first eight words and its word count (so that the
  repository holds no passage of it): right when it starts so and its length is within 10 %.

A field a label lists under `handwritten` (the number, the day written into a scan's form
after signing) is not printed: `split()` counts every field "of all documents" and again
"of fields printed", leaving those out, so a miss on handwriting is neither hidden nor
taken for a misread print. Run alone: `python -m tests.eval.metadata DB [SHARED]`.
"""
from __future__ import annotations

import difflib
import re
import sys
from pathlib import Path

import yaml

from pipeline.text.normalize import fold, normalize

LABELS = Path(__file__).resolve().parents[1] / "data" / "metadata_blind" / "labels.yaml"
FIELDS = ["number_symbol", "issued_date", "issued_place", "issuer", "doc_type", "title"]


def _f(s) -> str:
    s = fold(normalize(str(s or ""))).lower()
    s = re.sub(r"^v\s*/\s*v\s*", "", s)
    return " ".join(re.sub(r"[\"“”'.,;:()]", " ", s).split())


def field_ok(field: str, want: dict, got) -> bool:
    label = want.get(field)
    if field == "number_symbol":
        norm = lambda v: re.sub(r"\s+", "", str(v)).upper() if v else None
        return norm(label) == norm(got)
    if field == "issued_date":
        if want.get("date_partial") or (label and len(str(label)) < 10):
            return got is None or got == label
        return (label or None) == (got or None)
    if field == "issuer":
        if not label and not want.get("issuer_printed"):
            return not got
        options = {_f(want.get("issuer_printed")), _f(label)}
        if want.get("issuer_parent"):
            options.add(_f(f"{want['issuer_parent']} {want.get('issuer_printed') or ''}"))
        return _f(got) in options
    if field == "title":
        if want.get("title_start"):
            # a long title is labelled by its first words and its length (not copied whole)
            start, n = _f(want["title_start"]), want["title_words"]
            return bool(got) and _f(got).startswith(start) and abs(len(str(got).split()) - n) <= max(1, n // 10)
        if not label:
            return not got
        a, b = _f(label), _f(got)
        return a == b or difflib.SequenceMatcher(None, a, b).ratio() >= 0.9
    if not label:
        return not got
    return _f(label) == _f(got)


def labels() -> list[dict]:
    return [e for e in yaml.safe_load(LABELS.read_text(encoding="utf-8"))
            if not e.get("not_a_government_document")]


def handwritten(label: dict, field: str) -> bool:
    """Is the field's value written by hand on the document (not in print)?"""
    return field in (label.get("handwritten") or [])


def score(db, shared: Path) -> tuple[dict, list]:
    """({field: (right, total)}, [(file, field, want, got)…] misses) over labelled documents."""
    labels_ = labels()
    by_path = {}
    for row in db.query("select * from documents"):
        by_path[str(Path(row["path"]).resolve())] = row
    totals = {f: [0, 0] for f in FIELDS}
    misses = []
    for e in labels_:
        row = by_path.get(str((shared / e["file"]).resolve()))
        for f in FIELDS:
            got = row.get(f) if row else None
            ok = field_ok(f, e, got)
            totals[f][0] += ok
            totals[f][1] += 1
            if not ok:
                misses.append((e["file"], f, e.get(f) if f != "issuer" else e.get("issuer_printed"), got))
    return {f: tuple(v) for f, v in totals.items()}, misses


def split(db, shared: Path) -> dict:
    """{field: {"all": (right, total), "printed": (right, total), "handwritten": (right, total)}}."""
    by_file = {e["file"]: e for e in labels()}
    totals, misses = score(db, shared)
    missed = {(f, field) for f, field, *_ in misses}
    out = {}
    for field, (right, n) in totals.items():
        hand = [f for f, e in by_file.items() if handwritten(e, field)]
        hand_right = sum((f, field) not in missed for f in hand)
        out[field] = {"all": (right, n), "printed": (right - hand_right, n - len(hand)),
                      "handwritten": (hand_right, len(hand))}
    return out


def main(argv: list[str]) -> None:
    """`python -m tests.eval.metadata DB [SHARED]`: both figures per field, then the misses."""
    import sqlite_utils
    db = sqlite_utils.Database(argv[0])
    shared = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[2].parent / "shared"
    by_file = {e["file"]: e for e in labels()}
    for field, parts in split(db, shared).items():
        print(f"{field:14}" + "  ".join(f"{k} {r}/{n} {r / n if n else 0:.3f}" for k, (r, n) in parts.items()))
    for f, field, want, got in score(db, shared)[1]:
        how = "handwritten" if handwritten(by_file[f], field) else "printed"
        print("miss:", f, field, how, want, got, sep="  ")


if __name__ == "__main__":
    main(sys.argv[1:])
