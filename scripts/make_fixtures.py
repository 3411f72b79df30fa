"""Render the sample documents (our own text) into TXT, DOCX and PDF fixtures.

How to run (from the repository root):

    make fixtures                      # = .venv/bin/python scripts/make_fixtures.py
    .venv/bin/python scripts/make_fixtures.py --force   # re-render the PDF even if the
                                                        # DOCX did not change

Needs LibreOffice (`soffice`, Debian package libreoffice-writer) for the PDF renderings
and a font with Vietnamese glyphs (fonts-dejavu-core). The rendered files are committed:
CI does not regenerate them, so run this after editing a source and commit both.

Sources of truth (structured data, one YAML per document, see report.yaml for the syntax):
  tests/data/sample/report.yaml      -> tests/data/sample/bao-cao-mau.{txt,docx,pdf}
                                        and corpus/bao-cao-mau.{docx,pdf}
  tests/data/sample/quyet-dinh.yaml  -> corpus/quyet-dinh-58-2024.docx
  tests/data/sample/ke-hoach.yaml    -> corpus/ke-hoach-24-2024.md
  tests/data/sample/cong-van.yaml    -> corpus/cong-van-1468-2024.txt

The TXT rendering imitates a text export of a Word report (like the real one in
../shared/corpus/): superscript markers (¹ ²) in the body, each page's footnotes as
paragraphs where the page broke ({{PAGE}} can cut a sentence), and a footnote that ran
onto the next page ({{CONT}}) continued just before that page's first footnote.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import docx
import yaml
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from pipeline.text.builder import to_superscript  # noqa: E402
from tests.docx_footnotes import add_footnote  # noqa: E402

SAMPLE = ROOT / "tests" / "data" / "sample"
CORPUS = ROOT / "corpus"

MARKER = re.compile(r"\[\^(\d+)\]")
PAGE = "{{PAGE}}"
CONT = "{{CONT}}"
FONT = "Times New Roman"  # what Vietnamese offices use; LibreOffice substitutes if absent


# ---- source ----------------------------------------------------------------------------

def load(name: str) -> dict:
    doc = yaml.safe_load((SAMPLE / name).read_text(encoding="utf-8"))
    validate(doc)
    return doc


def _items(doc):
    for item in doc.get("body", []):
        if item == "pagebreak":
            continue
        (kind, value), = item.items()
        yield kind, value


def validate(doc: dict) -> None:
    """Catch mistakes in a source before rendering: markers 1..n in reading order, each
    footnote used once, table totals and percentages right (the only wrong figures must
    be the deliberate ones named in the source's comments, which are in the prose)."""
    seen = []
    for kind, value in _items(doc):
        if kind != "table":
            seen += [int(n) for n in MARKER.findall(value)]
    notes = {int(k): v for k, v in (doc.get("footnotes") or {}).items()}
    assert seen == list(range(1, len(seen) + 1)), f"markers out of order: {seen}"
    assert sorted(notes) == seen, f"footnotes {sorted(notes)} vs markers {seen}"
    for kind, value in _items(doc):
        if kind == "table" and value.get("total"):
            _check_table(value)


def _num(cell: str) -> float:
    return float(cell.replace(".", "").replace(",", "."))


def _check_table(table: dict) -> None:
    rows, total = table["rows"], table["total"]
    for col in (2, 3):
        assert sum(_num(r[col]) for r in rows) == _num(total[col]), f"column {col} total"
    for r in rows + [total]:
        pct = _num(r[3]) / _num(r[2]) * 100
        assert f"{pct:.2f}".replace(".", ",") == r[4], f"percentage in {r}"


def plain(text: str) -> str:
    """Text as printed in DOCX/PDF: no TXT page markers."""
    return text.replace(PAGE + " ", "").replace(PAGE, "").replace(CONT + " ", "").replace(CONT, "")


# ---- TXT -------------------------------------------------------------------------------

def render_txt(doc: dict) -> str:
    out: list[str] = []
    notes = {int(k): v for k, v in (doc.get("footnotes") or {}).items()}
    page_notes: list[int] = []
    carry: list[str] = []  # tail of a footnote that ran onto the current page

    def sup(text: str) -> str:
        return MARKER.sub(lambda m: to_superscript(m.group(1)), text)

    def body(text: str) -> None:
        page_notes.extend(int(n) for n in MARKER.findall(text))
        out.append(sup(text))

    def end_page() -> None:
        if not page_notes:
            return  # the carried tail waits for the next page that has footnotes
        out.extend(carry)
        carry.clear()
        for n in page_notes:
            head, _, tail = notes[n].partition(CONT)
            out.append(f"{to_superscript(n)} {head.strip()}")
            if tail:
                carry.append(tail.strip())
        page_notes.clear()

    h = doc.get("header")
    if h:  # a copied two-column header comes out row by row, one cell per paragraph
        out.append("\n".join(h["left"]))
        out.append("\n".join(h["right"]))
        out.append("\n".join([h["number"], *([h["subject"]] if h.get("subject") else [])]))
        out.append(h["place_date"])
    for key in ("title", "subtitle"):
        if doc.get(key):
            out.append(doc[key])
    for item in doc.get("body", []):
        if item == "pagebreak":
            end_page()
            continue
        (kind, value), = item.items()
        if kind == "table":
            if value.get("caption"):
                out.append(value["caption"])
            rows = [value["header"], *value["rows"], *([value["total"]] if value.get("total") else [])]
            out.append("\n".join(" | ".join(c for c in r) for r in rows))
        elif PAGE in value:
            before, after = value.split(PAGE, 1)
            body(before.rstrip())
            end_page()
            body(after.lstrip())
        else:
            body(value.replace(CONT, ""))
    end_page()
    out.extend(carry)
    c = doc.get("closing")
    if c:
        if c.get("recipients"):
            out.append("Nơi nhận:")
            out.append("\n".join(f"- {r}" for r in c["recipients"]))
        out.append("**" + "\n".join(c["signature"]) + "**")
        out.append(c["signer"])
    return "\n\n".join(out) + "\n"


# A wrapped line must not start like a list item, heading or footnote ("2024 và …" would
# read as a numbered heading), so such a word is pulled back onto the line before.
_BAD_LINE_START = re.compile(r"^(?:[\d(\-–•+*⁰¹²³⁴⁵⁶⁷⁸⁹]|[a-zđ]\)|[IVXLC]+\.|Điều\s)")


def hard_wrap(text: str, width: int = 88) -> str:
    """Hard-wrap each paragraph of a rendered text (Markdown files are often wrapped),
    keeping the header/closing layout lines and table rows as they are."""
    out = []
    for para in text.split("\n\n"):
        if "\n" in para or len(para) <= width:
            out.append(para)
            continue
        lines: list[list[str]] = [[]]
        for word in para.split(" "):
            if lines[-1] and len(" ".join(lines[-1] + [word])) > width:
                lines.append([])
            lines[-1].append(word)
        for i in range(len(lines) - 1, 0, -1):
            while _BAD_LINE_START.match(lines[i][0]) and len(lines[i - 1]) > 1:
                lines[i].insert(0, lines[i - 1].pop())
        out.append("\n".join(" ".join(ws) for ws in lines))
    return "\n\n".join(out)


def render_text(doc: dict, suffix: str = ".txt") -> str:
    return hard_wrap(render_txt(doc)) if suffix == ".md" else render_txt(doc)


# ---- DOCX ------------------------------------------------------------------------------

def _set_font(style_or_run_font, size=None, bold=None, italic=None):
    f = style_or_run_font
    f.name = FONT
    if size:
        f.size = Pt(size)
    if bold is not None:
        f.bold = bold
    if italic is not None:
        f.italic = italic


def _plain_font(style) -> None:
    """Drop theme fonts/colours (Calibri Light, blue) from a built-in style."""
    rpr = style.element.get_or_add_rPr()
    for tag in ("w:rFonts", "w:color"):
        for el in rpr.findall(qn(tag)):
            rpr.remove(el)
    style.font.name = FONT
    rfonts = rpr.find(qn("w:rFonts"))
    rfonts.set(qn("w:eastAsia"), FONT)
    rfonts.set(qn("w:cs"), FONT)


def _setup_styles(d: docx.Document) -> None:
    normal = d.styles["Normal"]
    _plain_font(normal)
    _set_font(normal.font, 14)
    pf = normal.paragraph_format
    pf.space_before, pf.space_after = Pt(3), Pt(3)
    pf.line_spacing = 1.1
    for level in (1, 2, 3, 4):
        st = d.styles[f"Heading {level}"]
        _plain_font(st)
        _set_font(st.font, 14, bold=True, italic=level == 4)
        st.paragraph_format.space_before = Pt(6)
        st.paragraph_format.space_after = Pt(3)
        st.paragraph_format.first_line_indent = Cm(1)
        st.paragraph_format.keep_with_next = True


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = parse_xml(
        f'<w:tblBorders {nsdecls("w")}>'
        + "".join(f'<w:{s} w:val="nil"/>' for s in
                  ("top", "left", "bottom", "right", "insideH", "insideV"))
        + "</w:tblBorders>")
    tbl_pr.append(borders)


def _widths(table, widths) -> None:
    """Fixed column widths (LibreOffice ignores gridCol widths on an auto-width table)."""
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    for el in tbl_pr.findall(qn("w:tblW")):
        tbl_pr.remove(el)
    tbl_w = parse_xml(
        f'<w:tblW {nsdecls("w")} w:w="{sum(w.twips for w in widths)}" w:type="dxa"/>')
    style = tbl_pr.find(qn("w:tblStyle"))  # schema order: tblStyle, then tblW
    tbl_pr.insert(0 if style is None else 1, tbl_w)
    for col, w in zip(table.columns, widths):
        col.width = w
        for cell in col.cells:
            cell.width = w


def _cell_lines(cell, lines, *, bold=(), italic=(), size=13, align=WD_ALIGN_PARAGRAPH.CENTER):
    cell.paragraphs[0].text = ""
    for i, line in enumerate(lines):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        p.alignment = align
        p.paragraph_format.first_line_indent = Cm(0)
        p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(0)
        run = p.add_run(line)
        _set_font(run.font, size, bold=i in bold or line in bold, italic=i in italic)
    return cell


def _add_marked(paragraph, text: str, notes: dict) -> None:
    """Write `text` into `paragraph`, turning [^n] into real Word footnotes."""
    pos = 0
    for m in MARKER.finditer(text):
        if m.start() > pos:
            paragraph.add_run(text[pos:m.start()])
        fid = add_footnote(paragraph, plain(notes[int(m.group(1))]))
        assert fid == int(m.group(1)), "footnote ids follow the markers"
        pos = m.end()
    if pos < len(text):
        paragraph.add_run(text[pos:])


def _header_table(d, h) -> None:
    t = d.add_table(rows=2, cols=2)
    _no_borders(t)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(t, (Cm(5.5), Cm(10.5)))
    _cell_lines(t.cell(0, 0), h["left"], bold=range(1, len(h["left"])), size=12)
    _cell_lines(t.cell(0, 1), h["right"], bold=range(len(h["right"])), size=11.5)
    _cell_lines(t.cell(1, 0), [h["number"], *([h["subject"]] if h.get("subject") else [])],
                size=12)
    _cell_lines(t.cell(1, 1), [h["place_date"]], italic=(0,), size=12)


def _closing_table(d, c) -> None:
    t = d.add_table(rows=1, cols=2)
    _no_borders(t)
    _widths(t, (Cm(7.5), Cm(8.5)))
    left, right = t.cell(0, 0), t.cell(0, 1)
    if c.get("recipients"):
        _cell_lines(left, ["Nơi nhận:", *(f"- {r}" for r in c["recipients"])],
                    bold=(0,), italic=(0,), size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _cell_lines(right, [*c["signature"], "", "", "", c["signer"]],
                bold={*c["signature"], c["signer"]}, size=14)


def _page_furniture(d, footer_text: str | None) -> None:
    """Page number in the header from page 2 on, a running footer: both outside the body."""
    sec = d.sections[0]
    sec.page_height, sec.page_width = Cm(29.7), Cm(21)
    sec.top_margin, sec.bottom_margin = Cm(2), Cm(2)
    sec.left_margin, sec.right_margin = Cm(3), Cm(2)
    sec.different_first_page_header_footer = True
    hp = sec.header.paragraphs[0]
    hp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = hp.add_run()
    for xml in ('<w:fldChar {} w:fldCharType="begin"/>', '<w:instrText {} xml:space="preserve"> PAGE </w:instrText>',
                '<w:fldChar {} w:fldCharType="separate"/>', '<w:t {}>2</w:t>',
                '<w:fldChar {} w:fldCharType="end"/>'):
        run._r.append(parse_xml(xml.format(nsdecls("w"))))
    _set_font(run.font, 13)
    if footer_text:
        for footer in (sec.footer, sec.first_page_footer):
            fp = footer.paragraphs[0]
            fp.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            r = fp.add_run(footer_text)
            _set_font(r.font, 10, italic=True)


def _write_stable(d: docx.Document, path: Path) -> bool:
    """Save with fixed zip timestamps so an unchanged source gives identical bytes (no
    git churn, no needless PDF re-rendering). Returns whether the file changed."""
    raw = io.BytesIO()
    d.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, (2024, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info))
    data = out.getvalue()
    if path.exists() and path.read_bytes() == data:
        return False
    path.write_bytes(data)
    return True


def render_docx(doc: dict, path: Path) -> bool:
    """Write `doc` as a .docx at `path`; return whether the file changed."""
    d = docx.Document()
    _setup_styles(d)
    _page_furniture(d, doc.get("page_footer"))
    cp = d.core_properties
    cp.author = " ".join(doc["header"]["left"]).title() if doc.get("header") else "baocao"
    cp.title = doc.get("subtitle") or doc.get("title") or ""
    cp.created = cp.modified = dt.datetime(2024, 12, 15, 8, 0, 0)
    cp.last_modified_by, cp.revision = cp.author, 1
    notes = {int(k): v for k, v in (doc.get("footnotes") or {}).items()}
    if doc.get("header"):
        _header_table(d, doc["header"])
    for key in ("title", "subtitle"):
        if doc.get(key):
            p = d.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.space_before = Pt(12 if key == "title" else 0)
            r = p.add_run(doc[key])
            _set_font(r.font, 14, bold=True)
    for item in doc.get("body", []):
        if item == "pagebreak":
            continue  # Word paginates by itself
        (kind, value), = item.items()
        if kind == "table":
            _data_table(d, value)
            continue
        text = plain(value)
        if kind in ("h1", "h2", "h3", "h4"):
            p = d.add_paragraph(style=f"Heading {kind[1]}")
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        elif kind == "center":
            p = d.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.first_line_indent = Cm(0)
            _add_marked(p, text, notes)
            for r in p.runs:
                r.font.bold = True
            continue
        else:
            p = d.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            p.paragraph_format.first_line_indent = Cm(1)
        _add_marked(p, text, notes)
    if doc.get("closing"):
        _closing_table(d, doc["closing"])
    return _write_stable(d, path)


def _data_table(d, table: dict) -> None:
    if table.get("caption"):
        p = d.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        r = p.add_run(table["caption"])
        _set_font(r.font, 13, bold=True, italic=True)
    rows = [table["header"], *table["rows"], *([table["total"]] if table.get("total") else [])]
    t = d.add_table(rows=len(rows), cols=len(rows[0]))
    t.style = d.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(t, [Cm(w) for w in table.get("widths", [1.6, 4.6, 3.2, 3.2, 3.4])])
    for i, row in enumerate(rows):
        for j, text in enumerate(row):
            cell = t.cell(i, j)
            p = cell.paragraphs[0]
            p.paragraph_format.first_line_indent = Cm(0)
            p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(2)
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT if j == 1 and i else WD_ALIGN_PARAGRAPH.CENTER
            r = p.add_run(text)
            _set_font(r.font, 12, bold=i == 0 or (table.get("total") and i == len(rows) - 1))
    d.add_paragraph()  # Word needs a paragraph between a table and what follows


# ---- PDF -------------------------------------------------------------------------------

def render_pdf(docx_path: Path, out_dir: Path) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise SystemExit("LibreOffice (soffice) is needed for the PDF renderings")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{profile}", "--headless",
             "--convert-to", "pdf", "--outdir", str(out_dir), str(docx_path)],
            check=True, capture_output=True, timeout=180)
    return out_dir / (docx_path.stem + ".pdf")


