"""Dates and periods named in a document, normalized to (partial) ISO.

`extract_dates(text)` is a pure function: one pass of one combined regex over the text
finds day dates ("15/12/2023", "ngày 08 tháng 6 năm 2010", "25-10-2017"), months
("tháng 12/2023", "tháng 12 năm 2023"), years ("năm 2022", and the list "năm 2022, 2023"),
quarters and halves ("Quý I/2024", "6 tháng đầu năm 2024") and ranges ("giai đoạn
2021-2025", "từ 7/2021 đến 31/12/2023", "Từ ngày 10/9/2023-31/3/2024", "kỳ 2019-2023").
A range is one row (its ends are not repeated as separate rows).

What is NOT a date: document symbols ("63/2010/NĐ-CP": neither "63/2010" nor a year
2010), ratios ("16/19 xã", "6.326/6.469"), percentages, section numbers, bare
four-digit numbers without a date word ("ISO 9001: 2015"). Impossible dates
("30/02/2023", "tháng 13/2023") are kept, with `problem` saying why.
"""
from __future__ import annotations

import bisect
import re

from pipeline.text.vndate import date_problem, iso

# -- atoms ------------------------------------------------------------------------------
# Each atom has named groups; the same atom regex is instantiated with a suffix so the
# range pattern can hold two of them.
_SEP_DAY = r"[/\-.]"


def _day(s: str) -> str:
    """Day date: d/m/yyyy, d-m-yyyy, d.m.yyyy (same separator twice) or
    'ngày d tháng m năm yyyy'; optional leading 'ngày'."""
    return (
        rf"(?:(?P<dw{s}>ngày)\s+)?"
        rf"(?:(?P<d{s}>\d{{1,2}})\s*(?P<sep{s}>{_SEP_DAY})\s*(?P<m{s}>\d{{1,2}})\s*(?P=sep{s})\s*(?P<y{s}>\d{{4}})"
        rf"|(?P<dt{s}>\d{{1,2}})\s+tháng\s+(?P<mt{s}>\d{{1,2}})\s*,?\s+năm\s+(?P<yt{s}>\d{{4}}))"
    )


def _month(s: str, bare: bool) -> str:
    """Month: 'tháng m/yyyy', 'tháng m-yyyy', 'tháng m năm yyyy'; bare 'm/yyyy' only where
    the caller allows it (inside a range or after từ/đến …)."""
    word = r"(?:(?P<mw{s}>tháng)\s+)" + ("?" if bare else "")
    return (
        rf"{word.format(s=s)}"
        rf"(?:(?P<mo{s}>\d{{1,2}})\s*[/\-]\s*(?P<my{s}>\d{{4}})"
        rf"|(?<=tháng\s)(?P<mo2{s}>\d{{1,2}})\s+năm\s+(?P<my2{s}>\d{{4}}))"
    )


def _year(s: str, bare: bool) -> str:
    word = r"(?:(?P<yw{s}>năm)\s+)" + ("?" if bare else "")
    return rf"{word.format(s=s)}(?P<yy{s}>(?:19|20)\d\d)"


def _quarter(s: str) -> str:
    return (rf"(?P<qw{s}>quý)\s+(?P<q{s}>IV|I{{1,3}}|[1-4])\s*(?:/|-|\s+năm\s+|\s+)\s*"
            rf"(?P<qy{s}>(?:19|20)\d\d)")


def _half(s: str) -> str:
    return (rf"(?P<hn{s}>\d{{1,2}})\s+tháng\s+(?P<hp{s}>đầu|cuối)\s+năm\s+"
            rf"(?P<hy{s}>(?:19|20)\d\d)")


def _atom(s: str, bare: bool) -> str:
    # Order matters: longest/most specific first.
    return "(?:" + "|".join([_quarter(s), _half(s), _day(s), _month(s, bare), _year(s, bare)]) + ")"


# Not inside a number or a symbol: no digit, slash, dot-digit or letter right before.
_LEFT = r"(?<![\w/.])(?<!\d,)"
# Not followed by more digits, a symbol tail ("/NĐ-CP", "/2010/…"), a decimal or a ratio.
_RIGHT = r"(?![\d/])(?![.,]\d)(?!-[A-ZĐ])"

_RANGE_LEAD = (r"(?P<lead>(?:(?:kể\s+)?từ|giai\s+đoạn|thời\s+kỳ|nhiệm\s+kỳ|kỳ|năm\s+học|"
               r"niên\s+khóa|niên\s+độ)\s+)")
_RANGE_SEP = r"\s*(?P<rsep>-|–|—|đến|tới)\s*(?:hết\s+)?"

# A range needs a lead word ("từ", "giai đoạn" …) unless both ends carry a date word or
# are full day dates; bare years need the lead.
RANGE = (
    rf"{_LEFT}{_RANGE_LEAD}?(?P<a>{_atom('a', True)}){_RANGE_SEP}(?P<b>{_atom('b', True)}){_RIGHT}"
)
SINGLE = rf"{_LEFT}(?P<single>{_atom('s', False)}){_RIGHT}"
# "năm 2022, 2023" / "năm 2022 và 2023": the extra years of a list after a year.
YEAR_LIST_TAIL = re.compile(
    rf"[⁰¹²³⁴⁵⁶⁷⁸⁹]*(?:\s*,\s*|\s+và\s+)(?P<yy>(?:19|20)\d\d)(?![\d/])(?![.,]\d)")
