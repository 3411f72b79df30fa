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
"""
from __future__ import annotations

import difflib
import re
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


def score(db, shared: Path) -> tuple[dict, list]:
    """({field: (right, total)}, [(file, field, want, got)…] misses) over labelled documents."""
    labels = [e for e in yaml.safe_load(LABELS.read_text(encoding="utf-8"))
              if not e.get("not_a_government_document")]
    by_path = {}
    for row in db.query("select * from documents"):
        by_path[str(Path(row["path"]).resolve())] = row
    totals = {f: [0, 0] for f in FIELDS}
    misses = []
    for e in labels:
        row = by_path.get(str((shared / e["file"]).resolve()))
        for f in FIELDS:
            got = row.get(f) if row else None
            ok = field_ok(f, e, got)
            totals[f][0] += ok
            totals[f][1] += 1
            if not ok:
                misses.append((e["file"], f, e.get(f) if f != "issuer" else e.get("issuer_printed"), got))
    return {f: tuple(v) for f, v in totals.items()}, misses
