"""PDF extractor: a report laid out here with reportlab (justified paragraphs, raised
footnote markers, footnotes under a separator rule that run onto the next page, a running
header, page numbers, a ruled table, a two-column header and signature, a blank page),
the real PDFs of ../shared/corpus, and broken inputs."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from extractors import extract
from extractors.pdf import extract_pdf
from pipeline.text.builder import to_superscript
from schemas.records import ExtractionError
from tests.conftest import SHARED_CORPUS

DECREE = SHARED_CORPUS / "chinhphu_nd335-2025.pdf"
SIGNED = SHARED_CORPUS / "lamdong_ubnd_bc329_cchc_2025_signed.pdf"
SCANNED = SHARED_CORPUS / "bcdcchc_qd46-2021_scanned.pdf"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
needs_real = pytest.mark.real  # ../shared/corpus: CI has it, so no skip
needs_font = pytest.mark.skipif(not (FONT_DIR / "DejaVuSerif.ttf").exists(), reason="no DejaVu font")


def fold(text: str) -> str:
    return " ".join(text.split())


def page_of(doc, offset: int) -> int | None:
    for span in doc.pages:
        if span.start <= offset < span.end:
            return span.page
    return None


def assert_invariants(doc):
    for b in doc.blocks:
        assert 0 <= b.start < b.end <= len(doc.text)
        if b.kind != "table":  # a table may end with an empty cell
            assert doc.text[b.start:b.end].strip() == doc.text[b.start:b.end]
    for f in doc.footnotes:
        assert doc.text[f.start:f.end].strip()
        assert f.start >= doc.body_end
    for t in doc.tables:
        assert doc.text[t.start:t.end] == "\n".join(" | ".join(r).rstrip() for r in t.rows)
    # page spans are ordered, disjoint and cover every block
    for a, b in zip(doc.pages, doc.pages[1:]):
        assert a.end <= b.start
    for b in doc.blocks:
        assert page_of(doc, b.start) is not None, doc.text[b.start:b.end][:40]


def assert_linked(doc):
    for f in doc.footnotes:
        assert f.anchor_start is not None, f.number
        assert doc.text[f.anchor_start:f.anchor_end] == to_superscript(f.number)
        assert f.anchor_end <= doc.body_end


# ---- a report laid out with reportlab ------------------------------------------------------

HEADER_LEFT = ["ỦY BAN NHÂN DÂN", "HUYỆN HƯƠNG KHÊ", "Số: 88/BC-UBND"]
HEADER_RIGHT = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                "Hương Khê, ngày 20 tháng 11 năm 2024"]
RUNNING = "Báo cáo công tác cải cách hành chính năm 2024"
# (kind, text); "[^n]" marks footnote n after the preceding word.
BODY = [
    ("title", "BÁO CÁO"),
    ("title", "Kết quả cải cách hành chính năm 2024"),
    ("para", "Thực hiện Kế hoạch số 15/KH-UBND ngày 17/01/2024 của Ủy ban nhân dân tỉnh về "
             "cải cách hành chính năm 2024, Ủy ban nhân dân huyện báo cáo kết quả thực hiện "
             "như sau:"),
    ("heading", "I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ"),
    ("heading", "1. Công tác chỉ đạo, điều hành"),
    ("para", "Ủy ban nhân dân huyện đã ban hành 12 văn bản chỉ đạo, điều hành công tác cải "
             "cách hành chính[^1], trong đó tập trung nâng cao chất lượng giải quyết thủ tục "
             "hành chính tại Bộ phận Một cửa cấp huyện và cấp xã. Các cơ quan chuyên môn đã "
             "xây dựng kế hoạch cụ thể, phân công rõ người, rõ việc và rõ thời hạn hoàn thành."),
    ("para", "Trong năm, toàn huyện tiếp nhận 9.412 hồ sơ thủ tục hành chính, đã giải quyết "
             "đúng hạn 9.305 hồ sơ, đạt tỷ lệ 98,86%[^2]; số hồ sơ quá hạn là 107 hồ sơ, chủ "
             "yếu thuộc lĩnh vực đất đai và xây dựng. Nguyên nhân quá hạn chủ yếu do phải xác "
             "minh nguồn gốc đất, lấy ý kiến của nhiều cơ quan có liên quan và một số hồ sơ "
             "phải bổ sung giấy tờ nhiều lần. Ủy ban nhân dân huyện đã yêu cầu các cơ quan để "
             "quá hạn có văn bản xin lỗi người dân, đồng thời rà soát lại quy trình nội bộ để "
             "rút ngắn thời gian giải quyết ở từng bước, bảo đảm công khai, minh bạch và thuận "
             "lợi cho tổ chức, cá nhân khi thực hiện thủ tục hành chính trên địa bàn huyện. "
             "Việc tiếp nhận hồ sơ trực tuyến tiếp tục được đẩy mạnh, nhiều xã đã bố trí công "
             "chức hướng dẫn người dân nộp hồ sơ qua Cổng Dịch vụ công quốc gia ngay tại bộ "
             "phận một cửa, góp phần nâng tỷ lệ hồ sơ trực tuyến toàn trình lên 41,5%."),
    ("heading", "2. Kết quả giải quyết hồ sơ theo cấp"),
    ("table", [["Cấp", "Tiếp nhận", "Đúng hạn", "Tỷ lệ (%)"],
               ["Cấp huyện", "3.204", "3.151", "98,35"],
               ["Cấp xã", "6.208", "6.154", "99,13"]]),
    ("para", "Công tác kiểm tra được duy trì thường xuyên[^3]; qua kiểm tra đã chấn chỉnh "
             "kịp thời những tồn tại trong việc niêm yết, công khai thủ tục hành chính tại "
             "một số xã."),
    ("heading", "II. HẠN CHẾ, NGUYÊN NHÂN"),
    ("para", "Bên cạnh kết quả đạt được, công tác cải cách hành chính của huyện vẫn còn một số "
             "hạn chế: tỷ lệ hồ sơ trực tuyến toàn trình ở một số xã miền núi còn thấp; hạ tầng "
             "công nghệ thông tin tại bộ phận một cửa cấp xã chưa đồng bộ, đường truyền có lúc "
             "chưa ổn định; một bộ phận công chức chưa thành thạo kỹ năng số nên việc hướng dẫn "
             "người dân còn lúng túng. Nguyên nhân chủ yếu là địa bàn rộng, dân cư phân tán, "
             "nguồn kinh phí đầu tư cho chuyển đổi số còn hạn chế[^4]."),
    ("heading", "III. PHƯƠNG HƯỚNG NĂM 2025"),
    ("para", "Tiếp tục thực hiện nghiêm các nhiệm vụ cải cách hành chính theo kế hoạch của "
             "tỉnh, phấn đấu tỷ lệ hồ sơ giải quyết đúng hạn đạt trên 99%."),
    ("para", "Tăng cường kiểm tra đột xuất việc thực thi công vụ tại bộ phận một cửa các cấp; "
             "kịp thời biểu dương những tập thể, cá nhân làm tốt và xử lý nghiêm các trường hợp "
             "gây phiền hà cho người dân, doanh nghiệp."),
    ("para", "Đẩy mạnh số hóa hồ sơ, kết quả giải quyết thủ tục hành chính và tái sử dụng dữ "
             "liệu đã số hóa, bảo đảm người dân không phải nộp lại những giấy tờ mà cơ quan nhà "
             "nước đang quản lý."),
]
FOOTNOTES = {
    1: "Kế hoạch số 21/KH-UBND ngày 25/01/2024; Quyết định số 345/QĐ-UBND ngày 12/3/2024.",
    2: "Trong đó: cấp huyện tiếp nhận 3.204 hồ sơ, giải quyết đúng hạn 3.151 hồ sơ; cấp xã "
       "tiếp nhận 6.208 hồ sơ, giải quyết đúng hạn 6.154 hồ sơ. Số liệu được tổng hợp từ Hệ "
       "thống thông tin giải quyết thủ tục hành chính của tỉnh đến hết ngày 15/11/2024 và "
       "đã được các xã, thị trấn rà soát, đối chiếu với sổ theo dõi hồ sơ tại bộ phận một "
       "cửa trước khi báo cáo Ủy ban nhân dân huyện.",
    3: "Quyết định số 512/QĐ-UBND ngày 02/4/2024 về kiểm tra cải cách hành chính.",
    4: "Năm 2024, kinh phí bố trí cho chuyển đổi số cấp xã bình quân 35 triệu đồng/xã.",
}
SIGNATURE_LEFT = ["Nơi nhận:", "- UBND tỉnh Hà Tĩnh;", "- Sở Nội vụ;", "- Lưu: VT, NV."]
SIGNATURE_RIGHT = ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "", "", "Trần Văn Bình"]


def _tokens(text):
    """Words with the footnote number attached to the word before it."""
    out = []
    for tok in text.split():
        m = re.match(r"^(.*?)\[\^(\d+)\](.*)$", tok)
        out.append((m.group(1), int(m.group(2)), m.group(3)) if m else (tok, None, ""))
    return out


def expected_paragraph(text):
    return re.sub(r"\[\^(\d+)\]", lambda m: to_superscript(m.group(1)), text)


def make_report_pdf(path: Path, blank_last_page: bool = True, signature_drop: float = 0,
                    ragged: bool = False, unicode_markers: bool = False, rule: bool = True,
                    header_box: bool = False, stamp: bool = False,
                    plain_numbers: bool = False, raised_markers: bool = False) -> None:
    """The report above. `signature_drop` pushes the signature block down the page (so
    that it breaks onto the next one); `ragged`: left-aligned lines instead of justified;
    `unicode_markers`: markers printed as "¹" glyphs in the running font; `rule`: the
    separator above the footnotes; `header_box`: the header drawn as a bordered table;
    `stamp`: a digital-signature caption in small print above the header and a line of
    vertical text in the margin; `plain_numbers`: footnote numbers at the footnote text
    size on the baseline; `raised_markers`: body markers at the text size, only raised."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("VN", str(FONT_DIR / "DejaVuSerif.ttf")))
    pdfmetrics.registerFont(TTFont("VN-Bold", str(FONT_DIR / "DejaVuSerif-Bold.ttf")))
    W, H = 595, 842
    LEFT, RIGHT, TOP, BOTTOM = 80, 525, 790, 260  # a tall bottom margin: more pages
    SIZE, LEAD, FN_SIZE, FN_LEAD = 12, 16, 9, 12
    FN_BAND = 4 * FN_LEAD + 14  # room kept for footnotes on every page

    c = canvas.Canvas(str(path), pagesize=(W, H))
    state = {"page": 1, "y": TOP, "fn_queue": []}

    def end_page():
        flush_footnotes()
        c.setFont("VN", 9)
        c.drawCentredString(W / 2, 40, f"- {state['page']} -")
        c.showPage()
        state["page"] += 1

    def start_page():
        c.setFont("VN", 9)
        c.drawCentredString(W / 2, H - 30, RUNNING)
        state["y"] = TOP

    def new_page():
        end_page()
        start_page()

    def flush_footnotes():
        """Footnote lines under a rule at the page bottom; what does not fit waits for the
        next page (a footnote that runs over)."""
        lines = state["fn_queue"]
        if not lines:
            return
        fit = lines[:4]
        state["fn_queue"] = lines[4:]
        y = BOTTOM + FN_BAND - 10
        if rule:
            c.setLineWidth(0.5)
            c.line(LEFT, y + 4, LEFT + 150, y + 4)
        y -= FN_LEAD - 2
        for number, words, last in fit:
            x = LEFT
            if number is not None and plain_numbers:
                c.setFont("VN", FN_SIZE)
                c.drawString(x, y, str(number))
                x += stringWidth(f"{number} ", "VN", FN_SIZE)
            elif number is not None and unicode_markers:
                c.setFont("VN", FN_SIZE)
                c.drawString(x, y, to_superscript(number))
                x += stringWidth(to_superscript(number) + " ", "VN", FN_SIZE)
            elif number is not None:
                c.setFont("VN", 6)
                c.drawString(x, y + 3, str(number))
                x += stringWidth(str(number), "VN", 6) + 1
            draw_justified(words, x, y, RIGHT, "VN", FN_SIZE, last)
            y -= FN_LEAD

    def queue_footnote(number):
        width = RIGHT - LEFT
        lines = wrap(FOOTNOTES[number].split(), "VN", FN_SIZE, width - 8)
        for k, line in enumerate(lines):
            state["fn_queue"].append((number if k == 0 else None, line, k == len(lines) - 1))

    def wrap(words, font, size, width):
        lines, cur = [], []
        for w in words:
            trial = cur + [w]
            if cur and stringWidth(" ".join(x if isinstance(x, str) else x[0] + "99" + x[2]
                                            for x in trial), font, size) > width:
                lines.append(cur)
                cur = [w]
            else:
                cur = trial
        if cur:
            lines.append(cur)
        return lines

    def draw_justified(words, x0, y, x1, font, size, last):
        def width(w):
            if isinstance(w, str):
                return stringWidth(w, font, size)
            text, number, rest = w
            if unicode_markers:
                return stringWidth(text + to_superscript(number) + rest, font, size)
            if raised_markers:
                return stringWidth(text + str(number) + rest, font, size)
            return (stringWidth(text, font, size) + stringWidth(str(number), font, 7)
                    + stringWidth(rest, font, size))

        widths = [width(w) for w in words]
        gap = stringWidth(" ", font, size)
        if not last and len(words) > 1 and not ragged:
            gap = (x1 - x0 - sum(widths)) / (len(words) - 1)
        x = x0
        for w, wd in zip(words, widths):
            c.setFont(font, size)
            if isinstance(w, str):
                c.drawString(x, y, w)
            elif unicode_markers:
                c.drawString(x, y, w[0] + to_superscript(w[1]) + w[2])
            else:
                text, number, rest = w
                c.drawString(x, y, text)
                xm = x + stringWidth(text, font, size)
                msize = size if raised_markers else 7
                c.setFont(font, msize)  # the marker: smaller and raised, right after the word
                c.drawString(xm, y + 5, str(number))
                c.setFont(font, size)
                c.drawString(xm + stringWidth(str(number), font, msize), y, rest)
            x += wd + gap

    def body_bottom():
        return BOTTOM + FN_BAND

    # two-column header
    c.setFont("VN-Bold", 12)
    for k, (left, right) in enumerate(zip(HEADER_LEFT, HEADER_RIGHT)):
        font = "VN" if k == 2 else "VN-Bold"
        c.setFont(font, 12)
        c.drawCentredString(165, TOP - k * LEAD, left)
        c.drawCentredString(395, TOP - k * LEAD, right)
    if stamp:
        c.setFont("VN", 7)
        c.drawString(380, TOP + 38, "Người ký: Ủy ban nhân dân huyện Hương Khê")
        c.drawString(380, TOP + 29, "Thời gian ký: 20.11.2024 15:04:12 +07:00")
        c.saveState()
        c.translate(40, 300)
        c.rotate(90)
        c.drawString(0, 0, "Bản điện tử đã ký số")
        c.restoreState()
    if header_box:
        c.setLineWidth(0.7)
        for k in range(4):
            c.line(LEFT - 10, TOP + 14 - k * LEAD, RIGHT + 10, TOP + 14 - k * LEAD)
        for x in (LEFT - 10, 280, RIGHT + 10):
            c.line(x, TOP + 14, x, TOP + 14 - 3 * LEAD)
    state["y"] = TOP - 3 * LEAD - 30

    for kind, payload in BODY:
        if kind == "table":
            col_x = [LEFT, LEFT + 150, LEFT + 250, LEFT + 350, RIGHT]
            row_h = 20
            if state["y"] - row_h * len(payload) < body_bottom():
                new_page()
            top = state["y"] + 14
            c.setLineWidth(0.7)
            for r, row in enumerate(payload):
                for k, cell in enumerate(row):
                    c.setFont("VN-Bold" if r == 0 else "VN", 11)
                    c.drawString(col_x[k] + 4, top - (r + 1) * row_h + 6, cell)
            for r in range(len(payload) + 1):
                c.line(LEFT, top - r * row_h, RIGHT, top - r * row_h)
            for x in col_x:
                c.line(x, top, x, top - len(payload) * row_h)
            state["y"] = top - len(payload) * row_h - 24
            continue
        font = "VN-Bold" if kind in ("title", "heading") else "VN"
        words = [t if n is None else (t, n, rest) for t, n, rest in _tokens(payload)]
        indent = 30 if kind == "para" else 0
        lines = wrap(words, font, SIZE, RIGHT - LEFT - indent)
        for k, line in enumerate(lines):
            if state["y"] < body_bottom():
                new_page()
            last = k == len(lines) - 1
            if kind == "title":
                c.setFont(font, SIZE)
                c.drawCentredString((LEFT + RIGHT) / 2, state["y"], " ".join(line))
            else:
                draw_justified(line, LEFT + (indent if k == 0 else 0), state["y"], RIGHT,
                               font, SIZE, last or kind == "heading")
            for w in line:
                if not isinstance(w, str) and w[1] is not None:
                    queue_footnote(w[1])
            state["y"] -= LEAD
        state["y"] -= 8

    # signature block: two columns
    state["y"] -= 10 + signature_drop
    for k in range(max(len(SIGNATURE_LEFT), len(SIGNATURE_RIGHT))):
        if state["y"] < body_bottom():
            new_page()
        y = state["y"]
        state["y"] -= 14
        if k < len(SIGNATURE_LEFT):
            c.setFont("VN-Bold" if k == 0 else "VN", 10)
            c.drawString(LEFT, y, SIGNATURE_LEFT[k])
        if k < len(SIGNATURE_RIGHT) and SIGNATURE_RIGHT[k]:
            c.setFont("VN-Bold", 12)
            c.drawCentredString(400, y, SIGNATURE_RIGHT[k])
    end_page()
    while state["fn_queue"]:
        start_page()
        end_page()
    if blank_last_page:
        c.rect(100, 100, 300, 300)  # a drawing, no text: a page without a text layer
        c.showPage()
    c.save()


