"""Who is refused what, and bad input: every refusal is `{code, message, field}` with a 4xx, and
nothing is recorded (the dossier's rows, status and tasks are as before)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from chinhquyen.dossiers.handling import last_seq
from chinhquyen.dossiers.models import Dossier, Status
from tests.api.clients import api_client, send_json
from tests.dossier_helpers import submitted_dossier
from tests.dossiers.backoffice.conftest import World, actions_of, fresh
from tests.dossiers.backoffice.conftest import act as engine_act
from tests.dossiers.staff_api.helpers import API, act, dossier_url, refused


@pytest.fixture
def dossier(world: World) -> Dossier:
    """An online dossier waiting at agency A's one-stop office (status 1)."""
    return submitted_dossier(world.people.citizen, world.version)


@pytest.fixture
def processing(world: World) -> Dossier:
    """Accepted, forwarded to unit A and assigned to its specialist."""
    dossier = submitted_dossier(world.people.citizen, world.version)
    now = timezone.now()
    engine_act(dossier, "accept", world.officer, now)
    engine_act(dossier, "forward", world.officer, now, unit=world.province.unit_a)
    engine_act(dossier, "assign", world.unit_leader_a, now, assignee=world.people.specialist_a)
    return fresh(dossier)


def _unchanged(dossier: Dossier, rows: list[str]) -> None:
    now = fresh(dossier)
    assert actions_of(now) == rows
    assert (now.status, now.step, now.assignee_id) == (
        dossier.status, dossier.step, dossier.assignee_id,
    )  # fmt: skip
    assert now.tasks.count() == 0


def test_a_stale_view_is_409_in_vietnamese_and_records_nothing(
    world: World, dossier: Dossier
) -> None:
    seen = last_seq(dossier)
    engine_act(dossier, "accept", world.officer, timezone.now())  # a colleague was faster
    response = act(world.officer, dossier, "refuse", expected_seq=seen, reasons=["Thiếu giấy"])
    body = refused(response, 409, "already_handled")
    assert "đã được xử lý bởi người khác" in body["message"]
    assert actions_of(fresh(dossier)) == ["submit", "accept"]


def test_a_state_that_does_not_allow_it_is_409(world: World, dossier: Dossier) -> None:
    response = act(world.people.leader_a, dossier, "approve")
    refused(response, 409, "bad_state")
    _unchanged(dossier, ["submit"])


def test_a_role_that_may_not_is_403(world: World, dossier: Dossier, processing: Dossier) -> None:
    body = refused(act(world.people.leader_a, dossier, "accept"), 403, "forbidden")
    assert "Cán bộ một cửa" in body["message"] or "vai trò" in body["message"]
    _unchanged(dossier, ["submit"])
    # A specialist of the same unit, but not the one assigned.
    other = act(world.unit_leader_a, processing, "propose")
    refused(other, 403, "forbidden")
    _unchanged(processing, ["submit", "accept", "forward", "assign"])


def test_the_inspector_reads_but_every_action_is_403(world: World, dossier: Dossier) -> None:
    inspector = world.people.inspector
    assert api_client(inspector).get(dossier_url(dossier)).status_code == 200
    detail = api_client(inspector).get(dossier_url(dossier)).json()
    assert detail["available_actions"] == []
    for action in ("accept", "refuse", "stop"):
        refused(act(inspector, dossier, action, reasons=["x"], reason="x"), 403, "forbidden")
    _unchanged(dossier, ["submit"])


def test_agency_b_finds_nothing_of_agency_a(world: World, processing: Dossier) -> None:
    for person in (world.people.officer_b, world.specialist_b, world.leader_b):
        client = api_client(person)
        refused(client.get(dossier_url(processing)), 404, "not_found")
        refused(act(client, processing, "propose"), 404, "not_found")
        for ds in ("don-vi", "cua-toi", "moi-dang-ky", "qua-han"):
            assert client.get(f"{API}/dossiers", {"ds": ds}).json()["total"] == 0
    _unchanged(processing, ["submit", "accept", "forward", "assign"])


def test_citizens_anonymous_and_forged_requests(world: World, dossier: Dossier) -> None:
    citizen = api_client(world.people.citizen)
    refused(citizen.get(f"{API}/dossiers"), 403, "forbidden")
    refused(act(citizen, dossier, "withdraw", reason="x"), 403, "forbidden")
    refused(Client().get(dossier_url(dossier)), 401, "unauthenticated")
    refused(act(Client(), dossier, "accept"), 401, "unauthenticated")
    without_token = api_client(world.officer, csrf=False)
    refused(act(without_token, dossier, "accept"), 403, "csrf_failed")
    _unchanged(dossier, ["submit"])


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("refuse", {"reasons": "Thiếu giấy"}, "reasons"),  # a list of lines
        ("refuse", {"reasons": [1, 2]}, "reasons[0]"),
        ("accept", {"expected_seq": "một"}, "expected_seq"),
        ("accept", {"expected_seq": -1}, "expected_seq"),
        ("forward", {"agency_id": "x"}, "agency_id"),
        ("forward", {"agency_id": 2**63}, "agency_id"),
        ("request_opinion", {"amount": "nhiều"}, "amount"),
        ("request_opinion", {"amount": 0.001}, "amount"),
        ("extend_due", {"new_due_at": "ngày mai"}, "new_due_at"),
        ("return_result", {"collected_by": "x" * 201}, "collected_by"),
    ],
)
def test_a_body_of_the_wrong_types_is_refused_with_its_field(
    world: World, dossier: Dossier, action: str, body: dict[str, Any], field: str
) -> None:
    response = act(world.officer, dossier, action, **body)
    refused(response, 422, "invalid", field)
    _unchanged(dossier, ["submit"])


