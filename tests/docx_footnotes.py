"""Real Word footnotes (and endnotes) for python-docx documents (python-docx 1.2 has no footnote API).

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

_NOTES_XML = (
    "<w:{kind}s {ns}>"
    '<w:{kind} w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" '
    'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:{kind}>'
    '<w:{kind} w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing '
    'w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/>'
    "</w:r></w:p></w:{kind}>"
    "</w:{kind}s>"
)
_KINDS = {  # kind -> (relationship, content type, part name, Text style, Reference style)
    "footnote": (RT.FOOTNOTES, CT.WML_FOOTNOTES, "/word/footnotes.xml",
                 "FootnoteText", "FootnoteReference"),
    "endnote": (RT.ENDNOTES, CT.WML_ENDNOTES, "/word/endnotes.xml",
                "EndnoteText", "EndnoteReference"),
}

_STYLES = {
    f"{Kind}Text": (
        f'<w:style {nsdecls("w")} w:type="paragraph" w:styleId="{Kind}Text">'
        f'<w:name w:val="{Kind.lower()} text"/><w:basedOn w:val="Normal"/>'
        '<w:uiPriority w:val="99"/><w:pPr><w:spacing w:after="0" w:line="240" '
        'w:lineRule="auto"/><w:jc w:val="both"/></w:pPr><w:rPr><w:sz w:val="20"/>'
        '<w:szCs w:val="20"/></w:rPr></w:style>'
    ) for Kind in ("Footnote", "Endnote")
} | {
    f"{Kind}Reference": (
        f'<w:style {nsdecls("w")} w:type="character" w:styleId="{Kind}Reference">'
        f'<w:name w:val="{Kind.lower()} reference"/><w:uiPriority w:val="99"/>'
        '<w:rPr><w:vertAlign w:val="superscript"/></w:rPr></w:style>'
    ) for Kind in ("Footnote", "Endnote")
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


def _notes(document_part, kind: str) -> _Footnotes:
    reltype, content_type, partname, _, _ = _KINDS[kind]
    for rel in document_part.rels.values():
        if rel.reltype == reltype and not rel.is_external:
            return _Footnotes(rel.target_part)
    xml = _NOTES_XML.format(kind=kind, ns=nsdecls("w", "r"))
    part = XmlPart(PackURI(partname), content_type, parse_xml(xml), document_part.package)
    document_part.relate_to(part, reltype)
    _ensure_styles(document_part)
    return _Footnotes(part)


def _ensure_styles(document_part) -> None:
    styles = document_part.styles.element  # creates the styles part if missing
    have = {s.get(qn("w:styleId")) for s in styles.findall(qn("w:style"))}
    for style_id, xml in _STYLES.items():
        if style_id not in have:
            styles.append(parse_xml(xml))


def _ref_run(tag: str, style: str, note_id: int, mark: str | None):
    """A run holding a footnoteReference (body) or footnoteRef (inside the footnote)."""
    in_body = tag.endswith("Reference")
    custom = ' w:customMarkFollows="1"' if mark and in_body else ""
    id_attr = f' w:id="{note_id}"' if in_body else ""
    inner = f"<w:{tag}{custom}{id_attr}/>"
    if mark:  # custom mark: Word shows the text that follows instead of a number
        inner = (inner if in_body else "") + f"<w:t>{_esc(mark)}</w:t>"
    return parse_xml(
        f'<w:r {nsdecls("w")}><w:rPr><w:rStyle w:val="{style}"/></w:rPr>{inner}</w:r>')


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _add_note(paragraph, text: str, mark: str | None, kind: str) -> int:
    _, _, _, text_style, ref_style = _KINDS[kind]
    notes = _notes(paragraph.part, kind)
    ids = [int(fn.get(qn("w:id"))) for fn in notes.root.findall(qn(f"w:{kind}"))]
    note_id = max([0, *ids]) + 1

    note = parse_xml(f'<w:{kind} {nsdecls("w")} w:id="{note_id}"/>')
    for i, para_text in enumerate(text.split("\n")):
        p = parse_xml(
            f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="{text_style}"/></w:pPr></w:p>')
        if i == 0:
            p.append(_ref_run(f"{kind}Ref", ref_style, note_id, mark))
            para_text = " " + para_text
        p.append(parse_xml(
            f'<w:r {nsdecls("w")}><w:t xml:space="preserve">{_esc(para_text)}</w:t></w:r>'))
        note.append(p)
    notes.root.append(note)
    notes.save()

    paragraph._p.append(_ref_run(f"{kind}Reference", ref_style, note_id, mark))
    return note_id


def add_footnote(paragraph, text: str, mark: str | None = None) -> int:
    """Add a real Word footnote whose marker ends `paragraph` for now; return its id.

    Ids are 1, 2, 3 … in the order of the calls, which is also the number Word displays
    when footnotes are added in reading order (a custom-mark footnote takes an id but no
    number, so later displayed numbers are one less than their ids). `mark` gives a
    custom mark ("*") instead of automatic numbering (w:customMarkFollows). Paragraphs of
    `text` are split on "\n".
    """
    return _add_note(paragraph, text, mark, "footnote")


def add_endnote(paragraph, text: str, mark: str | None = None) -> int:
    """The same for an endnote (word/endnotes.xml)."""
    return _add_note(paragraph, text, mark, "endnote")
