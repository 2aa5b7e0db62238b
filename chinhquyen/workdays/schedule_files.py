"""Reading a yearly schedule file. Every line is checked; one bad line rejects the whole file.

Format (UTF-8 CSV, see `data/2026.csv`)::

    # year: 2026
    # source: Thông báo 9441/TB-BNV ngày 16/10/2025
    date,kind,name
    2026-01-01,day_off,Tết Dương lịch
    2026-01-10,working_saturday,Làm bù cho ngày 02/01

Lines starting with `#` are comments; `# year:` and `# source:` set the year and the source
(a caller may pass them instead)."""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date

from chinhquyen.core.errors import DomainError
from chinhquyen.workdays.models import ScheduleDay
from chinhquyen.workdays.statutory import SATURDAY, is_weekend

HEADER = ["date", "kind", "name"]
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_META = re.compile(r"#\s*(year|source)\s*:\s*(.*)", re.IGNORECASE)
NAME_MAX = 200


@dataclass(frozen=True)
class ScheduleRow:
    date: date
    kind: str
    name: str


@dataclass
class ScheduleFile:
    year: int
    source: str
    rows: list[ScheduleRow]

    def content_hash(self) -> str:
        """Identifies the days (not the source text): re-importing the same days is a no-op."""
        lines = [f"{row.date.isoformat()},{row.kind},{row.name}" for row in self.sorted_rows()]
        return hashlib.sha256("\n".join([str(self.year), *lines]).encode()).hexdigest()

    def sorted_rows(self) -> list[ScheduleRow]:
        return sorted(self.rows, key=lambda row: row.date)


class ScheduleFileError(DomainError):
    """The file is refused whole; `problems` lists (line number, message) for every bad line."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        self.problems = problems
        lines = "; ".join(f"dòng {number}: {text}" for number, text in problems)
        super().__init__(f"Tệp lịch không hợp lệ, không nhập gì. {lines}", code="schedule_invalid")


@dataclass
class _Reader:
    year: int | None
    source: str
    problems: list[tuple[int, str]] = field(default_factory=list)
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    seen_header: bool = False


def check_row_fields(values: list[str], year: int) -> tuple[ScheduleRow | None, list[str]]:
    """The checks of one line; shared with the admin form. Returns the row or the messages."""
    if len(values) not in (2, 3):
        return None, [f"cần 3 cột date,kind,name, có {len(values)} cột"]
    raw_date, kind, name = (*[v.strip() for v in values], "")[:3]
    problems = []
    if kind not in ScheduleDay.Kind.values:
        problems.append(f"loại “{kind}” không hợp lệ (day_off hoặc working_saturday)")
    if len(name) > NAME_MAX:
        problems.append(f"tên dài quá {NAME_MAX} ký tự")
    day = _parse_date(raw_date, problems)
    if day is not None:
        problems.extend(check_day(day, kind, year))
    if problems or day is None:
        return None, problems
    return ScheduleRow(day, kind, name), []


def check_day(day: date, kind: str, year: int) -> list[str]:
    problems = []
    if day.year != year:
        problems.append(f"ngày {day:%d/%m/%Y} không thuộc năm {year}")
    if kind == ScheduleDay.Kind.WORKING_SATURDAY and day.weekday() != SATURDAY:
        problems.append(f"ngày làm bù {day:%d/%m/%Y} không phải thứ Bảy")
    if kind == ScheduleDay.Kind.DAY_OFF and is_weekend(day):
        problems.append(f"ngày nghỉ {day:%d/%m/%Y} rơi vào cuối tuần (ghi ngày nghỉ bù thay vào)")
    return problems


def _parse_date(raw: str, problems: list[str]) -> date | None:
    if _DATE.fullmatch(raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    problems.append(f"ngày “{raw}” không đúng dạng YYYY-MM-DD")
    return None


def _read_line(reader: _Reader, number: int, line: str) -> None:
    stripped = line.strip()
    if not stripped:
        return
    if stripped.startswith("#"):
        _read_meta(reader, number, stripped)
        return
    values = next(csv.reader([line]))
    if not reader.seen_header:
        reader.seen_header = True
        if [v.strip().lower() for v in values] != HEADER:
            reader.problems.append((number, "dòng tiêu đề phải là: date,kind,name"))
        return
    reader.rows.append((number, values))


def _read_meta(reader: _Reader, number: int, line: str) -> None:
    match = _META.fullmatch(line)
    if match is None or reader.seen_header:
        return
    key, value = match.group(1).lower(), match.group(2).strip()
    if key == "source":
        reader.source = reader.source or value
        return
    if not value.isdigit():
        reader.problems.append((number, f"năm “{value}” không hợp lệ"))
    elif reader.year is not None and reader.year != int(value):
        reader.problems.append((number, f"năm {value} khác năm được chỉ định {reader.year}"))
    else:
        reader.year = int(value)


def parse_schedule(text: str, *, year: int | None = None, source: str = "") -> ScheduleFile:
    """Parse and check every line; raise ScheduleFileError listing all the bad ones."""
    reader = _Reader(year=year, source=source.strip())
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        _read_line(reader, number, line)
    if reader.year is None:
        raise ScheduleFileError([*reader.problems, (1, "thiếu năm (# year: YYYY)")])
    if not reader.source:
        reader.problems.append((1, "thiếu căn cứ (# source: số, ngày thông báo)"))
    if not reader.seen_header:
        reader.problems.append((1, "thiếu dòng tiêu đề date,kind,name"))
    rows = _check_rows(reader, reader.year)
    if (
        reader.seen_header
        and not any(row.kind == "day_off" for row in rows)
        and not reader.problems
    ):
        # Labour Code 2019 Art. 112 gives 11 holidays a year: a table with none is a mistake,
        # and activating it would make every holiday a working day.
        reader.problems.append((1, "tệp không có ngày nghỉ nào (day_off)"))
    if reader.problems:
        raise ScheduleFileError(sorted(reader.problems))
    return ScheduleFile(year=reader.year, source=reader.source[:300], rows=rows)


def _check_rows(reader: _Reader, year: int) -> list[ScheduleRow]:
    rows: list[ScheduleRow] = []
    first_line: dict[date, int] = {}
    for number, values in reader.rows:
        row, problems = check_row_fields(values, year)
        reader.problems.extend((number, text) for text in problems)
        if row is None:
            continue
        if row.date in first_line:
            reader.problems.append(
                (number, f"ngày {row.date:%d/%m/%Y} trùng dòng {first_line[row.date]}")
            )
            continue
        first_line[row.date] = number
        rows.append(row)
    return rows
