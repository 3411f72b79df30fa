"""Organisations, places and people named in a document.

Rules first, as data (schemas/data/organisations.yaml, abbreviations.yaml): a spaCy
Matcher on a blank pipeline finds the trigger words (council heads "UBND", agency heads
"Phòng", level words "huyện", titles, honorifics); plain Python then extends each trigger
over the tokens that follow (a level, a capitalised name, a known department name) and
expands abbreviations into the canonical name. Places are looked up in the official
administrative-unit list (pipeline/analysis/places.py) and disambiguated with the provinces and
districts the document names. underthesea's NER is a fallback for people only, kept when
it passes a filter (family name, 2–4 capitalised syllables, no overlap with a rule hit).

We tokenize with `spacy.blank("xx")`: `spacy.blank("vi")` needs pyvi, and with pyvi off
it splits on whitespace only ("Giáo," stays one token), which breaks name boundaries.
"""
from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache

import yaml

from schemas import DATA_DIR
from pipeline.analysis import address_chains, bare_places, places
from pipeline.text.normalize import fold, normalize



# -- data ---------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def abbreviations() -> dict[str, dict]:
    """abbr -> entry (expansion, kind, ambiguous, example); also used by search."""
    entries = yaml.safe_load((DATA_DIR / "abbreviations.yaml").read_text(encoding="utf-8"))
    return {e["abbr"]: e for e in entries}


@lru_cache(maxsize=1)
def rules() -> dict:
    return yaml.safe_load((DATA_DIR / "organisations.yaml").read_text(encoding="utf-8"))


@lru_cache(maxsize=100_000)
def _key(words: str) -> str:
    """Comparison key for names: folded, '&' = 'và', dashes and spaces ignored."""
    s = fold(normalize(words)).replace("&", " va ")
    return re.sub(r"[^a-z0-9]", "", s)


def expand(text: str) -> str:
    """Expand unambiguous abbreviations inside a name and write '&' as 'và'."""
    ab = abbreviations()

    def sub(m):
        tok = m.group(0)
        e = ab.get(tok)
        if e and not e.get("ambiguous") and e["kind"] in ("org", "term"):
            return e["expansion"]
        if "&" in tok and len(tok) > 1:
            return " và ".join(sub_word(p) for p in tok.split("&"))
        return tok

    def sub_word(w):
        e = ab.get(w)
        return e["expansion"] if e and not e.get("ambiguous") else w

    out = re.sub(r"[\wĐđ&]+(?:-[\wĐđ&]+)*", sub, text)
    out = re.sub(r"\s*&\s*", " và ", out)
    return re.sub(r"\s+", " ", out).strip()


# -- spaCy --------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def nlp():
    import spacy
    nlp = spacy.blank("xx")
    nlp.max_length = 100_000_000  # tokenizer only: long reports are fine
    return nlp


@lru_cache(maxsize=1)
def matcher():
    """Trigger phrases from the rules, as two spaCy PhraseMatchers: words match in any
    case ("ỦY BAN NHÂN DÂN" in headers), phrases holding an abbreviation match as
    written ("UBND", "TT HĐND": "Tt" or "Ea Tu" must not match)."""
    from spacy.matcher import PhraseMatcher

    r = rules()
    by_lower = PhraseMatcher(nlp().vocab, attr="LOWER")
    by_orth = PhraseMatcher(nlp().vocab, attr="ORTH")

    def add(label, phrases):
        lower, orth = [], []
        for p in phrases:
            doc = nlp().make_doc(normalize(p))
            has_abbrev = any(t.text.isupper() and _is_abbrev(t.text) for t in doc)
            (orth if has_abbrev else lower).append(doc)
        if lower:
            by_lower.add(label, lower)
        if orth:
            by_orth.add(label, orth)

    for i, c in enumerate(r["councils"]):
        add(f"COUNCIL:{i}", c["surface"])
    for i, c in enumerate(r["standalone"]):
        add(f"STANDALONE:{i}", c["surface"])
    for i, c in enumerate(r["party_committees"]):
        add(f"PARTY:{i}", c["surface"] + [f"{p} {s}" for p in r["party_prefixes"]
                                           for s in c["surface"]])
    add("AGENCY", r["agency_heads"])
    add("HONORIFIC", r["people"]["honorifics"])
    add("TITLE", r["people"]["titles"])
    return lambda doc: by_lower(doc) + by_orth(doc)


def _is_abbrev(word: str) -> bool:
    """An upper-case token that is an abbreviation ("UBND", "TT", "BCĐ"), not an
    upper-cased word ("ỦY", "BAN"): it is in the abbreviation list (or part of one)."""
    ab = abbreviations()
    return word in ab or any(word in a.split("&") for a in ab)


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, str]:
    return {_key(n): n for n in rules()["department_names"]}


@lru_cache(maxsize=1)
def _lexicon_firsts() -> set[str]:
    """Key of the first word of each department name (to skip hopeless lookups)."""
    return {_key(expand(n.split()[0])) for n in rules()["department_names"]}


@lru_cache(maxsize=1)
def _surnames() -> set[str]:
    return {normalize(s) for s in rules()["people"]["surnames"]}


_BLANK_MARKERS = str.maketrans({c: " " for c in "⁰¹²³⁴⁵⁶⁷⁸⁹"})

LEVEL_WORDS = {"tỉnh", "thành phố", "huyện", "quận", "thị xã", "xã", "phường", "thị trấn",
               "đặc khu"}
WARD_LEVELS = {"xã", "phường", "thị trấn", "đặc khu"}
DISTRICT_WORDS = {"huyện", "quận", "thị xã"}  # "các thành phố" lists are too mixed
DISTRICT_LEVELS = DISTRICT_WORDS | {"thành phố"}  # "thành phố X": a province or a district


# -- token helpers ----------------------------------------------------------------------
@dataclass
class Toks:
    """The tokens of a text as plain lists (faster than going through spaCy objects)."""

    def __init__(self, doc, text: str):
        self.doc = doc
        self.text = text
        pairs = [(t.text, t.idx) for t in doc]  # one pass: spaCy builds a Token per access
        self.words = [w for w, _ in pairs]
        self.offsets = [i for _, i in pairs]
        self.n = len(self.words)
        self.matches: list = []
        self.bodies: dict = {}  # token index -> (end, canonical) of a council/standalone

    def __len__(self):
        return self.n

    def t(self, i) -> str:
        return self.words[i] if 0 <= i < self.n else ""

    def start(self, i) -> int:
        return self.offsets[i]

    def end(self, i) -> int:
        """End offset of the span [.., i), i.e. of token i-1."""
        return self.offsets[i - 1] + len(self.words[i - 1])

    def gap(self, i) -> str:
        """Text between token i-1 and token i (whitespace or nothing)."""
        if i <= 0 or i >= self.n:
            return ""
        return self.text[self.end(i):self.offsets[i]]


