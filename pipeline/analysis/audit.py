"""Arithmetic audit: check every claim that the text itself makes checkable.

`audit(text, figures)` is pure: figures (as produced by pipeline/analysis/figures.py, each with an
`id`) in, checks out. The stage `analyze(ctx)` stores them in `checks`; `finalize(db)`
compares figures across the documents of the corpus.

Claims checked (check `kind`):
- ratio_percent    "6.326/6.469 hồ sơ, đạt 97,79%" (also "đạt 97,79% (6.326/6.469)")
- implicit_whole   "…; 143 hồ sơ chưa số hóa, chiếm 2,83%" after a/b in the sentence;
                   "980 cán bộ …, chiếm 78,4% tổng số cán bộ, công chức cấp xã" against
                   the one earlier count of that named whole
- complement       a/b then the rest: 6.326 + 143 = 6.469
- complement_percent  the two percentages of a part and its complement sum to 100
- parts            16/19 + 03/19 = 19/19 (ratios sharing one whole)
- total            "38.687 hồ sơ, trong đó: cấp huyện: 10.948 …; cấp xã: 27.739 …"
- change           "giảm từ 71 trường xuống còn 62 trường … trong đó: giảm 02, 03, 04"
- change_percent   "(tỷ lệ giảm 12,67%)" against the change and its starting value
- repeated         one indicator stated twice in a document (same lead-in words, or the
                   same words with two digits swapped: 1.284 then 1.248), or in the text
                   and in the annex's statistics row that names it ("398/421 TTHC có yêu
                   cầu nghĩa vụ tài chính …" vs "Tổng số TTHC có yêu cầu nghĩa vụ tài chính | 412")
- cross_document   one indicator stated in two documents of the same administrative
                   unit (finalize); `unverifiable`, never `mismatch` (a mismatch is a
                   document contradicting itself)
- change claims    "1.250 hồ sơ, tăng 150 hồ sơ (13,64%) so với năm 2023 (1.100 hồ sơ)":
                   kinds change / change_percent, the old value from the sentence, implied
                   (V ∓ N) or stated earlier in the document
Every check carries `basis`: the words by which the text asserts the relation.
Values the text sets rather than measures (thresholds, conditions, targets, rubric bands,
durations of a rule) are never paired as measured values. Tables: pipeline/analysis/audit_tables.py.
Statistical tables ("3.1. | Tỷ lệ … | % | 99,10" over rows 3.1.1 and 3.1.2; a row over
its child rows) give ratio_percent and total checks too.

Verdicts: ok | rounding (truncated, or one unit off in the last stated digit) | mismatch |
unverifiable. A mismatch is only reported when the pairing is certain (a strong link
word such as "đạt"/"chiếm", a complement that adds up, an exhaustive breakdown); a claim
whose numbers disagree but whose pairing is only probable is `unverifiable`.
`stated` and `computed` are unrounded.
"""
from __future__ import annotations

import bisect
import hashlib
import json
import math
import re
from collections import defaultdict
from functools import lru_cache
from typing import NamedTuple

from pipeline.text.normalize import fold
from pipeline.text.numbers import NUMBER as NUMBER_RX, format_number, parse_number, units
from pipeline.text.vndate import DAY_DATE

EPS = 1e-9

# Pairing a ratio with its percentage. The link word must stand right before the percentage: in "23/25 xã có tỷ lệ hộ dùng
# nước sạch đạt 95%" the rate belongs to something else.
LINK_AT_END = re.compile(
    r"(?i)(?:\b(?:đạt|chiếm|bằng|tương ứng|là|tương đương)|\(|=)\s*(?:tỷ lệ|tỉ lệ)?\s*(?:là|đạt)?\s*:?\s*$"
    r"|\b(?:tỷ lệ|tỉ lệ)\s*(?:là|đạt)?\s*:?\s*$")
# "… xã có tỷ lệ hộ dùng nước sạch đạt 95%", "… xã có hộ nghèo …, đạt": a rate of
# something the phrase introduces, not certainly of the ratio.
OTHER_RATE = re.compile(r"(?i)\b(?:tỷ lệ|tỉ lệ)\s+(?!đạt\b|là\b)[^\W\d]|\bcó\s+[^\W\d]")
# "đạt 97,79% (6.326/6.469 hồ sơ)", "đạt 95,5% (tương ứng 191/200)", "98% với 49/50 xã"
PERCENT_THEN_RATIO = re.compile(
    r"(?i)\s*,?\s*(?:\(\s*(?:tương ứng|tương đương|bằng|đạt|với|là)?"
    r"|(?:tương ứng|tương đương|với)(?:\s+(?:là|với))?)\s*:?\s*")
NOT_SAME = re.compile(
    r"(?i)\b(?:so với|tăng|giảm|vượt|cao hơn|thấp hơn|cùng kỳ|"
    r"bình quân|trung bình|trong đó|gồm|mỗi)\b")
# A target in between ("… 1.845/2.050 tỷ đồng kế hoạch, đạt …") makes a pairing uncertain.
WEAK = re.compile(r"(?i)\b(?:kế hoạch|chỉ tiêu|mục tiêu|dự kiến|ước)\b")
# "trên 98%", "khoảng 40%": a threshold or an estimate, not the value of a ratio.
THRESHOLD_BEFORE = re.compile(
    r"(?i)\b(?:trên|dưới|hơn|ít nhất|tối thiểu|tối đa|không quá|không dưới|từ|đến|khoảng|"
    r"gần|xấp xỉ|phấn đấu|tới)\s*$")
PEOPLE = {"người", "cán bộ", "công chức", "viên chức", "lao động", "đảng viên", "chuyên viên",
          "cbccvc", "cbcc", "hội viên", "đoàn viên", "giáo viên", "học sinh", "bác sĩ",
          "lượt người", "nhân khẩu"}
AFTER_COMPARISON = re.compile(
    r"(?i)\s*\)?\s*(?:so với|so cùng kỳ|kế hoạch|chỉ tiêu|mục tiêu|của kế hoạch|"
    r"so với cùng kỳ|với cùng kỳ|/năm|mỗi năm|hằng năm|hàng năm)")
# "chiếm 8,5% tổng số hồ sơ toàn tỉnh": the percentage names its own base.
OWN_BASE = re.compile(
    r"(?i)\s*(?:của\s+)?(?:tổng số|tổng|toàn tỉnh|cả nước|của tỉnh|dự toán|số|so với)\b")
NEGATION = re.compile(
    r"(?i)\b(?:chưa|không|còn lại|còn|trễ hạn|quá hạn|chậm|không đạt|thiếu)\b")
INTRO = re.compile(r"(?i)\b(?:trong đó|bao gồm|gồm|cụ thể|chia ra|phân ra)\b\s*:?")
CHANGE = re.compile(
    r"(?i)\b(?:giảm|tăng)\s+từ\s*$|\btừ\s*$")
CHANGE_MID = re.compile(r"(?i)^\s*[^\d;.]{0,30}?\b(?:xuống còn|xuống|còn|lên|lên đến|đến)\s*$")
RATIO_WORDS = re.compile(r"(?i)^\s*[^\d;.]{0,25}?\b(?:trên|trong|/)\s*(?:tổng số|tổng|số)?\s*$")
CLASSIFY = re.compile(r"(?i)\s*[^\d;,.]{0,20}?\b(?:xếp loại|đạt loại|loại|được xếp)\b")


@lru_cache(maxsize=1)
def _partition_labels() -> set[str]:
    return {fold(x) for x in units()["partition_labels"]}


# ---- verdicts and messages ------------------------------------------------------------

def percent_verdict(stated: float, decimals: int, computed: float) -> str:
    """ok when `stated` is `computed` rounded to the stated precision; rounding when it is
    the truncation or one unit off in the last digit; mismatch otherwise."""
    unit = 10.0 ** -decimals
    if abs(computed - stated) <= unit / 2 + EPS:
        return "ok"
    truncated = math.floor(computed / unit + EPS) * unit
    if abs(truncated - stated) <= EPS * max(1, stated):
        return "rounding"
    if abs(round(computed / unit) * unit - stated) <= unit + EPS:
        return "rounding"
    return "mismatch"


def rounding_note(stated: float, decimals: int, computed: float) -> str:
    """Why a `rounding` verdict is not a slip: truncation or the last digit one off."""
    unit = 10.0 ** -decimals
    truncated = math.floor(computed / unit + EPS) * unit
    if abs(truncated - stated) <= EPS * max(1, stated):
        return " Số nêu là số cắt bớt (không làm tròn), không phải sai lệch."
    return " Lệch một đơn vị ở chữ số cuối do làm tròn, không phải sai lệch."


def sum_verdict(stated: float, computed: float) -> str:
    return "ok" if abs(stated - computed) <= 1e-6 * max(1.0, abs(stated)) else "mismatch"


def vn(value: float, decimals: int | None = None) -> str:
    if decimals is None:
        decimals = 0 if abs(value - round(value)) < 1e-9 else 2
    return format_number(value, decimals)


def pct(value: float, decimals: int = 2) -> str:
    return f"{format_number(value, decimals)}%"


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _unit(f):
    return f.get("unit") if f.get("unit") not in (None, "%") else None


def _unit_key(u):
    u = u.lower()
    return "người" if u in PEOPLE else fold(u)


def _units_compatible(a, b) -> bool:
    ua, ub = _unit(a), _unit(b)
    if ua is None or ub is None:
        return True
    ka, kb = _unit_key(ua), _unit_key(ub)  # "phòng" and "phòng học" count the same rooms
    return ka == kb or ka.startswith(kb + " ") or kb.startswith(ka + " ")


def _is_threshold(text, p) -> bool:
    return p["kind"] == "percent" and (
        bool(THRESHOLD_BEFORE.search(text, max(0, p["start"] - 20), p["start"])) or _is_condition(text, p))


# A value the text sets rather than measures: a condition ("trường hợp đạt 100% thì …",
# "nếu đạt 90% trở lên"), a rubric band ("từ 65% đến dưới 80%"), a target ("phấn đấu đến
# năm 2025 đạt 80%", "mục tiêu …").
CONDITION_BEFORE = re.compile(
    r"(?i)\b(?:trường hợp|nếu|khi|hễ|phải|yêu cầu|bảo đảm|đảm bảo|phấn đấu|mục tiêu|chỉ tiêu|"
    r"tối thiểu|tối đa|ít nhất|không thấp hơn|không vượt quá|không quá|không dưới|"
    r"định hướng|dự kiến)\b[^;:.()\n]{0,40}$")
CONDITION_AFTER = re.compile(
    r"(?i)\s*(?:\)\s*)?(?:trở lên|trở xuống|thì\b"
    # a rubric line: "… đạt 100%: 2 điểm", "đạt 95% được 1 điểm", "= 0,5 điểm"
    r"|(?:[:=]|(?:thì\s+)?được(?:\s+cộng|\s+trừ)?)\s*\d+(?:[.,]\d+)?\s*điểm)")


def _clause_before(text, f, width=60):
    lo = max(0, f["start"] - width)
    seg = text[lo:f["start"]]
    cut = max(seg.rfind(ch) for ch in ";:(\n")
    return seg[cut + 1:] if cut >= 0 else seg


def _is_condition(text, f) -> bool:
    """`f` is a threshold, condition, rubric band or target, not a measured value."""
    if CONDITION_AFTER.match(text, f["end"]):
        return True
    return bool(CONDITION_BEFORE.search(_clause_before(text, f)))


