"""OCR of page images (scanned PDFs, images) with Tesseract's `vie` model.

Binding: pytesseract (pinned in pyproject). It drives the `tesseract` command of the
system package (the same apt package ships the `vie`/`osd` models, so binary and models
always match), needs no compiler nor libtesseract headers, and each call runs in its own
process with a timeout, which is what a per-file deadline needs. tesserocr would save the
process start (~0.1 s on a page that takes seconds) but builds against libtesseract.

Per page (`ocr_image`): grayscale → blank check → deskew (projection profile, ±5°) →
Tesseract (TSV: word boxes, line boxes, confidences) → if the result looks wrong (low
confidence or not Vietnamese), orientation from Tesseract OSD, rotate, read again.
Words come back in PDF points (1/72 in) with the line's box as their vertical extent and
a font size estimated from the line height, so `extractors/pdf.py` runs its usual row,
paragraph, header/footer and footnote analysis on them.

Pages are read in a process pool (`jobs`, default: all cores); every Tesseract call gets
the time left until the per-file deadline. Settings come from the environment so they
reach worker processes: BAOCAO_OCR_DPI (300), BAOCAO_OCR_JOBS, BAOCAO_OCR_TIMEOUT
(seconds per file, 600), BAOCAO_OCR_MAX_PAGES (pages OCR'd per file; the rest is left out
with a warning), BAOCAO_OCR=0 (never OCR).
"""
from __future__ import annotations

import os
import re
import shutil
import statistics
import time
import unicodedata
from concurrent.futures import ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from functools import lru_cache

MISSING = "install tesseract-ocr-vie, or run make as root"
LANG = "vie"
# Font size ≈ Tesseract's line text size (x_size: descender to ascender) × this
# (12 pt DejaVu Serif scanned at 200-300 dpi reads x_size ≈ 13 pt, tests/test_ocr.py).
SIZE_PER_LINE_HEIGHT = 0.92
BLANK_INK = 0.001  # share of dark pixels under which a page is blank
PICTURE_INK = 0.01  # above this, a page where OCR finds no word is reported (photo, handwriting)
RETRY_CONFIDENCE = 75.0  # below this mean word confidence, check the orientation


@dataclass
class OcrWord:
    text: str
    x0: float  # points
    x1: float
    top: float  # the line's box
    bottom: float
    size: float
    conf: float


@dataclass
class OcrPage:
    index: int  # 0-based page (PDF) or frame (image)
    width: float = 0.0  # points
    height: float = 0.0
    words: list[OcrWord] = field(default_factory=list)
    confidence: float | None = None  # mean word confidence, 0-100
    rotation: int = 0  # degrees turned (clockwise) to put the page upright
    skew: float = 0.0  # degrees turned (counter-clockwise) to level the lines
    blank: bool = False
    ink: float = 0.0  # share of dark pixels
    error: str | None = None
    notes: list[str] = field(default_factory=list)  # for the document's warnings
    seconds: float = 0.0
    # ruled tables found in the image (extractors/ocr_tables.py): (bbox, rows of cell
    # bboxes or None), in points, as pdfplumber gives them for a text layer
    tables: list = field(default_factory=list)


@dataclass
class Settings:
    dpi: int = 300
    jobs: int = 0  # 0: all cores
    timeout: float = 600.0
    max_pages: int | None = None
    enabled: bool = True

    @classmethod
    def from_env(cls) -> "Settings":
        env = os.environ
        max_pages = env.get("BAOCAO_OCR_MAX_PAGES")
        return cls(dpi=int(env.get("BAOCAO_OCR_DPI", 300)), jobs=int(env.get("BAOCAO_OCR_JOBS", 0)),
                   timeout=float(env.get("BAOCAO_OCR_TIMEOUT", 600)),
                   max_pages=int(max_pages) if max_pages else None,
                   enabled=env.get("BAOCAO_OCR", "1") != "0")


