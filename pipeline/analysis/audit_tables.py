"""Table arithmetic: the relations a table asserts by its own layout.

`table_checks(text, tables, figures)` is pure: the document's stored text, its `tables`
rows (cells as JSON, start/end of the table in the text) and its figures (to link cells
to figure ids) in; checks out, each spanning the stated cell (`text[start:end]` is the
cell as written).

Relations checked (the `basis` of each check names the header cells that assert it):
- formula headers "(9)=(8-7)", "(10)=(9/7) %", "(5)=(3)+(4)": every data row
  (kind `table_formula`);
- a total row ("Tổng", "Tổng cộng", "Cộng", "Toàn tỉnh", …) against the rows it closes
  (sub-totals and group rows told apart: any consistent reading is accepted)
  (kind `table_total`);
- a total column ("Tổng số", "Tổng điểm", "Cộng") against a run of neighbouring numeric
  columns, once most rows confirm which run it adds up (kind `table_total`);
- a percentage column ("Tỷ lệ (%)", "Tỷ lệ tăng (%)") against two count columns, once
  most rows confirm which pair it divides (a / b or (a − b) / b) (kind `table_percent`);
- a change column ("Tăng, giảm", "Chênh lệch") against two columns, once most rows
  confirm which difference it is (kind `table_change`);
- a group row without a number over numbered rows ("Khoa …" over its classes 1, 2, 3)
  as their sub-total, once the column confirms it (kind `table_total`);
- in a table without numbering, group rows found by their sums ("Khoa …" over classes
  that are not numbered either: `_implicit_groups`), once the total row is their sum
  (kind `table_total`);
- cost estimates (`audit_costs.py`): a formula column ("Công thức tính", "Cách tính")
  written in the table's own codes ("2,13% x Gtbtt", "0,38% x TMĐT x 70%") and "Thành
  tiền" = "Số lượng" × "Đơn giá" (kind `table_formula`); amounts rounded to thousands
  are `rounding`.
A table typed with English separators ("197,128,000") is read as such when one cell says
so unambiguously and none says the Vietnamese way; "(70)" in a data row is −70.
A relation the table does not assert (a "Tổng số | trong đó: Nữ" header; a percentage
whose columns no row confirms) gives no check.

A table cut by a page break arrives as two tables; the second (same number of columns,
no header row of its own or the header repeated, in OCR'd text also as garbled, right after the
first) is read as the continuation. In a table read by OCR a mismatch stands only when
every cell it reads is confirmed by another relation of the table (`_doubt_ocr_digits`).
Everything is linear in the table size (column pairs and runs are bounded by the column
count, which is small).
"""
from __future__ import annotations

import ast
import json
import operator
import re
from collections import Counter
from difflib import SequenceMatcher

from pipeline.analysis.audit import rounding_note
from pipeline.text.normalize import fold
from pipeline.text.numbers import NUMBER, format_number, parse_number

EPS = 1e-9
NUM_CELL = re.compile(rf"^\s*([-–]?\s*)?({NUMBER})\s*(%?)\s*$")
EMPTY_CELL = re.compile(r"^\s*[-–—]?\s*$")
TOTAL_LABEL = re.compile(
    r"^\s*(?:tong cong|tong so|tong du toan|tong muc dau tu|tong kinh phi|tong|cong|toan tinh|"
    r"toan huyen|toan thanh pho|toan thi xa|toan quoc|ca nuoc|toan nganh|chung)\b")
TOTAL_REST = {"toan", "tinh", "huyen", "xa", "thanh", "pho", "thi", "quan", "chung", "cong",
              "so", "ca", "nam", "nuoc", "cac", "don", "vi", "khoi", "cap", "toan bo"}
PERCENT_HEADER = re.compile(r"%|\bty le\b|\bti le\b|phan tram")
NON_ADDITIVE = re.compile(r"%|\bty le\b|\bti le\b|binh quan|trung binh|xep hang|thu hang|"
                          r"\bhang\b|\bstt\b|\btt\b|ghi chu|nam sinh|ma so|\bma\b")
TOTAL_HEADER = re.compile(r"^\s*(?:tong so|tong diem|tong cong|tong|cong)\b")
# "(7)"; a spreadsheet shows "(7)" in a numbering row as the negative number "-7"
COL_NUMBER = re.compile(r"^\s*(?:\(|[-–])?\s*(\d{1,2})\s*\)?\s*$")
FORMULA = re.compile(r"\(\s*(\d{1,2})\s*\)\s*=\s*([\d\s()+\-*/x×:.]+?)\s*(%|[x×*]\s*100\s*%?)?\s*$")
SHORT_NEG = re.compile(r"\s*\(\s*(\d{1,2})\s*\)\s*")
ROMAN = re.compile(r"^\s*(?:[IVXLC]+|[A-Z])\s*\.?\s*$")


# ---- cells ---------------------------------------------------------------------------

def _value(cell: str):
    """(value, decimals, is_percent) of a numeric cell; (0, 0, False) for '-'; None."""
    if cell is None:
        return None
    neg = re.fullmatch(r"\s*\(\s*([\d.,]+)\s*\)\s*", cell)  # accounting negative "(5.000)"
    if neg and "." in neg.group(1) or neg and len(neg.group(1)) > 2:
        v, d = parse_number(neg.group(1))
        return -v, d, False
    m = NUM_CELL.match(cell)
    if m:
        v, d = parse_number(m.group(2))
        if m.group(1) and m.group(1).strip():
            v = -v
        return v, d, bool(m.group(3))
    return None


