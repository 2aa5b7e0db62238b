"""Returning by post from the officer's dossier page and from the officers' API, and reading the
shipment back (the page's section, `GET …/shipments`)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from chinhquyen.dossiers.handling import last_seq
from chinhquyen.dossiers.models import Dossier, Shipment, Status
from chinhquyen.integrations.postal.testserver import Operator
from tests.api.clients import api_client
from tests.conftest import client_for
from tests.dossiers.backoffice.conftest import World, fresh
from tests.dossiers.postal.conftest import ready_to_return, shipment_of
from tests.dossiers.staff_api.helpers import API, act, refused

pytestmark = pytest.mark.usefixtures("eager")


def _page_return(world: World, dossier: Dossier, **form: str) -> Any:
    url = reverse("dossiers:staff_action", args=[dossier.code, "return_result"])
    data = {"expected_seq": str(last_seq(dossier)), **form}
    return client_for(world.officer).post(url, data, follow=True)


def _shown(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_page_offers_post_and_shows_the_waybill(
    world: World, operator: Operator, committed: Any
) -> None:
    dossier = ready_to_return(world)
    detail = reverse("dossiers:staff_dossier", args=[dossier.code])
    form = client_for(world.officer).get(detail).content.decode()
    assert 'value="buu_chinh" checked' in form and "Số 5 phố Hiến Nam" in form
    with committed():
        response = _page_return(world, dossier, hinh_thuc="buu_chinh", thu_ho="")
    assert response.status_code == 200
    shipment = shipment_of(dossier)
    assert fresh(dossier).status == Status.RETURNED and shipment.waybill
    page = client_for(world.officer).get(detail).content.decode()
    assert "Gửi kết quả qua bưu chính" in page and shipment.waybill in page


def test_page_refuses_post_without_the_option(world: World, operator: Operator) -> None:
    dossier = ready_to_return(world, delivery_option="counter", delivery_address="")
    response = _page_return(world, dossier, hinh_thuc="buu_chinh")
    assert any("không đăng ký nhận kết quả qua dịch vụ bưu chính" in m for m in _shown(response))
    assert fresh(dossier).status == Status.DONE and not Shipment.objects.exists()


def test_page_refuses_a_bad_cod_amount(world: World, operator: Operator) -> None:
    dossier = ready_to_return(world)
    response = _page_return(world, dossier, hinh_thuc="buu_chinh", thu_ho="mười nghìn")
    assert any("thu hộ" in m for m in _shown(response))
    assert fresh(dossier).status == Status.DONE and operator.requests == []


def test_api_returns_by_post_and_lists_the_shipment(
    world: World, operator: Operator, committed: Any
) -> None:
    dossier = ready_to_return(world)
    with committed():
        answer = act(world.officer, dossier, "return_result", method="post", cod_amount=0)
    assert answer.status_code == 200 and answer.json()["status"] == Status.RETURNED
    listed = api_client(world.officer).get(f"{API}/dossiers/{dossier.code}/shipments")
    [shipment] = listed.json()
    assert shipment["waybill"] == shipment_of(dossier).waybill
    assert shipment["status"] == "booked" and shipment["reference"] == f"KQ-{dossier.code}"
    assert [e["kind"] for e in shipment["events"]] == ["handed_over", "booked"]
    other = api_client(world.people.officer_b).get(f"{API}/dossiers/{dossier.code}/shipments")
    assert other.status_code == 404


def test_api_refusals(world: World, operator: Operator) -> None:
    dossier = ready_to_return(world, delivery_option="counter", delivery_address="")
    refused(act(world.officer, dossier, "return_result", method="post"), 400,
            "not_postal_delivery", "method")  # fmt: skip
    assert act(world.officer, dossier, "return_result", method="fax").status_code == 422
    assert act(world.officer, dossier, "return_result", cod_amount=-1).status_code == 422
    assert fresh(dossier).status == Status.DONE and not Shipment.objects.exists()


def _reorder(user: Any, dossier: Dossier) -> Any:
    url = reverse("dossiers:staff_reorder_shipment", args=[dossier.code])
    return client_for(user).post(url, follow=True)


def test_failed_order_is_ordered_again_from_the_page(
    world: World, operator: Operator, committed: Any, settings: Any
) -> None:
    settings.POSTAL_API_KEY = "khoa-sai"  # the operator refuses: failed, not retried
    dossier = ready_to_return(world)
    with committed():
        act(world.officer, dossier, "return_result", method="post")
    shipment = shipment_of(dossier)
    assert shipment.status == Shipment.Status.FAILED
    detail = reverse("dossiers:staff_dossier", args=[dossier.code])
    assert "Gửi lại đơn cho bưu chính" in client_for(world.officer).get(detail).content.decode()
    # The agency's leader sees the dossier but is not the one-stop office: refused.
    refused_page = _reorder(world.people.leader_a, dossier)
    assert any("Chỉ cán bộ một cửa" in m for m in _shown(refused_page))
    settings.POSTAL_API_KEY = operator.api_key  # the key is corrected
    with committed():
        done = _reorder(world.officer, dossier)
    assert "Đã gửi lại đơn cho bưu chính." in _shown(done)
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.BOOKED and shipment.attempts == 1
    kinds = list(shipment.events.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["handed_over", "failed", "reordered", "booked"]
    again = _reorder(world.officer, dossier)  # booked now: nothing to order again
    assert any("Chỉ gửi lại được đơn chưa gửi được" in m for m in _shown(again))
    assert [outcome for _, outcome in operator.requests] == ["401", "201"]


def test_reorder_needs_a_shipment_and_a_post(world: World, operator: Operator) -> None:
    dossier = ready_to_return(world)
    assert any("không có bưu gửi" in m for m in _shown(_reorder(world.officer, dossier)))
    url = reverse("dossiers:staff_reorder_shipment", args=[dossier.code])
    assert client_for(world.officer).get(url).status_code == 405
