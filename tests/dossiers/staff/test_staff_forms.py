"""The forms an officer prints from the dossier page (receipt, supplement request, control sheet,
stop notice) and the register (XLSX), made from what the back office recorded, and only for
dossiers in the officer's scope. Dossiers here are received now, under TT 03/2025 (Mẫu 01–07)."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from chinhquyen.dossiers.models import Dossier, DossierTransition
from tests.conftest import client_for
from tests.dossier_helpers import submitted_dossier
from tests.dossiers.backoffice.conftest import World, act, fresh
from tests.dossiers.forms.pdf_text import text_of as pdf_text


def _form(world: World, code: str, kind: str, user: object = None) -> bytes:
    client = client_for(user or world.officer)  # type: ignore[arg-type]
    response = client.get(reverse("dossiers:staff_form_kind", args=[code, kind]))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return response.content


def test_receipt_supplement_request_and_control_sheet(world: World) -> None:
    dossier = submitted_dossier(world.people.citizen, world.version)
    client = client_for(world.officer)
    receipt_url = reverse("dossiers:staff_form_kind", args=[dossier.code, "giay-tiep-nhan"])
    not_yet = client.get(receipt_url)
    assert not_yet.status_code == 404
    assert "Hồ sơ chưa có bước tương ứng để lập mẫu này." in not_yet.content.decode()
    now = timezone.now()
    act(dossier, "request_supplement", world.officer, now, items=["Bản sao giấy chứng sinh"])
    text = pdf_text(_form(world, dossier.code, "yeu-cau-bo-sung"))
    assert dossier.code in text and "Bản sao giấy chứng sinh" in text
    act(fresh(dossier), "submit_supplement", world.officer, now)
    act(fresh(dossier), "accept", world.officer, now)
    receipt = pdf_text(_form(world, dossier.code, "giay-tiep-nhan"))
    assert dossier.code in receipt and world.version.name in receipt
    due = timezone.localtime(fresh(dossier).due_at)
    assert due.strftime("%d/%m/%Y") in receipt
    sheet = pdf_text(_form(world, dossier.code, "phieu-kiem-soat"))
    assert sheet.count(world.officer.full_name or "motcua_a") >= 1
    assert "Mẫu 06 ban hành kèm theo Thông tư số 03/2025/TT-VPCP" in sheet
    page = client.get(reverse("dossiers:staff_dossier", args=[dossier.code])).content.decode()
    assert "Mẫu 01 Giấy tiếp nhận" in page and "Mẫu 02 Phiếu yêu cầu bổ sung" in page
    assert "Mẫu 06 Phiếu kiểm soát" in page and "Mẫu 03" not in page
    assert "Thông báo dừng" not in page  # not stopped
    # The older address by number reads it in the dossier's edition: 06 is the control sheet now.
    old = client.get(reverse("dossiers:staff_form", args=[dossier.code, "06"]))
    assert old.status_code == 200 and "PHIẾU KIỂM SOÁT" in pdf_text(old.content)


def test_forms_and_register_stay_inside_the_officers_scope(world: World) -> None:
    dossier = submitted_dossier(world.people.citizen, world.version)
    act(dossier, "accept", world.officer, timezone.now())
    outsider = client_for(world.people.officer_b)
    assert (
        outsider.get(reverse("dossiers:staff_form", args=[dossier.code, "06"])).status_code == 404
    )
    for kind in ("phieu-kiem-soat", "thong-bao-dung"):
        url = reverse("dossiers:staff_form_kind", args=[dossier.code, kind])
        assert outsider.get(url).status_code == 404
    agency = world.province.agency_a
    year = timezone.localdate().year
    register = reverse("dossiers:staff_register", args=[agency.pk, year, "xlsx"])
    assert outsider.get(register).status_code == 404
    response = client_for(world.officer).get(register)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = {str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value}
    assert dossier.code in cells


def test_stop_notice_from_the_stop_transition(world: World) -> None:
    """Decree 118/2025 Art. 21; TT 03/2025 Mẫu 05: printable from the dossier page once stopped,
    with who asked, when, why, the dossier and the agency."""
    dossier = submitted_dossier(world.people.citizen, world.version)
    now = timezone.now()
    act(dossier, "accept", world.officer, now)
    client = client_for(world.officer)
    notice_url = reverse("dossiers:staff_form_kind", args=[dossier.code, "thong-bao-dung"])
    refused = client.get(notice_url)
    assert refused.status_code == 404
    assert "Hồ sơ chưa dừng giải quyết" in refused.content.decode()
    by_number = client.get(reverse("dossiers:staff_form", args=[dossier.code, "05"]))
    assert by_number.status_code == 404 and "chưa dừng giải quyết" in by_number.content.decode()

    act(fresh(dossier), "stop", world.officer, now, reason="Công dân đề nghị dừng để nộp lại sau.")
    page = client.get(reverse("dossiers:staff_dossier", args=[dossier.code])).content.decode()
    assert "Mẫu 05 Thông báo dừng giải quyết hồ sơ" in page and notice_url in page
    response = client.get(notice_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f"mau-05-{dossier.code}.pdf" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text
    assert "Lý do: Công dân đề nghị dừng để nộp lại sau." in text
    assert f"Mã hồ sơ: {dossier.code}" in text and world.version.name in text
    stopped = timezone.localtime(now)
    assert f"Ngày {stopped:%d/%m/%Y}, Ông/Bà/Tổ chức {dossier.applicant_name}" in text
    assert f"{stopped:%H} giờ {stopped:%M} phút, ngày {stopped:%d/%m/%Y}" in text
    assert "Mẫu 05 ban hành kèm theo Thông tư số 03/2025/TT-VPCP" in text
    # The same form by its number in the dossier's edition.
    by_number = client.get(reverse("dossiers:staff_form", args=[dossier.code, "05"]))
    assert by_number.status_code == 200
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in pdf_text(by_number.content)


def test_unknown_form_is_a_404(world: World) -> None:
    dossier = submitted_dossier(world.people.citizen, world.version)
    client = client_for(world.officer)
    for url in (
        reverse("dossiers:staff_form_kind", args=[dossier.code, "so-theo-doi"]),
        reverse("dossiers:staff_form", args=[dossier.code, "07"]),  # the register: per agency
        reverse("dossiers:staff_form", args=[dossier.code, "99"]),
        reverse("dossiers:staff_form", args=[dossier.code, "abc"]),
    ):
        assert client.get(url).status_code == 404, url


def test_a_dossier_received_under_the_2018_forms_keeps_their_numbers(world: World) -> None:
    """Received 15/09/2025, before TT 03/2025 (in force 30/10/2025): Mẫu 05 is its control
    sheet, and its stop notice has no number, citing Decree 118/2025 Art. 21."""
    dossier = submitted_dossier(world.people.citizen, world.version)
    now = timezone.now()
    act(dossier, "accept", world.officer, now)
    received = datetime(2025, 9, 15, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    Dossier.objects.filter(pk=dossier.pk).update(received_at=received, submitted_at=received)
    act(fresh(dossier), "stop", world.officer, now, reason="Người nộp đề nghị dừng.")
    client = client_for(world.officer)
    page = client.get(reverse("dossiers:staff_dossier", args=[dossier.code])).content.decode()
    assert "Mẫu 05 Phiếu kiểm soát quá trình giải quyết hồ sơ" in page
    assert "Mẫu 06" not in page and ">Thông báo dừng giải quyết hồ sơ<" in page
    sheet = client.get(reverse("dossiers:staff_form", args=[dossier.code, "05"]))
    assert sheet.status_code == 200 and f"mau-05-{dossier.code}.pdf" in sheet["Content-Disposition"]
    assert "Mẫu 05 ban hành kèm theo Thông tư số 01/2018/TT-VPCP" in pdf_text(sheet.content)
    notice = client.get(reverse("dossiers:staff_form_kind", args=[dossier.code, "thong-bao-dung"]))
    assert notice.status_code == 200
    assert f"thong-bao-dung-{dossier.code}.pdf" in notice["Content-Disposition"]
    text = pdf_text(notice.content)
    assert "Lý do: Người nộp đề nghị dừng." in text and "Ngày tiếp nhận: 15/09/2025" in text
    assert "Điều 21 Nghị định số 118/2025/NĐ-CP" in text and "Mẫu 05" not in text


def test_a_stop_row_without_its_reason_says_so(world: World) -> None:
    dossier = submitted_dossier(world.people.citizen, world.version)
    act(dossier, "stop", world.officer, timezone.now(), reason="Người nộp đề nghị dừng.")
    DossierTransition.objects.filter(dossier=dossier, action="stop").update(data={})
    url = reverse("dossiers:staff_form_kind", args=[dossier.code, "thong-bao-dung"])
    response = client_for(world.officer).get(url)
    assert response.status_code == 404
    assert "Nêu rõ lý do dừng giải quyết hồ sơ." in response.content.decode()


def test_a_dossier_from_before_any_edition_has_no_forms(world: World) -> None:
    """Imported history received before TT 01/2018 was in force (06/01/2019): the page shows no
    form links and a form URL says why, never a server error."""
    dossier = submitted_dossier(world.people.citizen, world.version)
    act(dossier, "accept", world.officer, timezone.now())
    received = datetime(2018, 12, 20, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    Dossier.objects.filter(pk=dossier.pk).update(received_at=received, submitted_at=received)
    client = client_for(world.officer)
    page = client.get(reverse("dossiers:staff_dossier", args=[dossier.code]))
    assert page.status_code == 200 and "bieu-mau/" not in page.content.decode()
    url = reverse("dossiers:staff_form_kind", args=[dossier.code, "phieu-kiem-soat"])
    response = client.get(url)
    assert response.status_code == 404
    assert "Không có mẫu áp dụng cho ngày 20/12/2018" in response.content.decode()
    old = client.get(reverse("dossiers:staff_form", args=[dossier.code, "05"]))
    assert old.status_code == 404 and "Không có mẫu này." in old.content.decode()
