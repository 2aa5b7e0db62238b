# ruff: noqa: F811 - pytest fixtures imported from tests.signing.*
"""Issue #5, the back office's acceptance journey in Debian's Chromium: the citizen files a birth
registration online (the citizen journey's steps, paid on the test gateway), then each officer in
a browser of their own, signed in with password and TOTP — the one-stop officer finds it in
"Mới đăng ký", accepts it (the due date on the page and printed on Mẫu 01) and forwards it to the
competent unit; the unit leader assigns the specialist; the specialist proposes with the draft
result PDF; the agency leader approves and signs it with a personal certificate (a fresh TOTP
code); the clerk issues it with the agency's organisation signature — and the citizen, signed in
on the phone, sees it returned, downloads the result, and the bytes validate (both signatures
valid, chained to the test CA, good on OCSP, time-stamped, unchanged). Runs with BROWSER_TESTS=1."""

from __future__ import annotations

import hashlib
import os
import re
import time as time_module
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from cryptography.fernet import Fernet
from django.utils import timezone

from chinhquyen.dossiers.models import DocumentRole, Dossier, Status
from chinhquyen.notifications.defaults import load_default_templates
from chinhquyen.org.models import Agency, Role, User
from chinhquyen.signing import images
from chinhquyen.signing.actions import do_import_pkcs12
from chinhquyen.signing.models import SignatureImage, SigningCertificate
from chinhquyen.signing.signers import signer_cache
from chinhquyen.signing.trust import do_add_trust_anchor
from chinhquyen.signing.validation import chain, revocation
from chinhquyen.signing.validation.engine import validate_pdf_bytes
from chinhquyen.signing.validation.report import ChainStatus, RevocationStatus, Verdict
from chinhquyen.workdays.actions import load_official_schedules
from chinhquyen.workdays.calendar import VIETNAM, working_calendar
from tests import dossier_helpers as h
from tests.conftest import Personas, Province
from tests.core import upload_samples
from tests.dossiers.forms.pdf_text import text_of
from tests.factories import staff_with_role
from tests.signing.conftest import TestPki as Pki
from tests.signing.conftest import pki  # noqa: F401 - the session's test PKI
from tests.signing.pdfs import make_pdf
from tests.signing.servers import pkcs12_of, tsa_server  # noqa: F401 - RFC 3161 over HTTP
from tests.signing.validation_helpers import RevocationServer, revocation_server

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


@dataclass
class Keys:
    """The leader's personal certificate and the agency's organisation certificate, issued by
    the test government CA with an OCSP responder on 127.0.0.1 (the validator asks it)."""

    person: SigningCertificate
    organisation: SigningCertificate
    ocsp: RevocationServer


@pytest.fixture
def keys(office: Office, pki: Pki, tsa_server: Any, settings: Any) -> Iterator[Keys]:
    settings.SIGNING_KEY_ENCRYPTION_KEY = Fernet.generate_key().decode()
    settings.SIGNING_FETCH_REVOCATION = True
    settings.SIGNING_TSA_URL = tsa_server.url  # PAdES B-T: the signing time is attested
    signer_cache.clear()
    chain.clear_cache()
    revocation.clear_cache()
    agency, leader = office.province.agency_a, office.people.leader_a
    do_add_trust_anchor(pki.root.der, name="Gốc thử nghiệm", kind="root", acting_user=None)
    do_add_trust_anchor(
        pki.government_ca.der, name="CA Chính phủ thử nghiệm", kind="intermediate", acting_user=None
    )
    with revocation_server(pki.government_ca, pki.ocsp_responder) as ocsp:
        person = ocsp.issue("Nguyen Van Lanh Dao", organisation="So Tu phap", key=pki.person.key)
        seal = ocsp.issue("So Tu phap tinh Thu nghiem", key=pki.organisation.key)
        personal = do_import_pkcs12(
            pkcs12_of(person, [pki.government_ca]),
            "p12-pass",
            purpose=SigningCertificate.Purpose.PERSONAL,
            owner_user=leader,
            label="Chữ ký số của Giám đốc Sở",
            acting_user=None,
        )
        organisation = do_import_pkcs12(
            pkcs12_of(seal, [pki.government_ca]),
            "p12-pass",
            purpose=SigningCertificate.Purpose.ORGANISATION,
            owner_agency=agency,
            label="Chữ ký số của Sở Tư pháp",
            acting_user=None,
        )
        signature, stamp = images.signature_image(leader.full_name), images.seal_image(agency.name)
        SignatureImage.objects.create(
            kind=SignatureImage.Kind.SIGNATURE, owner_user=leader, png=signature.png,
            width_mm=signature.width_mm, height_mm=signature.height_mm,
        )  # fmt: skip
        SignatureImage.objects.create(
            kind=SignatureImage.Kind.SEAL, owner_agency=agency, png=stamp.png,
            width_mm=stamp.width_mm, height_mm=stamp.height_mm,
        )  # fmt: skip
        yield Keys(personal, organisation, ocsp)
    signer_cache.clear()