def _cval(cell):
    """`_value` of a located cell, read in the table's own number convention."""
    return _value(cell.get("v", cell["text"]))


# "197,128,000", "1,234.5": a table typed with English separators (spreadsheets pasted
# into a report); one such cell and no Vietnamese-grouped one decides for the table
EN_NUMBER = re.compile(r"^\s*[-–]?\s*\d{1,3}(?:(?:,\d{3}){2,}(?:\.\d+)?|(?:,\d{3})+\.\d+)\s*%?\s*$")
VN_NUMBER = re.compile(r"^\s*[-–]?\s*\d{1,3}(?:(?:\.\d{3}){2,}(?:,\d+)?|(?:\.\d{3})+,\d+)\s*%?\s*$")
_SWAP = str.maketrans(",.", ".,")


def _mark_convention(rows):
    cells = [c for r in rows for c in r if c]
    if any(EN_NUMBER.match(c["text"]) for c in cells) and \
            not any(VN_NUMBER.match(c["text"]) for c in cells):
        for c in cells:
            if re.fullmatch(r"[-–\s\d.,%()]+", c["text"]):
                c["v"] = c["text"].translate(_SWAP)
    return rows


def _locate(text, table):
    """Rows of cells, each cell {text, start, end} (exact offsets into `text`) or None when
    the cell is empty or cannot be found in order."""
    rows = table["rows"]
    if isinstance(rows, str):
        rows = json.loads(rows)
    pos, stop = table["start"], table["end"]
    out = []
    for row in rows:
        cells = []
        for cell in row:
            c = (cell or "").strip()
            if not c:
                cells.append(None)
                continue
            k = _find_cell(text, c, pos, stop)
            if k < 0:
                cells.append(None)
                continue
            cells.append({"text": c, "start": k, "end": k + len(c)})
            pos = k + len(c)
        out.append(cells)
    return _mark_convention(out)


def _find_cell(text, cell, pos, stop) -> int:
    """Offset of `cell` as a whole cell ("| 10 |", not the "10" of "1.100") at or after
    `pos`; -1 if it is not there (a few tries, then give up: linear overall)."""
    for _ in range(4):
        k = text.find(cell, pos, stop)
        if k < 0:
            return -1
        before = text[max(0, k - 2):k]
        after = text[k + len(cell):k + len(cell) + 2]
        if (k == 0 or before.endswith("\n") or before == "| " or before.endswith("|")) and \
                (after[:1] in ("", "\n") or after == " |" or after[:1] == "|"):
            return k
        pos = k + 1
    return -1


def _written(cell) -> bool:
    """A cell with something in it other than a dash: a number, or digits OCR garbled."""
    return bool(cell) and not EMPTY_CELL.match(cell["text"])


def _is_data_row(cells) -> bool:
    nums = [c for c in cells[1:] if c and _cval(c)]
    return bool(nums)


def _join_continuations(text, tables, ocr_spans=()):
    """Tables in reading order, a page-break continuation (same column count, right after
    the previous table, no header of its own or the same header repeated) appended to it."""
    out = []
    for t in sorted(tables, key=lambda t: t["start"]):
        rows = _locate(text, t)
        ncols = max((len(r) for r in rows), default=0)
        if out and rows and ncols == out[-1]["ncols"] and \
                _gap_is_page_break(text[out[-1]["end"]:t["start"]]):
            prev = out[-1]
            head = [_texts(r) for r in prev["rows"][:4] if not _is_data_row(r)]
            k = 0
            ocr = any(a <= t["start"] < b for a, b in ocr_spans)
            while k < len(rows) and k < len(head) and _same_header(_texts(rows[k]), head[k], ocr):
                k += 1  # the header repeated on the new page
            if k < len(rows) and _is_data_row(rows[k]) and (k == len(head) or k == 0):
                prev["rows"].extend(rows[k:])
                prev["end"] = t["end"]
                continue
        out.append({"rows": rows, "ncols": ncols, "start": t["start"], "end": t["end"]})
    return out


def _texts(row):
    return [c["text"] if c else "" for c in row]


def _same_header(a, b, ocr=False) -> bool:
    """The header row repeated on a new page: the same cells, or (read by OCR, which
    garbles a few letters differently on each page) cells that mostly agree letter by
    letter ("SỐ LƯỢNG PHẢN HỒI" / "SÓ LƯỢNG PHẢN HÒI"); never a row with a number cell.
    A text layer repeats its header exactly ("Năm 2023" / "Năm 2024" is another table)."""
    if a == b:
        return True
    if not ocr or len(a) != len(b) or any(_value(x) for x in a + b):
        return False
    pairs = [(fold(x), fold(y)) for x, y in zip(a, b) if x.strip() or y.strip()]
    return bool(pairs) and sum(SequenceMatcher(None, x, y).ratio() for x, y in pairs) / len(pairs) >= 0.6


def _gap_is_page_break(gap: str) -> bool:
    """Nothing but whitespace, a page number or a short running header between."""
    g = gap.strip()
    return g == "" or (len(g) <= 80 and not re.search(r"[.:;](?:\s|$)", g))


# ---- the table model -------------------------------------------------------------------

