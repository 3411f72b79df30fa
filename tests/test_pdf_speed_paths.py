"""The fast paths of PDF extraction against the plain algorithms they replace:
PDFium words cut with array operations vs glyph by glyph (pdfplumber's extract_words
order: runs, lines, x0), and a row's cached plain text vs `render`."""
from __future__ import annotations

import random
from itertools import groupby

import numpy as np
import pytest

from extractors import pdf
from extractors.pdfium_reader import Glyphs, _run_words, words
from pdfplumber.utils.text import LIGATURES


def _glyphs(tuples: list[tuple]) -> Glyphs:
    """Glyphs from (text, x0, x1, top, bottom, size, font, upright) tuples."""
    styles: list[tuple] = []
    index: dict[tuple, int] = {}
    style = []
    for t in tuples:
        key = (t[6], t[5], t[7])
        if key not in index:
            index[key] = len(styles)
            styles.append(key)
        style.append(index[key])
    texts = [t[0] for t in tuples]
    text = "".join(texts) if all(len(t) == 1 for t in texts) else texts
    col = [np.array([t[k] for t in tuples], dtype=float) for k in (1, 2, 3, 4)]
    return Glyphs(text, *col, np.array(style, dtype=np.intp), styles)


def _reference(tuples: list[tuple], xt=1.5, yt=3) -> list[tuple]:
    lig = str.maketrans(LIGATURES)
    out = []
    for (up, size, font), run in groupby(tuples, lambda g: (g[7], g[5], g[6])):
        if up:
            out.extend(_run_words(list(run), size, font, lig, xt, yt))
    return out


def _line(text, x, top, size=12.0, font="Times", upright=True, width=6.0):
    out = []
    for ch in text:
        out.append((ch, x, x + width, top, top + size, size, font, upright))
        x += width
    return out


def test_words_in_drawing_order_are_cut_as_glyph_by_glyph():
    g = (_line("Báo cáo số 15/BC-UBND", 70, 100) + _line("ngày 3 tháng 4", 70, 118)
         + _line("2", 200, 96, size=7.0)  # a raised marker: a run of its own
         + _line("Chủ tịch", 300, 118, font="Times-Bold")
         + _line("ﬁnh", 70, 140)  # a ligature glyph, expanded as pdfplumber does
         + _line("dấu", 400, 300, upright=False))  # rotated: left out
    got = words(_glyphs(g))
    assert got == _reference(g)
    assert ("15/BC-UBND", 136.0, 196.0, 100.0, 112.0, 12.0, "Times") in got
    assert any(w[0] == "finh" for w in got) and not any(w[0] == "dấu" for w in got)


def test_words_out_of_order_fall_back_to_sorting():
    # The second line drawn first, a word drawn right to left: same words as sorted.
    g = _line("dòng hai", 70, 118) + _line("dòng một", 70, 100)
    g += list(reversed(_line("ngược", 300, 100)))
    assert words(_glyphs(g)) == _reference(g)


def test_unmapped_glyph_texts():
    g = _line("ab", 70, 100)
    g.insert(1, ("(cid:7)", 76, 82, 100, 112, 12.0, "Times", True))
    got = words(_glyphs(g))
    assert got == _reference(g)
    assert got[0][0] == "a(cid:7)b"


@pytest.mark.parametrize("seed", range(25))
def test_random_pages(seed):
    """Random glyph soups (jittered baselines, gaps, blanks, style changes, order
    shuffled in places) give the same words both ways."""
    rng = random.Random(seed)
    g = []
    for _line_no in range(rng.randint(1, 6)):
        top = rng.choice([100, 101.5, 104, 118, 140, 140.2])
        x = rng.uniform(50, 80)
        size, font = rng.choice([(12.0, "Times"), (12.0, "Times-Bold"), (7.0, "Times")])
        line = []
        for _ in range(rng.randint(1, 30)):
            ch = rng.choice("abcđêờ  1/-")
            w = rng.uniform(2, 7)
            line.append((ch, x, x + w, top + rng.choice([0, 0, 0, 0.4, 1.8, 3.6, 5.5]), top + size,
                         size, font, rng.random() > 0.05))
            x += w + rng.choice([0, 0, 0.5, 1.6, 8])
        if rng.random() < 0.2:
            rng.shuffle(line)
        g += line
    assert words(_glyphs(g)) == _reference(g)


def _word(text, x0, x1, size=12.0, annot=False, sup=False):
    return pdf.Word(text, x0, x1, 100.0, 100.0 + size, size, False, sup=sup, annot=annot)


def test_plain_text_is_render():
    rows = [
        [_word("Số", 70, 82), _word(":", 82.5, 85), _word("329", 90, 105, annot=True),
         _word("/BC-UBND", 105, 150)],
        [_word("chính", 70, 95), _word("1", 95.2, 99, size=7.0, sup=True), _word("sách", 104, 125)],
        [_word("329", 70, 85, annot=True), _word("ngày", 95, 120)],
        [_word("a", 10, 20)],
    ]
    for ws in rows:
        assert pdf._plain_text(ws) == pdf.render(ws)[0]
        row = pdf.Row(1, list(ws)).finish()
        assert row.text == pdf.render(row.words)[0]
        assert pdf._render_row(row, {1}) == pdf.render(row.words, {1})