# After these words a bare "7/2021" is a month.
_BARE_MONTH_CUE = re.compile(r"(?:từ|đến|tới|trước|sau|cuối|đầu|hết|tháng)\s*$", re.IGNORECASE)
BARE_MONTH = re.compile(rf"{_LEFT}(?P<mo>\d{{1,2}})\s*/\s*(?P<my>(?:19|20)\d\d){_RIGHT}")

# The lookahead rejects most positions at once (every match starts with a digit or one of
# the words từ, giai đoạn, thời kỳ, nhiệm kỳ, kỳ, kể từ, năm, niên, ngày, tháng, quý):
# twice as fast on ordinary text.
PATTERN = re.compile(f"(?=[\\dnNtTgGkKqQ])(?:{RANGE}|{SINGLE})", re.IGNORECASE)

# Ranges whose first end borrows month/year from the second: "từ ngày 10 đến ngày
# 15/5/2024", "ngày 10-15/5/2024", "từ tháng 7 đến tháng 12/2023".
PARTIAL_DAY_RANGE = re.compile(
    rf"{_LEFT}(?:(?P<lead>từ)\s+)?(?P<dw>ngày)?\s*(?P<d1>\d{{1,2}})\s*(?:-|–|đến|tới)\s*(?:ngày\s+)?"
    rf"(?P<d2>\d{{1,2}})\s*(?P<sep>[/\-.])\s*(?P<m>\d{{1,2}})\s*(?P=sep)\s*(?P<y>\d{{4}}){_RIGHT}",
    re.IGNORECASE)
PARTIAL_MONTH_RANGE = re.compile(
    rf"{_LEFT}(?:(?P<lead>từ)\s+)?tháng\s+(?P<m1>\d{{1,2}})\s*(?:-|–|đến|tới)\s*(?:hết\s+)?(?:tháng\s+)?"
    rf"(?P<m2>\d{{1,2}})\s*(?:/|-|\s+năm\s+)\s*(?P<y>\d{{4}}){_RIGHT}",
    re.IGNORECASE)

_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}


def _parse_atom(m: re.Match, s: str) -> dict | None:
    """(value, kind, end_value, problem, has_word) of one atom; end_value for spans
    (quarter, half-year)."""
    g = lambda name: m.group(name + s)  # noqa: E731
    if g("q"):
        q = g("q").upper()
        n = _ROMAN.get(q) or int(q)
        y = int(g("qy"))
        return dict(value=iso(y, 3 * n - 2), end=iso(y, 3 * n), kind="range",
                    problem=date_problem(y, 1), word=True)
    if g("hn"):
        n, y = int(g("hn")), int(g("hy"))
        first = g("hp").lower() == "đầu"
        if not 1 <= n <= 12:
            return dict(value=iso(y), end=None, kind="year", problem=f"impossible span {n} tháng",
                        word=True)
        a, b = (1, n) if first else (13 - n, 12)
        return dict(value=iso(y, a), end=iso(y, b), kind="range", problem=date_problem(y, 1),
                    word=True)
    if g("d") or g("dt"):
        d, mo, y = ((g("d"), g("m"), g("y")) if g("d") else (g("dt"), g("mt"), g("yt")))
        d, mo, y = int(d), int(mo), int(y)
        return dict(value=iso(y, mo, d), end=None, kind="day", problem=date_problem(y, mo, d),
                    word=True)
    if g("mo") or g("mo2"):
        mo, y = (g("mo"), g("my")) if g("mo") else (g("mo2"), g("my2"))
        mo, y = int(mo), int(y)
        if not 1 <= mo <= 12 and not (g("mw") or g("mo2")):
            return None  # "13/2023" without "tháng" is a ratio, not a month
        return dict(value=iso(y, mo), end=None, kind="month", problem=date_problem(y, mo),
                    word=bool(g("mw") or g("mo2")))
    if g("yy"):
        y = int(g("yy"))
        return dict(value=iso(y), end=None, kind="year", problem=date_problem(y, 1),
                    word=bool(g("yw")))
    return None


def _row(surface_start: int, surface_end: int, text: str, value, kind, end=None, problem=None):
    return {"surface": text[surface_start:surface_end], "value": value, "kind": kind,
            "range_end": end, "problem": problem, "start": surface_start, "end": surface_end}


