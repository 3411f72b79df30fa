"""Ingest files into the corpus database.

Per file: hash → skip if unchanged → extract and analyse (stages) in a worker process
(pipeline/executors.py) → the main process writes the document's rows, ids made real,
in one transaction. A file that
cannot be read becomes a `failed` row with a one-line reason; the batch goes on.
After the batch, corpus-wide finalizers run (citation resolution, cross-document checks,
search index).
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
import sys
import time
import traceback
import resource
import signal
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from extractors import LIMITS as extractor_limits
from extractors import extract
from pipeline.executors import Executor, LocalProcesses, usable_cores
from pipeline.store import db as store
from pipeline.store.ids import Packed, ProvisionalIds, pack_rows, remap_packed
from pipeline.analysis.stages import Context, finalizer_functions, stage_functions
from schemas.records import ExtractedDocument, ExtractionError


# Cumulative seconds per analysis stage in this process (read by bench/run.py).
STAGE_SECONDS: dict[str, float] = {}
# CPU seconds of this (main) process by phase of the last batch (read by bench/run.py):
# "start" (opening, discovery, warm-up: until the first result arrives), "warm_up",
# "write" (rows into the store), "finalizers". What stays serial when workers run.
MAIN_SECONDS: dict[str, float] = {}


@dataclass
class Outcome:
    path: str
    status: str  # ingested | unchanged | failed | partial
    reason: str | None = None
    document_id: int | None = None
    seconds: float = 0.0


@dataclass
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]


@dataclass
class Found:
    path: Path
    reason: str | None = None  # set: not read, recorded as failed with this reason


def _special_file_reason(mode: int) -> str | None:
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "named pipe (FIFO), not a regular file: skipped"
    if stat.S_ISSOCK(mode):
        return "socket, not a regular file: skipped"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device file, not a regular file: skipped"
    return "not a regular file: skipped"


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def walk(paths: list[str | Path], follow_links: bool = False) -> list[Found]:
    """Files under the given paths (recursive), sorted, hidden files skipped. Symbolic
    links inside a folder are not followed unless `follow_links`, and never to outside
    that folder; FIFOs, sockets, devices and unreadable folders come back with a reason."""
    found: list[Found] = []

    def visit_dir(folder: Path, root: str, seen: set[str]) -> None:
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except PermissionError:
            found.append(Found(folder, "permission denied (folder not readable)"))
            return
        except OSError as exc:
            found.append(Found(folder, f"cannot read folder: {exc.strerror or exc}"))
            return
        dirs = []
        for e in entries:
            if e.name.startswith("."):
                continue
            path = folder / e.name
            try:
                if e.is_symlink():
                    if not follow_links:
                        found.append(Found(path, "symbolic link not followed (use --follow-links)"))
                        continue
                    real = os.path.realpath(path)
                    if not _inside(real, root):
                        found.append(Found(path, "symbolic link to outside the folder: not followed"))
                        continue
                    try:
                        mode = os.stat(real).st_mode
                    except OSError as exc:
                        found.append(Found(path, f"cannot read file: broken symbolic link ({exc.strerror})"))
                        continue
                else:
                    mode = e.stat(follow_symlinks=False).st_mode
            except OSError as exc:
                found.append(Found(path, f"cannot read file: {exc.strerror or exc}"))
                continue
            if stat.S_ISDIR(mode):
                dirs.append(path)
            elif (reason := _special_file_reason(mode)) is not None:
                found.append(Found(path, reason))
            else:
                found.append(Found(path))
        for d in dirs:
            real = os.path.realpath(d)
            if real in seen:  # a link loop
                continue
            visit_dir(d, root, seen | {real})

    for p in map(Path, paths):
        try:
            mode = p.stat().st_mode  # a path named on the command line is followed
        except OSError:
            found.append(Found(p))  # reported when it is read
            continue
        if stat.S_ISDIR(mode):
            real = os.path.realpath(p)
            visit_dir(p, real, {real})
        else:
            found.append(Found(p, _special_file_reason(mode)))
    return found


def discover(paths: list[str | Path], follow_links: bool = False) -> list[Path]:
    """Every path the batch will report on (files, and entries skipped with a reason)."""
    return [f.path for f in walk(paths, follow_links)]


def sha256_of(path: Path, follow_links: bool = True) -> str:
    """Hash a regular file; refuses (OSError) a FIFO or device swapped in since discovery,
    and a symbolic link when links are not followed."""
    flags = os.O_RDONLY | os.O_NONBLOCK | (0 if follow_links else os.O_NOFOLLOW)
    fd = os.open(path, flags)
    with open(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        h = hashlib.sha256()
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class Limits:
    """Per-file budgets. Extraction and analysis run in a worker process under an
    address-space limit (`max_memory_mb` above the worker's size at start) and a time
    limit each."""
    timeout_s: float = float(os.environ.get("BAOCAO_FILE_TIMEOUT", 300))
    max_memory_mb: float = float(os.environ.get("BAOCAO_MAX_MEMORY_MB", 1536))
    analysis_timeout_s: float = float(os.environ.get("BAOCAO_ANALYSIS_TIMEOUT", 300))
    max_text_mb: float = extractor_limits["max_text_mb"]
    max_xml_mb: float = extractor_limits["max_xml_mb"]


class FileTimeout(Exception):
    pass


@contextmanager
def time_budget(seconds: float | None):
    """Raise FileTimeout in this (main) thread after `seconds` of wall-clock time."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise FileTimeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class Analysed:
    """One document extracted and analysed (in a worker), ready to be written: its
    `documents` columns and the rows of every table, packed as the writer inserts them
    (`ids.pack_rows`), with provisional ids (pipeline/store/ids.py) that the writer turns
    into real ones."""
    columns: dict
    rows: Packed
    id_counts: dict[str, int]
    warnings: list[str]
    stage_seconds: dict[str, float] = field(default_factory=dict)


def process_file(path: str, limits: Limits | None = None) -> tuple[str, Analysed | None, str | None]:
    """Worker: extract one file and run every analysis stage, each under its time limit;
    never raises (a failure travels back as a one-line reason)."""
    limits = limits or Limits()
    extractor_limits.update(max_text_mb=limits.max_text_mb, max_xml_mb=limits.max_xml_mb)
    cpu_soft, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)
    budget = (limits.timeout_s or 0) + (limits.analysis_timeout_s or 0)
    if limits.timeout_s:  # backstop for C code that never returns to the interpreter
        used = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
        resource.setrlimit(resource.RLIMIT_CPU, (int(used + budget) + 5, cpu_hard))
    try:
        try:
            with time_budget(limits.timeout_s):
                doc = extract(path)
        except FileTimeout:
            return path, None, f"time limit exceeded (extraction over {limits.timeout_s:g} s)"
        except MemoryError:
            return path, None, f"out of memory (extraction over {limits.max_memory_mb:g} MB)"
        except ExtractionError as exc:
            return path, None, str(exc)
        except Exception as exc:  # a parser bug must not stop the batch
            return path, None, f"extractor crashed: {_crash(exc)}"
        problem = text_problem(doc)
        if problem:
            return path, None, problem
        try:
            with time_budget(limits.analysis_timeout_s):
                return path, prepare(doc), None
        except FileTimeout:
            return path, None, f"time limit exceeded (analysis over {limits.analysis_timeout_s:g} s)"
        except MemoryError:
            return path, None, f"out of memory (analysis over {limits.max_memory_mb:g} MB)"
        except Exception as exc:  # analysis bug: keep the file, record why
            return path, None, f"analysis crashed: {_crash(exc)}"
    finally:
        if limits.timeout_s:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_soft, cpu_hard))


