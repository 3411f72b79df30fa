"""A document's own number printed where its header does not show it.

A signed letter's number is written by hand into the printed "Số: …/BCA-C04" after
signing, and OCR cannot read it (extractors.ocr hides such a reading). When the number had
been given before the annex was printed, the annex caption states it in type:
"(Kèm theo Công văn số 5689/BCA-C04 ngày 16 tháng 12 năm 2025)". That caption is the
document's own number when it names the document's type, its printed suffix, and a date
that agrees with every part of the header's date that is printed. Every such caption
must agree; anything else leaves the number unread.
"""
from __future__ import annotations

import re

from pipeline.text.normalize import fold
from pipeline.text.symbols import canonicalize

# On folded text (no diacritics, lower case; one character for one): OCR writes "Só", "Sô".
# The slot of a number not read: "Số: …/BCA-C04", "Số:   /QĐ-UBND" (blank or UNREAD).
# The suffix may be broken by a space after a hyphen ("/TTr- CAT-PC04", a line wrapped or OCR).
_UNREAD_SLOT = re.compile(r"(?<![a-z])so\s*:?[\s….·_-]*"
                          r"(?P<suffix>/(?:\d{4}/)?[a-z][a-z0-9]*(?:[-/] ?[a-z0-9]+)*)")
_DATE = r"(?:\s*,?\s*ngay\s*(?P<d>\d{1,2})\s*(?:thang|/|-|\.)\s*(?P<m>\d{1,2})\s*(?:nam|/|-|\.)\s*(?P<y>\d{4}))?"
_HEADER_YEAR = re.compile(r"ngay\b.{0,30}?thang\b.{0,12}?nam\s*(?P<y>(?:19|20)\d\d)")
_HEADER_MONTH = re.compile(r"thang\s*(?P<m>\d{1,2})\s*nam\s*(?:19|20)\d\d")


def _suffix_key(suffix: str) -> str:
    return re.sub(r"\s+", "", fold(suffix))


def unread_suffix(text: str, header_end: int) -> tuple[str, int] | None:
    """(the printed suffix "/BCA-C04", its end) of the header's number slot when the
    number itself is not there, else None."""
    m = _UNREAD_SLOT.search(fold(text[:header_end]))
    return (text[m.start("suffix"):m.end("suffix")], m.end()) if m else None


def from_annex_caption(text: str, header_end: int, doc_type: str | None,
                       issued_date: str | None) -> dict | None:
    """{"number_symbol", "issued_date" (or None), "start", "end"} read from the document's
    own annex captions, or None (no unread slot, no caption, or captions that disagree)."""
    slot = unread_suffix(text, header_end)
    if not slot or not doc_type:
        return None
    suffix, _ = slot
    folded = fold(text)
    head = folded[:header_end]
    year = (m := _HEADER_YEAR.search(head)) and int(m.group("y"))
    month = (m := _HEADER_MONTH.search(head)) and int(m.group("m"))
    caption = re.compile(r"kem theo\s+" + re.escape(fold(doc_type)) + r"\s+so\s*:?\s*(?P<n>\d{1,6})\s*"
                         + r"(?P<suffix>" + re.escape(_suffix_key(suffix)) + r")(?![\w/-])" + _DATE)
    found = set()
    first = None
    for m in caption.finditer(folded, header_end):
        date = None
        if m.group("y"):
            y, mo, d = int(m.group("y")), int(m.group("m")), int(m.group("d"))
            if (year and y != year) or (month and mo != month) or not (1 <= mo <= 12 and 1 <= d <= 31):
                return None  # a caption that contradicts the header: not this document's
            date = f"{y:04d}-{mo:02d}-{d:02d}"
            if issued_date and date != issued_date:
                return None
        found.add((m.group("n"), date))
        first = first or m
    if len(found) != 1 or first is None:
        return None
    number, date = found.pop()
    symbol = canonicalize(number + text[first.start("suffix"):first.end("suffix")])
    if not symbol:
        return None
    return {"number_symbol": symbol, "issued_date": date, "start": first.start(), "end": first.end()}
