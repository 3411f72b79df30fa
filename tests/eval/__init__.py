"""The blind label sets and their scorers (findings.py, places.py, metadata.py, audit.py,
scans.py), scored all at once by `python -m tests.eval DB` (__main__.py).

A set is a folder of tests/data found by its name, so a new set needs no code change:
`findings_blind*/findings.yaml` (findings) and `findings_blind*/places.yaml` (places),
`metadata_blind*/labels.yaml`, `scans_blind*/labels.yaml`, `audit_blind*/` (an audit folder
whose files declare several `set:` values, e.g. held-out and dev, is scored per value).
Whether a set is held out or was used to tune rules is read from tests/data/eval_sets.yaml;
a set not listed there is held out.

Scorers are imported when a measure runs: importing one scorer stays cheap.
"""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parents[1] / "data"
STATUS_FILE = "eval_sets.yaml"
MEASURES = ("findings", "places", "metadata", "audit", "scans")
# measure -> (folder pattern, label file in it; "" for the folder itself)
_LAYOUT = {
    "findings": ("findings_blind*", "findings.yaml"),
    "places": ("findings_blind*", "places.yaml"),
    "metadata": ("metadata_blind*", "labels.yaml"),
    "scans": ("scans_blind*", "labels.yaml"),
    "audit": ("audit_blind*", ""),
}


@dataclass(frozen=True)
class LabelSet:
    measure: str
    name: str            # folder name, "/part" added for a part of an audit folder
    path: Path           # the label file (the folder for the audit)
    status: str          # "held-out" | "tuned"
    part: str | None = None  # the audit files' `set:` value scored, None: every file


def _natural(name: str):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def statuses(data: Path = DATA) -> dict[str, str]:
    path = Path(data) / STATUS_FILE
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    return {str(k): str(v) for k, v in (raw or {}).items()}


def _audit_parts(folder: Path) -> list[str | None]:
    declared = sorted({(yaml.safe_load(p.read_text(encoding="utf-8")) or {}).get("set", "held-out")
                       for p in folder.glob("*.yaml")})
    return declared if len(declared) > 1 else [None]


def label_sets(measure: str, data: Path = DATA) -> list[LabelSet]:
    """Every set of `measure` under `data`, in natural order (blind, blind2, …, blind10). In
    the repository's tests/data, a scorer's LABELS* constant pointing elsewhere is a set too."""
    pattern, file = _LAYOUT[measure]
    status = statuses(data)
    paths = [p / file if file else p for p in Path(data).glob(pattern) if p.is_dir()]
    paths = [p for p in paths if p.exists()]
    if Path(data).resolve() == DATA:
        module = scorer(measure)
        for name in dir(module):
            value = getattr(module, name)
            if re.fullmatch(r"LABELS\d*", name) and isinstance(value, Path) and value.exists() \
                    and value.resolve() not in {p.resolve() for p in paths}:
                paths.append(value)
    out = []
    for p in paths:
        folder = p if not file else p.parent
        for part in (_audit_parts(folder) if measure == "audit" else [None]):
            name = folder.name + (f"/{part}" if part else "")
            out.append(LabelSet(measure, name, p, status.get(name, "held-out"), part))
    return sorted(out, key=lambda s: _natural(s.name))


def scorer(measure: str):
    return importlib.import_module(f"tests.eval.{measure}")