def _crash(exc: BaseException) -> str:
    last = traceback.extract_tb(exc.__traceback__)[-1]
    return f"{type(exc).__name__}: {exc} ({Path(last.filename).name}:{last.lineno})"


MIN_CHARS_PER_PAGE = 20  # less on average: a scan without a text layer, or blank pages


def text_problem(doc: ExtractedDocument) -> str | None:
    """A document with no text fails (with a reason); one with almost none per page is
    kept but partial (a warning). Returns the failure reason, or None."""
    chars = sum(map(len, doc.text.split()))  # non-space characters (split: isspace)
    pages = doc.page_count or 0
    if chars == 0:
        where = f" on {pages} page{'s' if pages != 1 else ''}" if pages else ""
        return f"no text extracted{where} (scanned images without a text layer?)"
    if pages >= 2 and chars < MIN_CHARS_PER_PAGE * pages:
        doc.warnings.append(f"little text: {chars} characters on {pages} pages "
                            "(mostly scanned or blank pages?)")
    return None


def analyse(document_id: int, doc_row: dict, blocks, footnotes, pages, tables, new_id,
            seconds: dict[str, float] | None = None, until: str | None = None) -> Context:
    """Run every stage (or the stages up to the module `until`, e.g. "structure") on one
    document's text; rows come back in ctx.rows, the documents columns in `metadata(ctx)`."""
    seconds = STAGE_SECONDS if seconds is None else seconds
    ctx = Context(
        document_id=document_id, text=doc_row["text"], format=doc_row["format"],
        blocks=blocks, footnotes=footnotes, pages=pages, tables=tables, new_id=new_id,
    )
    for name, fn in stage_functions():
        t0 = time.perf_counter()
        fn(ctx)
        seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - t0
        if until is not None and name.rsplit(".", 1)[-1].split(":")[0] == until:
            break
    return ctx


