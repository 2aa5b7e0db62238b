"""Issue #5, the back office's acceptance journey in Debian's Chromium: the citizen files a birth
registration online (the citizen journey's steps, paid on the test gateway), then each officer in
a browser of their own, signed in with password and TOTP — the one-stop officer finds it in
"Mới đăng ký", accepts it (the due date printed on Mẫu 01) and forwards it to the competent unit;
the unit leader assigns the specialist; the specialist proposes with the draft result PDF; the
agency leader approves; the clerk issues the result — and the citizen, signed in, downloads it.
Runs with BROWSER_TESTS=1."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from chinhquyen.dossiers.models import Dossier, Status
from chinhquyen.notifications.defaults import load_default_templates
from chinhquyen.org.models import Agency, Role, User
from chinhquyen.workdays.actions import load_official_schedules
from chinhquyen.workdays.calendar import VIETNAM, working_calendar
from tests import dossier_helpers as h
from tests.conftest import Personas, Province
from tests.core import upload_samples
from tests.dossiers.forms.pdf_text import text_of
from tests.factories import staff_with_role

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(os.environ.get("BROWSER_TESTS") != "1", reason="needs BROWSER_TESTS=1"),
]

# The province's internal process for the procedure (TT 01/2018/TT-VPCP Art. 8): the one-stop
# office receives, the unit's specialist appraises, the head of the agency approves and signs,
# the clerk (văn thư) issues the result with the agency's signature (Decree 30/2020 App. I), the
# one-stop office returns it (Decree 61/2018 Art. 20). 0 working days: within the day.
PROCESS = [
    {"code": "tiep_nhan", "name": "Tiếp nhận, kiểm tra hồ sơ", "role": "one_stop_officer",
     "budget": {"value": "0.5", "unit": "working_hours"}},
    {"code": "tham_dinh", "name": "Thẩm định, đề xuất kết quả", "role": "specialist",
     "budget": {"value": "3", "unit": "working_hours"}},
    {"code": "phe_duyet", "name": "Phê duyệt, ký kết quả", "role": "agency_leader",
     "budget": {"value": "1", "unit": "working_hours"}},
    {"code": "phat_hanh", "name": "Phát hành kết quả", "role": "clerk",
     "budget": {"value": "0.5", "unit": "working_hours"}},
    {"code": "tra_ket_qua", "name": "Trả kết quả", "role": "one_stop_officer",
     "budget": {"value": "0.5", "unit": "working_hours"}},
]  # fmt: skip

# Decree 61/2018 Art. 18 and the catalogue's time limit: received after 15:00, the result of a
# "within the day" procedure is due at the end of the next working day (default office hours).
CUTOFF, CLOSING = time(15, 0), time(17, 0)


@dataclass
class Office:
    province: Province
    people: Personas
    unit_leader: User  # of the competent unit (Phòng Hành chính tư pháp)


@pytest.fixture
def office(province: Province, personas: Personas) -> Office:
    load_official_schedules()  # the real holidays of 2025–2026
    load_default_templates()
    h.publish_procedure(province.agency_a, process=PROCESS)
    h.commune_unit()
    leader = staff_with_role(
        province.unit_a, Role.UNIT_LEADER, username="truongphong_a", full_name="Lê Văn Phòng"
    )
    return Office(province, personas, leader)


def expected_due(received_at: datetime, agency: Agency) -> datetime:
    """A 0-working-day procedure: the end of the day of reception, or of the next working day
    when received after 15:00 or on a day off (Decree 61/2018 Art. 18)."""
    local = received_at.astimezone(VIETNAM)
    calendar = working_calendar(agency)
    day = local.date()
    if not calendar.is_working_day(day) or local.time() > CUTOFF:
        day = calendar.step(day)
    return datetime.combine(day, CLOSING, tzinfo=VIETNAM)


def fresh(dossier: Dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)


if os.environ.get("BROWSER_TESTS") == "1":
    from playwright.sync_api import Locator, Page, expect

    from tests.browser.conftest import submit_birth_registration

    def open_dossier(page: Page, worklist: str, dossier: Dossier) -> None:
        """From the officer's worklist to the dossier's page."""
        page.goto(f"/can-bo/ho-so/?ds={worklist}")
        row = page.get_by_role("row").filter(has_text=dossier.code)
        expect(row).to_have_count(1)
        row.get_by_role("link", name=dossier.code).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(dossier.code)

    def action_form(page: Page, label: str) -> Locator:
        """The opened form of one action on the dossier page."""
        block = page.locator("details.action").filter(
            has=page.locator("summary", has_text=re.compile(f"^{re.escape(label)}$"))
        )
        block.locator("summary").click()
        return block.locator("form")

    def submit(form: Locator, label: str) -> None:
        form.get_by_role("button", name=label, exact=True).click()
        expect(form.page.locator(".messages")).to_contain_text(f"Đã thực hiện: {label}.")

    def test_officers_handle_the_online_dossier_and_the_citizen_downloads_the_result(
        phone_page: Page,
        staff_page: Callable[[User], Page],
        office: Office,
        paygate: Any,
        tmp_path: Path,
        screenshots: Path,
    ) -> None:
        people, province = office.people, office.province
        pdf = tmp_path / "giay-to.pdf"
        pdf.write_bytes(upload_samples.pdf())

        # The citizen files online on a phone, late registration: the fee paid on the gateway.
        born = timezone.localdate() - timedelta(days=90)
        dossier = submit_birth_registration(phone_page, people.citizen, pdf, born=born)
        assert dossier.status == Status.SUBMITTED and dossier.paid_amount == 8000

        # The one-stop officer: "Mới đăng ký", accept (Decree 61/2018 Art. 16 for online
        # dossiers), the due date on the page and on the printed Mẫu 01.
        officer = staff_page(people.officer_a)
        open_dossier(officer, "moi-dang-ky", dossier)
        submit(action_form(officer, "Tiếp nhận hồ sơ"), "Tiếp nhận hồ sơ")
        accepted = fresh(dossier)
        assert accepted.status == Status.ACCEPTED and accepted.received_at is not None
        due = expected_due(accepted.received_at, province.agency_a)
        assert accepted.due_at == due
        facts = officer.locator("dl.facts")
        expect(facts).to_contain_text(f"{due:%d/%m/%Y %H:%M}")
        receipt = officer.context.request.get(f"/can-bo/ho-so/{dossier.code}/mau-01.pdf")
        assert receipt.ok and receipt.headers["content-type"] == "application/pdf"
        printed = text_of(receipt.body())
        assert f"Mã hồ sơ: {dossier.code}" in printed
        assert f"{due:%H} giờ {due:%M} phút, ngày {due:%d/%m/%Y}" in printed

        # Forwarded the same working day to the competent unit (Decree 61/2018 Art. 18).
        forward = action_form(officer, "Chuyển cơ quan giải quyết")
        forward.get_by_label("Chuyển đến đơn vị").select_option(label=province.unit_a.name)
        submit(forward, "Chuyển cơ quan giải quyết")
        routed = fresh(dossier)
        assert routed.status == Status.PROCESSING and routed.current_agency == province.unit_a

        # The unit leader assigns the specialist (Art. 19(1)).
        leader = staff_page(office.unit_leader)
        open_dossier(leader, "don-vi", dossier)
        assign = action_form(leader, "Phân công xử lý")
        assign.get_by_label("Cán bộ xử lý").select_option(label=people.specialist_a.full_name)
        submit(assign, "Phân công xử lý")
        assert fresh(dossier).assignee == people.specialist_a

        # The specialist proposes the result (Art. 19(1)–(2)).
        specialist = staff_page(people.specialist_a)
        open_dossier(specialist, "cua-toi", dossier)
        submit(action_form(specialist, "Trình phê duyệt"), "Trình phê duyệt")
        assert fresh(dossier).step == "phe_duyet"

        # The head of the agency approves.
        head = staff_page(people.leader_a)
        open_dossier(head, "don-vi", dossier)
        submit(action_form(head, "Phê duyệt"), "Phê duyệt")
        approved = fresh(dossier)
        assert approved.step == "phat_hanh" and approved.status == Status.PROCESSING
        head.screenshot(path=screenshots / "backoffice-approved.png", full_page=True)