def _is_cap(word: str, upper_ok: bool = False) -> bool:
    if not word or not word[0].isupper():
        return False
    if word.isdigit():
        return False
    rest = word[1:].replace("'", "")
    return rest == "" or rest.islower() or (upper_ok and word.isupper()) or \
        bool(re.fullmatch(r"[a-zà-ỹđ]*'?[A-ZÀ-ỸĐ]?[a-zà-ỹđ]*", word[1:]))


def _name_run(tk: Toks, i: int, upper_ok: bool, max_len: int = 5, digits: bool = False) -> int:
    """End index of the capitalised-word run starting at i (i when none). Tokens must be
    separated by spaces only (a line break or punctuation ends the run)."""
    j = i
    while j < len(tk) and j - i < max_len:
        w = tk.t(j)
        if not (_is_cap(w, upper_ok) or (digits and w.isdigit() and j == i) or w == "HCM" and j == i):
            break
        if j > i and ("\n" in tk.gap(j) or tk.gap(j) == ""):
            break
        if w.upper() in ("UBND", "HĐND") or _key(w) in ("va",):
            break
        j += 1
    return j


def _level_at(tk: Toks, i: int) -> tuple[str, int] | None:
    """Level word at token i ('thị trấn' is two tokens): (level, end index)."""
    one = tk.t(i).lower()
    if tk.t(i) in ("TP", "Tp", "TX") and (tk.gap(i) != "" or not tk.t(i - 1)[-1:].isalnum()):
        # "TP. Điện Biên Phủ", "TP Hà Nội", "TX. Mường Lay"
        end = i + 2 if tk.t(i + 1) == "." else i + 1
        return ("thành phố" if tk.t(i) != "TX" else "thị xã"), end
    two = f"{one} {tk.t(i + 1).lower()}"
    if two in LEVEL_WORDS and tk.gap(i + 1) == " ":
        return two, i + 2
    if one in LEVEL_WORDS:
        return one, i + 1
    return None


# -- places -------------------------------------------------------------------------------
@dataclass
class PlaceMention:
    start: int
    end: int
    level: str  # level word as written ('' for list items: any commune level)
    name: str
    list_level: str = ""  # the level of the list an item belongs to
    plural: bool = False  # item of an explicit plural list ("các xã: …")
    kind: str = ""  # a bare name found by its context (pipeline/analysis/bare_places.py): gazetteer level
    parent: places.Unit | None = None  # the unit an address names after it ("Ba Đình, Hà Nội")
    route: bool = False  # a stop of a route ("tuyến Vị Thanh - Vũng Tàu"): may lie in another province
    unit: places.Unit | None = None
    cands: list = field(default_factory=list)


_LIST_SEPS = {",", ";", ":", "(", "*", "và", "-", "–"}


def _find_places(tk: Toks) -> list[PlaceMention]:
    out: list[PlaceMention] = []
    g = places.gazetteer()
    i = 0
    n = len(tk)
    while i < n:
        if _HCM.fullmatch(tk.t(i)):  # "TpHCM", "TP.HCM": one token
            out.append(PlaceMention(tk.start(i), tk.end(i + 1), "thành phố", "HCM"))
            i += 1
            continue
        named = _named_level(tk, i)
        if named:
            i = _named_mention(tk, i, named, out)
            continue
        lv = _level_at(tk, i)
        if not lv:
            i += 1
            continue
        level, j = lv
        upper = tk.t(i).isupper() and len(tk.t(i)) > 1
        plural = tk.t(i - 1).lower() in ("các", "những", "hai", "ba")
        run_end = _name_run(tk, j, upper, digits=level in ("phường", "quận"))
        if level in WARD_LEVELS and run_end > j:
            run_end = _name_suffix(tk, run_end, upper)
        mention = None
        if run_end > j and tk.gap(j) == " ":
            # Longest prefix of the run that the gazetteer knows for this level.
            for k in range(run_end, j, -1):
                name = tk.text[tk.start(j):tk.end(k)]
                if g.candidates(level, name):
                    mention = PlaceMention(tk.start(i), tk.end(k), level, name)
                    run_end = k
                    break
            else:
                near = _misspelt_province(tk, level, j, run_end)
                if near:
                    mention, run_end = near
                    out.append(mention)
                    i = run_end
                    continue
                name = tk.text[tk.start(j):tk.end(run_end)]
                # Unknown names: not in upper-case lines ("CỘNG HÒA XÃ HỘI …") and not
                # the common noun "xã hội".
                # Provinces are a closed list; a person's name after a level word
                # ("Chủ tịch UBND tỉnh Nguyễn Văn A") is not a place.
                if (run_end - j >= 2 or tk.t(j).isdigit()) and not plural and not upper \
                        and not (level == "xã" and tk.t(j).lower() == "hội") \
                        and level not in ("tỉnh",) and not (run_end - j >= 3 and plausible_person(name)):
                    mention = PlaceMention(tk.start(i), tk.end(run_end), level, name)
        if mention:
            out.append(mention)
            i = run_end
        else:
            i = j
        if level in WARD_LEVELS and (mention or plural) or plural and level in DISTRICT_WORDS \
                or plural and level == "tỉnh" or mention and level in DISTRICT_LEVELS:
            # "huyện A, B và C", "gồm: Thành phố Bắc Giang, Yên Dũng, …": the names that
            # follow a district-level unit are its siblings while the gazetteer knows them.
            i = _list_items(tk, i, level, out, plural)
    return out


def _misspelt_province(tk: Toks, level: str, j: int, run_end: int) -> tuple[PlaceMention, int] | None:
    """"tỉnh Kiêng Giang": after "tỉnh", a name one letter or one diacritic away from exactly
    one province is that province (the mention keeps the name as written in its surface)."""
    if level != "tỉnh":
        return None
    for k in range(run_end, j + 1, -1):  # two words at least
        unit = places.misspelt_province(tk.text[tk.start(j):tk.end(k)])
        if unit:
            return PlaceMention(tk.start(j - 1), tk.end(k), level, unit.short), k
    return None


# A level that is written only before a known name: the committee of a party unit (the place
# is the name alone: "Tỉnh ủy Quảng Trị", "HUYỆN ỦY ĐỒNG VĂN") and the one-letter
# abbreviations of addresses ("Q. Lê Chân", "H. Tuần Giáo", "P. Tân Thanh").
PARTY_LEVELS = {"tỉnh": "tỉnh", "thành": "thành phố", "huyện": "huyện", "quận": "quận", "thị": "thị xã"}
ABBREV_LEVELS = {"Q.": "quận", "H.": "huyện", "P.": "phường", "X.": "xã"}
_HCM = re.compile(r"T[Pp]\.?HCM")