class _Table:
    def __init__(self, rows, ncols):
        self.rows = [r + [None] * (ncols - len(r)) for r in rows]
        self.ncols = ncols
        first = next((i for i, r in enumerate(self.rows) if _is_data_row(r) and
                      not self._is_number_row(r) and not self._is_numbering_row(r)), len(self.rows))
        self.header = self.rows[:first]
        self.data = self.rows[first:]
        self.col_numbers: dict[int, int] = {}  # printed column number -> index
        for r in self.header:
            if self._is_number_row(r):
                for j, c in enumerate(r):
                    m = COL_NUMBER.match(c["text"]) if c else None
                    if m:
                        self.col_numbers[int(m.group(1))] = j
        # a number row right under the header is part of the header
        self.data = [r for r in self.data if not self._is_number_row(r)]
        self.head_text = [fold(" ".join(r[j]["text"] for r in self.header if r[j])) for j in range(ncols)]
        for j, h in enumerate(self.head_text):  # "(5)" inside a header cell
            m = re.search(r"\((\d{1,2})\)", h)
            if m and int(m.group(1)) not in self.col_numbers:
                self.col_numbers[int(m.group(1))] = j
        # a numbering row with formulas in it ("(8) | (9)=(8-7)") is not all numbers: its
        # plain cells still number their columns ("-7" is a spreadsheet's "(7)")
        for r in self.header:
            marks = [COL_NUMBER.match(c["text"]) if c else None for c in r]
            if sum(1 for m in marks if m) >= 3:
                for j, m in enumerate(marks):
                    if m and int(m.group(1)) not in self.col_numbers and j not in self.col_numbers.values():
                        self.col_numbers[int(m.group(1))] = j
        self.label_cols = [j for j in range(ncols) if self._is_label_col(j)]

    @staticmethod
    def _is_numbering_row(r) -> bool:
        """"(1) | (2) | … | (9)=(8-7)": column numbers with formulas among them."""
        cells = [c for c in r if c and c["text"].strip()]
        marks = sum(1 for c in cells if COL_NUMBER.match(c["text"]) or FORMULA.search(c["text"]))
        return len(cells) >= 3 and marks == len(cells) and any(FORMULA.search(c["text"]) for c in cells)

    @staticmethod
    def _is_number_row(r) -> bool:
        cells = [c for c in r if c]
        return len(cells) >= 3 and all(COL_NUMBER.match(c["text"]) for c in cells) and \
            [int(COL_NUMBER.match(c["text"]).group(1)) for c in cells] == \
            list(range(int(COL_NUMBER.match(cells[0]["text"]).group(1)),
                       int(COL_NUMBER.match(cells[0]["text"]).group(1)) + len(cells)))

    def _is_label_col(self, j) -> bool:
        h = self.head_text[j]
        if re.search(r"\b(?:stt|tt|so tt|thu tu|ma so|ky hieu)\b", h):
            return True
        vals = [r[j] for r in self.data if r[j]]
        if not vals:
            return True
        numeric = [v for v in vals if _cval(v)]
        if len(numeric) < len(vals) / 2:
            return True
        # 1, 2, 3 … down the column: row numbers
        seq = [_cval(v)[0] for v in numeric]
        return len(seq) >= 3 and seq == list(range(1, len(seq) + 1))

    def label(self, r) -> str:
        return " ".join(fold(r[j]["text"]) for j in self.label_cols if r[j] and not _cval(r[j]))

    def num(self, r, j):
        c = r[j]
        if c is None:
            return None
        v = _cval(c)
        if v is None:
            # "(70)" in a data row is an accounting negative; only the header's numbering
            # row writes a short number in parentheses, and it is not a data row
            m = SHORT_NEG.fullmatch(c.get("v", c["text"]))
            if m:
                return -float(m.group(1)), 0, False
        return v

    def is_total_row(self, r) -> bool:
        """"Tổng", "Tổng cộng", "Cộng", "Toàn tỉnh", "Tổng cộng (I+II)": the whole label,
        not a row named "Tổng số văn bản …"."""
        for j in self.label_cols:
            if not r[j] or _cval(r[j]):
                continue
            lab = fold(r[j]["text"])
            m = TOTAL_LABEL.match(lab)
            if m:
                # "Tổng cộng (I+II)", "Cộng toàn tỉnh", not "Cộng đồng", "Tổng cục Thuế"
                rest = re.sub(r"\(.*?\)|[:.*,]", " ", lab[m.end():]).split()
                if len(rest) <= 3 and all(w in TOTAL_REST for w in rest):
                    return True
        return False

    def is_sub_row(self, r) -> bool:
        """A row that details the row above rather than adding to it ("Trong đó: nữ",
        "- Nữ", "+ Cấp xã")."""
        lab = self.label(r)
        raw = next((r[j]["text"] for j in self.label_cols if r[j] and not _cval(r[j])), "")
        return bool(re.match(r"(?:trong do|trong so|bao gom|gom|rieng|chia ra)\b", lab)) or \
            raw[:1] in "-+*•–"

    def is_top_level(self, r) -> bool:
        """Row numbered 1, 2, 3 (or I, A) rather than 1.1, 1.2, a, b."""
        first = r[self.label_cols[0]] if self.label_cols else None
        if first is None:
            return False
        t = first["text"].strip().rstrip(".")
        return bool(re.fullmatch(r"\d+|[IVXLC]+|[A-Z]", t))

    def is_numbered(self, r) -> bool:
        """Row numbered 1, 2, 3 in its first label column (an item, not a group head)."""
        c = r[self.label_cols[0]] if self.label_cols else None
        return bool(c and re.fullmatch(r"\d{1,3}\.?", c["text"].strip()))

    def is_group_row(self, r) -> bool:
        return any(r[j] and ROMAN.match(r[j]["text"]) for j in self.label_cols[:1])

    def numeric_cols(self):
        return [j for j in range(self.ncols) if j not in self.label_cols]

    def basis(self, *cols) -> str:
        names = []
        for j in cols:
            cells = [r[j]["text"] for r in self.header if r[j]]
            names.append(" / ".join(cells) if cells else f"cột {j + 1}")
        return "; ".join(names)


