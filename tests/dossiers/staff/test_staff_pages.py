"""The officers' pages (/can-bo/ho-so/): worklists scoped by agency, a dossier page with only the
actions the role may take now, actions through forms with the stale-view guard, bulk assignment,
search ignoring diacritics."""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chinhquyen.dossiers.handling import last_seq
from chinhquyen.dossiers.models import Dossier, Status
from tests.conftest import client_for
from tests.dossier_helpers import submitted_dossier
from tests.dossiers.backoffice.conftest import World, act, actions_of, fresh, receive, to_processing

WORKLIST = "/can-bo/ho-so/"


def _detail(dossier: Dossier) -> str:
    return reverse("dossiers:staff_dossier", args=[dossier.code])


def _act(client: Client, dossier: Dossier, action: str, **fields: object) -> list[str]:
    url = reverse("dossiers:staff_action", args=[dossier.code, action])
    data = {"expected_seq": str(last_seq(dossier)), **fields}
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == _detail(dossier)
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_online_queue_shows_new_dossiers_to_their_receiving_office_only(world: World) -> None:
    dossier = submitted_dossier(world.people.citizen, world.version)
    mine = client_for(world.officer).get(WORKLIST, {"ds": "moi-dang-ky"})
    assert mine.status_code == 200 and dossier.code in mine.content.decode()
    other = client_for(world.people.officer_b).get(WORKLIST, {"ds": "moi-dang-ky"})
    assert other.status_code == 200 and dossier.code not in other.content.decode()
    assert client_for(world.people.officer_b).get(_detail(dossier)).status_code == 404
    assert client_for(world.people.citizen).get(_detail(dossier)).status_code in (302, 403)


def test_the_page_offers_only_what_the_role_may_do_now(world: World) -> None:
    dossier = submitted_dossier(world.people.citizen, world.version)
    officer_page = client_for(world.officer).get(_detail(dossier)).content.decode()
    assert "Tiếp nhận hồ sơ" in officer_page and "/thao-tac/accept/" in officer_page
    assert "/thao-tac/approve/" not in officer_page
    leader_page = client_for(world.people.leader_a).get(_detail(dossier)).content.decode()
    assert "/thao-tac/accept/" not in leader_page  # a leader does not receive at the counter


def test_accept_forward_assign_through_the_forms(world: World) -> None:
    dossier = submitted_dossier(world.people.citizen, world.version)
    said = _act(client_for(world.officer), dossier, "accept")
    assert said == ["Đã thực hiện: Tiếp nhận hồ sơ."]
    unit = world.province.unit_a
    _act(client_for(world.officer), dossier, "forward", don_vi=str(unit.pk))
    assert fresh(dossier).current_agency == unit
    specialist = world.people.specialist_a
    _act(client_for(world.unit_leader_a), dossier, "assign", can_bo=str(specialist.pk))
    dossier = fresh(dossier)
    assert dossier.assignee == specialist and dossier.status == Status.PROCESSING
    mine = client_for(specialist).get(WORKLIST, {"ds": "cua-toi"}).content.decode()
    assert dossier.code in mine
    history = client_for(specialist).get(_detail(dossier)).content.decode()
    assert "Phân công xử lý" in history and "Chuyển cơ quan giải quyết" in history


def test_a_stale_form_is_refused_and_nothing_is_recorded(world: World) -> None:
    dossier = submitted_dossier(world.people.citizen, world.version)
    seen = last_seq(dossier)
    act(dossier, "accept", world.officer, timezone.now())  # a colleague was faster
    url = reverse("dossiers:staff_action", args=[dossier.code, "refuse"])
    response = client_for(world.officer).post(url, {"expected_seq": seen, "ly_do": "Thiếu giấy"})
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "đã được xử lý bởi người khác" in message
    assert actions_of(fresh(dossier)) == ["submit", "accept"]


def test_an_action_the_role_may_not_take_is_refused_in_vietnamese(world: World) -> None:
    dossier = submitted_dossier(world.people.citizen, world.version)
    messages = _act(client_for(world.people.leader_a), dossier, "accept")
    assert messages and "Đã thực hiện" not in messages[0]
    assert actions_of(fresh(dossier)) == ["submit"]
    refused = _act(client_for(world.officer), dossier, "refuse", ly_do="")
    assert refused and "lý do" in refused[0].lower()
    assert actions_of(fresh(dossier)) == ["submit"]


def test_bulk_assignment_by_the_unit_leader(world: World) -> None:
    now = timezone.now()
    unit = world.province.unit_a
    dossiers = [receive(world, now) for _ in range(3)]
    for dossier in dossiers:
        act(dossier, "forward", world.officer, now, unit=unit)
    leader = client_for(world.unit_leader_a)
    page = leader.get(WORKLIST, {"ds": "don-vi"}).content.decode()
    assert "Phân công các hồ sơ đã chọn" in page
    specialist = world.people.specialist_a
    response = leader.post(
        reverse("dossiers:staff_bulk_assign"),
        {"ma": [d.code for d in dossiers[:2]] + ["KHONG-CO"], "can_bo": str(specialist.pk)},
    )
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert said[0] == "Đã phân công 2 hồ sơ." and "KHONG-CO" in said[1]
    assert [fresh(d).assignee for d in dossiers] == [specialist, specialist, None]
    outsider = world.specialist_a2  # another unit: not assignable by this leader
    leader.post(
        reverse("dossiers:staff_bulk_assign"), {"ma": [dossiers[2].code], "can_bo": outsider.pk}
    )
    assert fresh(dossiers[2]).assignee is None