def _named_level(tk: Toks, i: int) -> tuple[str, int, bool] | None:
    """(level, index of the name, whether the surface is the name alone) or None."""
    w = tk.t(i)
    if w.lower() in PARTY_LEVELS and tk.t(i + 1).lower() in ("ủy", "uỷ") and tk.gap(i + 1) == " " \
            and w[:1].isupper():
        return PARTY_LEVELS[w.lower()], i + 2, True
    if w in ABBREV_LEVELS and not (tk.gap(i) == " " and _is_cap(tk.t(i - 1))):  # not "Nguyễn Q. Anh"
        return ABBREV_LEVELS[w], i + 1, False
    return None


def _named_mention(tk: Toks, i: int, named: tuple[str, int, bool], out: list[PlaceMention]) -> int:
    """The mention after a named level when the gazetteer knows the name; the next index."""
    level, j, bare = named
    if tk.gap(j) != " ":
        return j
    upper = bare and tk.t(j).isupper() and len(tk.t(j)) > 1
    run_end = _name_run(tk, j, upper)
    for k in range(run_end, j, -1):
        name = tk.text[tk.start(j):tk.end(k)]
        if places.gazetteer().candidates(level, name):
            out.append(PlaceMention(tk.start(j) if bare else tk.start(i), tk.end(k), level, name))
            return k
    return j


def _list_items(tk: Toks, i: int, level: str, out: list[PlaceMention], plural: bool) -> int:
    """Names listed after a commune ("các xã: A, B, C", "xã A, B và C"): each a known
    commune name (any spelling), until something else comes. Only a plural list ("các
    xã, thị trấn: …") may skip further commune level words."""
    unknown_before = False
    while True:
        j = i
        skipped = 0
        while j < len(tk) and skipped < 5:
            lv = _level_at(tk, j)
            if lv and plural and _list_kind(lv[0]) == _list_kind(level):
                j = lv[1]
            elif not lv and tk.t(j).lower() in _LIST_SEPS:
                j += 1
            else:
                break
            skipped += 1
        if j == i or j >= len(tk):
            return i
        k = _name_run(tk, j, False, max_len=4)
        if k > j and level in WARD_LEVELS:
            k = _name_suffix(tk, k, False)
        found = _known_prefix(tk, j, k, _list_kind(level))
        if not found and level in DISTRICT_LEVELS and k > j and tk.t(k) == "," and not unknown_before \
                and out and level in (out[-1].list_level, out[-1].level) \
                and not _level_at(tk, j) and not _level_at(tk, k + 1):
            # One name the list does not know (a unit dissolved since, a misspelling) does not
            # end it when a known name follows: "Thành phố Bắc Giang, Yên Dũng, Lạng Giang".
            k2 = _name_run(tk, k + 1, False, max_len=4)
            if _known_prefix(tk, k + 1, k2, _list_kind(level)):
                unknown_before = True
                i = k
                continue
        if not found:
            return i
        unknown_before = False
        out.append(PlaceMention(tk.start(j), tk.end(found), "", tk.text[tk.start(j):tk.end(found)],
                                list_level=level, plural=plural))
        i = found


def _known_prefix(tk: Toks, j: int, k: int, kind: str) -> int | None:
    """End of the longest name in tokens [j, k) the gazetteer knows at `kind`."""
    for e in range(k, j, -1):
        if places.gazetteer().candidates(kind, tk.text[tk.start(j):tk.end(e)]):
            return e
    return None


def _name_suffix(tk: Toks, k: int, upper_ok: bool) -> int:
    """Post-2025 commune names carry a number or a hyphenated second name ("Bảo Lâm 1",
    "Lang Biang - Đà Lạt"): extend the run ending at k over them (the gazetteer then
    keeps the longest name it knows, so "Bảo Lâm 1" and "Bảo Lâm 2" stay apart)."""
    if k < len(tk) and tk.gap(k) == " " and re.fullmatch(r"\d{1,2}", tk.t(k)):
        return k + 1
    if k + 1 < len(tk) and tk.t(k) in ("-", "–") and tk.gap(k) == " " and tk.gap(k + 1) == " ":
        end = _name_run(tk, k + 1, upper_ok, max_len=3)
        if end > k + 1:
            return end
    return k


def _list_kind(level: str, plural: bool = False) -> str:
    """Gazetteer level for the items of a list opened by `level` ('*' communes, '^'
    provinces or districts: "huyện Tuần Giáo, Điện Biên" ends with its province; '+'
    districts only in a plural list: "các huyện Tuần Giáo, Điện Biên" names two districts)."""
    if level in WARD_LEVELS:
        return "*"
    return "tỉnh" if level == "tỉnh" else "+" if plural else "^"


def _at_home(m: PlaceMention, home: set[str]) -> None:
    """A commune or district links only to a unit of the document's own province (when
    the issuer, place line or header names one): a same-named unit elsewhere stays
    unlinked, its candidates listed."""
    if not home or not m.cands:
        return
    if m.unit is not None and m.unit.kind == "province":
        return  # a report may name any province
    local = [u for u in m.cands if places.new_province_of(u) in home]
    if m.unit is not None and m.unit in local:
        return
    old = [u for u in local if u.kind != "new_ward"]
    if len(local) == 1:
        m.unit = local[0]
    elif len(old) == 1 and all(u is old[0] or places._same_place(old[0], u) for u in local):
        m.unit = old[0]
    else:
        m.unit = None


