"""Vietnamese document symbols ("số, ký hiệu") in one normal form.

State documents (Nghị định 30/2020/NĐ-CP): `63/2010/NĐ-CP` (number/year/type-issuer),
`4011/QĐ-UBND` (no year), `1381/UBND-KSTT` (công văn: issuer-unit), `56/2017/QH14`
(a law), `01/2015/TTLT-BNV-BTC` (joint). Party documents: `18-NQ/TW` (number-type/issuer).

`canonicalize` writes any of the sloppy variants seen in real documents (lower case,
`ND`/`NĐCP` for `NĐ-CP`, spaces around `/` and `-`, Markdown emphasis, a leading zero
missing) in the official form. The codes it knows (and their official spelling, e.g.
`TTg`, `TTr`) come from schemas/data/issuers.yaml.
"""
from __future__ import annotations

import re
from functools import lru_cache

import yaml

from schemas import DATA_DIR
from pipeline.text.normalize import fold

DATA = DATA_DIR / "issuers.yaml"

_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-"})
_NOISE = re.compile(r"[\s*_`]+")
_NUMBER = re.compile(r"(\d+)(.*)")
_PARTS = re.compile(r"[-/]")
# number, optional year, ký hiệu (state style)
_STATE = re.compile(r"^(\d{1,6}[A-Z]?)(?:/(\d{4}))?/([A-ZĐ][A-ZĐ0-9&.]*(?:[-/][A-ZĐ0-9&.]+)*)$")
# number-type/issuer (Party style), e.g. 18-NQ/TW, 36-HD/VPTW
_PARTY = re.compile(r"^(\d{1,6}[A-Z]?)-([A-ZĐ]+)/([A-ZĐ][A-ZĐ0-9&]*(?:-[A-ZĐ0-9&]+)*)$")


