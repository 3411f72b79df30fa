"""Markdown and HTML documents (extractors/markup.py): structure kept, markup out."""
from __future__ import annotations

import shutil
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from extractors import extract, sniff
from extractors.markup import parse_markdown
from schemas.records import ExtractionError

ROOT = Path(__file__).resolve().parents[1]
KE_HOACH = ROOT / "corpus" / "ke-hoach-24-2024.md"


def blocks(doc):
    return [(b.kind, b.level, doc.text[b.start:b.end]) for b in doc.blocks]


def notes(doc):
    return {f.number: (doc.text[f.start:f.end], doc.text[f.anchor_start:f.anchor_end],
                       doc.text[max(0, f.anchor_start - 12):f.anchor_start])
            for f in doc.footnotes}


# ---- Markdown -----------------------------------------------------------------------------

REPORT_MD = """**ỦY BAN NHÂN DÂN**
**HUYỆN MƯỜNG ẢNG**

# BÁO CÁO

## I. KẾT QUẢ THỰC HIỆN

### 1. Cải cách thủ tục hành chính

Năm 2025, huyện tiếp nhận 8.214 hồ sơ[^hs], trong đó giải quyết đúng hạn
7.990 hồ sơ, đạt 97,3%; thực hiện theo **Nghị** định số 61/2018/NĐ-CP và
Ngh**ị** quyết số 12/NQ-HĐND[^nq].

| STT | Lĩnh vực | Số hồ sơ |
|----:|:---------|---------:|
| 1 | **Đất đai** | 3.105 |
| 2 | Hộ tịch[^hs] | 2.870 |

- Rà soát 45 thủ tục hành chính;
- Công bố `12` quy trình nội bộ.

1. Mục tiêu năm 2026
2. Giải pháp

Xem [Cổng Dịch vụ công](https://dichvucong.gov.vn) và ghi chú^[Số liệu sơ bộ, chưa kiểm tra.].

[^hs]: Gồm hồ sơ trực tuyến và trực tiếp.
[^nq]: Nghị quyết về phí, lệ phí trên địa bàn tỉnh.
"""


@pytest.fixture(scope="module")
def report_md():
    return parse_markdown(REPORT_MD, "bao-cao.md")


def test_markdown_headings_lists_and_paragraphs(report_md):
    got = blocks(report_md)
    assert got[:5] == [
        ("heading", None, "ỦY BAN NHÂN DÂN"),  # two header lines: two blocks, like a TXT file
        ("heading", None, "HUYỆN MƯỜNG ẢNG"),
        ("heading", 1, "BÁO CÁO"),
        ("heading", 2, "I. KẾT QUẢ THỰC HIỆN"),
        ("heading", 3, "1. Cải cách thủ tục hành chính"),
    ]
    para = got[5]
    assert para[0] == "paragraph"
    # soft-wrapped lines re-joined with a space; emphasis inside a word leaves no space
    assert para[2] == ("Năm 2025, huyện tiếp nhận 8.214 hồ sơ¹, trong đó giải quyết đúng hạn "
                       "7.990 hồ sơ, đạt 97,3%; thực hiện theo Nghị định số 61/2018/NĐ-CP và "
                       "Nghị quyết số 12/NQ-HĐND².")
    assert ("list_item", None, "- Rà soát 45 thủ tục hành chính;") in got
    assert ("list_item", None, "- Công bố 12 quy trình nội bộ.") in got
    kinds = {text: kind for kind, _, text in got}
    assert "1. Mục tiêu năm 2026" in kinds and "2. Giải pháp" in kinds
    assert "Xem Cổng Dịch vụ công và ghi chú³." in kinds


def test_markdown_table_and_no_markup(report_md):
    (table,) = report_md.tables
    assert table.rows == [["STT", "Lĩnh vực", "Số hồ sơ"], ["1", "Đất đai", "3.105"],
                          ["2", "Hộ tịch¹", "2.870"]]
    body = report_md.text[: report_md.body_end]
    for mark in ("**", "#", "`", "[", "](", "^", "----"):
        assert mark not in body, mark
    table_text = report_md.text[table.start:table.end]
    assert body.count("|") == table_text.count("|") == 6  # only the cell separators


def test_markdown_footnotes_are_real_footnotes(report_md):
    got = notes(report_md)
    assert got[1][0] == "Gồm hồ sơ trực tuyến và trực tiếp."
    assert got[2][0] == "Nghị quyết về phí, lệ phí trên địa bàn tỉnh."
    assert got[3][0] == "Số liệu sơ bộ, chưa kiểm tra."
    assert [got[n][1] for n in (1, 2, 3)] == ["¹", "²", "³"]
    assert got[1][2].endswith("8.214 hồ sơ") and got[2][2].endswith("12/NQ-HĐND")
    assert got[3][2].endswith("và ghi chú")
    assert not report_md.warnings


