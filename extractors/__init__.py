"""Extractors: one file in, one `ExtractedDocument` out (or an `ExtractionError`).

`extract(path)` picks the extractor from the file's content first (magic bytes) and its
extension second, so a PDF renamed .txt is still read as a PDF and garbage renamed .pdf
fails with a clear reason instead of a parser traceback.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from schemas.records import ExtractedDocument, ExtractionError

TEXT_SUFFIXES = {".txt", ".md"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | IMAGE_SUFFIXES | {".docx", ".pdf"}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Scanned pages as images (OCR): PNG, JPEG, TIFF (both byte orders).
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")


def sniff(path: Path, head: bytes) -> str:
    """Return the format name ('pdf', 'docx', 'txt', 'image') or raise ExtractionError."""
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
        raise ExtractionError("legacy binary Word .doc (OLE2) is not supported; save it as .docx")
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
        except zipfile.BadZipFile as exc:
            if suffix != ".docx":
                raise ExtractionError(f"unsupported file type {suffix or '(no extension)'!r}") from None
            raise ExtractionError(f"corrupt DOCX (bad zip container: {exc})") from None
        if "word/document.xml" in names:
            return "docx"
        if suffix != ".docx":
            raise ExtractionError(f"unsupported file type {suffix or '(no extension)'!r} "
                                  "(zip container, not a .docx)")
        raise ExtractionError("corrupt DOCX: zip file without word/document.xml (not a .docx)")
    if suffix == ".pdf":
        raise ExtractionError("not a PDF (no %PDF- header)")
    if suffix == ".docx":
        raise ExtractionError("not a DOCX (not a zip container)")
    if suffix in TEXT_SUFFIXES:
        return "txt"
    raise ExtractionError(f"unsupported file type {suffix or '(no extension)'!r}")


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
    if fmt == "pdf":
        from extractors.pdf import extract_pdf as fn
    elif fmt == "image":
        from extractors.pdf import extract_image as fn
    elif fmt == "docx":
        from extractors.docx import extract_docx as fn
    else:
        from extractors.txt import extract_txt as fn
    doc = fn(path)
    if not doc.page_sources:
        _gate_whole_text(doc)
    return doc


def _gate_whole_text(doc: ExtractedDocument) -> None:
    """Formats without pages (txt, docx) get the text-quality gate on the whole text:
    garbage (a wrong font encoding, lost diacritics) makes the document 'partial'."""
    from pipeline.quality import THRESHOLD, assess

    q = assess(doc.text)
    if q.reason:
        doc.warnings.append(f"text quality below {THRESHOLD} ({q.reason}; quality {q.score:.2f})")