def _resolve_places(mentions: list[PlaceMention], text: str, home: set[str] | None = None,
                    after_2025: bool | None = None) -> None:
    """Provinces and districts first (they give the context), then communes."""
    home = home or set()
    mentions = sorted(mentions, key=lambda o: o.start)
    starts = [o.start for o in mentions]
    ctx = places.PlaceContext()
    upper = [m for m in mentions if not m.kind and (
        m.level and m.level not in WARD_LEVELS or not m.level and m.list_level and m.list_level not in WARD_LEVELS)]
    for m in upper:
        m.unit, m.cands = places.resolve(m.level or _list_kind(m.list_level, m.plural), m.name)
        if not m.level and not m.plural:  # "các huyện A, B, Điện Biên": all districts
            _prefer_province(m)
        if m.unit:
            ctx.add(m.unit)
    for m in mentions:
        if m.kind:
            _resolve_bare(m, home, after_2025)
            if m.unit and m.unit.kind in ("province", "district"):
                ctx.add(m.unit)
    wide = _document_context(ctx)
    # Districts named with an ambiguous name ("huyện Châu Thành") are resolved once the
    # provinces are known: the province named next to it first ("huyện Chợ Mới, tỉnh Bắc Kạn").
    for m in upper:
        if m.unit is None and m.cands:
            near = _near(m, mentions, text, starts)
            m.unit, _ = places.resolve(m.level or _list_kind(m.list_level, m.plural), m.name, wide, near)
            if m.unit:
                ctx.add(m.unit)
    for m in upper:
        if (m.unit is None or m.unit.kind == "district") and not any(
                o.unit is not None and o.unit.kind == "province" and o.unit.province in {c.province for c in m.cands}
                and abs(o.start - m.end) < 60 and "\n" not in text[min(o.start, m.end):max(o.start, m.end)]
                for o in _around(m, mentions, starts, 60)):
            _at_home(m, home)  # "huyện Bảo Lâm" in a Lâm Đồng report, unless "tỉnh Cao Bằng" follows
    for m in mentions:
        if not m.kind and (m.level in WARD_LEVELS or not m.level and m.list_level in WARD_LEVELS):
            near = _near(m, mentions, text, starts)
            level = m.level or "*"
            m.unit, m.cands = places.resolve(level, m.name, wide, near)
            # "xã Quài Tở, tỉnh Điện Biên" in a Lâm Đồng report: the province named next to
            # the mention is stronger than the document's own.
            if not (m.unit and any(places.score(m.unit, places.PlaceContext(), near)[:2])):
                _at_home(m, home)
            # A listed name must belong to a province the document names (when it names one).
            if not m.level and not m.plural and ctx.provinces and m.unit is None and not any(
                    c.province in ctx.provinces for c in m.cands):
                m.cands = []
    _same_name_same_unit(mentions)


def _same_name_same_unit(mentions: list[PlaceMention]) -> None:
    """A name alone left ambiguous ("Tân Triều," on a place line) is the unit the document
    links under that name with a level word ("xã Tân Triều, huyện Thanh Trì, …"), when
    those mentions all agree."""
    named: dict[str, set] = {}
    for m in mentions:
        if m.level and not m.kind and m.unit is not None:
            named.setdefault(places.name_key(m.name), set()).add(m.unit)
    for m in mentions:
        if m.kind and m.unit is None and m.cands:
            units = named.get(places.name_key(m.name), set())
            if len(units) == 1 and (unit := next(iter(units))) in m.cands:
                m.unit = unit


def _with_chains(mentions: list[PlaceMention], text: str, after_2025: bool | None) -> list[PlaceMention]:
    """Address chains whose links all nest (pipeline/analysis/address_chains.py) name their
    units, also outside the document's own province; their links replace what the other
    rules read on the same characters ("Tp.Biên Hòa", "P.15")."""
    links = address_chains.chains(text, after_2025)
    if not links:
        return mentions
    taken = bytearray(len(text) + 1)
    for link in links:
        taken[link.start:link.end] = b"\x01" * (link.end - link.start)
    kept = [m for m in mentions if not any(taken[m.start:m.end])]
    kept += [PlaceMention(link.start, link.end, link.level, link.name, unit=link.unit, cands=[link.unit])
             for link in links]
    return sorted(kept, key=lambda m: m.start)


def _near(m: PlaceMention, mentions: list[PlaceMention], text: str, starts: list[int],
          reach: int = 80) -> places.PlaceContext:
    """Provinces and districts linked on the same line within `reach` characters, or on the
    line above in a header block ("ĐẢNG BỘ HUYỆN THANH CHƯƠNG / ĐẢNG ỦY XÃ THANH HÀ": the
    superior body is written above the issuer)."""
    near = places.PlaceContext()
    for o in _around(m, mentions, starts, max(reach, 150)):
        if o is m or not o.unit or o.unit.kind not in ("district", "province"):
            continue
        between = text[min(o.start, m.end):max(o.start, m.end)]
        if abs(o.start - m.end) < reach and "\n" not in between or \
                o.end <= m.start and _header_pair(text, o.start, m.start):
            near.add(o.unit)
    return near


def _around(m: PlaceMention, mentions: list[PlaceMention], starts: list[int], reach: int) -> list[PlaceMention]:
    """The mentions (sorted by start; `starts` their offsets) starting within `reach` of m."""
    return mentions[bisect.bisect_left(starts, m.start - reach):bisect.bisect_right(starts, m.end + reach)]


def _header_pair(text: str, a: int, b: int) -> bool:
    """Are offsets a and b on two consecutive short upper-case lines?"""
    first = text.rfind("\n", 0, a) + 1
    cut = text.find("\n", a)
    end = text.find("\n", b)
    end = len(text) if end < 0 else end
    if cut < 0 or cut >= b or "\n" in text[cut + 1:b]:
        return False
    lines = (text[first:cut], text[cut + 1:end])
    return all(len(ln) <= 70 and ln.isupper() for ln in lines)


def _prefer_province(m: PlaceMention) -> None:
    """A name listed after a singular level word that is a province's is the province
    ("huyện Tuần Giáo, Điện Biên"); in a plural list it is one more district."""
    provs = [u for u in m.cands if u.kind == "province"]
    if len(provs) == 1:
        m.unit = provs[0]


def _document_context(ctx: places.PlaceContext) -> places.PlaceContext:
    """The provinces and districts named anywhere in the document pick between same-named
    units only when they point one way: a guide or a national report that names units of
    more than two (post-2025) provinces gives no hint where an unqualified "xã Tiên Phong"
    lies."""
    g = places.gazetteer()
    news = {places.new_province_of(g.province_by_key[k]) for k, n in ctx.provinces.items() if n > 0}
    return ctx if len(news) <= 2 else places.PlaceContext()


_TIERS = (("province",), ("district",), ("ward", "new_ward"))


def _resolve_bare(m: PlaceMention, home: set[str], after_2025: bool | None) -> None:
    """A name without a level word, found by its context: the highest level that knows it
    (a name alone names the province, then the district: "Đà Lạt", "Vị Thanh"), inside the
    unit an address names after it, and, below the province, inside the document's own
    province. Several units left: unlinked, candidates kept. An old commune and the new one
    of the same name in the same place: the new one in a document dated after 1/7/2025."""
    cands = places.gazetteer().candidates("" if m.kind == "any" else m.kind, m.name)
    if m.parent is not None:
        cands = [u for u in cands if _inside(u, m.parent)]
    m.cands, m.unit = cands, None
    for tier in _TIERS:
        group = [u for u in cands if u.kind in tier]
        if group:
            break
    else:
        return
    if tier != ("province",) and m.parent is None and home:
        local = [u for u in group if places.new_province_of(u) in home]
        # A route leaves the province: its stop is the one district of that name in the
        # country, unless the home province has a unit of that name at any level.
        if m.route and not local and tier == ("district",) and len(group) == 1 and \
                not any(places.new_province_of(u) in home for u in cands):
            local = group
        group = local
    if len(group) == 1:
        m.unit = group[0]
        return
    old = [u for u in group if u.kind != "new_ward"]
    new = [u for u in group if u.kind == "new_ward"]
    if len(old) == 1 and len(new) == 1 and places._same_place(old[0], new[0]):
        m.unit = new[0] if after_2025 else old[0]