def _vn(x, d=None, like=None):
    """A number in Vietnamese style, or in the English style of the table whose cell
    `like` is (so a message writes the computed value as the table writes the stated)."""
    if d is None:
        d = 0 if abs(x - round(x)) < 1e-9 else 2
    out = format_number(x, d)
    return out.translate(_SWAP) if like and "v" in like else out


def _addition(cells, s, d, like) -> str:
    """"19 + 34 + 14 = 67": the sum as the auditor redoes it (cells as written; an empty
    cell is left out), or "cộng 25 dòng được …" when the terms are too many to show."""
    terms = [c["text"] for c in cells if _written(c)]
    if len(terms) > 12:
        return f"cộng {len(terms)} dòng được {_vn(s, d, like)}"
    return f"{' + '.join(terms)} = {_vn(s, d, like)}"


def _figure_at(figures_by_start, cell):
    f = figures_by_start.get(cell["start"])
    return [f["id"]] if f is not None else []


def _check(kind, verdict, stated, computed, cell, ids, message, basis, cells=()):
    """`cells`: the operand cells the computation read (the stated cell is added), kept
    while the table is checked so an OCR'd table can ask which digits another relation
    confirms (`_doubt_ocr_digits`)."""
    return {"kind": kind, "verdict": verdict, "stated": stated, "computed": computed,
            "figure_ids": ids, "message": message, "basis": basis,
            "start": cell["start"], "end": cell["end"],
            "_cells": [cell["start"]] + [c["start"] for c in cells if c]}


def _close(stated, d, computed, percent=False):
    """ok / rounding / mismatch for a value shown with `d` decimals."""
    unit = 10.0 ** -d
    if abs(stated - computed) <= max(unit / 2, 1e-6 * max(1.0, abs(stated))) + EPS:
        return "ok"
    if percent or d > 0:
        import math
        trunc = math.floor(computed / unit + EPS) * unit
        if abs(trunc - stated) <= EPS * max(1, abs(stated)) or abs(stated - computed) <= unit + EPS:
            return "rounding"
    return "mismatch"


# ---- checks --------------------------------------------------------------------------

def table_checks(text: str, tables: list[dict], figures: list[dict] | None = None,
                 join: bool = True, ocr_spans=()) -> list[dict]:
    """`join`: read a page-break continuation as part of the table before it (PDF, scans);
    `ocr_spans`: (start, end) of the text read by OCR, whose digits are doubted."""
    from pipeline.analysis.audit_costs import amounts, cost_formulas

    by_start = {f["start"]: f for f in (figures or [])}
    out = []
    if join:
        merged = _join_continuations(text, tables, ocr_spans)
    else:
        merged = []
        for t in sorted(tables, key=lambda t: t["start"]):
            rows = _locate(text, t)
            merged.append({"rows": rows, "ncols": max((len(r) for r in rows), default=0),
                           "start": t["start"], "end": t["end"]})
    for t in merged:
        if not t["rows"] or t["ncols"] < 2:
            continue
        tab = _Table(t["rows"], t["ncols"])
        if len(tab.data) < 2:
            continue
        done: set[tuple[int, int]] = set()  # (row index, col) already checked by a formula
        found = _formulas(tab, by_start, done)
        priced = cost_formulas(tab, by_start, done) + amounts(tab, by_start, done)
        costs = {c["_cells"][0] for c in priced}
        found += priced
        found += _implicit_groups(tab, by_start, done)
        found += _total_rows(tab, by_start, done)
        found += _group_subtotals(tab, by_start, done)
        found += _total_cols(tab, by_start, done)
        found += _derived_cols(tab, by_start, done)
        if any(a <= t["start"] < b for a, b in ocr_spans):
            _doubt_ocr_digits(found)
        for c in found:
            if c["verdict"] == "rounding" and c["_cells"][0] not in costs:
                # truncation (89,655 written 89,6, as 26 / 29) told apart from the last digit one off
                # (a cost estimate's amounts are rounded to thousands: its own message)
                c["message"] += rounding_note(abs(c["stated"]), _decimals(text[c["start"]:c["end"]], c["stated"]),
                                              abs(c["computed"]))
        out.extend(found)
    for c in out:
        c.pop("_cells", None)
    return out


def _decimals(cell: str, value: float) -> int:
    """Decimals written in a cell, in either convention ("89.6%", "95,83", not "1.250")."""
    m = re.search(r"[.,](\d+)\s*%?\s*\)?\s*$", cell)
    if not m or len(m.group(1)) == 3 and abs(value - round(value)) < 1e-9:
        return 0
    return len(m.group(1))


