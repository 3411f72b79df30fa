"""Administrative-unit gazetteer from the official list shipped with underthesea.

`underthesea/address/data/mapping.json` lists every commune-level unit (xã, phường, thị
trấn) of the 63 provinces before 01/07/2025 with its district and province, and the unit
it became after the 2025 reorganisation (34 provinces, no district level). From it we
build four indexes keyed by the folded name (no diacritics, no spaces, lower case), so
that "Toà Tinh" finds "Tỏa Tình" and "Tênh Phong" finds "Tênh Phông":

- provinces (old, 63): successor = the new province;
- districts (old): successor = the new province (the district level was abolished);
- communes (old): successor = the new commune and province (the default one when the
  commune was divided);
- communes (new, after 01/07/2025): successor = None (they are current).

`unit_code` is the path of the official keys: "tinhdienbien" (province; the numeric
province code is in `Unit.number`), "tinhdienbien/huyentuangiao",
"tinhdienbien/huyentuangiao/xaquaito" (old units), "new:tinhdienbien/xaquaito" (new
communes). Ambiguous names (the same commune name in many provinces) are resolved by
`resolve()` against a `PlaceContext` (the provinces and districts the document names).
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

from pipeline.text.normalize import fold, normalize


def _package_dir(name: str) -> Path:
    """Where a package is installed, without importing it (underthesea's import, which
    loads its models' libraries, took ~0.5 s of every batch's start)."""
    return Path(find_spec(name).origin).parent


MAPPING = _package_dir("underthesea") / "address" / "data" / "mapping.json"
# The official list of units after 01/07/2025 (34 provinces, 3 321 communes, GSO codes),
# shipped offline by the vietnam-provinces package (pinned): it fills the names
# underthesea's mapping leaves empty and gives each new unit its official code.
NEW_UNITS = _package_dir("vietnam_provinces") / "data" / "nested-divisions.json"

# Level words as written in documents -> kind of unit they can name.
WARD_LEVELS = ("xã", "phường", "thị trấn", "đặc khu")
DISTRICT_LEVELS = ("huyện", "quận", "thị xã", "thành phố")
PROVINCE_LEVELS = ("tỉnh", "thành phố")
LEVEL_RE = re.compile(r"^(thị trấn|thị xã|thành phố|đặc khu|xã|phường|huyện|quận|tỉnh)\s+(.*)$",
                      re.IGNORECASE)


# Names documents still use for provinces the list records under a later name.
PROVINCE_ALIASES = {"Thừa Thiên Huế": "thanhphohue", "Thừa Thiên - Huế": "thanhphohue",
                    "HCM": "thanhphohochiminh"}  # "TP HCM", "Tp. HCM"


def name_key(name: str) -> str:
    """Folded lookup key of a bare name: 'Quài Tở' -> 'quaito'."""
    return re.sub(r"[^a-z0-9]", "", fold(name))


def split_level(full: str) -> tuple[str, str]:
    """'Xã Quài Tở' -> ('xã', 'Quài Tở'); names without a level word -> ('', name)."""
    m = LEVEL_RE.match(full.strip())
    if not m:
        return "", full.strip()
    return m.group(1).lower(), m.group(2).strip()


@dataclass(frozen=True)
class Unit:
    kind: str  # province | district | ward | new_ward
    level: str  # xã, phường, thị trấn, huyện, quận, thị xã, thành phố, tỉnh
    name: str  # canonical, e.g. "Xã Quài Tở"
    short: str  # "Quài Tở"
    code: str  # key path, see module doc
    province: str  # old province key (new province key for new_ward)
    district: str | None = None  # old district key
    successor: str | None = None
    number: str | None = None  # official numeric code when the list has one (provinces)

    @property
    def exact(self) -> str:
        return self.short.lower()


@dataclass(eq=False)  # hashable by identity (candidates are cached)
class Gazetteer:
    provinces: dict[str, list[Unit]] = field(default_factory=dict)
    districts: dict[str, list[Unit]] = field(default_factory=dict)
    wards: dict[str, list[Unit]] = field(default_factory=dict)
    new_wards: dict[str, list[Unit]] = field(default_factory=dict)
    province_by_key: dict[str, Unit] = field(default_factory=dict)
    district_by_key: dict[tuple[str, str], Unit] = field(default_factory=dict)

    def candidates(self, level: str, name: str) -> list[Unit]:
        return list(self._candidates(level.lower(), name))

    @lru_cache(maxsize=200_000)  # noqa: B019  one gazetteer per process
    def _candidates(self, level: str, name: str) -> tuple[Unit, ...]:
        """Units a level word + name can denote ('' any unit, '*' any commune, '+' any
        district, '^' any province or district)."""
        k = name_key(name)
        level = level.lower()
        out: list[Unit] = []
        if level in ("tỉnh", "", "^"):
            # "tỉnh Thừa Thiên Huế" is listed as "Thành phố Huế": either word names a province.
            out += list(self.provinces.get(k, ()))
        elif level == "thành phố":
            # Only the centrally governed cities are provinces named "thành phố": "thành phố
            # Bắc Giang" is the provincial city, never the province Bắc Giang.
            out += [u for u in self.provinces.get(k, ()) if u.level == "thành phố"]
        if level in ("huyện", "quận", "thị xã"):
            # Districts change level (huyện → thị xã → thành phố): "huyện Phong Điền" of a
            # 2018 text may be the list's "Thị xã Phong Điền". Another level counts only in
            # a province that has no unit of the level written ("huyện Long Mỹ" is not
            # "thị xã Long Mỹ" of the same province).
            units = self.districts.get(k, ())
            exact = {u.province for u in units if u.level == level}
            out += [u for u in units if u.level == level or u.province not in exact]
        elif level in DISTRICT_LEVELS or level in ("", "+", "^"):
            out += [u for u in self.districts.get(k, ()) if level in ("", "+", "^", u.level)]
        if level in WARD_LEVELS or level in ("", "*"):
            old = [u for u in self.wards.get(k, ()) if level in ("", "*", u.level)]
            new = [u for u in self.new_wards.get(k, ()) if level in ("", "*", u.level)]
            out += old + new
        # Same spelling (diacritics) first: "Tân Phong" over "Tân Phóng" when both exist.
        out = list(dict.fromkeys(out))
        exact = [u for u in out if u.exact == normalize(name).lower()]
        return tuple(exact or out)


def _short(full: str) -> str:
    return split_level(normalize(full))[1]


def _level(full: str) -> str:
    return split_level(normalize(full))[0]


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """Built once per version of the lists and of this code, then loaded from the disk
    cache (pipeline/cache.py): the build takes ~1 s of every batch's start."""
    from pipeline import cache
    from pipeline.text import normalize as normalize_module

    return cache.cached("gazetteer", _build_gazetteer,
                        [MAPPING, NEW_UNITS, Path(__file__), Path(normalize_module.__file__)],
                        check=lambda g: isinstance(g, Gazetteer))


