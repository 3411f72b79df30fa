"""Figures: every numeric indicator in a document, with what it counts and its scope.

`extract_figures(text)` is pure (text in, list of dicts out) so that the benchmark and
the tests can run it alone; the stage `analyze(ctx)` adds ids and provenance.

A figure is a number as written ("6.326/6.469 hồ sơ", "97,79%", "1,5 tỷ đồng", "83,288
điểm", "hai xã") with: value (VND for money), unit (the counted noun), kind (count,
ratio, percent, money, score, rank, other), numerator/denominator for a/b, the stated
precision (decimals), a short subject phrase and the scope (year, level, place) taken
from the sentence or its paragraph head ("Năm 2023:", "- Cấp xã:").

Not figures: dates, month/year, years and year ranges, document numbers and symbols
(63/2010/NĐ-CP, 18-NQ/TW, "Nghị định 59"), section numbers ("1.2.", "II.", "(3)"),
article/level labels ("Điều 5", "mức độ 3", "ISO 9001").
"""
from __future__ import annotations

import bisect
import re
from functools import lru_cache

from pipeline.text.numbers import NUMBER, parse_number, units, words_to_number
from pipeline.text.sentences import SentenceIndex
from pipeline.text.vndate import DAY_DATE

KINDS = ("count", "ratio", "percent", "money", "score", "rank", "other")

SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹"  # footnote markers: they end a word, they are not part of it
L = rf"[^\W\d_{SUP}]"  # a letter (Vietnamese included)
W = rf"[^\W{SUP}]"  # a word character that is not a footnote marker

# ---- what is not a figure -----------------------------------------------------------
_EXCLUDE = [
    DAY_DATE,
    # month/year "7/2021", "tháng 12/2023", "12-2023" (each pattern starts with a character
    # class and checks the character before it afterwards: the regex engine then skips
    # fast to the digits)
    re.compile(r"[0-9](?<![\d/.,][0-9])(?:(?<=0)[1-9]|(?<=1)[0-2]?|(?<=[2-9]))"
               r"\s*[/\-]\s*(?:19|20)\d{2}(?![\d/])"),
    # a year after "năm" is a date, also when a unit word follows ("năm 2023 huyện đã …")
    re.compile(r"(?<![^\W\d_])[nN](?i:ăm)\s+(?:19|20)\d{2}(?![\d.,/]\d)"),
    # year ranges "2021-2025", "2021 - 2030"
    re.compile(r"[12](?<![\d.,][12])(?:(?<=1)9|(?<=2)0)\d{2}\s*[-–]\s*(?:19|20)?\d{2}(?!\d)"),
    # symbols: 63/2010/NĐ-CP, 4011/QĐ-UBND, 1381/UBND-KSTT, 56/2017/QH14, 06/QĐ-TTg
    # (never started inside a number or a "1/2/3…" chain: a start there is covered by the
    # chain's first number, and retrying from each one made long chains quadratic)
    re.compile(r"(?<!\d)(?<!\d/)(?<!\d\s/)(?<!\d/\s)(?<!\d\s/\s)"
               rf"\d+(?:\s*/\s*\d+)*\s*/\s*[A-ZĐ](?:[\wĐđ&.]|-(?=[\wĐ]))*"),
    # Party symbols 18-NQ/TW, 07-KH/TW, and "NĐ-CP" written without the year
    re.compile(r"[0-9]\d*\s*-\s*[A-ZĐ][A-ZĐa-z]*\s*/\s*[A-ZĐ][\wĐ-]*"),
    # section numbers at the start of a line: "1.", "1.2.", "II.", "(3)", "a)"
    re.compile(r"(?m)^\s*(?:[-–•*]\s*)?(?:\(?\d+(?:\.\d+)*[.)]+|\(\d+\)|[IVXLC]+\.)(?=\s)"),
    # a table row number in the first cell: "3.2 | Số UBND cấp xã …"
    re.compile(r"(?m)^\s*\d+(?:\.\d+)*\.?(?=\s*\|)"),
    # codes in a table legend: "Có = 1; Không = 0"
    re.compile(r"=\s*\d+"),
    # "điểm 3 khoản 2 Điều 5": a legal reference
    re.compile(r"[đĐ](?<![^\W\d_][đĐ])(?i:iểm)\s+\d+(?=\s*,?\s*(?i:khoản|điều)\b)"),
    # a day and month without a year: "ngày 15 tháng 12", "ngày 31/12"
    re.compile(r"[nN](?<![^\W\d_][nN])(?i:gày)\s+\d{1,2}(?:\s+(?i:tháng)\s+\d{1,2}|\s*[/\-.]\s*\d{1,2})"),
    # times "8h30", "14 giờ 30 phút" stay counts; telephone-like digit runs do not
    re.compile(r"\b0\d{2,3}[.\s]\d{3}[.\s]\d{3,4}\b"),
]

