"""A PDF page's characters and drawn rules through PDFium (pypdfium2), in pdfplumber's
shape, so that extractors/pdf.py runs the same word, row and page analysis on them.

pdfplumber's characters come from pdfminer's layout parse, most of a PDF's extraction
time; PDFium reads the same glyphs several times faster (per-glyph ctypes calls are now
the reader's main cost). The values follow pdfminer's definitions (pdfminer.layout.LTChar):
  x0     the glyph origin; x1 the origin plus the advance (PDFium's loose box right edge)
  bottom the baseline lowered by the font's descent (the loose box bottom)
  size   the font size times the text matrix's vertical scale (the raw size alone is the
         size before the text matrix: wrong on documents that print through a scale);
         top = bottom - size, as pdfminer's box is one size high
  upright  a·d > 0 and b·c <= 0 of the character's matrix
  fontname PDFium's base font name (a subset prefix "ABCDEF+" is dropped, which pdfminer
         keeps: only legacy-encoding and bold tests read it, and they ignore the prefix)
Where a font's descriptor gives no metrics, PDFium's loose box is the glyph outline and
its descent the font file's, where pdfminer takes 0: every row of that font shifts alike,
so rows, gaps and paragraphs come out the same (tests/test_pdf_readers.py compares).
Drawn lines and rectangles are PDFium path objects split into subpaths and classified as
pdfminer does (`ml` a line, a closed axis-aligned `mllll` a rectangle, the rest curves).
Coordinates are from the page's top-left corner, like pdfplumber's. A rotated page, or
one whose crop box differs from its media box, is left to pdfplumber (`supported`).
"""
from __future__ import annotations

import ctypes
import re
from dataclasses import dataclass, field
from operator import itemgetter

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as R
import pypdfium2_raw.bindings as _bindings

_PATH, _FORM = R.FPDF_PAGEOBJ_PATH, R.FPDF_PAGEOBJ_FORM
_MAX_FORM_DEPTH = 8


@dataclass
class PageData:
    width: float
    height: float
    glyphs: "Glyphs" = field(default_factory=lambda: Glyphs.empty())
    lines: list[dict] = field(default_factory=list)   # pdfplumber-shaped line objects
    rects: list[dict] = field(default_factory=list)   # pdfplumber-shaped rect objects
    curves: list[dict] = field(default_factory=list)  # the other drawn shapes (table edges too)
    annotated: bool = False  # has annotations that may print text (not links, popups)

    @property
    def chars(self) -> list[dict]:
        """pdfplumber-shaped character dicts (for its table finder and annotation text)."""
        return [{"text": t, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top,
                 "size": size, "fontname": font, "upright": up}
                for t, x0, x1, top, bottom, size, font, up in self.glyphs.tuples()]


@dataclass
class Glyphs:
    """A page's glyphs as columns: numpy arrays of positions, the text one entry per
    glyph (a str when every glyph is one character, the usual case, else a list), and
    each glyph's (font name, size, upright) as an index into `styles` (equal styles
    share one index, so a change of index is a change of style)."""
    text: str | list[str]
    x0: np.ndarray
    x1: np.ndarray
    top: np.ndarray
    bottom: np.ndarray
    style: np.ndarray
    styles: list[tuple]  # (font, size, upright)

    @classmethod
    def empty(cls) -> "Glyphs":
        z = np.zeros(0)
        return cls("", z, z, z, z, np.zeros(0, dtype=np.intp), [])

    def __len__(self) -> int:
        return len(self.text)

    def tuples(self, start: int = 0, end: int | None = None) -> list[tuple]:
        """(text, x0, x1, top, bottom, size, font, upright) of glyphs[start:end]."""
        sl = slice(start, end)
        styles = self.styles
        return [(t, x0, x1, top, bottom, *_style_key(styles[k]))
                for t, x0, x1, top, bottom, k in zip(
                    self.text[sl], self.x0[sl].tolist(), self.x1[sl].tolist(),
                    self.top[sl].tolist(), self.bottom[sl].tolist(), self.style[sl].tolist())]


def _style_key(style: tuple) -> tuple:
    font, size, upright = style
    return size, font, upright


class PdfiumError(Exception):
    pass


def open_document(path) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == R.FPDF_ERR_PASSWORD:
            raise PdfiumError("password") from None
        raise PdfiumError(str(exc)) from None


