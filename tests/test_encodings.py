"""Pre-Unicode Vietnamese encodings (pipeline/text/encodings.py): the tables round-trip every
Vietnamese letter, font names and statistics pick the encoding, and the TXT, DOCX and PDF
extractors convert legacy text (only the legacy runs of a mixed document) to Unicode."""
from __future__ import annotations

import re
import unicodedata

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from extractors import extract
from extractors.txt import parse_text
from pipeline.text import encodings
from pipeline.text.encodings import decode, detect, encode, font_encoding, is_syllable
from schemas.records import ExtractionError
from tests.docx_footnotes import add_footnote

TONES = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]


def vietnamese_letters() -> list[str]:
    """The 134 non-ASCII Vietnamese letters (67 lowercase and their capitals), built
    from the alphabet here, independently of the tables."""
    lower = ["đ"] + [unicodedata.normalize("NFC", b + t) for b in "aăâeêioôơuưy" for t in TONES]
    lower = [c for c in lower if not c.isascii()]
    return lower + [c.upper() for c in lower]


LETTERS = vietnamese_letters()
# Mojibake that only a legacy font makes out of Vietnamese: TCVN3 (¸ × Ò ¬ ® § µ … next
# to a letter) and VNI (a tone byte after a vowel: aø, oõ; aâ, eâ, aê; ñ ö in a word).
# (¹ is TCVN3 ạ, and a footnote marker after a word: only "¹" + letter is mojibake.)
TCVN3_ARTEFACTS = re.compile(r"\w[¸×¬®§µ¶·¨©ª«»¼½¾Ë]|[¸×¬®§µ¶·¨©ª«»¼½¾Ë]\w|¹[^\W\d_]"
                             r"|[a-zđ]Ò|Ò[a-zđ]")  # (Ò is a capital too: HÒA)
VNI_ARTEFACTS = re.compile(r"[aeiouyAEIOUY][øùûõïØÙÛÕÏ]|[aAeEoO][âÂ]|[aA][êÊ]|[ñÑöÖ]\w")


def test_alphabet_has_134_letters():
    assert len(LETTERS) == len(set(LETTERS)) == 134


@pytest.mark.parametrize("name", encodings.ENCODINGS)
def test_table_lists_every_letter(name):
    assert set(encodings.rows(name)) >= set(LETTERS)


@pytest.mark.parametrize("name", encodings.ENCODINGS)
@pytest.mark.parametrize("letter", LETTERS)
def test_table_round_trips(name, letter):
    """Unicode → legacy → Unicode for every letter. TCVN3 (the ABC fonts) has no
    capitals with a tone: those are written at the lowercase code point in an
    all-capitals font (.VnTimeH) and come back as capitals."""
    table = encodings.table(name)
    if letter in table.encode:
        legacy = encode(letter, name)
        assert decode(legacy, name) == letter
        # and the same letter between two ASCII letters (sequences, longest match)
        assert decode(f"x{legacy}n", name) == f"x{letter}n"
    else:
        assert name == "TCVN3" and letter.isupper() and letter not in "ĂÂÊÔƠƯĐ"
        legacy = encode(letter, name, caps=True)
        assert decode(legacy, name, caps=True) == letter
        with pytest.raises(ValueError):
            encode(letter, name)


@pytest.mark.parametrize("name", encodings.ENCODINGS)
def test_table_codes_are_distinct(name):
    table = encodings.table(name)
    assert len(set(table.encode.values())) == len(table.encode)


def test_standard_positions():
    """A few positions checked by hand against the published charts."""
    assert encode("Báo cáo tình hình", "TCVN3") == "B¸o c¸o t×nh h×nh"
    assert encode("Đảng ủy", "TCVN3") == "§¶ng ñy"
    assert encode("Đức người", "VNI") == "Ñöùc ngöôøi"
    assert encode("Việt Nam", "VISCII").encode("latin-1") == b"Vi\xaet Nam"


