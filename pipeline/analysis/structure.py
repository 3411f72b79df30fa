"""Structure stage: the section tree and the document's own metadata.

Runs first, so that every later stage gets `section` through `ctx.provenance`.

The body is cut into *units* (blocks, split again where a line inside a block starts a
numbered heading). A unit that starts with a numbering mark (I., 1., 1.1., a), (1),
Điều 1., Chương I, Mục 1) or that the DOCX extractor marked as a styled heading opens a
section. Levels come from the order in which numbering styles appear (the usual way of
reading Vietnamese official documents: Roman > arabic > decimal > letter > (n)), kept on
a stack: a style already on the stack closes everything below it, a new style nests.
A list that restarts at 1 while its style is still open (a "1. 2. 3." list inside
"1. Cải cách thể chế") nests too.

Metadata comes from the header block (issuer, "Số:", place and date, type line, trích
yếu), the closing block ("Nơi nhận", signature) and the title (period covered). Nothing is
taken from the file name, and what the text does not state stays None.
"""
from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache

import yaml

from schemas import DATA_DIR
from pipeline.analysis import ocr_names, own_number
from pipeline.text.normalize import fold
from pipeline.text.quality import is_syllable
from pipeline.text.vndate import date_problem, iso

DATA = DATA_DIR / "structure.yaml"

try:  # the citations helper owns the symbol grammar
    from pipeline.text.symbols import canonicalize, parse_symbol
except ImportError:  # pragma: no cover - minimal fallback
    parse_symbol = None

    def canonicalize(symbol: str) -> str | None:
        s = re.sub(r"\s+", "", symbol or "").upper().replace("ND-", "NĐ-")
        return s if re.match(r"^\d+[/-]", s) else None


