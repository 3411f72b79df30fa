"""Extractors: one file in, one `ExtractedDocument` out (or an `ExtractionError`).

`extract(path)` picks the extractor from the file's content first (magic bytes) and its
extension second, so a PDF renamed .txt is still read as a PDF and garbage renamed .pdf
fails with a clear reason instead of a parser traceback.

Content: `%PDF-` → pdf; OLE2 (D0 CF 11 E0) with a WordDocument stream → doc; `{\rtf` →
rtf; a zip with word/document.xml → docx, with an OpenDocument text mimetype → odt;
`<!DOCTYPE html` / `<html` → html. Extension, for text without magic: .md/.markdown →
md, .html/.htm/.xhtml → html, .txt → txt. doc, rtf and odt go through LibreOffice
(extractors/office.py).
"""
from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

from schemas.records import ExtractedDocument, ExtractionError

import os

# Per-file caps, in MB (env BAOCAO_MAX_TEXT_MB, BAOCAO_MAX_XML_MB; `ingest` may set them).
LIMITS = {
    "max_text_mb": float(os.environ.get("BAOCAO_MAX_TEXT_MB", 50)),   # a text file
    "max_xml_mb": float(os.environ.get("BAOCAO_MAX_XML_MB", 64)),     # one DOCX part, uncompressed
    "max_zip_mb": float(os.environ.get("BAOCAO_MAX_ZIP_MB", 256)),    # all DOCX parts, uncompressed
}

