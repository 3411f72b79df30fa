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


def _segments(gray):
    import numpy as np

    ink = np.asarray(gray) < 160
    h, w = ink.shape
    return _runs(_thicken(ink, 1), 1, int(w * MIN_H)), _runs(_thicken(ink, 0), 0, int(h * MIN_V))


def rules(gray, segments=None) -> tuple[list[list[int]], list[list[int]]]:
    """(horizontal [y, x0, x1], vertical [x, y0, y1]) rules of a page image, in pixels."""
    hseg, vseg = segments or _segments(gray)
    return _merge(hseg, tol=4), _merge(vseg, tol=4)


def find(gray, dpi: float):
    """(tables as `grids` gives them, the page image with its rules whitened for
    Tesseract — whose page segmentation drops most words of a ruled page — or the image
    itself when there is no table)."""
    import numpy as np
    from PIL import Image

    segments = _segments(gray)
    tables = grids(gray, dpi, segments)
    if not tables:
        return [], gray
    px = np.array(gray)
    for y, a, b in segments[0]:
        px[y, a:b] = 255
    for x, a, b in segments[1]:
        px[a:b, x] = 255
    return tables, Image.fromarray(px)


def _touch(hl, vl, tol: int) -> bool:
    return hl[1] - tol <= vl[0] <= hl[2] + tol and vl[1] - tol <= hl[0] <= vl[2] + tol


def _cluster(values: list[int], tol: int) -> list[tuple[int, int, int]]:
    """Positions within `tol` of the next one chained into one rule: (mean, lowest,
    highest). A scanned rule slants or bends by a few pixels along its length."""
    out: list[list[int]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [(sum(c) // len(c), c[0], c[-1]) for c in out]


def _covered(lines, at: tuple[int, int, int], lo: int, hi: int, tol: int) -> bool:
    """Whether the rules of cluster `at` cover at least COVER of [lo, hi]."""
    total = sum(max(0, min(b, hi) - max(a, lo)) for p, a, b in lines if at[1] - tol <= p <= at[2] + tol)
    return total >= COVER * (hi - lo)


def grids(gray, dpi: float, segments=None) -> list[tuple[tuple, list[list[tuple | None]]]]:
    """[(bbox, rows of cell bboxes or None)] in points (1/72 in), top to bottom: the ruled
    tables of the page, at least two rows and two columns."""
    hs, vs = rules(gray, segments)
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
        yc, xc = _cluster([l[0] for l in gh], tol), _cluster([l[0] for l in gv], tol)
        if len(yc) < 3 or len(xc) < 3:
            continue  # a box or an underline, not a table of two rows and two columns
        cells = _cells(gh, gv, yc, xc, tol)
        ys, xs = [c[0] for c in yc], [c[0] for c in xc]
        pts = lambda b: tuple(round(v * scale, 2) for v in b)
        bbox = (xs[0], ys[0], xs[-1], ys[-1])
        out.append((pts(bbox), [[pts(c) if c else None for c in row] for row in cells]))
    return sorted(out, key=lambda t: t[0][1])


def _cells(gh, gv, yc, xc, tol) -> list[list[tuple | None]]:
    """Cell boxes (x0, top, x1, bottom) of the grid of rule clusters `yc`, `xc`; a cell
    merged into the one left of it or above it (no rule between them) is None, its area
    added to that cell."""
    ys, xs = [c[0] for c in yc], [c[0] for c in xc]
    nr, nc = len(ys) - 1, len(xs) - 1
    owner = [[(r, c) for c in range(nc)] for r in range(nr)]
    for r in range(nr):
        for c in range(nc):
            if c > 0 and not _covered(gv, xc[c], ys[r], ys[r + 1], tol):
                owner[r][c] = owner[r][c - 1]
            elif r > 0 and not _covered(gh, yc[r], xs[c], xs[c + 1], tol):
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


def fill_empty_cells(clean, dpi: float, tables, words, read, timeout: float) -> list:
    """Words for cells that came back empty though inked: Tesseract's page segmentation
    skips short figures standing alone in narrow columns. Each column holding such a
    cell is read again as one uniform block (psm 6; psm 4 finds nothing in such a strip)
    and its words go to the empty cells only.
    `read` is ocr._read; `clean` the page with its rules whitened."""
    import numpy as np

    px = dpi / 72
    ink = np.asarray(clean) < 128
    center = lambda w: ((w.x0 + w.x1) / 2, (w.top + w.bottom) / 2)
    inside = lambda c, p: c[0] <= p[0] <= c[2] and c[1] <= p[1] <= c[3]
    added = []
    for _bbox, rows in tables:
        ncols = max(len(r) for r in rows)
        for col in range(ncols):
            empty = []
            for row in rows:
                c = row[col] if col < len(row) else None
                if c is None or any(inside(c, center(w)) for w in words):
                    continue
                x0, y0, x1, y1 = (int(v * px) for v in c)
                m = max(3, int((y1 - y0) * 0.1))
                area = ink[y0 + m:y1 - m, x0 + m:x1 - m]
                if area.size and area.mean() > 0.002:
                    empty.append(c)
            if not empty:
                continue
            x0, x1 = int(min(c[0] for c in empty) * px), int(max(c[2] for c in empty) * px)
            y0, y1 = int(min(c[1] for c in empty) * px), int(max(c[3] for c in empty) * px)
            got, _conf, _tall = read(clean.crop((x0, y0, x1, y1)), dpi, timeout, psm=6)
            for w in got:
                w.x0, w.x1 = w.x0 + x0 / px, w.x1 + x0 / px
                w.top, w.bottom = w.top + y0 / px, w.bottom + y0 / px
                if any(inside(c, center(w)) for c in empty):
                    added.append(w)
    return added


def fix_figure_columns(words, tables) -> None:
    """In a column of figures (most of its filled cells are numbers), a word with a digit
    and only look-alikes besides ("l6", "1O") is read as the figure it stands for."""
    import re

    from extractors.ocr import _FIGURE_LIKE, _LOOKALIKE

    number = re.compile(r"[\d.,%]+")
    center = lambda w: ((w.x0 + w.x1) / 2, (w.top + w.bottom) / 2)
    inside = lambda c, p: c[0] <= p[0] <= c[2] and c[1] <= p[1] <= c[3]
    for _bbox, rows in tables:
        for col in range(max(len(r) for r in rows)):
            cells = [r[col] for r in rows if col < len(r) and r[col]]
            held = [[w for w in words if inside(c, center(w))] for c in cells]
            filled = [ws for ws in held if ws]
            numeric = sum(all(number.fullmatch(w.text) for w in ws) for ws in filled)
            if len(filled) < 3 or numeric < 0.6 * len(filled):
                continue
            for ws in filled:
                for w in ws:
                    if not number.fullmatch(w.text) and _FIGURE_LIKE.fullmatch(w.text):
                        w.text = w.text.translate(_LOOKALIKE)
