"""Parse one Vietnamese day date into ISO, keeping impossible dates visible.

Forms: "15/7/2021", "15-7-2021", "15.7.2021", "ngày 08 tháng 6 năm 2010",
"08 tháng 6 năm 2010". Shared by citations (issued dates), dates and structure.
"""
from __future__ import annotations

import calendar
import re

DAY_DATE = re.compile(
    r"(?P<d>\d{1,2})\s*(?P<sep>[/\-.])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<y>\d{4})(?!\d)"
    r"|(?P<d2>\d{1,2})\s+tháng\s+(?P<m2>\d{1,2})\s*,?\s+năm\s+(?P<y2>\d{4})(?!\d)",
    re.IGNORECASE,
)


def date_problem(year: int, month: int, day: int | None = None) -> str | None:
    if not 1 <= month <= 12:
        return f"impossible month {month}"
    if day is not None:
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            return f"impossible day {day}/{month}/{year}"
    if not 1900 <= year <= 2100:
        return f"implausible year {year}"
    return None


def iso(year: int, month: int | None = None, day: int | None = None) -> str:
    if month is None:
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def parse_day_date(surface: str) -> tuple[str | None, str | None]:
    """Return (iso, problem). iso is still returned for an impossible date (written as
    stated, e.g. '2023-02-30') so that nothing is silently dropped; problem says why."""
    m = DAY_DATE.search(surface)
    if not m:
        return None, None
    if m.group("d"):
        d, mo, y = int(m.group("d")), int(m.group("m")), int(m.group("y"))
    else:
        d, mo, y = int(m.group("d2")), int(m.group("m2")), int(m.group("y2"))
    return iso(y, mo, d), date_problem(y, mo, d)