def _inside(u: places.Unit, parent: places.Unit) -> bool:
    """Is `u` a unit inside `parent` (old units by their keys, new communes by province)?"""
    if u.kind == "province":
        return False
    if parent.kind == "province":
        if u.kind == "new_ward":  # only a province that still exists holds a new commune
            return places.new_province_of(u) == places.new_province_of(parent) and \
                places.name_key(places.split_level(places.new_province_of(u) or "")[1]) == places.name_key(parent.short)
        return u.province == parent.province
    if parent.kind == "district":
        return u.kind == "ward" and (u.province, u.district) == (parent.province, parent.district)
    return False


def _place_row(m: PlaceMention) -> dict:
    if m.unit and m.unit.kind == "district" and m.level in DISTRICT_LEVELS and m.level != m.unit.level:
        # A district the list records under a later level ("thị xã Bến Cát", a thành phố
        # since 2024): the unit named as the document names it, at its date.
        canonical = f"{m.level[:1].upper()}{m.level[1:]} {m.unit.short}"
    elif m.unit:
        canonical = m.unit.name
    else:
        canonical = places.canonical_name(m.level or m.list_level, _proper(m.name))
    return {"surface": None, "start": m.start, "end": m.end, "label": "LOC",
            "canonical": canonical, "unit_code": m.unit.code if m.unit else None,
            "successor": m.unit.successor if m.unit else None, "source": "rule",
            "candidates": None if m.unit or not m.cands else json.dumps(
                [u.code for u in m.cands[:20]], ensure_ascii=False)}


def _proper(name: str) -> str:
    """'TUẦN GIÁO' -> 'Tuần Giáo' (header lines are upper-case)."""
    return " ".join(w[:1] + w[1:].lower() if w.isupper() else w for w in name.split())


# -- organisations -------------------------------------------------------------------------
def _after_level(tk: Toks, j: int, upper_ok: bool, places_by_start: dict) -> tuple[int, str]:
    """Optional '[cấp|các] level [, level] [Name]' after an organisation head: (end index,
    canonical suffix)."""
    k = j
    parts = []
    # A header written on two lines: "ỦY BAN NHÂN DÂN\nHUYỆN VŨ QUANG".
    if upper_ok and tk.t(k).strip() == "" and "\n" in tk.t(k) and tk.t(k).count("\n") <= 2 \
            and _level_at(tk, k + 1) and tk.t(k + 1).isupper():
        k += 1
    if tk.t(k).lower() in ("cấp", "các") and _level_at(tk, k + 1):
        parts.append(tk.t(k).lower())
        k += 1
    lv = _level_at(tk, k)
    if not lv:
        return j, ""
    level, k2 = lv
    start_char = tk.start(k)
    pm = places_by_start.get(start_char)
    if pm is not None and pm.level and not parts:
        # The place pass found "huyện Tuần Giáo" here: reuse its extent and name.
        end = k2
        while end < len(tk) and tk.start(end) < pm.end:
            end += 1
        # The official spelling ("Toà Tinh" -> "Tỏa Tình"), unless the document used
        # another name of the unit ("Thừa Thiên Huế" for "Huế").
        same = pm.unit and places.name_key(pm.unit.short) == places.name_key(pm.name)
        short = pm.unit.short if same else _proper(pm.name)
        parts += [level, short]
        return end, " ".join(parts)
    parts.append(level)
    k = k2
    # "UBND các xã, thị trấn"
    if parts[0] in ("các", "cấp") and tk.t(k) == "," and _level_at(tk, k + 1):
        lv2 = _level_at(tk, k + 1)
        parts[-1] += ","
        parts.append(lv2[0])
        k = lv2[1]
    return k, " ".join(parts)


def _in_symbol(tk: Toks, i: int, end: int) -> bool:
    """Head inside a document symbol ("15/KH-UBND", "UBND-VP")."""
    before = tk.text[tk.start(i) - 1] if tk.start(i) > 0 else " "
    after = tk.text[tk.end(end)] if tk.end(end) < len(tk.text) else " "
    return before in "-/" or after in "-/"


def _body(tk: Toks, kind: str, idx: int, s: int, e: int, places_by_start: dict):
    """(end token, canonical) of the body whose head is the match [s, e), or None."""
    r = rules()
    head = tk.text[tk.start(s):tk.end(e)]
    upper = head.isupper() and (len(head) > 3 or tk.t(e).isupper())
    if not head[0].isupper() and kind != "AGENCY":
        return None
    if kind == "COUNCIL":
        entry = r["councils"][idx]
        end, suffix = _after_level(tk, e, upper, places_by_start)
        if not suffix:
            # "UBND Tuần Giáo": a known place name without its level word.
            run = _name_run(tk, e, upper, max_len=4)
            if run > e and tk.gap(e) == " " and \
                    places.gazetteer().candidates("", tk.text[tk.start(e):tk.end(run)]):
                end, suffix = run, _proper(tk.text[tk.start(e):tk.end(run)])
        return end, entry["canonical"] + (f" {suffix}" if suffix else "")
    if kind == "STANDALONE":
        end, canonical = e, r["standalone"][idx]["canonical"]
        scope = _scope(tk, end)
        if scope:
            end, words = scope
            canonical += " " + expand(words)
        end2, suffix = _after_level(tk, end, upper, places_by_start)
        if suffix:
            end, canonical = end2, f"{canonical} {suffix}"
        return end, canonical
    if kind == "PARTY":
        entry = r["party_committees"][idx]
        end, canonical = e, _party_canonical(head, entry)
        run = _name_run(tk, e, upper, max_len=4)
        if run > e and tk.gap(e) == " ":
            name = tk.text[tk.start(e):tk.end(run)]
            unit, _ = places.resolve(entry["level"], name)
            if unit or entry["level"] != "xã":
                end = run
                canonical += " " + (unit.short if unit else _proper(name))
        return end, canonical
    if kind == "AGENCY":
        return _agency(tk, s, e, upper, places_by_start)
    return None


