"""The engine of the one-stop back office: reception from every channel and one action that moves
a dossier through its procedure's internal process (`process.py`).

`do_transition_dossier(dossier, action, acting_user=…, expected_seq=…, **data)` runs in one
transaction: it locks the dossier, refuses a stale view (`expected_seq` is not the last row any
more: "Hồ sơ đã được xử lý bởi người khác…"), checks the state and the acting user's role at the
right agency (a role reaches its agency's subtree), applies the action, appends one
`DossierTransition` and writes the audit row and the applicant's notifications (outbox) in the
same transaction. Every row carries the due instant of the step it was taken in (`step_due_at`) and
in `data`: `step` (that step's code), `verdict` (trước hạn / đúng hạn / quá hạn, Mẫu 05),
`closes_step`, and when the dossier moves on `next_step` and `next_step_due_at`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from chinhquyen.audit.actions import record_audit
from chinhquyen.core.errors import Conflict, DomainError
from chinhquyen.core.files import do_store_file
from chinhquyen.core.sql import fetch_prepared, from_db_value, update_columns
from chinhquyen.core.uploads import check_upload
from chinhquyen.dossiers.actions import (
    append_transition,
    lock_dossier,
    my_dossier_url,
    notify_applicant,
)
from chinhquyen.dossiers.codes import VIETNAM, next_dossier_code
from chinhquyen.dossiers.drafts import max_upload_bytes
from chinhquyen.dossiers.models import (
    ApplicantKind,
    Channel,
    DocumentRole,
    Dossier,
    DossierDocument,
    DossierTask,
    DossierTransition,
    OnlinePayment,
    Status,
)
from chinhquyen.dossiers.postal import create_return_shipment
from chinhquyen.dossiers.process import (
    ACTIONS,
    ActionRule,
    Budget,
    Process,
    StepKind,
    acceptance_due_at,
    add_budget,
    allowed_roles,
    compute_due_at,
    one_working_day_before,
    process_for,
    state_allows,
    time_limit_of,
    transfer_due_at,
    verdict_of,
)
from chinhquyen.dossiers.routing import handling_agency_for
from chinhquyen.org.models import AdministrativeUnit, Agency, Role, RoleAssignment, User
from chinhquyen.payments.money import parse_dong
from chinhquyen.procedures.fees import quote_fees
from chinhquyen.procedures.models import DeliveryOption, Procedure, ProcedureVersion
from chinhquyen.procedures.queries import version_in_force
from chinhquyen.workdays.calendar import DurationUnit

ALREADY_HANDLED = (
    "Hồ sơ đã được xử lý bởi người khác ({what} lúc {at:%H:%M %d/%m/%Y}). Vui lòng tải lại hồ sơ"
    " để xem trạng thái mới nhất trước khi thao tác."
)


def roles_in(user: Any, agency: Agency) -> frozenset[str]:
    """The roles `user` holds in `agency` or one of its ancestors (a role reaches the subtree)."""
    if not getattr(user, "pk", None) or not getattr(user, "is_active", False):
        return frozenset()
    ancestors = agency.ancestor_ids()
    if not ancestors:  # an agency not saved in the tree: no role reaches it
        return frozenset()
    # Read on every move: a prepared statement (core.sql), not a query compiled each time.
    sql = _ROLES_SQL.format(marks=", ".join(["%s"] * len(ancestors)))
    return frozenset(row[0] for row in fetch_prepared(sql, [user.pk, *ancestors]))


_ROLES_SQL = (
    f"SELECT r.role FROM {RoleAssignment._meta.db_table} r"  # noqa: S608 (model tables)
    f" JOIN {Agency._meta.db_table} a ON a.id = r.agency_id"
    " WHERE r.user_id = %s AND a.is_active AND r.agency_id IN ({marks})"
)


def _fmt(instant: datetime | None) -> str:
    return f"{instant.astimezone(VIETNAM):%H:%M %d/%m/%Y}" if instant else ""


def _iso(instant: datetime | None) -> str | None:
    return instant.isoformat() if instant else None


# --- One action moves a dossier -----------------------------------------------------------------


@dataclass
class _Ctx:
    dossier: Dossier
    process: Process
    rule: ActionRule
    actor: Any
    now: datetime
    note: str
    data: dict[str, Any]
    task: DossierTask | None = None
    last_seq: int | None = None  # the last row's seq, read under the dossier's lock
    system: bool = False  # taken by the system (`do_record_online_payment`), no officer


@dataclass
class _Move:
    """What an action does: the new status and step, and what the row and the applicant get."""

    to_status: int | None = None  # None: unchanged
    step: str | None = None  # None: unchanged
    public_note: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)  # other Dossier fields to set
    closing_due: datetime | None = None  # the due instant judged, if not the current step's
    notify: tuple[str, dict[str, Any]] | None = None


def do_transition_dossier(
    dossier: Dossier,
    action: str,
    *,
    acting_user: Any,
    expected_seq: int | None = None,
    note: str = "",
    now: datetime | None = None,
    **data: Any,
) -> DossierTransition:
    """Take `action` on `dossier` (the names and rules are `process.ACTIONS`). `expected_seq` is
    the last `seq` the officer saw; any change since then is a Conflict and nothing is recorded."""
    return _take(dossier, action, acting_user, expected_seq, note, now, data)


def do_record_online_payment(
    dossier: Dossier,
    *,
    obligation_seq: int,
    amount: Decimal,
    receipt: str,
    gateway_transaction_no: str = "",
    now: datetime | None = None,
) -> DossierTransition:
    """The applicant paid online what the `request_payment` row `obligation_seq` asked (Decree
    61/2018 Art. 22, Decree 118/2025 Art. 24: paid through the system's payment function).
    `record_payment` taken by the system (no officer: the gateway's confirmation is the proof,
    `receipt` its order number), called by the payment handler inside the transaction that
    marks the payment paid. A Conflict when the dossier no longer waits for that obligation
    (recorded at the counter meanwhile, a newer request, withdrawn, stopped): nothing recorded."""
    data = {"money": amount, "receipt": receipt, "obligation_seq": obligation_seq,
            "gateway_transaction_no": gateway_transaction_no}  # fmt: skip
    return _take(dossier, "record_payment", None, None, "", now, data, system=True)


def _take(
    dossier: Dossier,
    action: str,
    actor: Any,
    expected_seq: int | None,
    note: str,
    now: datetime | None,
    data: dict[str, Any],
    *,
    system: bool = False,
) -> DossierTransition:
    rule = ACTIONS.get(action)
    if rule is None:
        raise DomainError(f"Thao tác “{action}” không có trong quy trình.", code="unknown_action")
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_dossier(dossier)
        last_seq_, last_action, last_at = _last_row(locked) or (0, "", now)
        if expected_seq is not None and last_seq_ != expected_seq:
            what = ACTIONS[last_action].label if last_action in ACTIONS else "cập nhật"
            raise Conflict(
                ALREADY_HANDLED.format(what=what, at=last_at.astimezone(VIETNAM)),
                code="already_handled",
            )
        process = process_for(locked.procedure_version)
        ctx = _Ctx(locked, process, rule, actor, now, note.strip()[:4000], data, system=system)
        ctx.last_seq = last_seq_
        _check_state(ctx)
        if rule.side == "task":
            ctx.task = _open_task(ctx)
        agency = _acting_agency(ctx)
        if not system:  # the system acts only through its own entry points, on their checks
            _check_role(ctx, agency)
        step_due = locked.step_due_at  # the running step's due, before the handler changes it
        move = _HANDLERS[action](ctx)
        transition = _record(ctx, move, agency, move.closing_due or step_due)
    return transition


_LAST_ROW_SQL = (
    f"SELECT seq, action, at FROM {DossierTransition._meta.db_table}"  # noqa: S608 (model table)
    " WHERE dossier_id = %s ORDER BY seq DESC LIMIT 1"
)


def _last_row(dossier: Dossier) -> tuple[int, str, datetime] | None:
    """The last row's seq, action and time (what the stale-view guard needs, nothing more); a
    prepared statement, read on every move."""
    rows = fetch_prepared(_LAST_ROW_SQL, [dossier.pk])
    if not rows:
        return None
    seq, action, at = rows[0]
    return seq, action, from_db_value(DossierTransition, "at", at)


def _check_state(ctx: _Ctx) -> None:
    dossier, rule = ctx.dossier, ctx.rule
    if state_allows(rule, ctx.process, dossier.status, dossier.step):
        return
    step = ctx.process.step(dossier.step)
    where = f"“{Status(dossier.status).label}”" + (f", bước “{step.name}”" if step else "")
    raise Conflict(
        rule.refusal or f"Hồ sơ đang ở {where}: không thực hiện được “{rule.label}”.",
        code="bad_state",
    )


def _acting_agency(ctx: _Ctx) -> Agency:
    dossier = ctx.dossier
    if ctx.rule.side == "receiving":
        return dossier.receiving_agency
    if ctx.rule.side == "task" and ctx.task is not None:
        return ctx.task.agency
    if ctx.rule.side == "head":
        return dossier.handling_agency
    return dossier.current_agency or dossier.handling_agency


def _check_role(ctx: _Ctx, agency: Agency) -> None:
    allowed = allowed_roles(ctx.rule, ctx.process, ctx.dossier.step)
    if allowed & roles_in(ctx.actor, agency):
        return
    names = ", ".join(sorted(str(Role(r).label) for r in allowed))
    raise DomainError(
        f"Bạn không có vai trò ({names}) tại {agency.name} để thực hiện “{ctx.rule.label}”.",
        code="forbidden",
    )


# What every move may touch besides its `fields` (restart_time_limit sets due_at in place).
_POSITION_FIELDS = ("status", "step", "step_due_at", "due_at")


def _record(ctx: _Ctx, move: _Move, agency: Agency, judged: datetime | None) -> DossierTransition:
    dossier, process = ctx.dossier, ctx.process
    row = {"step": dossier.step, "closes_step": ctx.rule.closes_step}
    if judged is not None:
        row["verdict"] = verdict_of(ctx.now, judged)
    if move.step is not None and move.step != dossier.step:
        next_step = process.step(move.step)
        dossier.step_due_at = (
            add_budget(ctx.now, next_step.budget, agency=dossier.handling_agency)
            if next_step is not None
            else None
        )
        dossier.step = move.step
        row.update(next_step=move.step, next_step_due_at=_iso(dossier.step_due_at))
    for name, value in move.fields.items():
        setattr(dossier, name, value)
    transition = append_transition(
        dossier,
        action=ctx.rule.name,
        to_status=dossier.status if move.to_status is None else move.to_status,
        actor=ctx.actor,
        agency=agency,
        at=ctx.now,
        note=ctx.note,
        public_note=move.public_note[:1000],
        step_due_at=judged,
        data={**row, **move.data},
        last_seq=ctx.last_seq,
    )
    # Only what an action may change (a full save rewrote ~40 columns per move).
    # Dossier.save only adds search_name when the applicant's name changes; no move changes it.
    update_columns(dossier, [*_POSITION_FIELDS, *move.fields])
    if move.notify:
        _notify(dossier, *move.notify, seq=transition.seq)
    # Last: the audit chain's head lock is then held only until commit.
    record_audit(
        f"dossiers.{ctx.rule.name}",
        actor=ctx.actor,
        obj=dossier,
        after={"seq": transition.seq, "status": dossier.status, "step": dossier.step},
    )
    return transition


def _notify(dossier: Dossier, code: str, extra: dict[str, Any], *, seq: int) -> None:
    """Queue the applicant's messages (every event's template ships in notifications/data)."""
    notify_applicant(dossier, code, extra=extra, seq=seq)


def _text(data: dict[str, Any], key: str, message: str, limit: int = 2000) -> str:
    value = str(data.get(key) or "").strip()
    if not value:
        raise DomainError(message, field=key)
    return value[:limit]


def _items(data: dict[str, Any], key: str, message: str) -> list[str]:
    raw = data.get(key) or []
    items = [str(item).strip()[:500] for item in ([raw] if isinstance(raw, str) else raw)]
    items = [item for item in items if item]
    if not items:
        raise DomainError(message, field=key)
    return items


# --- Reception ----------------------------------------------------------------------------------


def _accepted_fields(ctx: _Ctx, received_at: datetime) -> dict[str, Any]:
    version, handling = ctx.dossier.procedure_version, ctx.dossier.handling_agency
    return {
        "received_at": received_at,
        "due_at": compute_due_at(time_limit_of(version), received_at, agency=handling),
        "current_agency": ctx.dossier.receiving_agency,
    }


def _accept(ctx: _Ctx) -> _Move:
    dossier = ctx.dossier
    fields = _accepted_fields(ctx, ctx.now)
    due = fields["due_at"]
    return _Move(
        to_status=Status.ACCEPTED,
        step=ctx.process.reception.code,
        public_note=f"Hồ sơ đã được tiếp nhận; hẹn trả kết quả lúc {_fmt(due)}.",
        data={"due_at": _iso(due)},
        fields=fields,
        closing_due=acceptance_due_at(dossier.submitted_at, agency=dossier.receiving_agency),
        notify=("dossier.accepted", {"ngay_tiep_nhan": ctx.now, "ngay_hen_tra": due}),
    )


def _refuse(ctx: _Ctx) -> _Move:
    """Mẫu 03: refused with its specific reasons (Decree 61/2018 Art. 17)."""
    reasons = _items(ctx.data, "reasons", "Nêu rõ lý do từ chối tiếp nhận hồ sơ.")
    dossier = ctx.dossier
    return _Move(
        to_status=Status.REFUSED,
        step="",
        public_note="Hồ sơ không được tiếp nhận. Lý do: " + "; ".join(reasons),
        data={"reasons": reasons},
        fields={"finished_at": ctx.now, "step_due_at": None},
        closing_due=acceptance_due_at(dossier.submitted_at, agency=dossier.receiving_agency),
        notify=("dossier.refused", {"ly_do": "\n".join(reasons)}),
    )


def _request_supplement(ctx: _Ctx) -> _Move:
    """Everything missing at once (Decree 61/2018 Art. 15, 17, 19(4): "một lần đầy đủ", Mẫu 02);
    the dossier waits and its time limit restarts when the complete supplement arrives."""
    _check_assignee(ctx)
    items = _items(ctx.data, "items", "Nêu rõ các giấy tờ, nội dung cần bổ sung.")
    _check_supplement_in_time(ctx)
    return _Move(
        to_status=Status.SUPPLEMENT_REQUESTED,
        public_note="Cần bổ sung: " + "; ".join(items),
        data={"items": items},
        fields={"step_due_at": None},  # paused
        notify=(
            "dossier.supplement_requested",
            {"noi_dung_bo_sung": "\n".join(f"- {item}" for item in items)},
        ),
    )


def supplement_deadline(dossier: Dossier, process: Process) -> datetime | None:
    """Decree 61/2018 Art. 19(4): once appraisal has started, the competent agency asks for a
    supplement within 3 working days from reception (or the period the process sets), counted on
    the handling agency's working calendar; None at reception (the one-stop office's own request,
    Art. 15 and 17, is not bound by it)."""
    appraising = process.current(dossier.step).kind != StepKind.RECEPTION
    if dossier.status != Status.PROCESSING or not appraising or dossier.received_at is None:
        return None
    return add_budget(dossier.received_at, process.supplement_limit, agency=dossier.handling_agency)


def _check_supplement_in_time(ctx: _Ctx) -> None:
    deadline = supplement_deadline(ctx.dossier, ctx.process)
    if deadline is not None and ctx.now > deadline:
        raise DomainError(
            "Đã quá thời hạn yêu cầu bổ sung hồ sơ: cơ quan giải quyết chỉ được yêu cầu bổ sung"
            f" trong {ctx.process.supplement_limit.label()} kể từ ngày tiếp nhận, tức trước"
            f" {_fmt(deadline)} (NĐ 61/2018, Điều 19 khoản 4).",
            code="supplement_too_late",
        )


def _submit_supplement(ctx: _Ctx) -> _Move:
    """The applicant brings the supplement to the counter (or sends it by post) and the officer
    enters it. The citizen's own online answer is `actions.do_submit_supplement`."""
    dossier = ctx.dossier
    request = dossier.transitions.filter(action="request_supplement").order_by("-seq").first()
    resume = request.from_status if request and request.from_status else Status.SUBMITTED
    files = _store_documents(
        dossier, ctx.data.get("documents") or (), DocumentRole.SUPPLEMENT, ctx.actor, ctx.now
    )
    move = _Move(to_status=resume, public_note="Người nộp đã bổ sung hồ sơ.", data={"files": files})
    if resume != Status.SUBMITTED:
        restart_time_limit(dossier, ctx.now)
        move.data["due_at"] = _iso(dossier.due_at)
    return move


