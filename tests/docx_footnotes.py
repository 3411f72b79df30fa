"""Real Word footnotes for python-docx documents (python-docx 1.2 has no footnote API).

    doc = docx.Document()
    p = doc.add_paragraph("Tỷ lệ hồ sơ giải quyết đúng hạn đạt 98,5%")
    n = add_footnote(p, "Theo số liệu của Hệ thống thông tin giải quyết TTHC tỉnh.")
    p.add_run(" và tiếp tục tăng.")
    doc.save(path)

`add_footnote` appends a `w:footnoteReference` run at the current end of the paragraph
(so text added afterwards follows the marker) and a `w:footnote` to word/footnotes.xml,
creating that part (with its relationship, content type, separator footnotes and the
FootnoteText / FootnoteReference styles) the first time. Used by the tests and by
scripts/make_fixtures.py.
"""
from __future__ import annotations

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part, XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

_FOOTNOTES_XML = (
    f"<w:footnotes {nsdecls('w', 'r')}>"
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" '
    'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing '
    'w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/>'
    "</w:r></w:p></w:footnote>"
    "</w:footnotes>"
)

_STYLES = {
    "FootnoteText": (
        f'<w:style {nsdecls("w")} w:type="paragraph" w:styleId="FootnoteText">'
        '<w:name w:val="footnote text"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/>'
        '<w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/><w:jc w:val="both"/>'
        '</w:pPr><w:rPr><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr></w:style>'
    ),
    "FootnoteReference": (
        f'<w:style {nsdecls("w")} w:type="character" w:styleId="FootnoteReference">'
        '<w:name w:val="footnote reference"/><w:uiPriority w:val="99"/>'
        '<w:rPr><w:vertAlign w:val="superscript"/></w:rPr></w:style>'
    ),
}


class _Footnotes:
    """The footnotes part's root element, whether python-docx loaded it as an XmlPart or
    (the usual case for a loaded file) as an opaque Part holding bytes."""

    def __init__(self, part: Part):
        self.part = part
        self.root = part.element if isinstance(part, XmlPart) else parse_xml(part.blob)

    def save(self) -> None:
        if not isinstance(self.part, XmlPart):
            from lxml import etree

            self.part._blob = etree.tostring(
                self.root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _footnotes(document_part) -> _Footnotes:
    for rel in document_part.rels.values():
        if rel.reltype == RT.FOOTNOTES and not rel.is_external:
            return _Footnotes(rel.target_part)
    part = XmlPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES,
                   parse_xml(_FOOTNOTES_XML), document_part.package)
    document_part.relate_to(part, RT.FOOTNOTES)
    _ensure_styles(document_part)
    return _Footnotes(part)


def _ensure_styles(document_part) -> None:
    styles = document_part.styles.element  # creates the styles part if missing
    have = {s.get(qn("w:styleId")) for s in styles.findall(qn("w:style"))}
    for style_id, xml in _STYLES.items():
        if style_id not in have:
            styles.append(parse_xml(xml))


def _ref_run(tag: str, footnote_id: int, mark: str | None):
    """A run holding a footnoteReference (body) or footnoteRef (inside the footnote)."""
    custom = ' w:customMarkFollows="1"' if mark and tag == "footnoteReference" else ""
    id_attr = f' w:id="{footnote_id}"' if tag == "footnoteReference" else ""
    inner = f"<w:{tag}{custom}{id_attr}/>"
    if mark:  # custom mark: Word shows the text that follows instead of a number
        inner = (inner if tag == "footnoteReference" else "") + f"<w:t>{_esc(mark)}</w:t>"
    return parse_xml(
        f'<w:r {nsdecls("w")}><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr>'
        f"{inner}</w:r>"
    )


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def add_footnote(paragraph, text: str, mark: str | None = None) -> int:
    """Add a real Word footnote whose marker ends `paragraph` for now; return its id.

    Ids are 1, 2, 3 … in the order of the calls, which is also the number Word displays
    when footnotes are added in reading order (a custom-mark footnote takes an id but no
    number, so later displayed numbers are one less than their ids). `mark` gives a custom mark ("*") instead
    of automatic numbering (w:customMarkFollows). Paragraphs of `text` are split on "\n".
    """
    notes = _footnotes(paragraph.part)
    ids = [int(fn.get(qn("w:id"))) for fn in notes.root.findall(qn("w:footnote"))]
    footnote_id = max([0, *ids]) + 1

    footnote = parse_xml(f'<w:footnote {nsdecls("w")} w:id="{footnote_id}"/>')
    for i, para_text in enumerate(text.split("\n")):
        p = parse_xml(
            f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr></w:p>')
        if i == 0:
            p.append(_ref_run("footnoteRef", footnote_id, mark))
            para_text = " " + para_text
        p.append(parse_xml(
            f'<w:r {nsdecls("w")}><w:t xml:space="preserve">{_esc(para_text)}</w:t></w:r>'))
        footnote.append(p)
    notes.root.append(footnote)
    notes.save()

    paragraph._p.append(_ref_run("footnoteReference", footnote_id, mark))
    return footnote_id