@pytest.mark.parametrize("source, expected", [
    ("**Nghị** định số 30/2020/NĐ-CP", "Nghị định số 30/2020/NĐ-CP"),
    ("Ngh**ị** định số 30/2020/NĐ-CP", "Nghị định số 30/2020/NĐ-CP"),
    ("Nghị *định* số _30_/2020/NĐ-CP", "Nghị định số 30/2020/NĐ-CP"),
    ("Nghị ~~định~~ số 30", "Nghị định số 30"),
    ("Nghị định số 30/2020/NĐ&#8209;CP &amp; Thông tư", "Nghị định số 30/2020/NĐ\u2011CP & Thông tư"),
    ("Tỷ lệ đạt 98\\*", "Tỷ lệ đạt 98*"),
])
def test_markdown_inline_markup_leaves_only_text(source, expected):
    doc = parse_markdown(source + "\n")
    assert doc.text == expected


def test_markdown_html_block_table():
    doc = parse_markdown("Bảng tổng hợp:\n\n<table><tr><th>Xã</th><th>Hồ sơ</th></tr>"
                         "<tr><td>Ẳng Nưa</td><td>412</td></tr></table>\n")
    assert doc.tables[0].rows == [["Xã", "Hồ sơ"], ["Ẳng Nưa", "412"]]
    assert "<" not in doc.text


def test_ke_hoach_reads_as_the_text_reader_read_it(tmp_path, ingest_into):
    """corpus/ke-hoach-24-2024.md was read by the TXT extractor before Markdown had its
    own reader: the same citations, figures, dates and sections come out of both."""
    as_txt = tmp_path / "ke-hoach.txt"
    # one more trailing newline: other bytes (a same-content copy is stored once), same text
    as_txt.write_bytes(KE_HOACH.read_bytes() + b"\n")
    summary, db = ingest_into(KE_HOACH, as_txt)
    docs = {Path(r["path"]).suffix: r for r in db.query("select * from documents")}
    ids = {suffix: (r["id"], r["format"]) for suffix, r in docs.items()}
    assert ids[".md"][1] == "md" and ids[".txt"][1] == "txt"
    # really read as Markdown: the bold signature block lost its "**"
    assert "**" in docs[".txt"]["text"] and "**" not in docs[".md"]["text"]

    def rows(sql, suffix):
        return Counter(tuple(r.values()) for r in db.query(sql, [ids[suffix][0]]))

    for sql in ("select canonical, surface, form from citations where document_id = ?",
                "select surface, value, unit, kind from figures where document_id = ?",
                "select value, kind from dates where document_id = ?",
                "select path, heading from sections where document_id = ?",
                "select kind, verdict from checks where document_id = ?",
                "select category from findings where document_id = ?"):
        md, txt = rows(sql, ".md"), rows(sql, ".txt")
        assert md and md == txt, sql


def test_markdown_front_matter_is_metadata():
    doc = parse_markdown("---\ntitle: Báo cáo tháng 11\nso: 88/BC-UBND\ndraft: true\n---\n\n"
                         "Nội dung báo cáo.\n")
    assert doc.text == "Nội dung báo cáo."
    assert doc.metadata == {"title": "Báo cáo tháng 11", "so": "88/BC-UBND"}


def test_text_export_saved_as_md_keeps_its_footnotes():
    """Superscript footnote paragraphs of a Word text export: read as the TXT reader does."""
    source = ("BÁO CÁO\n\nToàn huyện có 96 Tổ công nghệ số cộng đồng¹ với 412 thành viên.\n\n"
              "¹ Thành lập theo Kế hoạch số 21/KH-UBND ngày 12/02/2025.\n")
    doc = parse_markdown(source)
    assert doc.format == "md"
    (note,) = doc.footnotes
    assert doc.text[note.start:note.end] == "Thành lập theo Kế hoạch số 21/KH-UBND ngày 12/02/2025."
    assert doc.text[note.anchor_start:note.anchor_end] == "¹" and note.anchor_start < doc.body_end
    # a superscript that is only a unit, or Markdown's own footnotes: the Markdown reader
    doc = parse_markdown("Diện tích 1.250 m²[^1].\n\n[^1]: Đo đạc năm 2024.\n")
    assert [doc.text[f.start:f.end] for f in doc.footnotes] == ["Đo đạc năm 2024."]