def restart_time_limit(dossier: Dossier, at: datetime) -> datetime:
    """Decree 61/2018 Art. 19(4): once the complete supplement is received, the time limit is
    counted again from the start ("tính lại từ đầu"), and so is the current step's budget. The
    caller holds the dossier's row lock and saves it."""
    process, agency = process_for(dossier.procedure_version), dossier.handling_agency
    dossier.due_at = compute_due_at(time_limit_of(dossier.procedure_version), at, agency=agency)
    step = process.current(dossier.step)
    if step.kind == StepKind.RECEPTION:
        dossier.step_due_at = transfer_due_at(at, agency=dossier.receiving_agency)
    else:
        dossier.step_due_at = add_budget(at, step.budget, agency=agency)
    return dossier.due_at


def _forward(ctx: _Ctx) -> _Move:
    """Decree 61/2018 Art. 18: the one-stop office sends the dossier to the competent agency (or
    straight to one of its units, `unit`); the reception step is judged against the 15:00 rule."""
    dossier = ctx.dossier
    target = ctx.data.get("unit") or dossier.handling_agency
    if not isinstance(target, Agency) or not target.is_within(dossier.handling_agency):
        raise DomainError(
            f"Chỉ chuyển được đến {dossier.handling_agency.name} hoặc đơn vị trực thuộc.",
            field="unit",
        )
    next_step = ctx.process.after(ctx.process.reception.code)
    assert next_step is not None  # a checked process has an appraisal step
    return _Move(
        to_status=Status.PROCESSING,
        step=next_step.code,
        public_note=f"Hồ sơ đã được chuyển đến {target.name} để giải quyết.",
        data={"to_agency": target.identifier_code},
        fields={"current_agency": target},
    )


