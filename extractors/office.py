"""Word 97 .doc, .rtf and .odt: converted to .docx by LibreOffice, then read by the DOCX
extractor, so footnotes (real notes, linked to their markers), tables and numbering come
through exactly as for a .docx.

The converter. LibreOffice's cold start (~2-3 s here, more on a busy machine) costs more
than converting a typical letter, so one `soffice` stays alive per extraction process and
converts every file that process meets:

- `soffice --convert-to` with many files in one call would also pay one start, but it
  cannot give a per-file timeout or tell which file hung, and the batch is not known to
  an `extract(path)` that a worker process calls file by file;
- unoserver would have to be installed into the system Python that has `uno` (outside
  our venv, against Debian's externally-managed rule), for a few lines of UNO we own;
- so `extractors/_uno_helper.py`, run by the system Python that has python3-uno (Debian's
  python3-uno), starts `soffice --headless` with a private profile
  (`-env:UserInstallation=…`, so it never meets a user's LibreOffice or another worker's),
  connects over a named pipe and converts one file per request line. The helper and its
  soffice are a process group of their own: a file that takes longer than the timeout
  kills the group (the next file starts a fresh one) and becomes an ExtractionError. When
  the extraction process ends, normally or not, the helper reads end-of-input and shuts
  soffice down, so no LibreOffice outlives the batch.

With `ingest --jobs N` each worker process gets its own converter (the worker pool lives
for the whole batch, so each pays one start). Without python3-uno, each file gets a cold
`soffice --convert-to` with the same timeout (slower, same result).

Converted files are cached by the sha256 of the input in a private temporary directory
(`BAOCAO_OFFICE_CACHE` to choose it), shared by the processes of a session, so
re-extracting a file (tests, `--force`) does not convert it again.
"""
from __future__ import annotations

import atexit
import hashlib
import json
import os
import selectors
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from schemas.records import ExtractedDocument, ExtractionError

HELPER = Path(__file__).with_name("_uno_helper.py")
CACHE_VERSION = "1"  # bump when the conversion itself changes (options, filter)
DEFAULT_TIMEOUT = float(os.environ.get("BAOCAO_OFFICE_TIMEOUT", "120"))
START_TIMEOUT = 90.0  # a first start creates the profile; slow on a loaded machine
INSTALL_HINT = "install libreoffice-writer-nogui, or run make as root"
# The import filters LibreOffice may pick for each format we hand it; anything else
# (typically "Text") means it did not recognise the file and read it as plain text.
FILTERS = {
    "doc": ("MS Word 97", "MS Word 95", "MS WinWord 6.0", "MS WinWord 5",
            "MS Word 97 Vorlage", "MS Word 95 Vorlage", "Rich Text Format"),
    "rtf": ("Rich Text Format",),
    "odt": ("writer8", "writer8_template", "StarOffice XML (Writer)", "writer_StarOffice_XML_Writer_Template"),
}


def find_soffice() -> str:
    """The soffice binary (BAOCAO_SOFFICE overrides), or a one-line ExtractionError."""
    env = os.environ.get("BAOCAO_SOFFICE")
    candidates = [env] if env else [shutil.which("soffice"), "/usr/bin/soffice",
                                     "/usr/lib/libreoffice/program/soffice"]
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    raise ExtractionError(f"LibreOffice (soffice) not found: {INSTALL_HINT}")


_UNO_PYTHON: dict[str, str | None] = {}


def find_uno_python() -> str | None:
    """A Python that can `import uno` (BAOCAO_UNO_PYTHON overrides), or None."""
    env = os.environ.get("BAOCAO_UNO_PYTHON")
    key = env or ""
    if key not in _UNO_PYTHON:
        found = None
        for c in [env] if env else ["/usr/bin/python3", "/usr/lib/libreoffice/program/python"]:
            if not c or not os.access(c, os.X_OK):
                continue
            try:
                ok = subprocess.run([c, "-c", "import uno"], capture_output=True, timeout=30,
                                    stdin=subprocess.DEVNULL).returncode == 0
            except (OSError, subprocess.TimeoutExpired):
                ok = False
            if ok:
                found = c
                break
        _UNO_PYTHON[key] = found
    return _UNO_PYTHON[key]


# -- cache --------------------------------------------------------------------------------

