"""Sentence spans over the stored text, shared by every stage that quotes "the sentence".

A sentence ends at a paragraph break, or at . ! ? … followed by space and an upper-case
letter, digit, quote or list dash. Offsets are offsets into `documents.text`.
"""
from __future__ import annotations

import bisect
import re

_BOUNDARY = re.compile(
    r"\n+"  # paragraph / line break
    r"|(?<=[.!?…])(?<!\b[A-ZĐa-zđ]\.)(?<!\bTP\.)(?<!\bTS\.)(?<!\bThS\.)\s+(?=[\"“(\-–•*]?[A-ZĐÀ-Ỹ0-9])"
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """All sentence spans (start, end), leading/trailing spaces excluded."""
    spans = []
    pos = 0
    for m in _BOUNDARY.finditer(text):
        _add(text, pos, m.start(), spans)
        pos = m.end()
    _add(text, pos, len(text), spans)
    return spans


def _add(text, start, end, spans):
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


class SentenceIndex:
    """Look up the sentence around an offset in O(log n)."""

    def __init__(self, text: str):
        self.text = text
        self.spans = sentence_spans(text)
        self._starts = [s for s, _ in self.spans]

    def around(self, offset: int) -> tuple[int, int]:
        i = bisect.bisect_right(self._starts, offset) - 1
        if i < 0:
            return (0, 0)
        return self.spans[i]

    def sentence(self, offset: int) -> str:
        s, e = self.around(offset)
        return self.text[s:e]