def _show(f) -> str:
    """A figure as the report wrote it when it is an amount ("22.143 tỷ đồng")."""
    if f.get("unit") == "đồng" and f.get("surface"):
        return f["surface"]
    return vn(f["value"], f.get("decimals") or 0)


def _sum_text(s: float, comps: list[dict]) -> str:
    """A sum in the scale the parts were written in ("22.144 tỷ đồng")."""
    f = comps[0] if comps else {}
    m = re.match(NUMBER_RX, f.get("surface") or "")
    if f.get("unit") == "đồng" and m:
        raw = parse_number(m.group(0))[0]
        if raw:
            scale = f["value"] / raw
            word = f["surface"][m.end():].strip()
            dec = max((c.get("decimals") or 0) for c in comps)
            return f"{format_number(s / scale, dec)} {word}"
    return vn(s)


def _nums(f) -> str:
    if f.get("unit") == "đồng" and f.get("surface"):
        return f["surface"]
    if f["kind"] in ("ratio", "rank") and f.get("denominator") is not None:
        return f"{vn(f['numerator'])}/{vn(f['denominator'])}"
    return vn(f["value"], f.get("decimals") or 0)


# ---- the audit --------------------------------------------------------------------------

def audit(text: str, figures: list[dict]) -> list[dict]:
    """All checks for one document. Each check: kind, verdict, stated, computed,
    figure_ids (list), message, start, end."""
    # A claim's figures lie in one sentence, or in one bullet ("- Cấp huyện: … 6.326/6.469
    # hồ sơ, đạt 97,79%. Còn 143 hồ sơ chưa số hóa, chiếm 2,21%.").
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for f in sorted(figures, key=lambda f: f["start"]):
        line = text.rfind("\n", 0, f["start"]) + 1
        bullet = text[line:line + 1] in BULLETS
        groups[("line", line) if bullet else ("sentence", f["sentence_start"])].append(f)
    checks: list[dict] = []
    for figs in groups.values():
        checks.extend(_sentence_checks(text, figs))
    by_sentence: dict[int, list[dict]] = defaultdict(list)
    for f in sorted(figures, key=lambda f: f["start"]):
        by_sentence[f["sentence_start"]].append(f)
    finder = _EarlierValue(text, figures)
    for sentence_figs in by_sentence.values():
        checks.extend(_change_claims(text, sentence_figs, finder))
    checks.extend(_repeated(text, figures))
    checks.extend(_text_against_annex(text, figures))
    from pipeline.analysis.audit_annex import issued_parts_against_annex
    checks.extend(issued_parts_against_annex(
        text, figures, _table_rows(text, sorted(figures, key=lambda f: f["start"])),
        lambda f, period: _narrowed(text, f, period), _check, vn))
    checks.extend(_share_of_stated_total(text, figures))
    checks.extend(_table_checks(text, figures))
    by_id = {f["id"]: f for f in figures}
    for c in checks:
        if not c.get("basis"):
            figs = sorted((by_id[i] for i in c["figure_ids"] if i in by_id), key=lambda f: f["start"])
            if len(figs) >= 2:
                c["basis"] = " ".join(text[figs[0]["end"]:figs[1]["start"]].split())[:120] or None
    checks.sort(key=lambda c: (c["start"], c["end"]))
    return checks


BULLETS = set("-+•*–▪◦")

# "980 cán bộ …, chiếm 78,4% tổng số cán bộ, công chức cấp xã": the whole is named, and
# stated earlier ("Toàn tỉnh có 1.250 cán bộ, công chức cấp xã")
SHARE_OF_TOTAL = re.compile(r"(?i)\s*(?:trên|so với|của)?\s*tổng số\s+([^\d.;:()]{3,60})")
SHARE_LINK = re.compile(r"(?i)\b(?:chiếm|bằng)\s*(?:tỷ lệ|tỉ lệ)?\s*$")


def _words(s: str) -> list[str]:
    return re.sub(r"[^\w\s]", " ", fold(s)).split()


def _share_of_stated_total(text, figures):
    """A count's share "chiếm x% tổng số <whole>" whose sentence gives no whole, against
    the one earlier count of exactly that whole (the words after its number, or "tổng số
    <whole> là N"). Two earlier counts of the same whole with different values: no check."""
    out = []
    figs = sorted(figures, key=lambda f: f["start"])
    by_id = {f["id"]: f for f in figs}
    for k, p in enumerate(figs):
        if p["kind"] != "percent" or k == 0:
            continue
        m = SHARE_OF_TOTAL.match(text, p["end"])
        n = figs[k - 1]
        if not m or n["kind"] != "count" or n["sentence_start"] != p["sentence_start"] or \
                not SHARE_LINK.search(text[n["end"]:p["start"]]) or \
                re.search(r"\d", text[n["end"]:p["start"]]):
            continue
        if any(f["kind"] == "ratio" and f["sentence_start"] == p["sentence_start"] for f in figs):
            continue
        whole = _words(m.group(1))[:6]
        if len(whole) < 2:
            continue
        bases = set()
        for b in figs[max(0, k - 400):k - 1]:  # bounded: linear in the document
            if b["kind"] != "count" or b["sentence_start"] == p["sentence_start"] or \
                    not _units_compatible(b, n):
                continue
            after = _words(text[b["end"] - len(b.get("unit") or ""):b["end"] + 80])
            before = _words(text[max(0, b["start"] - 80):b["start"]])
            named = after[:len(whole)] == whole or (
                "tong" in before and before[-len(whole) - 3:][:len(whole) + 2].count(whole[0]) and
                " ".join(before).endswith(tuple(f"tong so {' '.join(whole)}{t}" for t in ("", " la", " co", " gom"))))
            if named:
                bases.add((b["value"], b["id"]))
        # a whole of another year is another whole
        years = lambda f: set(YEAR.findall(text[f["sentence_start"]:f.get("sentence_end") or f["end"]]))
        bases = {(v, i) for v, i in bases
                 if not (years(p) and years(by_id[i]) and not years(p) & years(by_id[i]))}
        values = {v for v, _i in bases}
        if len(values) != 1:
            continue
        total = values.pop()
        b = by_id[min(i for _v, i in bases)]
        if total <= n["value"]:
            continue
        computed = n["value"] / total * 100
        verdict = percent_verdict(p["value"], p.get("decimals") or 0, computed)
        out.append(_check(
            "implicit_whole", verdict, p["value"], computed, [b, n, p],
            f"Nêu {text[p['start']:p['end']]} cho {vn(n['value'])} trên tổng số "
            f"{' '.join(m.group(1).split()).rstrip(', ')} nêu trước đó ({vn(total)}); "
            f"tính lại được {pct(computed, 3)}.",
            basis=f"\u201c{' '.join(text[n['end']:m.end()].split())}\u201d; tổng nêu trước: "
                  f"\u201c{text[b['start']:b['end']]}\u201d"))
    return out


def _check(kind, verdict, stated, computed, figs, message, basis=None):
    """One check. `basis`: the words (or table cells) by which the text asserts the
    relation checked; when not given, `audit` takes the words between its first two
    figures."""
    return {
        "kind": kind, "verdict": verdict, "stated": stated, "computed": computed,
        "figure_ids": [f["id"] for f in figs], "message": message, "basis": basis,
        "start": min(f["start"] for f in figs), "end": max(f["end"] for f in figs),
    }


def _sentence_checks(text: str, figs: list[dict]) -> list[dict]:
    out: list[dict] = []
    paired: dict[int, tuple[dict, float, bool]] = {}  # id(percent) -> (part, computed, certain)
    complement_of: dict[int, dict] = {}  # id(count) -> ratio it completes (certain)
    # -- part and complement (6.326/6.469 … 143 chưa …) ---------------------------------
    for i, r in enumerate(figs):
        if r["kind"] != "ratio" or not r.get("denominator"):
            continue
        nxt = next((figs[k] for k in range(i + 1, len(figs)) if figs[k]["kind"] != "percent"), None)
        if nxt is None or nxt["kind"] not in ("count", "money") or not _units_compatible(r, nxt):
            continue
        gap = text[r["end"]:nxt["start"]]
        if re.search(r"\d", gap) and not re.fullmatch(r"[^\d]*\d+(?:[.,]\d+)*\s?%[^\d]*", gap):
            continue
        after = text[nxt["end"]:nxt["end"] + 60]
        negated = bool(NEGATION.search(after.split(",")[0]) or NEGATION.search(gap[-25:]))
        total = r["numerator"] + nxt["value"]
        verdict = sum_verdict(r["denominator"], total)
        # the rest must follow at once ("…, đạt 97,79%; 143 hồ sơ chưa …"), not a figure
        # of another scope ("…; toàn huyện còn 1.285 hồ sơ chưa …")
        rest_gap = re.sub(r"[^\W\d]*\s*,?\s*(?:đạt|chiếm|bằng)?\s*(?:tỷ lệ|tỉ lệ)?\s*\d+(?:,\d+)?\s?%", "", gap)
        tight = bool(re.fullmatch(r"(?i)[\s,;:.\-–]*(?:còn lại|còn|số còn lại)?\s*", rest_gap))
        if verdict == "ok" or (negated and tight and _unit(nxt) and _unit(r)):
            if verdict == "mismatch" and total < r["denominator"]:
                continue  # "… 120 hộ chưa có tài khoản là hộ nghèo" may be part of the rest
            out.append(_check(
                "complement", verdict, r["denominator"], total, [r, nxt],
                f"Phần {_nums(r)} và phần còn lại {vn(nxt['value'])}: "
                f"{vn(r['numerator'])} + {vn(nxt['value'])} = {vn(total)}, "
                f"tổng nêu là {vn(r['denominator'])}.",
                basis=f"phân số rồi phần còn lại: \u201c{' '.join((gap + ' ' + after.split(',')[0]).split())[:100]}\u201d"))
            complement_of[id(nxt)] = r
    # -- percentages ----------------------------------------------------------------------
    for i, p in enumerate(figs):
        if p["kind"] != "percent":
            continue
        if AFTER_COMPARISON.match(text, p["end"]) or _is_threshold(text, p):
            continue
        k = i - 1
        while k >= 0 and _is_threshold(text, figs[k]):
            k -= 1
        prev = figs[k] if k >= 0 else None
        nxt = figs[i + 1] if i + 1 < len(figs) else None
        chk = None
        if nxt is not None and nxt["kind"] == "ratio" and \
                PERCENT_THEN_RATIO.fullmatch(text[p["end"]:nxt["start"]]) and \
                not _breakdown_after(text, figs, i, nxt):
            chk = _ratio_percent(text, nxt, p, strong=True)
        elif prev is not None and prev["kind"] == "ratio" and prev.get("denominator"):
            gap = text[prev["end"]:p["start"]]
            for f in figs[k + 1:i]:  # thresholds skipped above
                gap = gap.replace(f["surface"] if "surface" in f else text[f["start"]:f["end"]], "")
            if len(gap) <= 90 and not re.search(r"\d", gap) and not NOT_SAME.search(gap):
                strong = bool(LINK_AT_END.search(gap)) and not WEAK.search(gap) \
                    and not OTHER_RATE.search(gap) and not OWN_BASE.match(text, p["end"])
                chk = _ratio_percent(text, prev, p, strong=strong)
                members = _same_whole_before(figs, k)
                if chk and chk["verdict"] == "mismatch" and len(members) >= 2:
                    # "5/24 … Xuất sắc, 19/24 … Tốt, đạt 100% … Tốt trở lên": the share of
                    # the union of the classes listed, not of the last one
                    union = sum(m["numerator"] for m in members) / prev["denominator"] * 100
                    d = p.get("decimals") or 0
                    if percent_verdict(p["value"], d, union) != "mismatch":
                        chk = _check("ratio_percent", percent_verdict(p["value"], d, union),
                                     p["value"], union, members + [p],
                                     f"Nêu {pct(p['value'], d)} cho cả nhóm "
                                     f"{' + '.join(_nums(m) for m in members)}; tính lại được "
                                     f"{pct(union, max(d + 2, 2))}.")
                        chk["_percent"] = p
                    else:
                        chk["verdict"] = "unverifiable"
                        chk["message"] += " Tỷ lệ có thể tính trên cả nhóm các phân số đứng trước."
        elif prev is not None and prev["kind"] in ("count", "money"):
            chk = _implicit_whole(text, figs, i, prev, p, complement_of)
        if chk:
            out.append(chk)
            paired[id(p)] = chk
    # -- complementary percentages --------------------------------------------------------
    ratio_pct = {}
    part_pct = {}
    for c in out:
        if c["kind"] == "ratio_percent":
            for fid in c["figure_ids"]:
                ratio_pct.setdefault(fid, c)
        elif c["kind"] == "implicit_whole" and c.get("_part") is not None:
            part_pct.setdefault(c["_part"], c)
    by_count = {id(f): f for f in figs}
    for count_id, r in complement_of.items():
        p1 = ratio_pct.get(r["id"])
        p2 = part_pct.get(count_id)
        if not p1 or not p2:
            continue
        f1, f2 = p1["_percent"], p2["_percent"]
        s = f1["value"] + f2["value"]
        dec = max(f1.get("decimals") or 0, f2.get("decimals") or 0)
        unit = 10.0 ** -dec
        verdict = "ok" if abs(s - 100) <= EPS * 100 else ("rounding" if abs(s - 100) <= unit + EPS else "mismatch")
        out.append(_check(
            "complement_percent", verdict, s, 100.0, [f1, f2],
            f"Hai phần bù nhau nêu {pct(f1['value'], f1['decimals'])} + "
            f"{pct(f2['value'], f2['decimals'])} = {pct(s, dec)}, phải là 100%.",
            basis=f"phần {_nums(r)} và phần còn lại {vn(by_count[count_id]['value'])} cộng thành tổng"))
    # -- parts of one whole (16/19 + 03/19) -----------------------------------------------
    out.extend(_parts(text, figs))
    # -- totals and changes (a breakdown never runs past its sentence) ------------------
    by_sentence: dict[int, list[dict]] = defaultdict(list)
    for f in figs:
        by_sentence[f["sentence_start"]].append(f)
    for sentence_figs in by_sentence.values():
        out.extend(_totals(text, sentence_figs))
    for c in out:
        c.pop("_percent", None)
        c.pop("_part", None)
    return out


