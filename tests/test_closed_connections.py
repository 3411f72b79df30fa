"""Every query command closes the database connections it opened, on success and on
error: none is left for the garbage collector (a long-lived caller such as a test run or a
server would otherwise hold file descriptors of the database)."""
from __future__ import annotations

import sqlite3

import pytest

from pipeline.commands import exitcodes
from tests.conftest import SAMPLE_CORPUS, run_cli

COMMANDS = [
    ("cited-by", "15/KH-UBND"), ("cited-by", "15/KH-UBND", "--format", "csv"),
    ("cites", "cong-van-1468-2024.txt"), ("status", "15/KH-UBND"), ("search", "cải cách"),
    ("figures",), ("figures", "--format", "json"), ("audit", "--all"), ("audit", "--format", "csv"),
    ("findings",), ("findings", "--format", "csv"), ("show", "ke-hoach-24-2024.md"),
    ("review", "--list"),
    # errors: no such document, a query that matches nothing
    ("cites", "khong-co.txt"), ("show", "khong-co.txt"), ("findings", "khong-co.txt"),
    ("cited-by", "999/2099/NĐ-CP"),
]


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    from pipeline.ingest import ingest

    path = tmp_path_factory.mktemp("closed") / "corpus.db"
    ingest([str(SAMPLE_CORPUS / "cong-van-1468-2024.txt"), str(SAMPLE_CORPUS / "ke-hoach-24-2024.md")],
           path, jobs=1)
    return path


@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_command_closes_its_connections(db_path, monkeypatch, argv):
    opened: list[sqlite3.Connection] = []
    connect = sqlite3.connect

    def recording_connect(*args, **kwargs):
        conn = connect(*args, **kwargs)
        opened.append(conn)  # held here: only an explicit close() closes it
        return conn

    monkeypatch.setattr(sqlite3, "connect", recording_connect)
    code, _ = run_cli("--db", str(db_path), *argv)
    assert code in (exitcodes.OK, exitcodes.NO_MATCH, exitcodes.NO_DATA)
    assert opened, "the command opened no connection through sqlite3.connect"
    left_open = []
    for conn in opened:
        try:
            conn.execute("select 1")
            left_open.append(conn)
        except sqlite3.ProgrammingError:  # "Cannot operate on a closed database."
            pass
    assert not left_open, f"{len(left_open)} of {len(opened)} connections left open"
