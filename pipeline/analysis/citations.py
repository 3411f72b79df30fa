"""Citations: every reference a document makes to another document.

`extract_citations(text)` is a pure function over the stored text (never over tokenized
text: underthesea re-spaces "63/2010/NĐ-CP"). It runs ONE combined regex with `finditer`
over the text, then looks a bounded distance past each match for the date, issuer,
subject and alias (never rescanning the text per citation), so the cost stays linear
however dense the citations. `analyze(ctx)` stores the rows with provenance;
The corpus-wide step (cited_documents, resolution across documents) is
`citation_graph.finalize`.

Forms recognized (type words and codes come from schemas/data/citation_types.yaml and
issuers.yaml):
  full      Nghị định số 63/2010/NĐ-CP ngày 08/6/2010 của Chính phủ về ...
  short     Nghị định số 108/NĐ-CP, Nghị quyết số 18-NQ/TW (no date)
  bare      Nghị định 59, nghị định 108 của Chính phủ
  list      các Nghị định số 108/2020/NĐ-CP, 113/2018/NĐ-CP (type carried over)
  symbol    a symbol without a type word (type from its code)
  named     Luật Tổ chức chính quyền địa phương năm 2015, Đề án 06
  standard  TCVN ISO 9001:2015
  anaphora  Nghị định nêu trên, Quyết định này
  alias     "(sau đây gọi là Đề án)" and the later mentions of the alias
"""
from __future__ import annotations

import bisect
import re
from functools import lru_cache

import yaml

from schemas import DATA_DIR
from pipeline.text.sentences import SentenceIndex
from pipeline.text.symbols import data as symbol_data, issuer_name, parse_symbol
from pipeline.text.vndate import DAY_DATE, parse_day_date

DATA = DATA_DIR / "citation_types.yaml"

# Vietnamese capitals (for "a name starts with a capital"), built once from Unicode.
_UPPER = "".join(chr(i) for i in range(0x41, 0x1F00) if chr(i).isupper() and chr(i).isalpha())
_CAP = f"(?-i:[{re.escape(_UPPER)}])"
_LOWER = "".join(chr(i) for i in range(0x61, 0x1F00) if chr(i).islower() and chr(i).isalpha())
_LOW = f"[{re.escape(_LOWER)}]"

S = r"(?:[ \t\u00a0*_]|\n(?!\n))"  # a separator: space, Markdown emphasis, one line break
W = S + "+"
J = S + "*"  # optional separator inside a symbol ("63 / 2010 / NĐ - CP")
DASH = r"[-–‐‑]"
NUM = r"(?<![\w/.,\-–])\d{1,5}(?!\d)(?![,.]\d)"
CODE = r"[A-Za-zĐđ][A-Za-zĐđ0-9&]*(?![^\W\d_⁰¹²³⁴⁵⁶⁷⁸⁹])"
# "329/B C-UBND": PDF extraction split the type code (upper case checked on the original).
SPLIT = r"(?:[a-zđA-ZĐ]{1,3} (?=[a-zđA-ZĐ]{1,3}" + DASH + "))?"
STATE_SYM = (NUM + J + "/" + J + r"(?:(?:19|20)\d\d" + J + "/" + J + r")?" + SPLIT + CODE
             + r"(?:" + J + DASH + J + CODE + r"|/" + CODE + r")*")
PARTY_SYM = NUM + J + DASH + J + CODE + J + "/" + J + CODE + r"(?:" + DASH + CODE + r")*"
SYMBOL = f"(?:{PARTY_SYM}|{STATE_SYM})"
_SYM_NOSPLIT = f"(?:{PARTY_SYM}|{STATE_SYM.replace(SPLIT, '')})"
_SPLIT_IN = re.compile(r"([^\W\d_⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3}) ([^\W\d_⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3})(?=\s*[-–‐‑])")

RELATIONS = ("cites", "based_on", "amends", "replaces", "repeals", "implements")


def _words(phrase: str) -> str:
    """A phrase whose words may be separated by any separator (hard wraps, emphasis)."""
    return W.join(re.escape(w) for w in phrase.lower().split())