@pytest.mark.parametrize("name,expected", [
    (".VnTime", ("TCVN3", False)), (".VnTimeH", ("TCVN3", True)),
    (".VnArial", ("TCVN3", False)), (".VnArialH", ("TCVN3", True)),
    ("ABCDEF+.VnTimeH,Bold", ("TCVN3", True)), ("VnTime-BoldItalic", ("TCVN3", False)),
    (".VnCentury Schoolbook", ("TCVN3", False)), (".VnBlack", ("TCVN3", False)),
    ("VNI-Times", ("VNI", False)), ("JVSIVC+VNI-Helve", ("VNI", False)),
    ("VNI-Helve-Condense", ("VNI", False)), ("VISCII Times", ("VISCII", False)),
    ("Times New Roman", None), ("TimesNewRomanPSMT", None), ("Arial", None),
    ("VNF-Futura", None), ("DejaVuSerif", None), (None, None), ("", None),
])
def test_font_names(name, expected):
    found = font_encoding(name)
    assert (found and (found.encoding, found.caps)) == expected


def test_vni_longest_match_first():
    # ô alone is ơ, ô + ù is ớ; o + â is ô, o + á is ố; ö is ư
    assert decode("ôù ô oâ oá ö öôùc", "VNI") == "ớ ơ ô ố ư ước"


def test_caps_font_uppercases_ascii_too():
    assert decode("hä vµ tªn: nguyÔn v¨n a", "TCVN3", caps=True) == "HỌ VÀ TÊN: NGUYỄN VĂN A"


def test_tcvn3_capital_words_typed_without_capital_tones():
    # .VnTime has no Ế/Ị: typists wrote QUYÕT §ÞNH; the word is capitals throughout.
    assert decode("QUYÕT §ÞNH sè 12/Q§-UB cña Hå", "TCVN3") == "QUYẾT ĐỊNH số 12/QĐ-UB của Hồ"


def test_doubled_optional_hyphen_is_one_letter():
    assert decode("th\xad\xadëng n\xadíc", "TCVN3") == "thưởng nước"


def test_unicode_letters_in_a_legacy_run_are_kept():
    assert not encodings.is_bytes("người")
    assert decode("Hà Nội", "TCVN3")[-2] == "ộ"  # no byte: untouched


@pytest.mark.parametrize("word,ok", [
    ("người", True), ("quyết", True), ("nghiêng", True), ("khuya", True), ("gì", True),
    ("Đức", True), ("viÖt", False), ("tr×nh", False), ("Ngaøi", False), ("cña", False),
    ("Ngaứi", False), ("ủừụứng", False),
])
def test_syllables(word, ok):
    assert is_syllable(word) is ok


SAMPLE = ("Báo cáo về tình hình thực hiện nhiệm vụ phát triển kinh tế xã hội của tỉnh trong "
          "năm qua, những kết quả đạt được và tồn tại hạn chế; phương hướng, nhiệm vụ trọng "
          "tâm năm tới. Ủy ban nhân dân tỉnh đề nghị các sở, ngành phối hợp thực hiện.")


@pytest.mark.parametrize("name", encodings.ENCODINGS)
def test_detect_each_encoding(name):
    assert detect(encode(SAMPLE, name, lossy=True)) == name


def test_detect_says_nothing_when_unsure():
    assert detect(SAMPLE) is None  # Unicode already
    assert detect("Annual report on the budget, with figures and tables. " * 20) is None
    assert detect("c¸c") is None  # too short to tell
    assert detect("¤ ¦ ¯ ± ² ³ ´ ¼ ½ ¾ " * 20) is None  # symbols, no words


def test_reads_as_short_piece():
    assert encodings.reads_as("§¬n vÞ: 1000 ®ång", "TCVN3")
    assert not encodings.reads_as("Đơn vị: 1000 đồng", "TCVN3")
    assert not encodings.reads_as("Báo cáo các tháng", "TCVN3")  # Latin-1 Unicode words
    assert not encodings.reads_as("2024", "TCVN3")