def _ratio_percent(text, r, p, strong: bool):
    computed = r["numerator"] / r["denominator"] * 100
    verdict = percent_verdict(p["value"], p.get("decimals") or 0, computed)
    if verdict == "mismatch" and not strong:
        verdict = "unverifiable"
    d = p.get("decimals") or 0
    unit = f" {_unit(r)}" if _unit(r) and _unit(r) != "đồng" else ""
    msg = (f"Nêu {pct(p['value'], d)} cho {_nums(r)}{unit}; tính lại được "
           f"{pct(computed, max(d + 2, 2))} (làm tròn {d} chữ số thập phân: "
           f"{pct(round(computed, d), d)}).")
    if verdict == "rounding":
        msg += rounding_note(p["value"], d, computed)
    elif verdict == "unverifiable":
        msg += " Không chắc tỷ lệ này tính trên phân số đứng trước."
    a, b = sorted((r, p), key=lambda f: f["start"])
    link = " ".join(text[a["end"]:b["start"]].split()) or "liền nhau"
    chk = _check("ratio_percent", verdict, p["value"], computed, [r, p], msg,
                 basis=f"\u201c{link}\u201d giữa phân số và tỷ lệ")
    chk["_percent"] = p
    return chk


def _same_whole_before(figs, k):
    """The run of ratios ending at figs[k] that share its denominator (5/24, 19/24)."""
    r = figs[k]
    out = []
    for f in reversed(figs[max(0, k - 40):k + 1]):  # bounded: no list of ratios is longer
        if f["kind"] == "ratio" and f.get("denominator") == r["denominator"]:
            out.append(f)
        elif f["kind"] != "percent":
            break
    return out[::-1]


def _breakdown_after(text, figs, i, r):
    """The parenthesis or clause after a percentage breaks its whole down ("đạt 95% (18/20
    sở, ngành và 39/40 UBND cấp xã)") or names one member of a union ("100% đơn vị Tốt
    trở lên (5/24 Xuất sắc, …)"): its first ratio is not the percentage's a/b."""
    p = figs[i]
    lo = p["start"]
    window = text[r["end"]:r["end"] + 400]  # bounded look-ahead
    ends = [k for k in (window.find(")"), window.find(". ")) if k >= 0]
    stop = r["end"] + (min(ends) if ends else len(window))
    for f in figs[i + 2:]:
        if f["start"] >= stop:
            break
        if f["kind"] in ("ratio", "count", "percent"):
            return True
    if re.search(r"(?i)\b(?:trở lên|trở xuống|trong đó|gồm|bao gồm)\b", text[lo:r["start"]]):
        return True
    return False


LABEL_LIST_BEFORE = re.compile(
    r"(?i)\b(?:mức|mức độ|loại|nhóm|cấp độ|hạng|độ|khu vực|vùng|tiêu chí|chỉ số|câu|điều|khoản)\s+"
    r"\d+(?:\s*(?:,|và|-|–|hoặc)\s*\d+)*\s*(?:,|và|-|–|hoặc)\s*$")


def _implicit_whole(text, figs, i, part, p, complement_of):
    """A count then its percentage, the whole being stated earlier in the sentence: the
    denominator of a preceding a/b, or the total that a 'trong đó' list breaks down."""
    gap = text[part["end"]:p["start"]]
    if len(gap) > 80 or re.search(r"\d", gap) or NOT_SAME.search(gap):
        return None
    strong = bool(LINK_AT_END.search(gap)) and not OWN_BASE.match(text, p["end"])
    whole_fig, whole, certain = None, None, False
    # "649 hồ sơ trên tổng số 10.948 hồ sơ, chiếm 5,93%"
    if i >= 2 and figs[i - 2]["kind"] in ("count", "money") and \
            RATIO_WORDS.match(text[figs[i - 2]["end"]:part["start"]]) and \
            _units_compatible(figs[i - 2], part):
        num = figs[i - 2]
        if LABEL_LIST_BEFORE.search(text, max(0, num["start"] - 40), num["start"]):
            return None  # "mức 1, 2 trên tổng số 1.850 thủ tục": a level label, not a count
        computed = num["value"] / part["value"] * 100 if part["value"] else None
        if computed is None:
            return None
        chk = _ratio_like(num, part, p, computed, strong)
        return chk
    r = complement_of.get(id(part))
    if r is not None:
        whole_fig, whole, certain = r, r["denominator"], True
    else:
        for g in reversed(figs[max(0, i - 12):i - 1]):  # the whole is stated close by
            if g["kind"] == "ratio" and g.get("denominator") and _units_compatible(g, part) \
                    and part["value"] < g["denominator"]:
                whole_fig, whole = g, g["denominator"]
                break
            if g["kind"] in ("count", "money") and g["value"] > part["value"] and \
                    INTRO.search(text[g["end"]:part["start"]]) and _units_compatible(g, part) \
                    and _unit(g) and _unit(part):
                whole_fig, whole, certain = g, g["value"], True
                break
    if whole_fig is None:
        w = figs[i - 2] if i >= 2 else None
        if w is not None and w["kind"] == part["kind"] and _unit(w) and _unit(part) and \
                _unit_key(_unit(w)) == _unit_key(_unit(part)) and w["value"] >= part["value"] > 0 \
                and not NOT_SAME.search(text[w["end"]:part["start"]]) \
                and not re.search(r"\d", text[w["end"]:part["start"]]):
            # "rà soát 186 TTHC, đề xuất đơn giản hóa 24 TTHC, chiếm 12,9%";
            # "kiến nghị X đồng, đã thực hiện Y đồng (đạt 100%)": Y of X, pairing probable
            whole_fig, whole = w, w["value"]
        else:
            return None
    computed = part["value"] / whole * 100
    d = p.get("decimals") or 0
    verdict = percent_verdict(p["value"], d, computed)
    if verdict == "mismatch" and not certain and whole_fig["kind"] == "ratio" and \
            0 < part["value"] <= whole_fig["numerator"]:
        # "giải quyết 1.180/1.200 hồ sơ, trong đó 1.150 hồ sơ trước hạn, chiếm 97,46%":
        # the share of the 1.180 solved, not of the 1.200 received
        alt = part["value"] / whole_fig["numerator"] * 100
        if percent_verdict(p["value"], d, alt) != "mismatch":
            whole, computed = whole_fig["numerator"], alt
            verdict = percent_verdict(p["value"], d, alt)
    if verdict == "mismatch" and not (certain and strong):
        verdict = "unverifiable"
    msg = (f"Nêu {pct(p['value'], d)} cho {vn(part['value'])}"
           f"{' ' + _unit(part) if _unit(part) else ''} trên tổng {vn(whole)} "
           f"(nêu trước đó: {_nums(whole_fig)}); tính lại được {pct(computed, max(d + 2, 2))} "
           f"(làm tròn: {pct(round(computed, d), d)}).")
    if verdict == "rounding":
        msg += rounding_note(p["value"], d, computed)
    if verdict == "unverifiable":
        msg += " Không chắc tổng số làm mẫu số."
    link = " ".join(text[part["end"]:p["start"]].split())
    chk = _check("implicit_whole", verdict, p["value"], computed, [whole_fig, part, p], msg,
                 basis=f"\u201c{link}\u201d sau phần; tổng nêu trước: {_nums(whole_fig)}")
    chk["_percent"] = p
    chk["_part"] = id(part)
    return chk


def _ratio_like(num, den, p, computed, strong):
    d = p.get("decimals") or 0
    verdict = percent_verdict(p["value"], d, computed)
    if verdict == "mismatch" and not strong:
        verdict = "unverifiable"
    msg = (f"Nêu {pct(p['value'], d)} cho {vn(num['value'])} trên {vn(den['value'])}; "
           f"tính lại được {pct(computed, max(d + 2, 2))}.")
    chk = _check("ratio_percent", verdict, p["value"], computed, [num, den, p], msg)
    chk["_percent"] = p
    return chk


def _class_label(text, r):
    after = text[r["end"]:r["end"] + 60]
    return fold(re.split(r"[,;.()]", after)[0].strip())


