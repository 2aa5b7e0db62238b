"""The deadline sweep of the one-stop back office (issue #5 §4: deadlines that act).

`do_sweep_deadlines(now)` looks at what is still running and whose due instant is near or past:

- the current step of an open dossier (`Dossier.step_due_at`, the partial index
  `dossier_step_due`: paused and closed dossiers have no step due, so they are never read);
- the dossier's own due date (ngày hẹn trả), among the same running dossiers;
- the open tasks sent to other units or agencies (opinions, Decree 61/2018 Art. 19(5); liên
  thông, Art. 19(6)–(7)), through the partial index `task_open`;
- a dossier that may be late and has not had its due date moved: the head of the agency must issue
  the apology (Mẫu 04, TT 01/2018) at least one working day before the due date, and the date can
  be moved only once (Decree 61/2018 Art. 19(9)).

"Due soon" means due before the end of the next `DEADLINE_WARNING_WORKING_DAYS` working days of
the province's calendar (default 1: today and the next working day, so on the Friday before Tết
2026 a step due on Monday 23/02 is already due soon). Each finding is a `DeadlineAlert` row whose
key carries the due instant: the sweep run twice, or by two workers at once, records and sends
nothing new (unique key, and the outbox's dedupe keys). The people concerned get an e-mail
through the outbox, written in the same transaction as the finding.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone

from chinhquyen.core.errors import DomainError
from chinhquyen.dossiers.models import (
    DeadlineAlert,
    Dossier,
    DossierTask,
    DossierTransition,
    Status,
)
from chinhquyen.dossiers.process import one_working_day_before, process_for
from chinhquyen.notifications.actions import do_enqueue_notification
from chinhquyen.org.models import Agency, Role, RoleAssignment, User
from chinhquyen.workdays.calendar import VIETNAM, working_calendar

logger = logging.getLogger(__name__)
BATCH = 500
Subject, Level = DeadlineAlert.Subject, DeadlineAlert.Level
# A dossier's clock runs while it is accepted or processing; a supplement request pauses it
# (Decree 61/2018 Art. 19(4)) and a closed dossier has no deadline left. DONE still has its
# return step running (Art. 20), but its due date is met (Decision 766 indicator 2.1).
RUNNING = (Status.ACCEPTED, Status.PROCESSING)
STEP_RUNNING = (Status.SUBMITTED, Status.ACCEPTED, Status.PROCESSING, Status.DONE)
TEMPLATES: dict[str, str] = {
    Level.DUE_SOON: "staff.deadline_due_soon",
    Level.OVERDUE: "staff.deadline_overdue",
    Subject.APOLOGY: "staff.apology_required",
}


@dataclass
class SweepReport:
    """What one sweep found new (already recorded findings are not counted again)."""

    alerts: list[str] = field(default_factory=list)
    messages: int = 0

    def as_dict(self) -> dict[str, int]:
        counts = {"alerts": len(self.alerts), "messages": self.messages}
        for key in self.alerts:
            kind = key.split(":")[1]
            counts[kind] = counts.get(kind, 0) + 1
        return counts


@dataclass(frozen=True)
class Finding:
    dossier: Dossier
    subject: str
    level: str
    due_at: datetime
    step: str = ""
    task: DossierTask | None = None
    apology_by: datetime | None = None

    @property
    def key(self) -> str:
        # A step is named by its code (the same step sent back runs again with a new due
        # instant); the dossier's due date and its apology are one per due instant.
        what = f"task{self.task.pk}" if self.task else self.step
        stamp = self.due_at.astimezone(VIETNAM).isoformat()
        return f"{self.dossier.pk}:{self.subject}:{what}:{self.level}:{stamp}"


def warning_horizon(now: datetime, working_days: int | None = None) -> datetime:
    """The end of the N-th working day after today (Vietnam dates, the province's calendar):
    anything due before it and not yet past is "due soon". N = 0: the end of today."""
    if working_days is None:
        working_days = settings.DEADLINE_WARNING_WORKING_DAYS
    cal, day = working_calendar(None), now.astimezone(VIETNAM).date()
    for _index in range(working_days):
        day = cal.step(day)
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=VIETNAM)


def do_sweep_deadlines(now: datetime | None = None) -> SweepReport:
    """Record and announce every new finding (see the module docstring). Safe to run twice."""
    now = now or timezone.now()
    days = settings.DEADLINE_WARNING_WORKING_DAYS
    horizon = warning_horizon(now, days)
    # Decree 61/2018 Art. 19(9): the apology goes out one working day before the due date, so
    # it is looked for one working day further than the warning horizon.
    apology_horizon = warning_horizon(now, days + 1)
    report = SweepReport()
    for finding in _findings(now, horizon, apology_horizon):
        try:
            _record(finding, now, report)
        except DomainError as error:  # e.g. no template in force: the next sweep tries again
            logger.warning("deadline sweep: %s not recorded: %s", finding.key, error)
    return report


def _findings(now: datetime, horizon: datetime, apology_horizon: datetime) -> Iterator[Finding]:
    yield from _step_findings(now, horizon)
    yield from _dossier_findings(now, horizon, apology_horizon)
    yield from _task_findings(now, horizon)


def _level(due_at: datetime, now: datetime) -> str:
    return Level.OVERDUE if due_at <= now else Level.DUE_SOON


def _not_reported_overdue(subject: str, due_field: str) -> Exists:
    return Exists(
        DeadlineAlert.objects.filter(
            dossier=OuterRef("pk"), subject=subject, level=Level.OVERDUE, due_at=OuterRef(due_field)
        )
    )


def _in_batches(ids: list[int], queryset: QuerySet[Any]) -> Iterator[Any]:
    for start in range(0, len(ids), BATCH):
        yield from queryset.filter(pk__in=ids[start : start + BATCH]).order_by("pk")


_DOSSIER_RELATED = ("procedure_version", "handling_agency", "current_agency", "assignee")


def _step_findings(now: datetime, horizon: datetime) -> Iterator[Finding]:
    """The current step of every running dossier due before the horizon: a range on the partial
    index `dossier_step_due` (only running steps have a due instant)."""
    ids = list(
        Dossier.objects.filter(
            step_due_at__isnull=False, step_due_at__lt=horizon, status__in=STEP_RUNNING
        )
        .exclude(_not_reported_overdue(Subject.STEP, "step_due_at"))
        .values_list("pk", flat=True)
    )
    dossiers = Dossier.objects.select_related(*_DOSSIER_RELATED)
    for dossier in _in_batches(ids, dossiers):
        due = dossier.step_due_at
        yield Finding(dossier, Subject.STEP, _level(due, now), due, step=dossier.step)


def _dossier_findings(
    now: datetime, horizon: datetime, apology_horizon: datetime
) -> Iterator[Finding]:
    """The due date of the running dossiers (read through the same partial index: a paused or
    closed dossier has no running step), and the apology it may need first."""
    extended = Exists(DossierTransition.objects.filter(dossier=OuterRef("pk"), action="extend_due"))
    ids = list(
        Dossier.objects.filter(
            step_due_at__isnull=False, status__in=RUNNING, due_at__lt=apology_horizon
        )
        .exclude(_not_reported_overdue(Subject.DOSSIER, "due_at"))
        .values_list("pk", flat=True)
    )
    dossiers = Dossier.objects.select_related(*_DOSSIER_RELATED).annotate(extended=extended)
    for dossier in _in_batches(ids, dossiers):
        due = dossier.due_at
        if due < horizon:
            yield Finding(dossier, Subject.DOSSIER, _level(due, now), due)
        if not dossier.extended:
            apology_by = one_working_day_before(due, agency=dossier.handling_agency)
            if now < apology_by <= horizon:
                yield Finding(dossier, Subject.APOLOGY, Level.DUE_SOON, due, apology_by=apology_by)


def _task_findings(now: datetime, horizon: datetime) -> Iterator[Finding]:
    """Open tasks of dossiers still processing (the partial index `task_open`): a late reply is
    reported to the lead unit (Decree 61/2018 Art. 19(5)) and to the unit asked."""
    seen = Exists(
        DeadlineAlert.objects.filter(
            task=OuterRef("pk"), level=Level.OVERDUE, due_at=OuterRef("due_at")
        )
    )
    ids = list(
        DossierTask.objects.filter(
            done_at__isnull=True,
            due_at__isnull=False,
            due_at__lt=horizon,
            dossier__status=Status.PROCESSING,
        )
        .exclude(seen)
        .values_list("pk", flat=True)
    )
    tasks = DossierTask.objects.select_related(
        "agency", "requested_by", *(f"dossier__{name}" for name in _DOSSIER_RELATED)
    )
    for task in _in_batches(ids, tasks):
        due = task.due_at
        yield Finding(task.dossier, Subject.TASK, _level(due, now), due, task=task)


# --- Recording and telling ----------------------------------------------------------------------


def _record(finding: Finding, now: datetime, report: SweepReport) -> None:
    """One finding, its row and its e-mails in one transaction: all or nothing."""
    if DeadlineAlert.objects.filter(key=finding.key).exists():
        return
    people = _recipients(finding)
    with transaction.atomic():
        try:
            with transaction.atomic():
                DeadlineAlert.objects.create(
                    key=finding.key,
                    dossier=finding.dossier,
                    task=finding.task,
                    subject=finding.subject,
                    level=finding.level,
                    step=finding.step,
                    due_at=finding.due_at,
                    found_at=now,
                    recipients=[person.username for person in people],
                )
        except IntegrityError:  # another sweep recorded it first
            return
        context = _context(finding)
        for person in people:
            try:
                _tell(finding, context, person, now)
            except DomainError as error:
                if error.code != "invalid_email":
                    raise
                continue  # a bad address must not stop the others being told
            report.messages += 1
    report.alerts.append(finding.key)


def _context(finding: Finding) -> dict[str, Any]:
    dossier = finding.dossier
    return {
        "ma_ho_so": dossier.code,
        "ten_thu_tuc": dossier.procedure_version.name,
        "noi_dung": _what(finding),
        "han": finding.due_at,
        "han_xin_loi": finding.apology_by,
        "don_vi": _holder(finding).name,
        "duong_dan": staff_url(dossier.code),
    }


def _tell(finding: Finding, context: dict[str, Any], person: User, now: datetime) -> None:
    code = TEMPLATES.get(finding.subject) or TEMPLATES[finding.level]
    do_enqueue_notification(
        code,
        "email",
        person.email,
        {**context, "ho_ten": person.get_full_name() or person.username},
        dedupe_key=f"deadline:{finding.key}:{person.pk}",
        now=now,
    )


def staff_url(code: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse('dossiers:staff_dossier', args=[code])}"


def _what(finding: Finding) -> str:
    if finding.task is not None:
        kind = DossierTask.Kind(finding.task.kind).label
        return f"Phần việc “{kind}” gửi {finding.task.agency.name}"
    if finding.subject == Subject.STEP:
        step = process_for(finding.dossier.procedure_version).step(finding.step)
        return f"Bước “{step.name if step else finding.step}”"
    return "Ngày hẹn trả kết quả của hồ sơ"


def _holder(finding: Finding) -> Agency:
    if finding.task is not None:
        return finding.task.agency
    if finding.subject == Subject.APOLOGY:
        return finding.dossier.handling_agency
    return finding.dossier.current_agency or finding.dossier.handling_agency


def _recipients(finding: Finding) -> list[User]:
    """Who is told: for a step or the dossier, the assignee and the leader of the unit holding
    it; for a task, the leader of the unit asked and the officer who asked; for the apology, the
    head of the competent agency, who signs Mẫu 04. Only active accounts with an e-mail."""
    dossier = finding.dossier
    people: Sequence[User | None]
    if finding.subject == Subject.APOLOGY:
        people = _leaders(dossier.handling_agency, (Role.AGENCY_LEADER,))
    elif finding.task is not None:
        people = [finding.task.requested_by, *_leaders(finding.task.agency)]
    else:
        people = [dossier.assignee, *_leaders(_holder(finding))]
    unique = {person.pk: person for person in people if person is not None}
    return [p for p in unique.values() if p.is_active and p.email]


def _leaders(
    agency: Agency, roles: Iterable[str] = (Role.UNIT_LEADER, Role.AGENCY_LEADER)
) -> list[User]:
    """The holders of the first of `roles` found at the agency or, failing that, the nearest
    ancestor (a unit without its own leader answers to the one above)."""
    chain = list(reversed(agency.ancestor_ids()))  # the agency itself first
    rows = list(
        RoleAssignment.objects.filter(agency_id__in=chain, role__in=list(roles))
        .select_related("user")
        .order_by("pk")
    )
    for role in roles:
        for agency_id in chain:
            found = [r.user for r in rows if r.agency_id == agency_id and r.role == role]
            if found:
                return found
    return []