def _doubt_ocr_digits(checks) -> None:
    """In a table read by OCR a digit may be misread ("110" as "10"; "11" as "II" is at
    least visible): a `mismatch` stands only when every cell it reads is confirmed by
    another relation of the table that holds (the row's percentage 200 / 260 = 76,92 %
    confirms 200 and 260). Otherwise the slip may be the OCR's: `unverifiable`."""
    confirmed = Counter()
    for c in checks:
        if c["verdict"] in ("ok", "rounding"):
            confirmed.update(set(c.get("_cells") or ()))
    for c in checks:
        if c["verdict"] == "mismatch" and not all(confirmed[x] for x in c.get("_cells") or (None,)):
            c["verdict"] = "unverifiable"
            c["message"] += (" Bảng đọc bằng OCR: có ô chưa được quan hệ nào khác của bảng xác nhận, "
                             "có thể là lỗi nhận dạng chữ số.")


_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def _eval(node, env):
    if isinstance(node, ast.Expression):
        return _eval(node.body, env)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        a, b = _eval(node.left, env), _eval(node.right, env)
        if isinstance(node.op, ast.Div) and b == 0:
            raise ZeroDivisionError
        return _OPS[type(node.op)](a, b)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_eval(node.operand, env)
    if isinstance(node, ast.Name) and node.id in env:
        return env[node.id]
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return node.value
    raise ValueError("not a formula")


def _corroborated(checks):
    """A table relation read from the layout stands only if some rows confirm it: when
    none of its cells adds up, the reading (columns shifted by the extractor, another
    meaning of the header) is doubtful and the disagreements are `unverifiable`."""
    ok = sum(1 for c in checks if c["verdict"] != "mismatch")
    if checks and ok < max(1, len(checks) / 2) and len(checks) >= 2:
        for c in checks:
            if c["verdict"] == "mismatch":
                c["verdict"] = "unverifiable"
                c["message"] += " Phần lớn các ô khác cũng không khớp: có thể đã đọc sai bố cục bảng."
    return checks


def _formulas(tab, by_start, done):
    out = []
    for j, h in enumerate(tab.head_text):
        cell_texts = [r[j]["text"] for r in tab.header if r[j]]
        m = next((FORMULA.search(c) for c in cell_texts if FORMULA.search(c)), None)
        if not m or int(m.group(1)) not in tab.col_numbers or tab.col_numbers[int(m.group(1))] != j:
            continue
        expr = m.group(2).replace("x", "*").replace("×", "*").replace(":", "/")
        percent = bool(m.group(3)) or bool(PERCENT_HEADER.search(h))
        refs = [int(x) for x in re.findall(r"\d+", expr)]
        if not refs or any(x not in tab.col_numbers for x in refs):
            continue
        src = re.sub(r"\d+", lambda k: f"c{k.group(0)}", expr)
        try:
            tree = ast.parse(src, mode="eval")
        except SyntaxError:
            continue
        basis = " ".join(c for c in cell_texts if FORMULA.search(c))
        column = []
        for ri, r in enumerate(tab.data):
            got = tab.num(r, j)
            if got is None or r[j] is None:
                continue
            env = {}
            for x in refs:
                v = tab.num(r, tab.col_numbers[x])
                if v is None:
                    break
                env[f"c{x}"] = v[0]
            else:
                try:
                    computed = _eval(tree, env)
                except (ValueError, ZeroDivisionError):
                    continue
                if percent and "/" in expr:
                    computed *= 100
                stated, d = got[0], got[1]
                verdict = _close(stated, d, computed, percent)
                done.add((id(r), j))
                column.append(_check(
                    "table_formula", verdict, stated, computed, r[j], _figure_at(by_start, r[j]),
                    f"Bảng: cột {basis} nêu {r[j]['text']} ở dòng \u201c{_row_name(tab, r)}\u201d; "
                    f"tính lại theo công thức: {_shown(expr, r, tab)}"
                    f"{' × 100' if percent and '/' in expr else ''} = "
                    f"{_vn(computed, max(d, 2) if percent else None, r[j])}.",
                    basis, [r[tab.col_numbers[x]] for x in refs]))
        out.extend(_corroborated(column))
    return out


def _shown(expr, r, tab) -> str:
    """The formula with each column number replaced by the row's cell as written
    ("(8-7)" → "22.030 − 22.100"): the arithmetic the auditor redoes."""
    shown = re.sub(r"\d+", lambda k: r[tab.col_numbers[int(k.group(0))]]["text"], expr)
    return shown.replace("-", " − ").replace("*", " × ").replace("/", " / ").replace("  ", " ").strip()


def _row_name(tab, r) -> str:
    for j in tab.label_cols:
        if r[j] and not _cval(r[j]):
            return r[j]["text"][:60]
    for c in r:
        if c:
            return c["text"][:60]
    return ""


def _additive(tab, j) -> bool:
    return not NON_ADDITIVE.search(tab.head_text[j] or "")