def test_markdown_file_sniffed_by_extension(tmp_path):
    path = tmp_path / "ghi-chu.markdown"
    path.write_text("## Kết luận\n\nGiao Văn phòng theo dõi.\n", encoding="utf-8")
    doc = extract(path)
    assert doc.format == "md" and blocks(doc)[0] == ("heading", 2, "Kết luận")
    empty = tmp_path / "rong.md"
    empty.write_text("\n  \n", encoding="utf-8")
    with pytest.raises(ExtractionError, match="^empty file"):
        extract(empty)


# ---- HTML ---------------------------------------------------------------------------------

REPORT_HTML = """<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>Báo cáo số 45/BC-UBND</title>
<style>p { margin: 0 }</style>
<script>document.write("<p>không phải văn bản</p>");</script></head>
<body>
<div class="header"><p><b>ỦY BAN NHÂN DÂN</b><br>XÃ TÂN PHÚ</p></div>
<h1>BÁO CÁO</h1>
<h2>Kết quả &ldquo;một cửa&rdquo; năm&nbsp;2025</h2>
<p>Xã tiếp nhận
   1.024 hồ sơ<sup><a href="#fn1" id="fnref1">1</a></sup>, theo Ngh<b>ị</b> định
   số 61/2018/NĐ-CP&#44; tỷ lệ đúng hạn đạt 99,1%.</p>
<p style="color: red; display : none">Đoạn bị ẩn.</p>
<p hidden>Đoạn hidden.</p>
<noscript>Bật JavaScript.</noscript>
<ul><li>Rà soát thủ tục;<ul><li>cấp xã;</li></ul></li><li>Niêm yết công khai.</li></ul>
<ol type="a" start="2"><li>Tiếp tục số hóa;</li><li>Báo cáo định kỳ.</li></ol>
<table border="1">
 <tr><th rowspan="2">STT</th><th colspan="2">Hồ sơ</th></tr>
 <tr><th>Tiếp nhận</th><th>Đúng hạn<a href="#_ftn2" name="_ftnref2">[2]</a></th></tr>
 <tr><td>1</td><td>1.024</td><td>1.015</td></tr>
</table>
<p>Nơi nhận:<br>- UBND huyện;<br>- Lưu: VT.</p>
<section class="footnotes"><hr><ol>
 <li id="fn1"><p>Kể cả hồ sơ trực tuyến. <a href="#fnref1" class="footnote-backref">↩</a></p></li>
</ol></section>
<div style="mso-element:footnote-list"><div style="mso-element:footnote" id="ftn2">
 <p class="MsoFootnoteText"><a href="#_ftnref2" name="_ftn2">[2]</a> Tính đến ngày 15/12/2025.</p>
 <p class="MsoFootnoteText">Không gồm hồ sơ rút.</p>
</div></div>
</body></html>
"""


@pytest.fixture(scope="module")
def report_html(tmp_path_factory):
    path = tmp_path_factory.mktemp("html") / "bao-cao.html"
    path.write_text(REPORT_HTML, encoding="utf-8")
    return extract(path)


def test_html_structure(report_html):
    doc = report_html
    assert doc.format == "html" and doc.metadata["title"] == "Báo cáo số 45/BC-UBND"
    got = blocks(doc)
    assert got[0][2] == "ỦY BAN NHÂN DÂN\nXÃ TÂN PHÚ"
    assert ("heading", 1, "BÁO CÁO") in got
    assert ("heading", 2, "Kết quả “một cửa” năm 2025") in got
    assert ("paragraph", None, "Xã tiếp nhận 1.024 hồ sơ¹, theo Nghị định số 61/2018/NĐ-CP, "
                               "tỷ lệ đúng hạn đạt 99,1%.") in got
    items = [t for k, _, t in got if k == "list_item"]
    assert items == ["• Rà soát thủ tục;", "• cấp xã;", "• Niêm yết công khai.",
                     "b) Tiếp tục số hóa;", "c) Báo cáo định kỳ."]
    (table,) = doc.tables
    assert table.rows == [["STT", "Hồ sơ", ""], ["", "Tiếp nhận", "Đúng hạn²"],
                          ["1", "1.024", "1.015"]]


def test_html_drops_scripts_styles_hidden_and_tags(report_html):
    text = report_html.text
    for gone in ("không phải văn bản", "margin", "Đoạn bị ẩn", "Đoạn hidden", "JavaScript",
                 "<", ">", "&", "↩", "[2]", "document.write"):
        assert gone not in text, gone


