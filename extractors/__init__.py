"""Extractors: one file in, one `ExtractedDocument` out (or an `ExtractionError`).

`extract(path)` picks the extractor from the file's content first (magic bytes) and its
extension second, so a PDF renamed .txt is still read as a PDF and garbage renamed .pdf
fails with a clear reason instead of a parser traceback.
"""
from __future__ import annotations

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

TEXT_SUFFIXES = {".txt", ".md"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | {".docx", ".pdf"}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(path: Path, head: bytes) -> str:
    """Return the format name ('pdf', 'docx', 'txt') or raise ExtractionError."""
    suffix = path.suffix.lower()
    if not head:
        raise ExtractionError("empty file (0 bytes)")
    if head.startswith(b"%PDF-") or (suffix == ".pdf" and b"%PDF-" in head[:1024]):
        return "pdf"
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
            check_zip_sizes(path)
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
    elif fmt == "docx":
        from extractors.docx import extract_docx as fn
    else:
        from extractors.txt import extract_txt as fn
    return fn(path)