def supported(page: pdfium.PdfPage) -> bool:
    """Pages this reader places exactly as pdfplumber: upright, media box = crop box."""
    return page.get_rotation() == 0 and tuple(page.get_mediabox()) == tuple(page.get_cropbox())


def read_page(page: pdfium.PdfPage) -> PageData:
    x0, y0, x1, y1 = page.get_mediabox()
    data = PageData(x1 - x0, y1 - y0)
    textpage = R.FPDFText_LoadPage(page.raw)
    try:
        data.glyphs = _chars(textpage, x0, y1)
    finally:
        R.FPDFText_ClosePage(textpage)
    _paths(page.raw, x0, y1, data)
    data.annotated = _has_text_annotations(page.raw)
    return data


def _fn(name: str, restype):
    """A private handle on a PDFium function, called without `argtypes`: the arguments
    are passed ready-made (a `c_void_p` text page, `byref` buffers, a Python int for the
    index), so ctypes converts nothing: per-character calls cost half what pypdfium2's
    typed prototypes cost."""
    lib = _bindings._libs["pdfium"]
    f = lib._FuncPtr((name, lib))
    f.restype = restype
    return f


_text_object = _fn("FPDFText_GetTextObject", ctypes.c_void_p)  # (textpage, i)
_loose_box = _fn("FPDFText_GetLooseCharBox", ctypes.c_int)  # (textpage, i, FS_RECTF*)
_origin = _fn("FPDFText_GetCharOrigin", ctypes.c_int)  # (textpage, i, double*, double*)
_map_error = _fn("FPDFText_HasUnicodeMapError", ctypes.c_int)  # (textpage, i)
_is_generated = _fn("FPDFText_IsGenerated", ctypes.c_int)  # (textpage, i)
_unicode = _fn("FPDFText_GetUnicode", ctypes.c_uint)  # (textpage, i)


def _page_text(textpage, n: int) -> str | None:
    """All characters in one call; None when they do not line up one UTF-16 unit per
    character index (a character outside the BMP)."""
    buf = (ctypes.c_ushort * (n + 1))()
    got = R.FPDFText_GetText(textpage, 0, n, buf)
    text = bytes(buf)[:max(0, got - 1) * 2].decode("utf-16-le", "replace")
    return text if len(text) == n else None


def _chars(textpage, ox: float, oy: float) -> Glyphs:
    n = R.FPDFText_CountChars(textpage)
    if n <= 0:
        return Glyphs.empty()
    tp = ctypes.c_void_p(ctypes.cast(textpage, ctypes.c_void_p).value)
    kept, text = _kept(tp, n, _page_text(textpage, n))
    if not kept:
        return Glyphs.empty()
    # Positions: two calls a glyph, written straight into arrays (`byref` with an offset).
    count = len(kept)
    boxes = (ctypes.c_float * (4 * count))()  # FS_RECTF: left, top, right, bottom
    xs = (ctypes.c_double * count)()
    y = ctypes.c_double()
    py, byref, loose_box, origin = ctypes.byref(y), ctypes.byref, _loose_box, _origin
    for k, i in enumerate(kept):
        loose_box(tp, i, byref(boxes, 16 * k))
        origin(tp, i, byref(xs, 8 * k), py)
    # Style: fixed per text object, asked at the object's first glyph.
    objs = [_text_object(tp, i) or 0 for i in kept]
    styles: list[tuple] = []
    style_of: dict[tuple, int] = {}
    obj_style: dict[int, int] = {}
    unmapped_objs: set[int] = set()
    m = R.FS_MATRIX()
    fbuf = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    at = 0
    for obj in dict.fromkeys(objs):
        at = objs.index(obj, at)
        i = kept[at]
        R.FPDFText_GetMatrix(textpage, i, m)
        length = R.FPDFText_GetFontInfo(textpage, i, fbuf, 256, flags)
        font = fbuf.raw[:length - 1].decode("utf-8", "replace") if 0 < length <= 256 else ""
        a, b, c, d = m.a, m.b, m.c, m.d
        scale = abs(d) if b == 0 and c == 0 else (b * b + d * d) ** 0.5
        key = (font, R.FPDFText_GetFontSize(textpage, i) * scale, a * d > 0 and b * c <= 0)
        obj_style[obj] = style_of.setdefault(key, len(style_of))
        if len(styles) < len(style_of):
            styles.append(key)
        # One font per object: when its first glyph maps to Unicode, so do the others;
        # otherwise each glyph is asked.
        if _map_error(tp, i):
            unmapped_objs.add(obj)
    if unmapped_objs:
        text = list(text)
        for k, obj in enumerate(objs):
            if obj in unmapped_objs and _map_error(tp, kept[k]):
                # as pdfminer writes a glyph without a Unicode mapping
                text[k] = f"(cid:{_unicode(tp, kept[k])})"
    style = np.array([obj_style[o] for o in objs], dtype=np.intp)
    sizes = np.array([st[1] for st in styles])[style]
    box = np.frombuffer(boxes, dtype=np.float32).reshape(count, 4).astype(np.float64)
    bottom = oy - box[:, 3]
    return Glyphs(text, np.frombuffer(xs, dtype=np.float64) - ox, box[:, 2] - ox,
                  bottom - sizes, bottom, style, styles)


