"""Synthetic OCR accuracy set: a report written for the project, drawn to PDF with
reportlab (DejaVu Serif), then turned into scans (page images at 200/300 dpi with noise,
skew, a rotated page). Used by tests/test_ocr.py (a few pages) and scripts/ocr_bench.py
(every page and variant, pages/s with 1 and 2 processes).

CER is the character edit distance between the OCR text and the text-layer text of the
same page (both through the same extractor, whitespace folded), over the latter's length.
Citation recall: share of the citations found in the text-layer text (canonical form,
pipeline.analysis.citations) that are found in the OCR text too.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

HEADER_LEFT = ["ỦY BAN NHÂN DÂN", "TỈNH BẮC KẠN", "", "Số: 215/BC-UBND"]
HEADER_RIGHT = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "",
                "Bắc Kạn, ngày 14 tháng 11 năm 2025"]
TITLE = ["BÁO CÁO", "Kết quả thực hiện công tác cải cách hành chính năm 2025"]
# (kind, text): "h" heading (bold), "p" paragraph (first-line indent)
BODY = [
    ("p", "Thực hiện Nghị định số 63/2010/NĐ-CP ngày 08/6/2010 của Chính phủ về kiểm soát "
          "thủ tục hành chính; Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ ban hành "
          "Chương trình tổng thể cải cách hành chính nhà nước giai đoạn 2021 - 2030; Quyết "
          "định số 1291/QĐ-BNV ngày 12/12/2023 của Bộ Nội vụ và Kế hoạch số 45/KH-UBND ngày "
          "20/01/2025 của Ủy ban nhân dân tỉnh, Ủy ban nhân dân tỉnh báo cáo kết quả như sau:"),
    ("h", "I. KẾT QUẢ THỰC HIỆN"),
    ("h", "1. Công tác chỉ đạo, điều hành"),
    ("p", "Ủy ban nhân dân tỉnh đã ban hành 18 văn bản chỉ đạo, trong đó có Quyết định số "
          "327/QĐ-UBND ngày 03/3/2025 về Kế hoạch cải cách hành chính và Chỉ thị số "
          "05/CT-UBND ngày 21/4/2025 về tăng cường kỷ luật, kỷ cương hành chính. Các sở, ban, "
          "ngành đã triển khai đầy đủ 96/98 nhiệm vụ được giao, đạt tỷ lệ 97,96%."),
    ("p", "Trong năm, toàn tỉnh tiếp nhận 12.486 hồ sơ thủ tục hành chính, đã giải quyết "
          "đúng hạn 12.210 hồ sơ, đạt tỷ lệ 97,79%; số hồ sơ quá hạn là 276 hồ sơ, giảm 1,35% "
          "so với năm 2024. Tổng kinh phí bố trí cho công tác cải cách hành chính là "
          "16.657.859.964 đồng, tăng 8,5% so với cùng kỳ."),
    ("h", "2. Cải cách thể chế"),
    ("p", "Hội đồng nhân dân tỉnh đã thông qua 24 nghị quyết, Ủy ban nhân dân tỉnh ban hành "
          "37 quyết định quy phạm pháp luật theo đúng Luật Ban hành văn bản quy phạm pháp "
          "luật số 64/2025/QH15 và Nghị định số 78/2025/NĐ-CP ngày 01/4/2025 của Chính phủ. "
          "Công tác kiểm tra, rà soát văn bản được thực hiện thường xuyên; qua rà soát đã "
          "đề nghị sửa đổi 06 văn bản và bãi bỏ 03 văn bản không còn phù hợp."),
    ("h", "3. Cải cách thủ tục hành chính"),
    ("p", "Thực hiện Thông tư số 01/2023/TT-VPCP ngày 05/4/2023 của Văn phòng Chính phủ, "
          "tỉnh đã công bố 1.245 thủ tục hành chính, trong đó 1.018 thủ tục được cung cấp "
          "dịch vụ công trực tuyến toàn trình, chiếm 81,77%. Tỷ lệ hồ sơ nộp trực tuyến đạt "
          "62,4%, tăng 14,2 điểm phần trăm so với năm trước; mức độ hài lòng của người dân "
          "đạt 95,12%."),
    ("p", "Việc số hóa hồ sơ, kết quả giải quyết thủ tục hành chính theo Nghị định số "
          "45/2020/NĐ-CP ngày 08/4/2020 của Chính phủ đạt 88,6%; Trung tâm Phục vụ hành chính "
          "công tỉnh đã tiếp nhận 4.532 hồ sơ qua dịch vụ bưu chính công ích."),
    ("h", "4. Cải cách tổ chức bộ máy"),
    ("p", "Thực hiện Nghị quyết số 18-NQ/TW ngày 25/10/2017 của Ban Chấp hành Trung ương, "
          "tỉnh đã sắp xếp giảm 12 đơn vị sự nghiệp công lập và 35 phòng chuyên môn; tinh "
          "giản biên chế 428 người, bằng 5,2% so với biên chế giao năm 2021. Việc đánh giá, "
          "xếp loại công chức được thực hiện theo Nghị định số 90/2020/NĐ-CP ngày 13/8/2020 "
          "của Chính phủ."),
    ("h", "II. TỒN TẠI, HẠN CHẾ"),
    ("p", "Một số thủ tục còn giải quyết quá hạn, chủ yếu thuộc lĩnh vực đất đai (chiếm "
          "68,1% số hồ sơ quá hạn). Chỉ số cải cách hành chính năm 2024 của tỉnh đạt 86,45 "
          "điểm, xếp thứ 41/63 tỉnh, thành phố, giảm 5 bậc so với năm 2023."),
    ("h", "III. NHIỆM VỤ NĂM 2026"),
    ("p", "Tiếp tục triển khai Quyết định số 468/QĐ-TTg ngày 27/3/2021 của Thủ tướng Chính "
          "phủ về đổi mới việc thực hiện cơ chế một cửa, một cửa liên thông; phấn đấu tỷ lệ "
          "hồ sơ giải quyết đúng hạn đạt trên 98% và tỷ lệ hồ sơ trực tuyến đạt 70%."),
]


def make_report_pdf(path: Path) -> int:
    """Draw the report; returns the number of pages."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("VNs", str(FONT_DIR / "DejaVuSerif.ttf")))
    pdfmetrics.registerFont(TTFont("VNs-Bold", str(FONT_DIR / "DejaVuSerif-Bold.ttf")))
    W, H = 595, 842
    LEFT, RIGHT, TOP, BOTTOM, SIZE, LEAD = 70, 530, 780, 80, 12, 17
    c = canvas.Canvas(str(path), pagesize=(W, H))
    pages = 1
    y = TOP
    for k, (left, right) in enumerate(zip(HEADER_LEFT, HEADER_RIGHT)):
        for text, cx, bold in ((left, 160, k < 2), (right, 390, k < 2)):
            if text:
                font = "VNs-Bold" if bold and not text.startswith(("Số", "Bắc")) else "VNs"
                c.setFont(font, 11)
                c.drawCentredString(cx, y, text)
        y -= 15
    y -= 20
    for k, text in enumerate(TITLE):
        c.setFont("VNs-Bold", 13 if k == 0 else 12)
        c.drawCentredString(W / 2, y, text)
        y -= 18
    y -= 12
    for kind, text in BODY:
        font = "VNs-Bold" if kind == "h" else "VNs"
        words = text.split()
        lines, cur = [], []
        indent = 30 if kind == "p" else 0
        for w in words:
            width = RIGHT - LEFT - (indent if not lines else 0)
            if cur and stringWidth(" ".join(cur + [w]), font, SIZE) > width:
                lines.append(cur)
                cur = []
            cur.append(w)
        lines.append(cur)
        for i, ln in enumerate(lines):
            if y < BOTTOM:
                c.showPage()
                pages += 1
                y = TOP
            c.setFont(font, SIZE)
            c.drawString(LEFT + (indent if i == 0 else 0), y, " ".join(ln))
            y -= LEAD
        y -= 6
    c.showPage()
    c.save()
    return pages