def unavailable() -> str | None:
    """None when OCR can run, else the one-line reason (what to install)."""
    if os.environ.get("BAOCAO_OCR", "1") == "0":
        return "OCR disabled (BAOCAO_OCR=0)"
    return _missing()


@lru_cache(maxsize=1)
def _missing() -> str | None:
    try:
        import pytesseract
    except ImportError:
        return "OCR unavailable: pytesseract not installed (pip install -e .)"
    if shutil.which("tesseract") is None:
        return f"OCR unavailable: tesseract not found ({MISSING})"
    try:
        langs = set(pytesseract.get_languages(config=""))
    except Exception:
        return f"OCR unavailable: tesseract does not run ({MISSING})"
    if LANG not in langs:
        return f"OCR unavailable: no Vietnamese model for tesseract ({MISSING})"
    return None


@lru_cache(maxsize=1)
def has_osd() -> bool:
    import pytesseract
    try:
        return "osd" in pytesseract.get_languages(config="")
    except Exception:
        return False


# ----------------------------------------------------------------------------- images
def _ink(gray):
    import numpy as np
    return np.asarray(gray) < 128


def estimate_skew(gray, limit: float = 5.0) -> float:
    """The rotation (degrees, counter-clockwise; minus the page's skew) that makes the text
    lines horizontal: the one whose horizontal projection profile is the sharpest
    (coarse 0.5° steps, then 0.1°)."""
    import numpy as np
    from PIL import Image

    factor = max(1, gray.width // 800)
    small = gray.reduce(factor) if factor > 1 else gray
    ink = (np.asarray(small) < 128).astype(np.uint8) * 255
    if ink.mean() < 255 * BLANK_INK:
        return 0.0
    img = Image.fromarray(ink)

    def sharpness(angle: float) -> float:
        rotated = np.asarray(img.rotate(angle, resample=Image.NEAREST, fillcolor=0), dtype=np.float64)
        profile = rotated.sum(axis=1)
        return float(((profile[1:] - profile[:-1]) ** 2).sum())

    coarse = max(np.arange(-limit, limit + 0.01, 0.5), key=sharpness)
    fine = max(np.arange(coarse - 0.4, coarse + 0.41, 0.1), key=sharpness)
    return round(float(fine), 2)


def _rotate(gray, angle: float):
    from PIL import Image
    return gray.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=255)


def _osd_rotation(gray, timeout: float) -> int:
    """Clockwise degrees (0/90/180/270) that put the page upright, by Tesseract OSD on a
    half-size image (faster, and more confident than at 300 dpi); 0 when unsure."""
    import pytesseract
    if not has_osd():
        return 0
    try:
        small = gray.reduce(2) if gray.width > 1600 else gray
        d = pytesseract.image_to_osd(small, output_type=pytesseract.Output.DICT,
                                     timeout=max(1, timeout))
    except Exception:  # too few characters, timeout
        return 0
    if float(d.get("orientation_conf", 0)) < 1.0:
        return 0
    return int(d.get("rotate", 0)) % 360


_BBOX = re.compile(r"bbox (-?\d+) (-?\d+) (-?\d+) (-?\d+)")
_BASELINE = re.compile(r"baseline (-?[\d.]+) (-?[\d.]+)")
_XSIZE = re.compile(r"x_size ([\d.]+)")
_XDESC = re.compile(r"x_descenders ([\d.]+)")
_WCONF = re.compile(r"x_wconf (\d+)")


