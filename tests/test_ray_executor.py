"""The Ray executor (`baocao ingest --executor ray`) against a Ray head started on 127.0.0.1
for this module: the database it writes equals the local executor's, every table and
column; a file that kills its worker, runs out of time or of memory fails alone.

Ray is an optional extra (`pip install -e '.[cluster]'`): without it these tests are
skipped, except under CI=true where .ci/run installs it and a missing Ray is an error.
"""
from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.conftest import IN_CI, ROOT, SAMPLE_CORPUS
from tests.test_parallel import dump, generated_reports

RAY_ENV = {"RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "token"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _end_group(head: subprocess.Popen) -> None:
    """End the process group of the head we started (nothing else): SIGTERM, then SIGKILL
    for what is left after 3 s (Ray's servers may outlive a SIGTERM)."""
    for sig, seconds in ((signal.SIGTERM, 3), (signal.SIGKILL, 10)):
        try:
            os.killpg(head.pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            head.poll()  # reap the head itself
            try:
                os.killpg(head.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)


@pytest.fixture(scope="module")
def ray_head():
    """`ray start --head --block` on 127.0.0.1 (2 CPUs, no dashboard, a small object store,
    its own temp folder and token), shared by the module; its process group is ended after."""
    from pipeline.executors_ray import available

    if not available():
        if IN_CI:
            pytest.fail("CI=true: Ray is required (.ci/run installs the `cluster` extra)")
        pytest.skip("Ray not installed (pip install -e '.[cluster]'); CI runs these tests")
    env = {**RAY_ENV, "RAY_AUTH_TOKEN": secrets.token_hex(32)}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the drivers of this process present the same token
    if "ray" in sys.modules:
        from ray._raylet import Config

        Config.initialize("")
    temp = tempfile.mkdtemp(prefix="rayt", dir="/tmp")  # short: Ray's socket paths are long
    port = _free_port()
    log = open(os.path.join(temp, "head.log"), "w+")
    head = subprocess.Popen(
        [sys.executable, "-m", "ray.scripts.scripts", "start", "--head", "--block",
         "--node-ip-address", "127.0.0.1", "--port", str(port), "--num-cpus", "2",
         "--include-dashboard", "false", "--disable-usage-stats",
         "--object-store-memory", str(128 * 1024 * 1024), "--temp-dir", temp],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT,
        env={**os.environ, **env})
    try:
        deadline = time.monotonic() + 240
        while "Ray runtime started" not in Path(log.name).read_text(errors="replace"):
            if head.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the Ray head did not start:\n" + Path(log.name).read_text()[-2000:])
            time.sleep(0.5)
        yield f"127.0.0.1:{port}"
    finally:
        _end_group(head)
        log.close()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        subprocess.run(["rm", "-rf", temp], check=False)


@pytest.mark.slow
def test_ray_and_local_executors_store_identical_databases(ray_head, tmp_path):
    from pipeline import cli
    from pipeline.ingest import ingest

    folder = tmp_path / "mixed"
    folder.mkdir()
    generated_reports(folder)  # reports, a broken PDF, a copy
    paths = [str(SAMPLE_CORPUS), str(folder)]  # txt, md, docx, pdf
    local = ingest(paths, tmp_path / "local.db", jobs=2)
    assert cli.main(["ingest", *paths, "--db", str(tmp_path / "ray.db"), "--executor", "ray",
                     "--ray-address", ray_head, "-q"]) == 4  # the broken PDF fails in both
    a, b = dump(tmp_path / "local.db"), dump(tmp_path / "ray.db")
    assert a.keys() == b.keys()
    for table in a:
        assert a[table] == b[table], table
    assert len(a["documents"]) == len(local.outcomes) - 1  # the copy is stored once
    assert sum(map(len, a.values())) > 1000  # rows of every stage, not an empty corpus
    failed = [o for o in local.outcomes if o.status == "failed"]
    assert [o.path for o in failed] == [str(folder / "hong.pdf")]


def _stand_in(path, limits):
    """A stand-in for `process_file`, by file name: dies, hangs deaf to signals, runs past
    its time limit, eats memory; else returns what it was given."""
    from pipeline.ingest import FileTimeout, time_budget

    name = os.path.basename(path)
    if name.startswith("bomb"):
        os._exit(1)
    if name.startswith("deaf"):  # stuck in C code: no signal reaches it
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(120)
    if name.startswith("slow"):
        try:
            with time_budget(limits.timeout_s):
                time.sleep(120)
        except FileTimeout:
            return path, None, f"time limit exceeded reading {path}"
    if name.startswith("hog"):
        try:
            hog = bytearray(1024 * 1024 * 1024)
            return path, len(hog), None
        except MemoryError:
            return path, None, "out of memory"
    bytearray(64 * 1024 * 1024)  # the cap of a former file is gone
    return path, (name, Path(path).read_text(encoding="utf-8")), None


@pytest.mark.slow
def test_a_file_that_kills_hangs_or_overflows_fails_alone(ray_head, tmp_path):
    from pipeline.executors_ray import RayCluster
    from pipeline.ingest import Limits

    names = ["a.txt", "bomb.txt", "b.txt", "slow.txt", "c.txt", "deaf.txt", "hog.txt", "d.txt"]
    items = []
    for name in names:
        (tmp_path / name).write_text(f"Nội dung của {name}", encoding="utf-8")
        items.append((str(tmp_path / name), name))
    limits = Limits(timeout_s=2, analysis_timeout_s=0, max_memory_mb=200)
    # grace: a task after a killed worker waits for a new one to start (a loaded CI box)
    out = list(RayCluster(_stand_in, limits, address=ray_head, grace_s=15).map(items))
    assert [item for item, _ in out] == items  # every file, in the order given
    result = {item[1]: res for item, res in out}
    assert all(result[n][0] == str(tmp_path / n) for n in names)
    for name in ("a.txt", "b.txt", "c.txt", "d.txt"):  # shipped as bytes, under their name
        assert result[name][1:] == ((name, f"Nội dung của {name}"), None)
    assert result["bomb.txt"][1] is None and result["bomb.txt"][2].startswith("worker killed")
    assert result["deaf.txt"][1] is None and result["deaf.txt"][2].startswith("worker killed")
    # the reason names the file, not the worker's temporary copy
    assert result["slow.txt"][1:] == (None, "time limit exceeded reading slow.txt")
    assert result["hog.txt"][1:] == (None, "out of memory")


def test_executor_ray_without_ray_is_a_one_line_usage_error(tmp_path, monkeypatch, capsys):
    from pipeline import cli

    monkeypatch.setitem(sys.modules, "ray", None)  # as if not installed
    (tmp_path / "a.txt").write_text("Báo cáo số 5/BC-UBND.", encoding="utf-8")
    db = tmp_path / "c.db"
    assert cli.main(["ingest", str(tmp_path / "a.txt"), "--db", str(db), "--executor", "ray"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'baocao[cluster]'" in err
    assert not db.exists()
    assert cli.main(["ingest", str(tmp_path / "a.txt"), "--db", str(db),
                     "--ray-address", "127.0.0.1:6379"]) == 2
    assert "--executor ray" in capsys.readouterr().err


def test_an_address_nothing_answers_on_is_a_one_line_error_before_the_batch(
        tmp_path, monkeypatch, capsys):
    from pipeline import cli, executors_ray

    monkeypatch.setattr(executors_ray, "available", lambda: True)  # Ray itself is not needed
    monkeypatch.setitem(sys.modules, "ray", None)  # and never imported
    (tmp_path / "a.txt").write_text("Báo cáo số 5/BC-UBND.", encoding="utf-8")
    db = tmp_path / "c.db"
    address = f"127.0.0.1:{_free_port()}"
    assert cli.main(["ingest", str(tmp_path / "a.txt"), "--db", str(db), "--executor", "ray",
                     "--ray-address", address]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"cannot reach the Ray cluster at {address}" in err
    assert not db.exists()


def test_the_default_path_never_imports_ray():
    code = ("import sys; from pipeline import cli, ingest, executors_ray; cli.build_parser(); "
            "executors_ray.available(); assert 'ray' not in sys.modules, 'ray imported'")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_the_token_of_a_local_instance_lives_as_long_as_the_instance(monkeypatch):
    """The RAY_* settings the executor adds (the local instance's token, no usage report)
    are in the environment while the cluster runs and gone once it stops, normally or on
    an error; what the caller had set stays as it was. Ray itself stands in by a fake."""
    from pipeline import executors_ray
    from pipeline.ingest import Limits

    seen: list[dict] = []

    class FakeRay:
        initialized = False

        def is_initialized(self):
            return self.initialized

        def init(self, **options):
            seen.append({k: os.environ.get(k) for k in ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN")})
            self.initialized = True

        def shutdown(self):
            seen.append({"shutdown": os.environ.get("RAY_AUTH_TOKEN")})
            self.initialized = False

    def run(self, ray, items):
        for item in items:
            if item == "boom":
                raise RuntimeError("lost the cluster")
            yield item, (item, None, "stand-in")

    for k in ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN", "RAY_USAGE_STATS_ENABLED"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("RAY_gcs_server_port_wait_time_s", "7")  # the caller's, kept
    monkeypatch.setattr(executors_ray, "available", lambda: True)
    monkeypatch.setattr(executors_ray, "_import_ray", FakeRay)
    monkeypatch.setattr(executors_ray.RayCluster, "_run", run)
    cluster = executors_ray.RayCluster(None, Limits(), cpus=1)

    assert [item for item, _ in cluster.map(["a", "b"])] == ["a", "b"]
    during, after = seen
    assert during["RAY_AUTH_MODE"] == "token" and len(during["RAY_AUTH_TOKEN"]) == 64
    assert after == {"shutdown": during["RAY_AUTH_TOKEN"]}  # still set while it stops
    for k in ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN", "RAY_USAGE_STATS_ENABLED"):
        assert k not in os.environ, k

    seen.clear()
    with pytest.raises(RuntimeError, match="lost the cluster"):
        list(cluster.map(["a", "boom"]))
    assert seen[0]["RAY_AUTH_TOKEN"] != during["RAY_AUTH_TOKEN"]  # a token per instance
    assert "RAY_AUTH_TOKEN" not in os.environ and "RAY_AUTH_MODE" not in os.environ

    joined = executors_ray.RayCluster(None, Limits(), address="127.0.0.1:1", cpus=1)
    monkeypatch.setattr(executors_ray, "_reachable", lambda address: None)
    list(joined.map(["a"]))
    assert "RAY_py_gcs_connect_timeout_s" not in os.environ
    assert os.environ["RAY_gcs_server_port_wait_time_s"] == "7"