@lru_cache(maxsize=1)
def data() -> dict:
    with open(DATA, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    issuers = {e["code"].upper(): e for e in raw["issuers"]}
    types = {e["code"].upper(): e for e in raw["types"]}
    official = {k: e["code"] for k, e in {**issuers, **types}.items()}
    # ASCII spelling -> official code, only where the folding is unambiguous
    # ("ND" can only be NĐ, but "DA" may be Dự án or Đề án: left alone).
    by_fold: dict[str, set[str]] = {}
    for code in official:
        by_fold.setdefault(fold(code, lower=False).upper(), set()).add(code)
    ascii_fix = {f: next(iter(c)) for f, c in by_fold.items() if len(c) == 1 and f not in official}
    prefixes = [k for k, e in issuers.items() if e.get("prefix")]
    return {
        "issuers": issuers, "types": types, "official": official, "ascii_fix": ascii_fix,
        "party": {k for k, e in issuers.items() if e.get("party")},
        "prefixes": sorted(prefixes, key=len, reverse=True),
    }


def _token(tok: str) -> str:
    """One code of the ký hiệu: ASCII spelling fixed, official case restored."""
    d = data()
    tok = d["ascii_fix"].get(tok, tok)
    if tok in d["official"]:
        return d["official"][tok]
    for p in d["prefixes"]:  # QH14, UBTVQH13
        if tok.startswith(p) and tok[len(p):].isdigit():
            return d["official"][p] + tok[len(p):]
    return tok


def _known(tok: str) -> bool:
    d = data()
    tok = d["ascii_fix"].get(tok, tok)
    return tok in d["official"] or any(
        tok.startswith(p) and tok[len(p):].isdigit() for p in d["prefixes"])


def _split_glued(tok: str) -> list[str]:
    """NĐCP -> [NĐ, CP], QĐUBND -> [QĐ, UBND] when a known type is glued to a known issuer."""
    d = data()
    if _known(tok):
        return [tok]
    for i in range(len(tok) - 1, 0, -1):
        head, tail = tok[:i], tok[i:]
        head_fixed = d["ascii_fix"].get(head, head)
        if head_fixed in d["types"] and _known(tail):
            return [head, tail]
    return [tok]


def _number(n: str) -> str:
    """Official numbers below 10 carry a leading zero (Nghị định 30/2020, Phụ lục I)."""
    m = _NUMBER.match(n)
    return str(int(m.group(1))).zfill(2) + m.group(2)


def _prepare(symbol: str) -> str:
    s = _NOISE.sub("", symbol.translate(_DASHES)).upper()
    return s.strip("-/.,;:")


def parse_symbol(symbol: str) -> dict | None:
    """Split a symbol into its parts; None when it is not shaped like a symbol.

    Returns {canonical, number, year, abbreviation, issuer_code, unit, style, party_fix}:
    `abbreviation` is the type code (NĐ, QĐ, NQ ... or None for a công văn), `issuer_code`
    the issuing body's code(s) ("CP", "BNV-BTC", "QH14"), `style` 'state' or 'party'.
    `party_fix` is True when a Party symbol was written state-style (18/NQ-TW)."""
    parsed = _parse_cached(symbol)
    return dict(parsed) if parsed else None


@lru_cache(maxsize=1 << 16)
def _parse_cached(symbol: str) -> dict | None:
    if not symbol:
        return None
    s = _prepare(symbol)
    d = data()
    m = _PARTY.match(s)
    if m:
        number, abbr, issuer = m.groups()
        abbr = _token(abbr)
        issuer_parts = [_token(t) for t in issuer.split("-")]
        canonical = f"{_number(number)}-{abbr}/{'-'.join(issuer_parts)}"
        return {"canonical": canonical, "number": _number(number), "year": None,
                "abbreviation": abbr, "issuer_code": "-".join(issuer_parts), "unit": None,
                "style": "party", "party_fix": False}
    m = _STATE.match(s)
    if not m:
        return None
    number, year, tail = m.groups()
    parts: list[str] = []
    for i, tok in enumerate(_PARTS.split(tail)):
        parts.extend(_split_glued(tok) if i == 0 else [tok])
    parts = [_token(t) for t in parts]
    abbr = parts[0] if parts[0].upper() in d["types"] else None
    rest = parts[1:] if abbr else parts
    issuer, unit = ("-".join(rest) or None), None
    if abbr is None and len(parts) > 1:  # công văn: issuer-unit
        issuer, unit = parts[0], "-".join(parts[1:])
    # A Party document written state-style ("18/NQ-TW"): the issuer gives it away.
    if abbr and not year and len(rest) == 1 and rest[0].upper() in d["party"]:
        return {"canonical": f"{_number(number)}-{abbr}/{rest[0]}", "number": _number(number),
                "year": None, "abbreviation": abbr, "issuer_code": rest[0], "unit": None,
                "style": "party", "party_fix": True}
    canonical = _number(number) + (f"/{year}" if year else "") + "/" + "-".join(parts)
    return {"canonical": canonical, "number": _number(number),
            "year": int(year) if year else None, "abbreviation": abbr, "issuer_code": issuer,
            "unit": unit, "style": "state", "party_fix": False}


def canonicalize(symbol: str) -> str | None:
    """The official "số, ký hiệu" form of `symbol`, or None if it is not a symbol.

    >>> canonicalize("63/2010/nđ-cp"), canonicalize("29/2023/NĐCP"), canonicalize("18 - NQ/TW")
    ('63/2010/NĐ-CP', '29/2023/NĐ-CP', '18-NQ/TW')
    """
    parsed = parse_symbol(symbol)
    return parsed["canonical"] if parsed else None


@lru_cache(maxsize=4096)
def issuer_name(code: str | None) -> str | None:
    """Issuing body implied by a code: CP -> Chính phủ, QH14 -> Quốc hội ..."""
    if not code:
        return None
    d = data()
    names = []
    for part in code.split("-"):
        up = d["ascii_fix"].get(part.upper(), part.upper())
        e = d["issuers"].get(up)
        if e is None:
            p = next((p for p in d["prefixes"] if up.startswith(p) and up[len(p):].isdigit()), None)
            e = d["issuers"].get(p) if p else None
        if e is None or e["name"].startswith("("):
            break  # unit codes after the issuer (UBND-KSTT) are not issuers
        names.append(e["name"])
    return ", ".join(names) or None
