"""Issue #3 §9, the citizen's whole journey on a 360×740 phone in Debian's Chromium: type
"dang ky khai sinh" without diacritics, open the procedure, sign in, fill the form one group per
page, upload a PDF, pay the late-registration fee on the test gateway (real HTTP, its IPN comes
back to the live server), submit, read the code, and find the dossier again with the public
lookup. Runs with BROWSER_TESTS=1."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from chinhquyen.dossiers.models import Dossier, OnlinePayment, Status
from chinhquyen.notifications.defaults import load_default_templates
from chinhquyen.notifications.models import OutboxMessage
from chinhquyen.payments.models import Payment
from tests import dossier_helpers as h
from tests.conftest import Personas, Province
from tests.core import upload_samples
from tests.factories import DEMO_PASSWORD
from tests.payments import conftest as pay

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(os.environ.get("BROWSER_TESTS") != "1", reason="needs BROWSER_TESTS=1"),
]

if os.environ.get("BROWSER_TESTS") == "1":
    from playwright.sync_api import Page, expect

    @pytest.fixture
    def gateway(settings: Any, live_server: Any) -> Iterator[pay.Paygate]:
        """The test gateway; its IPN goes over HTTP to the live server, as in production."""
        settings.SITE_URL = live_server.url
        yield from pay._paygate(
            settings, ipn_url=live_server.url + "/thanh-toan/ipn/", site=live_server.url
        )

    def fits(page: Page) -> bool:
        return bool(page.evaluate("document.documentElement.scrollWidth") <= 360)

    def test_citizen_files_pays_submits_and_tracks_on_a_phone(
        phone_page: Page,
        province: Province,
        personas: Personas,
        gateway: pay.Paygate,
        tmp_path: Path,
        screenshots: Path,
    ) -> None:
        load_default_templates()
        h.publish_procedure(province.agency_a)
        h.commune_unit()
        page = phone_page
        citizen = personas.citizen

        # Find the procedure without diacritics, open it.
        page.goto("/dich-vu-cong/")
        page.locator("#q").fill("dang ky khai sinh")
        page.locator("#q").press("Enter")
        page.get_by_role("link", name="Đăng ký khai sinh").first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Đăng ký khai sinh")
        assert fits(page)

        # Start online: not signed in yet, so sign in first and come back.
        page.get_by_role("button", name="Nộp hồ sơ trực tuyến").click()
        expect(page).to_have_url(re.compile(r"/tai-khoan/dang-nhap/"))
        page.get_by_label("Thư điện tử hoặc số điện thoại di động").fill(citizen.email)
        page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        start = page.get_by_role(
            "button", name=re.compile("Bắt đầu nộp hồ sơ|Nộp hồ sơ trực tuyến")
        )
        start.first.click()

        # Applicant: prefilled from the profile.
        expect(page.locator('[name="nguoi_nop-phone"]')).to_have_value(citizen.phone)
        page.locator('[name="nguoi_nop-address"]').fill("Số 1, phố Hiến Nam")
        page.get_by_role("button", name="Lưu và tiếp tục").last.click()

        # One group per page.
        page.locator('[name="nguoi_yeu_cau-ho_ten"]').fill("Nguyễn Văn An")
        page.locator('[name="nguoi_yeu_cau-so_dinh_danh"]').fill(h.PERSONAL_ID)
        page.locator('[name="nguoi_yeu_cau-dien_thoai"]').fill(h.PHONE)
        page.locator('[name="nguoi_yeu_cau-noi_cu_tru"]').select_option("12175")
        page.locator('[name="nguoi_yeu_cau-dia_chi"]').fill("Số 1, phố Hiến Nam")
        page.get_by_label("Cha", exact=True).check()
        page.get_by_role("button", name="Lưu và tiếp tục").last.click()

        born = timezone.localdate() - timedelta(days=90)  # late: the 8,000 đồng fee is due
        page.locator('[name="tre-0-ho_ten"]').fill("Nguyễn Minh Khôi")
        page.locator('[name="tre-0-gioi_tinh"]').first.check()
        page.locator('[name="tre-0-ngay_sinh"]').fill(born.isoformat())
        page.locator('[name="tre-0-noi_sinh"]').fill("Bệnh viện Đa khoa tỉnh")
        page.locator('[name="tre-0-dan_toc"]').fill("Kinh")
        page.locator('[name="tre-0-quoc_tich"]').fill("Việt Nam")
        page.get_by_role("button", name="Lưu và tiếp tục").last.click()

        page.locator('[name="cha_me-ho_ten_me"]').fill("Trần Thị Bình")
        page.locator('[name="cha_me-so_dinh_danh_me"]').fill("001190012345")
        page.get_by_role("button", name="Lưu và tiếp tục").last.click()

        # Documents: a real PDF for every required document.
        expect(page.get_by_role("heading", name="Giấy tờ kèm theo")).to_be_visible()
        pdf = tmp_path / "giay-to.pdf"
        pdf.write_bytes(upload_samples.pdf())
        for block in page.locator("section.document").all():
            if block.locator(".badge", has_text="Bắt buộc").count():
                block.locator('input[type="file"]').set_input_files(str(pdf))
                block.get_by_role("button", name="Tải lên").click()
                page.wait_for_load_state()
        assert page.locator(".file-name").count() >= 3
        page.get_by_role("link", name="Tiếp tục").click()

        # Where to file and how to receive the result.
        page.get_by_label("Nhận bản điện tử trực tuyến").check()
        page.get_by_role("button", name="Lưu và tiếp tục").last.click()

        # Check page: the fee, then pay on the gateway.
        expect(page.locator("body")).to_contain_text("8.000")
        assert fits(page)
        page.get_by_role("button", name=re.compile("Thanh toán trực tuyến")).click()
        expect(page.get_by_role("button", name="Thanh toán", exact=True)).to_be_visible()
        page.get_by_role("button", name="Thanh toán", exact=True).click()
        expect(page.locator("body")).to_contain_text("Đã thanh toán")
        assert Payment.objects.get().status == Payment.Status.PAID

        # Declare and submit.
        page.get_by_label(re.compile("Tôi xin cam đoan")).check()
        page.get_by_role("button", name="Nộp hồ sơ", exact=True).click()
        dossier = Dossier.objects.get()
        expect(page.locator("body")).to_contain_text(dossier.code)
        expect(page.locator("body")).to_contain_text("Nhận bản điện tử trực tuyến")
        assert dossier.status == Status.SUBMITTED and dossier.paid_amount == 8000
        assert dossier.paid_online == OnlinePayment.LOCAL_GATEWAY
        assert OutboxMessage.objects.filter(dedupe_key__contains=dossier.code).exists()
        assert fits(page)
        page.screenshot(path=screenshots / "journey-confirmation-phone.png", full_page=True)

        # Find it again through the public lookup, signed out.
        page.context.clear_cookies()
        page.goto("/tra-cuu-ho-so/")
        page.get_by_label("Mã số hồ sơ").fill(dossier.code)
        page.get_by_label(re.compile("4 số cuối")).fill(h.PHONE[-4:])
        page.get_by_role("button", name="Tra cứu").click()
        result = page.locator(".tracking-result")
        expect(result).to_contain_text("Mới đăng ký")
        expect(result).to_contain_text(dossier.code)
        expect(page.locator("body")).not_to_contain_text("Nguyễn Văn An")
        assert fits(page)
        page.screenshot(path=screenshots / "journey-lookup-phone.png", full_page=True)
