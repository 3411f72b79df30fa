"""The later blind label sets (tests/data/findings_blind3, findings_blind4) are well formed
for the scorers and hold out paragraphs: none of a set's entries locates a paragraph an
earlier set labels (blind4 is checked against blind, blind2 and blind3).

No pipeline rule runs on the labelled documents here: the labels stay blind until the
findings and places rules are measured on them."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import SHARED_REAL
from tests.eval import findings as scorer
from tests.eval import places as place_scorer

DATA = Path(__file__).parent / "data"
# (the set, the scorers' attribute naming its label file, the sets labelled before it)
SETS = [
    ("findings_blind3", "LABELS3", ["findings_blind", "findings_blind2"]),
    ("findings_blind4", "LABELS4", ["findings_blind", "findings_blind2", "findings_blind3"]),
]


@pytest.fixture(params=SETS, ids=[s[0] for s in SETS])
def blind(request):
    """(the set's folder, the scorers' attribute for it, the earlier sets' folders)"""
    name, attribute, earlier = request.param
    return DATA / name, attribute, [DATA / e for e in earlier]


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _earlier_prefixes(earlier: list[Path], name: str, key: str) -> dict[str, set[str]]:
    """file → the folded first words of every entry of the earlier sets (findings or places)."""
    out: dict[str, set[str]] = {}
    for folder in earlier:
        raw = _load(folder / name)
        for e in raw[key] + raw.get("not_places", []):
            p = scorer.prefix(e["where"])
            if len(p.split()) >= 3:  # a two-word prefix ("Tất cả") names no paragraph
                out.setdefault(e["file"], set()).add(p)
    return out


def _overlaps(mine: str, theirs: set[str]) -> bool:
    return any(mine.startswith(p) or p.startswith(mine) for p in theirs)


def test_the_scorers_know_the_set(blind):
    folder, attribute, _earlier = blind
    assert getattr(scorer, attribute) == folder / "findings.yaml"
    assert getattr(place_scorer, attribute) == folder / "places.yaml"


def test_findings_labels_fit_the_scorer(blind):
    folder, _attribute, _earlier = blind
    scorer.check_labels(_load(folder / "findings.yaml")["findings"], min_findings=150)


def test_findings_hold_out_paragraphs_of_the_earlier_sets(blind):
    folder, _attribute, earlier_sets = blind
    earlier = _earlier_prefixes(earlier_sets, "findings.yaml", "findings")
    clashes = [(e["file"], e["where"]) for e in _load(folder / "findings.yaml")["findings"]
               if _overlaps(scorer.prefix(e["where"]), earlier.get(e["file"], set()))]
    assert clashes == []


def test_place_labels_are_complete_and_new(blind):
    folder, _attribute, earlier_sets = blind
    labels = _load(folder / "places.yaml")
    place_scorer.check_labels(labels)
    # No mention is one the earlier sets already label: same file, surface and paragraph.
    earlier = set()
    for other in earlier_sets:
        raw = _load(other / "places.yaml")
        earlier |= {(e["file"], scorer._f(e["surface"]), scorer.prefix(e["where"])) for e in raw["places"]}
    assert [e["where"] for e in labels["places"]
            if (e["file"], scorer._f(e["surface"]), scorer.prefix(e["where"])) in earlier] == []


@pytest.mark.real
def test_every_labelled_document_exists(blind):
    folder, _attribute, _earlier = blind
    files = {e["file"] for e in _load(folder / "findings.yaml")["findings"]}
    labels = _load(folder / "places.yaml")
    files |= {e["file"] for e in labels["places"] + labels["not_places"]}
    assert [f for f in sorted(files) if not (SHARED_REAL / f).is_file()] == []
