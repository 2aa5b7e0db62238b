"""The forms an officer prints from the dossier page (Mẫu 01, 02, 05) and the register (Mẫu 06,
XLSX), made from what the back office recorded, and only for dossiers in the officer's scope."""

from __future__ import annotations

import io

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.conftest import client_for
from tests.dossier_helpers import submitted_dossier
from tests.dossiers.backoffice.conftest import World, act, fresh
from tests.dossiers.forms.pdf_text import text_of as pdf_text


def _form(world: World, code: str, number: str, user: object = None) -> bytes:
    client = client_for(user or world.officer)  # type: ignore[arg-type]
    response = client.get(reverse("dossiers:staff_form", args=[code, number]))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return response.content


def test_receipt_supplement_request_and_control_sheet(world: World) -> None:
    dossier = submitted_dossier(world.people.citizen, world.version)
    client = client_for(world.officer)
    assert client.get(reverse("dossiers:staff_form", args=[dossier.code, "01"])).status_code == 404
    now = timezone.now()
    act(dossier, "request_supplement", world.officer, now, items=["Bản sao giấy chứng sinh"])
    text = pdf_text(_form(world, dossier.code, "02"))
    assert dossier.code in text and "Bản sao giấy chứng sinh" in text
    act(fresh(dossier), "submit_supplement", world.officer, now)
    act(fresh(dossier), "accept", world.officer, now)
    receipt = pdf_text(_form(world, dossier.code, "01"))
    assert dossier.code in receipt and world.version.name in receipt
    due = timezone.localtime(fresh(dossier).due_at)
    assert due.strftime("%d/%m/%Y") in receipt
    sheet = pdf_text(_form(world, dossier.code, "05"))
    assert sheet.count(world.officer.full_name or "motcua_a") >= 1
    page = client.get(reverse("dossiers:staff_dossier", args=[dossier.code])).content.decode()
    assert "Mẫu 01" in page and "Mẫu 02" in page and "Mẫu 03" not in page


def test_forms_and_register_stay_inside_the_officers_scope(world: World) -> None:
    dossier = submitted_dossier(world.people.citizen, world.version)
    act(dossier, "accept", world.officer, timezone.now())
    outsider = client_for(world.people.officer_b)
    assert (
        outsider.get(reverse("dossiers:staff_form", args=[dossier.code, "05"])).status_code == 404
    )
    agency = world.province.agency_a
    year = timezone.localdate().year
    register = reverse("dossiers:staff_register", args=[agency.pk, year, "xlsx"])
    assert outsider.get(register).status_code == 404
    response = client_for(world.officer).get(register)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = {str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value}
    assert dossier.code in cells