def _find_orgs(tk: Toks, places_by_start: dict) -> list[dict]:
    matches = sorted(tk.matches, key=lambda m: (m[1], -(m[2] - m[1])))
    parsed = []
    for match_id, s, e in matches:
        kind, _, idx = nlp().vocab.strings[match_id].partition(":")
        if kind in ("COUNCIL", "STANDALONE", "PARTY", "AGENCY") and not _in_symbol(tk, s, e):
            parsed.append((kind, int(idx or 0), s, e))
    # Councils first, so that an agency can take one as its name ("Văn phòng UBND tỉnh").
    for kind, idx, s, e in parsed:
        if kind in ("COUNCIL", "STANDALONE") and s not in tk.bodies:
            got = _body(tk, kind, idx, s, e, places_by_start)
            if got:
                tk.bodies[s] = got
    out = []
    pos = 0
    for kind, idx, s, e in parsed:
        if s < pos:
            continue
        got = tk.bodies.get(s) if kind in ("COUNCIL", "STANDALONE") else \
            _body(tk, kind, idx, s, e, places_by_start)
        if not got:
            continue
        end, canonical = got
        out.append({"start": tk.start(s), "end": tk.end(end), "label": "ORG",
                    "canonical": _tidy(canonical), "unit_code": None, "successor": None,
                    "source": "rule"})
        pos = end
    return out


PARTY_PREFIX = {"tt": "Thường trực", "btv": "Ban Thường vụ"}


def _party_canonical(head: str, entry: dict) -> str:
    """'TT Huyện ủy' -> 'Thường trực Huyện ủy', 'BTV Tỉnh ủy' -> 'Ban Thường vụ Tỉnh ủy'."""
    n = len(entry["canonical"].split())
    words = head.split()
    prefix = " ".join(words[:-n])
    prefix = PARTY_PREFIX.get(prefix.lower(), _title_words(prefix))
    return f"{prefix} {entry['canonical']}".strip()


def _title_words(s: str) -> str:
    return " ".join(w if not w.isupper() or len(w) <= 3 else w[:1] + w[1:].lower() for w in s.split())


def _tidy(s: str) -> str:
    s = re.sub(r"\s+", " ", s).strip()
    return s[:1].upper() + s[1:]


@lru_cache(maxsize=1)
def _scope_tokens() -> list[list[str]]:
    return [[t.text.lower() for t in nlp().make_doc(w)] for w in rules()["scope_words"]]


def _scope(tk: Toks, k: int) -> tuple[int, str] | None:
    """Scope words after a standalone body: 'Ban Chỉ đạo CCHC', '… cải cách hành chính'."""
    best = None
    for toks in _scope_tokens():
        if [tk.t(k + n).lower() for n in range(len(toks))] == toks:
            if best is None or len(toks) > best:
                best = len(toks)
    if best is None:
        return None
    end = k + best
    if tk.t(end).lower() == "nhà" and tk.t(end + 1).lower() == "nước":
        end += 2
    return end, tk.text[tk.start(k):tk.end(end)]


def _agency(tk: Toks, s: int, e: int, upper: bool, places_by_start: dict):
    """Agency head at [s, e): its name and level. None when no name follows."""
    head = tk.text[tk.start(s):tk.end(e)]
    if e >= len(tk) or tk.gap(e) == "" or "\n" in tk.gap(e):
        return None
    # 1. A known department name (longest first), any capitalisation of the head.
    lex = _lexicon()
    best = None
    first = _key(expand(tk.t(e)))
    if not first or not any(key.startswith(first) for key in _lexicon_firsts()):
        first = None
    for k in range(min(len(tk), e + 9) if first else e, e, -1):
        if "\n" in tk.text[tk.start(e):tk.end(k)]:
            continue
        if not tk.t(k - 1)[:1].isalnum():
            continue
        key = _key(expand(tk.text[tk.start(e):tk.end(k)]))
        if key in lex:
            best = (k, lex[key])
            break
    if not head[0].isupper():
        r = rules()
        if best is None or not tk.t(e)[:1].isupper() or head.lower() not in r["lowercase_heads"] \
                or tk.t(s - 1).lower() in r["compound_before"] \
                or (best[1] in ("Chính phủ", "Quốc hội", "Chủ tịch nước") and head.lower() != "văn phòng"):
            return None
    if best is None and e in tk.bodies:
        # 2. A council or standalone body: "Văn phòng Ủy ban nhân dân tỉnh".
        k, canonical = tk.bodies[e]
        best = (k, canonical)
    if best is None:
        # 3. Abbreviated bodies: "Văn phòng HĐND&UBND", "Phòng GD&ĐT", "Văn phòng UBND".
        w = tk.t(e)
        ab = abbreviations().get(w)
        if ab and ab["kind"] == "org" and not ab.get("ambiguous"):
            k = e + 1
            if tk.t(k) == "&" and abbreviations().get(tk.t(k + 1), {}).get("kind") == "org":
                k += 2
            best = (k, expand(tk.text[tk.start(e):tk.end(k)]))
        elif "&" in w and all(p in abbreviations() for p in w.split("&")):
            best = (e + 1, expand(w))
        else:
            # "VH-TT-TH", "GDNN-GDTX": upper-case pieces glued by "-" or "&".
            k = e
            while k < len(tk) and (k == e or tk.gap(k) == "") and \
                    (tk.t(k).isupper() or tk.t(k) in ("-", "&")):
                k += 1
            while k > e and tk.t(k - 1) in ("-", "&"):
                k -= 1
            glued = tk.text[tk.start(e):tk.end(k)] if k > e else ""
            if k - e >= 3 and tk.t(e).isupper() and len(tk.t(e)) > 1 and not upper:
                best = (k, abbreviations().get(glued, {}).get("expansion", glued))
    if best is None and upper:
        return None  # upper-case headings ("NHIỆM VỤ CẢI CÁCH …") are not names
    if best is None:
        # 4. Capitalised words: "Trung tâm Y tế", "Phòng Quản lý đô thị" (each capitalised
        # word may carry one lower-case syllable), joined by "và", "&", "-".
        k = e
        while k < len(tk):
            if _is_cap(tk.t(k), upper) and tk.gap(k) in (" ",):
                k += 1
                if k < len(tk) and tk.t(k).islower() and tk.gap(k) == " " \
                        and tk.t(k).lower() not in LEVEL_WORDS and not _level_at(tk, k) \
                        and tk.t(k) not in ("và", "các", "của", "về", "cấp", "thuộc", "trực"):
                    k += 1
                if tk.t(k) in ("và", "&", "-") and _is_cap(tk.t(k + 1), upper):
                    k += 1
                    continue
                continue
            break
        if k == e:
            # "Thanh tra huyện", "Công an tỉnh": a head that is a body by itself.
            if head.lower() in ("thanh tra", "công an", "kho bạc nhà nước", "bảo hiểm xã hội",
                                "tòa án nhân dân", "viện kiểm sát nhân dân") and _level_at(tk, e):
                best = (e, "")
            else:
                return None
        else:
            k = _extend_lower(tk, k)
            best = (k, tk.text[tk.start(e):tk.end(k)])
    end, name = best
    end2, suffix = _after_level(tk, end, upper, places_by_start)
    canonical = " ".join(p for p in (_title_words(head).capitalize() if head.isupper() else head[:1].upper() + head[1:],
                                     expand(name), suffix) if p)
    return end2, canonical


