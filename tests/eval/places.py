"""Score place linking against the blind hand labels (tests/data/findings_blind/places.yaml;
`labels=` LABELS2 / LABELS3 / LABELS4 for the second, third and fourth sets).

A label (file, surface, where, canonical) is found when the document has an LOC entity of
the same folded surface inside the paragraph the `where` prefix opens (anywhere in the
document when that paragraph is not found: headers, place-date lines); it is linked right
when that entity is linked (`unit_code`) and its canonical names the same unit as the label's
(first component, folded:
"Thành phố Vị Thanh, tỉnh Hậu Giang" → "thanh pho vi thanh"; a parenthesised note in the label,
"(before 1/7/2025)", is not part of the name). A label "unknown (ambiguous …)" is right when
the mention stays unlinked (no `unit_code`). `not_places` entries that come out linked are errors.
An unlinked row still carries a display `canonical` ("Huyện Châu Thành"): being linked is
having a `unit_code`, never a non-empty canonical.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from pipeline.text.normalize import fold, normalize

LABELS = Path(__file__).resolve().parents[1] / "data" / "findings_blind" / "places.yaml"
LABELS2 = Path(__file__).resolve().parents[1] / "data" / "findings_blind2" / "places.yaml"
LABELS3 = Path(__file__).resolve().parents[1] / "data" / "findings_blind3" / "places.yaml"
LABELS4 = Path(__file__).resolve().parents[1] / "data" / "findings_blind4" / "places.yaml"


@lru_cache(maxsize=1 << 16)  # every label folds every paragraph of its document (_span)
def _f(s) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", fold(normalize(str(s or ""))).lower()).split())


def _span(text: str, where: str) -> tuple[int, int] | None:
    prefix = _f(re.sub(r"\s*\((?:\d+(?:st|nd|rd|th))\)\s*$", "", str(where).rsplit(": ", 1)[-1]))
    if len(prefix.split()) < 2:
        return None
    pos = 0
    for para in text.split("\n"):
        if _f(para.lstrip("-+•– *")).startswith(prefix) or prefix in _f(para)[:len(prefix) + 40]:
            return pos, pos + len(para)
        pos += len(para) + 1
    return None


PLACE_LEVELS = {"tỉnh", "thành phố", "huyện", "quận", "thị xã", "thị trấn", "xã", "phường", "đặc khu"}


def check_labels(raw: dict, min_places: int = 100) -> None:
    """Assert a places label file fits this scorer: enough mentions, each with a known level,
    its surface, unit and 2025 successor, located by at most 8 words; not-places say why."""
    assert len(raw["places"]) >= min_places
    for e in raw["places"]:
        assert e["level"] in PLACE_LEVELS, e
        assert e["surface"] and e["canonical"] and e["successor_2025"], e
        assert len(str(e["where"]).rsplit(": ", 1)[-1].split()) <= 8, e["where"]
    assert all(e["is_place"] is False and e["why"] for e in raw["not_places"])


def score(db, shared: Path, labels: Path = LABELS) -> dict:
    raw = yaml.safe_load(labels.read_text(encoding="utf-8"))
    docs = {str(Path(r["path"]).resolve()): r for r in db.query("select id, path, text from documents")}
    out = {"places": 0, "found": 0, "linked": 0, "not_places": 0, "not_places_linked": 0, "misses": []}
    cache: dict[int, list[dict]] = {}
    for e in raw["places"]:
        d = docs.get(str((shared / "real" / e["file"]).resolve()))
        if d is None or not d["text"]:
            continue
        if d["id"] not in cache:
            cache[d["id"]] = list(db.query("select surface, canonical, unit_code, start from entities "
                                           "where document_id = ? and label = 'LOC'", [d["id"]]))
        out["places"] += 1
        surface = _f(e["surface"])
        rows = [r for r in cache[d["id"]] if _f(r["surface"]) == surface]
        span = _span(d["text"], e["where"])
        inside = [r for r in rows if span and span[0] <= r["start"] < span[1]]
        rows = inside or rows
        label = re.sub(r"\s*\([^)]*\)", "", str(e["canonical"])).strip()  # "(before 1/7/2025)": a note
        if label.startswith("unknown"):  # an ambiguous name: right when it stays unlinked
            out["found"] += 1
            ok = not any(r["unit_code"] for r in rows)
            out["linked"] += ok
            if not ok:
                out["misses"].append((e["file"], e["surface"], e["canonical"], rows[0]["canonical"]))
            continue
        if not rows:
            out["misses"].append((e["file"], e["surface"], e["canonical"], None))
            continue
        out["found"] += 1
        want = _f(label.split(",")[0])
        ok = any(r["unit_code"] and _f(str(r["canonical"] or "").split(",")[0]) == want for r in rows)
        out["linked"] += ok
        if not ok:
            out["misses"].append((e["file"], e["surface"], e["canonical"], rows[0]["canonical"]))
    for e in raw.get("not_places", []):
        d = docs.get(str((shared / "real" / e["file"]).resolve()))
        if d is None or not d["text"]:
            continue
        out["not_places"] += 1
        rows = [r for r in db.query("select surface, unit_code from entities where document_id = ? and "
                                    "label = 'LOC'", [d["id"]]) if _f(r["surface"]) == _f(e["surface"])]
        out["not_places_linked"] += any(r["unit_code"] for r in rows)
    return out


def report(s: dict) -> str:
    return (f"places labelled {s['places']}, found {s['found']}; linked right {s['linked']}/{s['places']} = "
            f"{s['linked'] / max(s['places'], 1):.3f} (of found: {s['linked'] / max(s['found'], 1):.3f}); "
            f"not-places linked {s['not_places_linked']}/{s['not_places']}")
