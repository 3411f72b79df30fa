"""Plain text (.txt, .md) reports.

Text exports of Word reports put each page's footnotes, as paragraphs starting with
superscript digits (¹ ² ³ …), between the body paragraphs where the page broke, and
the body paragraph cut by the page break continues after them (starting lower-case, or
without the previous one having ended its sentence). A footnote that itself ran onto the
next page continues in a paragraph just before that page's first footnote, or right
after the footnote block. We separate the footnotes, link each to its marker in the
body, and re-join the body paragraphs the footnote block split.
"""
from __future__ import annotations

import re
from pathlib import Path

from pipeline.builder import DocumentBuilder, SUPERSCRIPT_DIGITS, from_superscript
from schemas.records import ExtractedDocument, ExtractionError

SUP = SUPERSCRIPT_DIGITS
FOOTNOTE_START = re.compile(rf"^([{SUP}]+)\s*(.*)$", re.S)
MARKER = re.compile(rf"(?<=\S)[{SUP}]+")
HEADING = re.compile(
    r"^(?:[IVXLC]+\.|\d+(?:\.\d+)*\.?|[a-zđ]\)|\(\d+\)|Điều\s+\d+|Chương\s+[IVXLC\d]+|Mục\s+\d+)\s",
)
LIST_ITEM = re.compile(r"^(?:[-–•+*]\s|\(\d+\)\s|[a-zđ]\)\s)")
SENTENCE_END = re.compile(r"[.:;!?…)\]”\"*]\s*$|[.;:]\s*[{}]+\s*$".format(SUP))


def decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # UTF-16 without BOM: many NULs in alternate positions.
    if data[1::2].count(0) > len(data) // 4:
        try:
            return data.decode("utf-16-le")
        except UnicodeDecodeError:
            pass
    raise ExtractionError("text is not UTF-8 or UTF-16 (legacy encoding such as TCVN3/VNI?)")


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs separated by blank lines; single line breaks inside a paragraph are
    kept only before list markers and headings (hard-wrapped lines are re-joined)."""
    paras = []
    for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [ln.strip() for ln in chunk.split("\n") if ln.strip()]
        if not lines:
            continue
        # Lines that start a list item or heading stay separate paragraphs.
        current = lines[0]
        for ln in lines[1:]:
            if LIST_ITEM.match(ln) or HEADING.match(ln) or FOOTNOTE_START.match(ln):
                paras.append(current)
                current = ln
            else:
                current += " " + ln
        paras.append(current)
    return paras


def _ends_sentence(para: str) -> bool:
    return bool(SENTENCE_END.search(para))


def _starts_lower(para: str) -> bool:
    first = para.lstrip("*_ ")[:1]
    return bool(first) and first.islower()


def _is_footnote_continuation(para: str, after_footnote_text: str) -> bool:
    """A paragraph right after a footnote block that belongs to the last footnote."""
    return False


def classify(paras: list[str]) -> list[tuple[str, str]]:
    """Label each paragraph 'body' or 'fn' (footnote start) or 'fncont' (continuation of
    the previous footnote)."""
    labels = []
    for p in paras:
        labels.append("fn" if FOOTNOTE_START.match(p) else "body")
    n = len(paras)
    # A body paragraph directly before a footnote start, starting lower-case (or with a
    # place/name continuation) while the paragraph before it did not end a sentence and
    # is itself right after a footnote block, is the tail of the previous page's footnote.
    for i in range(n):
        if labels[i] != "fn":
            continue
        j = i - 1
        if j >= 1 and labels[j] == "body":
            prev = j - 1
            # find the last footnote before j
            k = prev
            while k >= 0 and labels[k] == "body":
                k -= 1
            if k >= 0 and labels[k] in ("fn", "fncont") and _continues_footnote(paras, labels, j, k):
                labels[j] = "fncont"
    # Paragraphs between consecutive footnotes (no body marker chain broken) that do not
    # look like body text: "Năm 2023: …" style continuation lines of the same footnote.
    for i in range(1, n - 1):
        if labels[i] == "body" and labels[i - 1] in ("fn", "fncont") and labels[i + 1] == "fn":
            if not HEADING.match(paras[i]) and not MARKER.search(paras[i]):
                labels[i] = "fncont"
    return list(zip(labels, paras))


def _continues_footnote(paras, labels, j, k) -> bool:
    """Is paragraph j (just before a footnote start, after body paragraphs since footnote
    k) the tail of footnote k that ran onto the next page?"""
    fn_text = paras[k]
    cand = paras[j]
    if MARKER.search(cand):
        return False  # body text carries footnote markers; footnote tails do not
    if HEADING.match(cand):
        return False
    # The footnote ended mid-sentence and the candidate ends a sentence or a list item.
    return not _ends_sentence(fn_text) and (_starts_lower(cand) or not _ends_sentence(fn_text))


def extract_txt(path: Path) -> ExtractedDocument:
    raw = Path(path).read_bytes()
    if not raw.strip():
        raise ExtractionError("empty file (no text)")
    text = decode(raw)
    if "\x00" in text:
        raise ExtractionError("binary data in a text file")
    paras = split_paragraphs(text)
    labelled = classify(paras)

    builder = DocumentBuilder(str(path), "txt")
    footnotes: list[list] = []  # [number, label, text]
    body: list[str] = []
    for label, para in labelled:
        if label == "fn":
            m = FOOTNOTE_START.match(para)
            footnotes.append([from_superscript(m.group(1)), m.group(1), m.group(2)])
        elif label == "fncont" and footnotes:
            footnotes[-1][2] += " " + para
        else:
            # Re-join a body paragraph that a footnote block cut in two.
            if body and body[-1] is not None and not _ends_sentence(body[-1]) \
                    and _starts_lower(para) and _interrupted(labelled, para):
                body[-1] = body[-1] + " " + para
            else:
                body.append(para)
    for para in body:
        kind = "heading" if _looks_like_heading(para) else (
            "list_item" if LIST_ITEM.match(para) else "paragraph")
        refs = [(from_superscript(m.group()), m.start(), m.end()) for m in MARKER.finditer(para)]
        builder.add_block(kind, para, footnote_refs=refs)
    for number, label, fn_text in footnotes:
        builder.add_footnote(number, fn_text)
    doc = builder.build()
    return doc


def _interrupted(labelled, para) -> bool:
    """True when `para` comes right after a footnote block."""
    for idx, (label, p) in enumerate(labelled):
        if p is para:
            return idx > 0 and labelled[idx - 1][0] in ("fn", "fncont")
    return False


def _looks_like_heading(para: str) -> bool:
    if len(para) > 200:
        return False
    stripped = para.strip("* ")
    if HEADING.match(stripped) and not stripped.endswith((".", ";", ",")) or \
            re.match(r"^[IVXLC]+\.\s", stripped):
        return True
    letters = [c for c in stripped if c.isalpha()]
    return bool(letters) and len(stripped) < 120 and all(c.isupper() for c in letters)