def _read(gray, dpi: float, timeout: float, psm: int = 3) -> tuple[list[OcrWord], float | None, float]:
    """Tesseract hOCR → words in points. A word's vertical extent is its line's band
    (baseline, descender depth and text size `x_size` that Tesseract fits per line),
    which is steadier than word boxes that grow with each stacked diacritic. Also returns
    the mean confidence and the share of words taller than wide (text read sideways)."""
    import pytesseract
    from lxml import html

    hocr = pytesseract.image_to_pdf_or_hocr(gray, lang=LANG, extension="hocr",
                                            config=f"--psm {psm}", timeout=max(1, timeout))
    root = html.fromstring(hocr)
    scale = 72.0 / dpi
    lines = []  # (top, bottom, x_size, [(text, x0, x1, conf)])
    shapes: list[bool] = []
    for line in root.xpath("//*[@class='ocr_line' or @class='ocr_textfloat' or @class='ocr_header' "
                           "or @class='ocr_caption']"):
        title = line.get("title", "")
        box = _BBOX.search(title)
        if not box:
            continue
        x0, y0, x1, y1 = map(int, box.groups())
        words = []
        for w in line.xpath(".//*[@class='ocrx_word']"):
            text = (w.text_content() or "").strip()
            wbox, conf = _BBOX.search(w.get("title", "")), _WCONF.search(w.get("title", ""))
            if text and wbox:
                wx0, wy0, wx1, wy1 = map(int, wbox.groups())
                words.append((text, wx0, wx1, float(conf.group(1)) if conf else 0.0))
                if len(text) >= 3:
                    shapes.append(wy1 - wy0 > wx1 - wx0)  # taller than wide: text sideways?
        if not words:
            continue
        base = _BASELINE.search(title)
        xsize = _XSIZE.search(title)
        desc = _XDESC.search(title)
        size = float(xsize.group(1)) if xsize else float(y1 - y0)
        descent = float(desc.group(1)) if desc else 0.2 * size
        if base:
            slope, offset = map(float, base.groups())
            baseline = y1 + offset + slope * (x1 - x0) / 2
        else:
            baseline = y1 - descent
        lines.append((baseline - (size - descent), baseline + descent, size, words))
    sizes = [ln[2] for ln in lines]
    typical = statistics.median(sizes) if sizes else 0
    out, confs = [], []
    for top, bottom, size, words in lines:
        # Lines of the body type: one size, so paragraphs are not cut by jitter (a line's
        # size comes out too large more often than too small: stacked marks).
        if typical and -0.12 * typical <= size - typical <= 0.35 * typical:
            top, bottom, size = bottom - (bottom - top) * typical / size, bottom, typical
        pt = round(size * scale * SIZE_PER_LINE_HEIGHT * 2) / 2
        for text, x0, x1, conf in words:
            confs.append(conf)
            out.append(OcrWord(text, x0 * scale, x1 * scale, top * scale, bottom * scale, pt, conf))
    tall = sum(shapes) / len(shapes) if shapes else 0.0
    return out, (statistics.fmean(confs) if confs else None), tall


# In the figures of a date line OCR reads 1 as I, l, |, ] or ! and 0 as O. A word after
# "ngày", "tháng" or "năm" that has a digit and only such look-alikes is mapped to
# digits, and kept only when it then is a valid day, month or year.
_DATE_WORDS = {"ngay": (1, 31), "thang": (1, 12), "nam": (1900, 2100)}
_LOOKALIKE = str.maketrans({"I": "1", "l": "1", "|": "1", "]": "1", "[": "1", "!": "1", "O": "0", "o": "0"})
_FIGURE_LIKE = re.compile(r"(?=.*\d)[\dIl|\]\[!Oo]{1,4}")


def fix_date_figures(words: list[OcrWord]) -> None:
    from pipeline.text.normalize import fold
    for prev, w in zip(words, words[1:]):
        bounds = _DATE_WORDS.get(fold(prev.text).lower())
        if not bounds or abs(prev.top - w.top) > 0.5 * w.size or w.text.isdigit():
            continue
        core = w.text.rstrip(".,;")
        if _FIGURE_LIKE.fullmatch(core):
            digits = core.translate(_LOOKALIKE)
            if bounds[0] <= int(digits) <= bounds[1]:
                w.text = digits + w.text[len(core):]