def _trie(phrases) -> str:
    """One regex for many phrases, as a character trie ("nghị (?:định|quyết)"), so the
    engine compares a character once instead of once per phrase."""
    root: dict = {}
    for p in phrases:
        node = root
        for ch in " ".join(p.lower().split()):
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node) -> str:
        alts = [(W if ch == " " else re.escape(ch)) + emit(child)
                for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body
    return "(?:" + emit(root) + ")"


@lru_cache(maxsize=1)
def raw_rules() -> dict:
    """citation_types.yaml as data (libyaml's loader when present: ~20x faster), without
    the patterns `rules()` compiles from it: what a query needs to read its words."""
    with open(DATA, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@lru_cache(maxsize=1)
def rules() -> dict:
    raw = raw_rules()
    types = {t["word"].lower(): t for t in raw["types"]}
    words = sorted(types, key=len, reverse=True)
    abbrev = {k.lower(): v for k, v in raw["abbreviations"].items() if k != "abbreviation_examples"}
    type_re = _trie(words + list(abbrev))
    named_words = [w for w in words if types[w].get("named")]
    ana = raw["anaphora"]
    back = "|".join(_words(w) for w in sorted(ana["back"], key=len, reverse=True) if w != "trên")
    selfw = "|".join(_words(w) for w in ana["self"])
    std_prefix = "|".join(raw["standards"]["prefixes"])
    # Named references ("Luật Tổ chức chính quyền địa phương năm 2015") are matched on the
    # original text: a name starts with a capital and stops at a capitalized type word, so
    # "Luật Ban hành văn bản quy phạm pháp luật" keeps its lower-case "văn bản", "pháp luật".
    def cased(phrase):  # "Luật" or "luật" or "LUẬT"
        w = phrase.split()
        first = W.join([f"[{re.escape(w[0][0].upper())}{re.escape(w[0][0])}]{re.escape(w[0][1:])}"]
                       + [re.escape(x) for x in w[1:]])
        return f"(?:{first}|{W.join(re.escape(x.upper()) for x in w)})"
    cap_stop = "(?:" + "|".join(W.join(map(re.escape, t["word"].split())) for t in raw["types"]) \
        + r"|ngày|năm|số)(?![^\W\d_⁰¹²³⁴⁵⁶⁷⁸⁹])"
    name = rf"(?!{cap_stop}){_CAP}(?:(?!{cap_stop})[^;:\n()“”\"]){{0,100}}?"
    named_pat = (
        rf"(?<![^\W\d_⁰¹²³⁴⁵⁶⁷⁸⁹])(?P<ntw>{'|'.join(cased(types[w]['word']) for w in named_words)})(?:"
        # Luật Cán bộ, công chức số 22/2008/QH12
        rf"{W}(?P<lname>{name}){W}số[:.]?{J}(?P<lsym>{SYMBOL})"
        # Luật Tổ chức chính quyền địa phương năm 2015, Hiến pháp năm 2013, Luật X ngày ...
        rf"|(?:{W}(?P<nname>{name}))?(?:{W}(?:năm{W})?(?P<nyear>(?:19|20)\d\d)(?![\d/])"
        rf"|(?P<ndate>(?={W}ngày{W}\d))))")
    sym_a = SYMBOL  # the main symbol group carries the PDF-split variant; others don't
    # One type-word alternation, then what may follow it, so the (costly) alternation is
    # tried once per word start; kinds that need a named/bare type are checked in Python.
    after_type = "|".join([
        # Nghị định số 63/2010/NĐ-CP
        rf"{W}(?:số[:.]?{J})?(?P<sym>{sym_a})",
        # Nghị định 63/2010 (number and year, no code)
        rf"{W}(?:số[:.]?{J})?(?P<ynum>{NUM}){J}/{J}(?P<yyear>(?:19|20)\d\d)(?!\d)(?!{J}[/\-–]{J}\w)",
        # Nghị định 59 (a bare number), Đề án 06
        rf"{W}(?:số[:.]?{J})?(?P<bnum>{NUM})(?!{J}[/\-–]{J}\w)"
        rf"(?!{W}(?:tháng|năm|ngày|người|lần|văn bản|trường hợp)\b)(?![%])",
        # Nghị định nêu trên, Quyết định này
        rf"{W}(?P<aword>{back}|trên(?=[ \t]*[,.;:)\n])|{selfw})(?![^\W\d_⁰¹²³⁴⁵⁶⁷⁸⁹])",
    ])
    pattern = rf"(?P<tw>{type_re})(?:{after_type})|(?P<bsym>{sym_a})"
    lead = r"(?<![^\W\d_⁰¹²³⁴⁵⁶⁷⁸⁹])"  # a type word starts a word
    # Matched against the lower-cased text: IGNORECASE makes Python's regex ~10x slower.
    first = "".join(sorted({w[0] for w in words + list(abbrev)}))  # cheap first test
    combined = re.compile(f"(?=[{re.escape(first)}0-9])" + lead + "(?:" + pattern + ")")
    # TCVN ISO 9001:2015, QCVN 01:2021/BXD (case-sensitive, on the original text)
    # a standard number has a year ("9001:2015") or at least 3 digits ("ISO 9001"), so the
    # font encoding "TCVN3" is not a standard
    standard = re.compile(rf"(?:{std_prefix})(?:[ /](?:ISO|IEC))* ?(?:\d[\d.]*(?:-\d+)*"
                          rf" ?: ?(?:19|20)\d\d|\d{{3,}}(?:[.-]\d+)*)(?:/[A-ZĐ]+)?(?![\w:])")
    rel_words = []
    for rel, phrases in raw["relations"].items():
        rel_words += [(p, rel) for p in phrases]
    # "theo" ends the reach of an earlier verb; a passive ("được sửa đổi, bổ sung tại X")
    # says what X did to another document, not what the citing document does.
    rel_words += [("theo", "cites")] + [(p, "cites") for p in raw["relations_passive"]]
    # "Quy chế ban hành kèm theo Quyết định số X" names X's content: the verb before it
    # ("sửa đổi, bổ sung … Quy chế ban hành kèm theo X") still acts on X.
    rel_words += [(p, None) for p in raw.get("relations_transparent", [])]
    rel_words.sort(key=lambda x: len(x[0]), reverse=True)
    rel_after = [(p, rel) for rel, ps in raw["relations_after"].items() if rel != "examples"
                 for p in ps]
    code_to_type = {}
    for t in raw["types"]:
        for c in t.get("codes") or []:
            code_to_type.setdefault(c.upper(), t["word"])
    return {
        "raw": raw, "types": types, "regex": combined, "standard": standard, "abbrev": abbrev,
        "named_re": re.compile(named_pat),
        "named": set(named_words), "bare": {w for w in words if types[w].get("bare")},
        "nosplit": re.compile(_SYM_NOSPLIT),
        "rel_re": re.compile(r"(?<![^\W\d_⁰¹²³⁴⁵⁶⁷⁸⁹])(?:" + "|".join(
            f"(?P<r{i}>{_words(p)})" for i, (p, _r) in enumerate(rel_words)) + r")(?![^\W\d_⁰¹²³⁴⁵⁶⁷⁸⁹])", re.I),
        "rel_names": [r for _p, r in rel_words],
        "own_verb": re.compile(r"\b(?:đã|đang|sẽ)\s+(?:" + "|".join(
            f"(?P<r{i}>{_words(p)})" for i, (p, _r) in enumerate(rel_words)) + r")(?![^\W\d_⁰¹²³⁴⁵⁶⁷⁸⁹])", re.I),
        "rel_after_re": re.compile(r"(?:[\s,]*(?:đã|sẽ|đều)?\s*)(?:" + "|".join(
            f"(?P<r{i}>{_words(p)})" for i, (p, _r) in enumerate(rel_after)) + r")(?![^\W\d_⁰¹²³⁴⁵⁶⁷⁸⁹])", re.I),
        "rel_after_names": [r for _p, r in rel_after],
        "issuer_words": set(raw["issuer_words"]),
        # case matters here: "Ban Chấp hành" starts an issuer, "ban hành" does not
        "issuer_starts": re.compile(r"(?:" + "|".join(W.join(map(re.escape, w.split())) for w in sorted(
            raw["issuer_starts"], key=len, reverse=True)) + r")(?![^\W\d_⁰¹²³⁴⁵⁶⁷⁸⁹])"),
        "code_to_type": code_to_type,
        "subject_stop": re.compile(r",\s+(?:" + "|".join(W.join(map(re.escape, w.split())) for w in sorted(
            raw["issuer_starts"], key=len, reverse=True)) + r")(?![^\W\d_⁰¹²³⁴⁵⁶⁷⁸⁹])"),
        "type_start": re.compile(r"(?:" + type_re + r")(?![^\W\d_⁰¹²³⁴⁵⁶⁷⁸⁹])", re.IGNORECASE),
    }


# ---- tails: date, issuer, subject, alias (bounded look-ahead from a position) ----------
_DATE_TAIL = re.compile(
    r"(?:[ \t*_⁰¹²³⁴⁵⁶⁷⁸⁹]|\n(?!\n))*,?(?:[ \t*_]|\n(?!\n))*(?:(?:ban hành|ký)\s+)?(?:ngày(?:[ \t*_:]|\n(?!\n))*)?"
    r"(?P<date>" + DAY_DATE.pattern + r")", re.IGNORECASE)
_ISSUER_LEAD = re.compile(r"(?:[ \t*_⁰¹²³⁴⁵⁶⁷⁸⁹]|\n(?!\n))*,?(?:[ \t*_]|\n(?!\n))*(?P<cua>của(?:[ \t*_]|\n(?!\n))+)?", re.I)
_TOKEN = re.compile(r"[^\s,;:.()\[\]“”\"⁰¹²³⁴⁵⁶⁷⁸⁹]+|[,;:.()\[\]“”\"]")  # markers skipped
_SUBJECT_LEAD = re.compile(
    r"(?:[ \t*_⁰¹²³⁴⁵⁶⁷⁸⁹]|\n(?!\n))*,?(?:[ \t*_]|\n(?!\n))*(?:(?P<ve>về việc|v/v|về)|(?P<kw>quy định|hướng dẫn|ban hành|phê duyệt|sửa đổi, bổ sung))"
    r"(?:[ \t:]|\n(?!\n))+", re.IGNORECASE)
_CLAUSE_END = re.compile(r";|\n|\.(?=\s|$)|\((?:sau đây|dưới đây|gọi tắt|viết tắt)")
_ALIAS = re.compile(
    r"\(\s*(?:(?:sau|dưới)\s+đây\s+)?(?:được\s+)?(?:gọi|viết)\s+(?:tắt\s+)?(?:là\s*)?:?\s*[“\"]?"
    r"(?P<alias>[^)”\"\n]{1,60}?)[”\"]?\s*\)", re.IGNORECASE)
# "Số: 210/BC-UBND" heads the document itself (at a line start, or "Số:" with its colon)
_HEADER_NUMBER = re.compile(r"(?:(?:^|\n)[ \t*_]*(?:[Ss]ố|SỐ|[Ss]o)[ \t]*[:.]?|(?:Số|SỐ)[ \t]*:)[ \t*_]*$")
_LIST_GAP = re.compile(r"^(?:[ \t*_]|\n(?!\n))*(?:[,;]|và|hoặc|cùng|đến)?(?:[ \t*_]|\n(?!\n))*"
                       r"(?:các|và)?(?:[ \t*_]|\n(?!\n))*(?:số[:.]?)?(?:[ \t*_]|\n(?!\n))*$",
                       re.IGNORECASE)
_LOWER_BODIES = {"chính", "thủ", "ủy", "bộ", "ban", "hội"}
_ROLE_WORDS = {"Chủ", "Phó", "Trưởng", "Bộ", "Thủ", "Tổng"}
_ISSUER_STOP_PAIRS = {("ban", "hành"), ("thực", "hiện"), ("triển", "khai"), ("quy", "định")}
_ISSUER_STOP = {"về", "quy", "hướng", "sửa", "triển", "thực", "phê", "v/v"}
_COORDINATED = re.compile(r"(?:,|\bvà|\bcùng|\bhoặc)\s*(?:các\s+)?$", re.IGNORECASE)
_TRAILING_LINK = re.compile(r"(?:\s*(?:,|;|\bvà|\bcùng|\bhoặc|\bcác|\bcủa))+$", re.IGNORECASE)
_SENTENCE_BREAK = re.compile(rf"[.!?…](?=\s+{_CAP})|\n\n|\n(?!{_LOW}|\d)")
_CLAUSE_START = re.compile(rf";|\n(?!{_LOW}|\d)| \| ")  # " | " separates table cells
_CAN_CU = re.compile(r"[\s\-–•*+(\d.)]{0,12}căn\s+cứ\b", re.IGNORECASE)
_ISSUER_TRAIL = re.compile(r"(?:\s+(?:và|,))+$")
_SPACES_MD = re.compile(r"[\s*_]+")
_STD_COLON = re.compile(r"\s*:\s*")
_CONNECTOR_ONLY = re.compile(r"[\s,;*_]*(?:và|hoặc|cùng)?[\s*_]*(?:các)?[\s*_]*", re.I)
_YEAR_PART = re.compile(r"^(\d+)/\d{4}/")
_YEAR_TAIL = re.compile(r"[ \t*_]+năm[ \t]+((?:19|20)\d\d)(?!\d)")
_DIGITS = re.compile(r"\d+")
_PRIVATE = ("_parsed", "_tail_end", "_date_problem", "_subject_end", "_alias_end", "_self")
LOOKAHEAD = 400  # max chars examined past a citation for its subject/alias


def _flat(s: str) -> str:
    if "*" in s or "_" in s:
        s = s.replace("*", " ").replace("_", " ")
    return " ".join(s.split())


@lru_cache(maxsize=4096)
def _type_word(raw: str) -> str:
    """The type as written, in its table spelling ("NGHỊ ĐỊNH" -> "Nghị định")."""
    key = _flat(raw).lower()
    t = rules()["types"].get(key)
    return t["word"] if t else rules()["abbrev"].get(key, _flat(raw))


def _parse_issuer(text: str, pos: int, need_cua: bool = True) -> tuple[str | None, int]:
    """Issuer phrase at `pos` ("của UBND tỉnh Điện Biên"); returns (issuer, end)."""
    r = rules()
    m = _ISSUER_LEAD.match(text, pos)
    start = m.end()
    if not m.group("cua"):
        if need_cua or not r["issuer_starts"].match(text, start):
            return None, pos
    window = text[start:start + 160]
    end_rel = 0
    words = 0
    it = _TOKEN.finditer(window)
    t = next(it, None)
    while t is not None:
        nxt_t = next(it, None)  # one token of look-ahead
        tok = t.group()
        nxt = nxt_t.group() if nxt_t else ""
        gap = window[end_rel:t.start()]
        if "\n" in gap and ("\n\n" in gap or not tok[0].islower()):
            break  # a hard-wrapped issuer continues in lower case ("của Chính\nphủ")
        if tok == ",":
            if nxt in _ROLE_WORDS and words:
                t = nxt_t
                continue
            break
        low = tok.lower()
        if not (tok[0].isupper() or low in r["issuer_words"] or tok in ("-", "&")):
            break
        if words and (low in _ISSUER_STOP or (low, nxt.lower()) in _ISSUER_STOP_PAIRS):
            break
        if words and tok[0].isupper() and r["type_start"].match(window, t.start()):
            break
        end_rel = t.end()
        words += 1
        t = nxt_t
    issuer = window[:end_rel]
    # trailing connectors are not part of a name
    trimmed = _ISSUER_TRAIL.sub("", issuer)
    # an issuer starts with a capital, or is a body written in lower case ("của chính phủ")
    if not trimmed or not (trimmed[0].isupper() or trimmed.split()[0].lower() in _LOWER_BODIES):
        return None, pos
    return _flat(trimmed), start + len(trimmed)


def _tail(text: str, pos: int, n: int) -> dict:
    """Date and issuer right after a citation ending at `pos`."""
    out = {"date": None, "date_problem": None, "issuer": None, "tail_end": pos}
    m = _DATE_TAIL.match(text, pos, min(n, pos + 80))
    if m:
        out["date"], out["date_problem"] = parse_day_date(m.group("date"))
        out["tail_end"] = pos = m.end()
    issuer, end = _parse_issuer(text, pos, need_cua=m is None)
    if issuer:
        out["issuer"] = issuer
        out["tail_end"] = pos = end
        if out["date"] is None:
            m = _DATE_TAIL.match(text, pos, min(n, pos + 80))
            if m:
                out["date"], out["date_problem"] = parse_day_date(m.group("date"))
                out["tail_end"] = m.end()
    return out


def _subject(text: str, pos: int, limit: int) -> tuple[str | None, int]:
    """Trích yếu after a citation ("về việc ...", "quy định ...") to the end of the clause."""
    m = _SUBJECT_LEAD.match(text, pos, limit)
    if not m:
        return None, -1
    start = m.start("kw") if m.group("kw") else m.end()
    e = _CLAUSE_END.search(text, start, limit)
    end = e.start() if e else limit
    # ", UBND huyện đã ban hành ...": a new clause with its own subject ends the trích yếu
    c = rules()["subject_stop"].search(text, start, end)
    end = c.start() if c else end
    subj = _TRAILING_LINK.sub("", _flat(text[start:end])).strip(" ,:")
    return (subj or None), end


# ---- the pass ----------------------------------------------------------------------------
def _validate(row: dict, parsed: dict | None, written: str | None) -> list[str]:
    problems = []
    t = rules()["types"].get((row.get("doc_type") or "").lower())
    if parsed:
        codes = {c.upper() for c in (t or {}).get("codes") or []}
        abbr = parsed["abbreviation"]
        if t and codes and abbr and abbr.upper() not in codes:
            problems.append(f"type word {row['doc_type']} vs symbol code {abbr}")
        if t and t.get("year") and parsed["style"] == "state" and parsed["year"] is None:
            problems.append(f"{row['doc_type']} without year in symbol")
        if parsed["party_fix"]:
            problems.append(f"Party symbol written state-style ({written})")
        elif written:
            w = written.upper().lstrip("0")
            c = parsed["canonical"].upper().lstrip("0")
            if w != c:
                problems.append(f"non-standard symbol {written} (official {parsed['canonical']})")
        stated = (row.get("issuer") or "").lower()
        if stated and parsed["issuer_code"]:
            code = parsed["issuer_code"].split("-")[0]
            for p in _mismatches(code):
                if stated == p:
                    problems.append(f"issuer {row['issuer']} vs symbol code {code}")
                    break
        if parsed["year"] and row.get("issued_date"):
            dy = int(row["issued_date"][:4])
            if dy != parsed["year"]:
                problems.append(f"symbol year {parsed['year']} vs date year {dy}")
    return problems


@lru_cache(maxsize=1024)
def _mismatches(code: str) -> tuple[str, ...]:
    d = symbol_data()
    up = code.upper()
    entry = d["issuers"].get(up) or next(
        (d["issuers"][p] for p in d["prefixes"] if up.startswith(p) and up[len(p):].isdigit()), None)
    return tuple(m.lower() for m in (entry or {}).get("mismatch", ()))


def _written(raw: str) -> str:
    return _SPACES_MD.sub("", raw).replace("–", "-")


def extract_citations(text: str, *, sentences: SentenceIndex | None = None,
                      self_type: str | None = None) -> list[dict]:
    """All citations in `text`, in order. Each dict carries the `citations` columns that
    depend on the text alone (start/end/surface, kind, form, doc_type, number, year, symbol,
    canonical, issued_date, issuer, subject, relation, alias, malformed, problem,
    sentence_start/end) plus `resolves_to` as an index into the returned list (or None).
    `self_type` is the citing document's own type ("Quyết định"), for "Quyết định này"."""
    r = rules()
    n = len(text)
    sentences = sentences or SentenceIndex(text)
    low = text.lower()
    if len(low) != n:  # a character whose lower case is longer ("İ"): keep it as is
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    candidates = [("std", m) for m in r["standard"].finditer(text)
                  if m.start() == 0 or not text[m.start() - 1].isalnum()]
    candidates += [("named", m) for m in r["named_re"].finditer(text)]
    candidates.sort(key=lambda c: c[1].start())
    std_spans = [(m.start(), m.end()) for _o, m in candidates]
    std_starts = [a for a, _ in std_spans]
    for m in r["regex"].finditer(low):
        k = bisect.bisect_right(std_starts, m.start()) - 1
        if (k >= 0 and std_spans[k][1] > m.start()) or \
                (k + 1 < len(std_spans) and std_spans[k + 1][0] < m.end()):
            continue  # inside "QCVN 06:2022/BXD" or "Luật Đất đai năm 2013"
        candidates.append(("main", m))
    candidates.sort(key=lambda c: c[1].start())
    rows: list[dict] = []
    for origin, m in candidates:
        if origin == "std":
            canon = _STD_COLON.sub(":", m.group())
            rows.append(_blank(m.start(), m.end()) | {
                "kind": "standard", "form": "standard", "canonical": canon, "doc_type": "Tiêu chuẩn"})
            continue

        def G(name, m=m):
            a, b = m.span(name)
            return text[a:b] if a >= 0 else None
        row = _blank(m.start(), m.end())
        if origin == "named":
            tw = _flat(G("ntw")).lower()
            kind = "ltype" if m.start("lsym") >= 0 else "ntype"
        else:
            tw = _flat(G("tw") or "").lower()
            kind = ("type" if m.start("sym") >= 0 else "btype" if m.start("bnum") >= 0
                    else "ytype" if m.start("ynum") >= 0
                    else "atype" if m.start("aword") >= 0 else "bsym")
        if kind == "btype" and tw not in r["bare"]:
            continue
        if tw in r["abbrev"] and kind in ("btype", "atype"):
            continue  # "TT HĐND", "KH này": abbreviations only before a symbol
        if kind in ("ltype", "type", "bsym"):
            sym_group = {"ltype": "lsym", "type": "sym", "bsym": "bsym"}[kind]
            raw_sym = G(sym_group)
            sp = _SPLIT_IN.search(raw_sym)
            if sp and not (sp.group(1).isupper() and sp.group(2).isupper()):
                # not a PDF-split code: take the symbol without the split reading
                again = r["nosplit"].match(low, m.start(sym_group))
                if not again:
                    continue
                raw_sym = text[again.start():again.end()]
                row["end"] = row["_tail_end"] = again.end()
            parsed = parse_symbol(raw_sym)
            if parsed is None or not _plausible(raw_sym, parsed):
                continue
            if kind == "ltype":
                row["doc_type"] = _type_word(G("ntw"))
                row["name"] = f"{row['doc_type']} {_flat(G('lname'))}"
                row["form"] = "full"
            elif kind == "type":
                row["doc_type"] = _type_word(G("tw"))
                row["form"] = "full"
                t = r["types"][row["doc_type"].lower()] if row["doc_type"].lower() in r["types"] else {}
                if t.get("bare") == "named" and not parsed["abbreviation"] and not parsed["year"] \
                        and parsed["style"] == "state" and not parsed["unit"]:
                    # "Đề án 06/CP": a programme known by its number, not a symbol
                    row.update(kind="named", form="named", name=f"{row['doc_type']} {parsed['canonical']}")
                    rows.append(row)
                    continue
            else:
                if _HEADER_NUMBER.search(text, max(0, m.start() - 12), m.start()):
                    continue  # "Số: 210/BC-UBND": the document's own number
                prev = rows[-1] if rows else None
                own = (parsed["abbreviation"] or "").upper()
                prev_type = r["types"].get(((prev or {}).get("doc_type") or "").lower(), {})
                prev_codes = {c.upper() for c in prev_type.get("codes") or []}
                if prev and prev["kind"] == "document" and prev["symbol"] and \
                        _LIST_GAP.match(text[prev["_tail_end"]:m.start()]) and \
                        (own in prev_codes or (not own and not prev_codes)):
                    row["doc_type"] = prev["doc_type"]
                    row["form"] = "list"
                else:
                    row["doc_type"] = r["code_to_type"].get(own)
                    row["form"] = "symbol"
            row.update(symbol=raw_sym, canonical=parsed["canonical"], number=parsed["number"],
                       year=parsed["year"], _parsed=parsed)
        elif kind == "ytype":  # "Nghị định 63/2010": a short form without the code
            row.update(doc_type=_type_word(G("tw")), form="short", number=G("ynum"),
                       year=int(G("yyear")))
        elif kind == "btype":
            if not _plausible_bare(text, G("tw"), G("bnum"), m.end()):
                continue
            row["doc_type"] = _type_word(G("tw"))
            row["number"] = G("bnum")
            if rules()["types"][row["doc_type"].lower()].get("bare") == "named":
                row.update(kind="named", form="named", name=f"{row['doc_type']} {row['number']}")
            else:
                row["form"] = "bare"
        elif kind == "ntype":
            row["doc_type"] = _type_word(G("ntw"))
            nm = _flat(G("nname") or "")
            if not nm and row["doc_type"] != "Hiến pháp":
                continue  # "các luật năm 2025": no name, no citation
            row.update(kind="named", form="named",
                       year=int(G("nyear")) if G("nyear") else None,
                       name=f"{row['doc_type']} {nm}".strip())
        elif kind == "atype":
            row["doc_type"] = _type_word(G("tw"))
            row["form"] = "anaphora"
            row["_self"] = _flat(G("aword")).lower() in rules()["raw"]["anaphora"]["self"]
        if row["kind"] == "document" and row["form"] not in ("anaphora",):
            tail = _tail(text, row["end"], n)
            row["issued_date"] = tail["date"]
            row["_date_problem"] = tail["date_problem"]
            row["issuer"] = tail["issuer"]
            row["_tail_end"] = tail["tail_end"]
            if not tail["date"] and row["symbol"] and row["year"] is None:
                y = _YEAR_TAIL.match(text, row["end"])  # "Nghị quyết số 02/NQ-CP năm 2024"
                if y:
                    row["year"] = int(y.group(1))
                    row["_tail_end"] = max(row["_tail_end"], y.end())
        elif row["kind"] == "named":
            tail = _tail(text, row["end"], n)
            if tail["date"]:
                row["issued_date"], row["_date_problem"] = tail["date"], tail["date_problem"]
                row["_tail_end"] = tail["tail_end"]
                row["year"] = row["year"] or int(tail["date"][:4])
            elif row["year"] is None and kind == "ntype":
                continue  # "Luật Đất đai" without a year: its name has no clear end
        rows.append(row)
    for row in rows:
        if row.get("form") == "full" and not row["issued_date"]:
            row["form"] = "short"
    _post(text, rows, sentences, self_type)
    return rows


def _blank(start: int, end: int) -> dict:
    return {"start": start, "end": end, "kind": "document", "form": None, "doc_type": None,
            "number": None, "year": None, "symbol": None, "canonical": None,
            "issued_date": None, "issuer": None, "subject": None, "relation": "cites",
            "alias": None, "name": None, "resolves_to": None, "ambiguous": 0,
            "_parsed": None, "_tail_end": end, "_date_problem": None}


def _plausible(raw: str, parsed: dict) -> bool:
    """Reject look-alikes: a ký hiệu in lower case must use known codes ("5/tháng" is not)."""
    kyhieu = raw.split("/", 1)[1] if parsed["style"] == "state" else raw
    if any(c.isupper() for c in kyhieu if c.isalpha()):
        return True
    d = symbol_data()
    first = (parsed["abbreviation"] or parsed["issuer_code"] or "").upper()
    return first in d["official"]


_BARE_NEXT = re.compile(r"(?:[ \t*_]|\n(?!\n))*(?:[,.;:)\n]|$|(?:của|về|và|đã|được|quy|hướng|ngày|thì|là|có|"
                        r"cũng|nêu|trên|này|sửa|bổ|tại|nói|do|với|theo|thay|bãi|hết)(?![^\W\d_⁰¹²³⁴⁵⁶⁷⁸⁹]))", re.IGNORECASE)


def _plausible_bare(text: str, word: str, number: str, end: int) -> bool:
    """"Nghị định 59", "nghị định 108 của Chính phủ", "đề án 06" are citations;
    "quyết định 3 nội dung" is not: a lower-case type word with a number not zero-padded
    must be followed by punctuation or a word that continues a citation."""
    if word[0].isupper() or number.startswith("0"):
        return True
    return bool(_BARE_NEXT.match(text, end))


def _clause_starts(text: str) -> list[int]:
    # a line break inside a hard-wrapped sentence (next line starts lower-case or with a
    # digit) does not start a clause
    return [m.end() for m in _CLAUSE_START.finditer(text)]


def _post(text: str, rows: list[dict], sentences: SentenceIndex, self_type: str | None) -> None:
    """Second, linear walk over the rows: subject, alias, relation, anaphora, flags."""
    r = rules()
    clause_starts = _clause_starts(text)
    n = len(text)
    dropped: set[int] = set()
    aliases: list[tuple[str, int]] = []
    last_of_type: dict[str, int] = {}
    last_doc = None
    for i, row in enumerate(rows):
        if i in dropped:
            continue
        nxt = next((rows[k]["start"] for k in range(i + 1, len(rows)) if k not in dropped), n)
        limit = min(n, row["_tail_end"] + LOOKAHEAD, max(nxt, row["_tail_end"]))
        # subject
        if row["kind"] != "standard" and row["form"] != "anaphora":
            row["subject"], row["_subject_end"] = _subject(text, row["_tail_end"], limit)
        # alias: "(sau đây gọi là ...)" in the rest of the clause
        am = None
        paren = text.find("(", row["_tail_end"], min(n, row["_tail_end"] + LOOKAHEAD))
        if paren >= 0 and row["kind"] == "document":  # cheap test first: most have none
            e = _CLAUSE_END.search(text, row["_tail_end"], min(n, row["_tail_end"] + LOOKAHEAD))
            a_lim = e.start() if e and not e.group().startswith("(") else min(n, row["_tail_end"] + LOOKAHEAD)
            if e and e.group().startswith("("):
                a_lim = min(n, e.start() + 100)
            am = _ALIAS.search(text, paren, a_lim)
        # an alias names a document ("Nghị định 63", "Đề án"), not an abbreviation ("CCHC")
        if am and row["kind"] == "document" and r["type_start"].match(am.group("alias").strip("“”\"' ")):
            row["alias"] = _flat(am.group("alias")).strip("“”\"' ")
            aliases.append((row["alias"], i))
            row["_alias_end"] = am.end()
            for k in range(i + 1, len(rows)):
                if rows[k]["start"] >= am.end():
                    break
                dropped.add(k)
        # relation: nearest keyword in the clause before the citation
        cs = clause_starts[bisect.bisect_right(clause_starts, row["start"]) - 1] \
            if clause_starts and clause_starts[0] <= row["start"] else 0
        ss, se = sentences.around(row["start"])
        cs = max(cs, ss)
        prev = rows[i - 1] if i > 0 and (i - 1) not in dropped else None
        pstart = max(cs, prev["_tail_end"]) if prev and prev["_tail_end"] <= row["start"] else cs
        prefix = text[pstart:row["start"]]
        same_sentence = prev is not None and prev["end"] <= row["start"] and \
            not _SENTENCE_BREAK.search(text, prev["end"], row["start"])
        row["relation"] = _relation(text, cs, row["start"], prefix, prev if same_sentence else None, r)
        if _CAN_CU.match(text, ss, row["start"]) and not r["own_verb"].search(prefix):
            row["relation"] = "based_on"  # the whole "Căn cứ ..." sentence of a preamble
        if prev is not None and prev.get("subject") and prev.get("_subject_end", -1) >= row["start"] \
                and prev["start"] >= cs and not _CAN_CU.match(text, cs, row["start"]):
            if _COORDINATED.search(prefix):  # "... về phân loại đô thị và Quyết định số ..."
                row["relation"] = prev["relation"]
            else:
                row["relation"] = "cites"  # inside the previous document's trích yếu
        am2 = r["rel_after_re"].match(text, row["_tail_end"], min(n, row["_tail_end"] + 40))
        if am2:
            row["relation"] = r["rel_after_names"][int(am2.lastgroup[1:])]
        row["sentence_start"], row["sentence_end"] = ss, se
        # anaphora: back to the last document of that type ("văn bản": of any type),
        # or the document itself ("Quyết định này" in a decision)
        if row["form"] == "anaphora":
            key = row["doc_type"].lower()
            target = last_doc if key == "văn bản" else last_of_type.get(key)
            own = self_type and self_type.lower() == key
            if row.pop("_self", False) and (own or not self_type or target is None):
                row["form"] = "self"
            elif target is not None:
                row["resolves_to"] = target
                row.update(number=rows[target]["number"], year=rows[target]["year"])
            else:
                row["form"] = "unresolved anaphora"
        row.pop("_self", None)
        if row["kind"] == "document" and row["form"] not in ("anaphora", "self", "unresolved anaphora"):
            if row["doc_type"]:
                last_of_type[row["doc_type"].lower()] = i
            last_doc = i
        # flags
        problems = _validate(row, row["_parsed"], _written(row["symbol"]) if row["symbol"] else None)
        if row["_date_problem"]:
            problems.append(row["_date_problem"])
        row["malformed"] = 1 if problems else 0
        row["problem"] = "; ".join(problems) or None
        row["surface"] = text[row["start"]:row["end"]]
        if row["issuer"] is None and row["kind"] in ("document", "named"):
            code = (row["_parsed"] or {}).get("issuer_code")
            t = r["types"].get((row["doc_type"] or "").lower()) or {}
            row["issuer"] = issuer_name(code) or t.get("issuer")
    keep = [row for i, row in enumerate(rows) if i not in dropped]
    index_of = {id(row): k for k, row in enumerate(keep)}
    old_to_new = {i: index_of[id(row)] for i, row in enumerate(rows) if i not in dropped}
    for row in keep:
        if row["resolves_to"] is not None:
            row["resolves_to"] = old_to_new.get(row["resolves_to"])
    rows[:] = keep
    if aliases:
        _alias_mentions(text, rows, aliases, old_to_new, sentences)
    _resolve_short(rows)
    for row in rows:
        for k in _PRIVATE:
            row.pop(k, None)


def _relation(text: str, cs: int, start: int, prefix: str, prev: dict | None, r: dict) -> str:
    if _CAN_CU.match(text, cs, start):
        # "căn cứ ..., UBND huyện đã triển khai X": a main verb of its own wins
        own = r["own_verb"].search(prefix)
        verb = r["rel_names"][int(own.lastgroup[1:])] if own else None
        return verb or "based_on"
    last = None
    for m in r["rel_re"].finditer(prefix):
        last = r["rel_names"][int(m.lastgroup[1:])] or last
    if last:
        return last
    if prev is not None and (_LIST_GAP.match(prefix) or _COORDINATED.search(prefix)):
        return prev["relation"]
    if prev is not None and _CONNECTOR_ONLY.fullmatch(prefix):
        return prev["relation"]
    return "cites"


def _alias_mentions(text, rows, aliases, old_to_new, sentences):
    """Later mentions of an alias defined with "(sau đây gọi là X)" point to its citation."""
    by_alias = {}
    for alias, old_i in aliases:
        if old_i in old_to_new:
            by_alias.setdefault(alias.lower(), old_to_new[old_i])
    if not by_alias:
        return
    pat = re.compile(r"(?<![^\W\d_⁰¹²³⁴⁵⁶⁷⁸⁹])(?:" + "|".join(
        _words(a) for a in sorted(by_alias, key=len, reverse=True)) + r")(?![^\W\d_⁰¹²³⁴⁵⁶⁷⁸⁹])", re.IGNORECASE)
    starts = {row["start"]: row for row in rows}
    spans = sorted((row["start"], row["end"]) for row in rows)
    span_starts = [s for s, _ in spans]
    first_def = min(rows[i].get("_alias_end", rows[i]["end"]) for i in by_alias.values())
    new_rows = []
    for m in pat.finditer(text, first_def):
        target = by_alias.get(_flat(m.group()).lower())
        if target is None or m.start() < rows[target].get("_alias_end", rows[target]["end"]):
            continue
        # skip the definition itself and mentions inside other citations' spans
        defn = rows[target]
        if re.search(r"(?:gọi|viết)\s+(?:tắt\s+)?(?:là\s*)?:?\s*[“\"]?$", text[max(0, m.start() - 30):m.start()], re.I):
            continue
        existing = starts.get(m.start())
        if existing is not None:
            existing.update(form="alias", resolves_to=target)
            continue
        k = bisect.bisect_right(span_starts, m.start()) - 1
        if k >= 0 and spans[k][1] > m.start():
            continue
        ss, se = sentences.around(m.start())
        new_rows.append({
            "start": m.start(), "end": m.end(), "surface": m.group(), "kind": "document",
            "form": "alias", "doc_type": defn["doc_type"], "number": defn["number"],
            "year": defn["year"], "symbol": None, "canonical": None, "issued_date": None,
            "issuer": defn["issuer"], "subject": None, "relation": "cites", "alias": None,
            "name": None, "resolves_to": target, "ambiguous": 0, "malformed": 0,
            "problem": None, "sentence_start": ss, "sentence_end": se,
        })
    if new_rows:
        merged = sorted(rows + new_rows, key=lambda r: r["start"])
        pos = {id(r): k for k, r in enumerate(merged)}
        old_rows = list(rows)
        for row in merged:
            if row["resolves_to"] is not None:
                ref = old_rows[row["resolves_to"]]
                row["resolves_to"] = pos[id(ref)]
        rows[:] = merged


def _strip_year(canonical: str) -> str:
    return _YEAR_PART.sub(r"\1/", canonical)


def _fits(cand_canonical: str | None, cand_date: str | None, canonical: str, year: int | None) -> bool:
    """Can a dated citation be what a short one means? A symbol with its year must match
    exactly; a yearless one ("02/NQ-CP năm 2024") must at least agree on the year."""
    if _YEAR_PART.match(canonical):
        return cand_canonical == canonical
    if year:
        return bool(cand_date) and cand_date[:4] == str(year)
    return True


def _resolve_short(rows: list[dict]) -> None:
    """Short forms (no date) -> the one full citation of the same type and number."""
    full: dict[tuple, list[int]] = {}
    for i, row in enumerate(rows):
        if row["kind"] == "document" and row["canonical"] and row["issued_date"]:
            full.setdefault(("sym", _strip_year(row["canonical"])), []).append(i)
            full.setdefault(("num", (row["doc_type"] or "").lower(), int(_DIGITS.match(row["number"]).group())), []).append(i)
    for row in rows:
        if row["kind"] != "document" or row["issued_date"] or row["resolves_to"] is not None:
            continue
        if row["form"] in ("anaphora", "self", "alias", "unresolved anaphora"):
            continue
        if row["canonical"]:
            cands = [c for c in full.get(("sym", _strip_year(row["canonical"])), [])
                     if _fits(rows[c]["canonical"], rows[c]["issued_date"], row["canonical"], row["year"])]
        elif row["number"]:
            cands = full.get(("num", (row["doc_type"] or "").lower(), int(row["number"])), [])
            if row["year"]:  # "Nghị định 63/2010"
                cands = [c for c in cands if rows[c]["year"] == row["year"]]
        else:
            continue
        identities = {(rows[c]["canonical"], rows[c]["issued_date"]) for c in cands}
        if len(identities) == 1:
            row["resolves_to"] = cands[0]
        elif len(identities) > 1:
            row["ambiguous"] = 1


# ---- stage ---------------------------------------------------------------------------
COLUMNS = ("surface", "kind", "form", "doc_type", "number", "year", "symbol", "canonical",
           "issued_date", "issuer", "subject", "relation", "alias", "name", "ambiguous",
           "malformed", "problem", "sentence_start", "sentence_end")


def is_own_symbol(canonical: str | None, issued_date: str | None, year: int | None,
                  own_canonical: str | None, own_date: str | None) -> bool:
    """Is a citation of (canonical, date) the citing document itself ("Kèm theo Nghị định số
    99/2022/NĐ-CP ngày ..." in that decree's annex)? The symbols must agree up to the year,
    the years (in the symbol, else of the date or "năm ...") when both are known, and the
    dates when both are given."""
    if not canonical or not own_canonical or _strip_year(canonical) != _strip_year(own_canonical):
        return False

    def year_of(canon, date, fallback=None):
        m = _YEAR_PART.match(canon)
        return int(canon.split("/")[1]) if m else int(date[:4]) if date else fallback
    written, own_year = year_of(canonical, issued_date, year), year_of(own_canonical, own_date)
    if written and own_year and written != own_year:
        return False
    if issued_date and own_date and issued_date != own_date:
        return False
    return True


def _mark_own(found: list[dict], own_canonical: str | None, own_date: str | None) -> None:
    """Citations of the document's own number (its annex captions, "Kèm theo Quyết định
    số ..."; the header number is never a citation) become form 'self', with the short
    forms that resolve to them: a document is not its own citation."""
    if not own_canonical:
        return
    for row in found:
        if row["kind"] == "document" and row["form"] != "self" and is_own_symbol(
                row["canonical"], row["issued_date"], row["year"], own_canonical, own_date):
            row["form"] = "self"
    for row in found:
        ref = row["resolves_to"]
        if row["form"] != "self" and ref is not None and found[ref]["form"] == "self":
            row["form"] = "self"


def analyze(ctx) -> None:
    from pipeline.text.symbols import canonicalize

    sentences = getattr(ctx, "sentence_index", None) or SentenceIndex(ctx.text)
    found = extract_citations(ctx.text, sentences=sentences, self_type=ctx.meta.get("doc_type"))
    own = ctx.meta.get("number_symbol")
    _mark_own(found, canonicalize(own) if own else None, ctx.meta.get("issued_date"))
    ids = [ctx.new_id("citations") for _ in found]
    for row, cid in zip(found, ids):
        out = {"id": cid, **{c: row.get(c) for c in COLUMNS}}
        out["resolves_to"] = ids[row["resolves_to"]] if row["resolves_to"] is not None else None
        if row["form"] == "self":
            out["target_document_id"] = ctx.document_id
            out["canonical"] = ctx.meta.get("number_symbol")
            out["issued_date"] = ctx.meta.get("issued_date")
        out.update(ctx.provenance(row["start"], row["end"]))
        ctx.add("citations", out)


# ---- benchmark input -------------------------------------------------------------------
def dense_sample(size: int, seed: int = 7) -> str:
    """A generated text of about `size` characters with one citation every ~100 characters
    (full, short, bare, list, Party, sloppy forms), for `make bench` and linearity tests."""
    import random
    rnd = random.Random(seed)
    forms = [
        "Nghị định số {n}/{y}/NĐ-CP ngày {d}/{m}/{y} của Chính phủ về quản lý công chức",
        "Quyết định số {n}/QĐ-UBND ngày {d}/{m}/{y} của Ủy ban nhân dân tỉnh",
        "Kế hoạch số {n}/KH-UBND, ngày {d}-{m}-{y} về kiểm soát thủ tục hành chính",
        "Nghị quyết số {n}-NQ/TW ngày {d} tháng {m} năm {y} của Bộ Chính trị",
        "Thông tư {n}/{y}/TT-BNV của Bộ Nội vụ hướng dẫn thi hành",
        "Công văn số {n}/UBND-KSTT ngày {d}/{m}/{y}",
        "các Nghị định số {n}/{y}/NĐCP, {n2}/{y}/ND-CP",
        "Nghị định {n} của Chính phủ",
    ]
    fillers = ["; các cơ quan, đơn vị đã triển khai thực hiện nghiêm túc, kịp thời. Thực hiện",
               ", đồng thời rà soát, đánh giá kết quả thực hiện năm trước; căn cứ",
               "; các xã, thị trấn tiếp tục rà soát, cập nhật thủ tục theo",
               ". Trên cơ sở kết quả kiểm tra và kiến nghị của đoàn giám sát, thực hiện"]
    parts, total = [], 0
    while total < size:
        y = rnd.randint(2008, 2024)
        s = rnd.choice(forms).format(n=rnd.randint(1, 2999), n2=rnd.randint(1, 2999), y=y,
                                     d=rnd.randint(1, 28), m=rnd.randint(1, 12))
        s += rnd.choice(fillers) + " "
        parts.append(s)
        total += len(s)
    return "".join(parts)


def corpus_sample(n_docs: int, seed: int = 11) -> list[tuple[str, str]]:
    """`n_docs` generated reports [(file name, text)], each citing ~40 documents out of a
    shared pool (decrees, decisions, plans, laws by number and by name alone, an alias
    declared in some reports), for timing `cited-by` on a corpus (bench, tests)."""
    import random
    rnd = random.Random(seed)
    laws = [("Luật Tổ chức chính quyền địa phương", "77/2015/QH13", "19/6/2015"),
            ("Luật Ngân sách nhà nước", "83/2015/QH13", "25/6/2015"),
            ("Luật Đầu tư công", "58/2024/QH15", "29/11/2024"),
            ("Luật Cán bộ, công chức", "80/2025/QH15", "24/6/2025")]
    pool = []
    for k in range(120):
        y = rnd.randint(2015, 2024)
        d, m = rnd.randint(1, 28), rnd.randint(1, 12)
        pool.append(rnd.choice([
            f"Nghị định số {k + 10}/{y}/NĐ-CP ngày {d}/{m}/{y} của Chính phủ",
            f"Quyết định số {k * 7 + 100}/QĐ-UBND ngày {d}/{m}/{y} của Ủy ban nhân dân tỉnh",
            f"Kế hoạch số {k + 30}/KH-UBND ngày {d}/{m}/{y}",
            f"Thông tư số {k % 40 + 1}/{y}/TT-BNV ngày {d}/{m}/{y} của Bộ Nội vụ"]))
    verbs = ["Căn cứ", "Thực hiện", "Triển khai", "Theo", "Trên cơ sở"]
    docs = []
    for i in range(n_docs):
        year = 2020 + i % 6
        paras = [f"ỦY BAN NHÂN DÂN HUYỆN SỐ {i % 17 + 1}\n\nSố: {i + 1}/BC-UBND\n\n"
                 f"ngày {i % 28 + 1} tháng {i % 12 + 1} năm {year}\n\nBÁO CÁO\n"
                 f"Kết quả thực hiện nhiệm vụ năm {year - 1}"]
        if i % 5 == 0:
            paras.append("Thực hiện Quyết định số 06/QĐ-TTg ngày 06/01/2022 của Thủ tướng Chính phủ phê "
                         "duyệt Đề án phát triển ứng dụng dữ liệu về dân cư (viết tắt là Đề án 06), huyện "
                         "đã triển khai các nhiệm vụ được giao.")
        for j in range(40):
            cite = rnd.choice(pool)
            if j % 9 == 0:
                name, sym, date = rnd.choice(laws)
                cite = f"{name} số {sym} ngày {date}" if j == 0 else name
            paras.append(f"{j + 1}. {rnd.choice(verbs)} {cite}, các cơ quan, đơn vị đã rà soát "
                         f"{rnd.randint(10, 900)} hồ sơ, đạt {rnd.randint(50, 99)}% kế hoạch; việc "
                         f"triển khai Đề án 06 tiếp tục được quan tâm chỉ đạo." if j % 13 == 0 else
                         f"{j + 1}. {rnd.choice(verbs)} {cite}, các cơ quan, đơn vị đã rà soát "
                         f"{rnd.randint(10, 900)} hồ sơ, đạt {rnd.randint(50, 99)}% kế hoạch.")
        docs.append((f"bao-cao-{i:04d}.txt", "\n\n".join(paras) + "\n"))
    return docs
