"""A procedure version's internal process (quy trình nội bộ, TT 01/2018/TT-VPCP Art. 8) as data.

`ProcedureVersion.process` stores the steps the province approved: code, name, the role that acts
and its time budget (docs/catalogue-format.md). Here they become a checked `Process`: each step gets
a kind from its role, the order of kinds is enforced, the budgets must fit the overall time limit,
and a version without steps gets a default process. `ACTIONS` says, for every action of the
engine (`handling.do_transition_dossier`), in which national statuses and at which kind of step it
may run, which roles may take it and at which agency. The deadline arithmetic of a dossier (its
due date, a step's due instant, the verdict of a step) lives here too, always through `workdays`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from chinhquyen.core.errors import DomainError
from chinhquyen.dossiers.models import Status
from chinhquyen.org.models import Agency, Role
from chinhquyen.procedures.models import ProcedureVersion
from chinhquyen.workdays.calendar import (
    VIETNAM,
    DurationUnit,
    add_duration,
    add_working_hours,
    next_working_start,
    transfer_date,
    working_calendar,
)

# Used only to compare budgets with the limit when checking a process (the default office hours:
# 07:30–11:30 and 13:30–17:00). Due instants always use the agency's real office hours.
NOMINAL_DAY_HOURS = Decimal("7.5")
MAX_BUDGET = Decimal(10_000)


class StepKind(models.TextChoices):
    """What a step does, from the role that acts in it (onestop.md §1.4–1.8)."""

    RECEPTION = "reception", _("Tiếp nhận")
    APPRAISAL = "appraisal", _("Thẩm định, xử lý")
    APPROVAL = "approval", _("Kiểm tra, phê duyệt")
    ISSUE = "issue", _("Phát hành kết quả")
    RETURN = "return", _("Trả kết quả")


_KIND_ORDER = [StepKind.RECEPTION, StepKind.APPRAISAL, StepKind.APPROVAL, StepKind.ISSUE]
_KIND_OF_ROLE: dict[str, StepKind] = {
    Role.SPECIALIST: StepKind.APPRAISAL,
    Role.UNIT_LEADER: StepKind.APPROVAL,
    Role.AGENCY_LEADER: StepKind.APPROVAL,
    Role.CLERK: StepKind.ISSUE,
}
# Unit leaders distribute the dossiers of their unit; an agency leader may too (Art. 19(1)).
ASSIGN_ROLES = frozenset({Role.UNIT_LEADER, Role.AGENCY_LEADER})
# Who may answer for a unit asked for an opinion or for its part of a liên thông dossier.
TASK_ROLES = frozenset({Role.SPECIALIST, Role.UNIT_LEADER, Role.AGENCY_LEADER})


class Verdict(models.TextChoices):
    """Mẫu 05 (TT 01/2018): the result of each step, trước hạn / đúng hạn / quá hạn."""

    EARLY = "truoc_han", _("Trước hạn")
    ON_TIME = "dung_han", _("Đúng hạn")
    LATE = "qua_han", _("Quá hạn")


@dataclass(frozen=True)
class Budget:
    """A duration in one of the `workdays.DurationUnit` units (a time limit or a step budget)."""

    value: Decimal
    unit: str

    def label(self) -> str:
        amount = f"{self.value.normalize():f}".replace(".", ",")
        return f"{amount} {DurationUnit(self.unit).label.lower()}"

    def working_hours(self) -> Decimal | None:
        """The budget in nominal working hours, or None for calendar units."""
        if self.unit == DurationUnit.WORKING_HOURS:
            return self.value
        if self.unit == DurationUnit.WORKING_DAYS:
            return self.value * NOMINAL_DAY_HOURS
        return None


# Decree 61/2018 Art. 19(4): the competent agency asks for a supplement within 3 working days from
# reception, unless sector law sets another period (a process's `supplement_limit`).
DEFAULT_SUPPLEMENT_LIMIT = Budget(Decimal(3), DurationUnit.WORKING_DAYS)


@dataclass(frozen=True)
class Step:
    code: str
    name: str
    role: str
    budget: Budget
    kind: str
    implicit: bool = False  # added by the engine, not in the approved process
    # Art. 19(4): another period for asking a supplement after appraisal started, when sector law
    # sets one (only on an appraisal step; None: the default 3 working days).
    supplement_limit: Budget | None = None


@dataclass(frozen=True)
class Process:
    steps: tuple[Step, ...]
    time_limit: Budget
    is_default: bool = False
    assign_roles: frozenset[str] = ASSIGN_ROLES

    def step(self, code: str) -> Step | None:
        return next((s for s in self.steps if s.code == code), None)

    def current(self, code: str) -> Step:
        """The step of a dossier; "" (not yet accepted, or closed) reads as reception."""
        return self.step(code) or self.reception

    def after(self, code: str) -> Step | None:
        codes = [s.code for s in self.steps]
        index = codes.index(code) if code in codes else -1
        return self.steps[index + 1] if 0 <= index < len(self.steps) - 1 else None

    def first(self, kind: str) -> Step:
        return next(s for s in self.steps if s.kind == kind)

    @property
    def reception(self) -> Step:
        return self.steps[0]

    @property
    def appraisal(self) -> Step:
        return self.first(StepKind.APPRAISAL)

    @property
    def return_step(self) -> Step:
        return self.steps[-1]

    @property
    def supplement_limit(self) -> Budget:
        """Decree 61/2018 Art. 19(4): how long after reception the competent agency may still
        ask for a supplement: 3 working days unless the process sets another period."""
        given = [s.supplement_limit for s in self.steps if s.supplement_limit is not None]
        return given[0] if given else DEFAULT_SUPPLEMENT_LIMIT


# --- Checking a process -------------------------------------------------------------------------


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}" if where else message)


def _budget(raw: Any, where: str, problems: _Problems) -> Budget | None:
    if not isinstance(raw, Mapping) or set(raw) - {"value", "unit", "note"} != set():
        problems.add(where, 'cần dạng {"value": "…", "unit": "…"}.')
        return None
    if raw.get("unit") not in DurationUnit.values:
        units = ", ".join(DurationUnit.values)
        problems.add(where, f"đơn vị “{raw.get('unit')}” không hợp lệ (dùng: {units}).")
        return None
    try:
        value = Decimal(str(raw.get("value")))
    except (InvalidOperation, ValueError):
        value = Decimal("NaN")
    if not value.is_finite() or value < 0 or value > MAX_BUDGET:
        problems.add(where, f"thời gian “{raw.get('value')}” phải là số không âm, tối đa 10000.")
        return None
    budget = Budget(value, raw["unit"])
    if budget.working_hours() is None and value != value.to_integral_value():
        problems.add(where, "số ngày theo lịch, số tháng phải là số nguyên.")
        return None
    return budget


def _step(raw: Any, index: int, last: bool, problems: _Problems) -> Step | None:
    where, before = f"Bước {index + 1}", len(problems.items)
    if not isinstance(raw, Mapping):
        problems.add(where, "phải có mã, tên, vai trò và thời gian.")
        return None
    code, name, role = raw.get("code"), raw.get("name"), raw.get("role")
    if not isinstance(code, str) or not code or not code.replace("_", "").isalnum():
        problems.add(where, "mã bước gồm chữ thường không dấu, số và gạch dưới.")
    if not isinstance(name, str) or not name.strip():
        problems.add(where, "chưa có tên bước.")
    budget = _budget(raw.get("budget"), f"{where}, thời gian", problems)
    if role == Role.ONE_STOP_OFFICER:
        kind = StepKind.RECEPTION if index == 0 else StepKind.RETURN if last else None
        if kind is None:
            problems.add(where, "cán bộ một cửa chỉ làm bước đầu (tiếp nhận) và bước cuối (trả).")
    else:
        kind = _KIND_OF_ROLE.get(str(role))
        if kind is None:
            problems.add(where, f"vai trò “{role}” không tham gia giải quyết hồ sơ.")
    limit = _supplement_limit(raw, kind, where, problems)
    if budget is None or kind is None or len(problems.items) > before:
        return None
    return Step(str(code), str(name).strip(), str(role), budget, kind, supplement_limit=limit)


def _supplement_limit(
    raw: Mapping[str, Any], kind: str | None, where: str, problems: _Problems
) -> Budget | None:
    """The optional `supplement_limit` of an appraisal step: the period sector law sets instead of
    the 3 working days of Decree 61/2018 Art. 19(4)."""
    if "supplement_limit" not in raw:
        return None
    if kind != StepKind.APPRAISAL:
        problems.add(where, "thời hạn yêu cầu bổ sung chỉ đặt ở bước thẩm định.")
        return None
    limit = _budget(raw["supplement_limit"], f"{where}, thời hạn yêu cầu bổ sung", problems)
    if limit is not None and limit.value == 0:
        problems.add(where, "thời hạn yêu cầu bổ sung phải lớn hơn 0.")
        return None
    return limit


def _check_order(steps: list[Step], problems: _Problems) -> None:
    kinds = [s.kind for s in steps]
    if not kinds or kinds[0] != StepKind.RECEPTION:
        problems.add("", "Bước đầu tiên phải là tiếp nhận hồ sơ của cán bộ một cửa.")
    for needed in (StepKind.APPRAISAL, StepKind.APPROVAL):
        if needed not in kinds:
            problems.add("", f"Quy trình cần ít nhất một bước “{StepKind(needed).label}”.")
    inner = [k for k in kinds if k != StepKind.RETURN]
    ranks = [_KIND_ORDER.index(StepKind(k)) for k in inner]
    if ranks != sorted(ranks):
        problems.add(
            "", "Thứ tự bước phải là: tiếp nhận, thẩm định, kiểm tra/phê duyệt, phát hành, trả."
        )
    if len({s.code for s in steps}) != len(steps):
        problems.add("", "Mã bước bị trùng.")
    if len([s for s in steps if s.supplement_limit is not None]) > 1:
        problems.add("", "Thời hạn yêu cầu bổ sung chỉ đặt ở một bước thẩm định.")


def _check_total(steps: list[Step], limit: Budget, problems: _Problems) -> None:
    """The budgets must fit in the time limit (TT 01/2018 Art. 8: the internal process splits the
    legal time limit between the steps). Compared in working hours when every unit allows it; a
    limit of 0 working days means within the day of reception (one working day)."""
    hours = [s.budget.working_hours() for s in steps if not s.implicit]
    limit_hours = limit.working_hours()
    if limit_hours is None or any(h is None for h in hours):
        same = [s.budget.value for s in steps if s.budget.unit == limit.unit]
        if len(same) == len(steps) and sum(same) > limit.value:
            problems.add("", f"Tổng thời gian các bước vượt thời hạn giải quyết ({limit.label()}).")
        return
    total = Decimal(sum(h for h in hours if h is not None))
    if total > max(limit_hours, NOMINAL_DAY_HOURS):
        total_text = f"{total.normalize():f}".replace(".", ",")
        problems.add(
            "",
            f"Tổng thời gian các bước ({total_text} giờ làm việc) vượt thời hạn giải quyết"
            f" ({limit.label()}).",
        )


def time_limit_of(version: ProcedureVersion) -> Budget:
    return Budget(Decimal(version.time_limit_value), version.time_limit_unit)


_IMPLICIT_RETURN = {"code": "tra_ket_qua", "name": "Trả kết quả", "role": Role.ONE_STOP_OFFICER}


def check_process(raw: Any, limit: Budget) -> Process:
    """The checked process, or DomainError listing every problem (Vietnamese)."""
    problems = _Problems()
    if not isinstance(raw, list) or not raw:
        raise DomainError("Quy trình nội bộ phải là danh sách các bước.", code="process_invalid")
    steps = [s for i, r in enumerate(raw) if (s := _step(r, i, i == len(raw) - 1, problems))]
    if not problems.items:
        _check_order(steps, problems)
    if not problems.items:
        _check_total(steps, limit, problems)
    if problems.items:
        raise DomainError(" ".join(problems.items), code="process_invalid", field="process")
    if steps[-1].kind != StepKind.RETURN:
        # Decree 61/2018 Art. 20: every result goes back through the one-stop office.
        budget = Budget(Decimal("0.5"), DurationUnit.WORKING_DAYS)
        code, name, role = (_IMPLICIT_RETURN[k] for k in ("code", "name", "role"))
        steps.append(Step(code, name, role, budget, StepKind.RETURN, implicit=True))
    return Process(tuple(steps), limit)


def default_process(limit: Budget) -> Process:
    """For a version without an approved process: reception, appraisal, approval by the head of
    the agency, return; the limit split 10/60/20/10 in working hours."""
    hours = limit.working_hours()
    if hours is None:  # calendar units: about 5 working days in 7, 22 in a month
        per_day = Decimal(5) / 7 if limit.unit == DurationUnit.DAYS else Decimal(22)
        hours = limit.value * per_day * NOMINAL_DAY_HOURS
    total = max(hours, NOMINAL_DAY_HOURS)
    shares = (
        ("tiep_nhan", "Tiếp nhận, kiểm tra, chuyển hồ sơ", Role.ONE_STOP_OFFICER, "0.1"),
        ("tham_dinh", "Thẩm định hồ sơ, đề xuất kết quả", Role.SPECIALIST, "0.6"),
        ("phe_duyet", "Phê duyệt kết quả", Role.AGENCY_LEADER, "0.2"),
        ("tra_ket_qua", "Trả kết quả", Role.ONE_STOP_OFFICER, "0.1"),
    )
    steps = [
        {
            "code": code,
            "name": name,
            "role": role,
            "budget": {"value": str(round(total * Decimal(share), 2)), "unit": "working_hours"},
        }
        for code, name, role, share in shares
    ]
    return Process(check_process(steps, limit).steps, limit, is_default=True)


def process_for(version: ProcedureVersion) -> Process:
    """The version's checked process. Checked once per process text and time limit in each
    worker (every action reads it; checking cost more than the action's own SQL)."""
    limit = time_limit_of(version)
    raw = json.dumps(version.process, sort_keys=True, default=str) if version.process else ""
    return _checked_process(raw, limit)


@lru_cache(maxsize=512)
def _checked_process(raw: str, limit: Budget) -> Process:
    if not raw:
        return default_process(limit)
    return check_process(json.loads(raw), limit)


# --- Actions as data ----------------------------------------------------------------------------

OPEN_BEFORE_DECISION = frozenset({StepKind.RECEPTION, StepKind.APPRAISAL, StepKind.APPROVAL})
AFTER_APPROVAL = frozenset({StepKind.ISSUE, StepKind.RETURN})


@dataclass(frozen=True)
class ActionRule:
    """When an action may run. `roles` names how the allowed roles are found (see
    `allowed_roles`); `side` which agency the role must reach: `receiving` (the one-stop office
    that received the dossier), `holder` (the unit holding it now), `head` (the competent
    agency), `task` (the unit a task was sent to)."""

    name: str
    label: str
    statuses: frozenset[int]
    step_kinds: frozenset[str] | None
    roles: str
    side: str
    refusal: str = ""  # the message when the state does not allow it, if clearer than the default
    closes_step: bool = True


S, K = Status, StepKind
_NOT_CLOSED = frozenset(
    {S.SUBMITTED, S.ACCEPTED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUESTED}
)
_IN_PROCESSING = frozenset({S.PROCESSING})
_APPRAISING = frozenset({K.APPRAISAL})
_APPROVING = frozenset({K.APPROVAL})
_NOT_APPROVED = "Hồ sơ chưa được lãnh đạo phê duyệt: chưa ghi nhận kết quả được."
_FINISHED = "Hồ sơ đã có kết quả hoặc đã kết thúc, không {} được nữa."

# fmt: off
ACTIONS: dict[str, ActionRule] = {rule.name: rule for rule in (
    ActionRule("accept", "Tiếp nhận hồ sơ", frozenset({S.SUBMITTED}), None, "reception",
               "receiving"),
    ActionRule("refuse", "Từ chối tiếp nhận", frozenset({S.SUBMITTED}), None, "reception",
               "receiving"),
    ActionRule("request_supplement", "Yêu cầu bổ sung hồ sơ",
               frozenset({S.SUBMITTED, S.ACCEPTED, S.PROCESSING}),
               frozenset({K.RECEPTION, K.APPRAISAL}), "step", "holder",
               refusal="Hồ sơ ở trạng thái này không yêu cầu bổ sung được."),
    ActionRule("submit_supplement", "Bổ sung hồ sơ", frozenset({S.SUPPLEMENT_REQUESTED}), None,
               "reception", "receiving"),
    ActionRule("forward", "Chuyển cơ quan giải quyết", frozenset({S.ACCEPTED}),
               frozenset({K.RECEPTION}), "reception", "receiving"),
    ActionRule("assign", "Phân công xử lý", _IN_PROCESSING, _APPRAISING, "assign", "holder",
               closes_step=False),
    ActionRule("request_opinion", "Xin ý kiến đơn vị khác", _IN_PROCESSING, _APPRAISING, "step",
               "holder", closes_step=False),
    ActionRule("answer_opinion", "Trả lời xin ý kiến", _IN_PROCESSING, None, "task", "task",
               closes_step=False),
    ActionRule("coordinate", "Chuyển liên thông", _IN_PROCESSING, _APPRAISING, "coordinate",
               "holder", closes_step=False),
    ActionRule("complete_task", "Gửi kết quả liên thông", _IN_PROCESSING, None, "task", "task",
               closes_step=False),
    ActionRule("propose", "Trình phê duyệt", _IN_PROCESSING, _APPRAISING, "step", "holder"),
    ActionRule("approve", "Phê duyệt", _IN_PROCESSING, _APPROVING, "step", "holder"),
    ActionRule("send_back", "Trả lại để xử lý lại", _IN_PROCESSING, _APPROVING, "step", "holder"),
    # Decree 61/2018 Art. 19(8): not eligible after appraisal — Phiếu từ chối giải quyết hồ sơ.
    ActionRule("refuse_after_appraisal", "Từ chối giải quyết", _IN_PROCESSING,
               _APPRAISING | _APPROVING, "step", "holder"),
    # Status 6 (onestop.md §6.1): the applicant is asked to pay a fee or tax; the office records
    # the payment and processing resumes (ADR 0018, "Financial obligations").
    ActionRule("request_payment", "Yêu cầu thực hiện nghĩa vụ tài chính", _IN_PROCESSING,
               _APPRAISING | _APPROVING, "step", "holder", closes_step=False),
    ActionRule("record_payment", "Ghi nhận đã thực hiện nghĩa vụ tài chính",
               frozenset({S.PAYMENT_REQUESTED}), None, "reception", "receiving",
               closes_step=False),
    ActionRule("record_result", "Có kết quả giải quyết", _IN_PROCESSING, AFTER_APPROVAL,
               "result", "holder", refusal=_NOT_APPROVED),
    ActionRule("return_result", "Trả kết quả", frozenset({S.DONE}), None, "return", "receiving"),
    # Waiting for a payment does not stop the time limit (ADR 0018): the apology may be needed.
    ActionRule("extend_due", "Xin lỗi và hẹn lại ngày trả kết quả",
               frozenset({S.ACCEPTED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUESTED}),
               None, "head",
               "head", closes_step=False),
    ActionRule("stop", "Dừng xử lý", _NOT_CLOSED, OPEN_BEFORE_DECISION, "reception",
               "receiving", refusal=_FINISHED.format("dừng xử lý")),
    ActionRule("withdraw", "Rút hồ sơ", _NOT_CLOSED, OPEN_BEFORE_DECISION, "reception",
               "receiving", refusal=_FINISHED.format("rút hồ sơ")),
)}
# fmt: on


def allowed_roles(rule: ActionRule, process: Process, step_code: str) -> frozenset[str]:
    current = process.current(step_code)
    by_source: dict[str, frozenset[str]] = {
        "reception": frozenset({process.reception.role}),
        "step": frozenset({current.role}),
        "return": frozenset({process.return_step.role}),
        "assign": process.assign_roles,
        # Mẫu 04 is signed by the head of the agency (onestop.md §1.6 item 9).
        "head": frozenset({Role.AGENCY_LEADER}),
        "task": TASK_ROLES,
        # Decree 30/2020 Art. 33: the clerk (văn thư) issues the agency's documents, so may
        # record the result (the electronic one bears the agency's signature) in any process.
        "result": frozenset({current.role, process.appraisal.role, Role.CLERK}),
        # Art. 19(6): the lead unit (its specialist or leader) or the one-stop office sends it.
        "coordinate": process.assign_roles | {process.reception.role, process.appraisal.role},
    }
    return by_source[rule.roles]


def state_allows(rule: ActionRule, process: Process, status: int, step_code: str) -> bool:
    if status not in rule.statuses:
        return False
    return rule.step_kinds is None or process.current(step_code).kind in rule.step_kinds


# --- Deadlines ----------------------------------------------------------------------------------


def add_budget(start: datetime, budget: Budget, *, agency: Agency | None) -> datetime:
    """`start` plus a budget. A fraction of a working day is counted in working hours of the
    agency's office day (ADR 0002: N working days equal N office days of working hours)."""
    if budget.unit == DurationUnit.WORKING_DAYS and budget.value != int(budget.value):
        return add_working_hours(start, budget.value * office_day_hours(agency), agency=agency)
    return add_duration(start, budget.value, budget.unit, agency=agency)


def office_day_hours(agency: Agency | None) -> Decimal:
    hours = working_calendar(agency).hours
    spans = ((hours.morning_start, hours.morning_end), (hours.afternoon_start, hours.afternoon_end))
    seconds = sum(_seconds(end) - _seconds(start) for start, end in spans)
    return Decimal(seconds) / 3600


def _seconds(clock: time) -> int:
    return clock.hour * 3600 + clock.minute * 60 + clock.second


def end_of_office_day(day: Any, *, agency: Agency | None) -> datetime:
    closing = working_calendar(agency).hours.afternoon_end
    return datetime.combine(day, closing, tzinfo=VIETNAM)


def compute_due_at(limit: Budget, accepted_at: datetime, *, agency: Agency | None) -> datetime:
    """The date to return the result (ngày hẹn trả), printed on Mẫu 01.

    - The limit counts from valid acceptance (NgayTiepNhan), not submission; accepted outside
      office hours, it counts from the next start of office hours (onestop.md §1.4, §7.2;
      ADR 0002 rule 1, applied inside `workdays`).
    - "0 working days" means within the day (trả trong ngày); received after the 15:00 cut-off it
      is the next working day (Decree 61/2018 Art. 18; the catalogue's "nhận sau 15 giờ thì trả
      kết quả trong ngày làm việc tiếp theo"): the end of office hours of `transfer_date`.
    - Otherwise `workdays.add_duration` (Civil Code Art. 147–148 as ADR 0002 applies them)."""
    if limit.value == 0:
        return end_of_office_day(transfer_date(accepted_at, agency=agency), agency=agency)
    return add_budget(accepted_at, limit, agency=agency)


def transfer_due_at(received_at: datetime, *, agency: Agency | None) -> datetime:
    """Decree 61/2018 Art. 18: a dossier goes to the competent unit the same working day, or the
    next working day when received after 15:00 — the due instant of the reception step."""
    return end_of_office_day(transfer_date(received_at, agency=agency), agency=agency)


def acceptance_due_at(submitted_at: datetime, *, agency: Agency | None) -> datetime:
    """An online dossier is accepted or refused within the working day it counts from; submitted
    out of hours, that is the next working day (onestop.md §1.4, Bộ GDĐT 3142/QĐ-BGDĐT)."""
    start = next_working_start(submitted_at, agency=agency)
    return end_of_office_day(start.astimezone(VIETNAM).date(), agency=agency)


def one_working_day_before(due_at: datetime, *, agency: Agency | None) -> datetime:
    """The last instant to send the apology (Mẫu 04): one working day before the due date
    (Decree 61/2018 Art. 19(9))."""
    cal = working_calendar(agency)
    local = due_at.astimezone(VIETNAM)
    return datetime.combine(cal.step(local.date(), -1), local.time(), tzinfo=VIETNAM)


def verdict_of(at: datetime, due_at: datetime) -> str:
    """Mẫu 05: early when finished on a day before the due day (Vietnam dates), on time when on
    the due day and not after the due instant, late after it."""
    if at > due_at:
        return Verdict.LATE
    if at.astimezone(VIETNAM).date() < due_at.astimezone(VIETNAM).date():
        return Verdict.EARLY
    return Verdict.ON_TIME