def test_a_body_that_is_not_json_is_400(world: World, dossier: Dossier) -> None:
    client = api_client(world.officer)
    url = f"{dossier_url(dossier)}/actions/refuse"
    for text in (
        '{"expected_seq": 1, "reasons": ["x"], "amount": NaN}',
        '{"expected_seq": 1e400}',
        '{"expected_seq": 1, "reasons": ["x"',
        json.dumps({"expected_seq": 1, "reasons": ["a\x00b"]}),
    ):
        response = client.post(url, data=text, content_type="application/json")
        refused(response, 400, "malformed")
    _unchanged(dossier, ["submit"])


def test_unknown_objects_in_the_body_are_400_with_their_field(
    world: World, dossier: Dossier, processing: Dossier
) -> None:
    officer, leader = world.officer, world.unit_leader_a
    engine_act(dossier, "accept", officer, timezone.now())
    dossier = fresh(dossier)
    refused(act(officer, dossier, "forward", agency_id=987_654), 400, "unknown_agency", "agency_id")
    outside = act(officer, dossier, "forward", agency_id=world.province.agency_b.pk)
    refused(outside, 400, "invalid", "agency_id")  # not a unit of the competent agency
    _unchanged(dossier, ["submit", "accept"])
    specialist = world.people.specialist_a
    for assignee in (987_654, world.specialist_a2.pk, world.specialist_b.pk):
        response = act(leader, processing, "assign", assignee_id=assignee)
        refused(response, 400, "assignee_outside_unit", "assignee_id")
    opinion = {"content": "Cho ý kiến", "amount": 1}
    unknown = act(specialist, processing, "request_opinion", agency_id=987_654, **opinion)
    refused(unknown, 400, "unknown_agency", "agency_id")
    refused(act(specialist, processing, "request_opinion", agency_id=world.agency_c.pk,
                content="Cho ý kiến"), 400, "invalid", "amount")  # fmt: skip
    no_task = act(specialist, processing, "answer_opinion", task_id=987_654, answer="x")
    refused(no_task, 400, "invalid", "task_id")
    _unchanged(processing, ["submit", "accept", "forward", "assign"])


def test_missing_reasons_and_far_dates_are_400(world: World, dossier: Dossier) -> None:
    officer = world.officer
    refused(act(officer, dossier, "refuse"), 400, "invalid", "reasons")
    refused(act(officer, dossier, "request_supplement", items=["  "]), 400, "invalid", "items")
    refused(act(officer, dossier, "stop"), 400, "invalid", "reason")
    far = act(
        world.people.leader_a,
        dossier,
        "extend_due",
        reason="x",
        new_due_at="9999-12-31T23:00:00-14:00",
    )
    refused(far, 400, "invalid", "new_due_at")
    _unchanged(dossier, ["submit"])


def test_unknown_action_worklist_and_code(world: World, dossier: Dossier) -> None:
    client = api_client(world.officer)
    refused(act(client, dossier, "approve_all"), 422, "invalid", "action")
    refused(client.get(f"{API}/dossiers", {"ds": "tat-ca"}), 400, "unknown_worklist", "ds")
    refused(client.get(f"{API}/dossiers/KHONG-CO-MA"), 404, "not_found")
    long = send_json(
        client, "POST", f"{API}/dossiers/{'X' * 81}/actions/accept", {"expected_seq": 1}
    )
    assert long.status_code == 422
    _unchanged(dossier, ["submit"])
    assert fresh(dossier).status == Status.SUBMITTED


def test_refusal_after_appraisal_through_the_api(world: World, processing: Dossier) -> None:
    """Decree 61/2018 Art. 19(8): the reasons are required (400, nothing recorded); with them the
    dossier ends at status 9 and waits at the one-stop office for return."""
    specialist = world.people.specialist_a
    rows = actions_of(processing)
    body = refused(act(specialist, processing, "refuse_after_appraisal"), 400, "invalid", "reasons")
    assert "lý do từ chối giải quyết" in body["message"]
    _unchanged(processing, rows)
    refused(act(world.officer, processing, "refuse_after_appraisal", reasons=["x"]), 403,
            "forbidden")  # fmt: skip
    _unchanged(processing, rows)
    response = act(specialist, processing, "refuse_after_appraisal", reasons=["Không đủ điều kiện"])
    assert response.status_code == 200, response.content
    assert fresh(processing).status == Status.DONE


def test_financial_obligations_through_the_api(world: World, processing: Dossier) -> None:
    """Status 6: `money` and `content` to ask, `money` and `receipt` to record; a bad amount is
    400 on `money` (schema or engine) with nothing recorded."""
    specialist, officer = world.people.specialist_a, world.officer
    rows = actions_of(processing)
    refused(act(specialist, processing, "request_payment", money=0, content="Phí"), 422, "invalid")
    body = refused(act(specialist, processing, "request_payment", content="Phí"), 400, "invalid")
    assert body["field"] == "money" and "số tiền" in body["message"]
    refused(act(specialist, processing, "request_payment", money=1000), 400, "invalid", "content")
    _unchanged(processing, rows)
    response = act(specialist, processing, "request_payment", money=25000, content="Lệ phí")
    assert response.status_code == 200, response.content
    assert fresh(processing).status == Status.PAYMENT_REQUESTED
    low = act(officer, processing, "record_payment", money=20000)
    assert "nhỏ hơn số tiền phải nộp" in refused(low, 400, "invalid", "money")["message"]
    response = act(officer, processing, "record_payment", money=25000, receipt="BL-1")
    assert response.status_code == 200, response.content
    assert fresh(processing).status == Status.PROCESSING
