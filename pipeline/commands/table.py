"""A table printed as its rows come (the query commands' `--format table`).

Rich's Table measures every cell of every row before it prints the first line: on 800
documents `findings` spent 95 % of its 14 s there. Here column widths come from the first
CHUNK rows (and the headers), fitted to the width; later rows keep them and a longer cell
is folded onto more lines. The frame is Rich's default (heavy head), so the output looks
as before.
"""
from __future__ import annotations

import itertools
import re

from rich.cells import cell_len as _rich_cell_len

CHUNK = 200  # rows read before the first line is printed

# Characters one terminal cell wide (Latin with Vietnamese letters, Greek, Cyrillic,
# punctuation, super/subscripts, currency, letterlike symbols): text made only of them is
# as wide as it is long. Anything else (combining marks, CJK, emoji) is measured by Rich.
_NARROW = re.compile("[\x20-\x7e\xa0-\u02ff\u0370-\u0482\u048a-\u052f\u1e00-\u1eff"
                     "\u2010-\u2027\u2030-\u205e\u2070-\u20bf\u2100-\u214f]*")


def cell_len(text: str) -> int:
    """Terminal cells `text` takes."""
    return len(text) if _NARROW.fullmatch(text) else _rich_cell_len(text)


def _fit(widths: list[int], floors: list[int], room: int) -> list[int]:
    """Widths whose sum fits `room`: the widest columns are cut to a common cap (never
    below their floor); the narrow ones keep their width."""
    if sum(widths) <= room:
        return widths
    lo, hi = 1, max(widths)
    while lo < hi:  # the largest cap that fits
        cap = (lo + hi + 1) // 2
        if sum(max(f, min(w, cap)) for w, f in zip(widths, floors)) <= room:
            lo = cap
        else:
            hi = cap - 1
    return [max(f, min(w, lo)) for w, f in zip(widths, floors)]


def _cut(word: str, width: int, measure) -> list[str]:
    """A word longer than the column, in pieces of at most `width` cells."""
    pieces, piece, size = [], "", 0
    for ch in word:
        w = measure(ch)
        if size + w > width and piece:
            pieces.append(piece)
            piece, size = "", 0
        piece += ch
        size += w
    return pieces + [piece]


def wrap(text: str, width: int, measure=cell_len) -> list[str]:
    """`text` in lines of at most `width` cells: at spaces, a longer word folded."""
    out = []
    for para in text.replace("\t", "    ").split("\n"):
        line, size = "", 0
        for word in [w for w in para.split(" ") if w]:  # runs of spaces are one
            w = measure(word)
            if line and size + 1 + w <= width:
                line, size = f"{line} {word}", size + 1 + w
                continue
            if line:
                out.append(line)
            if w > width:
                *full, word = _cut(word, width, measure)
                out.extend(full)
                w = measure(word)
            line, size = word, w
        out.append(line)
    return out


def cell_lines(text: str, width: int) -> list[str]:
    """The lines of one cell, each padded to `width` cells."""
    measure = len if _NARROW.fullmatch(text) else cell_len  # one test for the whole cell
    if "\n" not in text and "\t" not in text and measure(text) <= width:
        text = text.strip(" ")  # most cells: one line
        return [text + " " * (width - measure(text))]
    return [line + " " * (width - measure(line)) for line in wrap(text, width, measure)]


def stream_table(file, columns: list[str], rows, title: str | None = None,
                 width: int = 80) -> int:
    """Print `rows` (dicts of str, an iterable) under `columns`; returns how many."""
    rows = iter(rows)
    head = list(itertools.islice(rows, CHUNK))
    longest = [max([cell_len(c)] + [cell_len(line) for r in head for line in r[c].split("\n")])
               for c in columns]
    # a column is not cut below its header or its longest word (up to 24 cells), as Rich
    words = [max([4, cell_len(c)] + [min(24, cell_len(w)) for r in head for w in r[c].split()])
             for c in columns]
    floors = [min(w, f) for w, f in zip(longest, words)]
    # each column takes 3 more cells ("│ " + " "), the frame one
    room = max(len(columns), width - 3 * len(columns) - 1)
    if sum(floors) > room:  # too many columns for whole words: only the headers kept
        floors = [min(w, max(4, cell_len(c))) for w, c in zip(longest, columns)]
    widths = _fit(longest, floors, room)
    total = sum(widths) + 3 * len(columns) + 1
    if title:
        file.write(title.center(total).rstrip() + "\n")
    if not columns:
        return len(head) + sum(1 for _ in rows)
    file.write("┏" + "┳".join("━" * (w + 2) for w in widths) + "┓\n")
    _write_row(file, columns, widths, "┃")
    file.write("┡" + "╇".join("━" * (w + 2) for w in widths) + "┩\n")
    n = 0
    for r in itertools.chain(head, rows):
        _write_row(file, [r[c] for c in columns], widths, "│")
        n += 1
    file.write("└" + "┴".join("─" * (w + 2) for w in widths) + "┘\n")
    return n


def _write_row(file, cells: list[str], widths: list[int], bar: str) -> None:
    lines = [cell_lines(c, w) for c, w in zip(cells, widths)]
    height = max(map(len, lines))
    inner = f" {bar} "
    for i in range(height):
        file.write(f"{bar} " + inner.join(ls[i] if i < len(ls) else " " * w
                                          for ls, w in zip(lines, widths)) + f" {bar}\n")