CANDIDATE = re.compile(
    rf"(?<![\w.,/%\-–])(?P<a>{NUMBER})(?:\s*/\s*(?P<b>{NUMBER}))?(?=[đ₫](?!{L})|(?!{W}|/|[.,]\d))"
)
# A number that names a document, an article, a level or a standard ("Nghị định 59",
# "Điều 5", "mức độ 3", "ISO 9001"): not a figure unless a unit follows it
# ("báo cáo 38.687 hồ sơ" is one).
LABEL_BEFORE = re.compile(
    r"(?i)\b(?:nghị định|quyết định|thông tư(?: liên tịch)?|nghị quyết|chỉ thị|công văn|"
    r"văn bản|kế hoạch|báo cáo|đề án|quy định|luật|pháp lệnh|hướng dẫn|thông báo|"
    r"tờ trình|kết luận|chương trình|lần thứ|khóa|nhiệm kỳ|quốc lộ|tỉnh lộ|ql|tl|"
    r"phiên bản|version|covid|tổ|khu|tiểu khu|lô|số nhà|điện thoại|fax|"
    r"dự thảo|biểu mẫu|mẫu số|phiếu số|biểu số|bảng|phòng|hội nghị lần|mức|tiêu chí|"
    r"đợt|vòng|giai đoạn|cấp độ|kỳ họp|phiên|mã|mã số|ký hiệu)"
    r"\s+(?:số\s+)?$")
# Labels whose number is never a quantity, whatever follows ("Điều 14 Nghị định này").
STRONG_LABEL_BEFORE = re.compile(
    r"(?i)\b(?:điều|khoản|chương|mục|phần|phụ lục|mức độ|iso|tcvn|qcvn|"
    r"tiêu chuẩn|quy chuẩn|tháng|quý|tuần|ngày|tiểu mục|tiết|"
    r"(?<!xếp )(?<!đứng )(?<!xếp hạng )thứ)\s+(?:số\s+)?$")
PERCENT_AFTER = re.compile(r"\s?%|\s+phần trăm\b")
RANK_BEFORE = re.compile(r"(?i)(?:xếp|đứng|xếp hạng|hạng)\s+(?:thứ\s+)?$")
DOC_NOUNS = {"nghị định", "quyết định", "thông tư", "nghị quyết", "chỉ thị", "công văn",
             "văn bản", "kế hoạch", "báo cáo", "đề án", "quy định", "luật", "chương trình"}
MULTIPLIERS = {"nghìn": 1e3, "ngàn": 1e3, "triệu": 1e6, "tỷ": 1e9, "tỉ": 1e9}


@lru_cache(maxsize=1)
def _unit_table():
    """(regex of every unit, unit -> (kind, factor))."""
    data = units()
    table: dict[str, tuple[str, float]] = {}
    for name in data["counted"]:
        table[name] = ("count", 1.0)
    for name in data["measure"]:
        table[name] = ("other", 1.0)
    for name in data["score"]:
        table[name] = ("score", 1.0)
    for name, factor in data["money"].items():
        table[name] = ("money", float(factor))
    names = sorted(table, key=len, reverse=True)
    pattern = re.compile(
        r"\s*(" + "|".join(re.escape(n) for n in names) + rf")(?!{L}|\d)", re.IGNORECASE)
    lower = {k.lower(): v for k, v in table.items()}
    canon = {k.lower(): k for k in table}
    return pattern, lower, canon


def _match_unit(text: str, pos: int):
    """The unit right after `pos`: (unit, kind, factor, end) or None."""
    pattern, lower, canon = _unit_table()
    while pos < len(text) and text[pos] in SUP:  # "38.687¹ hồ sơ": a footnote marker between
        pos += 1
    m = pattern.match(text, pos)
    if not m:
        return None
    word = m.group(1)
    key = word.lower()
    kind, factor = lower[key]
    # "đ" alone must touch the number ("500đ"); upper-case abbreviations must be upper case
    if key == "đ" and m.start(1) != pos:
        return None
    if canon[key].isupper() and not word.isupper():
        return None
    return word, kind, factor, m.end()


