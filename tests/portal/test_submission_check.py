"""The check page: answers as a reader expects them, what is still missing with links, fees, and
paying online before a toàn trình submission (through the test payment gateway)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from chinhquyen.dossiers import drafts
from chinhquyen.dossiers.models import Dossier
from chinhquyen.notifications.defaults import load_default_templates
from chinhquyen.payments.models import Payment
from chinhquyen.procedures.models import ProcedureVersion
from tests import dossier_helpers as h
from tests.conftest import Personas, Province, client_for
from tests.payments.conftest import Paygate, browser_back
from tests.payments.conftest import paygate as paygate  # the test gateway fixture
from tests.portal.submission_pages import html, url


@pytest.fixture
def version(province: Province) -> ProcedureVersion:
    load_default_templates()
    return h.publish_procedure(province.agency_a)


def late_answers() -> dict[str, object]:
    return h.birth_answers(born=timezone.localdate() - timedelta(days=90))


def test_answers_are_shown_by_label_with_an_edit_link_per_section(
    version: ProcedureVersion, personas: Personas
) -> None:
    draft = h.filled_draft(personas.citizen, version)
    page = html(client_for(personas.citizen).get(url("check", draft)))
    born = timezone.localdate() - timedelta(days=10)
    assert "<dt>Giới tính</dt><dd>Nam</dd>" in page
    assert f"<dt>Ngày, tháng, năm sinh</dt><dd>{born:%d/%m/%Y}</dd>" in page
    assert "<dt>Quan hệ với người được khai sinh</dt><dd>Cha</dd>" in page
    assert "<dt>Khai thông tin người cha</dt><dd>Không</dd>" in page
    assert "<dt>Xã, phường nơi cư trú</dt><dd>Phường Phố Hiến, Tỉnh Hưng Yên</dd>" in page
    assert "Họ, chữ đệm, tên người cha" not in page  # hidden by its condition
    assert f'<a href="{url("group", draft, 2)}">Sửa' in page
    assert "<dd>Nhận bản điện tử trực tuyến</dd>" in page
    assert "Không phải nộp phí, lệ phí." in page
    assert "Tôi xin cam đoan những thông tin khai trên là đúng sự thật" in page


def test_what_is_missing_is_listed_with_links_and_submission_is_not_offered(
    version: ProcedureVersion, personas: Personas
) -> None:
    draft = drafts.do_create_draft(owner=personas.citizen, version=version)
    page = html(client_for(personas.citizen).get(url("check", draft)))
    assert "Hồ sơ còn" in page and "điểm cần bổ sung trước khi nộp" in page
    assert f'<a href="{url("documents", draft)}">Chưa đính kèm: Giấy chứng sinh' in page
    assert f'<a href="{url("group", draft, 2)}">Trẻ được khai sinh: Cần ít nhất 1 mục.' in page
    assert "Nộp hồ sơ</button>" not in page


def test_a_late_registration_owes_the_fee_and_must_pay_before_submitting(
    version: ProcedureVersion, personas: Personas
) -> None:
    draft = h.filled_draft(personas.citizen, version, answers=late_answers())
    client = client_for(personas.citizen)
    page = html(client.get(url("check", draft)))
    assert "Lệ phí đăng ký khai sinh quá hạn" in page and "<strong>8.000 đồng</strong>" in page
    assert "Thanh toán trực tuyến 8.000 đồng</button>" in page
    assert "Nộp hồ sơ</button>" not in page
    refused = client.post(url("submit", draft), {"cam_doan": "1"})
    assert refused.status_code == 400
    assert "cần thanh toán phí, lệ phí trực tuyến trước khi nộp" in html(refused)
    assert not Dossier.objects.exists()


def test_paying_online_then_submitting(
    version: ProcedureVersion, personas: Personas, paygate: Paygate
) -> None:
    draft = h.filled_draft(personas.citizen, version, answers=late_answers())
    client = client_for(personas.citizen)
    response = client.post(url("pay", draft))
    assert response.status_code == 302 and response["Location"].startswith(paygate.base_url)
    payment = Payment.objects.get()
    assert (payment.reference, payment.amount) == (f"draft:{draft.pk}", 8000)
    back = browser_back(client, paygate.pay(response["Location"]))
    assert back["Location"] == url("check", draft)
    page = html(client.get(back["Location"]))
    assert "Đã thanh toán</strong> 8.000 đồng" in page
    assert f'href="/thanh-toan/{payment.pk}/bien-lai/">Xem biên lai' in page
    submitted = client.post(url("submit", draft), {"cam_doan": "1"})
    dossier = Dossier.objects.get()
    assert submitted["Location"] == f"/ho-so/{dossier.code}/da-nop/"
    assert dossier.paid_amount == 8000 and dossier.fee_total == 8000


def test_partial_service_fees_are_paid_at_reception(province: Province, personas: Personas) -> None:
    load_default_templates()
    version = h.publish_procedure(province.agency_a, online_level="partial")
    draft = h.filled_draft(personas.citizen, version, answers=late_answers())
    client = client_for(personas.citizen)
    page = html(client.get(url("check", draft)))
    assert "nộp khi tiếp nhận hồ sơ tại Bộ phận Một cửa" in page
    assert "Nộp hồ sơ</button>" in page
    assert client.post(url("submit", draft), {"cam_doan": "1"}).status_code == 302
    assert Dossier.objects.get().paid_amount == 0


def test_answers_changed_after_paying_stop_the_submission_with_advice(
    version: ProcedureVersion, personas: Personas, paygate: Paygate
) -> None:
    draft = h.filled_draft(personas.citizen, version, answers=late_answers())
    client = client_for(personas.citizen)
    browser_back(client, paygate.pay(client.post(url("pay", draft))["Location"]))
    on_time = h.birth_answers()["tre"]
    drafts.do_save_group(draft, "tre", on_time, acting_user=personas.citizen)
    page = html(client.get(url("check", draft)))
    assert "Số tiền đã thanh toán khác với phí, lệ phí theo tờ khai hiện tại" in page
    assert "Nộp hồ sơ</button>" not in page
