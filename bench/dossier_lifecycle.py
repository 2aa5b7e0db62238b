"""The life of one generated dossier: which steps it went through, when, and where it stands at
the end of the generated period. Pure Python over integers (no Django, no database), so a million
of them are cheap.

Instants are Vietnam local seconds: `day ordinal * 86400 + seconds since local midnight` (the
zone has had no daylight saving since 1975, so local time maps to UTC by a fixed -7 h). Back-office
steps happen in office hours of working days (7:30–11:30, 13:30–17:00, the defaults of
`workdays.OfficeHours`); durations are counted in office seconds, like the real time limits."""

from __future__ import annotations

import random
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

DAY = 86_400
MORNING_START, MORNING_END = 7 * 3600 + 1800, 11 * 3600 + 1800
AFTERNOON_START, AFTERNOON_END = 13 * 3600 + 1800, 17 * 3600
MORNING = MORNING_END - MORNING_START  # 14,400 s
OFFICE_DAY = MORNING + AFTERNOON_END - AFTERNOON_START  # 27,000 s of office time a day

# Dossier status codes (dossiers.models.Status) and channels (dossiers.models.Channel).
SUBMITTED, ACCEPTED, REFUSED, PROCESSING, SUPPLEMENT = 1, 2, 3, 4, 5
WITHDRAWN, STOPPED, DONE, RETURNED = 7, 8, 9, 10
COUNTER, ONLINE, POST = 1, 2, 3
MAX_STEPS = 6

# Who records a step: the receiving one-stop office or the handling agency.
RECEIVING, HANDLING = "R", "H"
PUBLIC_NOTES = {
    "submit": "Hồ sơ đã được nộp trực tuyến, đang chờ tiếp nhận.",
    "refuse": "Hồ sơ không đủ điều kiện tiếp nhận.",
    "request_supplement": "Cần bổ sung giấy tờ theo hướng dẫn.",
    "submit_supplement": "Người nộp đã bổ sung hồ sơ.",
    "withdraw": "Người nộp đã rút hồ sơ.",
    "stop": "Hồ sơ đã dừng xử lý.",
    "record_result": "Đã có kết quả giải quyết.",
    "return_result": "Đã trả kết quả.",
}


@dataclass(frozen=True)
class Step:
    action: str
    from_status: int | None
    to_status: int
    by: str  # RECEIVING or HANDLING
    at: int  # local seconds
    public_note: str


@dataclass
class Life:
    status: int
    steps: list[Step] = field(default_factory=list)
    received_at: int | None = None
    due_at: int | None = None
    finished_at: int | None = None
    returned_at: int | None = None


def office_offset(second_of_day: int) -> int:
    """Office seconds of the day already gone at `second_of_day`."""
    if second_of_day < MORNING_START:
        return 0
    if second_of_day < MORNING_END:
        return second_of_day - MORNING_START
    if second_of_day < AFTERNOON_START:
        return MORNING
    return min(MORNING + second_of_day - AFTERNOON_START, OFFICE_DAY)


def office_second(offset: int) -> int:
    """The second of the day at which `offset` office seconds have gone."""
    if offset < MORNING:
        return MORNING_START + offset
    return AFTERNOON_START + offset - MORNING


class Clock:
    """Working days from `first` for `span_days` days, from the real working calendar."""

    def __init__(self, first: date, span_days: int, is_working_day: Callable[[date], bool]):
        days = (first + timedelta(days=n) for n in range(span_days))
        self.working = [day.toordinal() for day in days if is_working_day(day)]

    def index(self, ordinal: int) -> int:
        """Index of the first working day on or after `ordinal`."""
        return bisect_left(self.working, ordinal)

    def is_working(self, ordinal: int) -> bool:
        i = self.index(ordinal)
        return i < len(self.working) and self.working[i] == ordinal

    def to_office(self, at: int) -> int:
        """Office seconds since the first working day, for a local instant."""
        day, second = divmod(at, DAY)
        i = self.index(day)
        if i < len(self.working) and self.working[i] == day:
            return i * OFFICE_DAY + office_offset(second)
        return i * OFFICE_DAY

    def from_office(self, office: int) -> int:
        i, offset = divmod(office, OFFICE_DAY)
        return self.working[i] * DAY + office_second(offset)

    def after(self, at: int, office_seconds: float) -> int:
        """The instant `office_seconds` of office time after `at` (from the next opening)."""
        return self.from_office(self.to_office(at) + int(office_seconds))

    def due(self, received: int, amount: int, unit: str) -> int:
        """The due instant (ADR 0002): the n-th working day after reception at the same clock
        time; calendar days carried past days off; 0 days means the end of that working day."""
        day, second = divmod(received, DAY)
        if unit == "days":
            target = day + amount
            while not self.is_working(target):
                target += 1
            return target * DAY + second
        if amount == 0:
            return day * DAY + AFTERNOON_END
        return self.working[self.index(day) + amount] * DAY + second