def _excluded_mask(text: str) -> list[tuple[int, int]]:
    spans = []
    for rx in _EXCLUDE:
        spans.extend(m.span() for m in rx.finditer(text) if m.end() > m.start())
    spans.sort()
    merged: list[list[int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [tuple(x) for x in merged]


class _Mask:
    def __init__(self, spans):
        self.spans = spans
        self.starts = [s for s, _ in spans]

    def hits(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self.starts, end - 1) - 1
        return i >= 0 and self.spans[i][1] > start


# ---- number words -------------------------------------------------------------------
_WORD_NUM = (r"(?:không|một|mốt|hai|ba|bốn|tư|năm|lăm|nhăm|sáu|bảy|bẩy|tám|chín|mười|"
             r"mươi|linh|lẻ|trăm)")
WORD_CANDIDATE = re.compile(
    rf"[kmhbtnlscKMHBTNLSC](?<!{L}[kmhbtnlscKMHBTNLSC])(?<=(?=(?i:{_WORD_NUM}))[^\n])"
    rf"[^\W\d_]*(?:\s+(?i:{_WORD_NUM}))*(?!{L})")


def _word_figures(text: str, mask: _Mask) -> list[tuple[int, int, float]]:
    """Number words followed by a counted noun: 'hai xã', 'ba mươi mốt hồ sơ'."""
    out = []
    for m in WORD_CANDIDATE.finditer(text):
        unit = _match_unit(text, m.end())
        if not unit or unit[1] != "count" or text[m.end():m.end() + 1] != " ":
            continue
        words = m.group(0).split()
        # the longest suffix that is a number ("trong năm hai xã" -> "hai")
        for i in range(len(words)):
            phrase = " ".join(words[i:])
            value = words_to_number(phrase)
            if value is None:
                continue
            if len(words) - i == 1 and words[i].lower() in ("một", "không", "năm"):
                break  # article "một", negation "không", "năm" (year) are too ambiguous
            start = m.start() + len(" ".join(words[:i])) + (1 if i else 0)
            if not mask.hits(start, m.end()):
                out.append((start, m.end(), float(value)))
            break
    return out


# ---- scope and subject --------------------------------------------------------------
YEAR_RX = re.compile(r"(?i)\bnăm\s+((?:19|20)\d{2})(?!\d)")
COMPARED = re.compile(r"(?i)(?:so với|cùng kỳ|so|hơn)\s*$")
PERIOD_RX = re.compile(
    r"(?i)\b(?:giai đoạn|thời kỳ|nhiệm kỳ|kỳ)\s+((?:19|20)\d{2})\s*[-–]\s*((?:19|20)\d{2})")
# "Năm 2023:" heading a paragraph (or starting a sentence inside a footnote)
HEAD_YEAR_RX = re.compile(
    rf"(?:^|(?<=[\n.;{SUP}])\s*|(?<=\n[-–•*+] ))(?:Năm|NĂM|Trong năm)\s+((?:19|20)\d{{2}})\s*[:.]",
    re.MULTILINE)
LEVEL_RX = re.compile(r"(?i)\bcấp\s+(tỉnh|huyện|xã|thôn|trung ương|cơ sở)\b")
HEAD_LEVEL_RX = re.compile(r"(?i)\s*(?:[-–•*+]\s*)?(cấp\s+(?:tỉnh|huyện|xã|thôn))\s*:")
PLACE_RX = re.compile(
    r"\b((?:xã|phường|thị trấn|huyện|thị xã|thành phố|tỉnh)\s+"
    r"[A-ZĐ][^\W\d_]*(?:\s+[A-ZĐ][^\W\d_]*)*)")
CLAUSE_BREAK = re.compile(r"[,;:()\[\]\n|]|(?<=\s)[-–](?=\s)|\.(?=\s|$)")
LEAD_WORDS = re.compile(
    r"(?i)^(?:\s|và|với|trong đó|cụ thể|gồm|bao gồm|đã|còn|có|là|đạt|chiếm|được|"
    r"tương ứng|bằng|đối với|trong)+(?=\s|$)")
TAIL_WORDS = re.compile(
    r"(?i)(?:\s+(?:là|có|đạt|chiếm|được|đối với|gồm|bao gồm|với|bằng|tổng cộng|khoảng|"
    r"gần|hơn|trên|dưới|trong đó|cụ thể|từ|xuống còn|còn|lên|cho|tại|ở))+$")
SUBJECT_NOISE = re.compile(rf"[*{SUP}]|\b(?:năm|Năm)\s+(?:19|20)\d{{2}}\b|\s+\.$")
UNIT_AFTER_SO = None  # built lazily: "số <unit>" names the unit of a bare number


def _clean_subject(s: str) -> str:
    s = SUBJECT_NOISE.sub(" ", s)
    s = " ".join(s.split()).strip(" .,;:-–")
    s = TAIL_WORDS.sub("", " " + s).strip()
    s = LEAD_WORDS.sub("", s).strip()
    return " ".join(s.split()[-12:])


def _left_clause(text: str, lo: int, start: int) -> tuple[str, str]:
    """(clause before the number, the label before a ':' that ends the clause)."""
    left = text[lo:start]
    cuts = list(CLAUSE_BREAK.finditer(left))
    if not cuts:
        return left, ""
    clause = left[cuts[-1].end():]
    label = ""
    if cuts[-1].group(0) == ":":
        prev = cuts[-2].end() if len(cuts) > 1 else 0
        label = left[prev:cuts[-1].start()]
    return clause, label


def _subject(text: str, s_start: int, fig: dict, prev_end: int) -> str | None:
    start, end = fig["start"], fig["end"]
    clause, label = _left_clause(text, max(s_start, prev_end), start)
    subject = _clean_subject(clause)
    if len(subject.split()) >= 3 or (subject and not LEVEL_RX.fullmatch(subject)
                                       and len(subject.split()) == 2):
        return subject
    # "143 hồ sơ chưa số hóa …", "Cấp huyện có 37/70 TTHC phát sinh hồ sơ": the words
    # after the figure describe it
    right = text[end:end + 160]
    m = CLAUSE_BREAK.search(right)
    after = _clean_subject(right[:m.start()] if m else right)
    if after and not re.search(r"\d", after):
        head = fig["unit"] if fig["unit"] and fig["unit"] != "%" else ""
        return " ".join(f"{subject} {head} {after}".split()[:10])
    if not subject and label:
        subject = _clean_subject(label)
    return subject or None


def _unit_from_clause(text: str, lo: int, start: int) -> str | None:
    """'số TTHC thuộc thẩm quyền …: 305' -> 'TTHC' (a bare number takes the noun after
    'số' / 'số lượng' / 'tổng số' in its own clause)."""
    global UNIT_AFTER_SO
    if UNIT_AFTER_SO is None:
        pattern, _, _ = _unit_table()
        UNIT_AFTER_SO = re.compile(r"(?i)\bsố(?:\s+lượng)?" + pattern.pattern, re.IGNORECASE)
    left = text[lo:start]
    cuts = [m.end() for m in re.finditer(r"[,;()\n]|\.(?=\s)", left)]
    clause = left[cuts[-1]:] if cuts else left
    m = None
    for m in UNIT_AFTER_SO.finditer(clause):
        pass
    if not m:
        return None
    word = m.group(1)
    hit = _match_unit(clause, m.start(1))
    return hit[0] if hit and hit[1] == "count" else (word if False else None)


class _Heads:
    """Positions of 'Năm 2023:' heads, to give a year to the sentences under them."""

    def __init__(self, text: str):
        self.items = [(m.start(), m.group(1)) for m in HEAD_YEAR_RX.finditer(text)]
        self.starts = [p for p, _ in self.items]

    def year(self, block_start: int, offset: int) -> str | None:
        i = bisect.bisect_right(self.starts, offset) - 1
        if i >= 0 and self.items[i][0] >= block_start:
            return self.items[i][1]
        return None


SCOPE_WINDOW = 400  # chars of the sentence before a figure that can scope it (keeps it linear)


def _scope(text, s_start, s_end, start, block_start, heads: _Heads, cache: dict | None = None):
    """(scope, period) from the sentence up to the figure, then the paragraph head."""
    before = text[max(s_start, start - SCOPE_WINDOW):start]
    parts = []
    period = None
    # "so với cùng kỳ năm 2023" names the year compared with, not the figure's year
    years = [y for y in YEAR_RX.finditer(before)
             if not COMPARED.search(before, max(0, y.start() - 16), y.start())]
    periods = list(PERIOD_RX.finditer(before))
    if periods and (not years or periods[-1].start() > years[-1].start()):
        period = f"{periods[-1].group(1)}-{periods[-1].group(2)}"
    elif years:
        period = years[-1].group(1)
    if period is None:
        period = heads.year(block_start, start)
    if period is None:
        key = (s_start, s_end)
        whole = cache.get(key) if cache is not None else None
        if whole is None:
            whole = {y.group(1) for y in YEAR_RX.finditer(text, s_start, s_end)
                     if not COMPARED.search(text, max(s_start, y.start() - 16), y.start())}
            if cache is not None:
                cache[key] = whole
        if len(whole) == 1:
            period = next(iter(whole))
    if period:
        parts.append(f"năm {period}" if "-" not in period else f"giai đoạn {period}")
    clause = before[before.rfind(";") + 1:]
    levels = LEVEL_RX.findall(clause)
    # "3.743 biên chế cấp tỉnh, 6.233 biên chế cấp xã": the level named right after wins
    after = text[start:start + 80]
    cut = CLAUSE_BREAK.search(after)
    after_levels = LEVEL_RX.findall(after[:cut.start()] if cut else after)
    if after_levels:
        levels = after_levels
    if levels:
        parts.append(f"cấp {levels[-1].lower()}")
    else:
        hm = HEAD_LEVEL_RX.match(text, block_start, start)  # no slice: paragraphs can be long
        if hm:
            parts.append(hm.group(1).lower())
    places = PLACE_RX.findall(before)
    if places:
        parts.append(places[-1])
    return ("; ".join(parts) or None), period


# ---- extraction ---------------------------------------------------------------------

def extract_figures(text: str, block_starts: list[int] | None = None,
                    sentences: SentenceIndex | None = None) -> list[dict]:
    """Every figure in `text`, in order, as dicts with offsets into `text`."""
    mask = _Mask(_excluded_mask(text))
    sentences = sentences or SentenceIndex(text)
    if block_starts is None:
        block_starts = [0] + [m.end() for m in re.finditer(r"\n+", text)]
    raw: list[dict] = []
    for m in CANDIDATE.finditer(text):
        start, end = m.span()
        if mask.hits(start, end):
            continue
        fig = _digit_figure(text, m)
        if fig:
            raw.append(fig)
    for start, end, value in _word_figures(text, mask):
        unit = _match_unit(text, end)
        raw.append(dict(start=start, end=unit[3], value=value, unit=unit[0], kind="count",
                        decimals=0, numerator=None, denominator=None, stated_percent=None))
    raw.sort(key=lambda f: f["start"])
    _inherit_units(text, raw)
    _table_units(text, raw)
    heads = _Heads(text)
    year_cache: dict = {}
    prev_end, prev_sentence, prev_fig = 0, None, None
    units_by_whole: dict[float, str] = {}  # denominator -> unit, in the current sentence
    for fig in raw:
        s_start, s_end = sentences.around(fig["start"])
        if s_start > fig["start"]:
            s_start, s_end = fig["start"], fig["end"]
        if (s_start, s_end) != prev_sentence:
            prev_end, prev_sentence = s_start, (s_start, s_end)
            units_by_whole = {}
        b = bisect.bisect_right(block_starts, fig["start"]) - 1
        block_start = block_starts[b] if b >= 0 else 0
        fig["surface"] = text[fig["start"]:fig["end"]]
        fig["sentence_start"], fig["sentence_end"] = s_start, s_end
        if fig["unit"] is None and fig["kind"] in ("count", "ratio"):
            fig["unit"] = _unit_from_clause(text, max(s_start, prev_end), fig["start"])
        if fig["unit"] is None and prev_fig is not None and prev_fig["sentence_start"] == s_start:
            fig["unit"] = _sibling_unit(text, fig, prev_fig, units_by_whole)
        fig["subject"] = _subject(text, s_start, fig, prev_end)
        if fig["subject"] is None and fig["kind"] == "percent" and prev_fig \
                and prev_fig["sentence_start"] == s_start:
            fig["subject"] = prev_fig["subject"]  # "…, đạt 97,79%": what the ratio measured
        fig["scope"], fig["period"] = _scope(text, s_start, s_end, fig["start"], block_start,
                                             heads, year_cache)
        prev_end, prev_fig = fig["end"], fig
        if fig["kind"] == "ratio" and fig["unit"]:
            units_by_whole[fig["denominator"]] = fig["unit"]
    return raw


def _digit_figure(text: str, m: re.Match) -> dict | None:
    start, end = m.span()
    a_s, b_s = m.group("a"), m.group("b")
    a, a_dec = parse_number(a_s)
    b = parse_number(b_s)[0] if b_s else None
    # a bare year (2023) is not a figure unless a counted noun follows
    if b is None and re.fullmatch(r"(?:19|20)\d{2}", a_s):
        u = _match_unit(text, end)
        if not u or u[1] != "count" or u[0].lower() in ("năm", "tháng", "ngày"):
            return None
    if b is None and STRONG_LABEL_BEFORE.search(text, max(0, start - 20), start):
        return None
    if b is None and LABEL_BEFORE.search(text, max(0, start - 40), start):
        u = _match_unit(text, end)
        if not u or u[0].lower() in DOC_NOUNS:
            return None
    fig = dict(start=start, end=end, value=a, unit=None, kind="count", decimals=a_dec,
               numerator=None, denominator=None, stated_percent=None)
    pm = PERCENT_AFTER.match(text, end)
    if pm and b is None:
        fig.update(end=pm.end(), unit="%", kind="percent", stated_percent=a)
        return fig
    if b is not None:
        fig.update(kind="ratio", numerator=a, denominator=b)
    if RANK_BEFORE.search(text[max(0, start - 20):start]):
        fig["kind"] = "rank"
        if b is None and a_dec:
            return None
    unit = _match_unit(text, end)
    if unit and unit[0].lower() in MULTIPLIERS:
        # "1,2 triệu người" (a count) vs "1,5 tỷ" (money) vs "1,5 tỷ đồng"
        factor = MULTIPLIERS[unit[0].lower()]
        after = _match_unit(text, unit[3])
        if after and after[1] == "count":
            fig.update(value=a * factor, unit=after[0], end=after[3])
            return fig
        if unit[0].lower() in ("nghìn", "ngàn"):
            fig.update(value=a * factor, end=unit[3])
            return fig
    if unit:
        word, kind, factor, u_end = unit
        fig["end"] = u_end
        if kind == "money":
            fig.update(kind="money" if fig["kind"] == "count" else fig["kind"], unit="đồng",
                       value=a * factor if b is None else a)
            if b is not None:
                fig.update(numerator=a * factor, denominator=b * factor, value=a * factor)
        elif kind == "score" and fig["kind"] in ("count", "ratio"):
            fig.update(kind="score", unit=word)  # "91,56/100 điểm" is a score out of 100
        elif kind == "other" and fig["kind"] == "count":
            fig.update(kind="other", unit=word)
        else:
            fig["unit"] = word
    if b is None and fig["unit"] and fig["kind"] in ("count", "money"):
        # "191 hồ sơ/200 hồ sơ", "12,35 tỷ đồng/15,2 tỷ đồng": a ratio with the unit twice
        dm = re.compile(rf"\s*/\s*({NUMBER})(?![\d/])").match(text, fig["end"])
        if dm:
            den = parse_number(dm.group(1))[0]
            u2 = _match_unit(text, dm.end())
            if fig["kind"] == "money":
                if not u2 or u2[1] != "money":
                    return fig
                fig.update(kind="ratio", numerator=fig["value"], denominator=den * u2[2], end=u2[3])
                return fig
            end2 = u2[3] if u2 and u2[0].lower() == fig["unit"].lower() else dm.end()
            fig.update(kind="ratio", numerator=a, denominator=den, end=end2)
            return fig
    if fig["kind"] == "count" and not fig["unit"]:
        if re.search(r"(?i)\bđiểm(?:\s+số)?\s*(?:là|đạt)?\s*:?\s*$", text[max(0, start - 20):start]):
            fig.update(kind="score", unit="điểm")  # "tổng điểm 86,45", "điểm: 83,288"
        elif a_dec:
            fig["kind"] = "other"
    return fig


LABEL_ONLY = re.compile(r"(?i)\s*(?:và\s+)?(?:cấp\s+(?:tỉnh|huyện|xã|thôn)|nam|nữ|trực tuyến|trực tiếp)\s*:?\s*")


def _sibling_unit(text, fig, prev, sentence_figs: dict):
    """A bare number among labelled siblings takes their unit: "305 …; cấp xã: 155",
    "337 tài khoản, trong đó: cấp huyện 188, cấp xã 149", "649/10.948 hồ sơ …
    6.128/10.948" (same whole)."""
    if fig["kind"] == "ratio":
        return sentence_figs.get(fig["denominator"])
    if fig["kind"] != "count" or prev["kind"] not in ("count", "ratio") or not prev["unit"]:
        return None
    label = re.split(r"[,;(]", text[prev["end"]:fig["start"]])[-1]
    label = re.sub(r"(?i)\btrong đó\s*:?", "", label)
    return prev["unit"] if LABEL_ONLY.fullmatch(label) else None


def _inherit_units(text: str, figs: list[dict]) -> None:
    """A bare number repeating an earlier figure ("83,288" after "83,288 điểm") takes its
    unit and kind; so does "số TTHC …: 305" from the noun after "số"."""
    seen: dict[str, dict] = {}
    for f in figs:
        key = text[f["start"]:f["end"]]
        if f["unit"] is None and f["kind"] in ("count", "other"):
            num = re.match(NUMBER, key)
            earlier = seen.get(num.group(0)) if num else None
            if earlier and earlier["unit"] and f["decimals"] > 0:
                f["unit"], f["kind"] = earlier["unit"], earlier["kind"]
        if f["unit"]:
            num = re.match(NUMBER, key)
            if num:
                seen.setdefault(num.group(0), f)


def _table_units(text: str, figs: list[dict]) -> None:
    """In a table row "… | Hồ sơ | 193.457 |" the unit is the cell before the number;
    a "%" unit cell makes the number a percentage."""
    for f in figs:
        if f["unit"] is not None or f["kind"] not in ("count", "other"):
            continue
        line_start = text.rfind("\n", 0, f["start"]) + 1
        cells = text[line_start:f["start"]].split(" | ")
        if len(cells) < 2 or cells[-1].strip():
            continue
        unit_cell = cells[-2].strip(" |")
        if unit_cell == "%":
            f.update(unit="%", kind="percent", stated_percent=f["value"])
            continue
        hit = _match_unit(unit_cell, 0)
        if hit and hit[1] == "money" and hit[3] == len(unit_cell) and f["kind"] == "count":
            f.update(kind="money", unit="đồng", value=f["value"] * hit[2])  # "Triệu đồng" column
            continue
        if hit and hit[1] == "count":
            word = hit[0]
            f["unit"] = word if word.isupper() else word[:1].lower() + word[1:]


# ---- stage --------------------------------------------------------------------------

def analyze(ctx) -> None:
    block_starts = sorted(b["start"] for b in ctx.blocks) or None
    index = getattr(ctx, "sentence_index", None) or SentenceIndex(ctx.text)
    ctx.sentence_index = index
    for fig in extract_figures(ctx.text, block_starts, index):
        row = {k: fig[k] for k in (
            "surface", "value", "unit", "kind", "numerator", "denominator", "stated_percent",
            "decimals", "subject", "scope", "period", "sentence_start", "sentence_end")}
        row.update(ctx.provenance(fig["start"], fig["end"]))
        _heading_scope(ctx, row)
        ctx.add("figures", row)


def _heading_scope(ctx, row) -> None:
    """Scope from the section heading ("b) Cấp xã", "2. Kết quả năm 2023") when the
    sentence itself does not state it."""
    path = row.get("section")
    if not path or row.get("footnote"):
        return
    # the heading of the section and of its parents, innermost first ("I.1" then "I")
    by_path = getattr(ctx, "_sections_by_path", None)
    if by_path is None:
        by_path = {sec.get("path"): sec for sec in ctx.rows.get("sections", ())}
        ctx._sections_by_path = by_path
    headings = []
    while path:
        sec = by_path.get(path)
        if sec and sec.get("heading"):
            headings.append(sec["heading"])
        path = path.rpartition(".")[0]
    parts = [p for p in (row["scope"] or "").split("; ") if p]
    for heading in headings:
        if not any(p.startswith("cấp ") for p in parts):
            level = LEVEL_RX.search(heading)
            if level:
                parts.append(f"cấp {level.group(1).lower()}")
        if row["period"] is None:
            years = YEAR_RX.findall(heading)
            if len(set(years)) == 1:
                row["period"] = years[0]
                parts.insert(0, f"năm {years[0]}")
    row["scope"] = "; ".join(parts) or None
