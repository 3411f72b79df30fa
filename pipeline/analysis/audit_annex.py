"""An annex row against the parts the text gives of it, by definition of the row.

A report's statistics annex ("2.1. | Số VBQPPL do cấp huyện ban hành | Văn bản | 32")
restates what the text tells by authority ("HĐND huyện đã ban hành 9 Nghị quyết QPPL, Ủy
ban nhân dân huyện ban hành 23 Quyết định QPPL"): the row is the sum of the parts because
the law says which documents make up the category (schemas/data/audit_sums.yaml), not
because the words look alike. Compared only when every part of the definition is stated
once in one sentence, each by its own authority of the row's level with the row's verb,
the sentence's year is the annex's period, and nothing narrows it (part of the period,
day, target, condition; a department that drafted or advised; a clause going on after
"QPPL"). Kind `repeated`: the same quantity stated twice.
"""
from __future__ import annotations

import re
from functools import lru_cache

import yaml

from pipeline.text.normalize import fold
from schemas import DATA_DIR


@lru_cache(maxsize=1)
def _rules() -> dict:
    with open(DATA_DIR / "audit_sums.yaml", encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)["issued_by_level"]
    alt = lambda words: "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    level_words = {w: level for level, words in raw["levels"].items() for w in words}
    return {
        "row": re.compile(rf"^(?:tong )?so (?:luong )?(?:{alt(raw['row_nouns'])}) do cap "
                          rf"({alt(raw['levels'])}) {re.escape(raw['verb'])}$"),
        # an authority of a level, then at most two words ("đã"), then the verb, at the figure
        "issuer": re.compile(rf"\b({'|'.join(alt(p['issuers']) for p in raw['parts'])})\s+"
                             rf"({alt(level_words)})\s+(?:\w+\s+){{0,2}}?{re.escape(raw['verb'])}\s*$"),
        # a footnote marker may close it ("23 Quyết định QPPL²")
        "qualifier": re.compile(rf"\s*(?:{alt(raw['qualifiers'])})(?![^\W⁰¹²³⁴⁵⁶⁷⁸⁹])"),
        # then the part's clause ends ("," … "và"), and nothing that narrows it follows
        "clause_end": re.compile(rf"[⁰¹²³⁴⁵⁶⁷⁸⁹]*[^\S\n]*(?:[{re.escape(''.join(raw['clause_ends']))}]"
                                 rf"|(?:{alt(raw['clause_joins'])})(?!\w))\s*"),
        "restricting": re.compile(rf"(?:{alt(raw['restricting'])})(?!\w)"),
        "opener": re.compile(rf"(?:(?:{alt(raw['openers'])})\s+\d{{4}})?"),
        "advising": re.compile(rf"(?<!\w)(?:{alt(raw['advising'])})(?!\w)"),
        "not_advising": re.compile(rf"(?<!\w)(?:{alt(raw['not_advising'])})(?!\w)"),
        "parts": [(p["kind"], {fold(i) for i in p["issuers"]}) for p in raw["parts"]],
        "level_words": level_words,
    }


def _part(text, f, lo, rules):
    """(kind, level) when `f` is "<authority> <level> … ban hành N <kind> QPPL", the
    authority opening its clause, the clause ending there, and no department advising; else
    None (prefer silence: a drafting department's count or a narrowed one is not the row's)."""
    unit = fold(f.get("unit") or "")
    kind = next((k for k, _i in rules["parts"] if unit == k), None)
    end = f["end"] + 80
    after = fold(text[f["end"]:end]) + ("\n" if end >= len(text) else "")
    q = rules["qualifier"].match(after) if kind is not None else None
    e = q and rules["clause_end"].match(after, q.end())
    if not e or rules["restricting"].match(after, e.end()):
        return None  # "… Quyết định QPPL trong lĩnh vực đất đai", "…, sửa đổi, bổ sung …"
    m = rules["issuer"].search(fold(text[lo:f["start"]]))
    if m is None or m.group(1) not in dict(rules["parts"])[kind]:
        return None  # a nghị quyết issued by a People's Committee is not this category
    clause = re.split(r"[,;]", fold(text[f["sentence_start"]:lo + m.start()]))[-1].strip()
    if not rules["opener"].fullmatch(clause):
        return None  # "Sở Tư pháp đã tham mưu HĐND tỉnh ban hành …": the Sở acts
    said = rules["not_advising"].sub(" ", text[f["sentence_start"]:f["start"]].lower())
    if rules["advising"].search(said):
        return None  # "…, tham mưu, trình: HĐND tỉnh …" in an earlier clause
    return kind, rules["level_words"][m.group(2)]


def issued_parts_against_annex(text, figures, rows, narrowed, check, show):
    """`rows`: the annex's numbered rows (audit._table_rows); `narrowed(f, period)`: what
    keeps a text figure from standing for the annex's period; `check`, `show`: audit's."""
    rules = _rules()
    annex = {}
    for row in rows:
        m = rules["row"].match(" ".join(re.findall(r"\w+", fold(row["label"]))))
        if m and row["fig"] is not None and row["fig"]["kind"] == "count":
            annex.setdefault(m.group(1), []).append(row)
    if not annex:
        return []
    by_sentence: dict[int, list[dict]] = {}
    for f in sorted(figures, key=lambda f: f["start"]):
        by_sentence.setdefault(f["sentence_start"], []).append(f)
    out = []
    kinds = {k for k, _i in rules["parts"]}
    for start, figs in by_sentence.items():
        if "|" in text[start:figs[-1]["end"]]:
            continue  # a table row
        parts, lo = {}, start
        for f in figs:
            p = _part(text, f, lo, rules)
            lo = f["end"]
            if p is not None:
                parts.setdefault(p, []).append(f)
        for level, found in annex.items():
            mine = {k: parts.get((k, level), []) for k in kinds}
            if len(found) != 1 or any(len(v) != 1 for v in mine.values()):
                continue  # each part once, one annex row: else which adds to which is a guess
            row = found[0]["fig"]
            figs_ = [v[0] for v in mine.values()]
            if any(narrowed(f, row.get("period")) for f in figs_):
                continue
            total = sum(f["value"] for f in figs_)
            ident = ".".join(map(str, found[0]["id"]))
            same = abs(total - row["value"]) < 1e-9
            figs_.sort(key=lambda f: f["start"])
            chk = check(
                "repeated", "ok" if same else "mismatch", total, row["value"], figs_ + [row],
                f"Chỉ tiêu \u201c{found[0]['label']}\u201d: văn bản nêu "
                f"{' + '.join(f['surface'] for f in figs_)} = {show(total)}, "
                f"bảng phụ lục (dòng {ident}) nêu {show(row['value'])}.",
                basis=f"dòng {ident} của biểu phụ lục \u201c{found[0]['label'][:100]}\u201d là tổng "
                      f"nghị quyết của HĐND và quyết định của UBND cùng cấp (Luật Ban hành VBQPPL)")
            chk["start"], chk["end"] = figs_[0]["start"], figs_[-1]["end"]  # the text's sentence
            out.append(chk)
    return out