# --- Processing ---------------------------------------------------------------------------------


def _check_assignee(ctx: _Ctx) -> None:
    """At an appraisal step, only the specialist assigned acts (a one-stop officer at reception
    is not concerned)."""
    dossier = ctx.dossier
    appraising = ctx.process.current(dossier.step).kind == StepKind.APPRAISAL
    if appraising and dossier.status == Status.PROCESSING:
        if dossier.assignee_id is None:
            raise DomainError("Hồ sơ chưa được phân công cho chuyên viên.", code="not_assigned")
        if dossier.assignee_id != getattr(ctx.actor, "pk", None):
            raise DomainError(
                "Hồ sơ được phân công cho chuyên viên khác.", code="forbidden", field="assignee"
            )


def _assign(ctx: _Ctx) -> _Move:
    """Decree 61/2018 Art. 19(1): the leader assigns an officer of the unit holding the dossier;
    the dossier then sits with the assignee's own unit (its leader reviews it)."""
    holder = ctx.dossier.current_agency or ctx.dossier.handling_agency
    assignee = ctx.data.get("assignee")
    role = ctx.process.appraisal.role
    held = (
        assignee.role_assignments.filter(role=role, agency__is_active=True).select_related("agency")
        if isinstance(assignee, User) and assignee.is_active
        else []
    )
    units = sorted((a.agency for a in held if a.agency.is_within(holder)), key=lambda a: a.path)
    if not isinstance(assignee, User) or not units:
        raise DomainError(
            f"Người được phân công không phải {Role(role).label.lower()} của {holder.name}: chỉ"
            " phân công cho cán bộ của đơn vị đang giải quyết hồ sơ.",
            code="assignee_outside_unit",
            field="assignee",
        )
    return _Move(
        public_note="Hồ sơ đã được phân công xử lý.",
        data={"assignee": assignee.pk, "assignee_name": str(assignee), "unit": units[-1].pk},
        fields={"assignee": assignee, "current_agency": units[-1]},
    )


def _budget_from(data: dict[str, Any]) -> Budget:
    try:
        value = Decimal(str(data.get("amount")))
    except ArithmeticError:
        value = Decimal(-1)
    unit = data.get("unit") or DurationUnit.WORKING_DAYS
    if not value.is_finite() or value <= 0 or value > 1000 or unit not in DurationUnit.values:
        raise DomainError("Thời hạn phải là số dương, đơn vị ngày/giờ làm việc.", field="amount")
    return Budget(value, str(unit))


def _other_agency(data: dict[str, Any], dossier: Dossier, key: str = "agency") -> Agency:
    agency = data.get(key)
    holder = dossier.current_agency or dossier.handling_agency
    if not isinstance(agency, Agency) or not agency.is_active or agency.pk == holder.pk:
        raise DomainError("Chọn một đơn vị khác đang hoạt động.", field=key)
    return agency


