"""Vietnamese text normalization and folding.

`normalize(text)` is what every stored text goes through: NFC, one tone-placement
convention, tidy whitespace. `normalize_with_map` also returns, for each index of the
input, the index it moved to, so extractors can carry offsets (footnote anchors, page
breaks) through normalization. `fold(text)` strips diacritics and folds đ→d for
search; it keeps length, so offsets in a folded text are offsets in the original.
"""
from __future__ import annotations

import re
import unicodedata

# Old-style ("hoá", "thuỷ", "Toà") → new-style ("hóa", "thủy", "Tòa") tone placement.
# The pairs are the vowel clusters where the two conventions differ: in "oa", "oe",
# "uy" followed by nothing (end of syllable), the old style puts the mark on the second
# vowel; the new (Bộ GD&ĐT 1984 / Nghị định 30/2020 appendix usage) on the first.
_TONES = {  # tone mark name -> combining char
    "acute": "\u0301",
    "grave": "\u0300",
    "hook": "\u0309",
    "tilde": "\u0303",
    "dot": "\u0323",
}


def _with_tone(base: str, tone: str) -> str:
    return unicodedata.normalize("NFC", base + _TONES[tone])


def _build_tone_table() -> dict[str, str]:
    table: dict[str, str] = {}
    pairs = [("o", "a"), ("o", "e"), ("u", "y")]
    for first, second in pairs:
        for tone in _TONES:
            for f, s in ((first, second), (first.upper(), second.upper()),
                         (first.upper(), second)):
                old = f + _with_tone(s, tone)
                new = _with_tone(f, tone) + s
                table[old] = new
    return table


_TONE_TABLE = _build_tone_table()
# Only at the end of a syllable: "hoàn", "khuya", "thuyết" keep their marks where they are.
# A combining mark after the pair (a stray second tone) also means "not the end": moving
# the first tone there would leave text that NFC composes differently on the next pass.
_TONE_RE = re.compile(
    r"(?<![qQ])(" + "|".join(sorted(map(re.escape, _TONE_TABLE), key=len, reverse=True))
    + r")(?![^\W\d_]|[\u0300-\u036f])"
)

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_ZERO_WIDTH = re.compile(r"[\u200c\u200d\u2060\ufeff\u00ad]")


def fix_tones(text: str) -> str:
    """hoá→hóa, thuỷ→thủy, Toà→Tòa (length-preserving on NFC text)."""
    return _TONE_RE.sub(lambda m: _TONE_TABLE[m.group(1)], text)


def normalize(text: str) -> str:
    return normalize_with_map(text)[0]


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """Normalize `text`; return (new_text, index_map) where index_map[i] is the offset in
    new_text of input index i (len(index_map) == len(text) + 1, the last entry maps the end).

    Steps: drop zero-width chars, NFC per grapheme, tone placement, collapse runs of
    horizontal whitespace to one space, strip spaces at line ends, collapse 3+ newlines.
    """
    if _CLEAN.fullmatch(text) and unicodedata.is_normalized("NFC", text):
        # Fast path (most extractor output): only whitespace tidying can move offsets.
        tidy, tidy_map = _tidy_whitespace(text)
        return fix_tones(tidy), tidy_map
    out: list[str] = []
    index_map: list[int] = []
    n = len(text)
    i = 0
    pos = 0
    while i < n:
        ch = text[i]
        # A base char plus its combining marks is normalized as one unit.
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        unit = text[i:j]
        if _ZERO_WIDTH.fullmatch(ch):
            piece = ""
        elif _SPACES.fullmatch(ch):
            piece = " "
        elif ch == "\r":
            piece = "" if (j < n and text[j] == "\n") else "\n"
        elif ch in "\x0b\x0c\u2028\u2029\x85":
            piece = "\n"
        else:
            piece = unicodedata.normalize("NFC", unit)
        for _ in range(i, j):
            index_map.append(pos)
        out.append(piece)
        pos += len(piece)
        i = j
    index_map.append(pos)
    joined = "".join(out)
    # Whitespace tidying as a second pass with its own map, composed with the first.
    tidy, tidy_map = _tidy_whitespace(joined)
    composed = [tidy_map[k] for k in index_map]
    return fix_tones(tidy), composed


_DROP = re.compile(
    r"(?<= ) +"            # the 2nd.. of a run of spaces
    r"| +(?=\n)|(?<=\n) +"  # spaces next to a newline
    r"|^ +| +$"            # spaces at both ends
    r"|(?<=\n\n)\n+"       # the 3rd.. of a run of newlines
)
# Text that needs no per-character pass: no CR, no odd spaces or separators, no zero-width.
_CLEAN = re.compile(r"[^\r\t\x0b\x0c\x85\u00a0\u00ad\u2000-\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff]*")


def _tidy_whitespace(text: str) -> tuple[str, list[int]]:
    """Drop redundant spaces/newlines; index_map[i] = new offset of old index i."""
    drops = [(m.start(), m.end()) for m in _DROP.finditer(text) if m.end() > m.start()]
    if not drops:
        return text, list(range(len(text) + 1))
    out: list[str] = []
    index_map: list[int] = []
    pos = 0  # next old index to copy
    removed = 0
    for a, b in drops:
        out.append(text[pos:a])
        index_map.extend(range(pos - removed, a - removed))
        index_map.extend([a - removed] * (b - a))  # dropped chars map to the next kept one
        removed += b - a
        pos = b
    out.append(text[pos:])
    index_map.extend(range(pos - removed, len(text) - removed + 1))
    return "".join(out), index_map


# ---- folding for search -------------------------------------------------------------

def _fold_char(ch: str) -> str:
    if ch in "đĐ":
        return "d" if ch == "đ" else "D"
    base = unicodedata.normalize("NFD", ch)[0]
    return base if len(base) == 1 else ch


# Latin letters with diacritics (Latin-1 … Latin Extended Additional, where every
# Vietnamese letter lives) → base letter; everything else passes through unchanged.
_FOLD_TABLE = {
    cp: _fold_char(chr(cp))
    for cp in list(range(0x80, 0x250)) + list(range(0x1E00, 0x1F00))
    if _fold_char(chr(cp)) != chr(cp)
}


def fold(text: str, lower: bool = True) -> str:
    """Strip Vietnamese diacritics, fold đ→d (and lowercase). One char in, one char out."""
    s = text.translate(_FOLD_TABLE) if len(text) < _FOLD_BY_ARRAY else _fold_array(text)
    return s.lower() if lower else s


# A whole document (the search finalizer folds each new one) is folded as an array of code
# points: ~5x faster than str.translate's lookup per character; short strings keep translate.
_FOLD_BY_ARRAY = 2000


def _fold_array(text: str) -> str:
    import numpy as np  # here: query commands fold short strings and start without numpy

    global _FOLD_LUT
    if _FOLD_LUT is None:
        # filled in a local, published whole: a thread (or a signal handler) folding in
        # between must never see a half-filled table
        lut = np.arange(0x1F00, dtype=np.uint32)
        for cp, ch in _FOLD_TABLE.items():
            lut[cp] = ord(ch)
        _FOLD_LUT = lut
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)
    inside = points < len(_FOLD_LUT)
    folded = np.where(inside, _FOLD_LUT[np.where(inside, points, 0)], points)
    return folded.tobytes().decode("utf-32-le", "surrogatepass")


_FOLD_LUT = None