def _extend_lower(tk: Toks, k: int, limit: int = 6) -> int:
    """Carry a name over lower-case words ("Trung tâm Dịch vụ tổng hợp", "Ban Quản lý dự án
    đầu tư xây dựng số 01") when the run ends cleanly within `limit` words: at
    punctuation, a stop word, a level word or the end of the text. Otherwise keep k."""
    stops = set(rules()["name_stops"])
    m, count = k, 0
    while m < len(tk):
        w = tk.t(m)
        if tk.gap(m) != " " or not (w[:1].isalnum()) or w.lower() in stops or _level_at(tk, m):
            break
        if count >= limit:
            return k
        m += 1
        count += 1
    else:
        return m
    if tk.gap(m) != " " and tk.t(m)[:1].isalnum():
        return k  # glued to something odd
    while m > k and tk.t(m - 1).lower() in ("các", "số"):
        m -= 1
    return m


# -- people -------------------------------------------------------------------------------
def _person_at(tk: Toks, j: int, upper_ok: bool = False) -> int | None:
    """End of a person's name starting at token j: 2–4 capitalised syllables, the first a
    family name."""
    if j >= len(tk) or normalize(_proper(tk.t(j))) not in _surnames():
        return None
    k = _name_run(tk, j, upper_ok, max_len=4)
    if k - j < 2:
        return None
    name = tk.text[tk.start(j):tk.end(k)]
    if places.gazetteer().candidates("", name) and k - j == 2:
        return None  # "Tân Phong", "Hà Giang": a place, not a person
    return k


def _find_people(tk: Toks, orgs: list[dict]) -> list[dict]:
    out = []
    org_at = {o["start"]: o for o in orgs}
    for match_id, s, e in tk.matches:
        label = nlp().vocab.strings[match_id]
        if label not in ("HONORIFIC", "TITLE"):
            continue
        j = e
        if label == "TITLE":
            # Skip the title's organisation: "Chủ tịch UBND huyện Tuần Giáo <Name>".
            if j < len(tk) and tk.start(j) in org_at:
                end_char = org_at[tk.start(j)]["end"]
                while j < len(tk) and tk.start(j) < end_char:
                    j += 1
        if j < len(tk) and tk.gap(j) != " ":
            continue
        k = _person_at(tk, j)
        if k:
            out.append(_person_row(tk, j, k, "rule"))
    return out


SIGN_ROLE = re.compile(r"(?m)^\**\s*(TM|KT|Q|TL|TUQ)\.\s|^\**\s*(CHỦ TỊCH|GIÁM ĐỐC|TRƯỞNG|PHÓ|BỘ TRƯỞNG|"
                       r"THỦ TƯỚNG|CHÁNH|BÍ THƯ|NGƯỜI KÝ)")


def _signers(text: str, body_end: int) -> list[tuple[int, int]]:
    """Name lines right after a signature block (a short upper-case role block)."""
    spans = []
    paras = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text[:body_end])]
    for n, (s, e) in enumerate(paras):
        line = text[s:e].strip(" *_")
        words = line.split()
        if not 2 <= len(words) <= 5 or not all(_is_cap(w) for w in words):
            continue
        if normalize(words[0]) not in _surnames():
            continue
        if any(SIGN_ROLE.search(text[ps:pe]) for ps, pe in paras[max(0, n - 4):n]):
            off = text.index(line, s)
            spans.append((off, off + len(line)))
    return spans


def _person_row(tk: Toks, j: int, k: int, source: str) -> dict:
    s, e = tk.start(j), tk.end(k)
    return {"start": s, "end": e, "label": "PER", "canonical": _proper(tk.text[s:e]),
            "unit_code": None, "successor": None, "source": source}


# -- underthesea fallback ---------------------------------------------------------------------
def _ner_spans(text: str, s: int, e: int) -> list[list[int]]:
    """PER spans underthesea.ner proposes in text[s:e] (offsets into `text`)."""
    from underthesea import ner

    sent = text[s:e]
    try:
        tagged = ner(sent)
    except Exception:  # noqa: BLE001  a model failure must not stop the stage
        return []
    out, pos, cur = [], 0, None
    for word, _pos, _chunk, tag in tagged:
        at = sent.find(word, pos)
        if at < 0:
            cur = None
            continue
        pos = at + len(word)
        if tag == "B-PER" or (tag == "I-PER" and cur is None):
            if cur:
                out.append(cur)
            cur = [s + at, s + pos]
        elif tag == "I-PER" and cur:
            cur[1] = s + pos
        else:
            if cur:
                out.append(cur)
            cur = None
    if cur:
        out.append(cur)
    return out


def _person_row_at(text: str, a: int, b: int, source: str) -> dict:
    return {"start": a, "end": b, "label": "PER", "canonical": _proper(text[a:b]),
            "unit_code": None, "successor": None, "source": source}


# Capitalised syllables (two to four) on one line: where a name may stand.
_NAME_CANDIDATE = re.compile(r"(?<!\w)[A-ZĐÀ-Ỹ][\w']*(?: [A-ZĐÀ-Ỹ][\w']*){1,3}(?!\w)")


def underthesea_people(text: str, raw: bool = False, taken=()) -> list[dict]:
    """People found by underthesea.ner.

    raw=True: every PER the model proposes, sentence by sentence (to measure it).
    Otherwise the fallback: only where a plausible name (family name + capitalised
    syllables) stands outside every rule hit (`taken` spans) do we ask the model, on a
    window around it, and keep its PER spans that pass `plausible_person`. Asking only
    there keeps the model's cost (~0.2 s a sentence) off ordinary text."""
    from pipeline.text.sentences import SentenceIndex, sentence_spans

    rows = []
    if raw:
        for s, e in sentence_spans(text):
            if e - s <= 2000 and re.search(r"[A-ZĐÀ-Ỹ]\w* [A-ZĐÀ-Ỹ]", text[s:e]):
                rows += [_person_row_at(text, a, b, "underthesea") for a, b in _ner_spans(text, s, e)]
        return rows
    index = None
    asked: set[tuple[int, int]] = set()
    overlaps_taken = _overlap_finder(taken)
    for m in _NAME_CANDIDATE.finditer(text):
        a, b = m.start(), m.end()
        if overlaps_taken(a, b) or not plausible_person(text[a:b]):
            continue
        index = index or SentenceIndex(text)
        s, e = index.around(a)
        if e - s > 400:  # a long sentence: a window around the name is enough
            s, e = max(s, a - 120), min(e, b + 120)
        if (s, e) in asked:
            continue
        asked.add((s, e))
        for x, y in _ner_spans(text, s, e):
            if x < b and a < y and plausible_person(text[x:y]):
                rows.append(_person_row_at(text, x, y, "underthesea"))
    return _dedupe(rows)


