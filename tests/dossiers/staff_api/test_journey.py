"""The whole path through the officers' API: accept → forward → assign → propose → approve →
approve → record_result → return_result, each step by the role the process names, each answer
the dossier as it is now (history, the actions offered next, the seq to send with them)."""

from __future__ import annotations

from typing import Any

from django.test import Client

from chinhquyen.dossiers.models import Status
from chinhquyen.org.models import User
from tests.api.clients import api_client
from tests.dossier_helpers import submitted_dossier
from tests.dossiers.backoffice.conftest import World, actions_of, fresh
from tests.dossiers.staff_api.helpers import API, act, dossier_url


def _offered(user: User, code: str) -> list[str]:
    body = api_client(user).get(f"{API}/dossiers/{code}").json()
    return [action["name"] for action in body["available_actions"]]


def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.content
    return response.json()


def test_accept_to_return_through_the_api(world: World) -> None:
    people, unit_a = world.people, world.province.unit_a
    dossier = submitted_dossier(people.citizen, world.version)
    queue = api_client(world.officer).get(f"{API}/dossiers", {"ds": "moi-dang-ky"}).json()
    assert [item["code"] for item in queue["items"]] == [dossier.code] and queue["total"] == 1
    assert "accept" in _offered(world.officer, dossier.code)

    body = _ok(act(world.officer, dossier, "accept", note="Đủ thành phần"))
    assert body["status"] == Status.ACCEPTED and body["expected_seq"] == 2
    assert body["due_at"] is not None and body["step"] == "tiep_nhan"
    body = _ok(act(world.officer, dossier, "forward", agency_id=unit_a.pk))
    assert body["current_agency"] == {"id": unit_a.pk, "name": unit_a.name}
    assert "assign" in _offered(world.unit_leader_a, dossier.code)
    leader_view = api_client(world.unit_leader_a).get(dossier_url(dossier)).json()
    assert people.specialist_a.pk in [person["id"] for person in leader_view["assignable"]]
    body = _ok(act(world.unit_leader_a, dossier, "assign", assignee_id=people.specialist_a.pk))
    assert body["assignee"]["id"] == people.specialist_a.pk

    mine = api_client(people.specialist_a).get(f"{API}/dossiers", {"ds": "cua-toi"}).json()
    assert [item["code"] for item in mine["items"]] == [dossier.code]
    assert _offered(people.specialist_a, dossier.code)[:1] == ["request_supplement"]
    _ok(act(people.specialist_a, dossier, "propose", note="Đủ điều kiện đăng ký khai sinh."))
    _ok(act(world.unit_leader_a, dossier, "approve"))
    _ok(act(people.leader_a, dossier, "approve"))
    body = _ok(act(people.specialist_a, dossier, "record_result"))
    assert body["status"] == Status.DONE
    ready = api_client(world.officer).get(f"{API}/dossiers", {"ds": "tra-ket-qua"}).json()
    assert [item["code"] for item in ready["items"]] == [dossier.code]
    body = _ok(act(world.officer, dossier, "return_result", collected_by="Nguyễn Văn An"))

    assert body["status"] == Status.RETURNED and body["available_actions"] == []
    assert actions_of(fresh(dossier)) == [
        "submit", "accept", "forward", "assign", "propose", "approve", "approve",
        "record_result", "return_result",
    ]  # fmt: skip
    history = body["history"]
    assert [row["seq"] for row in history] == list(range(1, 10))
    assert body["expected_seq"] == 9
    accept = history[1]
    assert accept["actor"] == {"id": world.officer.pk, "name": str(world.officer)}
    assert accept["agency"]["id"] == world.province.agency_a.pk
    assert accept["note"] == "Đủ thành phần" and accept["step"] == ""
    assert accept["verdict"] in ("truoc_han", "dung_han") and accept["step_due_at"]
    propose = history[4]
    assert propose["step"] == "tham_dinh" and propose["agency"]["id"] == unit_a.pk
    assert all(row["verdict"] in ("truoc_han", "dung_han") for row in history[1:])
    assert history[-1]["public_note"] == "Đã trả kết quả."
    returned = fresh(dossier).transitions.get(action="return_result")
    assert returned.data["collected_by"] == "Nguyễn Văn An"


