"""Derived model data kept on disk between runs (the place gazetteer: ~1 s to build from
its lists, ~0.05 s to load), so neither a batch's warm-up nor a single-file ingest pays
the build again.

An entry is keyed by the sha256 of what it is built from: the source data files and the
code that builds it (module files), the Python version and a format number. Any change
gives a new key; a missing, stale, unreadable or corrupt entry is simply rebuilt, and a
cache that cannot be written (read-only home) is skipped: the cache only ever saves time.
Where: $BAOCAO_CACHE_DIR, else $XDG_CACHE_HOME/baocao, else ~/.cache/baocao (created
private to the user, since entries are pickles: a folder or entry not owned by the user,
or writable by group or others, is neither loaded nor written); BAOCAO_CACHE_DIR=off turns it off.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Callable, Iterable, TypeVar

T = TypeVar("T")
FORMAT = 1  # bump when the layout of entries changes
KEEP = 4  # entries per name (one per version of the sources in use)


def cache_dir() -> Path | None:
    chosen = os.environ.get("BAOCAO_CACHE_DIR")
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off", "0", "no") else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "baocao"


def key(name: str, sources: Iterable[Path]) -> str:
    h = hashlib.sha256(f"{FORMAT}\0{sys.version}\0{name}".encode())
    for path in sources:
        data = Path(path).read_bytes()
        h.update(f"\0{Path(path).name}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()[:32]


def cached(name: str, build: Callable[[], T], sources: Iterable[Path],
           check: Callable[[object], bool] = lambda value: True) -> T:
    """`build()`, or what an earlier run built from the same sources. `check(value)`
    rejects a loaded value of the wrong kind (then rebuilt)."""
    folder = cache_dir()
    if folder is None:
        return build()
    try:
        path = folder / f"{name}-{key(name, sources)}.pickle"
    except OSError:  # a source unreadable: nothing to key on
        return build()
    if not _private(folder, missing_ok=True):
        return build()  # a pickle anyone else could have written is never loaded
    try:
        with open(path, "rb") as fh:
            if not _private(fh.fileno()):  # the file opened, not a name swapped after a check
                return build()
            value = pickle.load(fh)
        if check(value):
            return value
    except FileNotFoundError:
        pass
    except Exception:  # noqa: BLE001  corrupt, truncated, from another version: rebuild
        pass
    value = build()
    _store(folder, name, path, value)
    return value


def _private(where, missing_ok: bool = False) -> bool:
    """Owned by the current user and not writable by group or others (a folder or a file
    descriptor; a folder reached through a symbolic link is judged by its target)."""
    try:
        st = os.stat(where)
    except FileNotFoundError:
        return missing_ok
    except OSError:
        return False
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def _store(folder: Path, name: str, path: Path, value) -> None:
    """Write atomically (a temporary file renamed: readers never see half an entry); keep
    this name's newest few entries (checkouts of different versions may share the cache)."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
        others = sorted((p for p in folder.glob(f"{name}-*.pickle") if p != path),
                        key=lambda p: p.stat().st_mtime)
        for old in others[:max(0, len(others) - (KEEP - 1))]:
            old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError):  # read-only or full: run without the cache
        pass