@pytest.fixture(scope="module")
def laid_out(tmp_path_factory):
    # fonts-dejavu-core: installed by `make` (setup) on Debian when missing
    assert (FONT_DIR / "DejaVuSerif.ttf").exists(), "DejaVu fonts missing (apt-get install fonts-dejavu-core)"
    path = tmp_path_factory.mktemp("pdf") / "bao-cao-88.pdf"
    make_report_pdf(path)
    return extract(path)


def body_blocks(doc):
    return [doc.text[b.start:b.end] for b in doc.blocks if b.kind != "footnote"]


@needs_font
def test_laid_out_report_pages_and_invariants(laid_out):
    doc = laid_out
    assert doc.format == "pdf"
    assert doc.page_count >= 3
    assert_invariants(doc)
    # the last page is a drawing without text: OCR finds no text there either, and a
    # drawing is no reason for 'partial' (without OCR it is reported: test below)
    assert doc.page_count not in doc.page_sources
    assert not any("without a text layer" in w for w in doc.warnings)


@needs_font
def test_page_without_text_layer_is_reported_without_ocr(tmp_path, monkeypatch):
    monkeypatch.setenv("BAOCAO_OCR", "0")
    path = tmp_path / "bao-cao.pdf"
    make_report_pdf(path)
    doc = extract(path)
    assert any("without a text layer" in w and str(doc.page_count) in w for w in doc.warnings)