def _new_task(
    ctx: _Ctx, kind: str, agency: Agency, spec: dict[str, Any], order: int
) -> DossierTask:
    budget = _budget_from(spec)
    content = _text(spec, "content", "Nêu nội dung cần phối hợp.")
    return DossierTask.objects.create(
        dossier=ctx.dossier,
        kind=kind,
        agency=agency,
        order=order,
        content=content,
        budget_value=budget.value,
        budget_unit=budget.unit,
        requested_by=ctx.actor,
        requested_at=ctx.now,
    )


def _start(task: DossierTask, now: datetime) -> None:
    task.started_at = now
    budget = Budget(task.budget_value, task.budget_unit)
    task.due_at = add_budget(now, budget, agency=task.agency)
    task.save(update_fields=["started_at", "due_at"])


def _request_opinion(ctx: _Ctx) -> _Move:
    """Decree 61/2018 Art. 19(5): the lead unit asks other units, stating content and deadline."""
    _check_assignee(ctx)
    agency = _other_agency(ctx.data, ctx.dossier)
    task = _new_task(ctx, DossierTask.Kind.OPINION, agency, ctx.data, 1)
    _start(task, ctx.now)
    return _Move(
        data={"task": task.pk, "agency": agency.identifier_code, "due_at": _iso(task.due_at)}
    )


def _coordinate(ctx: _Ctx) -> _Move:
    """Liên thông (Decree 61/2018 Art. 19(6)): each agency gets its task and time limit; the same
    `order` runs in parallel (sent to all at once), a higher order after the lower ones."""
    specs = ctx.data.get("tasks") or []
    if not specs:
        raise DomainError("Chọn ít nhất một cơ quan phối hợp.", field="tasks")
    tasks = []
    for spec in specs:
        order = spec.get("order", 1)
        if not isinstance(order, int) or not 1 <= order <= 20:
            raise DomainError("Thứ tự thực hiện là số từ 1 đến 20.", field="tasks")
        agency = _other_agency(spec, ctx.dossier)
        tasks.append(_new_task(ctx, DossierTask.Kind.COORDINATION, agency, spec, order))
    first = min(task.order for task in tasks)
    for task in tasks:
        if task.order == first:
            _start(task, ctx.now)
    names = ", ".join(dict.fromkeys(task.agency.name for task in tasks))
    return _Move(
        public_note=f"Hồ sơ được chuyển liên thông đến: {names}.",
        data={"tasks": [_task_row(task) for task in tasks]},
    )


def _task_row(task: DossierTask) -> dict[str, Any]:
    return {
        "task": task.pk,
        "agency": task.agency.identifier_code,
        "order": task.order,
        "due_at": _iso(task.due_at),
    }


def _open_task(ctx: _Ctx) -> DossierTask:
    opinion = ctx.rule.name == "answer_opinion"
    kind = DossierTask.Kind.OPINION if opinion else DossierTask.Kind.COORDINATION
    wanted = ctx.data.get("task")
    pk = wanted.pk if isinstance(wanted, DossierTask) else wanted
    task = (
        ctx.dossier.tasks.select_related("agency").filter(pk=pk, kind=kind).first()
        if isinstance(pk, int)
        else None
    )
    if task is None or task.started_at is None:
        raise DomainError("Không tìm thấy phần việc đang chờ đơn vị thực hiện.", field="task")
    if task.done_at is not None:
        raise Conflict(
            ALREADY_HANDLED.format(what="Đã trả lời", at=task.done_at.astimezone(VIETNAM)),
            code="already_handled",
        )
    return task


def _finish_task(ctx: _Ctx) -> _Move:
    """A unit answers an opinion request, or an agency sends its part of a liên thông dossier;
    the row judges the task against its own deadline. The next agencies in sequence start."""
    task = ctx.task
    assert task is not None
    task.answer = _text(ctx.data, "answer", "Nhập ý kiến hoặc kết quả thực hiện.", 10_000)
    task.done_at, task.done_by = ctx.now, ctx.actor
    task.save(update_fields=["answer", "done_at", "done_by"])
    started = []
    open_now = list(ctx.dossier.tasks.filter(kind=task.kind, done_at__isnull=True))
    if open_now and all(other.started_at is None for other in open_now):
        following = min(other.order for other in open_now)  # the next agencies in sequence
        for other in open_now:
            if other.order == following:
                _start(other, ctx.now)
                started.append(_task_row(other))
    public = f"{task.agency.name} đã gửi kết quả phối hợp." if task.kind == "coordination" else ""
    return _Move(
        public_note=public,
        data={"task": task.pk, "agency": task.agency.identifier_code, "started": started},
        closing_due=task.due_at,
    )


def _open_coordination(dossier: Dossier) -> list[str]:
    tasks = dossier.tasks.filter(kind=DossierTask.Kind.COORDINATION, done_at__isnull=True)
    return list(tasks.values_list("agency__name", flat=True))


def _propose(ctx: _Ctx) -> _Move:
    """The specialist submits the draft result (Art. 19(1)–(2)); partial results of every agency
    in liên thông must be back (Art. 19(6): the last agency returns all to the lead)."""
    _check_assignee(ctx)
    waiting = _open_coordination(ctx.dossier)
    if waiting:
        raise DomainError(
            "Còn cơ quan phối hợp chưa gửi kết quả: " + ", ".join(waiting) + ".",
            code="coordination_open",
        )
    data: dict[str, Any] = {"proposal": ctx.note[:2000]}
    draft = ctx.data.get("result_draft")
    if draft is not None:  # the draft result submitted with the proposal (Art. 19(1))
        data["draft"] = _draft_row(_store_one(ctx, draft, DocumentRole.RESULT_DRAFT))
    return _Move(step=_next_code(ctx), data=data)


def _store_one(
    ctx: _Ctx, document: PaperDocument, role: str, *, accepted: bool = False
) -> DossierDocument:
    _store_documents(ctx.dossier, [document], role, ctx.actor, ctx.now, accepted=accepted)
    stored = ctx.dossier.documents.filter(role=role).select_related("file").order_by("-pk")
    return stored[0]


def _draft_row(document: DossierDocument) -> dict[str, Any]:
    return {"document": document.pk, "sha256": document.file.sha256}


def _next_code(ctx: _Ctx) -> str:
    following = ctx.process.after(ctx.dossier.step)
    assert following is not None  # a checked process ends with a return step
    return following.code


def _approve(ctx: _Ctx) -> _Move:
    """A leader may replace the draft (`result_draft`); the final approval may carry the
    leader's personal signature on it (`signed_draft`, signed by `eresult` before this
    transaction: Decree 30/2020 Art. 32, the competent person signs first)."""
    following = ctx.process.after(ctx.dossier.step)
    final = following is None or following.kind != StepKind.APPROVAL
    data: dict[str, Any] = {"final": final}
    draft, signed = ctx.data.get("result_draft"), ctx.data.get("signed_draft")
    if draft is not None:
        data["draft"] = _draft_row(_store_one(ctx, draft, DocumentRole.RESULT_DRAFT))
    if signed is not None:
        if not final:
            raise DomainError(
                "Chỉ lãnh đạo phê duyệt cuối cùng mới ký số dự thảo kết quả.", code="not_final"
            )
        stored = _store_one(ctx, signed.document, DocumentRole.RESULT_DRAFT)
        data["signed_draft"] = {**_draft_row(stored), **signed.facts()}
    return _Move(step=_next_code(ctx), data=data)


