"""Text-quality gate: is this page's text Vietnamese a reader would accept?

A page's score is the share of its tokens that are one of
  - a valid Vietnamese syllable: onset + (glide) + vowel nucleus + coda + at most one
    tone mark, with the stop-coda rule (after c, ch, p, t only the sắc or nặng tone);
    the inventory is data below (`ONSETS`, `RHYMES`), not a word list;
  - a number ("16.657.859.964", "97,79%", "16/4/2025");
  - a document symbol ("63/2010/NĐ-CP", "BCA-C04", "132-KL/TW");
  - a known abbreviation (`schemas/data/abbreviations.yaml`, e.g. UBND, HĐND).
Pure punctuation is not counted. Text whose diacritics were lost (a poor OCR layer:
"bao cao ket qua thuc hien") is caught separately: long Vietnamese text where almost no
syllable carries a mark is worthless even when many of its tokens happen to be valid
syllables ("ban", "can", "to").

`repair` fixes, character for character (offsets unchanged), glyphs that are never
Vietnamese but are drawn like a Vietnamese letter by broken fonts and OCR engines:
ƣ/Ƣ (U+01A3/U+01A2 "oi", used for ư/Ư by fonts of the TCVN3 era) and Ð/ð (U+00D0/U+00F0
eth) for Đ/đ.
"""
from __future__ import annotations

import re
from collections import Counter
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import yaml

from schemas import DATA_DIR

# Below this score a page is re-read by OCR (when OCR is available), and a document
# that still has a page below it is stored `partial`.
THRESHOLD = 0.70
# "Lost diacritics": at least this many syllables and under this share carrying a mark.
DIACRITIC_MIN_SYLLABLES = 30
DIACRITIC_MIN_SHARE = 0.15

REPAIRS = str.maketrans({"ƣ": "ư", "Ƣ": "Ư", "Ð": "Đ", "ð": "đ"})


def repair(text: str) -> str:
    """Same-length fixes of non-Vietnamese look-alike glyphs (see module doc)."""
    return text.translate(REPAIRS)


# ------------------------------------------------------------------ syllable inventory
ONSETS = ("ngh ng nh ch gh gi kh ph qu th tr "
          "b c d đ g h k l m n p r s t v x").split()
# Rhymes without tone marks (vowel-quality marks ă â ê ô ơ ư kept). Nucleus groups and
# the codas each one takes; "ch"/"nh" only after front vowels (a, ê, i/y and their
# glided forms), the usual Vietnamese spelling.
_OPEN = ("a ai ao au ay âu ây e eo ê êu i ia iu o oa oai oao oay oe oeo oi ô ôi ơ ơi "
         "u ua uây uê ui uy uya uyu uôi uơ ư ưa ưi ưu ươi ươu y yêu iêu uê").split()
_WITH_CODA = {
    # nucleus: codas
    "a": "c ch m n ng nh p t", "ă": "c m n ng p t", "â": "c m n ng p t",
    "e": "c m n ng p t", "ê": "ch m n nh p t", "i": "ch m n nh p t", "y": "",
    "o": "c m n ng p t", "oo": "c ng", "ô": "c m n ng p t", "ơ": "m n p t",
    "u": "c m n ng p t", "ư": "c m n ng t", "iê": "c m n ng p t", "yê": "c m n ng p t",
    "uô": "c m n ng t", "ươ": "c m n ng p t", "oa": "c ch m n ng nh p t",
    "oă": "c m n ng t", "oe": "m n t", "uâ": "n ng t", "uê": "ch nh n", "uy": "ch nh n t",
    "uyê": "n t", "uơ": "", "ia": "",
}
RHYMES = set(_OPEN)
for _nucleus, _codas in _WITH_CODA.items():
    RHYMES.update(_nucleus + c for c in _codas.split())

_TONES = {"\u0300": "huyền", "\u0301": "sắc", "\u0303": "ngã", "\u0309": "hỏi", "\u0323": "nặng"}
_STOP_CODAS = ("c", "ch", "p", "t")


def _split_tone(word: str) -> tuple[str, list[str]]:
    """(word without tone marks, recomposed; the tone marks found)."""
    decomposed = unicodedata.normalize("NFD", word)
    tones = [c for c in decomposed if c in _TONES]
    base = "".join(c for c in decomposed if c not in _TONES)
    return unicodedata.normalize("NFC", base), tones


@lru_cache(maxsize=65536)
def is_syllable(token: str) -> bool:
    """A valid Vietnamese syllable (any case): onset + rhyme + at most one tone."""
    word = token.lower()
    if not word or not all(c.isalpha() for c in word):
        return False
    base, tones = _split_tone(word)
    if len(tones) > 1:
        return False
    for onset_len in sorted({len(o) for o in ONSETS} | {0}, reverse=True):
        onset, rhyme = base[:onset_len], base[onset_len:]
        if onset_len and onset not in ONSETS:
            continue
        if rhyme in RHYMES or (onset == "gi" and ("i" + rhyme in RHYMES or rhyme == "")) or \
                (onset == "qu" and rhyme in {"y", "ynh", "ych", "yt", "yn", "yên", "yêt", "ê",
                                             "ên", "êt", "ênh", "êch"}):
            if rhyme and rhyme.endswith(_STOP_CODAS) and rhyme[-2:] not in ("ng", "nh") \
                    and tones and tones[0] not in ("\u0301", "\u0323"):
                continue  # a stop coda takes only sắc or nặng
            if rhyme.endswith(_STOP_CODAS) and rhyme[-2:] not in ("ng", "nh") and not tones:
                continue  # ... and always one of them
            return True
    return False


