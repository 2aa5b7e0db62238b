"""Processing rules of Decree 61/2018 Art. 19 the engine enforces beyond the step order: the
3-working-day window for a supplement asked after appraisal started (Art. 19(4)), refusal after
appraisal (Art. 19(8)) and the request for financial obligations (status 6)."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from chinhquyen.core.errors import DomainError
from chinhquyen.dossiers.handling import supplement_deadline
from chinhquyen.dossiers.models import Status
from chinhquyen.dossiers.process import Budget, check_process, process_for
from chinhquyen.procedures.models import ProcedureVersion
from tests.dossiers.backoffice.conftest import (
    PROCESS,
    World,
    act,
    at,
    fresh,
    receive,
    to_processing,
)
from tests.dossiers.backoffice.test_bad_input import refused

MONDAY = at("2026-03-02 09:00")
THREE_DAYS = Budget(Decimal(3), "working_days")


def _with_supplement_limit(world: World, limit: dict[str, Any]) -> None:
    process = copy.deepcopy(PROCESS)
    process[1]["supplement_limit"] = limit
    ProcedureVersion.objects.filter(pk=world.version.pk).update(process=process)


# --- Art. 19(4): a supplement asked by the competent agency ------------------------------------


def test_the_competent_agency_asks_a_supplement_within_three_working_days(world: World) -> None:
    dossier = to_processing(world, MONDAY)
    # Received Monday 09:00: three working days end Thursday 09:00 (the agency's calendar).
    assert supplement_deadline(dossier, process_for(dossier.procedure_version)) == at(
        "2026-03-05 09:00"
    )
    act(dossier, "request_supplement", world.people.specialist_a, at("2026-03-05 08:59"),
        items=["Tờ khai có chữ ký"])  # fmt: skip
    assert fresh(dossier).status == Status.SUPPLEMENT_REQUESTED


def test_a_late_supplement_request_is_refused_naming_the_deadline(world: World) -> None:
    dossier = to_processing(world, MONDAY)
    late = at("2026-03-05 09:01")
    with refused(dossier, "quá thời hạn yêu cầu bổ sung.*3 ngày làm việc.*09:00 05/03/2026",
                 "supplement_too_late"):  # fmt: skip
        act(dossier, "request_supplement", world.people.specialist_a, late, items=["Tờ khai"])


def test_the_window_counts_working_days_over_a_weekend_and_tet(world: World) -> None:
    # Received Thursday 12/02/2026 10:00; Tết 2026 closes 14–22/02: the window ends 25/02 10:00.
    dossier = to_processing(world, at("2026-02-12 10:00"))
    deadline = supplement_deadline(dossier, process_for(dossier.procedure_version))
    assert deadline is not None and deadline > at("2026-02-23 10:00")
    act(dossier, "request_supplement", world.people.specialist_a, deadline, items=["Tờ khai"])
    assert fresh(dossier).status == Status.SUPPLEMENT_REQUESTED


def test_the_reception_request_is_not_bound_by_the_window(world: World) -> None:
    dossier = receive(world, MONDAY)
    assert supplement_deadline(dossier, process_for(dossier.procedure_version)) is None
    act(dossier, "request_supplement", world.officer, at("2026-03-10 09:00"), items=["Tờ khai"])
    assert fresh(dossier).status == Status.SUPPLEMENT_REQUESTED


def test_a_process_sets_another_period(world: World) -> None:
    _with_supplement_limit(world, {"value": "5", "unit": "working_days"})
    dossier = to_processing(world, MONDAY)
    assert process_for(dossier.procedure_version).supplement_limit == Budget(
        Decimal(5), "working_days"
    )
    with refused(dossier, r"5 ngày làm việc.*09:00 09/03/2026", "supplement_too_late"):
        act(dossier, "request_supplement", world.people.specialist_a, at("2026-03-09 09:30"),
            items=["Tờ khai"])  # fmt: skip
    act(dossier, "request_supplement", world.people.specialist_a, at("2026-03-06 16:00"),
        items=["Tờ khai"])  # fmt: skip
    assert fresh(dossier).status == Status.SUPPLEMENT_REQUESTED


@pytest.mark.parametrize(
    ("where", "limit", "message"),
    [
        (1, {"value": "x", "unit": "working_days"}, "Bước 2, thời hạn yêu cầu bổ sung: thời gian"),
        (1, {"value": "3", "unit": "weeks"}, "Bước 2, thời hạn yêu cầu bổ sung: đơn vị"),
        (1, {"value": "0", "unit": "working_days"}, "Bước 2: thời hạn yêu cầu bổ sung phải lớn"),
        (1, "3", r"Bước 2, thời hạn yêu cầu bổ sung: cần dạng"),
        (0, {"value": "3", "unit": "working_days"}, "Bước 1: thời hạn yêu cầu bổ sung chỉ đặt ở"),
        (2, {"value": "3", "unit": "working_days"}, "Bước 3: thời hạn yêu cầu bổ sung chỉ đặt ở"),
    ],
)
def test_a_bad_supplement_limit_is_refused(where: int, limit: Any, message: str) -> None:
    process = copy.deepcopy(PROCESS)
    process[where]["supplement_limit"] = limit
    with pytest.raises(DomainError, match=message):
        check_process(process, THREE_DAYS)


def test_only_one_step_sets_the_period() -> None:
    process = copy.deepcopy(PROCESS)
    second = {**process[1], "code": "tham_dinh_2"}
    process.insert(2, second)
    process[1]["supplement_limit"] = {"value": "2", "unit": "working_days"}
    process[2]["supplement_limit"] = {"value": "4", "unit": "working_days"}
    budget = {"value": "1", "unit": "working_hours"}
    for step in process:
        step["budget"] = budget
    with pytest.raises(DomainError, match="chỉ đặt ở một bước thẩm định"):
        check_process(process, THREE_DAYS)
