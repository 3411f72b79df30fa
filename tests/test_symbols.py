"""Symbol canonicalization: every example in schemas/data/issuers.yaml, plus properties."""
from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.text.symbols import DATA, canonicalize, issuer_name, parse_symbol

_RAW = yaml.safe_load(DATA.read_text(encoding="utf-8"))
EXAMPLES = [(src, want) for e in _RAW["issuers"] + _RAW["types"]
            for src, want in e["examples"].items()]


@pytest.mark.parametrize("src,want", EXAMPLES)
def test_data_examples(src, want):
    assert canonicalize(src) == want


@pytest.mark.parametrize("src,want", [
    ("63/2010/nđ-cp", "63/2010/NĐ-CP"),
    ("29/2023/NĐCP", "29/2023/NĐ-CP"),
    ("108/ND-CP", "108/NĐ-CP"),
    ("18 - NQ/TW", "18-NQ/TW"),
    ("63 / 2010 / NĐ - CP", "63/2010/NĐ-CP"),
    ("4011/QĐ–UBND", "4011/QĐ-UBND"),          # en dash
    ("**45**/2022/QĐ-UBND", "45/2022/QĐ-UBND"),  # markdown emphasis
    ("8/2019/NĐ-CP", "08/2019/NĐ-CP"),          # leading zero restored
    ("18/NQ-TW", "18-NQ/TW"),                   # Party symbol written state-style
])
def test_sloppy_forms(src, want):
    assert canonicalize(src) == want


@pytest.mark.parametrize("src", ["", "abc", "/BC-UBND", "2010", "15/7/2021", "63/2010"])
def test_not_symbols(src):
    assert canonicalize(src) is None


def test_parse_parts():
    p = parse_symbol("01/2015/TTLT-BNV-BTC")
    assert (p["number"], p["year"], p["abbreviation"], p["issuer_code"]) == ("01", 2015, "TTLT", "BNV-BTC")
    p = parse_symbol("1381/UBND-KSTT")
    assert (p["abbreviation"], p["issuer_code"], p["unit"]) == (None, "UBND", "KSTT")
    p = parse_symbol("18-NQ/TW")
    assert (p["style"], p["abbreviation"], p["issuer_code"]) == ("party", "NQ", "TW")
    assert issuer_name("CP") == "Chính phủ"
    assert issuer_name("QH14") == "Quốc hội"
    assert issuer_name("BNV-BTC") == "Bộ Nội vụ, Bộ Tài chính"


# --- properties -----------------------------------------------------------------------
_TYPES = ["NĐ", "QĐ", "NQ", "TT", "KH", "BC", "CT", "TB", "HD", "TTr"]
_ISSUERS = ["CP", "TTg", "UBND", "BNV", "BTC", "HĐND", "VPCP"]


def _variant(draw, canonical: str) -> str:
    """A sloppy spelling of `canonical`: case, spaces around / and -, ASCII Đ, glued type."""
    s = canonical
    if draw(st.booleans()):
        s = s.replace("Đ", "D")
    if draw(st.booleans()):
        s = s.replace("NĐ-CP", "NĐCP").replace("ND-CP", "NDCP")
    case = draw(st.sampled_from(["keep", "lower", "upper"]))
    s = s.lower() if case == "lower" else s.upper() if case == "upper" else s
    out = []
    for ch in s:
        if ch in "/-":
            out.append(draw(st.sampled_from(["", " "])) + ch + draw(st.sampled_from(["", " ", "  "])))
        else:
            out.append(ch)
    return "".join(out)


@st.composite
def symbol_and_variant(draw):
    number = str(draw(st.integers(1, 9999))).zfill(2)
    if draw(st.integers(0, 3)) == 0:
        canonical = f"{number}-{draw(st.sampled_from(['NQ', 'CT', 'KL', 'KH', 'QĐ']))}/" \
                    f"{draw(st.sampled_from(['TW', 'TU', 'HU']))}"
    else:
        year = draw(st.one_of(st.none(), st.integers(1990, 2030)))
        typ = draw(st.sampled_from(_TYPES))
        canonical = f"{number}/" + (f"{year}/" if year else "") + f"{typ}-{draw(st.sampled_from(_ISSUERS))}"
    return canonical, _variant(draw, canonical)


@settings(max_examples=400, deadline=None)
@given(symbol_and_variant())
def test_variants_map_to_canonical(pair):
    canonical, variant = pair
    assert canonicalize(variant) == canonical
    assert canonicalize(canonical) == canonical


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="0123456789/-ĐđNnDdQqCcPpTtGgHhUuBb ", max_size=20))
def test_idempotent(s):
    c = canonicalize(s)
    if c is not None:
        assert canonicalize(c) == c