def _total_rows(tab, by_start, done):
    out = []
    data = tab.data
    totals = [i for i, r in enumerate(data) if tab.is_total_row(r)]
    if not totals:
        return out
    for ti in totals:
        r = data[ti]
        row_checks = []
        if ti == 0:  # the total heads the table: it closes the rows below it
            seg = [x for x in data[1:] if not tab.is_total_row(x)]
            earlier_totals = []
        else:
            prev = max((k for k in totals if k < ti), default=-1)
            seg = [x for x in data[prev + 1:ti]]
            earlier_totals = [data[k] for k in totals if k < ti]
        nxt = next((k for k in totals if k > ti), len(data))
        below = data[ti + 1:nxt]  # a total heading its group ("Tổng số" over its rows)
        groups = [x for x in seg if tab.is_group_row(x)]
        everything = [x for x in data[:ti] if not tab.is_total_row(x)] if ti else seg
        top = [x for x in seg if tab.is_top_level(x)]
        plain = [x for x in seg if not tab.is_sub_row(x)]
        for j in tab.numeric_cols():
            if not _additive(tab, j) or (id(r), j) in done:
                continue
            got = tab.num(r, j)
            if got is None or got[2]:
                continue
            def total(rows):
                vals = [tab.num(x, j) for x in rows]
                nums = [v for v in vals if v is not None]
                if len(nums) < 2 or any(v[2] for v in nums):
                    return None
                read[sum(v[0] for v in nums)] = [x[j] for x in rows if _written(x[j])]
                return sum(v[0] for v in nums)
            read: dict[float, list] = {}
            readings = [total(seg), total(top), total(plain), total(below)]
            # heads of groups of numbered items ("Gtb", "Gtv" over 1, 2, …)
            heads = [x for x in seg if not tab.is_numbered(x) and not tab.is_sub_row(x)]
            if heads and len(heads) < len(seg):
                readings.append(total(heads))
            if groups:
                readings.append(total(groups))
                readings.append(total([x for x in seg if not tab.is_group_row(x)]))
            if earlier_totals:
                readings.append(total(earlier_totals))
                readings.append(total(everything))
            readings = [x for x in readings if x is not None]
            if not readings:
                continue
            stated, d = got[0], got[1]
            verdicts = [(_close(stated, d, x), x) for x in readings]
            best = min(verdicts, key=lambda v: ("ok", "rounding", "mismatch").index(v[0]))
            verdict, computed = best
            done.add((id(r), j))
            basis = f"dòng \u201c{_row_name(tab, r)}\u201d; cột {tab.basis(j)}"
            row_checks.append(_check(
                "table_total", verdict, stated, computed, r[j], _figure_at(by_start, r[j]),
                f"Bảng: dòng \u201c{_row_name(tab, r)}\u201d, cột {tab.basis(j)} nêu {r[j]['text']}; "
                f"cộng các dòng: {_addition(read[computed], computed, d, r[j])}.", basis, read[computed]))
        out.extend(_corroborated(row_checks))
    return out


def _consistent(pairs_ok, n):
    """A relation holds for the table when most rows (and at least two) confirm it."""
    return pairs_ok >= 2 and pairs_ok >= 0.6 * n


def _total_cols(tab, by_start, done):
    out = []
    cols = tab.numeric_cols()
    for j in cols:
        if not TOTAL_HEADER.match(tab.head_text[j] or "") or not _additive(tab, j):
            continue
        best = None
        for side in (1, -1):
            run = []
            k = j + side
            while 0 <= k < tab.ncols and k in cols and _additive(tab, k) and \
                    not TOTAL_HEADER.match(tab.head_text[k] or ""):
                run.append(k)
                k += side
            # a run of columns, or every other one ("Điểm tối đa | Điểm đạt" pairs)
            options = [run[:n] for n in range(2, len(run) + 1)] + \
                [run[o::2][:n] for o in (0, 1) for n in range(2, len(run[o::2]) + 1)]
            for parts in options:
                ok = n = 0
                for r in tab.data:
                    got = tab.num(r, j)
                    vals = [tab.num(r, k) for k in parts]
                    if got is None or any(v is None for v in vals):
                        continue
                    n += 1
                    if got[0] and _close(got[0], got[1], sum(v[0] for v in vals)) == "ok":
                        ok += 1  # (a row of zeros confirms nothing)
                if _consistent(ok, n) and (best is None or ok > best[1]):
                    best = (parts, ok)
        if best is None:
            continue
        parts = best[0]
        basis = f"cột {tab.basis(j)} = " + " + ".join(tab.basis(k) for k in parts)
        for r in tab.data:
            got = tab.num(r, j)
            vals = [tab.num(r, k) for k in parts]
            if got is None or any(v is None for v in vals) or (id(r), j) in done:
                continue
            s = sum(v[0] for v in vals)
            verdict = _close(got[0], got[1], s)
            done.add((id(r), j))
            out.append(_check(
                "table_total", verdict, got[0], s, r[j], _figure_at(by_start, r[j]),
                f"Bảng: dòng \u201c{_row_name(tab, r)}\u201d, cột {tab.basis(j)} nêu {r[j]['text']}; "
                f"cộng {' + '.join(r[k]['text'] for k in parts)} = {_vn(s, got[1], r[j])}.", basis,
                [r[k] for k in parts]))
    return out


RELATIONS = {  # how a derived column is computed from two others (a, b)
    "ratio": (lambda a, b: a / b * 100, "{a} / {b}"),
    "growth": (lambda a, b: (a - b) / b * 100, "({a} − {b}) / {b}"),
    "difference": (lambda a, b: a - b, "{a} − {b}"),
}
CHANGE_HEADER = re.compile(r"\b(?:tang|giam|chenh lech|bien dong|so sanh|tang giam)\b")