def expected_due(received_at: datetime, agency: Agency) -> datetime:
    """A 0-working-day procedure: the end of the day of reception, or of the next working day
    when received after 15:00 or on a day off (Decree 61/2018 Art. 18)."""
    local = received_at.astimezone(VIETNAM)
    calendar = working_calendar(agency)
    day = local.date()
    if not calendar.is_working_day(day) or local.time() > CUTOFF:
        day = calendar.step(day)
    return datetime.combine(day, CLOSING, tzinfo=VIETNAM)


def unused_wrong_code(user: User) -> str:
    """Six digits the server refuses now: none of the codes of the accepted steps (±1)."""
    totp, now = pyotp.TOTP(user.totp_secret, interval=30), time_module.time()
    accepted = {totp.at(now + 30 * offset) for offset in (-1, 0, 1, 2)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in accepted)


def fresh(dossier: Dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)


if os.environ.get("BROWSER_TESTS") == "1":
    from playwright.sync_api import Locator, Page, expect

    from tests.browser.conftest import fits_phone, next_totp_code, submit_birth_registration

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
        keys: Keys,
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

        # The specialist proposes with the draft result PDF (Art. 19(1)–(2)).
        specialist = staff_page(people.specialist_a)
        open_dossier(specialist, "cua-toi", dossier)
        propose = action_form(specialist, "Trình phê duyệt")
        draft = tmp_path / "du-thao-giay-khai-sinh.pdf"
        draft.write_bytes(make_pdf(pages=1))
        propose.locator('input[name="du_thao"]').set_input_files(str(draft))
        submit(propose, "Trình phê duyệt")
        assert fresh(dossier).step == "phe_duyet"
        seq_before = fresh(dossier).transitions.count()

        # The head of the agency approves and signs the draft personally, confirming with a
        # fresh TOTP code (Decree 30/2020 Art. 32: the competent person signs first).
        head = staff_page(people.leader_a)
        open_dossier(head, "don-vi", dossier)
        # The leader reads the draft from the dossier page before signing it.
        link = head.get_by_role("link", name="Dự thảo kết quả", exact=True)
        opened = head.context.request.get(str(link.get_attribute("href")))
        assert opened.ok and opened.body() == draft.read_bytes()

        # A mistyped code first: refused in Vietnamese, nothing signed or recorded.
        approve = action_form(head, "Phê duyệt")
        approve.locator('select[name="chung_thu"]').select_option(str(keys.person.pk))
        approve.locator('input[name="ma_xac_thuc"]').fill(unused_wrong_code(people.leader_a))
        approve.get_by_role("button", name="Phê duyệt", exact=True).click()
        expect(head.locator(".messages")).to_contain_text("Mã xác thực không đúng hoặc đã dùng")
        proposed = fresh(dossier)
        assert proposed.step == "phe_duyet" and proposed.transitions.count() == seq_before
        assert proposed.documents.filter(role=DocumentRole.RESULT_DRAFT).count() == 1
        assert User.objects.get(pk=people.leader_a.pk).failed_signins == 1  # counted
        approve = action_form(head, "Phê duyệt")
        approve.locator('select[name="chung_thu"]').select_option(str(keys.person.pk))
        approve.locator('input[name="ma_xac_thuc"]').fill(next_totp_code(people.leader_a))
        submit(approve, "Phê duyệt")
        approved = fresh(dossier)
        assert approved.step == "phat_hanh" and approved.status == Status.PROCESSING
        head.screenshot(path=screenshots / "backoffice-approved.png", full_page=True)

        # The clerk issues the electronic result with the agency's signature over the leader's
        # (Decree 30/2020 Art. 33; Decree 61/2018 Art. 19(7)).
        clerk = staff_page(people.clerk_a)
        open_dossier(clerk, "don-vi", dossier)
        issue = action_form(clerk, "Có kết quả giải quyết")
        issue.locator('select[name="chung_thu"]').select_option(str(keys.organisation.pk))
        issue.locator('input[name="ma_xac_thuc"]').fill(next_totp_code(people.clerk_a))
        submit(issue, "Có kết quả giải quyết")
        issued = fresh(dossier)
        # Electronic delivery chosen: the signed result in the data store is the return
        # (ADR 0018 "Electronic results"; Decree 61/2018 Art. 20).
        assert issued.status == Status.RETURNED

        # The citizen, still signed in on the phone, opens the dossier and downloads the result.
        citizen = phone_page
        citizen.goto("/tai-khoan/ho-so-cua-toi/")
        citizen.get_by_role("link", name=re.compile(dossier.code)).first.click()
        expect(citizen.locator(".status-line")).to_contain_text("Đã trả kết quả")
        expect(citizen.locator(".timeline")).to_contain_text("Đã có kết quả giải quyết")
        documents = citizen.locator("section", has=citizen.locator("#giay-to-tieu-de"))
        expect(documents).not_to_contain_text("Dự thảo")  # drafts stay in the back office
        with citizen.expect_download() as downloading:
            documents.get_by_role("link", name=re.compile("Kết quả giải quyết")).click()
        signed = Path(downloading.value.path()).read_bytes()
        citizen.screenshot(path=screenshots / "backoffice-result-phone.png", full_page=True)
        assert fits_phone(citizen)
        result = issued.documents.get(role=DocumentRole.RESULT)
        assert hashlib.sha256(signed).hexdigest() == result.file.sha256
        # The drafts, even signed by the leader, are not the applicant's to fetch.
        drafts = issued.documents.filter(role=DocumentRole.RESULT_DRAFT)
        assert drafts.count() == 2  # the specialist's and the copy the leader signed
        for kept in drafts:
            url = f"/tai-khoan/ho-so-cua-toi/{dossier.code}/tep/{kept.pk}/"
            assert citizen.context.request.get(url).status == 404

        # It is in the citizen's personal data store too (Decree 45/2020 Art. 16); the draft not.
        citizen.goto("/tai-khoan/kho-du-lieu/")
        store = citizen.locator("ul.document-files")
        expect(store.locator("li", has_text=result.name)).to_contain_text(dossier.code)
        expect(store).not_to_contain_text("Dự thảo")

        # The downloaded bytes validate: the leader's then the agency's signature, both valid,
        # chained to the test government CA, good on OCSP, the document unchanged since.
        report = validate_pdf_bytes(signed, fetch=True)
        assert report.verdict == Verdict.VALID, report.to_json()
        person, agency = report.signatures
        assert person.signer.common_name == "Nguyen Van Lanh Dao"
        assert agency.signer.common_name == "So Tu phap tinh Thu nghiem"
        assert person.changes.allowed and agency.changes.covers_whole_document
        for signature in report.signatures:
            assert signature.integrity.ok and signature.verdict == Verdict.VALID
            assert signature.chain.status == ChainStatus.TRUSTED
            assert signature.revocation.status == RevocationStatus.GOOD
            assert signature.pades_level == "PAdES B-T"  # time-stamped by the test TSA
        assert {"ocsp"} <= set(keys.ocsp.hits)