# The number of a signed letter is written (or stamped) by hand into the printed "Số:
# …/BC-UBND" after signing; Tesseract reads such digits as noise (scans_blind: 0 of 11
# read, 5 stored wrong; a digits-only second reading of the number box got 2 of 10, at
# confidences under 60). A number is kept only when it looks printed: digits only, every
# word holding them read at PRINTED_CONFIDENCE or more. Printed symbols read 88-93 on clean
# scans, 79 on a 200 dpi scan; the handwritten readings that were stored wrong read 18-64
# (one merged word 81, with a letter in it). A printed number read lower is as unsure.
PRINTED_CONFIDENCE = 75.0
UNREAD = "…"  # stands for the digits not read, as a blank form's dots do
_SO_WORD = re.compile(r"so\b")
_NUMBER = re.compile(r"\d{1,6}(?:-[^\W\d_]+)*")  # "329", or a party document's "45-KH"


def _number_slot(words: list[OcrWord], height: float):
    """The "Số: <number>/<suffix>" slot of the page's header (top 40 %): (the "Số" word,
    its line, the slot's words, their text, where the number starts and its slash are in
    that text), or None."""
    from pipeline.text.normalize import fold

    for w in words:  # Tesseract's order is by block, not by height: look at every word
        if w.top > 0.4 * height:
            continue
        if w.text[:1] != "S" or not _SO_WORD.match(fold(w.text).lower()):
            continue
        line = sorted((v for v in words if abs(v.top - w.top) < 0.5 * w.size and v.x0 >= w.x0),
                      key=lambda v: v.x0)
        slot = [line[0]]  # "Số" up to the word holding the first "/", close to each other
        for v in line[1:]:
            if "/" in "".join(x.text for x in slot) or len(slot) > 5 or v.x0 - slot[-1].x1 > 4 * w.size:
                break
            slot.append(v)
        text = "".join(v.text for v in slot)  # aligned with the words' characters
        head = re.match(r"\w{2}\s*:?", text)
        slash = text.find("/")
        if not head or slash < 0 or not re.match(r"/(?:\d{4}/)?[^\W\d_]", text[slash:]):
            continue  # no "…/XX-YY" template on this line ("SỞ …", "Số liệu")
        return w, line, slot, text, head.end(), slash
    return None


def _x_at(slot: list[OcrWord], i: int) -> float:
    """x of character i of the slot's joined text (proportional inside its word)."""
    pos = 0
    for v in slot:
        if i <= pos + len(v.text):
            return v.x0 + (v.x1 - v.x0) * (i - pos) / max(1, len(v.text))
        pos += len(v.text)
    return slot[-1].x1


def number_region(words: list[OcrWord], height: float):
    """((x0, top, x1, bottom) in points around the number of the "Số:" slot, from the end of
    "Số:" to a little past the slash; the same around the printed suffix after it), or None."""
    found = _number_slot(words, height)
    if not found:
        return None
    w, _line, slot, text, start, slash = found
    top, bottom = w.top - 0.4 * w.size, w.bottom + 0.4 * w.size
    return ((_x_at(slot, start) - 0.2 * w.size, top, _x_at(slot, slash) + 0.5 * w.size, bottom),
            (_x_at(slot, slash) - 0.1 * w.size, top, _x_at(slot, len(text)) + 0.3 * w.size, bottom))