@needs_font
def test_laid_out_paragraphs_rejoined_exactly(laid_out):
    blocks = body_blocks(laid_out)
    for kind, payload in BODY:
        if kind in ("para", "heading"):
            assert expected_paragraph(payload) in blocks, payload[:50]
    # the long paragraph crossed a page break and is one block whose offsets know it
    long_para = expected_paragraph(BODY[6][1])
    block = next(b for b in laid_out.blocks if laid_out.text[b.start:b.end] == long_para)
    first, last = page_of(laid_out, block.start), page_of(laid_out, block.end - 1)
    assert (first, last) == (1, 2)


@needs_font
def test_laid_out_headings(laid_out):
    heads = [laid_out.text[b.start:b.end] for b in laid_out.blocks if b.kind == "heading"]
    assert "BÁO CÁO" in heads and "Kết quả cải cách hành chính năm 2024" in heads
    assert "I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ" in heads
    assert "1. Công tác chỉ đạo, điều hành" in heads


@needs_font
def test_laid_out_footnotes_separated_linked_and_joined_across_pages(laid_out):
    doc = laid_out
    assert [f.number for f in doc.footnotes] == sorted(FOOTNOTES)
    assert_linked(doc)
    body = doc.text[: doc.body_end]
    for f in doc.footnotes:
        # the whole footnote, including the lines that ran onto the next page
        assert fold(doc.text[f.start:f.end]) == fold(FOOTNOTES[f.number])
        assert FOOTNOTES[f.number][:40] not in body
    # markers sit right after the word they follow
    fn1 = doc.footnotes[0]
    assert doc.text[fn1.anchor_start - 10:fn1.anchor_end] == "hành chính¹"
    assert page_of(doc, fn1.anchor_start) == fn1.page == 1