def test_html_footnotes_from_link_pairs(report_html):
    got = notes(report_html)
    assert got[1][:2] == ("Kể cả hồ sơ trực tuyến.", "¹") and got[1][2].endswith("1.024 hồ sơ")
    # Word's "Save as Web Page": the note's second paragraph belongs to it
    assert got[2][:2] == ("Tính đến ngày 15/12/2025. Không gồm hồ sơ rút.", "²")
    assert got[2][2].endswith("Đúng hạn")
    body = report_html.text[: report_html.body_end]
    assert "Kể cả hồ sơ" not in body and "Tính đến ngày" not in body


def test_html_link_that_is_not_a_footnote_stays_text(tmp_path):
    path = tmp_path / "muc-luc.htm"
    path.write_text('<p><a href="#p2">2</a> Mục lục</p><h2 id="p2">2. Nội dung</h2>'
                    '<p>Chi tiết.</p>', encoding="utf-8")
    doc = extract(path)
    assert not doc.footnotes and "2 Mục lục" in doc.text


def test_html_never_resolves_entities_or_dtds(tmp_path):
    secret = tmp_path / "bi-mat.txt"
    secret.write_text("MAT-KHAU-XYZ", encoding="utf-8")
    path = tmp_path / "xxe.html"
    path.write_text(f"""<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://127.0.0.1:9/x.dtd" [
  <!ENTITY xxe SYSTEM "{secret.as_uri()}">
  <!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;
]>
<html xmlns="http://www.w3.org/1999/xhtml"><body><p>Nội dung &xxe; hết.</p></body></html>
""", encoding="utf-8")
    doc = extract(path)
    assert "MAT-KHAU-XYZ" not in doc.text
    assert "ENTITY" not in doc.text and "]>" not in doc.text
    assert doc.text.startswith("Nội dung")


def _cp1258(text: str) -> bytes:
    """Windows-1258 has the letters with hat, breve and horn, and the tones as combining
    marks after them."""
    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", ch)
            tones = "".join(c for c in decomposed if c in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in tones))
            out += (base + tones).encode("cp1258")
    return out


def test_html_declared_legacy_charset(tmp_path):
    text = "Ủy ban nhân dân tỉnh Điện Biên báo cáo kết quả thực hiện nhiệm vụ."
    path = tmp_path / "cu.htm"
    path.write_bytes(b'<html><head><meta http-equiv="Content-Type" content="text/html; '
                     b'charset=windows-1258"></head><body><p>' + _cp1258(text)
                     + b"</p></body></html>")
    assert extract(path).text == text


def test_html_sniffed_by_content(tmp_path):
    saved_as_doc = tmp_path / "van-ban.doc"  # Word's "web page" saved with a .doc name
    saved_as_doc.write_text("<html><body><p>Công văn số 15/UBND-VP.</p></body></html>",
                            encoding="utf-8")
    assert sniff(saved_as_doc, saved_as_doc.read_bytes()[:4096]) == "html"
    assert extract(saved_as_doc).text == "Công văn số 15/UBND-VP."
    utf16 = tmp_path / "trang-web.doc"  # Word's "Unicode" web page
    utf16.write_bytes('<?xml version="1.0"?>\n<html><body><p>Thông báo số 7/TB-VP.</p>'
                      '</body></html>'.encode("utf-16"))
    assert extract(utf16).text == "Thông báo số 7/TB-VP."
    empty = tmp_path / "rong.html"
    empty.write_text("<html><body><script>x()</script></body></html>", encoding="utf-8")
    with pytest.raises(ExtractionError, match="^no text in the HTML file$"):
        extract(empty)


def test_markup_documents_keep_provenance(tmp_path, ingest_into):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "bao-cao.md").write_text(REPORT_MD, encoding="utf-8")
    (tmp_path / "in" / "bao-cao.html").write_text(REPORT_HTML, encoding="utf-8")
    summary, db = ingest_into(tmp_path / "in")
    assert {o.status for o in summary.outcomes} == {"ingested"}
    for doc in db.query("select id, text from documents"):
        text = doc["text"]
        for table, col in (("blocks", None), ("footnotes", "text"), ("citations", "surface"),
                           ("figures", "surface")):
            for r in db.query(f"select * from {table} where document_id = ?", [doc["id"]]):
                assert r["end"] > r["start"]
                if col:
                    assert text[r["start"]:r["end"]] == r[col], (table, r)
        cited = {r["canonical"] for r in db.query(
            "select canonical from citations where document_id = ?", [doc["id"]])}
        assert "61/2018/NĐ-CP" in cited