# ---- main ------------------------------------------------------------------------------

def main() -> None:
    CORPUS.mkdir(exist_ok=True)
    report = load("report.yaml")
    (SAMPLE / "bao-cao-mau.txt").write_text(render_txt(report), encoding="utf-8")
    changed = render_docx(report, SAMPLE / "bao-cao-mau.docx")
    if changed or "--force" in sys.argv or not (SAMPLE / "bao-cao-mau.pdf").exists():
        render_pdf(SAMPLE / "bao-cao-mau.docx", SAMPLE)
    for suffix in (".docx", ".pdf"):
        shutil.copyfile(SAMPLE / f"bao-cao-mau{suffix}", CORPUS / f"bao-cao-mau{suffix}")
    others = [("quyet-dinh.yaml", "quyet-dinh-58-2024.docx"),
              ("ke-hoach.yaml", "ke-hoach-24-2024.md"),
              ("cong-van.yaml", "cong-van-1468-2024.txt")]
    for src, out in others:
        if not (SAMPLE / src).exists():
            continue
        doc = load(src)
        target = CORPUS / out
        if target.suffix == ".docx":
            render_docx(doc, target)
        else:
            target.write_text(render_text(doc, target.suffix), encoding="utf-8")
    for f in sorted([*SAMPLE.glob("bao-cao-mau.*"), *CORPUS.iterdir()]):
        print(f"{f.relative_to(ROOT)}  {f.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
