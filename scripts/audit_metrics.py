"""Mismatch precision/recall of the audit on the labelled dev claims (tests/data/claims_*.yaml),
and the number of mismatch flags per dev-corpus document (../shared/corpus, text formats).

    python scripts/audit_metrics.py
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.test_audit import _contains, _labelled_documents, _run  # noqa: E402


def main() -> None:
    tp = fp = found = labelled = 0
    for path, claims, _traps in _labelled_documents():
        checks = _run(path)
        bad = [c for c in claims if c["verdict"] == "mismatch"]
        flagged = [c for c in checks if c["verdict"] == "mismatch"]
        for chk in flagged:
            if any(b["kind"] == chk["kind"] and _contains(chk["numbers"], b["numbers"]) for b in bad):
                tp += 1
            else:
                fp += 1
                print(f"  false alarm {path.name}: {chk['kind']} {chk['message']}")
        for b in bad:
            labelled += 1
            if any(c["kind"] == b["kind"] and _contains(c["numbers"], b["numbers"]) for c in flagged):
                found += 1
            else:
                print(f"  missed {path.name}: {b}")
        print(f"{path.name}: {len(flagged)} mismatch flags, {len(bad)} labelled slips")
    print(f"mismatch precision {tp}/{tp + fp} = {tp / max(1, tp + fp):.3f}; "
          f"recall {found}/{labelled} = {found / max(1, labelled):.3f}")


if __name__ == "__main__":
    main()
