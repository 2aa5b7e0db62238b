"""The agency statistics recomputed from scratch in plain Python over the transition rows, written
from the rule (chinhquyen/reports/statistics.py docstring, Decision 766 indicator 2.1) without the
SQL: walk each dossier's steps in order, as they stood at the end of the period."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from chinhquyen.dossiers.models import Dossier, DossierTransition
from chinhquyen.org.models import Agency

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
SUPPLEMENT, END_STATES = 5, (3, 7, 8)
CLOSED_MEASURES = {3: "refused", 7: "withdrawn", 8: "stopped"}


@dataclass
class Pause:
    asked: datetime
    answered: datetime | None = None


def reference_statistics(
    agency: Agency, start: datetime, end: datetime, now: datetime
) -> dict[str, set[int]]:
    """Measure name → the ids of the dossiers it counts."""
    cutoff = min(end, now)
    steps: dict[int, list[DossierTransition]] = defaultdict(list)
    for step in DossierTransition.objects.filter(at__lt=cutoff).order_by("dossier_id", "seq"):
        steps[step.dossier_id].append(step)
    counted: dict[str, set[int]] = defaultdict(set)
    dossiers = Dossier.objects.filter(handling_agency__path__startswith=agency.path)
    for dossier in dossiers:
        for measure in _judge(dossier.due_at, steps[dossier.pk], start, cutoff):
            counted[measure].add(dossier.pk)
    return counted


def _first(steps: list[DossierTransition], status: int) -> datetime | None:
    return next((s.at for s in steps if s.to_status == status), None)


def _pauses(steps: list[DossierTransition]) -> list[Pause]:
    pauses: list[Pause] = []
    for step in steps:
        is_request = step.to_status == SUPPLEMENT and step.from_status not in (None, 1, 5)
        if is_request:
            pauses.append(Pause(step.at))
        elif pauses and pauses[-1].answered is None and step.to_status != SUPPLEMENT:
            pauses[-1].answered = step.at
    return pauses


def _judge(
    due: datetime | None, steps: list[DossierTransition], start: datetime, cutoff: datetime
) -> list[str]:
    received = _first(steps, 2)
    resolved = _first(steps, 9) or _first(steps, 10)
    closings = [(at, status) for status in END_STATES if (at := _first(steps, status))]
    closed_at, closed_kind = min(closings) if closings and not resolved else (None, 0)
    ended = resolved or closed_at
    pauses = _pauses(steps)
    waiting = bool(pauses) and pauses[-1].answered is None
    # Decision 766: judged at the end, else at the end of the period, else at the open request.
    moment = resolved or (pauses[0].asked if waiting and len(pauses) == 1 else cutoff)
    late = len([p for p in pauses if p.asked <= moment]) > 1
    adjusted = moment
    if pauses and pauses[0].asked <= moment:
        answered = pauses[0].answered
        adjusted = moment - (min(answered, moment) if answered else moment) + pauses[0].asked
    late = late or (due is not None and adjusted > due)
    early = not late and due is not None and _day(adjusted) < _day(due)

    measures = []
    if received and received >= start:
        measures.append("received")
    if received and received < start and (ended is None or ended >= start):
        measures.append("carried_over")
    if resolved and resolved >= start:
        verdict = "late" if late else "early" if early else "on_time"
        measures += ["resolved", f"resolved_{verdict}"]
    if received and ended is None:
        measures += ["in_progress", "in_progress_overdue" if late else "in_progress_on_time"]
        if waiting:
            measures.append("supplement_waiting")
    if closed_at and closed_at >= start:
        measures.append(CLOSED_MEASURES[closed_kind])
    return measures


def _day(moment: datetime) -> date:
    return moment.astimezone(VIETNAM).date()


def as_numbers(counted: dict[str, set[int]], measures: tuple[str, ...]) -> dict[str, int]:
    return {m: len(counted.get(m, set())) for m in measures}