def _build_gazetteer() -> Gazetteer:
    data = json.loads(MAPPING.read_text(encoding="utf-8"))
    g = Gazetteer()
    new_prov = data["province_names"]
    for alias, key in PROVINCE_ALIASES.items():
        g.provinces.setdefault(name_key(alias), [])
    for key, info in data["old_province_names"].items():
        succ_key = data["province_mapping"].get(key)
        succ = normalize(new_prov[succ_key]["name"]) if succ_key in new_prov else None
        unit = Unit("province", _level(info["name"]), normalize(info["name"]),
                    normalize(info["short"]), key, key, None, succ, info.get("code"))
        g.province_by_key[key] = unit
        g.provinces.setdefault(name_key(info["short"]), []).append(unit)
    for alias, key in PROVINCE_ALIASES.items():
        g.provinces[name_key(alias)].append(g.province_by_key[key])
    seen_new: set[tuple[str, str]] = set()
    by_ward: dict[tuple[str, str, str], list[dict]] = {}
    official = _official_new_units(new_prov)
    for rec in data["ward_mapping"]:
        if not rec["new_ward"]:  # a few records lost the new commune's name: the key keeps it
            pk, wk = rec["new_province_key"], rec["new_ward_key"]
            got = official.get((pk, _exact_key(wk))) or official.get((pk, name_key(wk)))
            rec = {**rec, "new_ward": got[0] if got else ""}
        pk, dk = rec["old_province_key"], rec["old_district_key"]
        if (pk, dk) not in g.district_by_key and rec["old_district"]:
            prov = g.province_by_key.get(pk)
            unit = Unit("district", _level(rec["old_district"]), _title(rec["old_district"]),
                        _short(rec["old_district"]), f"{pk}/{dk}", pk, dk,
                        prov.successor if prov else None)
            g.district_by_key[(pk, dk)] = unit
            g.districts.setdefault(name_key(unit.short), []).append(unit)
        if rec["old_ward"]:
            by_ward.setdefault((pk, dk, rec["old_ward_key"]), []).append(rec)
        nk = (rec["new_province_key"], rec["new_ward_key"])
        if rec["new_ward"] and nk not in seen_new:
            seen_new.add(nk)
            got = official.get((nk[0], _exact_key(rec["new_ward"]))) or official.get((nk[0], name_key(rec["new_ward"])))
            unit = Unit("new_ward", _level(rec["new_ward"]), _title(rec["new_ward"]),
                        _short(rec["new_ward"]), f"new:{nk[0]}/{nk[1]}", nk[0],
                        number=got[1] if got else None)
            g.new_wards.setdefault(name_key(unit.short), []).append(unit)
    for (pk, dk, wk), recs in by_ward.items():
        # A divided commune went to several new ones: the default first.
        recs.sort(key=lambda r: not r.get("is_default"))
        succ = "; ".join(dict.fromkeys(
            f"{_title(r['new_ward'])}, {normalize(r['new_province'])}" for r in recs))
        first = recs[0]
        unit = Unit("ward", _level(first["old_ward"]), _title(first["old_ward"]),
                    _short(first["old_ward"]), f"{pk}/{dk}/{wk}", pk, dk, succ)
        g.wards.setdefault(name_key(unit.short), []).append(unit)
    return g


