"""Ruled tables on page images (scans): the grid from the drawn lines, in the shape that
pdfplumber gives for a text-layer PDF, so `extractors/pdf.py` fills the cells with the OCR
words and the audit's table checks run on scanned tables too.

Lines are long runs of dark pixels (numpy on the rendered, deskewed page): a horizontal
rule is a run of at least `MIN_H` of the page width in one pixel row (rows thickened by
one pixel either way, so a rule that wanders by a pixel stays one run), a vertical rule
likewise along a column. Letters never make runs that long. Rules that touch form one
table; its cells are the boxes between neighbouring rules, merged where the rule between
two of them is missing (a cell spanning columns or rows, like pdfplumber's None cells).
"""
from __future__ import annotations

MIN_H = 0.06  # share of the page width: shortest horizontal rule
MIN_V = 0.02  # share of the page height: shortest vertical rule (taller than any letter)
GAP = 3  # pixels: breaks in a scanned rule bridged
COVER = 0.6  # share of a cell side a rule must cover to separate two cells


def _runs(mask, axis: int, length: int) -> list[tuple[int, int, int]]:
    """(line index, start, end) of runs of True at least `length` long along `axis`
    (1: along rows; 0: along columns)."""
    import numpy as np

    m = mask if axis == 1 else mask.T
    rows = np.nonzero(m.sum(axis=1) >= length)[0]  # only lines with that much ink can hold one
    if not len(rows):
        return []
    padded = np.zeros((len(rows), m.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = m[rows]
    d = np.diff(padded, axis=1)
    rs, starts = np.nonzero(d == 1)
    _, ends = np.nonzero(d == -1)
    keep = ends - starts >= length  # starts and ends pair up row by row, in order
    return list(zip(rows[rs[keep]].tolist(), starts[keep].tolist(), ends[keep].tolist()))


def _thicken(ink, axis: int):
    """Ink spread by one pixel across the line direction and GAP pixels along it."""
    import numpy as np

    out = ink.copy()
    across = 0 if axis == 1 else 1
    for s in (-1, 1):
        out |= np.roll(ink, s, axis=across)
    along = out.copy()
    for s in range(1, GAP + 1):
        along |= np.roll(out, s, axis=axis) & np.roll(out, -s, axis=axis)
    return along


def _merge(segs, tol: int) -> list[list[int]]:
    """Segments (pos, start, end) of neighbouring positions and overlapping extents
    merged into lines [pos, start, end]."""
    lines: list[list[int]] = []
    for pos, a, b in sorted(segs, key=lambda s: (s[1], s[0])):
        for ln in lines:
            if abs(ln[0] - pos) <= tol and a <= ln[2] + tol and b >= ln[1] - tol:
                ln[1], ln[2] = min(ln[1], a), max(ln[2], b)
                break
        else:
            lines.append([pos, a, b])
    return lines


def rules(gray) -> tuple[list[list[int]], list[list[int]]]:
    """(horizontal [y, x0, x1], vertical [x, y0, y1]) rules of a page image, in pixels."""
    import numpy as np

    ink = np.asarray(gray) < 160
    h, w = ink.shape
    hs = _merge(_runs(_thicken(ink, 1), 1, int(w * MIN_H)), tol=4)
    vs = _merge(_runs(_thicken(ink, 0), 0, int(h * MIN_V)), tol=4)
    return hs, vs


def _touch(hl, vl, tol: int) -> bool:
    return hl[1] - tol <= vl[0] <= hl[2] + tol and vl[1] - tol <= hl[0] <= vl[2] + tol


def _cluster(values: list[int], tol: int) -> list[int]:
    out: list[list[int]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(c) // len(c) for c in out]


def _covered(lines, pos: int, lo: int, hi: int, tol: int) -> bool:
    """Whether rules at `pos` (± tol) cover at least COVER of [lo, hi]."""
    total = sum(max(0, min(b, hi) - max(a, lo)) for p, a, b in lines if abs(p - pos) <= tol)
    return total >= COVER * (hi - lo)


def grids(gray, dpi: float) -> list[tuple[tuple, list[list[tuple | None]]]]:
    """[(bbox, rows of cell bboxes or None)] in points (1/72 in), top to bottom: the ruled
    tables of the page, at least two rows and two columns."""
    hs, vs = rules(gray)
    tol = max(4, int(dpi / 40))
    # tables: connected groups of touching rules (union-find over h + v)
    parent = list(range(len(hs) + len(vs)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, hl in enumerate(hs):
        for j, vl in enumerate(vs):
            if _touch(hl, vl, tol):
                parent[find(i)] = find(len(hs) + j)
    groups: dict[int, tuple[list, list]] = {}
    for i in range(len(hs) + len(vs)):
        g = groups.setdefault(find(i), ([], []))
        (g[0].append(hs[i]) if i < len(hs) else g[1].append(vs[i - len(hs)]))
    scale = 72.0 / dpi
    out = []
    for gh, gv in groups.values():
        ys, xs = _cluster([l[0] for l in gh], tol), _cluster([l[0] for l in gv], tol)
        if len(ys) < 3 or len(xs) < 3:
            continue  # a box or an underline, not a table of two rows and two columns
        cells = _cells(gh, gv, ys, xs, tol)
        pts = lambda b: tuple(round(v * scale, 2) for v in b)
        bbox = (xs[0], ys[0], xs[-1], ys[-1])
        out.append((pts(bbox), [[pts(c) if c else None for c in row] for row in cells]))
    return sorted(out, key=lambda t: t[0][1])


def _cells(gh, gv, ys, xs, tol) -> list[list[tuple | None]]:
    """Cell boxes (x0, top, x1, bottom) of the grid; a cell merged into the one left of
    it or above it (no rule between them) is None, its area added to that cell."""
    nr, nc = len(ys) - 1, len(xs) - 1
    owner = [[(r, c) for c in range(nc)] for r in range(nr)]
    for r in range(nr):
        for c in range(nc):
            if c > 0 and not _covered(gv, xs[c], ys[r], ys[r + 1], tol):
                owner[r][c] = owner[r][c - 1]
            elif r > 0 and not _covered(gh, ys[r], xs[c], xs[c + 1], tol):
                owner[r][c] = owner[r - 1][c]
    boxes: dict[tuple, list[int]] = {}
    for r in range(nr):
        for c in range(nc):
            b = boxes.setdefault(owner[r][c], [xs[c], ys[r], xs[c + 1], ys[r + 1]])
            b[0], b[1] = min(b[0], xs[c]), min(b[1], ys[r])
            b[2], b[3] = max(b[2], xs[c + 1]), max(b[3], ys[r + 1])
    return [[tuple(boxes[(r, c)]) if owner[r][c] == (r, c) else None for c in range(nc)]
            for r in range(nr)]


def drop_rule_glyphs(words, tables, tol: float = 4.0) -> list:
    """The words minus the rules Tesseract read as text ("|", "[", "_") on a table's
    rules (within `tol` points of one)."""
    import re

    rule = re.compile(r"[|\[\]_—]+")
    xs, ys = set(), set()
    for _bbox, rows in tables:
        for row in rows:
            for c in row:
                if c:
                    xs.update((c[0], c[2]))
                    ys.update((c[1], c[3]))

    def on_rule(w) -> bool:
        return (any(abs(x - (w.x0 + w.x1) / 2) <= tol + (w.x1 - w.x0) / 2 for x in xs)
                or any(abs(y - (w.top + w.bottom) / 2) <= tol for y in ys))

    return [w for w in words if not (rule.fullmatch(w.text) and on_rule(w))]
