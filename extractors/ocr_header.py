"""A second, closer reading of the header of a scanned page 1.

An official document's header is two columns side by side — issuing body, "Số:", "V/v"
on the left; the national motto and the place-and-date line on the right — in small or
bold type, often with stamps around. Tesseract's page segmentation (psm 3) runs the two
columns into one line ("ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI…") or reads bold capitals
poorly. Here the header band (above the first line of text that crosses the gutter) is
cut at the gutter — the left edge of the motto, found among the first reading's words —
and each column is read on its own as one block of lines (psm 4), enlarged; per column,
the more confident of the two readings is kept. Only when the first reading merged the
columns: on scans whose columns it kept apart, the second reading was measured as often
worse as better (bold capitals, stamps).

Opt-in (BAOCAO_OCR_HEADER=1): on the 11 labelled scans (tests/data/scans_blind) it gained
no field over the first reading and lost two (a handwritten day read 25 for 23, a symbol
suffix), so it stays off until a scan set shows a gain.
"""
from __future__ import annotations

import re
import statistics

from pipeline.text.normalize import fold

BAND_MAX = 0.45  # the header never reaches below this share of the page height
MOTTO = re.compile(r"^c[o0]ng$")  # "CỘNG" (folded) of "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_NEXT = re.compile(r"^h[o0]a")
SCALE = 1.5  # enlargement of the columns before the second reading
LINE_MIN = 0.004  # share of the page height: a run of ink through the gutter this tall is text


def motto(words, width: float, height: float):
    """(left edge, top) in points of the motto's first word, when the page has one in the
    top of the page and right of its first quarter; else None."""
    for a, b in zip(words, words[1:]):
        if (a.top < height * 0.3 and a.x0 > width * 0.25 and abs(a.top - b.top) < a.size
                and MOTTO.match(fold(a.text).lower()) and MOTTO_NEXT.match(fold(b.text).lower())):
            return a.x0, a.top
    return None


def band_bottom(ink, gutter: int, start: int) -> int:
    """Pixel row where the header band ends: the top of the first text line below `start`
    that runs through the gutter strip (a body or title line across both columns; a rule
    or a speck is too thin to count); at most BAND_MAX of the page."""
    h, w = ink.shape
    limit = int(h * BAND_MAX)
    strip = ink[:limit, max(0, gutter - int(w * 0.03)):min(w, gutter + int(w * 0.005))]
    inked = strip.sum(axis=1) >= 2
    tall = max(4, int(h * LINE_MIN))
    y = start
    while y < limit:
        if not inked[y]:
            y += 1
            continue
        top = y
        while y < limit and inked[y]:
            y += 1
        if y - top >= tall:
            return max(start, top - 2)
    return limit


def merged(words, gutter: float, cut: float) -> bool:
    """True when the first reading ran the two columns into one line above `cut` (points):
    words of one line box on both sides of the gutter with a wide gap between them (a
    line of text that truly crosses has word spacing there)."""
    lines: dict[tuple, list] = {}
    for w in words:
        if (w.top + w.bottom) / 2 < cut:
            lines.setdefault((round(w.top, 1), round(w.bottom, 1)), []).append(w)
    for ws in lines.values():
        ws.sort(key=lambda w: w.x0)
        for a, b in zip(ws, ws[1:]):
            if a.x1 < gutter < b.x0 and b.x0 - a.x1 > 2 * a.size:
                return True
    return False


def reread(gray, dpi: float, words, timeout: float, read) -> tuple[list, float | None] | None:
    """The header band of page 1 read again column by column: (words of the whole page
    with the band's words replaced, confidence of the band's words), or None when the page
    has no two-column header or the first reading kept its columns apart. `read` is ocr._read."""
    import numpy as np
    from PIL import Image

    width, height = gray.width * 72 / dpi, gray.height * 72 / dpi
    found = motto(words, width, height)
    if not found:
        return None
    px = dpi / 72
    gutter = int(found[0] * px) - int(gray.width * 0.01)
    bottom = band_bottom(np.asarray(gray) < 128, gutter, int(found[1] * px))
    cut = bottom / px
    if cut <= found[1] or not merged(words, gutter / px, cut):
        return None  # columns kept apart: measured on the scans, a second reading is no better
    band = [w for w in words if (w.top + w.bottom) / 2 < cut]
    kept, confs = [w for w in words if (w.top + w.bottom) / 2 >= cut], []
    for x0, x1 in ((0, gutter), (gutter, gray.width)):
        col = gray.crop((x0, 0, x1, bottom))
        col = col.resize((int(col.width * SCALE), int(col.height * SCALE)), Image.LANCZOS)
        got, _conf, _tall = read(col, dpi * SCALE, timeout, psm=4)
        for w in got:
            w.x0 += x0 / px
            w.x1 += x0 / px
        old = [w for w in band if x0 <= (w.x0 + w.x1) / 2 * px < x1]
        # per column, the more confident reading (the first one on a tie)
        if got and (not old or statistics.fmean(w.conf for w in got) > statistics.fmean(w.conf for w in old)):
            old = got
        kept.extend(old)
        confs.extend(w.conf for w in old)
    return kept, (statistics.fmean(confs) if confs else None)