def _send_back(ctx: _Ctx) -> _Move:
    if not ctx.note:
        raise DomainError("Nêu lý do trả lại để chuyên viên xử lý lại.", field="note")
    return _Move(step=ctx.process.appraisal.code)


def _record_result(ctx: _Ctx) -> _Move:
    """After approval (and signature, `signing`), the result is recorded: status 9, and the
    dossier goes back to the one-stop office that received it for return (Art. 19(7), 20)."""
    dossier = ctx.dossier
    result, electronic = ctx.data.get("result"), ctx.data.get("electronic")
    if result is not None and electronic is not None:
        raise DomainError("Chọn một: kết quả điện tử ký số hoặc tệp kết quả.", field="result")
    data: dict[str, Any] = {}
    if electronic is not None:
        check_signed_draft_current(dossier, electronic.signed_from)
        stored = _store_one(ctx, electronic.document, DocumentRole.RESULT, accepted=True)
        data["electronic"] = {**_draft_row(stored), **electronic.facts()}
    files = _store_documents(dossier, [result] if result else (), DocumentRole.RESULT, ctx.actor,
                             ctx.now, accepted=True)  # fmt: skip
    where = DeliveryOption(dossier.delivery_option).label if dossier.delivery_option else ""
    return _Move(
        to_status=Status.DONE,
        step=ctx.process.return_step.code,
        public_note="Đã có kết quả giải quyết.",
        data={"files": files + (1 if electronic else 0), **data},
        fields={"finished_at": ctx.now, "current_agency": dossier.receiving_agency},
        notify=("dossier.result_ready", {"noi_nhan_ket_qua": where}),
    )


def _refuse_after_appraisal(ctx: _Ctx) -> _Move:
    """Decree 61/2018 Art. 19(8): a dossier found not eligible after appraisal is refused with a
    Phiếu từ chối giải quyết hồ sơ, entered in the result section and sent through the one-stop
    office, within the processing time limit. Recorded as status 9 with a refusal result (ADR 0018,
    "Refusal after appraisal"): the dossier goes back to the receiving office for return."""
    dossier = ctx.dossier
    _check_assignee(ctx)
    reasons = _items(ctx.data, "reasons", "Nêu rõ lý do từ chối giải quyết hồ sơ.")
    if dossier.due_at is not None and ctx.now > dossier.due_at:
        raise DomainError(
            "Đã quá thời hạn giải quyết: Phiếu từ chối giải quyết hồ sơ phải gửi trong thời hạn"
            f" giải quyết, tức trước {_fmt(dossier.due_at)} (NĐ 61/2018, Điều 19 khoản 8).",
            code="refusal_too_late",
        )
    return _Move(
        to_status=Status.DONE,
        step=ctx.process.return_step.code,
        public_note="Hồ sơ không đủ điều kiện giải quyết. Lý do: " + "; ".join(reasons),
        data={"result": "refused", "reasons": reasons},
        fields={"finished_at": ctx.now, "current_agency": dossier.receiving_agency},
        notify=("dossier.resolution_refused", {"ly_do": "\n".join(reasons)}),
    )


MAX_MONEY = Decimal(10) ** 12


def _money(data: dict[str, Any], key: str, message: str) -> Decimal:
    """A whole number of đồng, positive, below 10^12 (VND has no subunit in use)."""
    # "50.000" is fifty thousand, as amounts are written back to officers (`vnd`); the same
    # reading as the postal COD amount (payments.money.parse_dong).
    value = parse_dong(data.get(key))
    if value is None:
        raise DomainError(
            message + " Số tiền là số đồng nguyên, ví dụ 50000 hoặc 50.000.", field=key
        )
    if value <= 0 or value >= MAX_MONEY:
        raise DomainError(message, field=key)
    return value.quantize(Decimal(1))


def _request_payment(ctx: _Ctx) -> _Move:
    """Status 6, "Yêu cầu thực hiện nghĩa vụ tài chính" (onestop.md §6.1; Decree 61/2018 Art. 22,
    Decree 118/2025 Art. 24 on how fees are paid): the holder asks the applicant to pay a fee or
    tax, stating the amount and what it is for. The step waits (no step deadline runs while the
    applicant pays); the dossier's time limit does not move (ADR 0018: Art. 19(4) restarts it,
    and Decision 766 subtracts time, only for a supplement)."""
    _check_assignee(ctx)
    amount = _money(ctx.data, "money", "Nhập số tiền phải nộp (đồng, lớn hơn 0).")
    content = _text(ctx.data, "content", "Nêu nội dung khoản phải nộp (phí, lệ phí, thuế…).", 500)
    return _Move(
        to_status=Status.PAYMENT_REQUESTED,
        public_note=f"Cần thực hiện nghĩa vụ tài chính: {content}, số tiền {_vnd(amount)}.",
        data={"amount": str(amount), "content": content},
        fields={"step_due_at": None},  # the step waits for the payment
        notify=_payment_requested_notice(ctx.dossier, amount, content),
    )


def _payment_requested_notice(
    dossier: Dossier, amount: Decimal, content: str
) -> tuple[str, dict[str, Any]]:
    """Online payment needs the applicant's account (the dossier page of a signed-in owner,
    ADR 0010): a dossier without one is told to pay at the counter only."""
    extra: dict[str, Any] = {"so_tien": _vnd(amount), "noi_dung": content}
    if dossier.applicant_id is None:
        return "dossier.payment_requested_at_counter", extra
    return "dossier.payment_requested", {
        **extra,
        "duong_dan_thanh_toan": my_dossier_url(dossier.code),
    }


def _vnd(amount: Decimal) -> str:
    return f"{int(amount):,}".replace(",", ".") + " đồng"


