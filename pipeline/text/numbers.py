"""Vietnamese numbers: parse and format digits, number words and money.

Digits follow Vietnamese style: `.` groups thousands, `,` is the decimal mark
("6.326" = 6326, "97,79" = 97.79, "16.657.859.964"). A dot is read as a thousands
separator only when every group after it has exactly three digits; otherwise (a stray
"4.5" typed in English style) it is the decimal point. Leading zeros are common in
counts ("02 TTHC") and mean nothing. Number words ("hai", "ba mươi mốt", "một trăm linh
năm") are read for 0–999. Money units (đồng, nghìn/triệu/tỷ đồng) convert to VND with
the factors in schemas/data/units.yaml.
"""
from __future__ import annotations

import re
from functools import lru_cache

import yaml

from schemas import DATA_DIR

UNITS_FILE = DATA_DIR / "units.yaml"

# One number as written in a report: grouped thousands with optional decimals, or plain
# digits with optional decimals.
NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?"
NUMBER_RE = re.compile(rf"^(?:{NUMBER})$")


@lru_cache(maxsize=1)
def units() -> dict:
    with open(UNITS_FILE, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def parse_number(surface: str) -> tuple[float, int]:
    """'6.326' -> (6326.0, 0); '97,79' -> (97.79, 2); '02' -> (2.0, 0).

    Returns (value, decimals) where decimals is the number of digits written after the
    decimal mark (the precision the author stated). Raises ValueError on anything else.
    """
    s = surface.strip().replace("\u00a0", "").replace(" ", "")
    if not s or not NUMBER_RE.match(s):
        raise ValueError(f"not a number: {surface!r}")
    if "," in s:
        whole, frac = s.split(",", 1)
        whole = whole.replace(".", "")
    elif "." in s:
        groups = s.split(".")
        if all(len(g) == 3 for g in groups[1:]) and len(groups[0]) <= 3:
            whole, frac = "".join(groups), ""
        else:  # English-style decimal point
            whole, frac = s.split(".", 1)
    else:
        whole, frac = s, ""
    value = float(int(whole)) if not frac else float(f"{int(whole)}.{frac}")
    return value, len(frac)


def format_number(value: float, decimals: int = 0, *, pad: int = 0) -> str:
    """Vietnamese style: format_number(6326) = '6.326', format_number(97.79, 2) = '97,79'.
    `pad` zero-fills the integer part ("02" with pad=2), as reports write small counts."""
    neg = value < 0
    text = f"{abs(value):.{decimals}f}"
    whole, _, frac = text.partition(".")
    whole = whole.zfill(pad)
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    out = ".".join(groups) + ("," + frac if frac else "")
    return "-" + out if neg else out


# ---- number words -------------------------------------------------------------------

DIGIT_WORDS = {
    "không": 0, "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5,
    "lăm": 5, "nhăm": 5, "sáu": 6, "bảy": 7, "bẩy": 7, "tám": 8, "chín": 9,
}
# Words that may start a number phrase (the compounding forms mốt/tư/lăm cannot).
START_WORDS = {"không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "bẩy", "tám",
               "chín", "mười"}
NUMBER_WORDS = set(DIGIT_WORDS) | {"mười", "mươi", "trăm", "linh", "lẻ"}


def words_to_number(phrase: str) -> int | None:
    """'hai' -> 2, 'mười lăm' -> 15, 'ba mươi mốt' -> 31, 'một trăm linh năm' -> 105.
    None when the words do not form a well-formed number."""
    words = phrase.lower().split()
    if not words or words[0] not in START_WORDS:
        return None
    total = 0
    if "trăm" in words:
        i = words.index("trăm")
        if i != 1 or words[0] not in DIGIT_WORDS:
            return None
        total = DIGIT_WORDS[words[0]] * 100
        words = words[2:]
        if words and words[0] in ("linh", "lẻ"):
            words = words[1:]
            if len(words) != 1 or words[0] not in DIGIT_WORDS:
                return None
            return total + DIGIT_WORDS[words[0]]
        if not words:
            return total
    rest = _tens(words)
    return None if rest is None else total + rest


def _tens(words: list[str]) -> int | None:
    if not words:
        return None
    if words[0] == "mười":
        tens, rest = 10, words[1:]
    elif len(words) >= 2 and words[1] == "mươi" and words[0] in DIGIT_WORDS \
            and DIGIT_WORDS[words[0]] >= 2 and words[0] not in ("mốt", "tư", "lăm", "nhăm"):
        tens, rest = DIGIT_WORDS[words[0]] * 10, words[2:]
    elif len(words) == 1 and words[0] in DIGIT_WORDS and words[0] not in ("mốt", "lăm", "nhăm", "tư"):
        return DIGIT_WORDS[words[0]]
    else:
        return None
    if not rest:
        return tens
    if len(rest) != 1 or rest[0] not in DIGIT_WORDS or rest[0] in ("không",):
        return None
    unit = rest[0]
    if unit == "một" and tens > 10:  # "hai mươi một" is accepted, "mốt" is the usual form
        return tens + 1
    if unit == "mốt" and tens == 10:  # "mười mốt" is not Vietnamese
        return None
    if unit == "năm":  # after a ten it is written lăm/nhăm, but "năm" also occurs
        return tens + 5
    if unit == "tư" and tens == 10:
        return None
    return tens + DIGIT_WORDS[unit]


_WORDS_ONES = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


def number_to_words(n: int) -> str:
    """0–999 in words, standard spelling (for tests and messages)."""
    if not 0 <= n <= 999:
        raise ValueError("only 0-999")
    if n < 10:
        return _WORDS_ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        head = "mười" if tens == 1 else f"{_WORDS_ONES[tens]} mươi"
        if ones == 0:
            return head
        if ones == 1 and tens > 1:
            return f"{head} mốt"
        if ones == 5:
            return f"{head} lăm"
        if ones == 4 and tens > 1:
            return f"{head} tư"
        return f"{head} {_WORDS_ONES[ones]}"
    hundreds, rest = divmod(n, 100)
    head = f"{_WORDS_ONES[hundreds]} trăm"
    if rest == 0:
        return head
    if rest < 10:
        return f"{head} linh {_WORDS_ONES[rest]}"
    return f"{head} {number_to_words(rest)}"


# ---- money --------------------------------------------------------------------------

def money_factor(unit: str) -> float | None:
    """VND per unit: 'tỷ đồng' -> 1e9, 'đồng' -> 1; None if not a money unit."""
    table = units()["money"]
    for key, factor in table.items():
        if key.lower() == unit.lower():
            return float(factor)
    return None


def parse_money(surface: str) -> float:
    """'1,5 tỷ đồng' -> 1.5e9; '16.657.859.964 đồng' -> 16657859964."""
    m = re.match(rf"\s*({NUMBER})\s*(.+?)\s*$", surface)
    if not m:
        raise ValueError(f"not an amount: {surface!r}")
    factor = money_factor(m.group(2))
    if factor is None:
        raise ValueError(f"not a money unit: {m.group(2)!r}")
    return round(parse_number(m.group(1))[0] * factor, 6)


def decimals_of(value: float, stated: str | None = None) -> int:
    if stated is not None:
        return parse_number(stated)[1]
    text = repr(float(value))
    return 0 if text.endswith(".0") else len(text.split(".")[1])