@lru_cache(maxsize=1)
def rules() -> dict:
    with open(DATA, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


# ---- numbering -------------------------------------------------------------------------

_MD = r"[#*_\s>]*"  # Markdown noise before a heading ("## ", "**")
ROMAN = re.compile(r"^M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
NUMBERING = [
    # (style, regex on the unit text); group "n" is the number, the match end is where
    # the heading text starts.
    ("phuluc", re.compile(_MD + r"(?:Phụ lục|PHỤ LỤC)(?:\s+(?P<n>[IVXLC]+|\d+|[A-Z])\b)?\.?[*_:]*\s*")),
    ("phan", re.compile(_MD + r"(?:Phần|PHẦN)\s+(?:thứ\s+|THỨ\s+)?(?P<n>[IVX]+|\d+|nhất|hai|ba|bốn|năm|"
                        r"NHẤT|HAI|BA|BỐN|NĂM)\b\.?[*_:]*\s*(?=[A-ZĐÀ-Ỹ*_]|$)")),
    ("bieumau", re.compile(_MD + r"(?:Biểu mẫu|BIỂU MẪU|Mẫu số|MẪU SỐ)\s+(?P<n>\d+[a-z]?)\b\.?[*_:]*\s*(?=\S|$)")),
    ("chuong", re.compile(_MD + r"(?:Chương|CHƯƠNG)\s+(?P<n>[IVXLC]+|\d+)\b\.?[*_]*\s*")),
    ("muc", re.compile(_MD + r"(?:Mục|MỤC)\s+(?P<n>\d+|[IVX]+)\b\.?[*_]*\s*(?=\S|$)")),
    ("dieu", re.compile(_MD + r"(?:Điều|ĐIỀU)\s+(?P<n>\d+[a-z]?)\s*[.:][*_]*\s*")),
    ("upper", re.compile(_MD + r"(?P<n>[A-H])\s*\.[*_]*\s+(?=[A-ZĐÀ-Ỹ])")),
    ("roman", re.compile(_MD + r"(?P<n>[IVX]{1,6})\s*(?:[.)]|\s?[-–/](?=\s))[*_]*\s+")),
    ("decimal", re.compile(_MD + r"(?P<n>\d{1,2}(?:\.\d{1,2}){1,3})\.?[*_]*\s+(?=\D)")),
    ("arabic.", re.compile(_MD + r"(?P<n>\d{1,2})\s*\.[*_]*\s+(?=\D)")),
    ("arabic)", re.compile(_MD + r"(?P<n>\d{1,2})\s*\)[*_]*\s+")),
    ("arabic-", re.compile(_MD + r"(?P<n>\d{1,2})\s?[-–/][*_]*\s+(?=[A-ZĐÀ-Ỹ*])")),  # "1- …", "1/ …"
    ("alpha)", re.compile(_MD + r"(?P<n>[a-zđ])\s*\)[*_]*\s+")),
    ("alpha.", re.compile(_MD + r"(?P<n>[a-zđ])\s*\.[*_]*\s+(?=[A-ZĐÀ-Ỹ])")),
    ("paren", re.compile(_MD + r"\((?P<n>\d{1,2})\)[*_]*\s*")),
]
_LINE_START = re.compile(r"\n(?=" + _MD + r"(?:(?:Chương|CHƯƠNG)\s+[IVXLC\d]+\b|(?:Mục|MỤC)\s+\d+\b"
                         r"|(?:Điều|ĐIỀU)\s+\d+[a-z]?\s*[.:]|[IVX]{1,6}\.\s|\d{1,2}(?:\.\d{1,2})*\.\s+\D|\d{1,2}(?:\.\d{1,2})+\s+\D"
                         r"|\(\d{1,2}\)\s|[a-zđ]\)\s))")


_RECIPIENTS = re.compile(r"\s(?=Nơi nhận\s*:)")


def numbering(text: str) -> tuple[str, str, int] | None:
    """(style, number, heading offset) of a unit that starts with a numbering mark."""
    for style, rx in NUMBERING:
        m = rx.match(text)
        if not m:
            continue
        n = m.group("n")
        if style == "phuluc" and n is None and text[m.end():].strip(" *_:"):
            continue  # "Phụ lục kèm theo …" is a sentence; a bare "PHỤ LỤC" is a heading
        if style == "roman" and not ROMAN.match(n):
            continue
        if style == "decimal":
            style = f"decimal{n.count('.') + 1}"
        if style in ("upper", "alpha.") and len(text) > 200:
            continue  # "A. Nguyễn …" is a name; letter headings are short
        return style, n, m.end()
    return None


_ORDINALS = {"nhất": "I", "hai": "II", "ba": "III", "bốn": "IV", "năm": "V"}  # "Phần thứ nhất"


def _number_label(style: str, n: str) -> str:
    if n is None:
        return {"phuluc": "Phụ lục"}.get(style)
    if style == "phan":
        n = _ORDINALS.get(n.lower(), n)
    return {"phuluc": f"Phụ lục {n}", "bieumau": f"Biểu mẫu {n}", "phan": f"Phần {n}", "chuong": f"Chương {n}", "muc": f"Mục {n}", "dieu": f"Điều {n}",
            "paren": f"({n})"}.get(style, n)


# ---- units -----------------------------------------------------------------------------

def units(ctx) -> list[dict]:
    """Body pieces in reading order: {start, end, kind, level, page}. Tables are kept whole
    (kind 'table'); other blocks are split where an inner line starts a numbered heading."""
    cached = ctx.meta.get("_units")
    if cached is not None:
        return cached
    out = []
    text = ctx.text
    body_end = ctx.body_end  # a property that scans the blocks: once
    for b in sorted(ctx.blocks, key=lambda b: b["start"]):
        if b["kind"] in ("footnote", "chart") or b["start"] >= body_end:
            continue  # chart residue (numbers without words) is not body text
        if b["kind"] == "table":
            out.append({"start": b["start"], "end": b["end"], "kind": "table", "level": None})
            continue
        cuts = [b["start"]] + [m.start() + 1 for m in _LINE_START.finditer(text, b["start"], b["end"])]
        # An export that ran the last body line and "Nơi nhận:" together.
        cuts += [m.start() + 1 for m in _RECIPIENTS.finditer(text, b["start"], b["end"])]
        cuts = sorted(set(cuts))
        cuts.append(b["end"])
        for s, e in zip(cuts, cuts[1:]):
            s, e = _trim(text, s, e)
            if e > s:
                out.append({"start": s, "end": e, "kind": b["kind"],
                            "level": b.get("level") if s == b["start"] else None})
    ctx.meta["_units"] = out
    return out


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _strip_md(text: str, s: int, e: int) -> tuple[int, int]:
    """Span without surrounding Markdown emphasis, spaces and a trailing colon."""
    while s < e and text[s] in "#*_ \n":
        s += 1
    while e > s and text[e - 1] in "*_ \n:":
        e -= 1
    return s, e


def starts_with_any(text: str, words) -> bool:
    t = text.lstrip("#*_ ")
    return any(t.startswith(w) for w in words)


# ---- zones -----------------------------------------------------------------------------

def zones(ctx) -> dict:
    """Indices into units(): where the body proper starts (after header/title/preamble
    openers are allowed) and where the closing block (Trên đây / Nơi nhận / signature)
    starts."""
    cached = ctx.meta.get("_zones")
    if cached is not None:
        return cached
    us = units(ctx)
    text = ctx.text
    r = rules()
    header = _header_last(us, text, r)
    first_section = next((i for i, u in enumerate(us) if u["kind"] != "table"
                          and (numbering(text[u["start"]:u["end"]])
                               or (i > header and _styled_heading(u, text)))), len(us))
    closing = len(us)
    sig = re.compile(r"^[#*_\s]*(?:" + "|".join(re.escape(p) for p in r["signature_prefixes"]) + r")\s")
    formula = re.compile("|".join(r["closing_formulas"]))
    definite = ("Nơi nhận",)

    def numbered_after(i: int) -> bool:
        """Is there a numbered heading after unit i, before any "Nơi nhận" or appendix?"""
        for u in us[i + 1:]:
            t = text[u["start"]:u["end"]]
            if starts_with_any(t, definite) or (sig.match(t) and t.isupper()):
                return False
            num = numbering(t)
            if num:
                return num[0] not in ("phuluc", "bieumau")
        return False

    for i in range(len(us)):
        t = text[us[i]["start"]:us[i]["end"]]
        if i >= first_section or i > 3:
            if starts_with_any(t, definite) or (sig.match(t) and t.isupper()):
                closing = i
                break
            # "Trên đây là …", "… biết, thực hiện./." close the body only when no numbered
            # heading follows ("Trên đây là những kết quả nổi bật; tuy nhiên …" mid-report).
            if (starts_with_any(t, r["closing_openers"]) or (
                    re.search(r"\./\.\W*$", t) and formula.search(t.lower()))) and not numbered_after(i):
                closing = i
                break
    # Appendices after the signature ("Phụ lục I …") are body again.
    appendix = next((i for i in range(closing + 1, len(us))
                     if numbering(text[us[i]["start"]:us[i]["end"]]) and
                     numbering(text[us[i]["start"]:us[i]["end"]])[0] == "phuluc"), len(us))
    # A text issued with the decision after its signature; or inside what looked like the body
    # when the signature block was not read (an OCR'd "Nơi nhận"): the body ends at its type line.
    attached = _attached(us, text, min(first_section, closing), appendix, r)
    if attached is not None:
        closing = min(closing, attached[2])
        appendix = attached[0]
        ctx.meta["_attached"] = {"start": us[appendix]["start"] if appendix < len(us) else len(text),
                                 "doc_type": attached[1]}
    result = {"first_section": min(first_section, closing), "closing": closing, "appendix": appendix}
    ctx.meta["_zones"] = result
    return result


# The caption of a text issued with a decision ("(Ban hành kèm theo Quyết định số …)",
# "Ban hành theo Nghị quyết số …"): the text after it is a document of its own.
_ATTACHED_CAPTION = re.compile(
    r"(?:^|\(|(?<=\s)(?-i:(?=Ban hành|Kèm theo)))"  # a line's start, "(", or capitalised after a title
    r"[\W_]*(?:ban hành\s+)?(?:kèm\s+)?theo\s+(?:quyết định|nghị quyết|nghị định|thông tư|chỉ thị)\b",
    re.IGNORECASE | re.MULTILINE)  # at a line's start: a caption may share a unit with the title


def _attached(us, text: str, after: int, before: int, r) -> tuple[int, str, int] | None:
    """(first unit, type, type line) of a document issued with this one and printed after it:
    a type line ("CHƯƠNG TRÌNH", "QUY CHẾ", "KẾ HOẠCH") followed, within its title lines, by
    the caption that says which decision issues it. Its body is read as a body of that type
    (a decision issuing a programme carries the programme's assessment and tasks). The type
    line is matched without diacritics ("KÉ HOẠCH" read by OCR): the caption confirms it."""
    types = {fold(k): v for k, v in r["doc_types"].items() if v != "Phụ lục"}
    for i in range(after + 1, min(before, len(us))):
        t = _clean(text[us[i]["start"]:us[i]["end"]])
        kind = types.get(fold(t)) if _is_upper(t) else None
        if kind is None:
            continue
        for j in range(i + 1, min(i + 6, before, len(us))):
            m = _ATTACHED_CAPTION.search(text[us[j]["start"]:us[j]["end"]])
            if not m:
                continue
            # The caption may run over two lines: the body starts after its closing parenthesis,
            # or, without one, after a line that goes on with the issuer ("của Ủy ban …").
            k, after = j, us[j]["start"] + m.end()
            while k + 1 < min(j + 3, len(us)) and (
                    ")" not in text[after:us[k]["end"]] if "(" in m.group()
                    else text[us[k + 1]["start"]:us[k + 1]["end"]].lstrip().startswith("của ")):
                k += 1
            return k + 1, kind, i
    return None


_HEADER_DATE = re.compile(r"^ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>\d{4})$", re.I)
_SEPARATOR = re.compile(r"^[\W_]*(?:o0o)?[\W_]*$")


def _is_header_line(line: str, r) -> bool:
    """A line of the printed header (Nghị định 30/2020/NĐ-CP layout): the issuer block,
    the motto, "Số:", the place and date, the type line, "V/v", "Kính gửi", a separator."""
    clean = _clean(line)
    if not clean or _SEPARATOR.match(line.strip()):
        return True
    f = " ".join(fold(clean).replace("-", " ").replace("–", " ").split())
    if any(f == " ".join(fold(m).replace("-", " ").split()) for m in r["motto"]):
        return True
    return bool(re.match(r"(?:Số|SỐ)\s*:?\s*(?:\d|/|$)", clean) or _PLACE_DATE.search(clean)
                or _HEADER_DATE.match(clean) or clean.upper() in r["doc_types"] and _is_upper(clean)
                or clean.startswith(("V/v", "V/V", "Kính gửi"))
                or _is_upper(clean) and is_issuer_head(clean))


def _header_last(us, text: str, r, window: int = 16) -> int:
    """Index of the last unit of the printed header among the first units, or -1.

    Word files often style the header lines (issuer, "Số:", the date, even the motto) as
    headings; a styled heading inside the header is not the first section. After the type
    line, up to three unnumbered lines in the type line's own style, not in capitals, that
    do not open the body are the title (heading-styled like the rest of such a header)."""
    last, type_at = -1, None
    for i, u in enumerate(us[:window]):
        t = text[u["start"]:u["end"]]
        if numbering(t) or starts_with_any(t, r["body_openers"]):
            break
        if _is_header_line(t, r):
            last = i
            if _clean(t).upper() in r["doc_types"]:
                type_at = i
    if type_at is not None and type_at == last:
        style = (us[type_at]["kind"], us[type_at].get("level"))
        for i in range(type_at + 1, min(type_at + 4, len(us))):
            t = _clean(text[us[i]["start"]:us[i]["end"]])
            if (not t or (us[i]["kind"], us[i].get("level")) != style or numbering(t) or _is_upper(t)
                    or t.endswith(":") or starts_with_any(t, r["body_openers"])):
                break  # (only lines styled as the type line is: a heading after a plain title is a section)
            last = i
    return last


def body_indices(z: dict, n: int) -> list[int]:
    """Units that carry sections and findings: the body proper, then any appendix."""
    return list(range(z["first_section"], z["closing"])) + list(range(z["appendix"], n))


def _styled_heading(u: dict, text: str | None = None) -> bool:
    """A DOCX/Markdown heading that is not the document's type line ("KẾ HOẠCH")."""
    if u["kind"] != "heading" or u.get("level") is None:
        return False
    if text is not None:
        t = _clean(text[u["start"]:u["end"]]).upper()
        return t not in rules()["doc_types"]
    return True


# ---- sections --------------------------------------------------------------------------

def build_sections(ctx) -> list[dict]:
    text = ctx.text
    us = units(ctx)
    z = zones(ctx)
    stack: list[dict] = []  # open sections: {"style", "n", "row"}
    rows: list[dict] = []
    consumed = set()
    for i in body_indices(z, len(us)):
        if i in consumed:
            continue
        u = us[i]
        if u["kind"] == "table":
            continue
        utext = text[u["start"]:u["end"]]
        num = numbering(utext)
        if num:
            style, n, off = num
        elif _styled_heading(u, text):
            style, n, off = f"h{u['level']}", None, 0
        else:
            continue
        # Where does it sit? Pop to an open section of the same style (a sibling), unless
        # the list restarts at 1/a (a nested list); a new style nests under the innermost.
        same = next((k for k in range(len(stack) - 1, -1, -1) if stack[k]["style"] == style), None)
        restart = n in ("1", "a", "I", "A") and same is not None and stack[same]["n"] not in (None,)
        if style.startswith("h"):  # styled headings: level from the style
            lvl = u["level"]
            while stack and stack[-1]["style"].startswith("h") and stack[-1]["hlevel"] >= lvl:
                stack.pop()
            while stack and not stack[-1]["style"].startswith("h"):
                stack.pop()
        elif style in ("phan", "phuluc", "chuong", "muc", "dieu") or same is not None and not restart:
            if same is not None and not restart:
                del stack[same:]
            elif style in ("phan", "phuluc"):
                stack.clear()
            elif style == "chuong":
                k = next((k for k in range(len(stack)) if stack[k]["style"] == "phan"), None)
                del stack[(k + 1) if k is not None else 0:]
            elif style == "muc":
                k = next((k for k in range(len(stack)) if stack[k]["style"] == "chuong"), None)
                del stack[(k + 1) if k is not None else 0:]
            elif style == "dieu":
                k = next((k for k in range(len(stack) - 1, -1, -1)
                          if stack[k]["style"] in ("chuong", "muc")), None)
                del stack[(k + 1) if k is not None else 0:]
        elif style.startswith("decimal"):
            # 2.1 belongs under the open section numbered 2 (if any); 2.1.3 under 2.1.
            prefix = n.rsplit(".", 1)[0]
            k = next((k for k in range(len(stack) - 1, -1, -1) if stack[k]["n"] == prefix), None)
            if k is not None:
                del stack[k + 1:]
        elif style == "roman":
            k = next((k for k in range(len(stack)) if stack[k]["style"] in ("phan", "upper", "chuong", "muc")), None)
            if k is None and not any(s["style"] == "roman" for s in stack) and stack \
                    and stack[0]["style"] not in ("phan", "upper", "chuong", "muc", "dieu") and not restart:
                stack.clear()  # Roman numerals are the top level of a report
        elif style == "upper":
            k = next((k for k in range(len(stack)) if stack[k]["style"] == "phan"), None)
            del stack[(k + 1) if k is not None else 0:]
        parent = stack[-1]["row"] if stack else None
        # Heading text: after the number; a bare "Chương I" takes the next short unit.
        hs, he = _strip_md(text, u["start"] + off, u["end"])
        if he <= hs and style in ("phan", "phuluc", "bieumau", "chuong", "muc", "roman", "upper") and i + 1 < len(us):
            nxt = us[i + 1]
            if nxt["kind"] != "table" and nxt["end"] - nxt["start"] < 200 \
                    and not numbering(text[nxt["start"]:nxt["end"]]):
                hs, he = _strip_md(text, nxt["start"], nxt["end"])
                consumed.add(i + 1)
        hs, he = _heading_span(text, hs, he)
        label = _number_label(style, n)
        if parent is None:
            path = label or str(1 + sum(1 for r in rows if r["parent_id"] is None))
        elif style.startswith("decimal") and parent["number"] == n.rsplit(".", 1)[0]:
            path = f"{parent['path']}.{n.rsplit('.', 1)[1]}"
        else:  # an unnumbered (styled) heading is numbered by its rank among its siblings
            rank = 1 + sum(1 for r in rows if r["parent_id"] == parent["id"])
            path = f"{parent['path']}.{label or rank}"
        row = {
            "id": ctx.new_id("sections"), "document_id": ctx.document_id,
            "parent_id": parent["id"] if parent else None, "level": len(stack) + 1,
            "number": label, "path": path, "heading": text[hs:he],
            "heading_start": hs, "heading_end": he, "start": u["start"], "end": None,
            "page": ctx.page_at(u["start"]),
        }
        rows.append(row)
        stack.append({"style": style, "n": n, "row": row, "hlevel": u.get("level") or 0})
    # Ends: before the next section at the same or a higher level, else the end of the body.
    body_end = _trim(text, 0, ctx.body_end)[1]
    appendix_start = us[z["appendix"]]["start"] if z["appendix"] < len(us) else None
    for k, row in enumerate(rows):
        nxt = next((r for r in rows[k + 1:] if r["level"] <= row["level"]), None)
        if appendix_start is not None and row["start"] < appendix_start and (
                nxt is None or nxt["start"] >= appendix_start):
            nxt = None  # the last body sections end at the signature's end, before the appendix
            end = _trim(text, row["start"], appendix_start)[1]
        else:
            end = _trim(text, row["start"], nxt["start"])[1] if nxt else body_end
        row["end"] = max(end, row["heading_end"])
    return rows


def _heading_span(text: str, s: int, e: int) -> tuple[int, int]:
    """A numbered paragraph's heading is its first clause (up to : ; or a sentence end),
    at most ~160 characters, cut at a word boundary."""
    if e - s <= 160 and not re.search(r"[.;:]\s", text[s:e]):
        return s, e
    m = re.search(r"[:;]|\.(?=\s|$)", text[s:e])
    cut = s + m.start() if m else e
    if cut - s > 160:
        cut = text.rfind(" ", s, s + 160)
        cut = cut if cut > s else s + 160
    return _strip_md(text, s, cut)


# ---- metadata --------------------------------------------------------------------------

def _lines(text: str, s: int, e: int) -> list[tuple[str, int]]:
    """Lines (and table cells) of a span, with their start offsets, Markdown stripped."""
    out = []
    pos = s
    for piece in re.split(r"(\n| \| )", text[s:e]):
        if piece not in ("\n", " | "):
            ls, le = _strip_md(text, pos, pos + len(piece))
            # keep a trailing colon ("Nơi nhận:"): re-include it
            while le < pos + len(piece) and text[le] == ":":
                le += 1
            if le > ls:
                out.append((text[ls:le], ls))
        pos += len(piece)
    return out


def _is_upper(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _clean(s: str) -> str:
    return " ".join(s.replace("*", " ").split()).strip(" _-–#")


_SO = re.compile(r"\b(?:Số|SỐ)\s*:?\s*(?P<sym>\d[^\n]*)")
# The place before ", ngày …" (a place word starts a word, and is taken whole: a long
# letter run is tried once, not from each of its letters).
_PLACE = r"(?<![\w.])(?P<place>(?:[^\W\d_][\w.]*+\s+){0,5}?[^\W\d_][\w.]*+)\s*,\s*ngày\s*"
_PLACE_DATE = re.compile(
    _PLACE + r"(?P<d>\d{1,2}|[.…\s]*)\s*tháng\s*(?P<m>\d{1,2}|[.…\s]*)\s*năm\s*(?P<y>\d{4})")
# the same line with a day or month no reader made out ("ngày đi tháng 4Đ")
_PLACE_DATE_LOOSE = re.compile(_PLACE + r"\S{0,4}\s*tháng\s*\S{0,4}\s*năm\s*\d{4}")

_PLACE_YEAR = re.compile(r"^(?P<place>(?:[^\W\d_][\w.]*\s+){0,3}[^\W\d_][\w.]*)(?P<comma>,?)\s*(?:tháng\s+\d{1,2}\s+)?(?:năm\s+)?\d{4}$")


def _cover_place(line: str) -> str | None:
    """The place of a cover page's "Yên Bái, 2013" line; without the comma ("Phú Thọ
    2012") only a province or district name, since "Kế hoạch 2012" is no place."""
    m = _PLACE_YEAR.match(line)
    place = _place_words(m.group("place")) if m else None
    if place and not m.group("comma"):
        from pipeline.analysis import places
        if place != m.group("place") or not places.gazetteer().candidates("^", place):
            return None
    return place


def _symbol(rest: str) -> str | None:
    """The number symbol at the start of what follows "Số:", written loosely or not
    ("123 /BC-UBND", "45 - KH/TU"), with whatever follows on the line dropped."""
    tokens = rest.split()[:8]
    for k in range(len(tokens), 0, -1):
        candidate = " ".join(tokens[:k]).rstrip(".,;")
        if candidate[-1:].isalnum() and (c := canonicalize(candidate)):
            return c
    return None


def _place_words(place: str) -> str | None:
    """Keep the capitalized tail of the words before ", ngày" (the place name)."""
    words = place.split()
    keep = []
    for w in reversed(words):
        if w == "TP." or all(p[:1].isupper() and p[1:].islower() for p in w.split("-")):
            keep.insert(0, w)
        elif (m := re.fullmatch(r"(?:TP|Tp|TX|Tx)\.(\w+)", w)) and m.group(1)[:1].isupper() \
                and m.group(1)[1:].islower():
            keep.insert(0, m.group(1))  # "TP.Cần Thơ": the prefix glued to the name
            break
        else:
            break
    return " ".join(keep) or None


def header_metadata(ctx) -> dict:
    text = ctx.text
    us = units(ctx)
    z = zones(ctx)
    r = rules()
    meta: dict = {}
    end_idx = z["first_section"]
    lines: list[tuple[str, int]] = []
    for u in us[:end_idx]:
        lines.extend(_lines(text, u["start"], u["end"]))
    motto = [fold(m).replace("-", " ") for m in r["motto"]]

    def is_motto(line: str) -> bool:
        f = " ".join(fold(line).replace("-", " ").replace("–", " ").split())
        return any(m.replace("  ", " ") == f or f == " ".join(m.split()) for m in motto)

    def strip_motto(line: str) -> str:
        f = fold(line)
        for m in r["motto"]:
            k = f.find(fold(m))
            if k >= 0:
                line = (line[:k] + line[k + len(m):]).strip()
                f = fold(line)
        return line

    types = {k: v for k, v in r["doc_types"].items()}
    lines = _split_type_lines(_segment(lines, types), types)
    header_end = 0  # end of the last header line used (findings start after it)
    type_idx = None
    for i, (line, _) in enumerate(lines[:25]):
        key = _clean(line).upper()
        if key in types and _is_upper(_clean(line)):
            meta["doc_type"] = types[key]
            type_idx = i
            header_end = line_end(lines[i])
            break
    # Number symbol and place/date: anywhere in the header lines.
    head_lines = lines[: (type_idx or 0) + 12]
    for k, line in enumerate(head_lines):  # the first "Số: <symbol>" line ("Số:" may stand alone)
        joined = line[0] + (" " + head_lines[k + 1][0] if re.fullmatch(r"Số\s*:?", line[0].strip())
                            and k + 1 < len(head_lines) else "")
        if (m := _SO.search(joined)) and (sym := _symbol(m.group("sym"))):
            meta["number_symbol"] = sym
            header_end = max(header_end, line_end(head_lines[k + 1] if joined != line[0] else line))
            break
    m = None
    for line in head_lines:  # the first "<place>, ngày … tháng … năm …" line
        if m := _PLACE_DATE.search(line[0]):
            header_end = max(header_end, line_end(line))
            break
    for line in head_lines:
        if line[0].startswith(("Kính gửi", "V/v")):
            header_end = max(header_end, line_end(line))
    if m is None:  # a day or month handwritten or misread by OCR ("ngày đị tháng 4Đ"), or a
        # cover page's "Phú Thọ, 2012" / "Hà Nội, tháng 12 năm 2012": the place stands
        for line in head_lines:
            loose = _PLACE_DATE_LOOSE.search(line[0])
            if place := (_place_words(loose.group("place")) if loose else _cover_place(_clean(line[0]))):
                meta["issued_place"] = _clean(place)
                header_end = max(header_end, line_end(line))
                break
    if m is None:  # gazette style: "NGÀY 30 THÁNG 12 NĂM 2008" on its own line, no place
        for line in head_lines:
            if d := _HEADER_DATE.match(_clean(line[0])):
                y, mo, dd = int(d.group("y")), int(d.group("m")), int(d.group("d"))
                if not date_problem(y, mo, dd):
                    meta["issued_date"] = iso(y, mo, dd)
                    header_end = max(header_end, line_end(line))
                break
    if m:
        place = _place_words(m.group("place"))
        d, mo, y = m.group("d").strip(), m.group("m").strip(), int(m.group("y"))
        if place:
            meta["issued_place"] = _clean(place)  # the place alone; the date is issued_date
        if d.isdigit() and mo.isdigit() and not date_problem(y, int(mo), int(d)):
            meta["issued_date"] = iso(y, int(mo), int(d))
    # Issuer: capitals above the number / type line, motto removed.
    stop = type_idx if type_idx is not None else len(lines)
    issuer = []
    for i, raw in enumerate(lines[:stop]):
        line = raw[0]
        if line.lstrip().startswith(("Số", "SỐ")) or _PLACE_DATE.search(line) or "V/v" in line:
            break
        if issuer and _SEPARATOR.match(line.strip()) and len(line.strip()) >= 3:
            break  # the rule under the issuer block ends it (a type line may not follow)
        line = _clean(strip_motto(_clean(line)))
        if not line or is_motto(line) or not _is_upper(line) or len(line) > 80 \
                or not re.search(r"[^\W\d_]{2,}(?=\s|$)", line):  # a code such as "XV80" is no name
            continue
        if not issuer and not is_issuer_head(line):
            continue  # an all-capitals title is not an issuing body
        if _level_with_national_title(text, raw, lines[i + 1:i + 2]) and is_issuer_head(line):
            issuer = []  # the issuer starts level with the national title: capitals read
            # before it (an incoming stamp in the margin, a banner) are no part of it
        issuer.append(line)
        header_end = max(header_end, line_end(raw))
    if issuer and ctx.read_by_ocr(header_end - 1):  # bold capitals misread: the body's spelling
        issuer = ocr_names.confirm_issuer(issuer, text, header_end)
    if issuer and not (len(issuer) == 1 and issuer[0].upper() in types) \
            and not (ctx.read_by_ocr(header_end - 1)  # only OCR misreads: ĐẮK LẮK typed is real
                     and any(map(_misread, re.split(r"[\W\d_]+", " ".join(issuer[:4]))))):
        meta["issuer"] = " ".join(issuer[:4])  # parent body (one or two lines) + issuer
    if "issuer" not in meta and type_idx is not None and meta.get("doc_type") == "Phụ lục":
        annex_issuer, last = _issuer_under_annex(lines, type_idx)
        if annex_issuer:
            meta["issuer"] = annex_issuer
            header_end = max(header_end, line_end(lines[last]))
            type_idx = last  # the caption follows
    # Title: lines after the type line up to the body; a letter's "V/v …"; the caption
    # over an annex's "(Kèm theo …)" line.
    title, title_end = _title(lines, type_idx, r)
    caption = None  # an annex sent alone: no type line, a caption over "(Kèm theo …)"
    if not title:
        title, title_end = _caption_title(lines)
        caption = title
    if title:
        meta["title"] = title
        header_end = max(header_end, title_end)
    else:  # a form's "Trích yếu:" field or an annex's caption may sit in its first
        # numbered parts (phiếu trình; a price list whose page number reads as a heading)
        extra = [ln for u in us[end_idx:end_idx + 6] for ln in _lines(text, u["start"], u["end"])]
        if title := _labelled_title(extra)[0] or (caption := _caption_title(lines + extra)[0]):
            meta["title"] = title
    if caption and type_idx is None and not meta.get("number_symbol"):
        meta["doc_type"] = types["PHỤ LỤC"]
    # "Kính gửi:" and the list of addressees under it belong to the header.
    for k, line in enumerate(lines):
        if line[0].startswith("Kính gửi"):
            header_end = max(header_end, line_end(line))
            for nxt in lines[k + 1:]:
                if not nxt[0].startswith(("-", "+", "•")):
                    break
                header_end = line_end(nxt)
    ctx.meta["_header_end"] = header_end
    if "doc_type" not in meta:
        meta["doc_type"] = _type_from_symbol(meta.get("number_symbol") or _unread_number(head_lines), r) or (
            "Công văn" if any(l.startswith(("V/v", "Kính gửi")) for l, _ in lines) else None)
    return meta


_ANCHORS = re.compile(
    r"(?=CỘNG HÒA XÃ HỘI|ĐẢNG CỘNG SẢN VIỆT NAM|Độc lập\s*[-–]\s*Tự do)"
    r"|(?<=CHỦ NGHĨA VIỆT NAM)\s+|(?<=Hạnh phúc)\s+"
    r"|\s+(?=Số\s*:|Số\s+\d|V/[vV]\b|Kính gửi|(?:Căn cứ|Thực hiện|Theo đề nghị|Xét đề nghị)\s)")


# A lower-case letter ("à-ỹ" would also take the capitals of Latin Extended Additional,
# Ầ Ự Ố, so that "BAN QUẢN LÝ DỰ ÁN ĐẦU TƯ" read as the type "DỰ ÁN" + a title).
_LOWER = "[" + re.escape("".join(c for c in map(chr, range(0x61, 0x1EFA)) if c.islower())) + "]"


def _segment(lines, types):
    """Split header lines that an export joined ("ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI …
    Số: 12/BC-UBND Tuần Giáo, ngày …  BÁO CÁO Kết quả …") at the places where the
    printed header starts a new line: the motto, "Số:", the place and date, "V/v",
    "Kính gửi", the type line and the first "Căn cứ"/"Thực hiện"."""
    type_rx = re.compile(r"(?<=\S)\s+(?=(?:" + "|".join(map(re.escape, sorted(types, key=len, reverse=True)))
                         + r")(?:\s+\w?" + _LOWER + r"|\s*$))")
    out = []
    for line, off in lines:
        cuts = {0, len(line)}
        for m in _ANCHORS.finditer(line):
            cuts.update((m.start(), m.end()))
        for m in type_rx.finditer(line):
            cuts.update((m.start(), m.end()))
        m = _PLACE_DATE.search(line)
        if m and (place := _place_words(m.group("place"))):
            k = line.rfind(place, 0, m.end("place"))
            if (pre := re.search(r"(?:TP|Tp|TX|Tx)\.\s*$", line[:k])) and k > 0:
                k = pre.start()  # "…/QĐ-UB TP.Cần Thơ, ngày": the city prefix goes with the place
            if k > 0:
                cuts.add(k)
        cuts = sorted(cuts)
        for a, b in zip(cuts, cuts[1:]):
            piece = line[a:b]
            lead = len(piece) - len(piece.lstrip())
            piece = piece.strip()
            if piece:
                out.append((piece, off + a + lead))
    return out


def _split_type_lines(lines, types):
    """PDF text sometimes joins the type line and the trích yếu: "NGHỊ ĐỊNH Quy định về …",
    or, all in capitals, "BÁO CÁO CÔNG TÁC PHÒNG, CHỐNG THAM NHŨNG"."""
    keys = sorted(types, key=len, reverse=True)
    out = []
    for line, off in lines:
        if _clean(line).upper() in types:  # a whole longer type ("ĐỀ CƯƠNG VÀ DỰ TOÁN CHI TIẾT")
            out.append((line, off))
            continue
        for k in keys:
            m = re.match(re.escape(k) + r"\s+(?=\w?" + _LOWER + ")", line)
            if m is None and _is_upper(line) and not is_issuer_head(line):
                m = re.match(re.escape(k) + r"\s+(?=[A-ZĐÀ-Ỹ]\w*\s+\S)", line)
            if m:
                out.append((line[:len(k)], off))
                out.append((line[m.end():], off + m.end()))
                break
        else:
            out.append((line, off))
    return out


def line_end(line: tuple[str, int]) -> int:
    return line[1] + len(line[0])


_NATIONAL_TITLE = re.compile(r"CỘNG H[OÒ]A XÃ HỘI|ĐẢNG CỘNG SẢN VIỆT NAM")


def _level_with_national_title(text: str, line: tuple[str, int], following) -> bool:
    """Is the header line followed on the same text line by the national title (the
    issuer's first line and "CỘNG HÒA XÃ HỘI …" read row by row, Nghị định 30 layout)?"""
    return bool(following) and "\n" not in text[line_end(line):following[0][1]] \
        and bool(_NATIONAL_TITLE.match(following[0][0]))


@lru_cache(maxsize=1)
def _unit_name_words() -> frozenset[str]:
    """Words of administrative unit names (ĐẮK, KRÔNG, BÚK): real, though no syllable table
    has them."""
    from pipeline.analysis import places
    g = places.gazetteer()
    return frozenset(w for table in (g.provinces, g.districts, g.wards, g.new_wards)
                     for units in table.values() for u in units for w in re.split(r"[\s'’-]+", u.exact))


def _misread(word: str) -> bool:
    """A word with a tone or vowel mark that is no Vietnamese syllable ("TỌỘI"), nor a word
    of a place name: OCR misread it (abbreviations, UBND, BCĐCCHC, carry no such mark)."""
    return any("\u0300" <= c <= "\u036f" for c in unicodedata.normalize("NFD", word)) \
        and not is_syllable(word.lower()) and word.lower() not in _unit_name_words()


def is_issuer_head(line: str) -> bool:
    return bool(re.match(r"^(?:" + "|".join(map(re.escape, rules()["issuer_heads"])) + r")\b", line))


def _title(lines, type_idx, r) -> tuple[str | None, int]:
    """The trích yếu: the lines after the type line up to the body, or a letter's "V/v …".
    A title may be in capitals ("HƯỚNG DẪN / THỂ THỨC VÀ KỸ THUẬT …"); the authority line of
    a decision ("CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH") and a gazette header's "CỦA … SỐ …" and
    "NGÀY …" lines are not. Forms (phiếu trình) give it on a "Trích yếu:" line."""
    openers = tuple(r["body_openers"])
    start = None
    if type_idx is not None:
        start = type_idx + 1
    else:
        start = next((i for i, (l, _) in enumerate(lines) if l.startswith(("V/v", "V/V", "Về việc"))), None)
    if start is None:
        return _labelled_title(lines)
    parts = []
    end = 0
    quote_open = straight = upper = False
    depth = 0
    for line, _off in lines[start:start + 6]:
        clean = _clean(line)
        if not any(ch.isalnum() for ch in clean):  # "|" of an empty cell, a rule
            if parts:
                break
            continue
        if not parts and (clean.startswith("CỦA ") or _SO.search(clean) or _HEADER_DATE.match(clean)):
            continue  # gazette style: "CHỈ THỊ / CỦA BỘ … SỐ 07/2008/CT-BTTTT / NGÀY … / VỀ …"
        caps = _is_upper(clean)
        authority = caps and (is_issuer_head(clean) or clean.startswith(tuple(r["positions"])))
        # (an open quote carries the title over short lines only: a title whose closing
        # quote is missing must not swallow the first paragraph)
        if (not quote_open or len(clean) > 150) and parts and (clean.startswith(openers) or (caps and not upper) or authority
                                         or (upper and not caps and not _PERIOD_LINE.match(clean))
                                         or numbering(clean) or _PLACE_DATE.search(clean)
                                         or _COPY_MARK.match(clean) or _cover_place(clean)
                                         or _FORM_FIELD.match(clean)
                                         or parts[-1].endswith((".", ";")) or clean.endswith(":")
                                         or "như sau" in clean):
            break  # the body's first sentence ("… báo cáo … như sau:") is not the title
        if not parts and (clean.startswith(openers) and not clean.startswith(("Về", "V/v"))):
            break
        if set(clean) <= set("_-–—*=. "):
            if parts:
                break
            continue
        if not parts and (authority or numbering(clean)):
            break
        if not parts:
            upper = caps  # a title in capitals runs on over capital lines only
        parts.append(clean)
        end = line_end((line, _off))
        depth += clean.count("“") - clean.count("”")
        straight ^= clean.count('"') % 2 == 1
        quote_open = depth > 0 or straight  # a quoted title runs on to its closing quote
        if not quote_open and parts[0][:1] in "“\"" and clean.endswith(("”", '"')):
            break  # … and ends there
        if len(" ".join(parts)) > 400:
            break
    title = " ".join(parts).strip()
    title = re.sub(r"^V/[vV]\.?\s*", "", title)
    return (title or None, end) if title else _labelled_title(lines)


_COPY_MARK = re.compile(r"^\((?:Bản|BẢN) (?:chính|gốc|sao|CHÍNH|GỐC|SAO)\)$")  # a cover's "(Bản gốc)"
_PERIOD_LINE = re.compile(r"^(?:tháng|quý|năm|\d+ tháng|giai đoạn)\b[^.:;]{0,40}\d{4}$", re.I)  # "Tháng 11 năm 2012"
_FORM_FIELD = re.compile(r"^[^:“\"]{2,30}:\s*\S")  # "HỌ VÀ TÊN: …", "Chức vụ: …"
_TRICH_YEU = re.compile(r"(?:^|\s)Trích yếu\s*:\s*")
_FIELD_END = re.compile(r"\s+(?:\d{1,2}\.|[IVX]+\.)\s")  # the form's next numbered field


def _issuer_under_annex(lines, type_idx: int) -> tuple[str | None, int]:
    """An annex sent as a spreadsheet ("PHỤ LỤC SỐ 1 / SỞ TÀI CHÍNH TỈNH … / Tên tệp: … /
    BẢNG GIÁ …") names its issuing body under the type line: (that body, index of the
    last line before the caption: the body or the "field: value" lines under it)."""
    after = [i for i in range(type_idx + 1, min(len(lines), type_idx + 9))
             if any(c.isalnum() for c in lines[i][0])]  # empty cells left out
    if after and re.fullmatch(r"(?:SỐ|Số)\s*:?\s*[\dIVXLC]+", _clean(lines[after[0]][0])):
        after = after[1:]
    if not after:
        return None, type_idx
    body = _clean(lines[after[0]][0])
    if not (_is_upper(body) and is_issuer_head(body) and len(body) <= 80):
        return None, type_idx
    last = after[0]
    for i in after[1:]:
        if not _FORM_FIELD.match(_clean(lines[i][0])):
            break
        last = i
    return body, last


_ATTACHED = re.compile(r"^\([^()]{0,30}?\b(?:kèm theo|đính kèm)\b", re.I)


def _caption_title(lines) -> tuple[str | None, int]:
    """A document without a type line (a price list, an annex sent alone): the capitals
    lines right above its "(Kèm theo / Ban hành kèm theo / Đính kèm … số …)" line."""
    for k, (line, _off) in enumerate(lines[:30]):
        if not _ATTACHED.match(line.strip()):
            continue
        parts: list[tuple[str, int]] = []
        for prev in reversed([ln for ln in lines[max(0, k - 6):k] if any(c.isalnum() for c in ln[0])][-3:]):
            clean = _clean(prev[0])
            if not (_is_upper(clean) and re.search(r"[^\W\d_]{2,}", clean)) or is_issuer_head(clean) \
                    or _SO.search(clean) or _PLACE_DATE.search(clean) or len(clean) > 200:
                break
            parts.insert(0, prev)
        if parts:
            return " ".join(_clean(p[0]) for p in parts), line_end(parts[-1])
        return None, 0
    return None, 0


def _labelled_title(lines) -> tuple[str | None, int]:
    """A form's "Trích yếu: V/v …" field (phiếu trình, phiếu xử lý) as the title; the
    value may be on the label's line or, when the export split it, on the next one."""
    for k, (line, off) in enumerate(lines[:60]):
        if not (m := _TRICH_YEU.search(line)):
            continue
        value, at = line[m.end():], off + m.end()
        if not value.strip() and k + 1 < len(lines):
            value, at = lines[k + 1]
        if cut := _FIELD_END.search(value):
            value = value[:cut.start()]
        title = re.sub(r"^V/[vV]\.?\s*", "", value.strip())
        return (title, at + len(value)) if len(title) >= 10 else (None, 0)
    return None, 0


# "Số: …/KH-UBND" (a number OCR did not read, extractors.ocr.UNREAD) or a blank form's
# "Số:      /BC-UBND": the printed symbol still names the type.
_UNREAD_SO = re.compile(r"\b(?:Số|SỐ)\s*:?[\s….]*(?P<suffix>/(?:\d{4}/)?[^\W\d_][\w-]*[^\W_])")


def _unread_number(lines) -> str | None:
    """A stand-in symbol ("0/KH-UBND") for the printed suffix of a number left unread or blank."""
    for line, _ in lines:
        if m := _UNREAD_SO.search(line):
            return "0" + m.group("suffix")
    return None


def _type_from_symbol(symbol: str | None, r) -> str | None:
    if not symbol:
        return None
    abbr = None
    if parse_symbol is not None:
        parsed = parse_symbol(symbol)
        if parsed is None:
            return None
        abbr = parsed.get("abbreviation")
        if abbr is None:
            return "Công văn"
    else:
        m = re.search(r"/(?:\d{4}/)?([A-ZĐa-z]+)-", symbol) or re.search(r"-([A-ZĐ]+)/", symbol)
        abbr = m.group(1) if m else None
    return r["symbol_types"].get(abbr) if abbr else None


def closing_metadata(ctx) -> dict:
    text = ctx.text
    us = units(ctx)
    z = zones(ctx)
    r = rules()
    meta: dict = {}
    lines: list[tuple[str, int]] = []
    for u in us[z["closing"]:z["appendix"]]:
        lines.extend(_lines(text, u["start"], u["end"]))
    # Text exports run the two columns (Nơi nhận | signature) together line by line:
    # "Nơi nhận: KT. CHỦ TỊCH", "- Bộ Nội vụ; PHÓ CHỦ TỊCH", "- Văn phòng …; Phạm Thị Thanh Trà".
    lines = [(piece, off) for line, off in lines for piece in _split_closing_line(line, r)]
    recipients: list[str] = []
    in_recipients = False
    last_raw = ""
    role_lines: list[str] = []
    signer = None
    prefixes = tuple(r["signature_prefixes"])
    positions = sorted(r["positions"], key=len, reverse=True)
    for line, _ in lines:
        clean = _clean(line) if not line.lstrip().startswith(("-", "+", "•")) else line.strip()
        if re.match(r"^Nơi nhận\s*:?", clean):
            in_recipients = True
            rest = re.sub(r"^Nơi nhận\s*:?\s*", "", clean)
            if rest:
                recipients.extend(_recipient_items(rest))
            last_raw = rest or ";"
            continue
        if in_recipients and clean[:1] in "-+•":
            recipients.extend(_recipient_items(clean))
            last_raw = clean
            continue
        if in_recipients and recipients and not last_raw.rstrip().endswith((";", ".")) \
                and not _is_upper(clean) and not _looks_like_name(clean):
            recipients[-1] = (recipients[-1] + " " + clean).rstrip(";,.").strip()
            last_raw = clean  # a recipient wrapped onto the next line
            continue
        if clean.startswith(prefixes) or (_is_upper(clean) and any(clean == p for p in positions)) or (
                role_lines and signer is None and _is_upper(clean) and len(clean.split()) <= 8):
            role_lines.append(_clean(clean))
            continue
        if role_lines and _looks_like_name(clean):
            signer = clean
    if recipients:
        meta["recipients"] = json.dumps(recipients, ensure_ascii=False)
    if role_lines:
        meta["signer_role"] = ", ".join(_split_role(role_lines, positions, prefixes))
    if signer:
        meta["signer"] = signer
    return meta


def _split_closing_line(line: str, r) -> list[str]:
    out = []
    m = re.match(r"^(Nơi nhận\s*:)\s*(\S.*)$", line)
    if m:
        out.append(m.group(1))
        line = m.group(2)
    prefixes = "|".join(map(re.escape, r["signature_prefixes"]))
    if line[:1] in "-+•":
        for m in re.finditer(r"[;,.]\s+(?=\S)", line):  # the leftmost split whose tail is all signature
            head, tail = line[:m.start() + 1], line[m.end():]
            if re.match(rf"^(?:{prefixes})\s", tail) or (_is_upper(tail) and len(tail.split()) >= 2) \
                    or _looks_like_name(tail):
                return out + [head, tail]
    parts = re.split(rf"\s+(?=(?:{prefixes})\s)", line) if not line.startswith(("-", "+", "•")) else [line]
    return out + [p for p in parts if p]


def _recipient_items(line: str) -> list[str]:
    items = []
    for piece in re.split(r"(?:^|\s)[-+•]\s+", " " + line):
        piece = piece.strip().rstrip(";,.").strip()
        if piece:
            items.append(piece)
    return items


def _looks_like_name(line: str) -> bool:
    words = line.split()
    return 2 <= len(words) <= 5 and all(w[:1].isupper() and (len(w) == 1 or not w.isupper()) for w in words) \
        and not any(ch.isdigit() for ch in line) and not line.endswith((":", ";"))


def _split_role(lines: list[str], positions, prefixes) -> list[str]:
    """Clauses of a signature block: "TM. X", "KT. Y", then the signer's own position.
    A line that holds several ("KT. TRƯỞNG ĐOÀN PHÓ TRƯỞNG ĐOÀN", from an export that
    joined them) is split before each prefix and before a trailing position."""
    positions = sorted(set(positions) | {f"PHÓ {p}" for p in positions if not p.startswith("PHÓ")},
                       key=len, reverse=True)
    out = []
    for line in lines:
        clauses = [c.strip() for c in re.split(
            r"\s+(?=(?:" + "|".join(map(re.escape, prefixes)) + r")\s)", line) if c.strip()]
        last = clauses[-1] if clauses else ""
        if last.startswith(prefixes):
            for p in positions:
                if last.endswith(" " + p):
                    head = last[: -len(p)].strip()
                    if head not in prefixes:
                        clauses[-1:] = [head, p]
                    break
        out.extend(clauses)
    return out


# ---- period covered --------------------------------------------------------------------

_YEAR_RANGE = re.compile(r"(?:giai đoạn|kỳ|nhiệm kỳ|từ năm)\s*(?P<a>\d{4})\s*(?:[-–]|đến(?: năm)?)\s*(?P<b>\d{4})", re.I)
_FROM_TO = re.compile(
    r"[Tt]ừ\s+(?:ngày\s+|tháng\s+)?(?P<a>(?:\d{1,2}/)?\d{1,2}/\d{4})\s*(?:đến|[-–])\s*(?:ngày\s+|tháng\s+)?"
    r"(?P<b>(?:\d{1,2}/)?\d{1,2}/\d{4})")
_HALF = re.compile(r"(?P<k>6|9) tháng (?:đầu )?năm (?P<y>\d{4})", re.I)
_QUARTER = re.compile(r"quý (?P<q>I{1,3}V?|IV|[1-4])(?:\s*/\s*|\s+năm\s+)(?P<y>\d{4})", re.I)
_YEAR = re.compile(r"\bnăm (?P<y>\d{4})\b")


def _partial(s: str) -> str | None:
    parts = [int(p) for p in s.split("/")]
    if len(parts) == 3:
        d, m, y = parts
        return iso(y, m, d) if not date_problem(y, m, d) else None
    m, y = parts
    return iso(y, m) if 1 <= m <= 12 else None


def period(title: str | None, preamble: str) -> tuple[str | None, str | None]:
    """The period a document covers, from its title; a precise "từ … đến …" range in the
    preamble refines it when its years agree with the title's."""
    if not title:
        return None, None
    start = end = None
    if m := _FROM_TO.search(title):
        return _partial(m.group("a")), _partial(m.group("b"))
    if m := _YEAR_RANGE.search(title):
        start, end = m.group("a"), m.group("b")
    elif m := _HALF.search(title):
        y, k = int(m.group("y")), int(m.group("k"))
        start, end = iso(y, 1), iso(y, k)
    elif m := _QUARTER.search(title):
        q = {"I": 1, "II": 2, "III": 3, "IV": 4}.get(m.group("q").upper()) or int(m.group("q"))
        y = int(m.group("y"))
        start, end = iso(y, 3 * q - 2), iso(y, 3 * q)
    elif m := _YEAR.search(title):
        start = end = m.group("y")
    if start and len(start) == 4:
        for m in _FROM_TO.finditer(preamble):
            a, b = _partial(m.group("a")), _partial(m.group("b"))
            if a and b and a[:4] == start and b[:4] == end:
                return a, b
    return start, end


# ---- stage -----------------------------------------------------------------------------

def analyze(ctx) -> None:
    for row in build_sections(ctx):
        ctx.add("sections", row)
    meta = header_metadata(ctx)
    meta.update(closing_metadata(ctx))
    if not meta.get("number_symbol") and (own := own_number.from_annex_caption(
            ctx.text, ctx.meta.get("_header_end", 0), meta.get("doc_type"), meta.get("issued_date"))):
        meta["number_symbol"] = own["number_symbol"]  # the annex caption's: see own_number
        meta["issued_date"] = meta.get("issued_date") or own["issued_date"]
    us = units(ctx)
    z = zones(ctx)
    pre = us[: z["first_section"]]
    preamble = ctx.text[pre[0]["start"]:pre[-1]["end"]] if pre else ""
    meta["period_start"], meta["period_end"] = period(meta.get("title"), preamble)
    ctx.meta.update({k: v for k, v in meta.items() if v is not None})