_NUMBER = re.compile(r"^[-+]?\(?\d[\d.,:/]*%?\)?$")
_SYMBOL = re.compile(r"^(?=.*[\dA-ZĐ])[\w&]+(?:[/\-–][\w&]+)+$")
_SYMBOL_PART = re.compile(r"^[A-Za-zĐđ0-9]+$")
_ACRONYM = re.compile(r"^[A-ZĐ]{2,6}$")  # CP, STT, TPHCM: capitals that are no syllable
_MEASURE = re.compile(r"^\(?\d[\d.,x×]*[a-zA-Z]{1,3}[23]?\)?$")  # 1,8mm  20x40x1,0m  m2
_JUNK = re.compile(r"[|¦¡¿~^ˆ`´¨§¤©®°«»‹›\\{}]")
_PUNCT = re.compile(r"^[\W_]+$")
_STRIP = "()[]{}\"'“”‘’«»,.;:!?…*•·–—-_/\\|<>"
_MARKED = re.compile(r"[^\x00-\x7f]")


@lru_cache(maxsize=1)
def abbreviations() -> frozenset[str]:
    path = DATA_DIR / "abbreviations.yaml"
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser: 10x faster
    entries = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or []
    return frozenset(e["abbr"] for e in entries if isinstance(e, dict) and e.get("abbr"))


def token_kind(token: str) -> str | None:
    """'syllable' | 'number' | 'symbol' | 'abbr' | 'invalid', or None for punctuation."""
    tok = unicodedata.normalize("NFC", token).strip(_STRIP)
    if (not tok or _PUNCT.match(tok)) and _JUNK.search(token):
        return "invalid"  # "|", "¡", "~": OCR specks and table rules read as text
    if not tok or _PUNCT.match(tok) or "@" in tok or "://" in tok:
        return None  # punctuation, e-mail addresses and links are not judged
    tok = tok.rstrip("⁰¹²³⁴⁵⁶⁷⁸⁹")  # a footnote marker on the word
    if len(tok) < 2 and not tok.isdigit():
        return None  # a single letter: a list label, a unit ("x", "m")
    if is_syllable(tok):
        return "syllable"
    if _NUMBER.match(tok):
        return "number"
    if tok in abbreviations() or _ACRONYM.match(tok):
        return "abbr"
    if _MEASURE.match(tok):
        return "number"
    if _SYMBOL.match(tok) and all(_SYMBOL_PART.match(p) or p in abbreviations()
                                  for p in re.split(r"[/\-–&]", tok) if p):
        return "symbol"
    if "-" in tok and all(is_syllable(p) for p in tok.split("-") if p):
        return "syllable"  # "kinh-tế" written without spaces
    return "invalid"


# A page repeats its syllables: each distinct token judged once (bounded memory).
_cached_kind = lru_cache(maxsize=1 << 16)(token_kind)


@dataclass
class Quality:
    score: float  # share of valid tokens (0-1); the page's quality
    tokens: int  # tokens counted (punctuation excluded)
    syllables: int
    marked: int  # syllables carrying a diacritic (vowel mark, tone or đ)
    reason: str | None = None  # why the page is below the threshold, in a few words

    @property
    def ok(self) -> bool:
        return self.reason is None


def assess(text: str, threshold: float = THRESHOLD) -> Quality:
    """Score a page (or any text). Short texts (under 8 tokens) are not judged."""
    counts = {"syllable": 0, "number": 0, "symbol": 0, "abbr": 0, "invalid": 0}
    marked = 0
    # each distinct token judged once per page (a report repeats its words), and across
    # pages through the bounded cache
    for raw, n in Counter(text.split()).items():
        kind = _cached_kind(raw)
        if kind is None:
            continue
        counts[kind] += n
        if kind == "syllable" and _MARKED.search(raw):
            marked += n
    total = sum(counts.values())
    valid = total - counts["invalid"]
    score = valid / total if total else 1.0
    q = Quality(round(score, 3), total, counts["syllable"], marked)
    if total < 8:
        return q
    if counts["syllable"] + counts["invalid"] >= DIACRITIC_MIN_SYLLABLES and \
            marked < DIACRITIC_MIN_SHARE * (counts["syllable"] + counts["invalid"]):
        # Vietnamese without its marks: most "valid" syllables are accidents.
        q.score = round(min(score, marked / max(1, counts["syllable"] + counts["invalid"])), 3)
        q.reason = "text without diacritics"
    elif score < threshold:
        q.reason = f"{counts['invalid']} of {total} tokens are not Vietnamese"
    return q