@needs_font
def test_laid_out_running_header_and_page_numbers_removed(laid_out):
    body = laid_out.text[: laid_out.body_end]
    assert RUNNING not in body
    assert not re.search(r"- \d+ -", laid_out.text)


@needs_font
def test_laid_out_header_and_signature_are_column_blocks(laid_out):
    blocks = body_blocks(laid_out)
    assert blocks[:4] == ["ỦY BAN NHÂN DÂN\nHUYỆN HƯƠNG KHÊ", "Số: 88/BC-UBND",
                          "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc",
                          "Hương Khê, ngày 20 tháng 11 năm 2024"]
    assert "\n".join(SIGNATURE_LEFT) in blocks
    assert "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nTrần Văn Bình" in blocks


VARIANTS = {
    "ragged": dict(ragged=True),
    "unicode-markers": dict(unicode_markers=True),
    "no-rule": dict(rule=False),
    "boxed-header": dict(header_box=True),
    "plain-footnote-numbers": dict(plain_numbers=True),
    "raised-markers": dict(raised_markers=True),
    "all": dict(ragged=True, unicode_markers=True, rule=False, header_box=True),
}


@needs_font
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_layout_variants_give_the_same_document(variant, laid_out, tmp_path):
    """Left-aligned lines, "¹" glyphs for markers, footnotes without a rule, a bordered
    header: the same text, blocks and footnotes as the plain layout."""
    path = tmp_path / f"{variant}.pdf"
    make_report_pdf(path, **VARIANTS[variant])
    doc = extract_pdf(path)
    assert_invariants(doc)
    assert_linked(doc)
    assert doc.text == laid_out.text
    assert [(b.kind, b.page) for b in doc.blocks] == [(b.kind, b.page) for b in laid_out.blocks]
    assert [(f.number, f.page, f.anchor_start) for f in doc.footnotes] == \
        [(f.number, f.page, f.anchor_start) for f in laid_out.footnotes]
    assert len(doc.tables) == 1  # the bordered header is not a data table