def test_search_by_code_id_number_and_name_without_diacritics(world: World) -> None:
    dossier = receive(world, timezone.now())
    client = client_for(world.officer)
    link = _detail(dossier)
    for text in (dossier.code, dossier.code[-4:], "001085012345", "le van cuong", "LÊ VĂN"):
        page = client.get(WORKLIST, {"q": text}).content.decode()
        assert link in page, text
    assert link not in client.get(WORKLIST, {"q": "tran thi"}).content.decode()
    other = client_for(world.people.officer_b).get(WORKLIST, {"q": dossier.code})
    assert link not in other.content.decode()  # out of scope: not found


def test_the_unit_asked_for_an_opinion_answers_it_from_the_page(world: World) -> None:
    from decimal import Decimal

    from tests.dossiers.backoffice.conftest import to_processing

    now = timezone.now()
    dossier = to_processing(world, now)
    opinion = {"agency": world.province.agency_b, "content": "Xác nhận hiện trạng"}
    act(dossier, "request_opinion", world.people.specialist_a, now, amount=Decimal(2), **opinion)
    task = fresh(dossier).tasks.get()
    asked = client_for(world.specialist_b)
    page = asked.get(_detail(dossier)).content.decode()
    assert "/thao-tac/answer_opinion/" in page and "Xác nhận hiện trạng" in page
    outsider = client_for(world.specialist_c).get(_detail(dossier))
    assert outsider.status_code == 404  # agency C was not asked
    said = _act(asked, fresh(dossier), "answer_opinion", phan_viec=str(task.pk), y_kien="Đúng")
    assert said == ["Đã thực hiện: Trả lời xin ý kiến."]
    task.refresh_from_db()
    assert task.done_at is not None and task.answer == "Đúng"
    again = client_for(world.specialist_b).get(_detail(dossier)).content.decode()
    assert "/thao-tac/answer_opinion/" not in again


def test_after_a_move_out_of_scope_the_officer_lands_on_the_worklist(world: World) -> None:
    """The unit's specialist records the result: the dossier goes back to the receiving office,
    out of the specialist's scope, so the page answers with the worklist and the confirmation
    instead of a 404."""
    from tests.dossiers.backoffice.conftest import to_processing

    now, specialist = timezone.now(), world.people.specialist_a
    dossier = to_processing(world, now)
    act(dossier, "propose", specialist, now)
    act(dossier, "approve", world.unit_leader_a, now)
    act(dossier, "approve", world.people.leader_a, now)
    url = reverse("dossiers:staff_action", args=[dossier.code, "record_result"])
    client = client_for(specialist)
    response = client.post(url, {"expected_seq": last_seq(dossier)})
    assert response.status_code == 302 and response["Location"] == WORKLIST
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Đã thực hiện: Có kết quả giải quyết."
    ]
    assert fresh(dossier).status == Status.DONE
    assert client.get(_detail(dossier)).status_code == 404


def test_financial_obligations_on_the_dossier_page(world: World) -> None:
    """Status 6 through the page: the holder asks (amount, content), the one-stop office records
    the payment; the fields come from the ACTIONS table's names."""
    dossier = to_processing(world, timezone.now())
    specialist = client_for(world.people.specialist_a)
    page = specialist.get(_detail(dossier)).content.decode()
    assert "Yêu cầu thực hiện nghĩa vụ tài chính" in page and 'name="so_tien"' in page
    bad = _act(specialist, dossier, "request_payment", so_tien="abc", noi_dung="Lệ phí")
    assert bad and "Nhập số tiền phải nộp" in bad[0]
    assert fresh(dossier).status == Status.PROCESSING
    _act(specialist, dossier, "request_payment", so_tien="120000", noi_dung="Lệ phí trước bạ")
    assert fresh(dossier).status == Status.PAYMENT_REQUESTED
    officer = client_for(world.officer)
    assert (
        "Ghi nhận đã thực hiện nghĩa vụ tài chính" in officer.get(_detail(dossier)).content.decode()
    )
    _act(officer, dossier, "record_payment", so_tien="120000", so_bien_lai="BL-9")
    assert fresh(dossier).status == Status.PROCESSING


def test_the_control_sheet_lists_refusal_and_payment_rows(world: World) -> None:
    """Mẫu 05 reads every row through the ACTIONS table: the new actions print with their labels."""
    from tests.dossiers.forms.pdf_text import text_of as pdf_text

    now = timezone.now()
    dossier = to_processing(world, now)
    act(dossier, "request_payment", world.people.specialist_a, now, money=5000, content="Phí")
    act(dossier, "record_payment", world.officer, now, money=5000)
    act(dossier, "refuse_after_appraisal", world.people.specialist_a, now, reasons=["Không đủ"])
    # By kind: "05" is the control sheet under TT 01/2018 but the stop notice under TT 03/2025.
    url = reverse("dossiers:staff_form_kind", args=[dossier.code, "phieu-kiem-soat"])
    response = client_for(world.officer).get(url)
    assert response.status_code == 200
    text = " ".join(pdf_text(response.content).split())
    assert "Từ chối giải quyết" in text and "nghĩa vụ tài chính" in text
