"""A name OCR read in a scan's header, checked against the same name in the body.

The issuer block is printed in bold capitals, which Tesseract misreads more than the
body's regular type ("BAN CHI ĐẠO CAI CÁCH HÀNH CHÍNH CA CHÍNH PHÙ" over a body that
writes "Ban Chỉ đạo cải cách hành chính của Chính phủ" several times). When the body
names the issuer with the same words, up to a letter in a few of them once diacritics are
folded, and every word of it is a Vietnamese syllable, the body's spelling is the reading
when more of the body's mentions spell it so than spell the header's reading (which counts
once itself, unless a word of it is no syllable); otherwise the header's stays (and
structure's misread check still applies).
"""
from __future__ import annotations

import re
from collections import Counter

from pipeline.text.normalize import fold
from pipeline.text.quality import is_syllable

_WORD = re.compile(r"[^\W_]+")


def _near(a: str, b: str) -> bool:
    """Equal, or one letter inserted, dropped or changed."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def body_spelling(name: str, text: str, start: int) -> str | None:
    """The body's spelling (lower case) of the header's `name`, found after `start`, when
    it differs from the header's reading; else None."""
    header = [w.lower() for w in _WORD.findall(name)]
    want = [fold(w) for w in header]
    n = len(want)
    if n < 2:
        return None
    folded = fold(text)
    spans = [(m.start(), m.end()) for m in _WORD.finditer(text, start)]
    words = [folded[a:b] for a, b in spans]
    votes: Counter = Counter()
    for i in range(len(words) - n + 1):
        if not _near(words[i], want[0]):
            continue
        window = words[i:i + n]
        if not all(_near(w, v) for w, v in zip(window, want)) \
                or sum(w != v for w, v in zip(window, want)) > max(1, n // 4):
            continue
        spelled = [text[a:b].lower() for a, b in spans[i:i + n]]
        if all(is_syllable(w) or w == h for w, h in zip(spelled, header)):  # "ubnd" as the header
            votes[" ".join(spelled)] += 1
    if not votes:
        return None
    read = " ".join(header)
    votes[read] += all(map(is_syllable, header))  # the header's reading, unless misread
    best, count = votes.most_common(1)[0]
    return best if best != read and count > votes[read] else None  # a tie keeps the header


def confirm_issuer(lines: list[str], text: str, start: int) -> list[str]:
    """Issuer lines (parent first) with the longest tail of whole lines the body spells
    otherwise replaced by the body's spelling, in capitals."""
    for k in range(len(lines)):
        spelled = body_spelling(" ".join(lines[k:]), text, start)
        if spelled:
            return lines[:k] + [spelled.upper()]
    return lines
