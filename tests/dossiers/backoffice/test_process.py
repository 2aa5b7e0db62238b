"""The internal process as data: every catalogue process is valid, a version without one gets
the default, and a bad process is refused with every problem named in Vietnamese."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

import pytest

from chinhquyen.core.errors import DomainError
from chinhquyen.dossiers import handling
from chinhquyen.dossiers.process import (
    ACTIONS,
    Budget,
    StepKind,
    check_process,
    default_process,
    process_for,
)
from chinhquyen.dossiers.queries import PUBLIC_ACTIONS
from chinhquyen.procedures.models import ProcedureVersion
from tests.dossier_helpers import CATALOGUE
from tests.dossiers.backoffice.conftest import PROCESS

THREE_DAYS = Budget(Decimal(3), "working_days")


def test_every_catalogue_process_is_valid() -> None:
    procedures = json.loads(CATALOGUE.read_text(encoding="utf-8"))["procedures"]
    for entry in procedures:
        limit = Budget(Decimal(entry["time_limit"]["value"]), entry["time_limit"]["unit"])
        process = check_process(entry["process"], limit)
        assert process.reception.kind == StepKind.RECEPTION
        assert process.return_step.kind == StepKind.RETURN


def test_the_process_kinds_roles_and_order() -> None:
    process = check_process(PROCESS, THREE_DAYS)
    assert [(s.code, s.kind) for s in process.steps] == [
        ("tiep_nhan", "reception"), ("tham_dinh", "appraisal"), ("kiem_tra", "approval"),
        ("phe_duyet", "approval"), ("tra_ket_qua", "return"),
    ]  # fmt: skip
    assert process.after("kiem_tra") == process.step("phe_duyet")
    assert process.current("") == process.reception


def test_a_process_without_return_gets_the_one_stop_return() -> None:
    process = check_process(PROCESS[:-1], THREE_DAYS)
    assert process.return_step.code == "tra_ket_qua" and process.return_step.implicit


def test_a_version_without_process_gets_the_default() -> None:
    version = ProcedureVersion(process=[], time_limit_value=Decimal(10), time_limit_unit="days")
    process = process_for(version)
    assert process.is_default
    assert [s.role for s in process.steps] == [
        "one_stop_officer", "specialist", "agency_leader", "one_stop_officer",
    ]  # fmt: skip
    hours = sum(s.budget.value for s in process.steps)
    assert hours <= Decimal(10) * 5 / 7 * Decimal("7.5")
    assert default_process(Budget(Decimal(0), "working_days")).steps[1].budget.value == Decimal(
        "4.50"
    )


def _changed(index: int, **changes: Any) -> list[dict[str, Any]]:
    steps = copy.deepcopy(PROCESS)
    steps[index].update(changes)
    return steps


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([], "Quy trình nội bộ phải là danh sách các bước."),
        (_changed(2, role="inspector"), "Bước 3: vai trò “inspector” không tham gia"),
        (_changed(1, role="one_stop_officer"), "Bước 2: cán bộ một cửa chỉ làm bước đầu"),
        (PROCESS[1:], "Bước đầu tiên phải là tiếp nhận"),
        ([PROCESS[0], PROCESS[1], PROCESS[4]], "cần ít nhất một bước “Kiểm tra, phê duyệt”"),
        ([PROCESS[0], PROCESS[2], PROCESS[1], PROCESS[4]], "Thứ tự bước phải là"),
        (_changed(1, code="tiep_nhan"), "Mã bước bị trùng."),
        (_changed(1, code="Thẩm định"), "Bước 2: mã bước gồm chữ thường"),
        (_changed(1, name=" "), "Bước 2: chưa có tên bước."),
        (_changed(1, budget={"value": "1.5", "unit": "days"}), "phải là số nguyên"),
        (_changed(1, budget={"value": "1", "unit": "weeks"}), "đơn vị “weeks” không hợp lệ"),
        (_changed(1, budget={"value": "-1", "unit": "working_days"}), "số không âm"),
        (
            _changed(1, budget={"value": "2", "unit": "working_days"}),
            "Tổng thời gian các bước (30 giờ làm việc) vượt thời hạn giải quyết (3 ngày làm việc).",
        ),
    ],
)
def test_a_bad_process_is_refused_in_vietnamese(steps: list[Any], message: str) -> None:
    with pytest.raises(DomainError) as refused:
        check_process(steps, THREE_DAYS)
    assert message in refused.value.message
    assert refused.value.code == "process_invalid"


def test_every_problem_is_named_at_once() -> None:
    steps = _changed(1, name="", budget={"value": "x", "unit": "working_days"})
    with pytest.raises(DomainError) as refused:
        check_process(steps, THREE_DAYS)
    assert "chưa có tên bước" in refused.value.message
    assert "thời gian “x”" in refused.value.message


def test_the_action_vocabulary() -> None:
    # The names the data generator already writes (bench/dossier_lifecycle.py) are kept.
    generated = {"accept", "refuse", "request_supplement", "submit_supplement", "withdraw",
                 "stop", "record_result", "return_result", "forward"}  # fmt: skip
    assert generated <= set(ACTIONS)
    assert set(ACTIONS) <= set(PUBLIC_ACTIONS)  # the tracking page names every step
    assert set(handling._HANDLERS) == set(ACTIONS)
