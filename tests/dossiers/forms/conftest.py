"""A submitted birth-registration dossier (5 working days here), accepted just before Tết 2026 the
way the back office will: received_at, due_at from `workdays`, and a transition row."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from chinhquyen.dossiers.actions import append_transition
from chinhquyen.dossiers.models import Dossier, Status
from chinhquyen.notifications.defaults import load_default_templates
from chinhquyen.procedures.models import ProcedureVersion
from chinhquyen.workdays.calendar import add_duration
from tests import dossier_helpers as h
from tests.conftest import Personas, Province

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# Thursday 12/02/2026, two working days before Tết Bính Ngọ (days off 16–20/02/2026).
RECEIVED = datetime(2026, 2, 12, 9, 30, tzinfo=VN)


@pytest.fixture
def version(province: Province) -> ProcedureVersion:
    load_default_templates()
    return h.publish_procedure(
        province.agency_a, time_limit={"value": "5", "unit": "working_days", "note": ""}
    )


def accept(dossier: Dossier, officer: object, at: datetime) -> Dossier:
    """What the back office's acceptance stores: the reception time, the due date computed by
    workdays from the procedure's time limit, one transition row."""
    version = dossier.procedure_version
    due = add_duration(
        at, version.time_limit_value, version.time_limit_unit, agency=dossier.handling_agency
    )
    dossier.received_at, dossier.due_at = at, due
    append_transition(
        dossier,
        action="accept",
        to_status=Status.ACCEPTED,
        actor=officer,
        agency=dossier.receiving_agency,
        at=at,
        # The engine's rows carry the due time of the step they close: reception, that day.
        step_due_at=at.replace(hour=17, minute=0),
    )
    dossier.save(update_fields=["received_at", "due_at", "status"])
    # The forms read the dossier as the database returns it (times in UTC), as the back office will.
    return Dossier.objects.get(pk=dossier.pk)


@pytest.fixture
def accepted(version: ProcedureVersion, personas: Personas) -> Dossier:
    dossier = h.submitted_dossier(personas.citizen, version)
    submitted = RECEIVED.replace(hour=8)
    Dossier.objects.filter(pk=dossier.pk).update(submitted_at=submitted)
    dossier.transitions.filter(seq=1).update(at=submitted)
    dossier.refresh_from_db()
    return accept(dossier, personas.officer_a, RECEIVED)
