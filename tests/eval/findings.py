"""Score findings against blind hand labels: tests/data/findings_blind/findings.yaml by
default, or another file of the same format (`labels=`: LABELS2 = findings_blind2,
LABELS3 = findings_blind3, LABELS4 = findings_blind4).

Matching rules, fixed before the first run: a label's `where` ends with the first words
of the paragraph (after the last ": "); a finding matches when its folded text starts
with those words (folded, punctuation-insensitive). Category is compared as is
(the labels use the project's names); "recommendation" and "direction" are kept apart.
An addressee is right when one folded name contains the other; a null label wants null.
A non-finding label (is_finding: false) that matches a stored finding is an error.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from pipeline.text.normalize import fold, normalize

LABELS = Path(__file__).resolve().parents[1] / "data" / "findings_blind" / "findings.yaml"
LABELS2 = LABELS.parents[1] / "findings_blind2" / "findings.yaml"
LABELS3 = LABELS.parents[1] / "findings_blind3" / "findings.yaml"  # held-out paragraphs
LABELS4 = LABELS.parents[1] / "findings_blind4" / "findings.yaml"  # held-out paragraphs, fourth round


def _f(s) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", fold(normalize(str(s or ""))).lower()).split())


def prefix(where) -> str:
    """The folded first words a label's `where` gives ("II.2 ¶3: Tỷ lệ hồ sơ …" → "ty le ho so …")."""
    return _f(str(where).rsplit(": ", 1)[-1])


def check_labels(entries: list[dict], min_findings: int = 150) -> None:
    """Assert a findings label file fits this scorer: enough findings, prefixes of 2-8 words,
    a known category and an addressee key for a finding, a `why` for a trap; no two findings
    of a file with one prefix (they cannot be told apart), no trap whose words start a finding
    of its file (that finding would count as a stored trap)."""
    from pipeline.commands.findings import CATEGORIES

    assert sum(e["is_finding"] for e in entries) >= min_findings
    for e in entries:
        words = str(e["where"]).rsplit(": ", 1)[-1].split()
        assert 2 <= len(words) <= 8, e["where"]
        if e["is_finding"]:
            assert e["category"] in CATEGORIES and "addressee" in e, e["where"]
        else:
            assert e.get("why"), e["where"]
    by_file: dict[str, list[dict]] = {}
    for e in entries:
        by_file.setdefault(e["file"], []).append(e)
    for file, group in by_file.items():
        found = [prefix(e["where"]) for e in group if e["is_finding"]]
        assert len(found) == len(set(found)), file
        for trap in (e for e in group if not e["is_finding"]):
            assert not any(p.startswith(prefix(trap["where"])) for p in found), (file, trap["where"])


def score(db, shared: Path, labels: Path = LABELS) -> dict:
    labels = yaml.safe_load(Path(labels).read_text(encoding="utf-8"))["findings"]
    docs = {str(Path(r["path"]).resolve()): r["id"] for r in db.query("select id, path from documents")}
    cache: dict[int, list[dict]] = {}
    out = {"findings": 0, "found": 0, "category": 0, "addressee": 0, "non_findings": 0,
           "non_findings_stored": 0, "misses": [], "stored_traps": [], "confusion": {}, "unmatched": []}
    for e in labels:
        doc_id = docs.get(str((shared / "real" / e["file"]).resolve()))
        if doc_id is None:
            continue
        if doc_id not in cache:
            cache[doc_id] = [dict(r, ftext=_f(r["text"])) for r in db.query(
                "select text, category, addressee from findings where document_id = ?", [doc_id])]
        first = prefix(e["where"])
        if len(first.split()) < 2:
            continue
        hit = next((r for r in cache[doc_id] if r["ftext"].startswith(first)), None)
        if not e.get("is_finding", True):
            out["non_findings"] += 1
            out["non_findings_stored"] += hit is not None
            if hit is not None:
                out["stored_traps"].append((e["file"], e["where"][:50], e.get("why", "")[:60], hit["category"]))
            continue
        out["findings"] += 1
        if hit is None:
            out["unmatched"].append((e["file"], e["where"][:50]))
            continue
        out["found"] += 1
        out["category"] += hit["category"] == e.get("category")
        pair = (e.get("category"), hit["category"])
        out["confusion"][pair] = out["confusion"].get(pair, 0) + 1
        want, got = _f(e.get("addressee")), _f(hit["addressee"])
        ok = (not want and not got) or (want and got and (want in got or got in want))
        out["addressee"] += bool(ok)
        if hit["category"] != e.get("category") or not ok:
            out["misses"].append((e["file"], e["where"][:40], e.get("category"), hit["category"],
                                  e.get("addressee"), hit["addressee"]))
    return out


def report(s: dict) -> str:
    f = max(s["found"], 1)
    return (f"findings labelled {s['findings']}, matched {s['found']}; category {s['category']}/{s['found']} "
            f"= {s['category'] / f:.3f}; addressee {s['addressee']}/{s['found']} = {s['addressee'] / f:.3f}; "
            f"non-findings stored as findings {s['non_findings_stored']}/{s['non_findings']}")


def confusion_table(s: dict) -> str:
    """Category confusion matrix: rows = label, columns = stored category."""
    cats = sorted({c for pair in s["confusion"] for c in pair})
    lines = ["label \\ got".ljust(16) + "".join(c[:6].rjust(8) for c in cats)]
    for a in cats:
        lines.append(a.ljust(16) + "".join(str(s["confusion"].get((a, b), "")).rjust(8) for b in cats))
    return "\n".join(lines)