def _record_payment(ctx: _Ctx) -> _Move:
    """The one-stop office records that the applicant paid what status 6 asked (the receipt or
    proof of payment travels with the dossier, Decree 61/2018 Art. 22): processing resumes where
    it waited, the step's budget counted again from now; the time limit is unchanged. Taken by
    the system when the applicant paid online (`do_record_online_payment`)."""
    dossier = ctx.dossier
    asked = dossier.transitions.filter(action="request_payment").order_by("-seq").first()
    if ctx.system:
        _check_obligation_open(ctx, asked)
    asked_data = (asked.data if asked else None) or {}
    requested = Decimal(asked_data.get("amount", "0"))
    content = str(asked_data.get("content", ""))
    paid = _money(ctx.data, "money", "Nhập số tiền người nộp đã nộp (đồng, lớn hơn 0).")
    if paid < requested:
        raise DomainError(
            f"Số tiền đã nộp ({_vnd(paid)}) nhỏ hơn số tiền phải nộp ({_vnd(requested)}).",
            field="money",
        )
    receipt = str(ctx.data.get("receipt") or "").strip()[:100]
    resume = asked.from_status if asked and asked.from_status else Status.PROCESSING
    step = ctx.process.current(dossier.step)
    step_due = add_budget(ctx.now, step.budget, agency=dossier.handling_agency)
    data: dict[str, Any] = {"amount": str(paid), "step_due_at": _iso(step_due)}
    if receipt:
        data["receipt"] = receipt
    move = _Move(
        to_status=resume,
        public_note=f"Đã ghi nhận người nộp thực hiện nghĩa vụ tài chính ({_vnd(paid)}).",
        data=data,
        fields={"step_due_at": step_due, "paid_amount": dossier.paid_amount + paid},
        # One notice per payment, at the counter or online (its dedupe key holds this row's seq).
        notify=(
            "dossier.payment_received",
            {
                "so_tien": _vnd(paid),
                "noi_dung": content,
                "hinh_thuc": "trực tuyến" if ctx.system else "tại Bộ phận Một cửa",
                "ma_giao_dich": receipt,
            },
        ),
    )
    if ctx.system:
        _paid_online(ctx, move, paid, content, receipt)
    return move


def _check_obligation_open(ctx: _Ctx, asked: DossierTransition | None) -> None:
    """Money paid online settles the request it was started for, never a later one."""
    if asked is None or asked.seq != ctx.data.get("obligation_seq"):
        raise Conflict(
            "Hồ sơ không còn chờ thực hiện khoản nghĩa vụ tài chính này.", code="obligation_closed"
        )


def _paid_online(ctx: _Ctx, move: _Move, paid: Decimal, content: str, receipt: str) -> None:
    """The online payment's row: channel, the gateway's numbers, DuocThanhToanTrucTuyen = 2
    (onestop.md §6.4)."""
    move.data.update(
        channel="online",
        obligation_seq=ctx.data["obligation_seq"],
        gateway_transaction_no=str(ctx.data.get("gateway_transaction_no") or "")[:40],
    )
    move.fields["paid_online"] = OnlinePayment.LOCAL_GATEWAY
    move.public_note = (
        f"Đã nhận thanh toán trực tuyến {_vnd(paid)} ({content}), mã giao dịch {receipt}."
    )


def signed_draft_of(dossier: Dossier) -> dict[str, Any] | None:
    """What the last approval recorded of the leader-signed draft (document, SHA-256, the
    certificate's fingerprint), or None when the approval carried no signature."""
    last = dossier.transitions.filter(action="approve").order_by("-seq").first()
    signed = (last.data or {}).get("signed_draft") if last else None
    return signed if isinstance(signed, dict) else None


def check_signed_draft_current(dossier: Dossier, document_id: int) -> None:
    """The draft signed at the final approval is the one being issued, unchanged since: it is
    the newest draft and its stored SHA-256 is the one the approval recorded."""
    signed = signed_draft_of(dossier)
    newest = dossier.documents.filter(role=DocumentRole.RESULT_DRAFT).order_by("-pk").first()
    newest_sha = newest.file.sha256 if newest else None
    if (
        signed is None
        or signed.get("document") != document_id
        or newest is None
        or newest.pk != document_id
        or newest_sha != signed.get("sha256")
    ):
        raise DomainError(
            "Dự thảo kết quả đã thay đổi sau khi lãnh đạo ký số: cần lãnh đạo phê duyệt, ký lại.",
            code="draft_changed",
        )


def _return_result(ctx: _Ctx) -> _Move:
    """Decree 61/2018 Art. 20: at the counter, who collected it. By post (Decision 45/2016/QĐ-TTg):
    the officer records the hand-over to the postal worker (joint count, Phiếu gửi signed,
    sealed) and the dossier counts as returned then (ADR 0020); the order goes to the operator
    after commit and the applicant is told the waybill when it comes back."""
    method = str(ctx.data.get("method") or "counter")
    fields = {"returned_at": ctx.now, "step_due_at": None}
    if method == "post":
        shipment = create_return_shipment(
            ctx.dossier, acting_user=ctx.actor, now=ctx.now, cod_amount=ctx.data.get("cod_amount")
        )
        return _Move(
            to_status=Status.RETURNED,
            step="",
            public_note="Kết quả đã được giao cho bưu chính để chuyển đến địa chỉ của người nộp;"
            " mã vận đơn sẽ được thông báo.",
            data={"method": "post", "shipment": shipment.reference},
            fields=fields,
        )
    if method != "counter":
        raise DomainError(
            "Chọn hình thức trả kết quả: tại Bộ phận Một cửa hoặc qua bưu chính.", field="method"
        )
    data = {"method": "counter"}
    if ctx.data.get("collected_by"):
        data["collected_by"] = str(ctx.data["collected_by"])[:200]
    return _Move(
        to_status=Status.RETURNED,
        step="",
        public_note="Đã trả kết quả.",
        data=data,
        fields=fields,
        notify=("dossier.returned", {}),
    )


def _extend_due(ctx: _Ctx) -> _Move:
    """Mẫu 04 (Decree 61/2018 Art. 19(9)): the apology with the reason and the new date, signed by
    the head of the agency, at least one working day before the due date; only once."""
    dossier = ctx.dossier
    if dossier.transitions.filter(action="extend_due").exists():
        raise Conflict(
            "Ngày hẹn trả kết quả chỉ được điều chỉnh một lần (NĐ 61/2018, Điều 19).",
            code="due_already_moved",
        )
    reason = _text(ctx.data, "reason", "Nêu lý do chậm trả kết quả.")
    new_due = ctx.data.get("new_due_at")
    if not isinstance(new_due, datetime) or new_due.tzinfo is None:
        raise DomainError("Nhập ngày hẹn trả mới (có giờ và múi giờ).", field="new_due_at")
    old_due = dossier.due_at
    if old_due is None or new_due <= old_due:
        raise DomainError("Ngày hẹn trả mới phải sau ngày hẹn trả hiện tại.", field="new_due_at")
    deadline = one_working_day_before(old_due, agency=dossier.handling_agency)
    if ctx.now > deadline:
        raise DomainError(
            "Phiếu xin lỗi và hẹn lại ngày trả phải gửi chậm nhất 01 ngày làm việc trước ngày hẹn"
            f" trả ({_fmt(old_due)}), tức trước {_fmt(deadline)}.",
            code="apology_too_late",
        )
    return _Move(
        public_note=f"Xin lỗi vì chậm trả kết quả; hẹn lại lúc {_fmt(new_due)}. Lý do: {reason}",
        data={"old_due_at": _iso(old_due), "new_due_at": _iso(new_due), "reason": reason},
        fields={"due_at": new_due},
        closing_due=old_due,
        notify=(
            "dossier.delayed_apology",
            {"ngay_hen_tra": old_due, "ngay_hen_tra_moi": new_due, "ly_do": reason},
        ),
    )


def _closing(status: int, public_note: str, notify: str) -> Callable[[_Ctx], _Move]:
    def handler(ctx: _Ctx) -> _Move:
        reason = _text(ctx.data, "reason", "Nêu lý do.", 1000)
        return _Move(
            to_status=status,
            step="",
            public_note=public_note,
            data={"reason": reason},
            fields={"finished_at": ctx.now, "step_due_at": None},
            notify=(notify, {"ly_do": reason}),
        )

    return handler


