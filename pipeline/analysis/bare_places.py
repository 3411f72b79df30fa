"""Place names written without a level word, found where the context makes them places.

Each rule yields `entities.PlaceMention`s with `kind` (the gazetteer level to look the name
up at); `entities._resolve_bare` links them (highest level first, inside the document's own
province below the province level). A name that is also a common word or a person's name
(schemas/data/place_words.yaml `common_names`) is never taken from running text alone.

- place lines: "<Name>, ngày … tháng … năm …" (or "<Name>," alone, a template's place line)
  at the start of a paragraph or a table cell;
- routes and pairs joined by a dash: "tuyến Vị Thanh - Cần Thơ", "Vị Thanh-Cái Tắc": every
  piece a known unit, one at least a province or district;
- addresses: "…, Ba Đình, Hà Nội": a province last, each name before it a unit inside the
  next one (a street named after a person stops the chain);
- province names in running text ("Lâm Đồng phải …", "Sở TTTT Phú Thọ", "VLXD Đồng Tháp"),
  and district names of the document's own province closing an organisation's name
  ("Trường Cao đẳng Đà Lạt") or a supplier's item as its seat ("Công ty TNHH X, Bình Minh;").
"""
from __future__ import annotations

import re
from functools import lru_cache

import yaml

from pipeline.analysis import places
from pipeline.text.normalize import normalize
from schemas import DATA_DIR


@lru_cache(maxsize=1)
def words() -> dict:
    data = yaml.safe_load((DATA_DIR / "place_words.yaml").read_text(encoding="utf-8"))
    return {"common": {places.name_key(w) for w in data["common_names"]},
            "not_before": {w.lower() for w in data["not_before"]},
            "org_heads": {w.lower() for w in data["org_heads"]},
            "firm_heads": list(data["firm_heads"]),
            "seat_provinces": dict(data["seat_provinces"])}


def _common(name: str) -> bool:
    return places.name_key(name) in words()["common"]


def _known(kind: str, name: str) -> list:
    return places.gazetteer().candidates(kind, name)


def _upper_level(name: str) -> bool:
    """Does the name denote a province or a district somewhere?"""
    return bool(_known("^", name))


# -- place lines ------------------------------------------------------------------------
# A capitalised word: an upper-case Latin letter (with Vietnamese diacritics) first.
_UPPER = "A-Z" + "".join(c for c in map(chr, range(0xC0, 0x1EFA)) if c.isupper())
_CAP = rf"[{_UPPER}][^\W\d_]*"
_PLACE_LINE = re.compile(rf"(?m)(?:^|\|[ \t]*)[ \t*_]*(?:(?:TP|Tp|TX|Tx|TT)\.)?(?P<name>{_CAP}(?:[ ]{_CAP}){{0,3}}),"
                         r"[ \t]*(?:ngày\b|(?=\n|$))")