def _parts(text, figs):
    out = []
    ratios = [f for f in figs if f["kind"] == "ratio" and f.get("denominator")]
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in ratios:
        groups[(r["denominator"], fold(_unit(r) or ""))].append(r)
    for (den, _), rs in groups.items():
        if len(rs) < 2 or any(r["numerator"] == den for r in rs):
            continue
        s = sum(r["numerator"] for r in rs)
        if abs(s - den) < EPS:
            verdict = "ok"
        elif s > den and all(CLASSIFY.match(text, r["end"]) for r in rs) and \
                len({_class_label(text, r) for r in rs}) == len(rs) and \
                not any(re.search(r"trở lên|trở xuống|tro len|tro xuong", _class_label(text, r)) for r in rs):
            # ("Tốt trở lên" holds "Xuất sắc": classes that overlap are not exclusive)
            verdict = "mismatch"  # exclusive classes cannot hold more than the whole
        else:
            continue
        out.append(_check(
            "parts", verdict, den, s, rs,
            f"Các phần nêu {', '.join(_nums(r) for r in rs)}: cộng "
            f"{' + '.join(vn(r['numerator']) for r in rs)} = {vn(s)}, tổng nêu là {vn(den)}."))
    return out


# ---- totals --------------------------------------------------------------------------

def _open_paren(text, lo, pos):
    """Offset of the innermost '(' still open at `pos` (scanning from `lo`), or None."""
    stack = []
    for k in range(lo, pos):
        ch = text[k]
        if ch == "(":
            stack.append(k)
        elif ch == ")" and stack:
            stack.pop()
    return stack[-1] if stack else None


def _anchor_before(text, figs, lo, pos, ends=None):
    """The figure a breakdown at `pos` refers to: the nearest figure before it, jumping
    over a complete parenthesis ("62 trường (…), trong đó: …" -> 62)."""
    lo = max(lo, pos - 600)
    k = pos
    while True:
        seg = text[lo:k].rstrip(" ,:*\u00a0")
        if seg.endswith(")"):
            depth, q = 0, len(seg) - 1
            while q >= 0:
                if seg[q] == ")":
                    depth += 1
                elif seg[q] == "(":
                    depth -= 1
                    if depth == 0:
                        break
                q -= 1
            if q < 0:
                return None
            k = lo + q
            continue
        break
    i = bisect.bisect_right([f["end"] for f in figs] if ends is None else ends, k)
    if i == 0:
        return None
    t = figs[i - 1]
    between = text[t["end"]:k]
    if len(between) > 70 or re.search(r"\d", between):
        return None
    if re.search(r"[;.]\s", between) and between.strip(" ;,:.*"):
        return None  # another clause in between; "195.197 hồ sơ; trong đó: …" is fine
    return t


def _totals(text, figs):
    out = []
    if not figs:
        return out
    s_start = figs[0]["sentence_start"]
    s_end = max(f["sentence_end"] for f in figs)
    lists = []  # (anchor, intro match or None, list_start, paren_start or None)
    starts = [f["start"] for f in figs]
    ends = [f["end"] for f in figs]
    index = {id(f): n for n, f in enumerate(figs)}
    for m in INTRO.finditer(text, s_start, s_end):
        t = _anchor_before(text, figs, s_start, m.start(), ends)
        if t is not None:
            lists.append((t, m, m.end(), _open_paren(text, max(s_start, m.start() - 400), m.start())))
    for j, t in enumerate(figs[:-1]):
        gap = text[t["end"]:figs[j + 1]["start"]]
        pm = re.match(r"\s*\(\s*\*?\s*[^\d()]{0,40}$", gap)
        if pm and not INTRO.search(gap):
            k = t["end"] + gap.index("(")
            lists.append((t, None, k + 1, k))
    seen = set()
    for t, m, list_start, paren in sorted(lists, key=lambda x: x[2]):
        if t["kind"] not in ("count", "money", "ratio"):
            continue
        total = t["numerator"] if t["kind"] == "ratio" else t["value"]
        rest = figs[bisect.bisect_left(starts, list_start):]
        comps, _ = _components(text, rest, list_start, paren, s_end)
        comps = [c for c in comps if c["kind"] == ("money" if t["kind"] == "money" else "count")
                 and _units_compatible(c, t)]
        if len(comps) < 2 or id(comps[0]) in seen:
            continue
        seen.add(id(comps[0]))
        if _rule_terms(text, t, comps):
            continue  # "20 năm, gồm: đủ 15 năm …, trên 15 năm …": terms of a rule, not parts
        j = index[id(t)]
        change = _change_before(text, figs, j)
        if change and all(re.search(r"(?i)\b(?:giảm|tăng)\b", text[max(s_start, c["start"] - 25):c["start"]])
                          for c in comps):
            a, b = change
            total_figs = [a, b]
            total = abs(a["value"] - b["value"])
            label = (f"mức {'giảm' if a['value'] > b['value'] else 'tăng'} "
                     f"{vn(a['value'])} → {vn(b['value'])} = {vn(total)}")
            kind = "change"
        else:
            total_figs, kind = [t], "total"
            label = (f"tổng nêu {_show(t)}" if t["kind"] == "money" else
                     f"tổng nêu {vn(total)}{' ' + _unit(t) if _unit(t) else ''}")
        chk = _sum_check(text, kind, total, total_figs, comps, label, m, paren, list_start)
        if chk and chk["verdict"] in ("mismatch", "unverifiable") and kind == "total":
            chk = _other_total(text, figs, t, comps, chk)
        out.append(chk)
    out.extend(_change_percent(text, figs))
    return [c for c in out if c]


DURATION_UNITS = {"nam", "thang", "ngay", "gio", "phut", "tuan", "quy", "ngay lam viec", "tuoi"}
TERM_BEFORE = re.compile(r"(?i)\b(?:đủ|trên|dưới|từ|hơn|không quá|tối đa|tối thiểu|ít nhất|đến|"
                         r"chưa đủ|không dưới|sau|trước|trong vòng|trong)\s*$")


def _rule_terms(text, t, comps) -> bool:
    """Durations or bounds of a rule ("đủ 15 năm", "trên 15 năm") are not parts of a total."""
    if fold(_unit(t) or "") in DURATION_UNITS or any(fold(_unit(c) or "") in DURATION_UNITS for c in comps):
        return True
    return any(TERM_BEFORE.search(text, max(0, c["start"] - 15), c["start"]) or
               CONDITION_AFTER.match(text, c["end"]) for c in comps)


DELTA_BEFORE = re.compile(r"(?i)\b(?:tăng|giảm|hơn|vượt|thêm|chênh lệch)\s+(?:thêm\s+)?$")


def _other_total(text, figs, t, comps, chk):
    """A breakdown that does not add up to the figure just before it may belong to an
    earlier one ("tiếp nhận 1.200 hồ sơ, tăng 150 hồ sơ, trong đó: cấp huyện 700, cấp xã
    500"): ok if an earlier figure of the sentence is the sum; unverifiable if the anchor
    is a change rather than a stock."""
    prefix, running = [], 0.0
    for c in comps:
        running += c["value"]
        prefix.append(running)
    for g in figs:
        if g["start"] >= t["start"]:
            break
        if g["kind"] not in ("count", "money") or g["kind"] != t["kind"]:
            continue
        for n, s in enumerate(prefix):
            if n >= 1 and abs(g["value"] - s) <= 1e-6 * max(1, s):
                parts = comps[:n + 1]
                return _check("total", "ok", g["value"], s, [g] + parts,
                              f"Tổng nêu {_show(g)}; các thành phần "
                              f"{' + '.join(_show(c) for c in parts)} = {_sum_text(s, parts)}.")
    if DELTA_BEFORE.search(text, max(0, t["start"] - 20), t["start"]):
        chk["verdict"] = "unverifiable"
        chk["message"] += " Số đứng trước danh sách là mức tăng/giảm, không chắc là tổng."
    return chk


def _components(text, rest, list_start, paren_list, s_end):
    """Figures of a breakdown list: top level only (not inside a nested parenthesis),
    ending at the list's closing parenthesis or the sentence end."""
    comps = []
    end = s_end
    if paren_list is not None:
        depth = 0
        for k in range(paren_list, min(s_end, paren_list + 3000)):
            ch = text[k]
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth == 0:
                    end = k
                    break
    depth = 0
    pos = list_start
    for f in rest:
        if f["start"] < list_start:
            continue
        if f["start"] >= end:
            break
        seg = text[pos:f["start"]]
        for ch in seg:
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth = max(0, depth - 1)
        pos = f["start"]
        if depth == 0:
            comps.append(f)
            if len(comps) >= 40:  # no breakdown is that long; keeps giant sentences linear
                break
    return comps, end


def _label(text, lo, f):
    """The words naming a component: 'cấp huyện: 10.948' -> 'cấp huyện'."""
    seg = text[lo:f["start"]]
    seg = re.split(r"[,;(]", seg)[-1]
    seg = re.sub(r"(?i)\b(?:giảm|tăng|có|là|gồm|trong đó)\b", " ", seg)
    return fold(" ".join(seg.replace("*", " ").replace(":", " ").split()))


def _sum_check(text, kind, total, total_figs, comps, label, intro, paren_list, list_start):
    running = 0.0
    for k, c in enumerate(comps):
        running += c["value"]
        if k >= 1 and abs(running - total) <= 1e-6 * max(1.0, total):
            parts = comps[:k + 1]
            return _check(kind, "ok", total, running, total_figs + parts,
                          f"{_cap(label)}; các thành phần "
                          f"{' + '.join(_show(p) for p in parts)} = {_sum_text(running, parts)}.")
    s = sum(c["value"] for c in comps)
    exhaustive_word = intro is not None and re.match(r"(?i)(?:bao gồm|gồm|chia ra|phân ra)", intro.group(0))
    labels_ok = True
    lo = list_start
    partitions = _partition_labels()
    stages = set()
    for c in comps:
        lab = _label(text, lo, c)
        stages.update(m.group(0) for m in STAGE_WORDS.finditer(lab))
        after = fold(text[c["end"]:c["end"] + 40].split(",")[0].split(";")[0].strip(" )*:"))
        if not (lab in partitions or any(after.startswith(pl) and pl for pl in partitions if len(pl) > 3)):
            labels_ok = False
        lo = c["end"]
    same_units = all(_units_compatible(c, total_figs[0]) for c in comps)
    tolerance = sum(_precision(f) / 2 for f in total_figs[:1] + comps)
    if len(stages) >= 2 or any(abs(c["value"] - total) < EPS for c in comps):
        # "gồm: phát hiện 45 vụ; khởi tố 38 vụ": successive stages of one process (or a
        # component as large as the whole) are not parts of a total
        return None
    if (exhaustive_word or labels_ok) and same_units:
        verdict = "mismatch"
        note = ""
        if abs(s - total) <= tolerance + EPS:
            # "22.143 tỷ đồng (gồm 19.596 tỷ …; 2.548 tỷ …)": amounts rounded to the tỷ
            verdict, note = "rounding", " Chênh lệch trong phạm vi làm tròn các số liệu."
    elif s > total:
        verdict = "unverifiable"
        note = " Danh sách có thể không phải là các thành phần của tổng."
    else:
        return None  # "trong đó" naming only some of the parts: nothing to check
    return _check(kind, verdict, total, s, total_figs + comps,
                  f"{_cap(label)}; cộng các thành phần "
                  f"{' + '.join(_show(c) for c in comps)} = {_sum_text(s, comps)}.{note}")