def test_detect_is_linear():
    """8× the text costs about 8× the time (a ratio measured in one run, best of three, so
    the load of the machine cancels out; absolute times belong to `make bench`)."""
    import time

    def cost(k: int) -> float:
        text = encode(SAMPLE, "TCVN3", lossy=True) * k
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            assert detect(text) == "TCVN3"
            decode(text, "TCVN3")
            best = min(best, time.perf_counter() - start)
        return best

    small, large = cost(250), cost(2000)
    assert large / small < 20  # linear: 8; quadratic would be 64


# ---- TXT ---------------------------------------------------------------------------

TXT = ("QUYẾT ĐỊNH\n\nVề việc ban hành quy chế làm việc của Ủy ban nhân dân tỉnh\n\n"
       "Điều 1. Ban hành kèm theo Quyết định này Quy chế làm việc của Ủy ban nhân dân "
       "tỉnh nhiệm kỳ 2021 - 2026.\n\nĐiều 2. Quyết định có hiệu lực kể từ ngày ký; "
       "các sở, ban, ngành chịu trách nhiệm thi hành.\n")


@pytest.mark.parametrize("name", encodings.ENCODINGS)
def test_txt_legacy_bytes_are_converted(tmp_path, name):
    legacy = encode(TXT, name, lossy=True)
    path = tmp_path / f"qd-{name}.txt"
    path.write_bytes(legacy.encode("cp1252", errors="strict") if name != "VISCII"
                     else bytes(encodings.to_byte(c) for c in legacy))
    doc = extract(path)
    # TCVN3 has no Ủ: the typist's "ủy" stays (QUYẾT ĐỊNH in capitals is restored)
    expected = TXT.replace("Ủy", "ủy") if name == "TCVN3" else TXT
    assert doc.text == parse_text(expected).text
    assert doc.warnings == [f"converted {name} → Unicode (whole text, by character statistics)"]


@pytest.mark.parametrize("name", ["TCVN3", "VNI"])
def test_txt_legacy_saved_as_utf8_is_converted(tmp_path, name):
    path = tmp_path / "qd.txt"
    path.write_text(encode(TXT, name, lossy=True), encoding="utf-8")
    doc = extract(path)
    assert "Quy chế làm việc của" in doc.text and "y ban nhân dân tỉnh nhiệm kỳ" in doc.text
    assert doc.warnings and name in doc.warnings[0]


def test_txt_undecidable_legacy_still_fails(tmp_path):
    path = tmp_path / "rac.txt"
    path.write_bytes(bytes(range(0xA1, 0xFF)) * 3 + b"\n")
    with pytest.raises(ExtractionError, match="nor recognisably TCVN3, VNI or VISCII"):
        extract(path)


# ---- DOCX --------------------------------------------------------------------------

def _run(paragraph, text, font=None, bold=False):
    run = paragraph.add_run(text)
    if font:
        run.font.name = font  # w:rFonts ascii + hAnsi
    run.bold = bold or None
    return run


def _legacy_docx(path):
    """Unicode runs, .VnTime / .VnTimeH / VNI-Times runs, a style whose font is .VnTime
    (runs inherit it), document defaults in VNI-Times, a VNI letter split over two runs,
    TCVN3 ư as Word's optional hyphen, a footnote after legacy text."""
    d = docx.Document()
    style = d.styles.add_style("Van ban cu", 1)  # paragraph style in .VnTime
    style.font.name = ".VnTime"
    p = d.add_paragraph()
    _run(p, encode("ủy ban nhân dân tỉnh", "TCVN3", caps=True), ".VnTimeH")
    p = d.add_paragraph()
    _run(p, "Báo cáo ", "Times New Roman")
    _run(p, encode("tình hình thực hiện", "TCVN3"), ".VnTime")
    _run(p, " nhiệm vụ năm 2024 ", "Times New Roman")
    _run(p, encode("của các sở, ngành", "VNI"), "VNI-Times")
    p = d.add_paragraph(style="Van ban cu")
    _run(p, encode("Kết quả đạt được: ", "TCVN3"))  # font from the paragraph style
    r = p.add_run("t")
    r._r.append(parse_xml(f"<w:softHyphen {nsdecls('w')}/>"))  # how Word keeps byte AD
    p.add_run("¬ng ®èi tèt")
    add_footnote(p, "Số liệu của Sở Tài chính.")
    _run(p, encode(" và ổn định.", "TCVN3"))
    p = d.add_paragraph()
    _run(p, "Ña", "VNI-Times")  # Đại: a + ï (dot below) in the next run
    _run(p, "ïi hoïc", "VNI-Times", bold=True)
    # document defaults in VNI-Times: a run with no font of its own, Normal without one
    fonts = d.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/"
                                  f"{qn('w:rFonts')}")
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    fonts.set(qn("w:ascii"), "VNI-Times")
    fonts.set(qn("w:hAnsi"), "VNI-Times")
    p = d.add_paragraph()
    p.add_run(encode("Nơi nhận: như trên", "VNI"))
    d.save(path)
    return path