# documents columns the extraction and the writer fill; every other one is metadata a stage sets
_FILE_COLUMNS = {"id", "path", "sha256", "format", "pages", "text", "status", "error",
                 "ingested_at", "size", "warnings", "source"}


def metadata(ctx: Context) -> dict:
    """Every metadata column of `documents`, None where no stage set it (so analysing a stored
    document again leaves nothing of a former reading)."""
    return {c: ctx.meta.get(c) for c in store.TABLES["documents"] if c not in _FILE_COLUMNS}


def prepare(doc: ExtractedDocument) -> Analysed:
    """Every row of one document, ids provisional: what a worker sends back."""
    new_id = ProvisionalIds()
    document_id = new_id("documents")  # first, as the writer allocates it
    columns = {
        "format": doc.format, "pages": doc.page_count, "text": doc.text,
        "warnings": json.dumps(doc.warnings, ensure_ascii=False) if doc.warnings else None,
        "source": doc.source,
    }
    rows: dict[str, list[dict]] = {}
    rows["blocks"] = [dict(id=new_id("blocks"), document_id=document_id, kind=b.kind,
                           start=b.start, end=b.end, page=b.page, style=b.style,
                           level=b.level) for b in doc.blocks]
    rows["footnotes"] = [dict(id=new_id("footnotes"), document_id=document_id,
                              number=f.number, label=f.label,
                              text=doc.text[f.start:f.end], anchor_start=f.anchor_start,
                              anchor_end=f.anchor_end, start=f.start, end=f.end,
                              page=f.page) for f in doc.footnotes]
    rows["pages"] = [dict(id=new_id("pages"), document_id=document_id, page=p.page,
                          start=p.start, end=p.end,
                          source=doc.page_sources.get(p.page, ("text", None))[0],
                          quality=doc.page_sources.get(p.page, ("text", None))[1])
                     for p in doc.pages]
    rows["tables"] = [dict(id=new_id("tables"), document_id=document_id,
                           rows=json.dumps(t.rows, ensure_ascii=False),
                           n_rows=len(t.rows), n_cols=max(map(len, t.rows), default=0),
                           start=t.start, end=t.end, page=t.page) for t in doc.tables]
    seconds: dict[str, float] = {}
    ctx = analyse(document_id, columns, rows["blocks"], rows["footnotes"],
                  rows["pages"], rows["tables"], new_id, seconds)
    columns.update(metadata(ctx))
    for table, extra in ctx.rows.items():
        rows.setdefault(table, []).extend(extra)
    return Analysed(columns, pack_rows(rows), dict(new_id.counts), list(doc.warnings), seconds)


def write_document(db, path: str, sha: str, size: int, doc: Analysed | ExtractedDocument | None,
                   error: str | None) -> int:
    """Replace whatever the store has for `path` with this document, in one transaction.
    Only rows are written here: the analysis was done by `prepare` (in a worker)."""
    if isinstance(doc, ExtractedDocument):
        doc = prepare(doc)
    store.begin(db)
    try:
        # Ids are allocated above everything that exists before the old rows go, so a
        # re-ingested document never reuses ids (derived indexes key on them).
        new_id = store.IdAllocator(db)
        counts = doc.id_counts if doc is not None else {"documents": 1}
        first = {table: new_id.reserve(table, n) for table, n in counts.items() if n}
        document_id = first["documents"]
        old = store.find_by_path(db, path)
        if old:
            store.delete_document(db, old["id"])
        status = "failed" if doc is None else ("partial" if doc.warnings else "ok")
        doc_row = {
            "format": Path(path).suffix.lstrip(".").lower() or None, "pages": None,
            "text": None, "warnings": None, "source": None,
            **(doc.columns if doc is not None else {}),
            "id": document_id, "path": path, "sha256": sha, "size": size,
            "status": status, "error": error, "ingested_at": store.now(),
        }
        rows = doc.rows if doc is not None else {}
        remap_packed(rows, first)
        store.insert_rows(db, "documents", [doc_row])
        # The corpus-wide steps now owe this document a run: recorded in the same
        # transaction, cleared by each finalizer when it completes (a killed batch
        # leaves them pending and the next run finishes them).
        store.mark_pending(db, [name for name, _ in finalizer_functions()],
                           [document_id] + ([old["id"]] if old else []))
        for table, (columns, values) in rows.items():
            store.insert_columns(db, table, columns, values)
        db.execute("COMMIT")
        return document_id
    except BaseException:
        store.rollback(db)
        raise