@needs_font
def test_signature_stamp_above_the_header_and_vertical_margin_text(laid_out, tmp_path):
    path = tmp_path / "ky-so.pdf"
    make_report_pdf(path, stamp=True)
    doc = extract_pdf(path)
    blocks = body_blocks(doc)
    header = body_blocks(laid_out)[:4]
    k = blocks.index(header[0])
    assert blocks[k:k + 4] == header
    assert "Bản điện tử" not in doc.text  # vertical text is left out
    assert fold(doc.text).endswith(fold(laid_out.text))  # the stamp is all that was added


@needs_font
def test_signature_cut_by_a_page_break_stays_two_blocks(tmp_path):
    # drop 298: only the signer's name goes overleaf; 316, 340: "- Lưu" too
    for drop, moved in ((298, "Trần Văn Bình"), (316, "- Lưu"), (340, "- Lưu")):
        path = tmp_path / f"ky-{drop}.pdf"
        make_report_pdf(path, blank_last_page=False, signature_drop=drop)
        doc = extract_pdf(path)
        assert not doc.warnings
        blocks = body_blocks(doc)
        assert "\n".join(SIGNATURE_LEFT) in blocks, drop
        assert "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nTrần Văn Bình" in blocks, drop
        assert page_of(doc, doc.text.index("Nơi nhận")) == doc.page_count - 1
        assert page_of(doc, doc.text.index(moved)) == doc.page_count, drop
        assert_invariants(doc)


@needs_font
def test_laid_out_table_rows_and_no_duplicate_text(laid_out):
    doc = laid_out
    assert len(doc.tables) == 1
    assert doc.tables[0].rows == BODY[8][1]
    paragraphs = [doc.text[b.start:b.end] for b in doc.blocks if b.kind != "table"]
    assert not any("6.154" in p and "Cấp xã" in p for p in paragraphs)


# ---- broken inputs ------------------------------------------------------------------------