def _pair_search(tab, j, cands, forms, percent):
    """The pair of columns (and relation) most rows of column j confirm, or None."""
    best = None
    for form in forms:
        fn = RELATIONS[form][0]
        for a in cands:
            for b in cands:
                if a == b or j in (a, b):
                    continue
                ok = n = 0
                for r in tab.data:
                    p, va, vb = tab.num(r, j), tab.num(r, a), tab.num(r, b)
                    if p is None or va is None or vb is None or (form != "difference" and not vb[0]):
                        continue
                    n += 1
                    # a row of zeros confirms nothing (0 = 0 − 0, 0 = 0/b)
                    if p[0] and _close(p[0], p[1], fn(va[0], vb[0]), percent) != "mismatch":
                        ok += 1
                # the pair nearest the derived column wins a tie; among all the pairs
                # tried, two rows agreeing may be chance: three at least
                score = (ok, -abs(a - j) - abs(b - j))
                if ok >= 3 and _consistent(ok, n) and (best is None or score > best[3:]):
                    best = (form, a, b) + score
    return best[:3] if best else None


def _derived_cols(tab, by_start, done):
    """Percentage columns ("Tỷ lệ (%)", "Tỷ lệ tăng (%)") and change columns ("Tăng,
    giảm", "Chênh lệch") recomputed from the two columns most rows confirm."""
    out = []
    cols = tab.numeric_cols()
    counts = [k for k in cols if _additive(tab, k)]
    for j in cols:
        head = tab.head_text[j] or ""
        if PERCENT_HEADER.search(head):
            kind, forms, percent = "table_percent", ("ratio", "growth"), True
        elif CHANGE_HEADER.search(head):
            kind, forms, percent = "table_change", ("difference",), False
        else:
            continue
        found = _pair_search(tab, j, [k for k in counts if k != j], forms, percent)
        if found is None:
            continue
        form, a, b = found
        fn, shape = RELATIONS[form]
        rel = shape.format(a=tab.basis(a), b=tab.basis(b))
        basis = f"cột {tab.basis(j)} = {rel}"
        column = []
        for r in tab.data:
            p, va, vb = tab.num(r, j), tab.num(r, a), tab.num(r, b)
            if p is None or va is None or vb is None or (id(r), j) in done or \
                    (form != "difference" and not vb[0]):
                continue
            computed = fn(va[0], vb[0])
            verdict = _close(p[0], p[1], computed, percent)
            done.add((id(r), j))
            shown = shape.format(a=r[a]["text"], b=r[b]["text"])
            column.append(_check(
                kind, verdict, p[0], computed, r[j], _figure_at(by_start, r[j]),
                f"Bảng: dòng \u201c{_row_name(tab, r)}\u201d, cột {tab.basis(j)} nêu {r[j]['text']}; "
                f"{shown} = {_vn(computed, max(p[1], 2) if percent else None, r[j])}"
                f"{'%' if percent else ''}.", basis, [r[a], r[b]]))
        out.extend(column)
    return out


def _group_subtotals(tab, by_start, done):
    """A row without a number of its own heading numbered rows ("Khoa Du lịch" over its
    classes 1, 2, 3; "Gtv" over its items 1–4) holds their sum, once at least two such
    rows of the column, and most of them, confirm it."""
    if not tab.label_cols:
        return []
    numbered = tab.is_numbered
    groups = []
    for i, r in enumerate(tab.data):
        if numbered(r) or tab.is_total_row(r) or tab.is_sub_row(r):
            continue
        kids = []
        for x in tab.data[i + 1:]:
            if not numbered(x):
                break
            kids.append(x)
        if len(kids) >= 2:
            groups.append((r, kids))
    out = []
    for j in tab.numeric_cols():
        if not _additive(tab, j):
            continue
        column = []
        for r, kids in groups:
            got = tab.num(r, j)
            vals = [tab.num(x, j) for x in kids]
            if got is None or got[2] or (id(r), j) in done or any(v is None or v[2] for v in vals):
                continue
            s = sum(v[0] for v in vals)
            column.append((r, got, s, _close(got[0], got[1], s), [x[j] for x in kids if _written(x[j])]))
        ok = sum(1 for _r, got, _s, v, _c in column if v != "mismatch" and got[0])
        if not _consistent(ok, len(column)):
            continue
        for r, got, s, verdict, cells in column:
            done.add((id(r), j))
            out.append(_check(
                "table_total", verdict, got[0], s, r[j], _figure_at(by_start, r[j]),
                f"Bảng: dòng nhóm \u201c{_row_name(tab, r)}\u201d, cột {tab.basis(j)} nêu {r[j]['text']}; "
                f"các dòng đánh số bên dưới: {_addition(cells, s, got[1], r[j])}.",
                f"dòng nhóm \u201c{_row_name(tab, r)}\u201d trên các dòng đánh số; cột {tab.basis(j)}",
                cells))
    return out


_WEIGHT = {1: 1.0, 0: 0.0, -1: -0.5}
MAX_GROUP = 60  # rows under one group row (a longer group closes only at the total row)


