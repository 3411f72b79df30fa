"""Cost-estimate arithmetic (dự toán, tổng mức đầu tư), called by `audit_tables.table_checks`
on each table.

An estimate writes each line's formula in its own codes: "2,13% x Gtb", "0,38% x TMĐT x
70%", "5% x TMĐT". The codes are the table's own ("Gtb" in the code column of a row);
"…tt"/"…st" name the before/after-tax value; TMĐT/TDT the grand total. Amount columns:
"Thành tiền" = "Số lượng" × "Đơn giá". Every value a code may take is tried and the
best reading kept, so a `mismatch` means no reading of the table gives the stated amount.
"""
from __future__ import annotations

import ast
import re

from pipeline.analysis.audit_tables import (
    EPS, ROMAN, _check, _consistent, _corroborated, _eval, _figure_at, _row_name, _vn)
from pipeline.text.normalize import fold

FORMULA_HEADER = re.compile(r"\b(?:cong thuc|cach tinh|dien giai cach tinh)\b")
FORMULA_TOKEN = re.compile(r"\s*(?:(\d+(?:[.,]\d+)*)\s*(%?)|([x×*/:+\-()])|([A-Za-zĐđ]+))")
GRAND_TOTAL = {"tmdt", "tdt", "tongmucdautu", "tongdutoan"}
GRAND_LABEL = re.compile(r"^\s*(?:tong muc dau tu|tong du toan|tong cong|tong so|tong)\b")
CODE_CELL = re.compile(r"^[A-ZĐ][A-Za-zĐđ]{0,7}\d{0,2}$")
BEFORE_TAX = re.compile(r"truoc thue|chua (?:co )?(?:thue|vat)")
AFTER_TAX = re.compile(r"sau thue|(?:da )?(?:co|gom|bao gom) (?:thue|vat)")


def _formula_number(s: str, percent: bool) -> float:
    """A number inside a formula cell: "2,13", "1,1", "0,236%" are decimals; "1.000" and
    "1,000" thousands (three digits after each mark, no percent sign, no leading 0)."""
    if not percent and re.fullmatch(r"[1-9]\d{0,2}(?:[.,]\d{3})+", s):
        return float(re.sub(r"[.,]", "", s))
    return float(s.replace(",", "."))


def _parse_formula(cell: str):
    """Tokens of a formula cell, or None when it is prose ("Theo phụ lục", "vận dụng QĐ
    993/QĐ-BTTTT"): numbers, operators and at most a few code words, one operator at least."""
    toks, pos, s = [], 0, cell.strip()
    while pos < len(s):
        m = FORMULA_TOKEN.match(s, pos)
        if not m or m.end() == pos:
            return None
        pos = m.end()
        if m.group(1):
            toks.append(("num", _formula_number(m.group(1), bool(m.group(2))) / (100 if m.group(2) else 1)))
        elif m.group(3):
            toks.append(("op", {"x": "*", "×": "*", ":": "/"}.get(m.group(3), m.group(3))))
        else:
            word = m.group(4)
            # "xGtbttx": the multiplication sign glued to a code
            lead = len(word) - len(word.lstrip("xX")) if len(word) > 1 else 0
            trail = len(word) - len(word.rstrip("xX")) if len(word) > 1 else 0
            core = word[lead:len(word) - trail] or word
            toks += [("op", "*")] * (lead if core != word else 0)
            toks.append(("sym", core))
            toks += [("op", "*")] * (trail if core != word else 0)
    syms = [t for t in toks if t[0] == "sym"]
    ops = [t for t in toks if t[0] == "op" and t[1] in "*/+-"]
    if not ops or not syms or len(syms) > 4 or not any(t[0] == "num" for t in toks):
        return None
    return toks


def _money_verdict(stated: float, d: int, computed: float) -> str:
    """ok, or rounding to the last zero digits the amount is written with (thousands at
    most: "4.199.000" for 4.198.826; one unit of that place, since an estimate rounds
    each line before the next takes it up), else mismatch."""
    if abs(stated - computed) <= 0.5 * 10 ** -d + 1e-6 * max(1.0, abs(stated)):
        return "ok"
    zeros = len(str(int(round(abs(stated))))) - len(str(int(round(abs(stated)))).rstrip("0")) if stated else 0
    if d == 0 and zeros and abs(stated - computed) <= 10 ** min(zeros, 3) + EPS:
        return "rounding"
    return "mismatch"


