"""Per-document work on a Ray cluster (`baocao ingest --executor ray [--ray-address ADDR]`).

Same contract as `executors.LocalProcesses`: `map(items)` yields `(item, result)` in the
order given, `result` being `(path, Analysed | None, reason | None)`. The driver (this
process) reads each file and ships its bytes with its name, so workers need no shared disk;
a task writes them to a temporary folder and runs `work` there under the same limits as a
local worker (the time limits are inside `work`, the address-space cap is set here). A task
whose worker dies (memory, crash) or that never answers is a failed row with a one-line
reason; the batch goes on. The database is written by the driver only.

Ray is an optional dependency (`pip install 'baocao[cluster]'`), imported only here and
only when this executor runs.
"""
from __future__ import annotations

import contextlib
import os
import resource
import secrets
import socket
import sys
import tempfile
from collections import deque
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Iterator

from pipeline.executors import cap_memory, killed_reason, usable_cores

MISSING = "--executor ray needs Ray, which is not installed: pip install 'baocao[cluster]'"
OBJECT_STORE_MB = 256  # a local instance's shared memory: files and results pass through it
GRACE_S = 30  # beyond the file's own limits, before the driver gives a silent task up
STARTUP_S = 120  # more for the first answer of a batch: workers start and load the models


class ExecutorUnavailable(RuntimeError):
    """The executor cannot run (Ray missing, cluster unreachable): one line for the user."""


def available() -> bool:
    from importlib.util import find_spec

    return find_spec("ray") is not None


def _import_ray():
    try:
        import ray
    except ImportError:
        raise ExecutorUnavailable(MISSING) from None
    return ray


@contextmanager
def memory_cap(max_memory_mb: float):
    """Cap this process's address space at its present size + the budget, for one file
    (a Ray worker lives on after the task: the former limit comes back)."""
    if not max_memory_mb:
        yield
        return
    former = cap_memory(max_memory_mb)
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, former)


_SET_UP: set = set()  # setup functions already run in this worker process


def run_shipped(work: Callable, setup: Callable | None, name: str, data: bytes, limits):
    """In a Ray worker: the file's bytes written under its own name (extractors look at the
    extension as well as the content), `work` run on that copy. Returns (Analysed | None,
    reason | None), the reason speaking of the file's name, not of the temporary copy."""
    if setup is not None and setup not in _SET_UP:
        setup()  # models loaded once per worker, outside the file's time budget
        _SET_UP.add(setup)
    with tempfile.TemporaryDirectory(prefix="baocao-") as folder:
        local = os.path.join(folder, name)
        with open(local, "wb") as fh:
            fh.write(data)
        del data
        with memory_cap(limits.max_memory_mb):
            _, doc, reason = work(local, limits)
    if reason:
        reason = reason.replace(local, name).replace(folder, ".")
    return doc, reason


def _reload_ray_config() -> None:
    """Ray reads its RAY_* settings when imported: imported earlier, it reads them again."""
    if "ray" in sys.modules:
        from ray._raylet import Config

        Config.initialize("")


def _reachable(address: str, seconds: float = 5) -> None:
    """A `host:port` that nothing answers on is a one-line error now, not after Ray's retries."""
    host, _, port = address.rpartition("://")[2].rpartition(":")
    if not host or not port.isdigit():
        return  # "auto", or a form Ray will judge
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=seconds).close()
    except OSError as exc:
        raise ExecutorUnavailable(f"cannot reach the Ray cluster at {address}: "
                                  f"{exc.strerror or exc}") from None


def _one_line(exc: BaseException) -> str:
    first = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
    return f"{type(exc).__name__}: {first}"[:300]


