"""CLI conventions: distinct exit codes (pipeline/commands/exitcodes.py) and a DOC that
names several documents lists them instead of picking one."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.commands import exitcodes
from pipeline.ingest import ingest

REPORT = """ỦY BAN NHÂN DÂN
HUYỆN {huyen}
Số: {so}/BC-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
{huyen}, ngày 12 tháng 3 năm 2024

BÁO CÁO
Kết quả công tác cải cách hành chính quý I năm 2024

Thực hiện Kế hoạch số 15/KH-UBND ngày 19/01/2024 của Ủy ban nhân dân tỉnh, Ủy ban nhân dân
huyện báo cáo kết quả như sau:

1. Kết quả giải quyết hồ sơ: tiếp nhận {a}.{b}0 hồ sơ, đã giải quyết đúng hạn {a}.{b}0 hồ sơ.
2. Hạn chế: một số xã chưa cập nhật kịp thời hồ sơ lên Hệ thống thông tin giải quyết thủ tục
hành chính của tỉnh.
"""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("conv")
    folders = {"lamdong": ("Đức Trọng", "Lâm Hà"), "quangngai": ("Sơn Tịnh",)}
    n = 0
    for folder, names in folders.items():
        (root / folder).mkdir()
        for name in names:
            n += 1
            (root / folder / f"lamdong_bc_{n}.txt").write_text(
                REPORT.format(huyen=name, so=100 + n, a=n, b=n), encoding="utf-8")
    (root / "quangngai" / "bc.txt").write_text(REPORT.format(huyen="Ba Tơ", so=7, a=4, b=5),
                                               encoding="utf-8")
    (root / "quangngai" / "abc.txt").write_text(REPORT.format(huyen="Minh Long", so=8, a=5, b=6),
                                                encoding="utf-8")
    db = root / "c.db"
    assert not ingest([str(root / "lamdong"), str(root / "quangngai")], db).failed
    return root, str(db)


def _run(capsys, *argv):
    code = main(list(argv))
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_ambiguous_doc_lists_the_candidates(corpus, capsys):
    _root, db = corpus
    code, out, err = _run(capsys, "cites", "lamdong", "--db", db)
    assert code == exitcodes.USAGE and out == ""
    assert "'lamdong' matches 3 documents" in err
    assert err.count("lamdong_bc_") == 3 and "101/BC-UBND" in err  # candidates, with their number


def test_the_end_of_a_path_means_the_end(corpus, capsys):
    _root, db = corpus
    code, out, _err = _run(capsys, "show", "bc.txt", "--db", db)  # not abc.txt
    assert code == exitcodes.OK and "Ba Tơ" in out and "Minh Long" not in out
    code, out, _err = _run(capsys, "show", "lamdong/lamdong_bc_2.txt", "--db", db)
    assert code == exitcodes.OK and "Lâm Hà" in out
    code, out, _err = _run(capsys, "show", "102/bc-ubnd", "--db", db)  # number symbol, any case
    assert code == exitcodes.OK and "Lâm Hà" in out


def test_exit_codes_are_distinct(corpus, capsys, tmp_path):
    root, db = corpus
    assert _run(capsys, "cited-by", "kh 15", "--db", db)[0] == exitcodes.OK
    assert _run(capsys, "cited-by", "nđ 999/2031", "--db", db)[0] == exitcodes.NO_MATCH
    assert _run(capsys, "search", "hồ sơ", "--db", db)[0] == exitcodes.OK
    assert _run(capsys, "search", "tàu ngầm", "--db", db)[0] == exitcodes.NO_MATCH
    assert _run(capsys, "findings", "--category", "limitation", "--db", db)[0] == exitcodes.OK
    assert _run(capsys, "findings", "bc.txt", "--topic", "tàu ngầm", "--db", db)[0] == exitcodes.NO_MATCH
    with pytest.raises(SystemExit) as exc:
        main(["cited-by", "--no-such-option", "--db", db])
    assert exc.value.code == exitcodes.USAGE
    code, _out, err = _run(capsys, "show", "bc.txt", "--db", db, "--html",
                           "--output", str(root / "quangngai" / "bc.txt"))
    assert code == exitcodes.USAGE and "input file" in err
    assert _run(capsys, "show", "khong-co.txt", "--db", db)[0] == exitcodes.NO_DATA
    assert _run(capsys, "search", "hồ sơ", "--db", str(tmp_path / "none.db"))[0] == exitcodes.NO_DATA
    bad = root / "bad"
    bad.mkdir(exist_ok=True)
    shutil.copy(root / "quangngai" / "bc.txt", bad / "bc.txt")
    (bad / "rong.txt").write_bytes(b"")
    assert main(["ingest", str(bad), "--db", str(tmp_path / "x.db"), "-q"]) == exitcodes.FILES_FAILED
    assert len({exitcodes.OK, exitcodes.NO_MATCH, exitcodes.USAGE, exitcodes.NO_DATA,
                exitcodes.FILES_FAILED, exitcodes.MISMATCH}) == 6