def hide_unread_number(words: list[OcrWord], height: float) -> str | None:
    """In the "Số: <number>/<suffix>" slot of the page's header (top 40 %), replace the
    number by UNREAD unless it looks printed (see PRINTED_CONFIDENCE); the printed suffix
    stays. Returns the note for the document's warnings, or None."""
    found = _number_slot(words, height)
    if not found:
        return None
    w, line, slot, text, start, slash = found
    number = text[start:slash]
    if not number.strip(" .…_"):
        return None  # a blank form ("Số: ……./BC-UBND"): nothing was written, nothing to hide
    owners = [v for v in slot for _ in v.text][start:slash]
    if _NUMBER.fullmatch(number) and all(v.conf >= PRINTED_CONFIDENCE for v in owners):
        return None
    pos, first = 0, True
    for v in slot:
        n = len(v.text)
        lo, hi = max(start, pos), min(slash, pos + n)
        if lo < hi:  # this word holds part of the number
            v.text = v.text[: lo - pos] + (UNREAD if first else "") + v.text[hi - pos:]
            first = False
        pos += n
    suffix = "".join(v.text for v in slot).split("/", 1)[1]
    rest = line[len(slot):]
    if suffix.endswith("-") and rest and rest[0].x0 - slot[-1].x1 < w.size:
        suffix += rest[0].text  # "/TTr-" "CAT-PC04"
    words[:] = [v for v in words if v.text]
    return f"number not read (written by hand or unclear): Số: {UNREAD}/{suffix}"


# A hidden number is read once more on its own, as a line of digits (Tesseract's `eng`
# model, digits only, Otsu-binarised, at 1×, 2× and 3× the page's scale), and kept only when
# the three readings agree and the file's name holds the same digits as a group of their
# own: an office names a scan after its number. On the real scans the three readings
# agreed on 4 of 11 handwritten numbers, 2 of them wrong ("5685" for 5689); the file names
# caught both. The name confirms a reading, it never supplies one; the printed suffix,
# read again alone, must agree too (a misread suffix would make the number a wrong one).
_SCALES = (1, 2, 3)


def _otsu(gray):
    import numpy as np
    from PIL import Image
    a = np.asarray(gray, dtype=np.uint8)
    hist = np.bincount(a.ravel(), minlength=256).astype(float)
    w, mu = np.cumsum(hist), np.cumsum(hist * np.arange(256))
    between = (mu[-1] * w / w[-1] - mu) ** 2 / (w * (w[-1] - w) + 1e-9)  # Otsu: between-class variance
    return Image.fromarray(((a > int(np.argmax(between))) * 255).astype(np.uint8))


def _line_reading(gray, dpi: float, region, scale: int, timeout: float, config: str, lang: str) -> str:
    import pytesseract
    from PIL import Image, ImageOps

    s = dpi / 72
    crop = gray.crop(tuple(int(round(v * s)) for v in region))
    if crop.width < 8 or crop.height < 8:
        return ""
    big = crop.resize((crop.width * scale, crop.height * scale), Image.LANCZOS) if scale > 1 else crop
    img = ImageOps.expand(_otsu(big), border=20, fill=255)
    return pytesseract.image_to_string(img, lang=lang, timeout=max(1, timeout), config=f"--psm 7 {config}").strip()


def read_digits(gray, dpi: float, region, timeout: float) -> str | None:
    """The digits in `region` (points) when the readings at every scale agree, else None."""
    readings = {_line_reading(gray, dpi, region, k, timeout, "-c tessedit_char_whitelist=0123456789", "eng")
                for k in _SCALES}
    digits = readings.pop() if len(readings) == 1 else None
    return digits if digits and digits.isdigit() else None


_SAME_SHAPE = str.maketrans({"⁄": "/", "O": "0", "o": "0", "I": "1", "l": "1", "|": "1"})


def suffix_confirmed(gray, dpi: float, region, suffix: str, timeout: float) -> bool:
    """Does a second reading of the printed suffix alone (2×, one line) give the same
    characters as the page's reading? A misread suffix ("/QD-BCDĐCCHC") must not be stored
    with a number."""
    again = _line_reading(gray, dpi, region, 2, timeout, "", LANG)
    # "⁄BCA-VOI" is "/BCA-V01"; a speck read as a quote or a colon is no character
    same = lambda t: re.sub(r"[^\w/⁄-]", "", t).translate(_SAME_SHAPE)
    return same(again) == same(suffix)


