"""Score the audit against the blind hand labels (tests/data/audit_blind/*.yaml).

Matching rules, fixed before the first run: a labelled claim and a check are the same
relation when at least two distinct non-zero numbers of the claim (as the document writes
them, read either as Vietnamese "1.234,5" or as English "1,234.5") are among the check's
numbers (its figures, stated and computed values, and the numbers in its message and
basis). Claims with fewer than two distinct non-zero numbers cannot be matched and are
left out of the rates (counted as `unmatchable`). Two corrections made after the first run
(both runs are reported with the corrected matcher): a check whose stated value is
distinctive (four significant digits or more) matches a claim holding that value, and the
column numbers of a formula header are not figures.

- mismatch recall: labelled mismatches matched by a `mismatch` check;
- mismatch precision: `mismatch` checks matched to a labelled mismatch, over those matched
  to any label (a flag matched to a consistent/rounding claim or to a trap is a false
  alarm); flags matched to no label are listed for review, not counted either way;
- checked: consistent/rounding claims matched by any check (how much of the document's
  arithmetic the audit looks at).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

LABELS = Path(__file__).resolve().parents[1] / "data" / "audit_blind"
# second blind set (issue 9): held-out documents plus the first release's dev documents,
# told apart by each file's `set:` key ("held-out" when absent)
LABELS2 = Path(__file__).resolve().parents[1] / "data" / "audit_blind2"
_NUM = re.compile(r"[-−(]?\d[\d.,]*")


def _readings(token: str) -> set[float]:
    t = token.replace("−", "-").strip()
    neg = t.startswith(("-", "("))
    t = t.strip("-()").rstrip(".,")
    out = set()
    for thousands, decimal in ((".", ","), (",", ".")):
        s = t.replace(thousands, "").replace(decimal, ".")
        try:
            v = float(s)
        except ValueError:
            continue
        out.add(round(-v if neg else v, 6))
    return out


def numbers_in(text: str) -> set[float]:
    vals: set[float] = set()
    for m in _NUM.finditer(text or ""):
        vals |= _readings(m.group())
    return vals


def _claim_numbers(claim: dict) -> list[set[float]]:
    """One set of readings per distinct non-zero number of the claim."""
    groups = []
    for v in claim.get("values") or []:
        for m in _NUM.finditer(str(v)):
            r = {x for x in _readings(m.group()) if abs(x) > 1e-9}
            if r and r not in groups:
                groups.append(r)
    return groups


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def _check_numbers(db, check: dict) -> set[float]:
    vals = set()
    for k in ("stated", "computed"):
        if check.get(k) is not None:
            vals.add(round(float(check[k]), 6))
            vals.add(round(float(check[k]) * 100, 6))  # a share stated as 0,43 or 43 %
    ids = json.loads(check.get("figure_ids") or "[]") if str(check.get("figure_ids") or "").startswith("[") else []
    for fid in ids:
        for f in db.query("select value, surface, numerator, denominator from figures where id = ?", [fid]):
            for k in ("value", "numerator", "denominator"):
                if f[k] is not None:
                    vals.add(round(float(f[k]), 6))
            vals |= numbers_in(f["surface"])
    # (added after the first run) column numbers of a formula header, "(10)=(9/7)", are
    # labels, not figures
    strip = lambda t: re.sub(r"\(\s*\d{1,2}\s*\)|\(\s*\d{1,2}\s*[-+*/x:]\s*\d{1,2}\s*\)", " ", t or "")
    vals |= numbers_in(strip(check.get("message")))
    vals |= numbers_in(strip(check.get("basis")))
    return vals


def _distinctive(x: float) -> bool:
    digits = re.sub(r"\D", "", f"{abs(x):.6f}").strip("0")
    return len(digits) >= 4


def _matches(groups: list[set[float]], nums: set[float], stated: float | None = None) -> bool:
    hit = sum(1 for g in groups if any(_close(x, y) for x in g for y in nums))
    if len(groups) >= 2 and hit >= 2:
        return True
    # (added after the first run) a table-formula check carries only the cell it checks:
    # its stated value, when distinctive (≥ 4 significant digits), identifies the claim
    return stated is not None and _distinctive(stated) and any(
        _close(x, stated) for g in groups for x in g)


def score(db, shared: Path, labels: Path = LABELS, sets: tuple[str, ...] | None = None) -> dict:
    """Score the checks in `db` against the label folder `labels`; `sets` keeps only the
    files whose `set:` is listed (e.g. ("held-out",) leaves the dev documents out)."""
    docs = {}
    for row in db.query("select id, path from documents"):
        docs[str(Path(row["path"]).resolve())] = row["id"]
    out = {"mismatch_labels": 0, "mismatch_found": 0, "flags_true": 0, "flags_false": 0,
           "flags_unlabelled": [], "false_alarms": [], "missed": [], "checked": 0,
           "checkable": 0, "unmatchable": 0, "traps": 0, "traps_flagged": 0, "by_kind": {}}
    for spec_path in sorted(Path(labels).glob("*.yaml")):
        spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
        if sets is not None and spec.get("set", "held-out") not in sets:
            continue
        doc_id = docs.get(str((shared / spec["file"]).resolve()))
        checks = [dict(c) for c in db.query("select * from checks where document_id = ?", [doc_id])] \
            if doc_id else []
        nums = [(c, _check_numbers(db, c)) for c in checks]
        matched_flags = set()
        for claim in spec["claims"]:
            groups = _claim_numbers(claim)
            if len(groups) < 2:
                out["unmatchable"] += 1
                continue
            hits = [c for c, n in nums if _matches(groups, n, c.get("stated"))]
            flags = [c for c in hits if c["verdict"] == "mismatch"]
            kind = out["by_kind"].setdefault(claim["kind"], {"labels": 0, "mismatch": 0, "found": 0,
                                                             "false_alarms": 0, "checked": 0})
            kind["labels"] += 1
            if claim["verdict"] == "mismatch":
                out["mismatch_labels"] += 1
                kind["mismatch"] += 1
                if flags:
                    out["mismatch_found"] += 1
                    kind["found"] += 1
                else:
                    out["missed"].append((spec["file"], claim["id"], claim.get("relation")))
                for c in flags:
                    matched_flags.add(("true", c["id"]))
            else:
                if claim["verdict"] == "not_a_claim":
                    out["traps"] += 1
                    out["traps_flagged"] += bool(flags)
                else:
                    out["checkable"] += 1
                    out["checked"] += bool(hits)
                    kind["checked"] += bool(hits)
                for c in flags:
                    matched_flags.add(("false", c["id"]))
                    kind["false_alarms"] += 1
                    out["false_alarms"].append((spec["file"], claim["id"], c["kind"], c["message"]))
        true_ids = {i for t, i in matched_flags if t == "true"}
        false_ids = {i for t, i in matched_flags if t == "false"} - true_ids
        out["flags_true"] += len(true_ids)
        out["flags_false"] += len(false_ids)
        for c, _n in nums:
            if c["verdict"] == "mismatch" and c["id"] not in true_ids | false_ids:
                out["flags_unlabelled"].append((spec["file"], c["kind"], c["message"]))
    return out


def report(s: dict) -> str:
    p = s["flags_true"] / (s["flags_true"] + s["flags_false"]) if s["flags_true"] + s["flags_false"] else float("nan")
    r = s["mismatch_found"] / s["mismatch_labels"] if s["mismatch_labels"] else float("nan")
    lines = [f"mismatch precision {p:.3f} ({s['flags_true']} true / {s['flags_false']} false alarms matched to labels; "
             f"{len(s['flags_unlabelled'])} flags on unlabelled relations)",
             f"mismatch recall {r:.3f} ({s['mismatch_found']}/{s['mismatch_labels']})",
             f"traps flagged {s['traps_flagged']}/{s['traps']}; consistent/rounding claims checked "
             f"{s['checked']}/{s['checkable']}; unmatchable labels {s['unmatchable']}"]
    for k, v in sorted(s["by_kind"].items()):
        lines.append(f"  {k:18} labels {v['labels']:3}  mismatches {v['found']}/{v['mismatch']}  "
                     f"false alarms {v['false_alarms']}  checked {v['checked']}")
    return "\n".join(lines)