@dataclass(frozen=True)
class Case:
    """What decides a dossier's life: its channel, time limit and delivery."""

    channel: int
    submitted_at: int
    limit_amount: int
    limit_unit: str
    result_online: bool  # the result is delivered in the citizen's account


def _limit_office(case: Case) -> float:
    days = case.limit_amount * (5 / 7 if case.limit_unit == "days" else 1)
    return max(days, 0.5) * OFFICE_DAY


class _Builder:
    def __init__(self, horizon: int) -> None:
        self.life = Life(status=0)
        self.horizon = horizon
        self.open = True  # False once a step falls after the horizon

    def step(self, action: str, to_status: int, by: str, at: int) -> bool:
        if not self.open or at > self.horizon or len(self.life.steps) >= MAX_STEPS:
            self.open = False
            return False
        before = self.life.status or None
        self.life.steps.append(
            Step(action, before, to_status, by, at, PUBLIC_NOTES.get(action, ""))
        )
        self.life.status = to_status
        return True


def live(case: Case, clock: Clock, horizon: int, rng: random.Random) -> Life:
    """Walk the dossier through reception, processing and return; stop at `horizon` (the end of
    the generated period), so recent dossiers are still open, as in a real database."""
    b = _Builder(horizon)
    t = case.submitted_at
    if case.channel == ONLINE:
        b.step("submit", SUBMITTED, RECEIVING, t)
        roll = rng.random()
        answered = clock.after(t, rng.uniform(0.05, 1.0) * OFFICE_DAY)
        if roll < 0.03:
            if b.step("refuse", REFUSED, RECEIVING, answered):
                b.life.finished_at = answered
            return b.life
        if roll < 0.045:
            if b.step("withdraw", WITHDRAWN, RECEIVING, answered):
                b.life.finished_at = answered
            return b.life
        t = answered
        if not b.step("accept", ACCEPTED, RECEIVING, t):
            return b.life
    else:
        b.step("receive", ACCEPTED, RECEIVING, t)
    b.life.received_at = t
    b.life.due_at = clock.due(t, case.limit_amount, case.limit_unit)
    _process(case, clock, b, rng)
    return b.life


def _process(case: Case, clock: Clock, b: _Builder, rng: random.Random) -> None:
    life, limit = b.life, _limit_office(case)
    start = life.received_at or case.submitted_at
    t = clock.after(start, rng.uniform(0.0, 0.3) * OFFICE_DAY)
    if not b.step("forward", PROCESSING, HANDLING, t):
        return
    roll = rng.random()
    if roll < 0.015:
        t = clock.after(t, rng.uniform(0.2, 1.0) * limit)
        if b.step("stop", STOPPED, HANDLING, t):
            life.finished_at = t
        return
    if roll < 0.025:
        t = clock.after(t, rng.uniform(0.1, 0.8) * limit)
        if b.step("withdraw", WITHDRAWN, HANDLING, t):
            life.finished_at = t
        return
    room = MAX_STEPS - len(life.steps) - (1 if case.result_online else 2)
    if roll < 0.095 and room >= 2:
        t = clock.after(t, rng.uniform(0.2, 0.6) * limit)
        if not b.step("request_supplement", SUPPLEMENT, HANDLING, t):
            return
        t = clock.after(t, rng.uniform(1, 8) * OFFICE_DAY)
        if not b.step("submit_supplement", PROCESSING, HANDLING, t):
            return
        # Decree 61/2018 Art. 19(4): the time limit restarts once the dossier is complete.
        life.due_at = clock.due(t, case.limit_amount, case.limit_unit)
        start = t
    _finish(case, clock, b, rng, start, limit)


def _finish(
    case: Case, clock: Clock, b: _Builder, rng: random.Random, start: int, limit: float
) -> None:
    life = b.life
    if rng.random() < 0.9:  # on time
        t = clock.after(start, rng.uniform(0.15, 0.95) * limit)
        t = min(t, life.due_at) if life.due_at is not None and t > start else t
        t = max(t, b.life.steps[-1].at + 60)
    else:  # late: past the due instant by up to one time limit
        due = life.due_at if life.due_at is not None else start
        t = clock.after(due, rng.uniform(0.05, 1.0) * max(limit, OFFICE_DAY))
    if not b.step("record_result", DONE, HANDLING, t):
        return
    life.finished_at = t
    if case.result_online or rng.random() < 0.08:  # never collected (yet)
        return
    t = clock.after(t, rng.uniform(0.02, 5.0) * OFFICE_DAY)
    if b.step("return_result", RETURNED, RECEIVING, t):
        life.returned_at = t