def test_docx_mixed_unicode_and_legacy_runs(tmp_path):
    doc = extract(_legacy_docx(tmp_path / "hon-hop.docx"))
    text = doc.text
    assert "ỦY BAN NHÂN DÂN TỈNH" in text
    assert "Báo cáo tình hình thực hiện nhiệm vụ năm 2024 của các sở, ngành" in text
    assert "Kết quả đạt được: tương đối tốt¹ và ổn định." in text
    assert "Đại học" in text  # VNI a + ï over two runs: one letter
    assert "Nơi nhận: như trên" in text
    assert not TCVN3_ARTEFACTS.search(text) and not VNI_ARTEFACTS.search(text)
    [fn] = doc.footnotes
    assert text[fn.anchor_start:fn.anchor_end] == "¹"
    assert any(w.startswith("converted TCVN3 → Unicode in ") for w in doc.warnings)
    assert any(w.startswith("converted VNI → Unicode in ") for w in doc.warnings)


def test_docx_unicode_in_legacy_font_is_left(tmp_path):
    d = docx.Document()
    _run(d.add_paragraph(), "Hà Nội, ngày 5 tháng 3 năm 2024", ".VnTime")
    d.save(tmp_path / "u.docx")
    doc = extract(tmp_path / "u.docx")
    assert doc.text == "Hà Nội, ngày 5 tháng 3 năm 2024" and not doc.warnings


def test_docx_unicode_document_unchanged(tmp_path):
    d = docx.Document()
    d.add_paragraph(SAMPLE)
    d.save(tmp_path / "u.docx")
    doc = extract(tmp_path / "u.docx")
    assert doc.text == SAMPLE and not doc.warnings


# ---- PDF ---------------------------------------------------------------------------

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"