# Successive stages of one process, folded ("phát hiện" then "khởi tố" the same cases).
STAGE_WORDS = re.compile(
    r"\b(?:tiep nhan|thu ly|phat hien|khoi to|truy to|xet xu|dua ra xet xu|dieu tra|kiem tra|"
    r"thanh tra|xu ly|ket luan|kien nghi|thu hoi|da thu hoi)\b")


def _precision(f) -> float:
    """The unit of the last stated digit, in the figure's value scale: 1 for '38.687 hồ
    sơ', 1e9 for '22.143 tỷ đồng', 1e8 for '1,5 tỷ đồng'. 0 for plain whole counts."""
    m = re.match(NUMBER_RX, f.get("surface") or "")
    if not m:
        return 0.0
    raw = parse_number(m.group(0))[0]
    scale = f["value"] / raw if raw else 1.0
    step = scale * 10.0 ** -(f.get("decimals") or 0)
    return 0.0 if abs(step - 1.0) < EPS else step


def _change_before(text, figs, j):
    """(A, B) when figs[j] is B in 'từ A … xuống còn B' / 'tăng từ A lên B'."""
    if j < 1:
        return None
    a, b = figs[j - 1], figs[j]
    if a["kind"] != "count" or b["kind"] != "count" or not _units_compatible(a, b):
        return None
    if CHANGE.search(text[max(0, a["start"] - 12):a["start"]]) and \
            CHANGE_MID.match(text[a["end"]:b["start"]]):
        return a, b
    return None


# "…1.250 hồ sơ, tăng 150 hồ sơ (13,64%) so với năm 2023 (1.100 hồ sơ)"
CHANGE_WORD = re.compile(
    r"(?i)^[^\d,;.()%/]{0,40}?[,;]?\s*(?:và\s+)?(?<![^\W\d_])(tăng|giảm)\s+(?:thêm\s+|được\s+)?$")
CHANGE_PCT_GAP = re.compile(
    r"(?i)^\s*(?:\(\s*(?:tương ứng|tương đương|bằng|là|tăng|giảm)?\s*:?\s*"
    r"|,\s*(?:tương ứng|tương đương|bằng)(?:\s+với)?\s*)$")
COMPARED = re.compile(
    r"(?i)\s*\)?\s*,?\s*so\s+(?:với\s+)?(?:cùng kỳ|năm trước|năm\s+(?:19|20)\d{2}|tháng trước|"
    r"quý trước|kỳ trước|đầu năm|đầu kỳ|cuối năm|thời điểm|năm\b|tháng\b|quý\b|kỳ\b)")
OLD_VALUE = re.compile(r"(?i)^[^\d();.]{0,40}?(?:\(\s*(?:là|đạt|với)?\s*:?\s*|\b(?:là|đạt|với)\s*:?\s*|:\s*)$")


def _last_words(f, n=2):
    """The words just before a figure ("… tiếp nhận"): the verb that says what it counts."""
    return fold(" ".join((f.get("subject") or "").split()[-n:]))


class _EarlierValue:
    """The old value of a change stated earlier in the document: "Năm 2023 tiếp nhận 1.100
    hồ sơ." … "Năm 2024 tiếp nhận 1.250 hồ sơ, tăng 12% so với năm 2023." One earlier
    figure of the same kind and unit, of the compared year, most subject words shared, a
    single value among the candidates; otherwise none."""

    def __init__(self, text, figures):
        self.text = text
        self._starts: dict[int, list[int]] = {}
        self.by_unit: dict[tuple, list[dict]] = defaultdict(list)
        for f in sorted(figures, key=lambda f: f["start"]):
            if f["kind"] in ("count", "money") and f.get("unit") and f.get("period"):
                self.by_unit[(f["kind"], _unit_key(f["unit"]))].append(f)

    def _index(self, same, pos):
        key = id(same)
        if key not in self._starts:
            self._starts[key] = [f["start"] for f in same]
        return bisect.bisect_left(self._starts[key], pos)

    def __call__(self, v, compared: str):
        m = re.search(r"(?:19|20)\d{2}", compared)
        if m:
            year = m.group(0)
        elif re.search(r"(?i)cùng kỳ|năm trước", compared) and re.fullmatch(r"\d{4}", v.get("period") or ""):
            year = str(int(v["period"]) - 1)
        else:
            return None
        if not v.get("unit"):
            return None
        words = _content_words(v)
        if len(words) < 2:
            return None
        cands = []
        same = self.by_unit.get((v["kind"], _unit_key(v["unit"])), [])
        k = bisect.bisect_left([f["start"] for f in same], v["sentence_start"]) \
            if len(same) < 64 else self._index(same, v["sentence_start"])
        for f in same[max(0, k - 300):k]:  # bounded look-back
            if f.get("period") != year:
                continue
            w = _content_words(f)
            if len(w & words) / max(1, len(w | words)) >= 0.5 and \
                    _last_words(f) == _last_words(v) and _tail(self.text, f) == _tail(self.text, v):
                cands.append(f)
        if not cands or len({f["value"] for f in cands}) != 1:
            return None
        return cands[-1]


def _change_claims(text, figs, finder=None):
    """Change claims: "V, tăng|giảm N (x%) so với <kỳ trước> (O)". With the old value O
    stated, N must be |V − O| and x must be N / O; without it, x is checked against the
    base the sentence implies (V − N for an increase, V + N for a decrease)."""
    out = []
    n = len(figs)
    for j in range(1, n):
        d = figs[j]
        if d["kind"] not in ("count", "money", "percent"):
            continue
        # the new value V stands right before "tăng/giảm", or before a clause that rates
        # it ("452,3 tỷ đồng, bằng 108% dự toán, tăng …"; "1.245 hộ, chiếm 4,12% …; giảm …")
        i = j - 1
        while i > 0 and j - i < 3 and figs[i]["kind"] == "percent":
            i -= 1
        v = figs[i]
        if v["kind"] not in ("count", "money"):
            continue
        m = CHANGE_WORD.match(text[figs[j - 1]["end"]:d["start"]])
        if not m or (i < j - 1 and not re.fullmatch(
                r"(?i)\s*,\s*(?:bằng|đạt|chiếm)\s*", text[v["end"]:figs[i + 1]["start"]])):
            continue
        up = m.group(1).lower() == "tăng"
        k = j + 1
        delta = None
        if d["kind"] != "percent":
            if d["kind"] != v["kind"] or not _units_compatible(v, d) or _unit(d) is None and _unit(v):
                continue
            delta = d
            p = figs[k] if k < n and figs[k]["kind"] == "percent" and \
                CHANGE_PCT_GAP.match(text[d["end"]:figs[k]["start"]]) else None
            if p is not None:
                k += 1
        else:
            p = d
        last = p or delta
        cm = COMPARED.match(text, last["end"])
        if not cm:
            continue
        old = None
        if k < n and figs[k]["kind"] == v["kind"] and _units_compatible(v, figs[k]) and \
                OLD_VALUE.match(text[cm.end():figs[k]["start"]]):
            old = figs[k]
        basis = " ".join(text[v["end"]:cm.end()].split())
        basis = re.sub(r"\d[\d.,]*(?:\s?%)?", "…", basis)[:120]
        if old is None and finder is not None and (delta is None or p is not None):
            old = finder(v, text[cm.start():cm.end() + 12])
            if old is not None:
                basis += f"; số cũ nêu trước đó: \u201c{old['surface']}\u201d"
        word = "tăng" if up else "giảm"
        if old is not None:
            change = v["value"] - old["value"]
            if delta is not None:
                tol = _precision(v) / 2 + _precision(old) / 2 + _precision(delta) / 2
                diff = abs(abs(change) - delta["value"])
                if diff <= 1e-6 * max(1.0, delta["value"]) and (change > 0) == up:
                    verdict = "ok"
                elif diff <= tol + EPS and (change >= 0) == up:
                    verdict = "rounding"
                else:
                    verdict = "mismatch"
                note = "" if (change > 0) == up or change == 0 else \
                    f" Chiều thay đổi ngược với chữ \u201c{word}\u201d."
                out.append(_check(
                    "change", verdict, delta["value"], abs(change), [v, delta, old],
                    f"Nêu {word} {_show(delta)}; số mới {_show(v)} so với số cũ {_show(old)} "
                    f"chênh {_sum_text(abs(change), [v])}.{note}", basis=basis))
            base, amount = old["value"], abs(change) if delta is None else delta["value"]
            figs_used = [v] + ([delta] if delta else []) + [old]
        elif delta is not None:
            base = v["value"] - delta["value"] if up else v["value"] + delta["value"]
            amount = delta["value"]
            figs_used = [v, delta]
        else:
            continue
        if p is None or base <= 0:
            continue
        computed = amount / base * 100
        dd = p.get("decimals") or 0
        verdict = percent_verdict(p["value"], dd, computed)
        note = ""
        if verdict == "mismatch" and percent_verdict(p["value"], dd, amount / v["value"] * 100) == "ok":
            note = " Tỷ lệ nêu là mức thay đổi chia cho số mới, không phải số cũ."
        elif verdict == "rounding":
            note = rounding_note(p["value"], dd, computed)
        base_text = _show(old) if old is not None else \
            f"{_sum_text(base, [v])} (= {_show(v)} {'−' if up else '+'} {_show(delta)})"
        out.append(_check(
            "change_percent", verdict, p["value"], computed, figs_used + [p],
            f"Nêu {word} {pct(p['value'], dd)}; mức thay đổi {_sum_text(amount, [v])} trên số "
            f"cũ {base_text} cho {pct(computed, max(dd + 2, 2))} "
            f"(làm tròn: {pct(round(computed, dd), dd)}).{note}", basis=basis))
    return out


def _change_percent(text, figs):
    out = []
    for j, b in enumerate(figs):
        ch = _change_before(text, figs, j)
        if not ch:
            continue
        a = ch[0]
        for p in figs[j + 1:]:
            if p["kind"] != "percent":
                continue
            lead = text[max(b["end"], p["start"] - 30):p["start"]]
            if re.search(r"(?i)tỷ lệ (?:giảm|tăng)|tỉ lệ (?:giảm|tăng)|(?:giảm|tăng)\s+(?:được\s+)?$", lead):
                diff = abs(a["value"] - b["value"])
                computed = diff / a["value"] * 100 if a["value"] else None
                if computed is None:
                    break
                d = p.get("decimals") or 0
                verdict = percent_verdict(p["value"], d, computed)
                if verdict == "mismatch" and b["value"] and \
                        percent_verdict(p["value"], d, diff / b["value"] * 100) != "mismatch":
                    # the rate measured against the new value: another base, not certain
                    verdict = "unverifiable"
                if verdict == "mismatch" and p["start"] - b["end"] > 40 and \
                        not re.search(r"(?i)t[ỷỉ] lệ (?:giảm|tăng)", lead):
                    # "… trong khi hồ sơ trực tuyến tăng 5,2%": maybe another indicator's rate
                    verdict = "unverifiable"
                out.append(_check(
                    "change_percent", verdict, p["value"], computed, [a, b, p],
                    f"Nêu tỷ lệ {pct(p['value'], d)}; mức thay đổi {vn(diff)} trên "
                    f"{vn(a['value'])} cho {pct(computed, max(d + 2, 2))} "
                    f"(làm tròn: {pct(round(computed, d), d)})."
                    f"{rounding_note(p['value'], d, computed) if verdict == 'rounding' else ''}"))
            break
    return out