def test_worklists_and_search(world: World) -> None:
    dossier = submitted_dossier(world.people.citizen, world.version)
    client = api_client(world.officer)
    keys = [worklist["key"] for worklist in client.get(f"{API}/worklists").json()]
    assert keys[:3] == ["cua-toi", "moi-dang-ky", "don-vi"]
    applicant = dossier.applicant_name
    for text in (dossier.code, dossier.code[-4:], applicant.lower()):
        found = client.get(f"{API}/search", {"q": text}).json()
        assert [item["code"] for item in found["items"]] == [dossier.code], text
        assert found["items"][0]["applicant_name"] == applicant
    assert client.get(f"{API}/search").json()["total"] == 0
    other = api_client(world.people.officer_b).get(f"{API}/search", {"q": dossier.code}).json()
    assert other["total"] == 0  # out of scope: not found
    page = client.get(f"{API}/dossiers?ds=moi-dang-ky&limit=1&offset=1").json()
    assert page == {"total": 1, "limit": 1, "offset": 1, "items": []}


def test_opinion_of_another_agency_through_the_api(world: World) -> None:
    """Agency B, asked for an opinion, sees the dossier and answers its own task only."""
    people = world.people
    dossier = submitted_dossier(people.citizen, world.version)
    act(world.officer, dossier, "accept")
    act(world.officer, dossier, "forward", agency_id=world.province.unit_a.pk)
    act(world.unit_leader_a, dossier, "assign", assignee_id=people.specialist_a.pk)
    body = act(
        people.specialist_a, dossier, "request_opinion",
        agency_id=world.province.agency_b.pk, content="Cho ý kiến về quy hoạch", amount=2,
    ).json()  # fmt: skip
    [task] = body["tasks"]
    assert task["agency"]["id"] == world.province.agency_b.pk and task["due_at"]
    assert "answer_opinion" in _offered(world.specialist_b, dossier.code)
    outsider = act(world.specialist_c, dossier, "answer_opinion", task_id=task["id"], answer="x")
    assert outsider.status_code == 404  # agency C is not asked: the dossier is not theirs
    answered = act(world.specialist_b, dossier, "answer_opinion", task_id=task["id"],
                   answer="Phù hợp quy hoạch.")  # fmt: skip
    assert answered.status_code == 200, answered.content
    assert answered.json()["tasks"][0]["answer"] == "Phù hợp quy hoạch."
    again = act(world.specialist_b, dossier, "answer_opinion", task_id=task["id"], answer="y")
    assert again.status_code == 409


def test_answers_are_not_cached(world: World) -> None:
    dossier = submitted_dossier(world.people.citizen, world.version)
    client = api_client(world.officer)
    for url in (dossier_url(dossier), f"{API}/dossiers", f"{API}/search?q=x"):
        assert client.get(url)["Cache-Control"] == "no-store", url
    assert act(world.officer, dossier, "accept")["Cache-Control"] == "no-store"
    assert Client().get(dossier_url(dossier))["Cache-Control"] == "no-store"  # 401 too


def test_lien_thong_in_sequence_through_the_api(world: World) -> None:
    """Agency B then agency C, each its part in turn; the specialist proposes once both are back."""
    people = world.people
    dossier = submitted_dossier(people.citizen, world.version)
    act(world.officer, dossier, "accept")
    act(world.officer, dossier, "forward", agency_id=world.province.unit_a.pk)
    act(world.unit_leader_a, dossier, "assign", assignee_id=people.specialist_a.pk)
    parts = [
        {"agency_id": world.province.agency_b.pk, "content": "Xác nhận", "amount": 1, "order": 1},
        {"agency_id": world.agency_c.pk, "content": "Thu phí", "amount": "0.5", "order": 2},
    ]
    body = _ok(act(people.specialist_a, dossier, "coordinate", tasks=parts))
    first, second = body["tasks"]
    assert first["started_at"] and second["started_at"] is None
    assert _offered(world.specialist_c, dossier.code) == []  # not its turn yet
    early = act(people.specialist_a, dossier, "propose")
    assert early.status_code == 400 and early.json()["code"] == "coordination_open"
    _ok(
        act(world.specialist_b, dossier, "complete_task", task_id=first["id"], answer="Đã xác nhận")
    )
    assert "complete_task" in _offered(world.specialist_c, dossier.code)
    _ok(act(world.specialist_c, dossier, "complete_task", task_id=second["id"], answer="Đã thu"))
    body = _ok(act(people.specialist_a, dossier, "propose"))
    assert body["step"] == "kiem_tra"
    assert [t["done_at"] is not None for t in body["tasks"]] == [True, True]