TEXT_SUFFIXES = {".txt"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
OFFICE_SUFFIXES = {".doc", ".dot", ".rtf", ".odt", ".ott"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
SUPPORTED_SUFFIXES = (TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | OFFICE_SUFFIXES | IMAGE_SUFFIXES
                      | {".docx", ".pdf"})
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Scanned pages as images (OCR): PNG, JPEG, TIFF (both byte orders).
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")
_ODF_TEXT = (b"application/vnd.oasis.opendocument.text",
             b"application/vnd.oasis.opendocument.text-template")
_HTML_START = re.compile(r"^\ufeff?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*"
                         r"<(?:!doctype\s+html|html)[\s>]", re.I | re.S)


def _looks_like_html(head: bytes) -> bool:
    """`<!DOCTYPE html` or `<html` first (after a BOM, an XML declaration, comments), in
    UTF-8/ASCII or UTF-16 (Word's "Unicode" web pages)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head[: len(head) // 2 * 2].decode("utf-16", errors="ignore")
    else:
        text = head.decode("utf-8", errors="ignore")
    return bool(_HTML_START.match(text))


def _ole_streams(path: Path, names: tuple[str, ...]) -> set[str]:
    """Which of these stream names an OLE2 compound file holds. Word 6-2003 keeps its
    text in "WordDocument"; Excel/PowerPoint/Outlook share the container but not that
    name; a password-protected .docx is an OLE2 file with an "EncryptedPackage". The
    directory entries store names in UTF-16LE, so a scan of the file finds them."""
    needles = {n: n.encode("utf-16-le") for n in names}
    found, tail = set(), b""
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            found |= {n for n, b in needles.items() if b in tail + chunk}
            tail = chunk[-64:]
    return found


def sniff(path: Path, head: bytes) -> str:
    """Return the format name (pdf, docx, doc, rtf, odt, html, md, txt, image) or raise
    ExtractionError."""
    suffix = path.suffix.lower()
    if not head:
        raise ExtractionError("empty file (0 bytes)")
    if head.startswith(b"%PDF-") or (suffix == ".pdf" and b"%PDF-" in head[:1024]):
        return "pdf"
    if head.startswith(_IMAGE_MAGIC):
        return "image"
    if suffix in IMAGE_SUFFIXES:
        raise ExtractionError(f"not a {suffix[1:].upper()} image (unknown header)")
    if head.startswith(_OLE_MAGIC):
        streams = _ole_streams(path, ("WordDocument", "EncryptedPackage"))
        if "WordDocument" in streams:
            return "doc"
        if "EncryptedPackage" in streams:
            raise ExtractionError("password-protected (encrypted) Office document")
        raise ExtractionError("OLE2 file without a Word document stream (not a Word .doc: "
                              "Excel, PowerPoint, or damaged)")
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
        except zipfile.BadZipFile as exc:
            if suffix in (".odt", ".ott"):
                raise ExtractionError(f"corrupt ODT (bad zip container: {exc})") from None
            if suffix != ".docx":
                raise ExtractionError(f"unsupported file type {suffix or '(no extension)'!r}") from None
            raise ExtractionError(f"corrupt DOCX (bad zip container: {exc})") from None
        if "word/document.xml" in names:
            check_zip_sizes(path)
            return "docx"
        if "mimetype" in names and "content.xml" in names:
            try:
                with zipfile.ZipFile(path) as zf:
                    mimetype = zf.read("mimetype").strip()
            except Exception as exc:  # BadZipFile, zlib.error …
                raise ExtractionError(f"corrupt OpenDocument file: {exc}") from None
            if mimetype in _ODF_TEXT:
                return "odt"
            raise ExtractionError(f"OpenDocument file that is not a text document "
                                  f"({mimetype.decode('ascii', 'replace')[:60]})")
        if suffix != ".docx":
            raise ExtractionError(f"unsupported file type {suffix or '(no extension)'!r} "
                                  "(zip container, not a .docx)")
        raise ExtractionError("corrupt DOCX: zip file without word/document.xml (not a .docx)")
    if _looks_like_html(head):
        return "html"
    if suffix == ".pdf":
        raise ExtractionError("not a PDF (no %PDF- header)")
    if suffix == ".docx":
        raise ExtractionError("not a DOCX (not a zip container)")
    if suffix in (".doc", ".dot"):
        raise ExtractionError("not a Word .doc (no OLE2 header, not RTF)")
    if suffix == ".rtf":
        raise ExtractionError("not an RTF file (no {\\rtf header)")
    if suffix in (".odt", ".ott"):
        raise ExtractionError("not an OpenDocument text (not a zip container)")
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in MARKDOWN_SUFFIXES:
        return "md"
    if suffix in TEXT_SUFFIXES:
        return "txt"
    raise ExtractionError(f"unsupported file type {suffix or '(no extension)'!r}")


def _mb(n: float) -> str:
    return f"{n / 1e6:.1f} MB"


def check_zip_sizes(path: Path) -> None:
    """Refuse a zip bomb before any parser sees it: the declared uncompressed sizes, then
    the actual ones (each part decompressed in a stream and counted, never held)."""
    part_cap = LIMITS["max_xml_mb"] * 1e6
    total_cap = LIMITS["max_zip_mb"] * 1e6
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            for info in infos:
                if info.file_size > part_cap:
                    raise ExtractionError(
                        f"DOCX part too large when uncompressed ({info.filename} "
                        f"{_mb(info.file_size)} > {LIMITS['max_xml_mb']:g} MB; zip bomb?)")
            if total > total_cap:
                raise ExtractionError(f"DOCX too large when uncompressed ({_mb(total)} > "
                                      f"{LIMITS['max_zip_mb']:g} MB; zip bomb?)")
            actual_total = 0
            for info in infos:
                if not info.filename.endswith((".xml", ".rels")):
                    continue  # images are not parsed
                n = 0
                with zf.open(info) as fh:
                    while chunk := fh.read(1 << 20):
                        n += len(chunk)
                        if n > part_cap or actual_total + n > total_cap:
                            raise ExtractionError(
                                f"DOCX part too large when uncompressed ({info.filename} "
                                f"over {LIMITS['max_xml_mb']:g} MB; zip bomb?)")
                actual_total += n
    except ExtractionError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError) as exc:
        raise ExtractionError(f"corrupt DOCX (bad zip container: {exc})") from None
    except RuntimeError as exc:  # encrypted member
        raise ExtractionError(f"corrupt DOCX ({exc})") from None


def extract(path: str | Path) -> ExtractedDocument:
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except IsADirectoryError:
        raise ExtractionError("is a directory") from None
    except PermissionError:
        raise ExtractionError("permission denied (file not readable)") from None
    except OSError as exc:
        raise ExtractionError(f"cannot read file: {exc.strerror or exc}") from None
    fmt = sniff(path, head)
    if fmt == "txt":
        size = os.path.getsize(path)
        if size > LIMITS["max_text_mb"] * 1e6:
            raise ExtractionError(f"too large ({_mb(size)} > {LIMITS['max_text_mb']:g} MB of text)")
    if fmt == "pdf":
        from extractors.pdf import extract_pdf as fn
    elif fmt == "image":
        from extractors.pdf import extract_image as fn
    elif fmt == "docx":
        from extractors.docx import extract_docx as fn
    elif fmt in ("doc", "rtf", "odt"):
        from extractors.office import extract_office

        return extract_office(path, fmt)
    elif fmt == "md":
        from extractors.markup import extract_markdown as fn
    elif fmt == "html":
        from extractors.markup import extract_html as fn
    else:
        from extractors.txt import extract_txt as fn
    doc = fn(path)
    if not doc.page_sources:
        _gate_whole_text(doc)
    return doc


def _gate_whole_text(doc: ExtractedDocument) -> None:
    """Formats without pages (txt, docx) get the text-quality gate on the whole text:
    garbage (a wrong font encoding, lost diacritics) makes the document 'partial'."""
    from pipeline.text.quality import THRESHOLD, assess

    q = assess(doc.text)
    if q.reason:
        doc.warnings.append(f"text quality below {THRESHOLD} ({q.reason}; quality {q.score:.2f})")