def _kept(tp, n: int, text: str | None) -> tuple[list[int], str]:
    """Indices of the text page's characters that are glyphs, and their text (one
    character each). Line breaks and spaces PDFium infers are no glyphs. PDFium marks a
    hyphen ending a line as U+FFFE (dropping its code, 0x2): the glyph is a hyphen-minus
    (or a soft hyphen, not told apart), printed as it stands."""
    if text is None:  # a character outside the BMP: each one asked
        kept, chars = [], []
        for i in range(n):
            if _is_generated(tp, i):
                continue
            try:
                chars.append(chr(_unicode(tp, i)))
            except ValueError:
                continue
            kept.append(i)
        return kept, "".join(chars)
    text = text.replace("\ufffe", "-")
    drop = {m.start() for m in _SPACE.finditer(text) if _is_generated(tp, m.start())}
    if not drop:
        return list(range(n)), text
    kept = [i for i in range(n) if i not in drop]
    return kept, "".join([text[i] for i in kept])


_SPACE = re.compile(r"\s")  # what str.isspace() accepts


def _paths(page_raw, ox: float, oy: float, data: PageData) -> None:
    def walk(count, get, ctm, depth):
        for k in range(count):
            obj = get(k)
            kind = R.FPDFPageObj_GetType(obj)
            if kind == _PATH:
                _path(obj, _mul(_matrix(obj), ctm), ox, oy, data)
            elif kind == _FORM and depth < _MAX_FORM_DEPTH:
                inner = _mul(_matrix(obj), ctm)
                walk(R.FPDFFormObj_CountObjects(obj),
                     lambda j, o=obj: R.FPDFFormObj_GetObject(o, j), inner, depth + 1)

    walk(R.FPDFPage_CountObjects(page_raw), lambda k: R.FPDFPage_GetObject(page_raw, k),
         (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), 0)