@dataclass(frozen=True)
class Variant:
    page: int  # 1-based page of the report
    dpi: int
    skew: float = 0.0  # degrees, counter-clockwise
    rotate: int = 0  # 90 / 180: the sheet scanned turned (counter-clockwise)
    noise: float = 12.0  # gaussian noise (grey levels)
    seed: int = 1

    @property
    def name(self) -> str:
        return f"p{self.page}-{self.dpi}dpi-skew{self.skew:+.1f}-rot{self.rotate}"


def scan(pdf: Path, v: Variant, out_dir: Path) -> Path:
    """The page as a noisy, skewed (or turned) greyscale PNG scan at `v.dpi`."""
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image

    doc = pdfium.PdfDocument(str(pdf))
    try:
        img = doc[v.page - 1].render(scale=v.dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        doc.close()
    if v.skew:
        img = img.rotate(v.skew, resample=Image.BICUBIC, expand=True, fillcolor=255)
    if v.rotate:
        img = img.rotate(v.rotate, expand=True)
    rng = np.random.default_rng(v.seed)
    arr = np.asarray(img, dtype=np.float32)
    arr = arr + rng.normal(0, v.noise, arr.shape)
    specks = rng.random(arr.shape) < 0.0005  # dust
    arr[specks] = 0
    out = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    path = out_dir / f"{v.name}.png"
    out.save(path, dpi=(v.dpi, v.dpi))
    return path


def page_text(doc, page: int) -> str:
    return " ".join(doc.text[s.start:s.end] for s in doc.pages if s.page == page)


def fold(text: str) -> str:
    return " ".join(text.split())


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (numpy rows: insertion pass by a running minimum)."""
    import numpy as np

    if not a:
        return len(b)
    if not b:
        return len(a)
    bb = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    idx = np.arange(len(b) + 1)
    prev = idx.copy()
    for i, ch in enumerate(a, start=1):
        cost = (bb != ord(ch)).astype(np.int64)
        cur = np.empty_like(prev)
        cur[0] = i
        cur[1:] = np.minimum(prev[1:] + 1, prev[:-1] + cost)
        cur = np.minimum.accumulate(cur - idx) + idx  # insertions
        prev = cur
    return int(prev[-1])


def cer(reference: str, hypothesis: str) -> float:
    ref, hyp = fold(reference), fold(hypothesis)
    return edit_distance(ref, hyp) / max(1, len(ref))


def citations(text: str) -> set[str]:
    from pipeline.analysis.citations import extract_citations
    return {c["canonical"] for c in extract_citations(text) if c.get("canonical")}


def citation_recall(reference: str, hypothesis: str) -> tuple[int, int]:
    ref = citations(reference)
    return len(ref & citations(hypothesis)), len(ref)


def variants(pages: int) -> list[Variant]:
    """The full set: every page at 200 and 300 dpi, skewed (±3° at most), two pages turned."""
    skews = [2.5, -3.0, 1.5, -2.0, 3.0, -0.8]
    out = []
    for dpi in (200, 300):
        for p in range(1, pages + 1):
            out.append(Variant(p, dpi, skew=skews[(p - 1 + (dpi == 300) * pages) % len(skews)],
                               seed=p * dpi))
    out.append(Variant(2, 300, rotate=90, seed=5))
    out.append(Variant(3 if pages >= 3 else 1, 300, rotate=180, seed=6))
    return out


# A ruled survey table (our own figures), drawn as a page image: the OCR table fixture.
TABLE_ROWS = [
    ["STT", "Nội dung khảo sát", "Số phiếu", "Tỷ lệ (%)"],
    ["1", "Rất hài lòng", "412", "41,2"],
    ["2", "Hài lòng", "385", "38,5"],
    ["3", "Bình thường", "148", "14,8"],
    ["4", "Chưa hài lòng", "55", "5,5"],
    ["", "Tổng cộng", "1.000", "100"],
]
TABLE_WIDTHS = [0.09, 0.45, 0.2, 0.2]  # shares of the 17 cm table


def draw_table_page(path: Path, dpi: int = 300, rows=TABLE_ROWS, skew: float = 0.0,
                    noise: float = 0.0, seed: int = 3) -> Path:
    """An A4 page image with a sentence above and a ruled table: 1-2 px rules, cells
    with padding, DejaVu Serif 12 pt; saved as PNG with its resolution."""
    import random

    from PIL import Image, ImageDraw, ImageFont

    px = dpi / 72
    w, h = int(595 * px), int(842 * px)
    img = Image.new("L", (w, h), 255)
    d = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(FONT_DIR / "DejaVuSerif.ttf"), int(12 * px))
    bold = ImageFont.truetype(str(FONT_DIR / "DejaVuSerif-Bold.ttf"), int(12 * px))
    left, top = int(60 * px), int(120 * px)
    d.text((left, int(80 * px)), "Kết quả khảo sát mức độ hài lòng của người học như sau:", font=font, fill=0)
    width = int(480 * px)
    xs = [left]
    for share in TABLE_WIDTHS:
        xs.append(xs[-1] + int(width * share / sum(TABLE_WIDTHS)))
    row_h = int(26 * px)
    ys = [top + k * row_h for k in range(len(rows) + 1)]
    line = max(1, int(px * 0.6))
    for y in ys:
        d.line([(xs[0], y), (xs[-1], y)], fill=0, width=line)
    for x in xs:
        d.line([(x, ys[0]), (x, ys[-1])], fill=0, width=line)
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            f = bold if r == 0 else font
            d.text((xs[c] + int(6 * px), ys[r] + int(6 * px)), cell, font=f, fill=0)
    d.text((left, ys[-1] + int(20 * px)), "Số liệu trên được tổng hợp từ phiếu trả lời trực tuyến.",
           font=font, fill=0)
    if skew:
        img = img.rotate(skew, resample=Image.BICUBIC, fillcolor=255)
    if noise:
        rnd = random.Random(seed)
        pix = img.load()
        for _ in range(int(w * h * noise)):
            x, y = rnd.randrange(w), rnd.randrange(h)
            pix[x, y] = 0 if pix[x, y] > 128 else 255
    img.save(path, dpi=(dpi, dpi))
    return path