# ---- statistical tables ("1.4. | Tổng số TTHC | Thủ tục | 2.372" then 1.4.1., 1.4.2.) ------

TABLE_ROW = re.compile(r"(?m)^[ \t]*(\d{1,2}(?:\.\d{1,2}){0,4})\.?[ \t]*\|(.*)$")


def _table_rows(text, figures):
    """Numbered table rows with their value figure, children attached to the latest row
    numbered as their parent (a table cut by a page break continues)."""
    starts = [f["start"] for f in figures]
    rows, last = [], {}
    for m in TABLE_ROW.finditer(text):
        ident = tuple(int(x) for x in m.group(1).split("."))
        label = m.group(2).split(" | ")[0]
        label_end = m.start(2) + len(label)
        i = bisect.bisect_left(starts, label_end)
        fig = figures[i] if i < len(figures) and figures[i]["start"] < m.end() else None
        row = {"id": ident, "label": label.strip(), "fig": fig, "children": [], "start": m.start()}
        parent = last.get(ident[:-1]) if len(ident) > 1 else None
        if parent is not None and m.start() - parent["start"] < 6000:
            parent["children"].append(row)
        last[ident] = row
        for k in [k for k in last if len(k) > len(ident) and k[:len(ident)] == ident]:
            del last[k]  # a new "3." closes the old 3.1, 3.2 …
        rows.append(row)
    return rows


def _table_checks(text, figures):
    out = []
    figures = sorted(figures, key=lambda f: f["start"])
    for row in _table_rows(text, figures):
        p = row["fig"]
        kids = [c["fig"] for c in row["children"] if c["fig"] is not None]
        if p is None or len(kids) < 2 or len(kids) != len(row["children"]):
            continue
        if p["kind"] == "percent" and len(kids) == 2 and all(k["kind"] == "count" for k in kids):
            whole, part = kids
            if not whole["value"] or part["value"] > whole["value"]:
                continue
            computed = part["value"] / whole["value"] * 100
            d = p.get("decimals") or 0
            verdict = percent_verdict(p["value"], d, computed)
            if verdict == "mismatch" and percent_verdict(p["value"], d, 100 - computed) != "mismatch":
                continue  # the rate of the other part ("Số hồ sơ trễ hạn" under "đúng hạn")
            if verdict == "mismatch" and not fold(row["label"]).startswith(("ty le", "ti le")):
                verdict = "unverifiable"
            out.append(_check(
                "ratio_percent", verdict, p["value"], computed, [whole, part, p],
                f"Bảng: dòng {'.'.join(map(str, row['id']))} nêu {pct(p['value'], d)}; hai dòng "
                f"con cho {vn(part['value'])}/{vn(whole['value'])} = {pct(computed, max(d + 2, 2))} "
                f"(làm tròn: {pct(round(computed, d), d)})."
                f"{rounding_note(p['value'], d, computed) if verdict == 'rounding' else ''}"))
        elif p["kind"] in ("count", "money"):
            same = [k for k in kids if k["kind"] == p["kind"] and _units_compatible(k, p)]
            if len(same) != len(kids) or sum(1 for k in kids if k["value"]) < 2:
                continue
            running = 0.0
            for n, k in enumerate(kids):
                running += k["value"]
                if n >= 1 and abs(running - p["value"]) <= 1e-6 * max(1.0, p["value"]):
                    parts = kids[:n + 1]
                    out.append(_check(
                        "total", "ok", p["value"], running, [p] + parts,
                        f"Bảng: dòng {'.'.join(map(str, row['id']))} nêu {_show(p)}; các dòng "
                        f"con {' + '.join(_show(x) for x in parts)} = {_sum_text(running, parts)}."))
                    break
    return out


# ---- repeated figures ------------------------------------------------------------------

def _indicator_key(f):
    subject = fold(f.get("subject") or "")
    subject = re.sub(r"[^\w\s]", " ", subject)
    subject = " ".join(subject.split())
    if len(subject.split()) < 5 or not f.get("unit") or subject in _partition_labels():
        return None
    if f["kind"] not in ("count", "percent", "money", "score"):
        return None
    return (subject, fold(f["unit"]), f["kind"], f.get("period") or "", fold(f.get("scope") or ""))


def _dates_in(text, f):
    return frozenset(m.group(0) for m in DAY_DATE.finditer(text, f["sentence_start"], f["sentence_end"]))


YEAR = re.compile(r"(?<![\d.,/])(?:19|20)\d{2}(?![\d/])")


@lru_cache(maxsize=4)
def _line_heads(text):
    """For every line: its start and the label it stands under. A bullet line's label is
    the nearest line above that does not start with the same bullet ("- Cấp tỉnh:" above
    "+ Số hồ sơ …", "a) Đối với công chức:" above "- …"); a paragraph's label is the line
    just above when that line ends with a colon. One pass (a bounded table per marker)."""
    starts, heads = [], []
    last_other: dict[str, str] = {}  # marker -> the latest line not starting with it
    prev = None  # the latest non-empty line
    pos = 0
    for line in text.split("\n"):
        row = line.strip()
        starts.append(pos)
        marker = row[:1]
        if marker in BULLETS:
            head = last_other.get(marker, "")
        else:
            head = prev if prev is not None and prev.endswith(":") else ""
        heads.append(head)
        if row:
            for m in BULLETS:
                if m != marker:
                    last_other[m] = row
            prev = row
        pos += len(line) + 1
    return starts, heads