def warm_up() -> None:
    """Import every stage and load its models once in the main process, before workers
    fork: they inherit them (copy-on-write) instead of each paying the start-up."""
    import extractors.docx  # noqa: F401
    import extractors.pdf  # noqa: F401
    from extractors.txt import parse_text

    try:
        prepare(parse_text(WARM_UP_TEXT, "warm-up.txt", "txt"))
    except Exception:  # a stage bug shows up on the real files, with their names
        pass


WARM_UP_TEXT = """ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH

Số: 01/BC-UBND

BÁO CÁO
Kết quả thực hiện năm 2024

I. KẾT QUẢ

1. Thực hiện Nghị định số 63/2010/NĐ-CP ngày 08/6/2010 của Chính phủ, UBND xã Tân Lập
đã giải quyết 45/50 hồ sơ, đạt 90%.

II. KIẾN NGHỊ

Đề nghị Sở Nội vụ hướng dẫn thực hiện.
"""


def ingest(paths: list[str | Path], db_path: str | Path, *, force: bool = False,
           jobs: int | None = None, progress=None, follow_links: bool = False,
           limits: Limits | None = None, executor: Executor | None = None) -> Summary:
    """Ingest files/folders into `db_path`. `progress(outcome)` is called per file.
    Files are read and analysed by `executor` (default: `jobs` local worker processes,
    as many as the usable cores when None); this process only writes rows."""
    started = time.perf_counter()
    MAIN_SECONDS.clear()
    MAIN_SECONDS["_cpu0"] = time.process_time()
    limits = limits or Limits()
    jobs = jobs or usable_cores()
    db = store.open_db(db_path)
    summary = Summary()
    try:
        _ingest_batch(db, paths, summary, force, jobs, progress, follow_links, limits, executor)
        with _main_cpu("finalizers"):
            run_finalizers(db)
    except (sqlite3.OperationalError, OSError) as exc:
        if not store.is_disk_full(exc):
            raise
        done = sum(1 for o in summary.outcomes if o.status != "unchanged")
        raise store.DiskFull(f"disk full writing {db_path}: stopped after {done} file(s) written; "
                             "free some space and run again (nothing is half-written)") from None
    finally:
        db.close()
        MAIN_SECONDS.pop("_cpu0", None)
    summary.seconds = time.perf_counter() - started
    return summary


@contextmanager
def _main_cpu(phase: str):
    t0 = time.process_time()
    try:
        yield
    finally:
        MAIN_SECONDS[phase] = MAIN_SECONDS.get(phase, 0.0) + time.process_time() - t0