class RayCluster:
    """`work(path, limits)` as Ray tasks (one CPU each, never retried: a file that kills a
    worker would kill the next one too). `address` is a cluster's ("host:port", or "auto"
    for the one running on this machine); None starts a local instance for the batch
    (on `cpus` CPUs, no dashboard, no usage report, a small object store) and stops it
    after. A window of 2× the cluster's CPUs is in flight; results are taken in submission
    order, so ids stay serial."""

    def __init__(self, work: Callable, limits, address: str | None = None,
                 cpus: int | None = None, setup: Callable | None = None,
                 grace_s: float = GRACE_S):
        if not available():
            raise ExecutorUnavailable(MISSING)
        self.work, self.limits, self.address = work, limits, address
        self.cpus, self.setup, self.grace_s = cpus, setup, grace_s

    def preflight(self) -> None:
        """Before the batch (no database touched, Ray not imported): is the cluster there?"""
        if self.address is not None:
            _reachable(self.address)

    def _connect(self, ray) -> bool:
        """Join or start a cluster; True when this executor must shut it down."""
        if ray.is_initialized():  # the caller's session
            return False
        forwarded = {k: v for k, v in os.environ.items() if k.startswith("BAOCAO_")}
        forwarded["BAOCAO_OCR_JOBS"] = "1"  # a task holds one CPU
        options = dict(runtime_env={"env_vars": forwarded}, log_to_driver=False,
                       logging_level="WARNING")
        if self.address is None:
            options.update(address="local", num_cpus=self.cpus or usable_cores(),
                           include_dashboard=False, _node_ip_address="127.0.0.1",
                           object_store_memory=OBJECT_STORE_MB * 1024 * 1024)
        else:
            _reachable(self.address)
            options.update(address=self.address)
        try:
            ray.init(**options)
        except Exception as exc:  # unreachable, refused token, a bad address
            where = self.address or "a local Ray instance"
            raise ExecutorUnavailable(f"cannot start or join {where}: {_one_line(exc)}") from None
        return True

    @contextmanager
    def _environment(self):
        """Before Ray reads its configuration, for the cluster's lifetime: no usage report;
        for a local instance, a token of this process kept in its environment (Ray's
        processes inherit it, nothing is written to ~/.ray), since Ray's ports listen on
        every interface. What was set is undone on the way out (the token must not outlive
        the instance it guards, nor reach what this process starts later)."""
        settings = {"RAY_USAGE_STATS_ENABLED": "0"}
        if self.address is not None:
            # Ray would retry a cluster that stopped answering for over ten minutes
            settings.update(RAY_gcs_server_port_wait_time_s="3", RAY_py_gcs_connect_timeout_s="10")
        elif "RAY_AUTH_MODE" not in os.environ:
            settings.update(RAY_AUTH_MODE="token", RAY_AUTH_TOKEN=secrets.token_hex(32))
        added = {k: v for k, v in settings.items() if k not in os.environ}
        os.environ.update(added)
        auth = "RAY_AUTH_MODE" in added
        if auth:
            _reload_ray_config()
        try:
            yield
        finally:
            for k, v in added.items():
                if os.environ.get(k) == v:  # unless changed meanwhile by someone else
                    del os.environ[k]
            if auth:
                _reload_ray_config()

    def map(self, items: Iterable[tuple]) -> Iterator[tuple[tuple, tuple]]:
        with self._environment():
            ray = _import_ray()
            owned = self._connect(ray)
            try:
                yield from self._run(ray, items)
            finally:
                if owned:
                    ray.shutdown()

    def _run(self, ray, items):
        limits = self.limits
        task = ray.remote(run_shipped).options(num_cpus=1, max_retries=0)
        window_size = 2 * max(1, int(ray.cluster_resources().get("CPU", 1)))
        wait = (limits.timeout_s + (limits.analysis_timeout_s or 0)) * 2 + self.grace_s \
            if limits.timeout_s else None
        window: deque = deque()  # (item, object ref | the reason it could not be sent)
        try:
            yield from self._drain(ray, items, task, window, window_size, wait)
        finally:  # a batch stopped early (Ctrl-C, a closed generator): free the cluster's CPUs
            for _item, ref in window:
                if not isinstance(ref, str):
                    with contextlib.suppress(Exception):  # a lost cluster must not hide why we stopped
                        ray.cancel(ref, force=True)

    def _drain(self, ray, items, task, window, window_size, wait):
        from ray.exceptions import (GetTimeoutError, OutOfMemoryError, RayTaskError,
                                    TaskCancelledError, WorkerCrashedError)

        limits = self.limits
        pending = iter(items)
        startup = STARTUP_S
        while True:
            for item in pending:
                path = item[0]
                try:
                    data = Path(path).read_bytes()
                except OSError as exc:
                    window.append((item, f"cannot read file: {exc.strerror or exc}"))
                else:
                    window.append((item, task.remote(self.work, self.setup, Path(path).name,
                                                     data, limits)))
                    del data
                if len(window) >= window_size:
                    break
            if not window:
                return
            item, ref = window.popleft()
            if isinstance(ref, str):
                yield item, (item[0], None, ref)
                continue
            try:
                doc, reason = ray.get(ref, timeout=wait and wait + startup)
                startup = 0
            except GetTimeoutError:  # stuck where no signal reaches it
                ray.cancel(ref, force=True)
                doc, reason = None, killed_reason(limits)
            except (WorkerCrashedError, OutOfMemoryError, TaskCancelledError):
                doc, reason = None, killed_reason(limits)
            except RayTaskError as exc:  # the task itself raised (not `work`: it never does)
                doc, reason = None, f"cluster task failed: {_one_line(exc.cause or exc)}"
            except ray.exceptions.RayError as exc:  # node lost, object lost
                doc, reason = None, f"cluster task failed: {_one_line(exc)}"
            yield item, (item[0], doc, reason)