def cache_dir() -> Path:
    """A directory only we can write (the default lives in the shared /tmp)."""
    base = os.environ.get("BAOCAO_OFFICE_CACHE") or os.path.join(
        tempfile.gettempdir(), f"baocao-office-{os.getuid()}")
    path = Path(base)
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = path.lstat()
        if stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o022:
            return path
    except OSError:
        pass
    global _PRIVATE_CACHE
    if _PRIVATE_CACHE is None:  # someone else's directory at our path: use a fresh one
        _PRIVATE_CACHE = Path(tempfile.mkdtemp(prefix="baocao-office-"))
    return _PRIVATE_CACHE


_PRIVATE_CACHE: Path | None = None


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# -- converters ---------------------------------------------------------------------------

class Converter:
    """One helper + soffice, started on first use, restarted after a timeout or a crash."""

    def __init__(self, soffice: str, uno_python: str, timeout: float = DEFAULT_TIMEOUT):
        self.soffice, self.uno_python, self.timeout = soffice, uno_python, timeout
        self.proc: subprocess.Popen | None = None
        self.version = "LibreOffice"
        self.profile = tempfile.mkdtemp(prefix="baocao-lo-profile-")
        self.pid = os.getpid()
        self.starts = 0  # how many times soffice was started (tests, bench)
        self._buf = b""

    def _start(self) -> None:
        self._buf = b""
        self.proc = subprocess.Popen(
            [self.uno_python, str(HELPER), self.soffice, self.profile],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            start_new_session=True, bufsize=0)
        self.starts += 1
        msg = self._read(max(START_TIMEOUT, self.timeout), "start")
        if not msg.get("ready"):
            self._kill()
            raise ExtractionError(f"LibreOffice did not start: {msg.get('error', 'no reason')}")
        self.version = msg.get("version") or self.version

    def _read(self, timeout: float, what: str) -> dict:
        deadline = time.monotonic() + timeout
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        try:
            while b"\n" not in self._buf:
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    self._kill()
                    if what == "start":
                        raise ExtractionError(f"LibreOffice did not start within {timeout:.0f} s")
                    raise ExtractionError(f"LibreOffice conversion timed out after {timeout:g} s")
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    self._kill()
                    raise ExtractionError(f"LibreOffice crashed during {what}")
                self._buf += chunk
        finally:
            sel.close()
        line, self._buf = self._buf.split(b"\n", 1)
        return json.loads(line)

    def convert(self, src: Path, dst: Path, export_filter: str | None = None) -> dict:
        """Convert src to a .docx at dst (or to another format with `export_filter`, e.g.
        "MS Word 97": tests make fixtures so); returns {"filter": the import filter} or
        raises ExtractionError."""
        for attempt in (1, 2):
            if self.proc is None or self.proc.poll() is not None:
                self._kill()
                self._start()
            try:
                request = {"in": str(src), "out": str(dst), "filter": export_filter}
                self.proc.stdin.write(json.dumps(request).encode() + b"\n")
                msg = self._read(self.timeout, "conversion")
            except (BrokenPipeError, OSError):
                self._kill()
                msg = {"ok": False, "crashed": True, "error": "LibreOffice crashed"}
            except ExtractionError as exc:
                if "crashed" not in str(exc):
                    raise  # a timeout: no second try
                msg = {"ok": False, "crashed": True, "error": str(exc)}
            if msg.get("ok"):
                return msg
            if not msg.get("crashed"):
                raise ExtractionError(msg.get("error") or "LibreOffice could not convert the file")
            # soffice died: maybe on an earlier file; a fresh one gets a second try
            self._kill()
        raise ExtractionError("LibreOffice crashed on this file (twice)")

    def _kill(self) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the helper's own group: it and its soffice
        except (ProcessLookupError, PermissionError):
            pass
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        self.proc = None

    def close(self) -> None:
        """End of input: the helper terminates soffice; kill the group if it lingers."""
        if os.getpid() != self.pid:
            return  # a forked child must not stop its parent's converter
        if self.proc is not None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=15)
            except (OSError, subprocess.TimeoutExpired):
                pass
            self._kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def convert_cold(src: Path, dst: Path, soffice: str, timeout: float = DEFAULT_TIMEOUT) -> dict:
    """One `soffice --convert-to docx` for one file (no python3-uno; the bench baseline)."""
    work = Path(tempfile.mkdtemp(prefix="baocao-lo-cold-"))
    try:
        # A plain name: soffice names its output after the input's stem.
        link = work / ("input" + src.suffix.lower())
        shutil.copyfile(src, link)
        cmd = [soffice, "--headless", "--invisible", "--nologo", "--norestore", "--nolockcheck",
               f"-env:UserInstallation={(work / 'profile').as_uri()}",
               "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(work / "out"), str(link)]
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise ExtractionError(f"LibreOffice conversion timed out after {timeout:g} s") from None
        out = work / "out" / "input.docx"
        if not out.exists():
            raise ExtractionError("LibreOffice cannot read the file")
        shutil.move(str(out), dst)
        return {"filter": None}
    finally:
        shutil.rmtree(work, ignore_errors=True)


_CONVERTER: Converter | None = None


def converter(timeout: float | None = None) -> Converter | None:
    """This process's converter (None without python3-uno). A forked worker gets its own."""
    global _CONVERTER
    uno_python = find_uno_python()
    if uno_python is None:
        return None
    if _CONVERTER is None or _CONVERTER.pid != os.getpid():
        _CONVERTER = Converter(find_soffice(), uno_python)
        atexit.register(_CONVERTER.close)
        try:  # worker processes of a pool exit through multiprocessing, not atexit
            from multiprocessing import util
            util.Finalize(_CONVERTER, _CONVERTER.close, exitpriority=10)
        except Exception:
            pass
    if timeout is not None:
        _CONVERTER.timeout = timeout
    return _CONVERTER


def shutdown() -> None:
    """Stop this process's converter now (tests, bench)."""
    global _CONVERTER
    if _CONVERTER is not None and _CONVERTER.pid == os.getpid():
        _CONVERTER.close()
        _CONVERTER = None


def to_docx(path: Path, fmt: str, *, timeout: float | None = None) -> tuple[Path, dict]:
    """The .docx LibreOffice makes of `path` (cached by content), and what it reported
    ({"filter": import filter, "version": …})."""
    soffice = find_soffice()  # a clear line before anything else when it is missing
    sha = file_sha256(path)
    folder = cache_dir()
    out, info_path = folder / f"{sha}.v{CACHE_VERSION}.docx", folder / f"{sha}.v{CACHE_VERSION}.json"
    if out.exists() and info_path.exists():
        try:
            return out, json.loads(info_path.read_text())
        except (OSError, ValueError):
            pass
    tmp = folder / f".{sha}.{os.getpid()}.{time.monotonic_ns()}.docx"
    try:
        conv = converter(timeout)
        if conv is not None:
            info = conv.convert(path.resolve(), tmp)
            info["version"] = conv.version
        else:
            info = convert_cold(path.resolve(), tmp, soffice, timeout or DEFAULT_TIMEOUT)
            info["version"] = "LibreOffice"
        accepted = FILTERS.get(fmt, ())
        if info.get("filter") and info["filter"] not in accepted:
            raise ExtractionError(f"LibreOffice cannot read it as {fmt.upper()} (it fell back "
                                  f"to its {info['filter']!r} import filter)")
        if not tmp.exists() or tmp.stat().st_size == 0:
            raise ExtractionError("LibreOffice produced no output")
        info_tmp = tmp.with_suffix(".json")
        info_tmp.write_text(json.dumps(info))
        os.replace(tmp, out)  # atomic: another worker may convert the same content
        os.replace(info_tmp, info_path)
        return out, info
    finally:
        tmp.unlink(missing_ok=True)


def extract_office(path: Path, fmt: str) -> ExtractedDocument:
    """A .doc / .rtf / .odt as a document: LibreOffice → .docx → extractors.docx."""
    from extractors.docx import extract_docx

    path = Path(path)
    docx_path, info = to_docx(path, fmt)
    try:
        doc = extract_docx(docx_path)
    except ExtractionError as exc:
        raise ExtractionError(f"converted by LibreOffice, then: {exc}") from None
    doc.path, doc.format = str(path), fmt
    via = f" (import filter {info['filter']})" if info.get("filter") else ""
    doc.source = f"converted by {info.get('version') or 'LibreOffice'} from {fmt} to docx{via}"
    return doc


if __name__ == "__main__":  # python -m extractors.office FILE: convert one file, print the docx path
    from extractors import extract

    for arg in sys.argv[1:]:
        d = extract(arg)
        print(arg, d.format, d.source, len(d.text), "chars", len(d.footnotes), "footnotes")