def _official_new_units(new_prov: dict) -> dict[tuple[str, str], tuple[str, str]]:
    """(new province key, folded full name) -> (official name, GSO code) from the
    vietnam-provinces list; provinces matched to underthesea's keys by folded short name."""
    by_short = {name_key(split_level(normalize(v["name"]))[1]): k for k, v in new_prov.items()}
    out = {}
    for p in json.loads(NEW_UNITS.read_text(encoding="utf-8")):
        pk = by_short.get(name_key(split_level(normalize(p["name"]))[1]))
        if pk is None:
            continue
        for w in p.get("wards", ()):
            name = normalize(w["name"])
            out.setdefault((pk, name_key(name)), (name, f"{w['code']:05d}"))
            out[(pk, _exact_key(name))] = (name, f"{w['code']:05d}")  # "Văn Lăng" ≠ "Văn Lang"
    return out


def _exact_key(name: str) -> str:
    return "=" + re.sub(r"[\s\-–]", "", normalize(name).lower())


def _title(full: str) -> str:
    """'Thị Trấn Prao' -> 'Thị trấn Prao' (the list is not consistent)."""
    level, short = split_level(normalize(full))
    return f"{level[:1].upper()}{level[1:]} {short}" if level else short


# -- context ----------------------------------------------------------------------------
@dataclass
class PlaceContext:
    """Provinces and districts a document names (with counts), used to pick among
    same-named units."""

    provinces: Counter = field(default_factory=Counter)  # old province key -> mentions
    districts: Counter = field(default_factory=Counter)  # (prov key, district key) -> mentions

    def add(self, unit: Unit, weight: int = 1) -> None:
        if unit.kind == "province":
            self.provinces[unit.province] += weight
        elif unit.kind == "district":
            self.districts[(unit.province, unit.district)] += weight
            self.provinces[unit.province] += weight


def _new_province_of(unit: Unit) -> str | None:
    """Name of the post-2025 province a unit belongs to (or became part of)."""
    g = gazetteer()
    if unit.kind == "new_ward":
        info = _new_province_names().get(unit.province)
        return normalize(info["name"]) if info else None
    prov = g.province_by_key.get(unit.province)
    return prov.successor if prov else None


def score(unit: Unit, ctx: PlaceContext, near: PlaceContext) -> tuple[bool, bool, bool, bool]:
    """(district named next to the mention, province named next to it, district named in
    the document, province named in the document). A new commune only knows its new
    province, matched against the successors of the provinces the document names."""
    if unit.kind == "new_ward":
        g = gazetteer()
        new = _new_province_of(unit)
        hit = lambda c: any(g.province_by_key[k].successor == new  # noqa: E731
                            for k, n in c.provinces.items() if n > 0)
        return (False, hit(near), False, hit(ctx))
    d = (unit.province, unit.district)
    return (near.districts[d] > 0, near.provinces[unit.province] > 0,
            ctx.districts[d] > 0, ctx.provinces[unit.province] > 0)


@lru_cache(maxsize=1)
def _new_province_names() -> dict:
    return json.loads(MAPPING.read_text(encoding="utf-8"))["province_names"]