def _context_head(text, f):
    """The label a figure stands under ("a) Đối với công chức:", "Mục tiêu đến năm 2030:",
    "Về kết quả xử lý:"), folded, years kept, footnote markers dropped; empty if none."""
    starts, heads = _line_heads(text)
    i = bisect.bisect_right(starts, f["start"]) - 1
    head = heads[i] if i >= 0 else ""
    return " ".join(re.sub(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+", " ", fold(head)).split()) if head else ""


HEADING_LINE = re.compile(
    r"(?m)^[ \t]*([IVXLC]+\.(?:\d{1,2}\.?)*|\d{1,2}(?:\.\d{1,2}){0,3}\.?|[a-zđ]\))[ \t]+([^\n|]{3,160})$")
SCOPE_WORDS = re.compile(  # not folded: tỉnh ≠ tình, sở ≠ số
    r"(?i)\b(?:sở|phòng|ban|xã|phường|thị trấn|huyện|tỉnh|thành phố|thị xã|quận|cấp|ubnd|ủy ban|"
    r"đơn vị|cơ quan|công chức|viên chức|trường|bệnh viện|trung tâm|chi cục|cục|bộ|ngành|"
    r"doanh nghiệp|hợp tác xã|tổ chức|hộ gia đình|đảng viên|hội)\b")


def _heading_level(number: str) -> int:
    if number.endswith(")"):
        return 9  # a), b)
    parts = [p for p in number.split(".") if p]
    roman = bool(re.match(r"[IVXLC]+$", parts[0]))
    return len(parts) + (0 if roman else 1)


def _heading_scopes(text, words=SCOPE_WORDS):
    """(start offsets, scope) of numbered heading lines. A heading that names a unit, a
    level or a kind of staff ("2. Sở Tư pháp", "b) Cấp xã", "II. ĐỐI VỚI VIÊN CHỨC")
    gives the scope of everything under it, down to its sub-headings; figures under two
    different scopes are two indicators. One pass over the text."""
    starts, scopes, stack = [], [], []  # stack of (level, scope)
    for m in HEADING_LINE.finditer(text):
        level = _heading_level(m.group(1))
        while stack and stack[-1][0] >= level:
            stack.pop()
        head = " ".join(fold(m.group(2)).split())
        own = head if words.search(m.group(2)) else None
        inherited = next((sc for _, sc in reversed(stack) if sc), None)
        stack.append((level, own))
        starts.append(m.start())
        scopes.append(own or inherited)
    return starts, scopes


def _heading_scope(index, f):
    starts, scopes = index
    i = bisect.bisect_right(starts, f["start"]) - 1
    return scopes[i] if i >= 0 else None


def _tail(text, f):
    """The words after a figure up to the end of its clause ("… 38 vụ đã khởi tố")."""
    seg = re.split(r"[,;.:()\n]", text[f["end"]:f["end"] + 80])[0]
    return " ".join(re.sub(r"[\d⁰¹²³⁴⁵⁶⁷⁸⁹%/]+", " ", fold(seg)).split())


def _years(text, f):
    return frozenset(YEAR.findall(text, f["sentence_start"], f["sentence_end"]))


def _not_measured(text, f) -> str | None:
    """Why `f` is a value the text sets rather than measures (None: it measures): such
    values are never one indicator restated. The false-alarm classes of issue 9."""
    if _is_condition(text, f):
        return "condition"  # "trường hợp đạt 100% thì …", targets, rubric lines "…: 2 điểm"
    if THRESHOLD_BEFORE.search(text, max(0, f["start"] - 20), f["start"]):
        return "threshold"  # rubric bands "từ 65% đến dưới 80%", "trên 98%"
    return None


class _Masked:
    """The document's words around figures with every quantity (a figure with a unit, a
    percentage) replaced by "#", footnote markers dropped, folded: what is left of the
    numbers are labels ("Tổ dân phố 3", "Nhóm 2", "lần 2"), which tell indicators apart."""

    def __init__(self, text, figures):
        self.text = text
        self.spans = sorted((f["start"], f["end"]) for f in figures if f.get("unit") or f["kind"] != "count")
        self.starts = [a for a, _b in self.spans]

    def __call__(self, lo, hi) -> str:
        out, pos = [], lo
        k = max(0, bisect.bisect_left(self.starts, lo) - 1)
        for a, e in self.spans[k:]:
            if a >= hi:
                break
            if e <= lo:
                continue
            out.append(self.text[pos:max(pos, a)])
            out.append(" # ")
            pos = max(pos, e)
        out.append(self.text[pos:hi] if pos < hi else "")
        return " ".join(re.findall(r"[^\W⁰¹²³⁴⁵⁶⁷⁸⁹]+|#", fold("".join(out))))

    def clause(self, text, f) -> tuple[str, str]:
        """The clause around `f` with figures masked: (before it, after it)."""
        after = re.split(r"[,;.:()\n]", text[f["end"]:f["end"] + 80])[0]
        return self(f["start"] - len(_clause_before(text, f)), f["start"]), \
            self(f["end"], f["end"] + len(after))


class Indicator(NamedTuple):
    """What a figure states, from the words around it. Two figures of a document are one
    indicator restated only when every field is equal (an exact key match)."""
    subject: str          # the indicator's name (figures.subject, folded, five words at least)
    unit: str             # the counted noun or measure ("hồ sơ", "%", "tỷ đồng")
    kind: str             # count, percent, money, score
    lead: str             # the sentence up to the figure: the verb and stage ("phát hiện",
                          # "khởi tố"), the member of a union, the labels ("mức độ 3")
    tail: str             # the clause after it ("… vụ đã khởi tố", "… hộ tại tổ 5")
    period: str           # the figure's period (figures.period)
    years: frozenset      # every year of the sentence: target years ("đến năm 2025")
    dates: frozenset      # day dates of the sentence ("tại thời điểm 31/12/2022")
    scope: str            # unit, level, place (figures.scope)
    head: str             # the label line above ("a) Đối với công chức:", "Về kết quả xử lý:")
    section: str | None   # the numbered heading that scopes it ("II.1. Sở Tư pháp")


def indicator(text, f, masked, headings) -> Indicator | None:
    """`f`'s indicator, or None when it cannot be one restated: no name of five words,
    no unit, a kind that is no measured quantity (ratios are compared by their parts,
    ranks and durations never), a table cell (its row and column say what it is: the
    table checks), or a value the text sets rather than measures (`_not_measured`)."""
    key = _indicator_key(f)
    if key is None or _not_measured(text, f):
        return None
    if "|" in text[f["sentence_start"]:f["start"]]:
        return None
    subject, unit, kind, period, scope = key
    return Indicator(subject, unit, kind, masked(f["sentence_start"], f["start"]),
                     masked.clause(text, f)[1], period, _years(text, f),
                     _dates_in(text, f), scope, _context_head(text, f), _heading_scope(headings, f))


def _same_scope(text, a, b) -> bool:
    """Two mentions of one indicator state the same quantity only when everything that
    scopes them agrees: dates, years (period and target year), the label they stand
    under (unit, level, stage), and neither is a threshold, condition or target."""
    if _not_measured(text, a) or _not_measured(text, b):
        return False
    return _dates_in(text, a) == _dates_in(text, b) and _years(text, a) == _years(text, b) \
        and _context_head(text, a) == _context_head(text, b)


def _repeated(text, figures):
    """One indicator stated twice in a document (two sentences) with its values: `ok`
    when equal, `mismatch` when not. Only on an exact `Indicator` match."""
    out = []
    seen: dict[Indicator, dict] = {}
    headings = _heading_scopes(text)
    masked = _Masked(text, figures)
    for f in sorted(figures, key=lambda f: f["start"]):
        key = indicator(text, f, masked, headings)
        if key is None:
            continue
        first = seen.setdefault(key, f)
        if first is f or first["sentence_start"] == f["sentence_start"]:
            continue
        same = abs(first["value"] - f["value"]) <= 1e-9 * max(1, abs(f["value"]))
        out.append(_check(
            "repeated", "ok" if same else "mismatch", f["value"], first["value"], [first, f],
            f"Chỉ tiêu \u201c{f['subject']}\u201d nêu {_show(first)} "
            f"rồi {_show(f)} trong cùng văn bản.",
            basis=f"cùng chỉ tiêu, cùng phạm vi và kỳ: \u201c{' '.join(text[f['sentence_start']:f['start']].split())[-100:]}\u201d"))
    out.extend(_transposed(text, figures, out, masked))
    return out


# ---- a figure of the text against the annex's statistics row for the same indicator ----

ROW_LEAD = re.compile(r"^(?:tong so luong|tong so|so luong|so)\s+")
# what may follow the indicator's name in the text without narrowing it: the predicate
# of the numerator ("398/421 TTHC có yêu cầu nghĩa vụ tài chính được triển khai …")
PREDICATE = {"duoc", "da", "deu", "dang"}
# units and levels, not the verbs "cung cấp" (provide) and "ban hành" (issue)
UNIT_WORDS = re.compile(SCOPE_WORDS.pattern.replace("|cấp|", "|(?<!cung )cấp|").replace("|ban|", "|ban(?! hành)|"))
# a part of the report's period: "quý III", "6 tháng đầu năm", "đợt 2", "cùng kỳ"
PART_OF_PERIOD = re.compile(r"(?i)\b(?:quý|tháng|tuần|đợt|giai đoạn|học kỳ|kỳ trước|cùng kỳ|năm trước)\b")
WHOLE_TERRITORY = re.compile(
    r"(?i)\b(?:toàn|trên địa bàn|trên phạm vi|của)\s+(?:tỉnh|huyện|thành phố|thị xã|quốc|ngành)\b")


def _narrowed(text, f, period) -> bool:
    """A text figure that cannot stand for an annex row of `period`: its sentence names no
    year or another one, a part of the period, a day; or it is a target, threshold,
    condition, plan or estimate."""
    before = text[f["sentence_start"]:f["start"]]
    return _years(text, f) != {period} or bool(PART_OF_PERIOD.search(text, f["sentence_start"], f["sentence_end"])) \
        or bool(_dates_in(text, f)) or _not_measured(text, f) is not None or bool(WEAK.search(before)) \
        or bool(TARGET_BEFORE.search(before))


# a sentence that sets a goal or a case, wherever the word stands before the figure
TARGET_BEFORE = re.compile(r"(?i)\b(?:phấn đấu|định hướng|trường hợp|nếu|đề ra|cần|phải)\b")


def _row_words(label: str) -> list[str]:
    """An annex row's indicator: folded words, "(…)" notes and the leading "Tổng số"/"Số"
    left out ("Tổng số TTHC có yêu cầu nghĩa vụ tài chính (tất cả …)" → tthc co yeu …)."""
    lab = re.sub(r"\([^)]*\)?", " ", fold(label))
    lab = ROW_LEAD.sub("", " ".join(re.findall(r"\w+", lab)))
    return lab.split()


def _text_against_annex(text, figures):
    """A report's annex (Biểu mẫu: "3.1. | Tổng số TTHC có yêu cầu nghĩa vụ tài chính |
    Thủ tục | 412") restates figures the text gives ("có 398/421 TTHC có yêu cầu nghĩa vụ
    tài chính được triển khai …"). Compared only when the text names exactly the row's
    indicator (five words at least, followed by nothing or by the numerator's predicate),
    one annex row has that name, and nothing narrows the text's figure: no unit or level
    in its sentence or heading other than the whole territory, no year other than the
    annex's period, no part of it, no day, no target, threshold or condition. The whole of
    a ratio (421 of "398/421 …") is the "Tổng số" row's value; a count is the row's value."""
    figures = sorted(figures, key=lambda f: f["start"])
    by_label: dict[tuple, list] = defaultdict(list)
    for row in _table_rows(text, figures):
        f = row["fig"]
        words = _row_words(row["label"])
        if f is not None and f["kind"] == "count" and len(words) >= 5:
            by_label[tuple(words)].append(row)
    if not by_label:
        return []
    headings = _heading_scopes(text, UNIT_WORDS)
    out = []
    for f in figures:
        if f["kind"] not in ("ratio", "count") or not f.get("unit") or \
                "|" in text[f["sentence_start"]:f["sentence_end"]]:
            continue
        seg = re.split(r"[,;.:()\n]", text[f["end"] - len(f["unit"]):f["end"] + 200])[0]
        words = " ".join(re.findall(r"\w+", fold(seg))).split()
        whole = f["denominator"] if f["kind"] == "ratio" else f["value"]
        for label, rows in by_label.items():
            n = len(label)
            if len(rows) != 1 or tuple(words[:n]) != label or \
                    (len(words) > n and (f["kind"] == "count" or words[n] not in PREDICATE)):
                continue
            if f["kind"] == "ratio" and not fold(rows[0]["label"]).lstrip().startswith("tong so"):
                continue  # the whole of "a/b X được …" is the row "Tổng số X", not "Số X được …"
            row = rows[0]["fig"]
            before = WHOLE_TERRITORY.sub(" ", text[f["sentence_start"]:f["start"]])
            years = _years(text, f)
            if UNIT_WORDS.search(before) or _heading_scope(headings, f) or \
                    PART_OF_PERIOD.search(before + " " + seg) or _dates_in(text, f) or \
                    (years and years != {row.get("period")}) or _is_condition(text, f) or \
                    THRESHOLD_BEFORE.search(text, max(0, f["start"] - 20), f["start"]) or \
                    WEAK.search(before) or whole is None:
                continue
            same = abs(whole - row["value"]) <= 1e-9 * max(1, abs(whole))
            ident = ".".join(map(str, rows[0]["id"]))
            chk = _check(
                "repeated", "ok" if same else "mismatch", whole, row["value"], [f, row],
                f"Chỉ tiêu \u201c{' '.join(re.sub(r'[(].*', '', rows[0]['label']).split())}\u201d: "
                f"văn bản nêu {vn(whole)}{' (tổng số của ' + f['surface'] + ')' if f['kind'] == 'ratio' else ''}, "
                f"bảng phụ lục (dòng {ident}) nêu {_show(row)}.",
                basis=f"cùng chỉ tiêu trong văn bản và dòng {ident} của biểu phụ lục: "
                      f"\u201c{rows[0]['label'][:100]}\u201d")
            chk["start"], chk["end"] = f["start"], f["end"]  # the card shows the sentence, not all between
            out.append(chk)
    return out


STOP = {"số", "của", "và", "là", "có", "đã", "được", "trong", "các", "những", "với", "tại",
        "theo", "đến", "năm", "tổng", "đạt", "toàn"}


_MEASURE_WORDS = {"đồng", "đ", "vnđ", "kg", "tấn", "lít", "m", "m2", "m3", "cái", "chiếc", "bộ"}


def _content_words(f) -> set[str]:
    """The words naming the indicator: a unit ("đồng /kg" of a price list) names none."""
    words = re.findall(r"\w+", (f.get("subject") or "").lower())  # not folded: số ≠ sơ
    unit = set(re.findall(r"\w+", (f.get("unit") or "").lower()))
    return {w for w in words if w not in STOP and not w.isdigit() and w not in unit
            and w not in _MEASURE_WORDS}


def _is_transposition(a: float, b: float) -> bool:
    """1.284 vs 1.248: the same digits with two neighbours swapped (a typing slip)."""
    if a != int(a) or b != int(b) or a == b:
        return False
    da, db = str(int(a)), str(int(b))
    if len(da) != len(db) or len(da) < 3:
        return False
    diff = [i for i in range(len(da)) if da[i] != db[i]]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and \
        da[diff[0]] == db[diff[1]] and da[diff[1]] == db[diff[0]]


def _labels(text, f, masked) -> frozenset:
    """The numbers left in `f`'s sentence up to it and in its clause after it once
    quantities are masked: labels ("Nhóm 1:", "tổ 3"), years."""
    words = (masked(f["sentence_start"], f["start"]) + " " + masked.clause(text, f)[1]).split()
    return frozenset(w for w in words if w[:1].isdigit())


def _swap_check(text, a, b, pairs, masked):
    if a["start"] > b["start"]:
        a, b = b, a
    if a["sentence_start"] == b["sentence_start"]:
        return None
    if (a.get("period") or "") != (b.get("period") or "") or \
            fold(a.get("scope") or "") != fold(b.get("scope") or ""):
        return None  # "cấp huyện 1.245" and "cấp xã 1.425" are two indicators
    if not _same_scope(text, a, b) or masked.clause(text, a)[1] != masked.clause(text, b)[1] or \
            _labels(text, a, masked) != _labels(text, b, masked):
        return None  # "… hộ tại tổ 3" and "… hộ tại tổ 5" are two indicators
    key = frozenset((a["id"], b["id"]))
    if key in pairs:
        return None
    wa, wb = _content_words(a), _content_words(b)
    if len(wa) < 2 or len(wb) < 2 or len(wa & wb) / len(wa | wb) < 0.5:
        return None
    pairs.add(key)
    return _check(
        "repeated", "mismatch", b["value"], a["value"], [a, b],
        f"Chỉ tiêu \u201c{b['subject']}\u201d nêu {_show(a)} rồi {_show(b)} "
        f"trong cùng văn bản (hai chữ số bị đảo chỗ?).",
        basis="cùng chỉ tiêu, cùng phạm vi và kỳ, hai chữ số đảo chỗ")


def _transposed(text, figures, done=(), masked=None):
    """The same indicator restated elsewhere with two digits swapped ("1.284 hộ" in the
    body, "1.248 hộ" in the summary): same unit, kind and period, most of the subject's
    words shared. Only swaps count: two indicators rarely differ by exactly that."""
    out: list[dict] = []
    pairs = {frozenset(c["figure_ids"]) for c in done}
    cands = [f for f in figures if f["kind"] in ("count", "money") and f.get("unit")
             and f["value"] >= 100 and f.get("subject")]
    by_digits: dict[tuple, list[dict]] = defaultdict(list)
    for f in cands:
        by_digits[("".join(sorted(str(int(f["value"])))), fold(f["unit"]), f["kind"])].append(f)
    for group in by_digits.values():
        by_value: dict[float, list[dict]] = defaultdict(list)
        for f in group:
            by_value[f["value"]].append(f)
        if len(by_value) < 2:
            continue
        # compare distinct values only (the same value restated is not a swap)
        values = sorted(by_value)
        for i, va in enumerate(values):
            for vb in values[i + 1:]:
                if not _is_transposition(va, vb):
                    continue
                for x in by_value[va][:5]:
                    for y in by_value[vb][:5]:
                        chk = _swap_check(text, x, y, pairs, masked or _Masked(text, figures))
                        if chk:
                            out.append(chk)
    return out


# ---- stage and corpus finalizer ----------------------------------------------------------

def _get(obj, name):
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


def analyze(ctx) -> None:
    figures = ctx.rows.get("figures", [])
    by_id = {f["id"]: f for f in figures}
    from pipeline.analysis.audit_tables import table_checks

    # A table row read as a sentence asserts nothing ("| 100.000 | 144.630 |" is not
    # "tổng … gồm …"): rows and columns are checked by the table arithmetic alone.
    spans = sorted((_get(t, "start"), _get(t, "end")) for t in ctx.tables or [])
    starts = [a for a, _b in spans]

    def in_table(chk) -> bool:
        k = bisect.bisect_right(starts, chk["start"]) - 1
        return k >= 0 and chk["start"] < spans[k][1]

    checks = [c for c in audit(ctx.text, figures) if not in_table(c)] + table_checks(
        ctx.text, ctx.tables or [], figures, join=ctx.format in ("pdf", "image"), ocr_spans=ctx.ocr_spans)
    for chk in sorted(checks, key=lambda c: (c["start"], c["end"])):
        _link_pair(chk, by_id)
        row = {k: chk.get(k) for k in ("kind", "verdict", "stated", "computed", "message", "basis")}
        row["figure_ids"] = json.dumps(chk["figure_ids"])
        row.update(ctx.provenance(chk["start"], chk["end"]))
        ctx.add("checks", row)


_CAP = "A-ZĐÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚĂĨŨƠƯẠ-Ỹ"
DOC_PLACE = re.compile(
    r"\b((?i:huyện|tỉnh|thành phố|thị xã|quận|phường|thị trấn|xã(?! hội\b)(?! HỘI\b)))[ ]+"
    rf"([{_CAP}][^\W\d_]*(?:[ ]+[{_CAP}][^\W\d_]*){{0,3}})")


def document_place(head: str) -> str | None:
    """The administrative unit a document speaks for, from its first lines ("ỦY BAN NHÂN
    DÂN HUYỆN NAM SƠN", "HĐND huyện Tuần Giáo"): folded, e.g. 'huyen nam son'."""
    for m in DOC_PLACE.finditer(head):
        name = m.group(2)
        if name.isupper() or name[:1].isupper():
            return fold(f"{m.group(1)} {name}")
    return None


def _link_pair(chk, by_id):
    """A paired a/b and percentage describe each other: the ratio row gets the stated
    percentage, the percentage row the numerator and denominator."""
    if chk["kind"] not in ("ratio_percent", "implicit_whole"):
        return
    figs = [by_id[i] for i in chk["figure_ids"] if i in by_id]
    pcts = [f for f in figs if f["kind"] == "percent"]
    if len(pcts) != 1:
        return
    p = pcts[0]
    if chk["kind"] == "ratio_percent":
        ratio = next((f for f in figs if f["kind"] == "ratio"), None)
        if ratio is not None:
            ratio.setdefault("stated_percent", None)
            if ratio["stated_percent"] is None:
                ratio["stated_percent"] = p["value"]
            num, den = ratio["numerator"], ratio["denominator"]
        elif len(figs) == 3:  # "a trên tổng số b"
            num, den = figs[0]["value"], figs[1]["value"]
        else:
            return
    else:
        whole, part = figs[0], figs[1]
        num = part["value"]
        den = whole["denominator"] if whole["kind"] == "ratio" else whole["value"]
        if part.get("stated_percent") is None:
            part["stated_percent"] = p["value"]
    if p.get("numerator") is None:
        p["numerator"], p["denominator"] = num, den


_FIGURE_COLS = ("f.id, f.document_id, f.subject, f.unit, f.kind, f.value, f.decimals, "
                "f.period, f.scope, f.start, f.end, f.page, f.section, f.footnote")


def _indicator_rows(db, document_ids) -> list[tuple[int, int, str]]:
    """(figure id, document id, indicator key with the document's place) of the figures
    that can take part in a cross-document comparison; every document when ids is None."""
    where, params = "", []
    if document_ids is not None:
        from pipeline.store.db import in_list
        inside, params = in_list(db, document_ids)
        where = f" and d.id in ({inside})"
    rows = db.query(
        f"select {_FIGURE_COLS} from figures f join documents d on d.id = f.document_id "
        f"where d.status != 'failed' and f.subject is not null and f.period is not null{where}",
        params)
    places = {d["id"]: document_place(d["head"] or "") for d in db.query(
        f"select id, substr(text, 1, 1500) as head from documents d where status != 'failed'{where}",
        params)}
    out = []
    for f in rows:
        key = _indicator_key(f)
        place = places.get(f["document_id"])
        # the same indicator of two different districts is not a contradiction
        if key and key[3] and place:
            # a digest, not the key itself: the subject is long and would be stored twice
            digest = hashlib.blake2b(json.dumps(key + (place,), ensure_ascii=False).encode(),
                                     digest_size=12).hexdigest()
            out.append((f["id"], f["document_id"], digest))
    return out


def finalize(db, document_ids=None) -> None:
    """Cross-document checks: the same indicator stated with different values in two
    documents. `indicator_keys` keeps each comparable figure's indicator, so a batch
    recomputes only the indicators of the documents it wrote or deleted (`document_ids`;
    None: every indicator, from scratch)."""
    if not db["figures"].exists() or not db["checks"].exists():
        return
    conn = db.conn
    from pipeline.store.db import begin, rollback
    begin(db)
    try:
        # the index table is created in the transaction that fills it: a run killed half
        # way leaves no empty table that would pass for an up-to-date index
        fresh = not db["indicator_keys"].exists()
        db.execute("create table if not exists indicator_keys (figure_id integer primary key,"
                   " document_id integer, key text)")
        db.execute("create index if not exists idx_indicator_keys_key on indicator_keys (key)")
        db.execute("create index if not exists idx_indicator_keys_document on indicator_keys (document_id)")
        _finalize(db, conn, None if fresh else document_ids)
        db.execute("COMMIT")
    except BaseException:
        rollback(db)
        raise


def _finalize(db, conn, document_ids) -> None:
    from pipeline.store.db import in_list, insert_rows
    # ids are never reused: take the next one before deleting the old cross-document rows
    next_id = (db.execute("select max(id) from checks").fetchone()[0] or 0) + 1
    if document_ids is None:
        db.execute("delete from checks where kind = 'cross_document'")
        db.execute("delete from indicator_keys")
        conn.executemany("insert into indicator_keys values (?, ?, ?)", _indicator_rows(db, None))
        keys = None
    else:
        ids = sorted(document_ids)
        marks, marked = in_list(db, ids)
        new_rows = _indicator_rows(db, ids)
        keys = {k for (k,) in db.execute(
            f"select key from indicator_keys where document_id in ({marks})", marked)}
        keys |= {k for _f, _d, k in new_rows}
        if not keys:
            return
        keys = sorted(keys)
        kmarks, kmarked = in_list(db, keys)
        # the comparisons of these indicators, found by their second figure's indicator
        # (a check whose document is gone went with it)
        db.execute(
            "delete from checks where id in (select c.id from checks c join indicator_keys k"
            " on k.figure_id = json_extract(c.figure_ids, '$[1]')"
            f" where c.kind = 'cross_document' and k.key in ({kmarks}) and c.document_id in"
            f" (select document_id from indicator_keys where key in ({kmarks})))",
            kmarked * 2)  # through checks.document_id's index, not a scan of all checks
        db.execute(f"delete from indicator_keys where document_id in ({marks})", marked)
        conn.executemany("insert into indicator_keys values (?, ?, ?)", new_rows)
    groups: dict[str, list[dict]] = defaultdict(list)
    if keys is None:
        members = db.execute("select figure_id, key from indicator_keys order by figure_id").fetchall()
    else:
        members = db.execute(f"select figure_id, key from indicator_keys where key in ({kmarks})"
                             " order by figure_id", kmarked).fetchall()
    multi = {}
    for fid, key in members:
        multi.setdefault(key, []).append(fid)
    wanted = [fid for fids in multi.values() if len(fids) > 1 for fid in fids]
    figures = {}
    if wanted:
        inside, params = in_list(db, wanted)
        for f in db.query(f"select {_FIGURE_COLS} from figures f where f.id in ({inside})", params):
            figures[f["id"]] = f
    for key, fids in multi.items():
        groups[key] = [figures[i] for i in fids if i in figures]
    new = []
    for key, fs in sorted(groups.items(), key=lambda kv: kv[1][0]["id"] if kv[1] else 0):
        docs = {}
        for f in fs:
            docs.setdefault(f["document_id"], f)
        if len(docs) < 2:
            continue
        firsts = sorted(docs.values(), key=lambda f: f["document_id"])
        base = firsts[0]
        for other in firsts[1:]:
            if abs(other["value"] - base["value"]) <= 1e-9 * max(1, abs(base["value"])):
                continue
            new.append({
                "id": next_id, "document_id": other["document_id"], "kind": "cross_document",
                # two documents disagreeing is not one document contradicting itself:
                # shown for review, never a `mismatch`
                "verdict": "unverifiable", "stated": other["value"], "computed": base["value"],
                "basis": "cùng chỉ tiêu, đơn vị hành chính, kỳ và phạm vi ở hai văn bản",
                "figure_ids": json.dumps([base["id"], other["id"]]),
                "message": (f"Chỉ tiêu \u201c{other['subject']}\u201d ({other['period']}) nêu "
                            f"{vn(other['value'], other['decimals'])} {other['unit']}, văn bản "
                            f"#{base['document_id']} nêu {vn(base['value'], base['decimals'])}."),
                "other_document_id": base["document_id"], "start": other["start"],
                "end": other["end"], "page": other["page"], "section": other["section"],
                "footnote": other["footnote"],
            })
            next_id += 1
    insert_rows(db, "checks", new)
