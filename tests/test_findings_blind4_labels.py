"""The fourth blind label set (tests/data/findings_blind4) is well formed for the scorers and
holds out paragraphs: none of its entries locates a paragraph the first three sets label.

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
BLIND4 = DATA / "findings_blind4"
EARLIER = [DATA / "findings_blind", DATA / "findings_blind2", DATA / "findings_blind3"]
PLACE_LEVELS = {"tỉnh", "thành phố", "huyện", "quận", "thị xã", "thị trấn", "xã", "phường", "đặc khu"}


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _earlier_prefixes(name: str, key: str) -> dict[str, set[str]]:
    """file → the folded first words of every entry of the earlier sets (findings or places)."""
    out: dict[str, set[str]] = {}
    for folder in EARLIER:
        raw = _load(folder / name)
        for e in raw[key] + raw.get("not_places", []):
            p = scorer.prefix(e["where"])
            if len(p.split()) >= 3:  # a two-word prefix ("Tất cả") names no paragraph
                out.setdefault(e["file"], set()).add(p)
    return out


def _overlaps(mine: str, theirs: set[str]) -> bool:
    return any(mine.startswith(p) or p.startswith(mine) for p in theirs)


def test_the_scorers_know_the_fourth_set():
    assert scorer.LABELS4 == BLIND4 / "findings.yaml"
    assert place_scorer.LABELS4 == BLIND4 / "places.yaml"


def test_findings_labels_fit_the_scorer():
    scorer.check_labels(_load(BLIND4 / "findings.yaml")["findings"], min_findings=150)


def test_findings_hold_out_paragraphs_of_the_earlier_sets():
    earlier = _earlier_prefixes("findings.yaml", "findings")
    clashes = [(e["file"], e["where"]) for e in _load(BLIND4 / "findings.yaml")["findings"]
               if _overlaps(scorer.prefix(e["where"]), earlier.get(e["file"], set()))]
    assert clashes == []


def test_place_labels_are_complete_and_new():
    labels = _load(BLIND4 / "places.yaml")
    assert len(labels["places"]) >= 100
    for e in labels["places"]:
        assert e["level"] in PLACE_LEVELS, e
        assert e["surface"] and e["canonical"] and e["successor_2025"], e
        assert len(str(e["where"]).rsplit(": ", 1)[-1].split()) <= 8, e["where"]
    assert all(e["is_place"] is False and e["why"] for e in labels["not_places"])
    # No mention is one the earlier sets already label: same file, surface and paragraph.
    earlier = set()
    for folder in EARLIER:
        raw = _load(folder / "places.yaml")
        earlier |= {(e["file"], scorer._f(e["surface"]), scorer.prefix(e["where"])) for e in raw["places"]}
    assert [e["where"] for e in labels["places"]
            if (e["file"], scorer._f(e["surface"]), scorer.prefix(e["where"])) in earlier] == []


@pytest.mark.real
def test_every_labelled_document_exists():
    files = {e["file"] for e in _load(BLIND4 / "findings.yaml")["findings"]}
    labels = _load(BLIND4 / "places.yaml")
    files |= {e["file"] for e in labels["places"] + labels["not_places"]}
    assert [f for f in sorted(files) if not (SHARED_REAL / f).is_file()] == []