def cost_formulas(tab, by_start, done):
    cols = [j for j, h in enumerate(tab.head_text) if FORMULA_HEADER.search(h or "")]
    if not cols:
        return []
    fj = cols[0]
    values = [j for j in range(tab.ncols) if j != fj and j not in tab.label_cols]
    codes, grand = {}, None
    for r in tab.data:
        nums = {j: tab.num(r, j)[0] for j in values if tab.num(r, j) is not None}
        for j in tab.label_cols:
            t = r[j]["text"].strip() if r[j] else ""
            if CODE_CELL.match(t) and not ROMAN.match(t) and nums:
                codes.setdefault(fold(t).replace(" ", ""), (r, nums))
        if GRAND_LABEL.match(tab.label(r)) and nums:
            grand = (r, nums)
    out = []
    for r in tab.data:
        cell = r[fj]
        toks = _parse_formula(cell["text"]) if cell else None
        stated = [(j, tab.num(r, j)) for j in values if tab.num(r, j) is not None]
        if not toks or not stated:
            continue
        options = [([], ())]  # (expression, the code values it took)
        for kind, v in toks:
            if kind != "sym":
                options = [(e + [str(v)], u) for e, u in options]
                continue
            readings = _code_values(tab, v, r, codes, grand, values)
            if not readings:
                break
            options = [(e + [f"({x!r})"], u + (f"{v} = {_vn(x, None, r[stated[0][0]])}",))
                       for e, u in options for x in readings][:64]
        else:
            computed = []
            for e, u in options:
                try:
                    computed.append((_eval(ast.parse("".join(e), mode="eval"), {}), u))
                except (SyntaxError, ValueError, ZeroDivisionError):
                    pass
            if not computed:
                continue
            rank = ("ok", "rounding", "mismatch").index
            best = min(((_money_verdict(s[0], s[1], c), j, s, c, u) for j, s in stated for c, u in computed),
                       key=lambda x: (rank(x[0]), abs(x[2][0] - x[3])))
            verdict, j, s, c, u = best
            done.add((id(r), j))
            basis = f"cột {tab.basis(fj)}: {cell['text']}"
            out.append(_check(
                "table_formula", verdict, s[0], c, r[j], _figure_at(by_start, r[j]),
                f"Bảng dự toán: dòng \u201c{_row_name(tab, r)}\u201d tính theo \u201c{cell['text']}\u201d "
                f"với {', '.join(u)} được {_vn(c, None, r[j])}; bảng ghi {r[j]['text']}.", basis))
    return _corroborated(out)


def _code_values(tab, sym, row, codes, grand, values):
    """Every value the table gives a code: each amount column of its row; "…tt"/"…st"
    the before/after-tax column; the grand total also without the row being computed
    (a contingency taken on the total before it)."""
    key = fold(sym).replace(" ", "")
    if key in GRAND_TOTAL:
        if grand is None or grand[0] is row:
            return []
        tot = list(grand[1].values())
        own = [tab.num(row, j)[0] for j in values if tab.num(row, j) is not None]
        return sorted({*tot, *(t - o for t in tot for o in own)})
    if key in codes and codes[key][0] is not row:
        return sorted(set(codes[key][1].values()))
    for suffix, head in (("tt", BEFORE_TAX), ("st", AFTER_TAX)):
        if key.endswith(suffix) and key[:-len(suffix)] in codes:
            r, nums = codes[key[:-len(suffix)]]
            picked = [v for j, v in nums.items() if head.search(tab.head_text[j] or "")]
            return picked
    return []


QTY_HEADER = re.compile(r"^(?:sl|so luong|khoi luong|kl)\b")
PRICE_HEADER = re.compile(r"^don gia\b")
AMOUNT_HEADER = re.compile(r"^(?:thanh tien|t\.?\s?tien|kinh phi|tong tien)\b")


def amounts(tab, by_start, done):
    """"Thành tiền" = "Số lượng" × "Đơn giá", once most rows confirm it (a price per
    thousand, an amount in millions: no row agrees, no check)."""
    heads = tab.head_text
    def first(rx):
        return next((j for j in tab.numeric_cols() if rx.search((heads[j] or "").strip())), None)
    q, p, a = first(QTY_HEADER), first(PRICE_HEADER), first(AMOUNT_HEADER)
    if None in (q, p, a):
        return []
    rows, ok = [], 0
    for r in tab.data:
        vq, vp, va = tab.num(r, q), tab.num(r, p), tab.num(r, a)
        if vq is None or vp is None or va is None or (id(r), a) in done:
            continue
        computed = vq[0] * vp[0]
        verdict = _money_verdict(va[0], va[1], computed)
        ok += verdict != "mismatch" and bool(va[0])
        rows.append((r, va, computed, verdict))
    if not _consistent(ok, len(rows)):
        return []
    basis = f"cột {tab.basis(a)} = {tab.basis(q)} × {tab.basis(p)}"
    out = []
    for r, va, computed, verdict in rows:
        done.add((id(r), a))
        out.append(_check(
            "table_formula", verdict, va[0], computed, r[a], _figure_at(by_start, r[a]),
            f"Bảng: dòng \u201c{_row_name(tab, r)}\u201d: {r[q]['text']} × {r[p]['text']} = "
            f"{_vn(computed, None, r[a])}; bảng ghi {r[a]['text']}.", basis))
    return out