def _ingest_batch(db, paths, summary, force, jobs, progress, follow_links, limits,
                  executor) -> None:
    todo: list[tuple[str, str, int]] = []
    queued: dict[str, str] = {}  # sha256 -> the path of this batch that carries it
    copies: list[tuple] = []  # same content as a queued file: (outcome, its path, sha, size)
    for found in walk(paths, follow_links):
        path = found.path
        spath = store.path_key(str(path))  # a name that is not UTF-8 is stored escaped
        t0 = time.perf_counter()
        if found.reason:
            _record_failure(db, spath, None, 0, found.reason, summary, progress, t0)
            continue
        try:
            size = path.stat().st_size
            sha = sha256_of(path)
        except OSError as exc:
            reason = "permission denied (file not readable)" if isinstance(exc, PermissionError) \
                else f"cannot read file: {exc.strerror or exc}"
            _record_failure(db, spath, None, 0, reason, summary, progress, t0)
            continue
        existing = store.find_by_path(db, spath)
        twin = existing if existing and existing["sha256"] == sha else store.find_by_sha(db, sha)
        # Unchanged content is a no-op; a file that failed before is retried (the
        # extractors may have learnt to read it since).
        if twin and twin["status"] != "failed" and not force:
            note = None if twin["path"] == spath else f"same content as {twin['path']}"
            _drop_stale(db, existing, sha)
            outcome = Outcome(spath, "unchanged", note, twin["id"])
            summary.outcomes.append(outcome)
            if progress:
                progress(outcome)
            continue
        if sha in queued:
            # The same content twice in one batch (two folders holding the same file):
            # stored once, like a twin already in the store.
            note = "listed twice" if spath == queued[sha] else f"same content as {queued[sha]}"
            outcome = Outcome(spath, "unchanged", note)
            _drop_stale(db, existing, sha)
            summary.outcomes.append(outcome)
            copies.append((outcome, queued[sha], sha, size))
            if progress:
                progress(outcome)
            continue
        queued[sha] = spath
        todo.append((str(path), spath, sha, size))

    def handle(result, spath, sha, size):
        t0 = time.perf_counter()
        if "start" not in MAIN_SECONDS and "_cpu0" in MAIN_SECONDS:
            MAIN_SECONDS["start"] = time.process_time() - MAIN_SECONDS["_cpu0"]
        _, doc, error = result
        if doc is not None:
            for name, secs in doc.stage_seconds.items():
                STAGE_SECONDS[name] = STAGE_SECONDS.get(name, 0.0) + secs
        try:
            with _main_cpu("write"):
                document_id = write_document(db, spath, sha, size, doc, error)
        except Exception as exc:  # rows the store refuses: keep the file, record why
            if store.is_disk_full(exc) or isinstance(exc, store.StoreError):
                raise
            reason = f"analysis crashed: {_crash(exc)}"
            document_id = write_document(db, spath, sha, size, None, reason)
            doc, error = None, reason
        status = "failed" if doc is None else ("partial" if doc.warnings else "ingested")
        reason = error if doc is None else ("; ".join(doc.warnings) if doc.warnings else None)
        outcome = Outcome(spath, status, reason, document_id, time.perf_counter() - t0)
        summary.outcomes.append(outcome)
        if progress:
            progress(outcome)

    # Each worker may OCR a scan with its own pool: share the cores between them.
    os.environ.setdefault("BAOCAO_OCR_JOBS", str(max(1, usable_cores() // max(1, jobs))))
    if executor is None:
        executor = LocalProcesses(process_file, jobs, limits)
    try:
        if todo:
            if isinstance(executor, LocalProcesses):  # workers fork from here (elsewhere: theirs)
                with _main_cpu("warm_up"):
                    warm_up()
            for (_, spath, sha, size), result in executor.map(todo):
                handle(result, spath, sha, size)
    finally:
        _stop_converters()
    by_path = {o.path: o for o in summary.outcomes if o.document_id is not None}
    for outcome, original, sha, size in copies:
        first = by_path.get(original)
        if first is None:
            continue
        outcome.document_id = first.document_id
        if first.status == "failed":
            # Not read: the copy is not either, and keeps its own failed row (retried
            # with the original on the next ingest).
            outcome.status, outcome.reason = "failed", f"{first.reason} (same content as {original})"
            outcome.document_id = write_document(db, outcome.path, sha, size, None, outcome.reason)


def _stop_converters() -> None:
    """The LibreOffice converter of this process lives for one batch (extractors/office.py;
    workers' converters end with the worker pool)."""
    office = sys.modules.get("extractors.office")
    if office is not None:
        office.shutdown()


def _drop_stale(db, existing, sha: str) -> None:
    """A path that now holds a copy of other content: its old document goes (else the
    corpus would keep what the file no longer says), and the corpus-wide steps are owed."""
    if not existing or existing["sha256"] == sha:
        return
    store.begin(db)
    try:
        store.delete_document(db, existing["id"])
        store.mark_pending(db, [name for name, _fn in finalizer_functions()], [existing["id"]])
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def run_finalizers(db) -> None:
    """Run the corpus-wide steps still pending (this batch's, or a killed batch's)."""
    pending = store.pending_finalizers(db)
    for name, fn in finalizer_functions():
        if name not in pending:
            continue
        t0 = time.perf_counter()
        mark = store.pending_mark(db, name)  # rows written later (another process) stay pending
        scope = store.pending_scope(db, name)  # the documents it owes a run (None: all)
        fn(db, scope)
        store.drop_in_lists(db)  # long id lists it passed through temporary tables
        store.clear_pending(db, name, scope, upto=mark)
        STAGE_SECONDS[name] = STAGE_SECONDS.get(name, 0.0) + time.perf_counter() - t0


def _record_failure(db, path, sha, size, reason, summary, progress, t0):
    document_id = write_document(db, path, sha, size, None, reason)
    outcome = Outcome(path, "failed", reason, document_id, time.perf_counter() - t0)
    summary.outcomes.append(outcome)
    if progress:
        progress(outcome)
