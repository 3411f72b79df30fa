"""`--format table` is streamed (pipeline/commands/table.py): the first lines are out
before the rows are all read, every line has the table's width, no word is lost."""
from __future__ import annotations

import io

from pipeline.commands import table
from pipeline.commands.output import emit
from pipeline.commands.table import cell_len

TEXT = ("Một số xã chưa cập nhật kịp thời hồ sơ lên Hệ thống thông tin giải quyết thủ tục "
        "hành chính của tỉnh; tỷ lệ hồ sơ trực tuyến đạt 87,5%, thấp hơn chỉ tiêu (95%).")


class _Recorder(io.StringIO):
    """A file that notes how many rows had been read at its first write."""

    def __init__(self, consumed):
        super().__init__()
        self.consumed, self.at_first_write = consumed, None

    def write(self, s):
        if self.at_first_write is None:
            self.at_first_write = self.consumed[0]
        return super().write(s)


def test_first_line_before_the_last_row_is_read():
    consumed = [0]
    n = 3 * table.CHUNK

    def rows():
        for i in range(n):
            consumed[0] += 1
            yield {"document": f"bao-cao-{i:04d}.txt", "text": TEXT}

    out = _Recorder(consumed)
    assert emit(rows(), "table", ["document", "text"], title="findings", file=out) == n
    assert out.at_first_write <= table.CHUNK + 1 < n
    assert out.getvalue().count("bao-cao-") == n


def test_lines_have_one_width_and_keep_every_word(monkeypatch):
    monkeypatch.setenv("COLUMNS", "72")
    rows = [{"document": "ke-hoach-24-2024.md", "category": "limitation", "text": TEXT},
            {"document": "cong-van-1468-2024.txt", "category": None, "text": "Dòng một\nDòng hai"},
            {"document": "x.txt", "category": "cause", "text": "a" * 150}]  # a word wider than the column
    out = io.StringIO()
    emit(rows, "table", ["document", "category", "text"], title="findings", file=out)
    lines = out.getvalue().splitlines()
    assert lines[0].strip() == "findings"
    frame = lines[1:]
    widths = {cell_len(line) for line in frame}
    assert len(widths) == 1 and widths.pop() <= 72
    cells = [line.split("│")[3].strip() for line in frame if line.startswith("│")]
    words = " ".join(cells).split()
    expected = (TEXT + " Dòng một Dòng hai").split()
    assert words[:len(expected)] == expected
    assert "".join(words[len(expected):]) == "a" * 150  # folded, nothing lost


def test_cells_are_cleaned_of_terminal_escapes():
    out = io.StringIO()
    emit([{"text": "Sở \x1b[31mNội vụ\x1b[0m\x07"}], "table", ["text"], file=out)
    assert "\x1b" not in out.getvalue() and "\x07" not in out.getvalue()
    assert "Sở Nội vụ" in out.getvalue()