def _pdf_font(alias: str):
    """DejaVu Serif registered under a legacy font's name (the PDF's BaseFont)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    font = TTFont(alias, FONT)
    font.face.name = alias.encode()
    pdfmetrics.registerFont(font)
    return alias


def _legacy_pdf(path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    vntime, vntimeh = _pdf_font(".VnTime"), _pdf_font(".VnTimeH")
    vni, plain = _pdf_font("VNI-Times"), _pdf_font("DejaVuSerifPlain")
    y = 780
    for font, text in [
        (vntimeh, encode("ủy ban nhân dân tỉnh", "TCVN3", caps=True)),
        (vntime, encode("Báo cáo tình hình thực hiện nhiệm vụ", "TCVN3")),
        (vni, encode("Đức Quán Thế Âm, lòng lành vô lượng", "VNI")),
        (plain, "Kết quả đạt được trong năm 2024 là khả quan."),
    ]:
        c.setFont(font, 12)
        c.drawString(72, y, text)
        y -= 40
    c.showPage()
    c.save()
    return path


def test_pdf_legacy_font_runs(tmp_path):
    doc = extract(_legacy_pdf(tmp_path / "cu.pdf"))
    text = doc.text
    assert "ỦY BAN NHÂN DÂN TỈNH" in text
    assert "Báo cáo tình hình thực hiện nhiệm vụ" in text
    assert "Đức Quán Thế Âm, lòng lành vô lượng" in text
    assert "Kết quả đạt được trong năm 2024 là khả quan." in text
    assert not TCVN3_ARTEFACTS.search(text) and not VNI_ARTEFACTS.search(text)
    assert {w.split(" in ")[0] for w in doc.warnings} == {
        "converted TCVN3 → Unicode", "converted VNI → Unicode"}


def test_pdf_neutral_font_by_statistics(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = tmp_path / "thay-font.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    plain, uni = _pdf_font("LiberationLike"), _pdf_font("UnicodeSerif")
    y = 780
    for line in ("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
                 "Xét đề nghị của Giám đốc Sở Nội vụ tại Tờ trình số 45,",
                 "Ủy ban nhân dân tỉnh quyết định ban hành kế hoạch cải cách hành chính."):
        c.setFont(plain, 12)
        c.drawString(72, y, encode(line, "TCVN3", lossy=True))
        y -= 20
    c.setFont(uni, 12)
    c.drawString(72, y - 20, "Nơi nhận: như trên; lưu văn thư.")
    # a second neutral font with too few words to judge alone: the document's encoding
    c.setFont(_pdf_font("ItalicLike"), 12)
    c.drawString(300, y - 60, encode("Lệ Thủy, ngày 29 tháng 11", "TCVN3"))
    c.showPage()
    c.save()
    doc = extract(path)
    assert "Căn cứ Luật Tổ chức chính quyền địa phương" in doc.text
    assert "Xét đề nghị của Giám đốc Sở Nội vụ" in doc.text
    assert "Nơi nhận: như trên; lưu văn thư." in doc.text
    assert "Lệ Thủy, ngày 29 tháng 11" in doc.text
    assert not TCVN3_ARTEFACTS.search(doc.text)
    assert doc.warnings and doc.warnings[0].startswith("converted TCVN3 → Unicode in ")


# ---- ingest ------------------------------------------------------------------------

def test_ingest_legacy_documents_keeps_provenance(tmp_path, ingest_into):
    from tests.test_provenance import assert_spans

    folder = tmp_path / "cu"
    folder.mkdir()
    _legacy_docx(folder / "hon-hop.docx")
    (folder / "qd.txt").write_bytes(encode(
        TXT + "\nCăn cứ Quyết định số 58/2024/QĐ-UBND ngày 12/3/2024 của Ủy ban nhân dân tỉnh.\n",
        "VNI").encode("cp1252"))
    _legacy_pdf(folder / "cu.pdf")
    summary, db = ingest_into(folder)
    rows = {r["path"].rsplit("/", 1)[-1]: r for r in db.query(
        "select path, status, warnings, text from documents")}
    assert {name: r["status"] for name, r in rows.items()} == {
        "hon-hop.docx": "partial", "qd.txt": "partial", "cu.pdf": "partial"}
    assert "converted VNI → Unicode" in rows["qd.txt"]["warnings"]
    assert "58/2024/QĐ-UBND" in rows["qd.txt"]["text"]
    cited = [r["canonical"] for r in db.query("select canonical from citations")]
    assert any("58/2024/QĐ-UBND" in (c or "") for c in cited)
    assert assert_spans(db) > 0


def test_docx_theme_font_wins_over_a_legacy_name(tmp_path):
    d = docx.Document()
    run = d.add_paragraph().add_run("Báo cáo các tháng")
    run.font.name = ".VnTime"
    run._r.rPr.rFonts.set(qn("w:hAnsiTheme"), "minorHAnsi")  # Word draws the theme font
    d.save(tmp_path / "theme.docx")
    assert extract(tmp_path / "theme.docx").text == "Báo cáo các tháng"


def test_detect_needs_most_words_to_read():
    # a poor OCR: a few words read in VISCII ("c§u" → cậu), most in no encoding at all
    ocr = ("Can cu k€ hoach v€ viec c§u m§u d¢ng xu§t c§ ch€ k€t thi€t ti€n d€n nhi€u "
           "TYL¥ bi€n K€t tn« Di€u di€u ") * 3
    assert encodings.scores(ocr)["VISCII"] == 1.0
    assert detect(ocr) is None


def test_unconverted_legacy_docx_is_not_ok(tmp_path):
    """Two legacy encodings, no font name: nothing is converted, and the document says
    its text does not read (status 'partial', not 'ok')."""
    d = docx.Document()
    d.add_paragraph(encode(TXT, "TCVN3", lossy=True))
    d.add_paragraph(encode(TXT, "VNI"))
    d.add_paragraph(encode(SAMPLE, "VISCII"))
    d.save(tmp_path / "rac.docx")
    doc = extract(tmp_path / "rac.docx")
    assert encodings.UNCONVERTED in doc.warnings  # (the quality gate says so too)


def test_looks_legacy():
    assert encodings.looks_legacy(encode(SAMPLE, "TCVN3", lossy=True))
    assert not encodings.looks_legacy(SAMPLE)
    text_without_marks = ("Bao cao ve tinh hinh thuc hien nhiem vu nam 2024 " * 20
                          + "c§u k€t v€ d¢ng " * 3)  # a poor OCR: few marked words
    assert not encodings.looks_legacy(text_without_marks)


def test_docx_numbering_label_in_a_legacy_font(tmp_path):
    from tests.test_docx import _add_numbering, _numbered

    d = docx.Document()
    num_id = _add_numbering(d, "decimal", encode("Điều %1.", "TCVN3"))  # "§iÒu %1."
    for level in d.part.numbering_part.element.iter(qn("w:lvl")):
        if level.find(qn("w:lvlText")).get(qn("w:val")).startswith("§"):
            level.append(parse_xml(f'<w:rPr {nsdecls("w")}><w:rFonts w:ascii=".VnTime" '
                                   f'w:hAnsi=".VnTime"/></w:rPr>'))
    _numbered(d, "Phạm vi điều chỉnh", num_id)
    d.save(tmp_path / "dieu.docx")
    assert "Điều 1. Phạm vi điều chỉnh" in extract(tmp_path / "dieu.docx").text


def test_docx_whole_text_in_tcvn3_without_font_names(tmp_path):
    """Fonts lost (Times New Roman everywhere) but every paragraph in TCVN3: the whole
    text decides, and runs that hold no syllable either way ("Q§-UB") follow it."""
    d = docx.Document()
    p = d.add_paragraph()
    p.add_run(encode("Số: ", "TCVN3"))
    p.add_run(encode("125/QĐ-UB", "TCVN3"))
    d.add_paragraph(encode(TXT, "TCVN3", lossy=True))
    d.add_paragraph("Hà Nội, ngày 5 tháng 3 năm 2004")  # a Unicode line stays as it is
    d.save(tmp_path / "mat-font.docx")
    doc = extract(tmp_path / "mat-font.docx")
    assert doc.text.startswith("Số: 125/QĐ-UB\n\nQUYẾT ĐỊNH")
    assert "Hà Nội, ngày 5 tháng 3 năm 2004" in doc.text
    assert not TCVN3_ARTEFACTS.search(doc.text)


@pytest.mark.parametrize("name", encodings.ENCODINGS)
def test_round_trip_of_any_text(name):
    """Whole strings of letters, spaces and ASCII decode back exactly: no two adjacent
    letters' bytes make a spurious sequence (VNI)."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    letters = [c for c in LETTERS if c in encodings.table(name).encode or c.islower()]
    alphabet = st.sampled_from(letters + list("abcdeghiklmnopqrstuvxyADGHNOTU .,-/0123456789"))

    @settings(max_examples=300, deadline=None)
    @given(st.lists(alphabet, min_size=1, max_size=40).map("".join))
    def check(text):
        legacy = encode(text, name)
        if "\xad\xad" in legacy:  # byte AD twice is read once (Word's optional hyphen)
            return
        decoded = decode(legacy, name)
        if name == "TCVN3":  # capitals restored in all-capital words are not in `text`
            assert decoded.lower() == text.lower()
        else:
            assert decoded == text

    check()