def extract_dates(text: str) -> list[dict]:
    """Every date/period in `text`: dicts with surface, value, kind, range_end, problem,
    start, end (text[start:end] == surface), sorted by start."""
    rows: list[dict] = _partial_ranges(text)
    partial = _Spans(rows)
    for m in PATTERN.finditer(text):
        if partial.overlaps(m.start(), m.end()):
            continue
        if m.group("single") is not None:
            atom = _parse_atom(m, "s")
            if atom is None:
                continue
            rows.append(_row(m.start("single"), m.end("single"), text, atom["value"],
                             atom["kind"], atom["end"], atom["problem"]))
            if atom["kind"] == "year":
                _year_list(text, m.end("single"), rows)
            continue
        a, b = _parse_atom(m, "a"), _parse_atom(m, "b")
        lead = m.group("lead")
        if a is None or b is None or not _range_ok(m, a, b, lead):
            # Not a range after all: take the left atom alone if it stands on its own,
            # and let the scan resume right after it.
            _fallback(m, text, rows)
            continue
        start = m.start("lead") if lead else m.start("a")
        # "giai đoạn 2021-2025": the lead word belongs to the surface.
        end_value = b["end"] or b["value"]
        problem = a["problem"] or b["problem"]
        if not problem and _iso_key(end_value) < _iso_key(a["value"]):
            problem = "range ends before it starts"
        rows.append(_row(start, m.end("b"), text, a["value"], "range", end_value, problem))
    # Bare "7/2021" after từ/đến … (outside ranges).
    taken = _Spans(rows)
    for m in BARE_MONTH.finditer(text):
        if taken.overlaps(m.start(), m.end()):
            continue
        if not _BARE_MONTH_CUE.search(text[max(0, m.start() - 12):m.start()]):
            continue
        mo, y = int(m.group("mo")), int(m.group("my"))
        if 1 <= mo <= 12:
            rows.append(_row(m.start(), m.end(), text, iso(y, mo), "month", None,
                             date_problem(y, mo)))
    rows.sort(key=lambda r: r["start"])
    return rows


class _Spans:
    """Non-overlapping row spans, for O(log n) overlap tests."""

    def __init__(self, rows):
        spans = sorted((r["start"], r["end"]) for r in rows)
        self.starts = [s for s, _ in spans]
        self.ends = [e for _, e in spans]

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self.starts, end) - 1  # last span starting before `end`
        return i >= 0 and self.ends[i] > start


def _partial_ranges(text: str) -> list[dict]:
    rows = []
    for m in PARTIAL_DAY_RANGE.finditer(text):
        if not (m.group("lead") or m.group("dw")):
            continue  # "10-15/5/2024" alone could be anything; "ngày"/"từ" make it a date
        d1, d2, mo, y = (int(m.group(k)) for k in ("d1", "d2", "m", "y"))
        problem = date_problem(y, mo, d1) or date_problem(y, mo, d2) or \
            (None if d1 <= d2 else "range ends before it starts")
        rows.append(_row(m.start(), m.end(), text, iso(y, mo, d1), "range", iso(y, mo, d2), problem))
    for m in PARTIAL_MONTH_RANGE.finditer(text):
        m1, m2, y = (int(m.group(k)) for k in ("m1", "m2", "y"))
        problem = date_problem(y, m1) or date_problem(y, m2) or \
            (None if m1 <= m2 else "range ends before it starts")
        rows.append(_row(m.start(), m.end(), text, iso(y, m1), "range", iso(y, m2), problem))
    return rows


def _iso_key(value: str) -> str:
    return value or ""


def _range_ok(m: re.Match, a: dict, b: dict, lead: str | None) -> bool:
    """Is `a SEP b` really a range? Both ends need a date word or the lead word; a dash
    between two bare numbers needs the lead ("giai đoạn 2021-2025")."""
    if a["kind"] == "range" or b["kind"] == "range":
        return False
    sep = m.group("rsep").lower()
    a_bare = not a["word"]
    b_bare = not b["word"]
    if (a_bare or b_bare) and not lead:
        # "năm 2022 - 2023" (word on the left only) is fine; a bare number on the left is not.
        if a_bare:
            return False
    if a["kind"] == "year" and b["kind"] != "year" and b_bare:
        return False
    if sep in ("-", "–", "—") and a["kind"] == "year" and b["kind"] == "year":
        return True
    return True


def _fallback(m: re.Match, text: str, rows: list[dict]) -> None:
    """A RANGE match that is not a range: re-scan its text as singles."""
    sub_end = m.end()
    for sm in re.finditer(SINGLE, text[m.start():sub_end],
                          re.IGNORECASE):
        atom = _parse_atom(sm, "s")
        if atom is None:
            continue
        s, e = m.start() + sm.start("single"), m.start() + sm.end("single")
        rows.append(_row(s, e, text, atom["value"], atom["kind"], atom["end"], atom["problem"]))


def _year_list(text: str, pos: int, rows: list[dict]) -> None:
    """After "năm 2022": ", 2023" / " và 2023" are more years of the same list."""
    while True:
        t = YEAR_LIST_TAIL.match(text, pos)
        if not t:
            return
        y = int(t.group("yy"))
        rows.append(_row(t.start("yy"), t.end("yy"), text, iso(y), "year", None,
                         date_problem(y, 1)))
        pos = t.end()


def analyze(ctx) -> None:
    for row in extract_dates(ctx.text):
        row.update(ctx.provenance(row["start"], row["end"]))
        ctx.add("dates", row)
