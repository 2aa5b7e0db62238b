"""A citizen files a birth registration online through the pages, start to confirmation."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from chinhquyen.dossiers.models import Channel, Dossier, Draft, Status
from chinhquyen.notifications.defaults import load_default_templates
from chinhquyen.procedures.models import ProcedureVersion
from tests import dossier_helpers as h
from tests.conftest import Personas, Province, client_for
from tests.core import upload_samples
from tests.portal.submission_pages import html, post_group, url

START = f"/dich-vu-cong/thu-tuc/{h.BIRTH_CODE}/nop-ho-so/"


@pytest.fixture
def version(province: Province) -> ProcedureVersion:
    load_default_templates()
    return h.publish_procedure(province.agency_a)


def test_the_whole_journey_ends_on_the_confirmation_with_the_code(
    version: ProcedureVersion, personas: Personas
) -> None:
    client = client_for(personas.citizen)
    response = client.post(START)
    draft = Draft.objects.get(owner=personas.citizen)
    assert response["Location"] == url("applicant", draft)

    response = client.post(url("applicant", draft), _applicant_post(thao_tac="tiep_tuc"))
    assert response.status_code == 302 and response["Location"] == url("group", draft, 1)
    answers = h.birth_answers()
    for key in ("nguoi_yeu_cau", "tre", "cha_me"):
        response = post_group(client, draft, version, key, answers[key])
        assert response.status_code == 302, html(response)
    assert response["Location"] == url("documents", draft)

    for document in version.documents.filter(required=True):
        upload = SimpleUploadedFile("giay-to.pdf", upload_samples.pdf(), "application/pdf")
        client.post(
            url("documents", draft), {"giay_to": document.pk, "thao_tac": "tai_len", "tep": upload}
        )
    agency = version.agencies.get()
    response = client.post(
        url("reception", draft), {"noi_nop": agency.pk, "nhan_ket_qua": "online"}
    )
    assert response["Location"] == url("check", draft)

    check = html(client.get(url("check", draft)))
    assert "Hồ sơ còn" not in check and "Nộp hồ sơ</button>" in check
    response = client.post(url("submit", draft), {"cam_doan": "1"})
    dossier = Dossier.objects.get()
    assert response["Location"] == f"/ho-so/{dossier.code}/da-nop/"
    assert (dossier.status, dossier.channel) == (Status.SUBMITTED, Channel.ONLINE)
    assert dossier.answers["tre"][0]["ho_ten"] == "Nguyễn Minh Khôi"

    page = html(client.get(response["Location"]))
    assert f'<p class="dossier-code">{dossier.code}</p>' in page
    assert "Mới đăng ký" in page and "Sở Tư pháp" in page
    assert 'src="data:image/png;base64,' in page


def _applicant_post(**extra: str) -> dict[str, str]:
    return {f"nguoi_nop-{key}": value for key, value in h.APPLICANT.items()} | extra


def test_applicant_page_is_prefilled_from_the_account(
    version: ProcedureVersion, personas: Personas
) -> None:
    citizen = personas.citizen
    client = client_for(citizen)
    client.post(START)
    draft = Draft.objects.get(owner=citizen)
    page = html(client.get(url("applicant", draft)))
    assert f'name="nguoi_nop-full_name" value="{citizen.full_name}"' in page
    assert f'name="nguoi_nop-phone" value="{citizen.phone}"' in page


def test_second_submit_leads_to_the_same_confirmation(
    version: ProcedureVersion, personas: Personas
) -> None:
    draft = h.filled_draft(personas.citizen, version)
    client = client_for(personas.citizen)
    first = client.post(url("submit", draft), {"cam_doan": "1"})
    second = client.post(url("submit", draft), {"cam_doan": "1"})
    assert first["Location"] == second["Location"] == f"/ho-so/{Dossier.objects.get().code}/da-nop/"
    assert Dossier.objects.count() == 1


def test_submit_without_the_declaration_says_so(
    version: ProcedureVersion, personas: Personas
) -> None:
    draft = h.filled_draft(personas.citizen, version)
    response = client_for(personas.citizen).post(url("submit", draft), {})
    assert response.status_code == 400
    assert 'href="#f-cam_doan">Vui lòng xác nhận lời cam đoan' in html(response)
    assert Dossier.objects.count() == 0


def test_a_procedure_not_offered_online_cannot_start(
    version: ProcedureVersion, personas: Personas, province: Province
) -> None:
    h.publish_procedure(
        province.agency_a, national_code="1.000001.000.00.00.H33", online_level="none"
    )
    response = client_for(personas.citizen).post(
        "/dich-vu-cong/thu-tuc/1.000001.000.00.00.H33/nop-ho-so/"
    )
    assert response.status_code == 400
    assert "chưa được cung cấp trực tuyến" in html(response)
    assert not Draft.objects.exists()


def test_an_open_draft_is_offered_before_a_new_one(
    version: ProcedureVersion, personas: Personas
) -> None:
    client = client_for(personas.citizen)
    client.post(START)
    page = html(client.post(START))
    [draft] = Draft.objects.all()
    assert f'href="{url("overview", draft)}">Tiếp tục hồ sơ này' in page
    response = client.post(START, {"moi": "1"})
    assert response.status_code == 302 and Draft.objects.count() == 2


def test_answers_saved_on_one_device_are_there_on_another(
    version: ProcedureVersion, personas: Personas
) -> None:
    phone, laptop = client_for(personas.citizen), client_for(personas.citizen)
    phone.post(START)
    draft = Draft.objects.get()
    post_group(
        phone, draft, version, "nguoi_yeu_cau", {"ho_ten": "Lê Thị Cúc"}, thao_tac="luu_nhap"
    )
    assert 'value="Lê Thị Cúc"' in html(laptop.get(url("group", draft, 1)))
    assert f'href="{url("overview", draft)}"' in html(laptop.get("/ho-so-nhap/"))


def test_discarded_draft_is_gone_from_the_list(
    version: ProcedureVersion, personas: Personas
) -> None:
    client = client_for(personas.citizen)
    client.post(START)
    draft = Draft.objects.get()
    assert client.post(url("discard", draft))["Location"] == "/ho-so-nhap/"
    assert url("overview", draft) not in html(client.get("/ho-so-nhap/"))
    assert client.get(url("applicant", draft)).status_code == 410


def test_anonymous_start_is_sent_to_sign_in(version: ProcedureVersion) -> None:
    response = Client().post(START)
    assert response.status_code == 302
    assert response["Location"].startswith("/tai-khoan/dang-nhap/?next=/dich-vu-cong/thu-tuc/")
