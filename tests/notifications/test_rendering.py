"""Template rendering: placeholders filled from the given context only, missing ones refused,
nothing beyond `{{ name|filter }}` accepted; the shipped templates declare what they use."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from chinhquyen.core.errors import DomainError
from chinhquyen.notifications.actions import check_template, render_message
from chinhquyen.notifications.models import MessageTemplate
from chinhquyen.notifications.rendering import check_placeholders, placeholders_in, render_text
from tests.notifications.conftest import VN


def test_renders_placeholders_without_escaping() -> None:
    text = render_text(
        "Kính gửi {{ ho_ten }} <{{ email }}>", {"ho_ten": "Đỗ Thị Ánh & Co", "email": "a@b.vn"}
    )
    assert text == "Kính gửi Đỗ Thị Ánh & Co <a@b.vn>"


def test_missing_placeholder_is_an_error_naming_it() -> None:
    with pytest.raises(DomainError, match="ma_ho_so") as caught:
        render_text("Hồ sơ {{ ma_ho_so }} của {{ ho_ten }}", {"ho_ten": "An"})
    assert caught.value.code == "template_missing_value"


def test_default_filter_covers_a_missing_value() -> None:
    assert render_text('{{ noi_nhan|default:"Bộ phận Một cửa" }}', {}) == "Bộ phận Một cửa"


def test_dates_are_formatted_and_must_be_dates() -> None:
    template = 'Hẹn trả {{ ngay|date:"d/m/Y" }}'
    assert render_text(template, {"ngay": date(2025, 11, 7)}) == "Hẹn trả 07/11/2025"
    with pytest.raises(DomainError, match="ngay"):
        render_text(template, {"ngay": "07/11/2025"})
    with pytest.raises(DomainError, match="time-related"):
        render_text('{{ ngay|date:"H:i" }}', {"ngay": date(2025, 11, 7)})


@pytest.mark.parametrize(
    "text",
    [
        "{% load static %}",
        "{% include 'base.html' %}",
        "{% if x %}a{% endif %}",
        "{{ user.password }}",
        "{{ _private }}",
        "{{ ho_ten|safe }}",
        "{{ ho_ten|default:other }}",
        '{{ "literal" }}',
        "{{ unclosed",
    ],
)
def test_only_plain_placeholders_are_accepted(text: str) -> None:
    with pytest.raises(DomainError):
        placeholders_in(text)


def test_placeholders_are_listed_and_checked_against_declared() -> None:
    assert placeholders_in("{{ a }} {{ b|upper }} {{ a }}") == ["a", "b"]
    assert check_placeholders(["{{ a }}", "{{ b }}"], ["a", "b", "c"]) == ["a", "b"]
    with pytest.raises(DomainError, match="b"):
        check_placeholders(["{{ a }}", "{{ b }}"], ["a"])


def test_check_template_requires_a_subject_for_email() -> None:
    template = MessageTemplate(code="x", channel="email", body="{{ a }}", placeholders=["a"])
    with pytest.raises(DomainError, match="tiêu đề"):
        check_template(template)


def test_every_default_template_renders_in_vietnamese(
    templates: None, accepted_context: dict[str, Any]
) -> None:
    context = {
        **accepted_context,
        "ngay_nop": datetime(2025, 11, 3, 8, 15, tzinfo=VN),
        "noi_dung_bo_sung": "Bản sao giấy chứng sinh có chứng thực.",
        "ngay_hen_tra_moi": date(2025, 11, 12),
        "ly_do": "Cần xác minh thêm thông tin.",
        "ma_van_don": "EB100000015VN",
        "dia_chi_nhan": "Số 5 phố Hiến Nam, phường Phố Hiến",
        "so_tien": "1.500.000 đồng",
        "noi_dung": "Lệ phí trước bạ",
        "ma_giao_dich": "2611245097481031",
        "hinh_thuc": "trực tuyến",
        "duong_dan_thanh_toan": "https://dichvucong.example.vn/tai-khoan/ho-so-cua-toi/x/",
    }
    templates_ = MessageTemplate.objects.filter(code__startswith="dossier.")
    assert {(t.code, t.channel) for t in templates_} == {
        (code, channel)
        for code in ("dossier.submitted", "dossier.accepted", "dossier.supplement_requested",
                     "dossier.result_ready", "dossier.delayed_apology", "dossier.refused",
                     "dossier.stopped", "dossier.withdrawn", "dossier.returned",
                     "dossier.sent_by_post", "dossier.resolution_refused",
                     "dossier.payment_requested", "dossier.payment_requested_at_counter",
                     "dossier.payment_received")
        for channel in ("email", "sms")
    }  # fmt: skip
    for template in templates_:
        subject, body = render_message(template, context)
        assert "{{" not in subject + body
        assert "000.00.01.H99-251103-0001" in subject + body
        assert (subject != "") == (template.channel == "email")