def _overlap_finder(spans):
    """overlaps(a, b): does [a, b) overlap any of `spans`? O(log n) per question."""
    ordered = sorted(spans)
    starts = [s for s, _ in ordered]
    reach, best = [], -1  # reach[i] = max end among ordered[:i+1]
    for _, e in ordered:
        best = max(best, e)
        reach.append(best)

    def overlaps(a: int, b: int) -> bool:
        i = bisect.bisect_left(starts, b)  # spans starting before b
        return i > 0 and reach[i - 1] > a

    return overlaps


def plausible_person(surface: str) -> bool:
    words = surface.split()
    if not 2 <= len(words) <= 4 or not all(_is_cap(w) for w in words):
        return False
    if normalize(words[0]) not in _surnames():
        return False
    if places.gazetteer().candidates("", surface):
        return False
    return not any(w.upper() in abbreviations() for w in words)


# -- entry points ---------------------------------------------------------------------------
_LONG_RUN = re.compile(r"\S{65,}")
_NON_WORD = re.compile(r"[^\w]")


def _break_long_runs(text: str) -> str:
    """spaCy strips prefixes/suffixes one at a time, rescanning the token each time: a
    token of thousands of "((((" or "……" costs quadratic time. In a whitespace-free run
    longer than 64 characters, punctuation becomes spaces (same length: offsets hold)."""
    if not _LONG_RUN.search(text):
        return text
    return _LONG_RUN.sub(lambda m: _NON_WORD.sub(" ", m.group()), text)


def extract_entities(text: str, body_end: int | None = None, *, use_ner: bool = True,
                     signer: str | None = None, home: set[str] | None = None,
                     after_2025: bool | None = None) -> list[dict]:
    """Every ORG/LOC/PER of `text`: dicts with surface, label, canonical, unit_code,
    successor, source, start, end (text[start:end] == surface), sorted by start."""
    body_end = len(text) if body_end is None else body_end
    # Tokenize a copy with footnote markers blanked (same length, so offsets hold):
    # "Đồng¹⁴." must give the token "Đồng".
    tk = Toks(nlp()(_break_long_runs(text.translate(_BLANK_MARKERS))), text)
    tk.matches = matcher()(tk.doc)
    mentions = _find_places(tk)
    mentions = sorted(mentions + bare_places.mentions(text, mentions, home or set()), key=lambda m: m.start)
    _resolve_places(mentions, text, home, after_2025)
    mentions = _with_chains(mentions, text, after_2025)
    mentions = [m for m in mentions if m.level or m.cands]
    by_start = {m.start: m for m in mentions}
    orgs = _find_orgs(tk, by_start)
    rows = orgs + [_place_row(m) for m in mentions]
    people = _find_people(tk, orgs)
    for s, e in _signers(text, body_end):
        people.append({"start": s, "end": e, "label": "PER", "canonical": text[s:e],
                       "unit_code": None, "successor": None, "source": "rule"})
    if signer:
        for m in re.finditer(re.escape(signer), text):
            people.append({"start": m.start(), "end": m.end(), "label": "PER",
                           "canonical": signer, "unit_code": None, "successor": None,
                           "source": "rule"})
    taken = [(r["start"], r["end"]) for r in rows if r["label"] == "ORG"]
    people = _dedupe([p for p in people if not _overlaps(p, taken)])
    if use_ner:
        taken_all = taken + [(r["start"], r["end"]) for r in rows + people]
        people += [p for p in underthesea_people(text, taken=taken_all)
                   if not _overlaps(p, taken_all)]
    rows = _dedupe(rows + people)
    for r in rows:
        r["surface"] = text[r["start"]:r["end"]]
    rows.sort(key=lambda r: (r["start"], -r["end"]))
    return rows


def _overlaps(row, spans) -> bool:
    return any(row["start"] < e and s < row["end"] for s, e in spans)


def _dedupe(rows):
    seen, out = set(), []
    for r in rows:
        k = (r["start"], r["end"], r["label"])
        if k not in seen:
            seen.add(k)
            out.append(r)
    return out


def analyze(ctx) -> None:
    signer = ctx.meta.get("signer") if isinstance(ctx.meta.get("signer"), str) else None
    meta = ctx.meta
    issuer = meta.get("issuer") if isinstance(meta.get("issuer"), str) else None
    place = meta.get("issued_place") if isinstance(meta.get("issued_place"), str) else None
    header = ctx.text[:min(meta.get("_header_end") or 600, 1500)]
    home = places.home_provinces(issuer, place, header)
    issued = meta.get("issued_date") if isinstance(meta.get("issued_date"), str) else None
    rows = extract_entities(ctx.text, ctx.body_end, signer=signer, home=home,
                            after_2025=issued >= "2025-07-01" if issued else None)
    if place and (issued := place_of_issue(ctx.text, place, rows)):
        rows.append(issued)
    for row in sorted(rows, key=lambda r: r["start"]):
        row.update(ctx.provenance(row["start"], row["end"]))
        ctx.add("entities", row)


# The place of issue names the issuer's seat: a province or province-level city first,
# else a district-level unit; a commune name is too often shared to link without a level.
ISSUE_LEVELS = ("tỉnh", "thành phố", "huyện", "thị xã", "quận")


def place_of_issue(text: str, place: str, rows: list[dict], within: int = 3000) -> dict | None:
    """The place of the header's "<place>, ngày … tháng … năm …" line as a LOC mention
    ("Lâm Đồng, ngày 12 tháng 3 năm 2025" has no level word, so the place rules miss it),
    linked when exactly one unit of the first level that knows the name fits."""
    # "TP.Cần Thơ, ngày …": an abbreviated level glued to the place is part of the mention
    m = re.search(r"(?<![\w.])(?:(?:TP|Tp|TX|Tx|TT)\.\s?)?" + re.escape(place) + r"(?=\s*,\s*ngày)", text[:within])
    if m is None or any(r["label"] == "LOC" and r["start"] < m.end() and m.start() < r["end"] for r in rows):
        return None
    for level in ISSUE_LEVELS:
        cands = places.gazetteer().candidates(level, place)
        if cands:
            unit, cands = places.resolve(level, place)
            if unit is None:
                return None  # ambiguous: no guess
            return {"surface": text[m.start():m.end()], "start": m.start(), "end": m.end(), "label": "LOC",
                    "canonical": unit.name, "unit_code": unit.code, "successor": unit.successor,
                    "source": "rule", "candidates": None}
    return None