_HANDLERS: dict[str, Callable[[_Ctx], _Move]] = {
    "accept": _accept,
    "refuse": _refuse,
    "request_supplement": _request_supplement,
    "submit_supplement": _submit_supplement,
    "forward": _forward,
    "assign": _assign,
    "request_opinion": _request_opinion,
    "answer_opinion": _finish_task,
    "coordinate": _coordinate,
    "complete_task": _finish_task,
    "propose": _propose,
    "approve": _approve,
    "send_back": _send_back,
    "refuse_after_appraisal": _refuse_after_appraisal,
    "request_payment": _request_payment,
    "record_payment": _record_payment,
    "record_result": _record_result,
    "return_result": _return_result,
    "extend_due": _extend_due,
    # Decree 118/2025 Art. 21, TT 03/2025 Art. 7: stopped at the citizen's request, with notice.
    "stop": _closing(Status.STOPPED, "Hồ sơ đã dừng xử lý.", "dossier.stopped"),
    "withdraw": _closing(Status.WITHDRAWN, "Người nộp đã rút hồ sơ.", "dossier.withdrawn"),
}
assert set(_HANDLERS) == set(ACTIONS)


def available_actions(dossier: Dossier, user: Any) -> list[str]:
    """The actions `user` may take on `dossier` now (for the dossier page: only those buttons)."""
    process = process_for(dossier.procedure_version)
    names = []
    for rule in ACTIONS.values():
        if rule.side == "task" or not state_allows(rule, process, dossier.status, dossier.step):
            continue
        ctx = _Ctx(dossier, process, rule, user, timezone.now(), "", {})
        if allowed_roles(rule, process, dossier.step) & roles_in(user, _acting_agency(ctx)):
            names.append(rule.name)
    return names


def waiting_tasks(dossier: Dossier, user: Any) -> dict[str, list[DossierTask]]:
    """The opinion and liên thông tasks waiting for one of `user`'s units, by the action that
    answers them (`answer_opinion`, `complete_task`): what `available_actions` leaves out, since
    those actions are taken at the asked unit, not at the one holding the dossier."""
    process = process_for(dossier.procedure_version)
    waiting = [
        task
        for task in dossier.tasks.select_related("agency")
        if task.started_at is not None and task.done_at is None
    ]
    found: dict[str, list[DossierTask]] = {}
    for name, kind in (
        ("answer_opinion", DossierTask.Kind.OPINION),
        ("complete_task", DossierTask.Kind.COORDINATION),
    ):
        rule = ACTIONS[name]
        if not waiting or not state_allows(rule, process, dossier.status, dossier.step):
            continue
        allowed = allowed_roles(rule, process, dossier.step)
        mine = [t for t in waiting if t.kind == kind and allowed & roles_in(user, t.agency)]
        if mine:
            found[name] = mine
    return found


# --- Paper channels and the national portal -----------------------------------------------------


@dataclass(frozen=True)
class Applicant:
    """The applicant as the officer enters it from the papers (or as the national portal sends)."""

    name: str
    id_number: str
    kind: int = ApplicantKind.CITIZEN
    phone: str = ""
    email: str = ""
    address: str = ""
    organisation_name: str = ""
    unit: AdministrativeUnit | None = None
    account: User | None = None


@dataclass(frozen=True)
class PaperDocument:
    """One document of the dossier, scanned at reception (Decree 61/2018 Art. 17(2))."""

    name: str
    content: bytes
    filename: str
    required_document_id: int | None = None


@dataclass(frozen=True)
class SignedPdf:
    """A PDF signed through `signing` before the transition (`eresult`): the document to store,
    the certificate(s) that signed it and the draft document it was signed from."""

    document: PaperDocument
    signed_from: int | None  # None: the draft brought with the same approval
    certificate_fingerprint: str
    person_fingerprint: str = ""  # for the result: the leader's signature under the seal

    def facts(self) -> dict[str, Any]:
        facts = {"signed_from": self.signed_from,
                 "certificate_fingerprint": self.certificate_fingerprint}  # fmt: skip
        if self.person_fingerprint:
            facts["person_fingerprint"] = self.person_fingerprint
        return facts


def _store_documents(
    dossier: Dossier,
    documents: Sequence[PaperDocument],
    role: str,
    actor: Any,
    now: datetime,
    *,
    accepted: bool = False,
) -> int:
    for document in documents:
        checked = check_upload(
            document.content, filename=document.filename, max_bytes=max_upload_bytes()
        )
        DossierDocument.objects.create(
            dossier=dossier,
            role=role,
            required_document_id=document.required_document_id,
            name=(document.name.strip() or checked.safe_name)[:500],
            file=do_store_file(document.content, checked, uploaded_by=actor),
            added_by=actor if getattr(actor, "pk", None) else None,
            added_at=now,
            accepted=accepted,
        )
    return len(documents)


def _check_applicant(applicant: Applicant) -> None:
    if not applicant.name.strip():
        raise DomainError("Nhập họ tên người nộp hồ sơ.", field="applicant_name")
    id_number = applicant.id_number.strip()
    if not id_number.isdigit() or not 9 <= len(id_number) <= 20:
        raise DomainError(
            "Số định danh cá nhân / mã số doanh nghiệp gồm 9 đến 20 chữ số.",
            field="applicant_id_number",
        )


def do_receive_at_counter(
    version: ProcedureVersion,
    *,
    acting_user: Any,
    receiving_agency: Agency,
    applicant: Applicant,
    delivery_option: str,
    documents: Sequence[PaperDocument] = (),
    answers: dict[str, Any] | None = None,
    delivery_address: str = "",
    now: datetime | None = None,
) -> Dossier:
    """The officer enters the dossier the citizen brought (channel 1): accepted at once, Mẫu 01."""
    now = now or timezone.now()
    return _receive_paper(version, Channel.COUNTER, now, now, acting_user=acting_user,
                          receiving_agency=receiving_agency, applicant=applicant,
                          delivery_option=delivery_option, documents=documents,
                          answers=answers, delivery_address=delivery_address)  # fmt: skip


def do_receive_by_post(
    version: ProcedureVersion,
    *,
    acting_user: Any,
    receiving_agency: Agency,
    applicant: Applicant,
    handed_over_at: datetime,
    delivery_option: str,
    documents: Sequence[PaperDocument] = (),
    answers: dict[str, Any] | None = None,
    delivery_address: str = "",
    now: datetime | None = None,
) -> Dossier:
    """A dossier sent through the public postal service (channel 3, Decision 45/2016/QĐ-TTg): it is
    filed, and its time limit counts, from when the hand-over record is signed."""
    now = now or timezone.now()
    if not isinstance(handed_over_at, datetime) or handed_over_at.tzinfo is None:
        raise DomainError(
            "Nhập thời điểm ký biên bản bàn giao (có múi giờ).", field="handed_over_at"
        )
    if handed_over_at > now:
        raise DomainError("Thời điểm bàn giao không được ở tương lai.", field="handed_over_at")
    return _receive_paper(version, Channel.POST, handed_over_at, now, acting_user=acting_user,
                          receiving_agency=receiving_agency, applicant=applicant,
                          delivery_option=delivery_option, documents=documents,
                          answers=answers, delivery_address=delivery_address)  # fmt: skip