def resolve(level: str, name: str, ctx: PlaceContext | None = None,
            near: PlaceContext | None = None) -> tuple[Unit | None, list[Unit]]:
    """(unit, candidates): the unit the mention denotes, or None when the name is
    unknown or stays ambiguous after context."""
    cands = gazetteer().candidates(level, name)
    if len(cands) <= 1:
        return (cands[0] if cands else None), cands
    ctx, near = ctx or PlaceContext(), near or PlaceContext()
    scores = {u: score(u, ctx, near) for u in cands}
    top = max(scores.values())
    best = [u for u in cands if scores[u] == top]
    if len(best) == 1 and any(top):
        return best[0], cands
    # An old commune and the same-named new commune it became are one place: the old
    # unit carries its successor. Also the province "Thành phố X" vs the district "Thành
    # phố X" never share a name in practice, so no other collapse is attempted.
    old = [u for u in best if u.kind != "new_ward"]
    if len(old) == 1 and all(_same_place(old[0], u) for u in best if u is not old[0]):
        return old[0], cands
    return None, cands


def _same_place(old: Unit, new: Unit) -> bool:
    """Is `new` the post-2025 commune that `old` became (same name, same province)?"""
    # A divided commune lists all its successors: the same-named one may be any of them.
    return new.kind == "new_ward" and old.kind == "ward" and \
        f"{new.name}, {_new_province_of(new)}" in [p.strip() for p in (old.successor or "").split(";")]


def misspelt_province(name: str) -> Unit | None:
    """The one province whose name is one edit (a letter, a diacritic) away from `name`
    ("Kiêng Giang" → Kiên Giang), or None; same number of words, 6 letters at least."""
    written = normalize(name).lower()
    if len(written.replace(" ", "")) < 6:
        return None
    hits = {u.code: u for units in gazetteer().provinces.values() for u in units
            if len(u.short.split()) == len(written.split()) and _one_edit(u.short.lower(), written)}
    return next(iter(hits.values())) if len(hits) == 1 else None


def _one_edit(a: str, b: str) -> bool:
    """Are a and b exactly one substitution, insertion or deletion apart?"""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1:] == b[i + 1:]
    return a[i:] == b[i + 1:] if len(b) > len(a) else a[i + 1:] == b[i:]


def canonical_name(level: str, name: str) -> str:
    """Canonical display name when the gazetteer does not know the unit."""
    level = level.lower()
    short = normalize(name).strip()
    return f"{level[:1].upper()}{level[1:]} {short}" if level else short


# -- the document's own province --------------------------------------------------------
_LEVEL_NAME = re.compile(r"\b(tỉnh|thành phố|huyện|quận|thị xã|xã|phường|thị trấn|đặc khu)\s+"
                         r"((?:[^\W\d_][\w'’]*|\d{1,2})(?:\s+(?:[^\W\d_][\w'’]*|\d{1,2}|-|–)){0,5})",
                         re.IGNORECASE)


def new_province_of(unit: Unit) -> str | None:
    """Public name of the post-2025 province of `unit` ("Tỉnh Lâm Đồng")."""
    return _new_province_of(unit)


def _provinces_named(line: str) -> set[str]:
    """New provinces a line such as "ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG" or "HĐND HUYỆN TUẦN
    GIÁO" names through its level word (longest known name after it)."""
    out: set[str] = set()
    for m in _LEVEL_NAME.finditer(normalize(line)):
        level, words = m.group(1).lower(), m.group(2).split()
        for k in range(len(words), 0, -1):
            cands = [u for u in gazetteer().candidates(level, " ".join(words[:k]))
                     if u.kind in ("province", "district") or level in WARD_LEVELS]
            provs = {p for u in cands if (p := _new_province_of(u))}
            if provs:
                if len(provs) == 1:
                    out |= provs
                break
    return out


def home_provinces(issuer: str | None, place_line: str | None, header: str = "") -> set[str]:
    """The post-2025 province(s) a document belongs to: named by its issuer ("UBND tỉnh
    Lâm Đồng", "HĐND huyện Tuần Giáo"), else by its place line ("Lâm Đồng, ngày …") or
    its header lines. Empty for a national issuer (Chính phủ, a Bộ: its place line is
    the capital, not the scope) or when nothing names a province."""
    if issuer:
        got = _provinces_named(issuer)
        if got or not _LEVEL_NAME.search(normalize(issuer)):
            return got  # a national issuer names no province: no restriction
    if place_line:
        name = normalize(place_line).split(",")[0].strip()
        cands = [u for u in gazetteer().candidates("", name) if u.kind in ("province", "district")]
        provs = {p for u in cands if (p := _new_province_of(u))}
        if len(provs) == 1:
            return provs
    return _provinces_named(header) if header else set()