def test_encrypted_pdf_fails_clearly(tmp_path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "mat.pdf"
    c = canvas.Canvas(str(path), encrypt="secret")
    c.drawString(72, 720, "Bao cao mat")
    c.save()
    with pytest.raises(ExtractionError, match=r"^encrypted PDF \(password required\)$"):
        extract_pdf(path)


def test_garbage_pdfs_fail_clearly(tmp_path):
    junk = tmp_path / "rac.pdf"
    junk.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(ExtractionError, match="not a PDF"):
        extract(junk)
    fake = tmp_path / "gia.pdf"
    fake.write_bytes(b"%PDF-1.7\n" + b"\x00\x13 rubbish " * 300)
    with pytest.raises(ExtractionError, match=r"^corrupt or truncated PDF: "):
        extract(fake)


@needs_real
def test_truncated_real_pdf_fails_clearly_or_is_partial(tmp_path):
    data = DECREE.read_bytes()
    for fraction in (2, 3):
        cut = tmp_path / f"cut-{fraction}.pdf"
        cut.write_bytes(data[: len(data) // fraction])
        try:
            doc = extract(cut)
        except ExtractionError as exc:
            assert str(exc).startswith("corrupt or truncated PDF: ")
            assert "\n" not in str(exc)
        else:
            assert doc.warnings
            assert_invariants(doc)


@needs_real
def test_scanned_pdf_has_no_text_layer(monkeypatch):
    """Without OCR a scan is refused with the reason (with OCR: tests/test_ocr.py)."""
    monkeypatch.setenv("BAOCAO_OCR", "0")
    with pytest.raises(ExtractionError) as info:
        extract_pdf(SCANNED)
    assert str(info.value) == "no text layer (scanned?); OCR disabled (BAOCAO_OCR=0)"


# ---- the real PDFs --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def decree(extracted):
    return extracted(DECREE)  # session cache shared with the other real-corpus tests


@pytest.fixture(scope="module")
def signed(extracted):
    return extracted(SIGNED)


def find_block(doc, needle):
    return next(doc.text[b.start:b.end] for b in doc.blocks if needle in doc.text[b.start:b.end])


def offset_of(doc, needle, start=0):
    pos = doc.text.find(needle, start)
    assert pos >= 0, needle
    return pos


@needs_real
@pytest.mark.slow
def test_decree_pages_structure_and_footnotes(decree):
    doc = decree
    assert doc.page_count == 19 and not doc.warnings
    assert_invariants(doc)
    assert {p.page for p in doc.pages} == set(range(1, 20))
    # header not merged row by row
    issuer = find_block(doc, "CHÍNH PHỦ")
    assert "CỘNG HÒA" not in issuer and issuer == "CHÍNH PHỦ"
    assert find_block(doc, "335/2025/NĐ-CP") == "Số: 335/2025/NĐ-CP"
    assert "Hà Nội, ngày 21 tháng 12 năm 2025" in [doc.text[b.start:b.end] for b in doc.blocks]
    heads = [doc.text[b.start:b.end] for b in doc.blocks if b.kind == "heading"]
    assert "Điều 1. Phạm vi điều chỉnh" in heads
    assert "Chương I" in heads and "QUY ĐỊNH CHUNG" in heads
    assert "NGHỊ ĐỊNH" in heads
    # footnotes: one on page 17, two that Word pushed onto page 19 (numbers restart per form)
    assert [(f.number, f.page) for f in doc.footnotes] == [(1, 17), (1, 19), (2, 19)]
    assert_linked(doc)
    assert [page_of(doc, f.anchor_start) for f in doc.footnotes] == [16, 18, 18]
    # signature: the list of recipients and the signer are separate blocks
    recipients = find_block(doc, "Nơi nhận")
    assert "Phạm Thị Thanh Trà" not in recipients
    assert find_block(doc, "TM. CHÍNH PHỦ").endswith("Phạm Thị Thanh Trà")
    # known phrases land on their pages
    assert page_of(doc, offset_of(doc, "Điều 5.")) == 2
    assert page_of(doc, offset_of(doc, "Điều 29.")) == 13
    assert page_of(doc, offset_of(doc, "CÁC MẪU PHIẾU")) == 16
    assert page_of(doc, offset_of(doc, "PHIẾU XẾP LOẠI")) == 18
    assert len(doc.tables) == 2 and {t.page for t in doc.tables} == {16, 18}


@needs_real
@pytest.mark.slow
def test_signed_report_footnotes_at_page_bottoms(signed):
    doc = signed
    assert doc.page_count == 35 and not doc.warnings
    assert_invariants(doc)
    # 17 footnotes, counted in the PDF (numbers 6.5 pt under a rule at the page bottoms)
    assert [f.number for f in doc.footnotes] == list(range(1, 18))
    assert_linked(doc)
    pages = [f.page for f in doc.footnotes]
    assert pages[:3] == [1, 2, 6] and pages[-1] == 15
    for f in doc.footnotes:
        assert page_of(doc, f.anchor_start) == f.page, f.number
    body = doc.text[: doc.body_end]
    for f in doc.footnotes:
        assert fold(doc.text[f.start:f.end])[:50] not in fold(body), f.number
    # footnote 2 runs from page 2 onto page 3 and is joined
    fn2 = fold(doc.text[doc.footnotes[1].start:doc.footnotes[1].end])
    assert "2139/QĐ-UBND" in fn2 and "8391/UBND-HCC" in fn2
    assert "8391/UBND-HCC" not in body


@needs_real
@pytest.mark.slow
def test_signed_report_header_signature_pages_and_tables(signed):
    doc = signed
    blocks = [doc.text[b.start:b.end] for b in doc.blocks]
    assert blocks[0] == "ỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG"
    assert blocks[2] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    for b in blocks:
        for line in b.split("\n"):
            assert not ("TỈNH LÂM ĐỒNG" in line and "Độc lập" in line)
    assert "Nguyễn Ngọc Phúc" not in find_block(doc, "Nơi nhận")
    assert find_block(doc, "KT. CHỦ TỊCH").endswith("Nguyễn Ngọc Phúc")
    # page numbers printed at the top of pages 2.. are gone, even inside re-joined text
    assert not any(re.fullmatch(r"\d{1,2}", b) for b in blocks)
    joined = find_block(doc, "PAPI, PCI")  # a sentence that crosses from page 1 to 2
    start = offset_of(doc, "PAPI, PCI")
    assert page_of(doc, start) == 1 and page_of(doc, start + len("PAPI, ")) == 2
    assert " 2 PCI" not in joined
    assert page_of(doc, offset_of(doc, "Nguyễn Ngọc Phúc")) == 24
    assert page_of(doc, offset_of(doc, "Biểu mẫu 7")) == 34
    # the appendix tables (visible ruling only: Word's white paragraph borders are not tables)
    assert len(doc.tables) == 11
    assert {t.page for t in doc.tables} == set(range(25, 36))
    assert all(t.rows[0][0] == "STT" for t in doc.tables)
    table_text = " ".join(doc.text[t.start:t.end] for t in doc.tables)
    assert "Chỉ tiêu thống kê" in table_text
    assert not any("Chỉ tiêu thống kê" in doc.text[b.start:b.end] for b in doc.blocks if b.kind != "table")


@needs_font
def test_symbol_cut_at_a_line_end_is_glued(tmp_path):
    """Word breaks a line after the hyphen of "15/KH-UBND"; Vietnamese words are not
    hyphenated, so the two lines join without a space there (and with one elsewhere)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("VN", str(FONT_DIR / "DejaVuSerif.ttf")))
    path = tmp_path / "ky-hieu.pdf"
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    c.setFont("VN", 12)
    lines = ["Thực hiện Kế hoạch số 15/KH-", "UBND ngày 17/01/2024 của tỉnh về kinh tế -",
             "xã hội, huyện báo cáo như sau."]
    for k, line in enumerate(lines):
        c.drawString(80, 760 - 16 * k, line)
    c.showPage()
    c.save()
    doc = extract_pdf(path)
    assert doc.text == ("Thực hiện Kế hoạch số 15/KH-UBND ngày 17/01/2024 của tỉnh về kinh tế - "
                        "xã hội, huyện báo cáo như sau.")


@needs_real
@pytest.mark.slow
def test_signed_pdf_footnotes_equal_the_draft_docx_ones(signed, extracted):
    """The signed PDF and the Word draft of the same report: all 17 footnotes read the
    same once whitespace is folded (measured: 17/17), body text nearly so."""
    import difflib

    draft = extracted(SHARED_CORPUS / "lamdong_ubnd_bc_cchc_2025_draft.docx")
    notes = lambda d: [fold(d.text[f.start:f.end]) for f in d.footnotes]  # noqa: E731
    assert notes(signed) == notes(draft)
    body = lambda d: d.text[: d.body_end].replace("|", " ").split()  # noqa: E731
    ratio = difflib.SequenceMatcher(None, body(draft), body(signed), autojunk=False).ratio()
    assert ratio > 0.99, ratio  # measured 0.997 (words)


def test_unmapped_glyphs_are_dropped_and_reported():
    """tests/data/pdf_unmapped_glyphs.pdf: LibreOffice printed a plain-text letter with a
    fallback font whose glyphs partly lack a Unicode mapping ("(cid:2)" in pdfminer; the
    PDFium reader finds most of them: tests/test_pdf_readers.py)."""
    doc = extract_pdf(Path(__file__).parent / "data" / "pdf_unmapped_glyphs.pdf", reader="pdfplumber")
    assert "(cid:" not in doc.text
    assert any("without a Unicode mapping" in w for w in doc.warnings)
    assert_invariants(doc)


@needs_font
def test_letter_header_with_subject_lines_under_the_number(tmp_path):
    """A công văn: "V/v ..." wraps under the number and reaches into the gutter; the
    place-and-date line closes the right column, so "Kính gửi" below stays out of it."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("VN", str(FONT_DIR / "DejaVuSerif.ttf")))
    pdfmetrics.registerFont(TTFont("VN-Bold", str(FONT_DIR / "DejaVuSerif-Bold.ttf")))
    path = tmp_path / "cong-van.pdf"
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    rows = [(790, "VN-Bold", "ỦY BAN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
            (774, "VN-Bold", "HUYỆN VŨ QUANG", "Độc lập - Tự do - Hạnh phúc"),
            (750, "VN", "Số: 1468/UBND-NV", "Vũ Quang, ngày 20 tháng 12 năm 2024"),
            (734, "VN", "V/v khắc phục tồn tại, hạn chế", None),
            (720, "VN", "trong công tác CCHC năm 2024", None)]
    for y, font, left, right in rows:
        c.setFont(font, 12)
        c.drawCentredString(160, y, left)
        if right:
            c.drawCentredString(395, y, right)
    c.setFont("VN", 13)
    c.drawString(200, 690, "Kính gửi:")
    c.drawString(270, 690, "- Các phòng, ban chuyên môn thuộc UBND huyện;")
    c.drawString(270, 674, "- UBND các xã, thị trấn.")
    for k, line in enumerate(["Theo Báo cáo số 125/BC-UBND ngày 15/12/2024 của UBND huyện về kết",
                              "quả cải cách hành chính năm 2024, Chủ tịch UBND huyện yêu cầu các cơ",
                              "quan, đơn vị khắc phục ngay những tồn tại đã được chỉ ra."]):
        c.drawString(110 if k == 0 else 80, 640 - 18 * k, line)
    c.showPage()
    c.save()
    doc = extract_pdf(path)
    blocks = [(b.style, doc.text[b.start:b.end]) for b in doc.blocks]
    assert blocks[:5] == [
        ("header", "ỦY BAN NHÂN DÂN\nHUYỆN VŨ QUANG"),
        ("header", "Số: 1468/UBND-NV"),
        ("header", "V/v khắc phục tồn tại, hạn chế\ntrong công tác CCHC năm 2024"),
        ("header", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"),
        ("header", "Vũ Quang, ngày 20 tháng 12 năm 2024"),
    ]
    assert blocks[5][1].startswith("Kính gửi:") and blocks[5][0] is None
    assert blocks[-1][1].startswith("Theo Báo cáo số 125/BC-UBND") and blocks[-1][1].endswith("chỉ ra.")


@needs_font
def test_damaged_bytes_fail_clearly_or_give_a_partial_document(tmp_path):
    """Bytes flipped or cut anywhere in a PDF: a one-line reason or a document (with its
    offsets right), never a parser exception."""
    import random

    source = tmp_path / "goc.pdf"
    make_report_pdf(source, blank_last_page=False)
    data = source.read_bytes()
    rng = random.Random(7)
    outcomes = set()
    for k in range(12):
        damaged = bytearray(data)
        for _ in range(rng.choice([5, 50, 500])):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        if k % 3 == 2:
            damaged = damaged[: rng.randrange(len(damaged))]
        path = tmp_path / f"hong-{k}.pdf"
        path.write_bytes(bytes(damaged))
        try:
            doc = extract(path)
        except ExtractionError as exc:
            assert str(exc).startswith(("corrupt or truncated PDF: ", "not a PDF", "no text layer"))
            assert "\n" not in str(exc) and len(str(exc)) < 300
            outcomes.add("failed")
        else:
            assert_invariants(doc)
            outcomes.add("partial" if doc.warnings else "ok")
    assert "failed" in outcomes


@needs_font
def test_footnote_marker_inside_a_table_cell(tmp_path):
    """A raised marker after a figure in a ruled table: "82¹", not "821", and linked."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("VN", str(FONT_DIR / "DejaVuSerif.ttf")))
    path = tmp_path / "bang.pdf"
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    c.setFont("VN", 12)
    c.drawString(80, 760, "Kết quả ban hành văn bản như sau:")
    top, rows = 740, [["Chỉ tiêu", "Số lượng"], ["Văn bản chỉ đạo", "82"], ["Hồ sơ", "1.234"]]
    for r, row in enumerate(rows):
        for k, cell in enumerate(row):
            c.setFont("VN", 11)
            c.drawString(84 + 200 * k, top - (r + 1) * 20 + 6, cell)
    c.setFont("VN", 7)
    c.drawString(84 + 200 + 14, top - 2 * 20 + 11, "1")  # after "82"
    for r in range(4):
        c.line(80, top - r * 20, 480, top - r * 20)
    for x in (80, 280, 480):
        c.line(x, top, x, top - 60)
    c.setFont("VN", 12)
    c.drawString(80, 640, "Các đơn vị tiếp tục thực hiện.")
    c.line(80, 120, 230, 120)
    c.setFont("VN", 6)
    c.drawString(80, 108, "1")
    c.setFont("VN", 9)
    c.drawString(85, 105, "Gồm 12 kế hoạch và 70 công văn.")
    c.showPage()
    c.save()
    doc = extract_pdf(path)
    assert not doc.warnings
    assert doc.tables[0].rows == [["Chỉ tiêu", "Số lượng"], ["Văn bản chỉ đạo", "82¹"], ["Hồ sơ", "1.234"]]
    assert_linked(doc)
    fn = doc.footnotes[0]
    assert doc.text[fn.anchor_start - 2:fn.anchor_end] == "82¹"
    assert doc.text[fn.start:fn.end] == "Gồm 12 kế hoạch và 70 công văn."
    assert_invariants(doc)