# Digit groups of a file name that say when, not which: a date (15-9-2025, 8.9.2025,
# 2025-09-15, 15_9_2025), a year (19xx/20xx), a group after "tháng"/"ngày"/"năm" (folded).
# A misread "15" or "12" must not be confirmed by the day or month the file was named on.
_NAME_DATE = re.compile(
    r"(?<!\d)(?:\d{1,2}[._-]\d{1,2}[._-](?:19|20)\d\d|(?:19|20)\d\d[._-]\d{1,2}[._-]\d{1,2}"
    r"|(?:19|20)\d\d)(?!\d)"
    r"|(?<![a-z])(?:thang|ngay|nam)[\s._-]*\d+(?:[._/-]\d+)*")


def confirmed_by_name(digits: str, name: str | None) -> bool:
    """Does the file's name hold `digits` (two at least) as a group of its own, not part
    of a date or a year?"""
    from pathlib import PurePath

    from pipeline.text.normalize import fold
    if len(digits) < 2 or not name:
        return False
    stem = _NAME_DATE.sub(" ", fold(unicodedata.normalize("NFC", PurePath(name).stem)))
    return digits in re.findall(r"\d+", stem)


def _read_hidden_number(words, gray, dpi, regions, name, timeout, note: str) -> str | None:
    """Put a confirmed reading of the hidden number back into the words: its note, or None.
    Confirmed: the three digit readings agree, the file's name holds them, and the printed
    suffix reads the same twice."""
    if not regions:
        return None
    suffix = "/" + note.split("/", 1)[1]
    digits = read_digits(gray, dpi, regions[0], timeout)
    if not digits or not confirmed_by_name(digits, name) \
            or not suffix_confirmed(gray, dpi, regions[1], suffix, timeout):
        return None
    for w in words:
        if UNREAD in w.text:
            w.text = w.text.replace(UNREAD, digits, 1)
            return ("number read from handwriting, confirmed by the file name: "
                    + note.split(": ", 1)[1].replace(UNREAD, digits, 1))
    return None


def ocr_image(image, dpi: float, deadline: float | None = None, index: int = 0,
              name: str | None = None) -> OcrPage:
    """OCR one page image (PIL). Never raises: errors come back in `OcrPage.error`.
    `name`: the file's name, which may confirm a handwritten number's reading."""
    from pipeline.text.quality import assess, repair

    t0 = time.perf_counter()
    deadline = deadline or time.time() + 600
    out = OcrPage(index)

    def left() -> float:
        remaining = deadline - time.time()
        if remaining <= 0:
            raise TimeoutError("timeout")
        return remaining

    try:
        left()
        gray = image.convert("L")
        out.ink = float(_ink(gray).mean())
        if out.ink < BLANK_INK:
            out.blank = True
            out.width, out.height = gray.width * 72 / dpi, gray.height * 72 / dpi
            return out
        from extractors import ocr_tables
        out.skew = estimate_skew(gray)
        if abs(out.skew) >= 0.2:
            gray = _rotate(gray, out.skew)
        out.tables, clean = ocr_tables.find(gray, dpi)
        words, conf, tall = _read(clean, dpi, left())
        text = " ".join(w.text for w in words)
        if conf is None or conf < RETRY_CONFIDENCE or tall > 0.3 or not assess(text).ok:
            rotation = _osd_rotation(gray, left())
            if rotation:
                turned = gray.rotate(-rotation, expand=True)
                skew = estimate_skew(turned)
                if abs(skew) >= 0.2:
                    turned = _rotate(turned, skew)
                tables2, clean2 = ocr_tables.find(turned, dpi)
                words2, conf2, _ = _read(clean2, dpi, left())
                if (conf2 or 0) > (conf or 0) or tall > 0.3:
                    words, conf, gray, out.tables = words2, conf2, turned, tables2
                    out.rotation, out.skew = rotation, skew
        if out.tables:
            words += ocr_tables.fill_empty_cells(clean if not out.rotation else clean2, dpi,
                                                 out.tables, words, _read, left())
        for w in words:
            w.text = repair(w.text)
        fix_date_figures(words)
        # the number slot is in the header of a letter's first page; later pages hold
        # citations ("Số 45/KH-UBND …" in a table), not the document's own number
        height = gray.height * 72 / dpi
        regions = number_region(words, height) if index == 0 else None
        if index == 0 and (note := hide_unread_number(words, height)):
            out.notes.append(_read_hidden_number(words, gray, dpi, regions, name, left(), note) or note)
        if out.tables:
            ocr_tables.fix_figure_columns(words, out.tables)
        if out.tables:
            words = ocr_tables.drop_rule_glyphs(words, out.tables)
        out.words, out.confidence = words, conf
        out.width, out.height = gray.width * 72 / dpi, gray.height * 72 / dpi
    except Exception as exc:  # a timeout, a broken image: reported per page
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        out.error = "OCR timed out" if "timeout" in msg.lower() else f"OCR failed: {msg[:120]}"
    finally:
        out.seconds = time.perf_counter() - t0
    return out


