"""Address chains: "…, P.15, Q.11, TP.HCM", "…, TT Ngã Sáu, huyện Châu Thành, tỉnh Hậu Giang".

An address names its units from the smallest to the province, separated by commas. When
every link of such a chain nests in the gazetteer (the commune inside the district, the
district inside the province), the chain names its units whatever the document's own
province: a price list quotes firms from the whole country. A chain is read from its
province back to the left and stops at the first item that is no unit inside the one after
it (a street, a hamlet, an industrial park); it needs two units at least.

Items are written with a level word ("phường", "thị xã"), an abbreviated one ("P.", "Q.",
"H.", "X.", "TX.", "TP.", "TT", glued or not: "Q.8", "Tp.Biên Hòa"), or without one (the
name alone, a district first). An abbreviation counts only here, before a name or a
number that is a unit of that level under the next link: "TT" is also "Trung tâm",
"P." an initial. A chain that ends on a district without a readable province ("Xã Phước
Lộc, huyện Nhà Bè, TpTP HCM") counts when that district is the only one of its level and
name in the country.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.analysis import places
from pipeline.analysis.bare_places import _CAP, _common

_FULL = r"thị trấn|thị xã|thành phố|đặc khu|xã|phường|huyện|quận|tỉnh"
ABBREV = {"TP": "thành phố", "Tp": "thành phố", "TX": "thị xã", "Tx": "thị xã", "TT": "thị trấn",
          "P": "phường", "Q": "quận", "H": "huyện", "X": "xã"}
_NUMBERED = ("phường", "quận")  # "Phường 15", "Quận 8"
_ITEM = re.compile(
    r"(?P<hcm>T[Pp]\.?HCM)(?!\w)|"  # "TPHCM", "TP.HCM" in one word
    rf"(?:(?P<full>(?i:{_FULL}))\s+|(?P<abbr>TP|Tp|TX|Tx|TT)(?:\.\s*|\s+)|(?P<one>[PQHX])\.\s*)?"
    rf"(?P<name>HCM|\d{{1,2}}|{_CAP}(?: {_CAP}){{0,4}})")
# Separators between the items of a chain; a cell ("|"), a clause (";"), a line ends it.
_CELL = re.compile(r"[^|;\n()]+")


@dataclass
class Link:
    start: int
    end: int
    level: str  # level word as written, expanded ("" for a name alone)
    name: str
    unit: places.Unit


def _parse(seg: str, base: int, whole: bool) -> list[tuple[int, int, str, str]]:
    """(start, end, level, name) readings of the item `seg` holds: all of it when `whole`;
    else any prefix ("TP. HCM Xưởng sản xuất: …", "TP.HCM. Tel: …"), longest name first."""
    lead = len(seg) - len(seg.lstrip())
    m = _ITEM.match(seg, lead)
    if not m or whole and seg[m.end():].strip():
        return []
    if m.group("hcm"):
        return [(base + m.start(), base + m.end(), "thành phố", "HCM")]
    level = (m.group("full") or "").lower() or ABBREV.get(m.group("abbr") or m.group("one") or "", "")
    name = m.group("name")
    if name.isdigit() and level not in _NUMBERED:
        return []
    words = name.split(" ")
    start = base + m.start()
    if not whole and not level and not re.match(r"\s*(?:[.:]|$)", seg[m.end():]):
        return []  # a name alone closes the address: "…, Điện Biên đã …" is a list's end
    ends = [len(words)] if whole or not level else range(len(words), 0, -1)
    return [(start, base + m.start("name") + len(" ".join(words[:n])), level, " ".join(words[:n])) for n in ends]


def _province(level: str, name: str) -> places.Unit | None:
    if name == "HCM" or level in ("", "tỉnh", "thành phố"):
        units = [u for u in places.gazetteer().candidates("thành phố" if name == "HCM" else level or "tỉnh", name)
                 if u.kind == "province"]
        return units[0] if len(units) == 1 and (level or not _common(name)) else None
    return None


def _inside(level: str, name: str, parent: places.Unit, after_2025: bool | None) -> places.Unit | None:
    """The one unit of `level` named `name` inside `parent`, or None."""
    from pipeline.analysis.entities import _inside as inside

    if not level and _common(name):
        return None
    units = [u for u in places.gazetteer().candidates(level, name) if inside(u, parent)]
    districts = [u for u in units if u.kind == "district"]
    if districts:  # a name alone: the district first ("Thủ Đức, TPHCM")
        if len(districts) == 1 and not (after_2025 and any(u.kind == "new_ward" for u in units)):
            return districts[0]
        return None
    old = [u for u in units if u.kind == "ward"]
    new = [u for u in units if u.kind == "new_ward"]
    if len(units) == 1:
        return units[0]
    if len(old) == 1 and len(new) == 1 and places._same_place(old[0], new[0]):
        return new[0] if after_2025 else old[0]
    return None


def _unique_district(level: str, name: str) -> places.Unit | None:
    if level not in ("huyện", "quận", "thị xã", "thành phố"):
        return None
    units = [u for u in places.gazetteer().candidates(level, name) if u.kind == "district"]
    return units[0] if len(units) == 1 else None


def chains(text: str, after_2025: bool | None = None) -> list[Link]:
    """The links of every consistent address chain of `text`, in text order."""
    out: list[Link] = []
    for cell in _CELL.finditer(text):
        if "," not in cell.group():
            continue
        segs, pos = [], cell.start()
        for piece in cell.group().split(","):
            segs.append((pos, piece))
            pos += len(piece) + 1
        k = len(segs) - 1
        while k >= 1:
            got = _chain_at(segs, k, after_2025)
            if got:
                out += got
                k -= len(got)
            else:
                k -= 1
    return sorted(out, key=lambda link: link.start)


def _chain_at(segs, k: int, after_2025: bool | None) -> list[Link]:
    """The chain whose last unit is segment k (a province, or a district known alone)."""
    base, seg = segs[k]
    links = []
    for s, e, level, name in _parse(seg, base, whole=False):
        if unit := _province(level, name):
            links = [Link(s, e, level, name, unit)]
            break
    else:
        # No province: a district unique in the country, when no province follows it.
        after = _parse(segs[k + 1][1], segs[k + 1][0], whole=False) if k + 1 < len(segs) else []
        if any(level == "tỉnh" or _province(level, name) for _s, _e, level, name in after):
            return []
        for s, e, level, name in _parse(seg, base, whole=True):
            if unit := _unique_district(level, name):
                links = [Link(s, e, level, name, unit)]
    if not links:
        return []
    parent, j = links[0].unit, k - 1
    while j >= 0:
        got = _parse(segs[j][1], segs[j][0], whole=True)
        if not got:
            break
        s, e, level, name = got[0]
        unit = _inside(level, name, parent, after_2025)
        if unit is None:
            break
        links.insert(0, Link(s, e, level, name, unit))
        if unit.kind != "district":
            break  # a commune: what comes before it is a street or a hamlet
        parent, j = unit, j - 1
    # One unit is no chain; names alone ("Mường Ảng, Điện Biên") may be a list: the
    # address rule of bare_places reads those.
    return links if len(links) >= 2 and any(link.level for link in links) else []