def _receive_paper(
    version: ProcedureVersion,
    channel: int,
    filed_at: datetime,
    now: datetime,
    *,
    acting_user: Any,
    receiving_agency: Agency,
    applicant: Applicant,
    delivery_option: str,
    documents: Sequence[PaperDocument],
    answers: dict[str, Any] | None,
    delivery_address: str,
) -> Dossier:
    _check_applicant(applicant)
    if version.status != ProcedureVersion.Status.PUBLISHED:
        raise DomainError("Thủ tục này chưa được công bố.", code="not_published")
    if delivery_option not in version.delivery_options:
        raise DomainError("Hình thức nhận kết quả không áp dụng cho thủ tục này.", field="delivery")
    process = process_for(version)
    agency = receiving_agency
    with transaction.atomic():
        if process.reception.role not in roles_in(acting_user, agency):
            raise DomainError(
                f"Bạn không có vai trò cán bộ một cửa tại {agency.name}.", code="forbidden"
            )
        dossier = _create_received(version, channel, filed_at, agency, applicant, answers or {},
                                   delivery_option, delivery_address)  # fmt: skip
        files = _store_documents(dossier, documents, DocumentRole.SUBMITTED, acting_user, now)
        append_transition(
            dossier,
            action="receive",
            to_status=Status.ACCEPTED,
            actor=acting_user,
            agency=agency,
            at=filed_at,
            public_note=f"Hồ sơ đã được tiếp nhận; hẹn trả kết quả lúc {_fmt(dossier.due_at)}.",
            data={"channel": channel, "files": files, "recorded_at": now.isoformat(),
                  "due_at": _iso(dossier.due_at), "next_step": dossier.step,
                  "next_step_due_at": _iso(dossier.step_due_at)},
            first=True,
        )  # fmt: skip
        record_audit(
            "dossiers.receive", actor=acting_user, obj=dossier, after={"code": dossier.code}
        )
        _notify(dossier, "dossier.accepted", {"ngay_tiep_nhan": filed_at,
                                              "ngay_hen_tra": dossier.due_at}, seq=1)  # fmt: skip
    return dossier


def _create_received(
    version: ProcedureVersion,
    channel: int,
    filed_at: datetime,
    agency: Agency,
    applicant: Applicant,
    answers: dict[str, Any],
    delivery_option: str,
    delivery_address: str,
) -> Dossier:
    handling = handling_agency_for(version, agency)  # routing by competence
    process = process_for(version)
    return Dossier.objects.create(
        code=next_dossier_code(agency, at=filed_at),
        procedure_version=version,
        receiving_agency=agency,
        handling_agency=handling,
        current_agency=agency,
        channel=channel,
        status=Status.ACCEPTED,
        applicant=applicant.account,
        applicant_kind=applicant.kind,
        applicant_name=applicant.name.strip()[:200],
        applicant_id_number=applicant.id_number.strip(),
        organisation_name=applicant.organisation_name[:300],
        applicant_phone=applicant.phone[:20],
        applicant_email=applicant.email[:254],
        applicant_address=applicant.address[:500],
        applicant_unit=applicant.unit,
        answers=answers,
        delivery_option=delivery_option,
        delivery_address=delivery_address[:500],
        fee_total=quote_fees(version, answers).total,
        submitted_at=filed_at,
        received_at=filed_at,
        due_at=compute_due_at(time_limit_of(version), filed_at, agency=handling),
        step=process.reception.code,
        step_due_at=transfer_due_at(filed_at, agency=agency),
    )


@dataclass(frozen=True)
class NationalPortalDossier:
    """A dossier filed on the national public service portal (Cổng DVCQG), with the fields its
    synchronisation sends (onestop.md §6.2). Designed now; the connector is a later issue."""

    ma_ho_so: str  # MaHoSo: the code follows the dossier, it is not re-issued
    ma_tthc: str  # MaTTHC: the national procedure code
    ngay_nop: datetime  # NgayNopHoSo
    chu_ho_so: Applicant
    hinh_thuc_nhan_ket_qua: str  # a DeliveryOption value
    du_lieu_to_khai: dict[str, Any] = field(default_factory=dict)
    thanh_phan_ho_so: tuple[PaperDocument, ...] = ()


def do_receive_from_national_portal(
    payload: NationalPortalDossier, *, receiving_agency: Agency
) -> Dossier:
    """Put a DVCQG dossier in the receiving office's queue as "Mới đăng ký" (status 1, channel 2);
    officers then accept or refuse it like any online dossier. Receiving the same MaHoSo twice
    returns the dossier already stored."""
    _check_applicant(payload.chu_ho_so)
    with transaction.atomic():
        existing = Dossier.objects.filter(code=payload.ma_ho_so).first()
        if existing is not None:
            return existing
        procedure = Procedure.objects.filter(national_code=payload.ma_tthc).first()
        on = payload.ngay_nop.astimezone(VIETNAM).date()
        version = version_in_force(procedure, on) if procedure else None
        if version is None:
            raise DomainError(f"Không có thủ tục “{payload.ma_tthc}” đang có hiệu lực.")
        applicant = payload.chu_ho_so
        dossier = Dossier.objects.create(
            code=payload.ma_ho_so,
            procedure_version=version,
            receiving_agency=receiving_agency,
            handling_agency=handling_agency_for(version, receiving_agency),
            current_agency=receiving_agency,
            channel=Channel.ONLINE,
            status=Status.SUBMITTED,
            applicant_kind=applicant.kind,
            applicant_name=applicant.name.strip()[:200],
            applicant_id_number=applicant.id_number.strip(),
            applicant_phone=applicant.phone[:20],
            applicant_email=applicant.email[:254],
            applicant_address=applicant.address[:500],
            answers=payload.du_lieu_to_khai,
            delivery_option=payload.hinh_thuc_nhan_ket_qua,
            fee_total=quote_fees(version, payload.du_lieu_to_khai).total,
            submitted_at=payload.ngay_nop,
            step_due_at=acceptance_due_at(payload.ngay_nop, agency=receiving_agency),
        )
        _store_documents(dossier, payload.thanh_phan_ho_so, DocumentRole.SUBMITTED, None,
                         payload.ngay_nop)  # fmt: skip
        append_transition(dossier, action="submit", to_status=Status.SUBMITTED, actor=None,
                          agency=receiving_agency, at=payload.ngay_nop, first=True,
                          public_note="Hồ sơ đã được nộp trên Cổng Dịch vụ công quốc gia.",
                          data={"source": "dvcqg"})  # fmt: skip
        record_audit("dossiers.receive_national", obj=dossier, after={"code": dossier.code})
    return dossier


def last_seq(dossier: Dossier) -> int:
    """The `expected_seq` to pass with the next action taken from a view of the dossier now."""
    row = _last_row(dossier)
    return row[0] if row else 0
