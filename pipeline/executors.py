"""Where per-document work runs: submit files, get back each one finished (extracted and
analysed, `ingest.Analysed`) or failed with a one-line reason.

An executor is anything with `map(items) -> iterator of (item, result)`, where each item
is a tuple whose first element is a file path, `result` is what `work(path, limits)`
returns — `(path, Analysed | None, reason | None)` — and results come back in the order
the items were given, so ids (allocated when the main process writes) do not depend on
which worker finished first. `LocalProcesses` is the default; `executors_ray.RayCluster`
(`--executor ray`) takes the same place on a Ray cluster.
"""
from __future__ import annotations

import multiprocessing
import os
import resource
import signal
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, Iterable, Iterator, Protocol


class Executor(Protocol):
    def map(self, items: Iterable[tuple]) -> Iterator[tuple[tuple, tuple]]: ...


def usable_cores() -> int:
    """Cores this process may run on (a container or `taskset` may allow fewer than exist)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _vm_bytes() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def cap_memory(max_memory_mb: float) -> tuple[int, int]:
    """Cap this process's address space at its present size + the budget; returns the
    former limits."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = _vm_bytes() + int(max_memory_mb * 1024 * 1024)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    return soft, hard


def _worker_init(max_memory_mb: float) -> None:
    """Worker process: cap its address space at its present size + the budget."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C
    if max_memory_mb:
        cap_memory(max_memory_mb)


def killed_reason(limits) -> str:
    return (f"worker killed while reading or analysing the file (over "
            f"{limits.max_memory_mb:g} MB of memory or {limits.timeout_s:g} s)")


class LocalProcesses:
    """`workers` forked processes on this machine (one at least, also for --jobs 1: the
    memory limit needs a process of its own). Each runs `work(path, limits)` under an
    address-space limit. A worker that dies (memory, CPU limit, crash) breaks its pool:
    the pool is restarted and the files it held are retried one at a time, so the file
    that kills a lone worker fails and the batch goes on."""

    def __init__(self, work: Callable, workers: int, limits):
        self.work, self.workers, self.limits = work, max(1, workers), limits

    def map(self, items: Iterable[tuple]) -> Iterator[tuple[tuple, tuple]]:
        limits = self.limits
        ctx = multiprocessing.get_context("fork")
        queue = list(items)
        lone = 0  # the first `lone` items were in a pool that broke: they run one at a time
        wait = (limits.timeout_s + (limits.analysis_timeout_s or 0)) * 2 + 30 \
            if limits.timeout_s else None
        while queue:
            workers = 1 if lone else self.workers
            batch, rest = (queue[:lone], queue[lone:]) if lone else (queue, [])
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                                       initializer=_worker_init, initargs=(limits.max_memory_mb,))
            window: deque = deque()
            pending = deque(batch)
            submitted: list = []
            unfinished: list = []
            try:
                while pending or window:
                    try:
                        while pending and len(window) < workers * 2:
                            window.append((pool.submit(self.work, pending[0][0], limits), pending[0]))
                            pending.popleft()
                    except BrokenProcessPool:
                        pass  # found out below, from the oldest future
                    fut, item = window.popleft()
                    try:
                        result = fut.result(timeout=wait)
                    except (FuturesTimeout, BrokenProcessPool) as exc:
                        if isinstance(exc, FuturesTimeout):  # stuck where no signal reaches it
                            for proc in list(getattr(pool, "_processes", {}).values()):
                                proc.kill()
                        submitted = [item] + [i for _, i in window]
                        unfinished = submitted + list(pending)
                        break
                    yield item, result
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
            if not unfinished:
                queue, lone = rest, 0
            elif workers == 1:
                # one worker, files in order: the first unfinished one killed it
                culprit, *left = unfinished
                yield culprit, (culprit[0], None, killed_reason(limits))
                queue, lone = left + rest, len(left) if lone else 0
            else:
                # only the files that were in the pool are suspects: they run one at a time,
                # the files never submitted go back to the full pool after them
                queue, lone = unfinished + rest, len(submitted)