# ------------------------------------------------------------------------ page sources
def render_pdf_page(path: str, index: int, dpi: int):
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument(path)
    try:
        page = pdf[index]
        return page.render(scale=dpi / 72, grayscale=True).to_pil()
    finally:
        pdf.close()


def image_frames(path: str) -> int:
    from PIL import Image
    with Image.open(path) as im:
        return getattr(im, "n_frames", 1)


def load_frame(path: str, index: int):
    """(frame image, its resolution in dpi; 300 when the file does not say)."""
    from PIL import Image, ImageOps
    with Image.open(path) as im:
        im.seek(index)
        dpi = im.info.get("dpi", (300, 300))[0] or 300
        frame = ImageOps.exif_transpose(im.copy()) if index == 0 else im.copy()
    dpi = float(dpi)
    return frame, (dpi if 70 <= dpi <= 1200 else 300.0)


def _job(args) -> OcrPage:
    """Worker: one page of a PDF or one frame of an image file."""
    kind, path, index, dpi, deadline = args
    os.environ["OMP_THREAD_LIMIT"] = "1"  # one core per page: the pool is the parallelism
    try:
        if kind == "pdf":
            image, res = render_pdf_page(path, index, dpi), dpi
        else:
            image, res = load_frame(path, index)
    except Exception as exc:
        return OcrPage(index, error=f"cannot render page: {type(exc).__name__}: {str(exc)[:100]}")
    return ocr_image(image, res, deadline, index, name=os.path.basename(path))


def ocr_pages(kind: str, path: str, indices: list[int], settings: Settings | None = None
              ) -> dict[int, OcrPage]:
    """OCR the given pages (0-based) of a PDF (`kind='pdf'`) or image file, in parallel.
    Pages not finished by the per-file deadline come back with error 'OCR timed out'."""
    settings = settings or Settings.from_env()
    deadline = time.time() + settings.timeout
    jobs = settings.jobs or os.cpu_count() or 1
    tasks = [(kind, str(path), i, settings.dpi, deadline) for i in indices]
    results: dict[int, OcrPage] = {}
    if jobs <= 1 or len(tasks) <= 1:
        for t in tasks:
            if time.time() >= deadline:
                results[t[2]] = OcrPage(t[2], error="OCR timed out")
                continue
            results[t[2]] = _job(t)
        return results
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks))) as pool:
        futures = {pool.submit(_job, t): t[2] for t in tasks}
        done, pending = wait(futures, timeout=max(0.0, deadline - time.time()) + 5)
        for fut in done:
            try:
                results[futures[fut]] = fut.result()
            except Exception as exc:  # a worker killed (out of memory ...)
                results[futures[fut]] = OcrPage(futures[fut], error=f"OCR failed: {type(exc).__name__}")
        for fut in pending:
            fut.cancel()
            results[futures[fut]] = OcrPage(futures[fut], error="OCR timed out")
    return results