def _matrix(obj) -> tuple:
    m = R.FS_MATRIX()
    if not R.FPDFPageObj_GetMatrix(obj, m):
        return (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _mul(m1: tuple, m0: tuple) -> tuple:
    """m1 then m0 (pdfminer.utils.mult_matrix order)."""
    a1, b1, c1, d1, e1, f1 = m1
    a0, b0, c0, d0, e0, f0 = m0
    return (a0 * a1 + c0 * b1, b0 * a1 + d0 * b1, a0 * c1 + c0 * d1, b0 * c1 + d0 * d1,
            a0 * e1 + c0 * f1 + e0, b0 * e1 + d0 * f1 + f0)


def _color(getter, obj):
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not getter(obj, r, g, b, a):
        return None
    return (r.value / 255, g.value / 255, b.value / 255)


def _path(obj, ctm: tuple, ox: float, oy: float, data: PageData) -> None:
    fillmode, stroke = ctypes.c_int(), ctypes.c_int()
    if not R.FPDFPath_GetDrawMode(obj, fillmode, stroke):
        return
    fill, stroke = bool(fillmode.value), bool(stroke.value)
    if not fill and not stroke:
        return
    attrs = {"stroke": stroke, "fill": fill,
             "stroking_color": _color(R.FPDFPageObj_GetStrokeColor, obj),
             "non_stroking_color": _color(R.FPDFPageObj_GetFillColor, obj)}
    a, b, c, d, e, f = ctm
    px, py = ctypes.c_float(), ctypes.c_float()
    subpaths: list[tuple[str, list]] = []
    shape, pts = "", []
    bezier = 0
    for k in range(R.FPDFPath_CountSegments(obj)):
        seg = R.FPDFPath_GetPathSegment(obj, k)
        kind = R.FPDFPathSegment_GetType(seg)
        R.FPDFPathSegment_GetPoint(seg, px, py)
        pt = (a * px.value + c * py.value + e, b * px.value + d * py.value + f)
        if kind == R.FPDF_SEGMENT_MOVETO:
            if shape:
                subpaths.append((shape, pts))
            shape, pts, bezier = "m", [pt], 0
        elif kind == R.FPDF_SEGMENT_BEZIERTO:
            bezier += 1
            if bezier % 3 == 0:  # three control points make one `c`
                shape += "c"
                pts.append(pt)
        else:
            shape += "l"
            pts.append(pt)
        if shape and R.FPDFPathSegment_GetClose(seg):
            shape += "h"
            pts.append(pts[0])
    if shape:
        subpaths.append((shape, pts))
    for shape, pts in subpaths:
        if len(shape) > 3 and shape.endswith("lh") and pts[-2] == pts[0]:
            shape, pts = shape[:-2] + "h", pts[:-2] + pts[-1:]
        if shape in ("ml", "mlh"):
            _add(data.lines, "line", pts[:2], ox, oy, data.height, attrs)
            continue
        if shape in ("mlllh", "mllll") and pts[0] == pts[4]:
            (x0, y0), (x1, y1), (x2, y2), (x3, y3) = pts[:4]
            if (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or \
                    (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0):
                _add(data.rects, "rect", pts, ox, oy, data.height, attrs)
                continue
        _add(data.curves, "curve", pts, ox, oy, data.height, attrs)


def _add(out: list, kind: str, pts: list, ox: float, oy: float, height: float,
         attrs: dict) -> None:
    """A pdfplumber-shaped object (the keys its table finder reads)."""
    xs = [p[0] - ox for p in pts]
    tops = [oy - p[1] for p in pts]
    x0, x1, top, bottom = min(xs), max(xs), min(tops), max(tops)
    obj = {"object_type": kind, "x0": x0, "x1": x1, "top": top, "bottom": bottom,
           "doctop": top, "y0": height - bottom, "y1": height - top,
           "width": x1 - x0, "height": bottom - top,
           **attrs}
    if kind == "curve":
        obj["pts"] = [(p[0] - ox, oy - p[1]) for p in pts]
    out.append(obj)


def _has_text_annotations(page_raw) -> bool:
    for k in range(R.FPDFPage_GetAnnotCount(page_raw)):
        annot = R.FPDFPage_GetAnnot(page_raw, k)
        try:
            if R.FPDFAnnot_GetSubtype(annot) not in (R.FPDF_ANNOT_LINK, R.FPDF_ANNOT_POPUP):
                return True
        finally:
            R.FPDFPage_CloseAnnot(annot)
    return False


def words(glyphs: Glyphs, x_tolerance: float = 1.5, y_tolerance: float = 3) -> list[tuple]:
    """pdfplumber's `extract_words(chars, extra_attrs=["size", "fontname"],
    keep_blank_chars=False, x_tolerance, y_tolerance)`, upright words only, as
    (text, x0, x1, top, bottom, size, font name) tuples; written out
    for speed (the general WordExtractor is a third of a page's time): runs of
    consecutive glyphs with one (upright, size, font), each clustered into lines by
    `top`, sorted by x0, cut at blanks and gaps. A run whose glyphs already come in that
    order (most: text is drawn line by line, left to right) is cut with array
    operations; the others glyph by glyph (`_run_words`)."""
    from pdfplumber.utils.text import LIGATURES

    n = len(glyphs)
    if not n:
        return []
    text, x0, x1, top, bottom, style = (glyphs.text, glyphs.x0, glyphs.x1, glyphs.top,
                                        glyphs.bottom, glyphs.style)
    # Runs (groupby on the style) and, within each, lines: `top` clustered as
    # pdfplumber's cluster_objects does (a gap over the tolerance between sorted values).
    new_run = np.empty(n, dtype=bool)
    new_run[0] = True
    new_run[1:] = style[1:] != style[:-1]
    run = np.cumsum(new_run) - 1
    order = np.lexsort((top, run))
    st, sr = top[order], run[order]
    new_line = np.empty(n, dtype=bool)
    new_line[0] = True
    new_line[1:] = (sr[1:] != sr[:-1]) | (st[1:] > st[:-1] + y_tolerance)
    line = np.empty(n, dtype=np.intp)
    line[order] = np.cumsum(new_line)
    # Runs whose glyphs are not in (line, x0) order are left to the sorting path.
    same = ~new_run[1:]
    unordered = same & ((line[1:] < line[:-1]) | ((line[1:] == line[:-1]) & (x0[1:] < x0[:-1])))
    bad_runs = set(run[1:][unordered].tolist())
    # Word starts in ordered runs: a glyph after a blank, a line change or a gap.
    if isinstance(text, str):
        space = np.zeros(n, dtype=bool)
        space[[m.start() for m in _SPACE.finditer(text)]] = True
    else:
        space = np.array([t.isspace() for t in text], dtype=bool)
    start = np.empty(n, dtype=bool)
    start[0] = True
    start[1:] = (new_run[1:] | space[:-1] | (line[1:] != line[:-1])
                 | (x0[1:] > x1[:-1] + x_tolerance) | (np.abs(top[1:] - top[:-1]) > y_tolerance))
    ink = np.flatnonzero(~space)
    firsts = ink[start[ink]]  # each word's first glyph
    if not len(firsts):
        return []
    at = np.searchsorted(ink, firsts)  # word starts within `ink`
    ends = np.append(ink[at[1:] - 1], ink[-1]) + 1
    wx0 = np.minimum.reduceat(x0[ink], at).tolist()
    wx1 = np.maximum.reduceat(x1[ink], at).tolist()
    wtop = np.minimum.reduceat(top[ink], at).tolist()
    wbottom = np.maximum.reduceat(bottom[ink], at).tolist()
    wrun = run[firsts].tolist()
    firsts, ends = firsts.tolist(), ends.tolist()
    ligatures = str.maketrans(LIGATURES)  # pdfplumber expands each glyph alike
    joined = text if isinstance(text, str) else "".join(text)
    lig = any(c in joined for c in LIGATURES)
    one_char = isinstance(text, str)  # else a list: some glyphs print "(cid:N)"
    styles = [_style_key(st) for st in glyphs.styles]
    run_style = style[new_run].tolist()
    run_start = np.flatnonzero(new_run).tolist() + [n]
    out = []
    w = 0
    nwords = len(wrun)
    for r, k in enumerate(run_style):
        size, font, upright = styles[k]
        if r in bad_runs:
            if upright:
                out.extend(_run_words(glyphs.tuples(run_start[r], run_start[r + 1]),
                                      size, font, ligatures, x_tolerance, y_tolerance))
            while w < nwords and wrun[w] == r:
                w += 1
            continue
        while w < nwords and wrun[w] == r:
            if upright:  # rotated text (margin stamps) is dropped by the caller in any case
                s, e = firsts[w], ends[w]
                t = text[s:e] if one_char else "".join(text[s:e])
                out.append((t.translate(ligatures) if lig else t,
                            wx0[w], wx1[w], wtop[w], wbottom[w], size, font))
            w += 1
    return out


def _run_words(run: list[tuple], size: float, font: str, ligatures: dict,
               x_tolerance: float, y_tolerance: float) -> list[tuple]:
    """The words of a run in any order: its lines, each sorted by x0 (stable)."""
    cluster, index, last = {}, 0, None
    for top in sorted({g[3] for g in run}):
        if last is not None and top > last + y_tolerance:
            index += 1
        cluster[top] = index
        last = top
    out = []
    lines: dict[int, list[tuple]] = {}
    for g in run:
        lines.setdefault(cluster[g[3]], []).append(g)
    for k in sorted(lines):
        word: list[tuple] = []
        for g in sorted(lines[k], key=_X0):
            if g[0].isspace():
                if word:
                    out.append(_merge(word, size, font, ligatures))
                word = []
                continue
            if word:
                p = word[-1]
                if g[1] < p[1] or g[1] > p[2] + x_tolerance or abs(g[3] - p[3]) > y_tolerance:
                    out.append(_merge(word, size, font, ligatures))
                    word = []
            word.append(g)
        if word:
            out.append(_merge(word, size, font, ligatures))
    return out


_X0 = itemgetter(1)


def _merge(word: list[tuple], size: float, font: str, ligatures: dict) -> tuple:
    if len(word) == 1:
        t, x0, x1, top, bottom = word[0][:5]
        return t.translate(ligatures), x0, x1, top, bottom, size, font
    _t, x0, x1, top, bottom = word[0][:5]
    for _t, a, b, c, d, *_ in word:
        if a < x0:
            x0 = a
        if b > x1:
            x1 = b
        if c < top:
            top = c
        if d > bottom:
            bottom = d
    return "".join([g[0] for g in word]).translate(ligatures), x0, x1, top, bottom, size, font