def _implicit_groups(tab, by_start, done):
    """A two-level table without numbering closed by a total row ("Khoa …" over its
    classes, "Huyện …" over its communes; the group rows told apart only by bold type,
    which the text does not keep). The group rows are the split of the rows in which each
    group row holds the sum of the rows under it (dynamic programming over the splits:
    +1 a group that adds up, −½ one that does not, in every count column: a slip must not
    pay for merging two groups whose unreadable cells hide it). The split
    stands only when the total row is the sum of its group rows, at least three groups
    add up and most of them do; then every group row and the total are checked."""
    totals = [i for i, r in enumerate(tab.data) if tab.is_total_row(r)]
    if not tab.label_cols or len(totals) != 1 or totals[0] < 5 or totals[0] > 300:
        return []
    rows, total_row = tab.data[:totals[0]], tab.data[totals[0]]
    if any(tab.is_numbered(x) or tab.is_sub_row(x) or tab.is_group_row(x) for x in rows):
        return []  # numbered items and sub-rows: `_group_subtotals`, `_total_rows`
    cols = [j for j in tab.numeric_cols() if _additive(tab, j)]
    n = len(rows)

    def val(r, j):
        """(value, decimals); (0, 0) for an empty cell; None when unreadable or a share."""
        if not _written(r[j]):
            return 0.0, 0
        v = tab.num(r, j)
        return None if v is None or v[2] else (v[0], v[1])

    vals = {j: [val(r, j) for r in rows] for j in cols}
    prefix = {}
    for j in cols:  # running sums and running counts of unreadable cells
        s, u, ps = 0.0, 0, [(0.0, 0)]
        for v in vals[j]:
            s, u = (s, u + 1) if v is None else (s + v[0], u)
            ps.append((s, u))
        prefix[j] = ps

    def group(i, k, j):
        """+1 / −1 / 0: head row i against rows i+1 … k−1 in column j."""
        head = vals[j][i]
        (s0, u0), (s1, u1) = prefix[j][i + 1], prefix[j][k]
        if head is None or u1 > u0 or not head[0]:
            return 0
        return 1 if _close(head[0], head[1], s1 - s0) == "ok" else -1

    best = [(0.0, None)] * (n + 1)  # best[i]: (score, next head) of the rows from i
    for i in range(n - 2, -1, -1):
        nexts = sorted(set(range(i + 2, min(n, i + 2 + MAX_GROUP)))) + [n]  # bounded: linear
        cands = [(sum(_WEIGHT[group(i, k, j)] for j in cols) - 0.01 + (best[k][0] if k < n else 0), k)
                 for k in nexts if k == n or best[k][1] is not None]
        best[i] = max(cands) if cands else (0.0, None)
    heads, i = [], 0
    while i < n and best[i][1] is not None:
        heads.append((i, best[i][1]))
        i = best[i][1]
    if i != n or len(heads) < 3 or sum(1 for a, b in heads if b - a > 2) < 2:
        return []
    scores = {j: [group(a, b, j) for a, b in heads] for j in cols}
    good = sum(x == 1 for v in scores.values() for x in v)
    bad = sum(x == -1 for v in scores.values() for x in v)
    if good < 4 or good < 0.6 * (good + bad):
        return []

    def sum_of(idx, j):
        got = [vals[j][a] for a in idx]
        return None if any(v is None for v in got) else sum(v[0] for v in got)

    closes = False  # the total row is the sum of the group rows in some column …
    for j in cols:
        t = tab.num(total_row, j)
        s = sum_of([a for a, _b in heads], j)
        if t is not None and s is not None and t[0] and _close(t[0], t[1], s) == "ok":
            closes = closes or _close(t[0], t[1], sum_of(range(n), j) or 0) != "ok"  # … not of all
    if not closes:
        return []
    out = []
    name = lambda r: _row_name(tab, r)
    for j in cols:
        if sum(x == 1 for x in scores[j]) < 2:
            continue  # this column does not confirm the split
        for (a, b), sc in zip(heads, scores[j]):
            r = rows[a]
            if sc == 0 or (id(r), j) in done:
                continue
            got = tab.num(r, j)
            s = prefix[j][b][0] - prefix[j][a + 1][0]
            done.add((id(r), j))
            out.append(_check(
                "table_total", _close(got[0], got[1], s), got[0], s, r[j], _figure_at(by_start, r[j]),
                f"Bảng: dòng nhóm \u201c{name(r)}\u201d, cột {tab.basis(j)} nêu {r[j]['text']}; các dòng "
                f"bên dưới (đến dòng \u201c{name(rows[b]) if b < n else name(total_row)}\u201d): "
                f"{_addition([x[j] for x in rows[a + 1:b]], s, got[1], r[j])}.",
                f"dòng nhóm \u201c{name(r)}\u201d trên các dòng của nhóm (dòng \u201c{name(total_row)}\u201d "
                f"bằng tổng các dòng nhóm); cột {tab.basis(j)}",
                [x[j] for x in rows[a + 1:b] if _written(x[j])]))
        t = tab.num(total_row, j)
        s = sum_of([a for a, _b in heads], j)
        if t is None or t[2] or (id(total_row), j) in done:
            continue
        done.add((id(total_row), j))
        if s is None:
            continue  # an unreadable group cell: nothing to say
        out.append(_check(
            "table_total", _close(t[0], t[1], s), t[0], s, total_row[j], _figure_at(by_start, total_row[j]),
            f"Bảng: dòng \u201c{name(total_row)}\u201d, cột {tab.basis(j)} nêu {total_row[j]['text']}; "
            f"các dòng nhóm: {_addition([rows[a][j] for a, _b in heads], s, t[1], total_row[j])}.",
            f"dòng \u201c{name(total_row)}\u201d = cộng các dòng nhóm; cột {tab.basis(j)}",
            [rows[a][j] for a, _b in heads if _written(rows[a][j])]))
    return out