def place_lines(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, name, kind) of each "<Name>, ngày …" line."""
    out = []
    for m in _PLACE_LINE.finditer(text):
        name = m.group("name")
        if len(name.split()) < 2 and not _upper_level(name) or _common(name) or not _known("", name):
            continue
        out.append((m.start("name"), m.end("name"), name, ""))
    return out


# -- dash chains --------------------------------------------------------------------------
_PIECE = rf"(?:TP\.\s?HCM|TP\.?\s?{_CAP}(?:[ ]{_CAP}){{0,3}}|{_CAP}(?:[ ]{_CAP}){{0,3}})"
_CHAIN = re.compile(rf"(?<![\w.-]){_PIECE}(?:[ \t]?[-–][ \t]?{_PIECE})+(?![\w-])")
_PIECE_RE = re.compile(_PIECE)
HCM = re.compile(r"TP\.?\s?HCM")


def _piece_name(piece: str) -> tuple[str, str]:
    """('Hồ Chí Minh', 'thành phố') for 'TP. Hồ Chí Minh' / 'TP.HCM'; (piece, '') otherwise."""
    if HCM.fullmatch(piece):
        return "Hồ Chí Minh", "thành phố"
    m = re.match(r"TP\.?\s?(.+)", piece)
    if m and m.group(1)[:1].isupper():
        return m.group(1), "thành phố"
    return piece, ""


def dash_chains(text: str) -> list[tuple[int, int, str, str]]:
    out = []
    for m in _CHAIN.finditer(text):
        chain = m.group()
        if _known("", chain) or _known("^", re.sub(r"\s*[-–]\s*", " - ", chain)):
            continue  # one unit with a hyphenated name ("Bà Rịa - Vũng Tàu")
        pieces = [(p.start() + m.start(), p.end() + m.start(), p.group()) for p in _PIECE_RE.finditer(chain)]
        if len(pieces) < 2:
            continue
        # "Tuyến Vị Thanh-TP.HCM": a capitalised word before the first name is no part of it.
        s0, e0, p0 = pieces[0]
        while not _known("", _piece_name(p0)[0]) and " " in p0:
            cut = p0.index(" ") + 1
            s0, p0 = s0 + cut, p0[cut:]
        pieces[0] = (s0, e0, p0)
        named = [(s, e, *_piece_name(p)) for s, e, p in pieces]
        if any(not _known(kind, name) or _common(name) and not kind
               or len(name.split()) < 2 and not _upper_level(name) for _s, _e, name, kind in named):
            continue
        if not any(_upper_level(name) for _s, _e, name, _k in named):
            continue
        out += [(s, e, name, kind) for s, e, name, kind in named]
    return out


# -- addresses ------------------------------------------------------------------------------
_ADDRESS_END = re.compile(rf"(?P<name>{_CAP}(?:[ ]{_CAP}){{0,3}})(?=\s*(?:[;.,)\n]|$))")


def addresses(text: str) -> list[tuple[int, int, str, str, places.Unit]]:
    """(start, end, name, kind, parent) of the units of "…, <unit>, <province>" addresses;
    the province itself comes with parent None."""
    out = []
    for m in _ADDRESS_END.finditer(text):
        prov_name = m.group("name")
        provs = [u for u in _known("tỉnh", prov_name) if u.kind == "province"]
        if len(provs) != 1 or text[max(0, m.start() - 5):m.start()].rstrip()[-1:] != ",":
            continue
        parent, pos, found = provs[0], m.start(), []
        while True:
            base = max(0, pos - 120)  # a window before the name: no O(n²) slicing
            before = text[base:pos].rstrip()
            if not before.endswith(","):
                break
            prev = re.search(rf"(?:^|(?<=[\s,;:(]))({_CAP}(?:[ ]{_CAP}){{0,3}})$", before[:-1].rstrip())
            if not prev:
                break
            name = prev.group(1)
            inside = [u for u in _known("", name) if _inside(u, parent)]
            if not inside or _common(name):
                break
            s = base + len(before[:-1].rstrip()) - len(name)
            found.append((s, s + len(name), name, "", parent))
            district = [u for u in inside if u.kind == "district"]
            if len(district) != 1:
                break  # a commune: what comes before it is a street or a hamlet
            parent, pos = district[0], s
        if found:
            out += found + [(m.start(), m.end(), prov_name, "tỉnh", None)]
    return out


def _inside(u: places.Unit, parent: places.Unit) -> bool:
    from pipeline.analysis.entities import _inside as inside
    return inside(u, parent)


# -- province names in running text, district names closing an organisation's name -----------
_RUN = re.compile(rf"{_CAP}(?:[ ]{_CAP})*")
_ACRONYM = re.compile(r"[A-ZĐ&]{2,6}")  # "VLXD", "TNHH", "VNPT"; not "CÔNG", "TỈNH"


def standalone(text: str, home: set[str]) -> list[tuple[int, int, str, str]]:
    """Province names standing alone (not inside a longer capitalised run, unless that run is
    an organisation's name) and, closing an organisation's name, districts of the home
    province."""
    out = []
    nb = words()["not_before"]
    heads = words()["org_heads"]
    for m in _RUN.finditer(text):
        toks = m.group().split()
        if len(toks) < 2:
            continue
        before = text[max(0, m.start() - 120):m.start()].rstrip().split()  # a window: no O(n²)
        prev = before[-1].lower() if before else ""
        for n in (4, 3, 2):  # the name closes the run
            if len(toks) < n:
                continue
            name = " ".join(toks[-n:])
            if _common(name):
                continue
            head = toks[:-n]
            is_org = bool(head) and (head[0].lower() in heads or " ".join(head[:2]).lower() in heads) or \
                prev.isupper() and len(prev) > 1 or not head and _org_before(before)
            # "Công ty Xây lắp và VLXD Đồng Tháp": after an acronym a province closes the
            # name (a province only: a district may be a brand, "CP Nhựa Bình Minh").
            acronym = bool(head) and all(_ACRONYM.fullmatch(t) for t in head) and not name.isupper()
            if head and not is_org and not acronym or not head and prev in nb:
                continue
            start = m.end() - len(name)
            provs = [u for u in _known("tỉnh", name) if u.kind == "province"]
            if provs:
                out.append((start, m.end(), name, "tỉnh"))
                break
            if is_org and home and any(u.kind == "district" and places.new_province_of(u) in home
                                       for u in _known("+", name)):
                out.append((start, m.end(), name, "+"))
                break
    return out


def _org_before(before: list[str]) -> bool:
    """Do the (at most four) words before a name open an organisation's name with lower-case
    words inside ("Trường Cao đẳng", "Hiệp hội Nước mắm")? No punctuation between."""
    heads = words()["org_heads"]
    for n in range(1, min(4, len(before)) + 1):
        ws = before[-n:]
        if any(not w[:1].isalpha() or not w[-1:].isalpha() for w in ws):
            return False
        if ws[0][:1].isupper() and (ws[0].lower() in heads or " ".join(ws[:2]).lower() in heads):
            return True
    return False


# -- a firm's seat ------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _firm_seat() -> re.Pattern:
    heads = "|".join(map(re.escape, words()["firm_heads"]))
    return re.compile(rf"(?m)(?:^|(?<=[|;:]))[ \t]*(?:{heads})\b[^,;|\n]{{1,80}},[ \t]*"
                      rf"(?P<name>{_CAP}(?:[ ]{_CAP}){{0,3}})(?=[ \t]*(?:[;|.]|$))")


def firm_seats(text: str, home: set[str]) -> list[tuple[int, int, str, str]]:
    """"Công ty TNHH Tân Phước Thành, Bình Minh;": a district of the home province closing a
    supplier's item after its firm's name (a province there is read by `standalone`)."""
    if not home:
        return []
    out = []
    for m in _firm_seat().finditer(text):
        name = m.group("name")
        if _common(name):
            continue
        local = [u for u in _known("+", name) if u.kind == "district" and places.new_province_of(u) in home]
        if len(local) == 1:
            out.append((m.start("name"), m.end("name"), name, "+"))
    return out


@lru_cache(maxsize=1)
def _firm_item() -> re.Pattern:
    heads = "|".join(map(re.escape, words()["firm_heads"]))
    # One supplier: from its head word to the end of the cell, a ";", a full stop or the
    # next firm after a comma ("Công ty A, HCM, Công ty B, Long An").
    return re.compile(rf"(?m)(?<![\w.])(?:{heads})\b(?P<body>[^;|\n]{{1,120}}?)"
                      rf"(?=[ \t]*(?:[;|\n]|\.(?:[ \t]|$)|$|,[ \t]*(?:{heads})\b))")


def _seat_province(seg: str) -> places.Unit | None:
    """The province a whole seat names: its official name or a seat alias ("HCM", "Vũng Tàu");
    a doubled seat ("HCM HCM", a cell read twice) names it once."""
    half = seg.split()
    if len(half) % 2 == 0 and half[:len(half) // 2] == half[len(half) // 2:]:
        seg = " ".join(half[len(half) // 2:])
    name = words()["seat_provinces"].get(seg, seg)
    provs = [u for u in _known("tỉnh", name) if u.kind == "province"]
    return provs[0] if len(provs) == 1 else None


def _district_in(name: str, prov: places.Unit) -> bool:
    if _common(name) or len(name.split()) < 2:
        return False
    return len([u for u in _known("+", name) if u.kind == "district" and _inside(u, prov)]) == 1


def seat_chains(text: str) -> list[tuple]:
    """A supplier's seat after its firm's name, in any province: "Công ty CP X, HCM;",
    "Công ty CP Tôn Y, Vũng Tàu" (the province by a seat alias, a whole segment after a
    comma), and the districts of that province just before it: "Hoa Sen, Phú Mỹ, Vũng Tàu",
    "CO.,LTD Đức Hòa, Long An", "Công ty TNHH Z Tân Uyên Bình Dương" (a district closing the
    firm's name only after a capitalised word: "xi măng Hà Tiên, Kiên Giang" is a brand)."""
    out: list[tuple] = []
    for m in _firm_item().finditer(text):
        b0 = m.start("body")
        segs = [(b0 + x.start(), x.group()) for x in re.finditer(r"[^,\s](?:[^,]*[^,\s])?", m.group("body"))]
        if not segs:
            continue
        s_last, last = segs[-1]
        prov, rest = None, []
        if len(segs) >= 2 and (prov := _seat_province(last)):
            half = last.split()[len(last.split()) // 2:]  # "HCM HCM": the mention is one of them
            s_prov = s_last if _seat_province(" ".join(half)) is None else s_last + len(last) - len(" ".join(half))
            out.append((s_prov, s_last + len(last), prov.short, "tỉnh", None))
            rest = segs[:-1]
        else:  # an official name closing the firm's name: the province is `standalone`'s
            toks = list(re.finditer(r"\S+", last))
            for n in (4, 3, 2):
                name = " ".join(t.group() for t in toks[-n:])
                if len(toks) > n and name not in words()["seat_provinces"] and (prov := _seat_province(name)):
                    rest = [(s_last, last[:toks[-n - 1].end()])]
                    break
        if prov is None:
            continue
        for depth, (s, seg) in enumerate(reversed(rest)):
            if depth < 2 and _district_in(seg, prov) and (s, seg) != segs[0]:
                out.append((s, s + len(seg), seg, "+", prov))
                continue
            toks = seg.split()
            for n in (3, 2):
                name = " ".join(toks[-n:])
                if len(toks) > n and toks[-n - 1][:1].isupper() and seg.endswith(name) and _district_in(name, prov):
                    out.append((s + len(seg) - len(name), s + len(seg), name, "+", prov))
                    break
            break  # a name closing a longer segment ends the chain
    return out


# An abbreviated level written against the name ("TP.Cần Thơ", "TX.Bình Minh"); with a space
# after the dot the level rules of `entities` read it.
_GLUED_LEVELS = {"TP": "thành phố", "Tp": "thành phố", "TX": "thị xã", "Tx": "thị xã", "TT": "thị trấn"}
_GLUED_LEVEL = re.compile(r"(?:^|[^\w.])((TP|Tp|TX|Tx|TT)\.)$")


def mentions(text: str, taken: list, home: set[str]) -> list:
    """PlaceMentions of the rules above, outside the spans already found (`taken`)."""
    from pipeline.analysis.entities import PlaceMention

    covered = bytearray(len(text) + 1)  # characters already in a mention
    for m in taken:
        covered[m.start:m.end] = b"\x01" * (m.end - m.start)
    out: list = []

    def free(s, e):
        return not any(covered[s:e])

    routes = {(s, e) for s, e, _n, _k in dash_chains(text)}
    for s, e, name, kind, *parent in place_lines(text) + dash_chains(text) + addresses(text) + \
            standalone(text, home) + firm_seats(text, home) + seat_chains(text):
        if not free(s, e) or normalize(text[s:e]) != text[s:e]:
            continue
        if kind == "thành phố":  # "TP. Hồ Chí Minh" inside a chain: the level word is in the surface
            kind = "^"
        glued = _GLUED_LEVEL.search(text[max(0, s - 5):s])
        if glued and free(s - len(glued.group(1)), s):
            # "TP.Cần Thơ, ngày …": the abbreviated level glued to the name is part of the
            # mention, and says which unit of that name it is.
            s, kind = s - len(glued.group(1)), _GLUED_LEVELS[glued.group(2)]
        out.append(PlaceMention(s, e, "", name, kind=kind or "any", parent=parent[0] if parent else None,
                                route=(s, e) in routes))
        covered[s:e] = b"\x01" * (e - s)
    return out
