"""The citizen's own dossier pages: the list, one dossier with its history, documents, payment and
the acts open in its state (supplement, withdrawal, rating), downloads checked against their
SHA-256, and the personal data store. Another citizen's dossier does not exist for them."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from chinhquyen.audit.models import AuditEvent
from chinhquyen.core.models import StoredFile
from chinhquyen.dossiers import drafts
from chinhquyen.dossiers.models import DocumentRole, Dossier, DossierRating, Status
from chinhquyen.procedures.models import ProcedureVersion
from tests import dossier_helpers as h
from tests.conftest import Personas, Province, client_for
from tests.core import upload_samples


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def page(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def detail_url(dossier: Dossier, tail: str = "") -> str:
    return f"/tai-khoan/ho-so-cua-toi/{dossier.code}/{tail}"


def with_result(dossier: Dossier, personas: Personas) -> Dossier:
    return h.finish_with_result(dossier)


# --- List and detail -----------------------------------------------------------------------------


def test_list_shows_dossiers_and_open_drafts(
    dossier: Dossier, version: ProcedureVersion, personas: Personas, citizen: Client
) -> None:
    draft = drafts.do_create_draft(owner=personas.citizen, version=version)
    html = page(citizen, "/tai-khoan/ho-so-cua-toi/")
    assert f'href="{detail_url(dossier)}"' in html
    assert dossier.procedure_version.name in html and "Mới đăng ký" in html
    assert f'href="/ho-so-nhap/{draft.pk}/"' in html
    response = citizen.get("/tai-khoan/ho-so-cua-toi/")
    assert response["Cache-Control"] == "no-store"


def test_list_is_only_mine(dossier: Dossier, personas: Personas) -> None:
    html = page(client_for(personas.citizen_b), "/tai-khoan/ho-so-cua-toi/")
    assert dossier.code not in html and "Bạn chưa nộp hồ sơ nào" in html


def test_detail_shows_history_documents_and_payment(dossier: Dossier, citizen: Client) -> None:
    html = page(citizen, detail_url(dossier))
    assert "Hồ sơ đã được nộp trực tuyến, đang chờ tiếp nhận." in html  # the public note
    assert "Sở Tư pháp" in html and "Thành phần hồ sơ" in html
    for document in dossier.documents.all():
        assert f'href="{detail_url(dossier, f"tep/{document.pk}/")}"' in html
    assert "Không thu phí, lệ phí." in html
    assert 'href="/tai-khoan/ho-so-cua-toi/' + dossier.code + '/rut-ho-so/"' in html
    assert "Bổ sung hồ sơ</h2>" not in html and "Đánh giá việc giải quyết" not in html


def test_detail_shows_what_is_still_to_pay(dossier: Dossier, citizen: Client) -> None:
    Dossier.objects.filter(pk=dossier.pk).update(fee_total=8000, paid_amount=0)
    html = page(citizen, detail_url(dossier))
    assert "8.000 đồng" in html and "Còn phải nộp 8.000 đồng" in html
    Dossier.objects.filter(pk=dossier.pk).update(paid_amount=8000, paid_online=2)
    html = page(citizen, detail_url(dossier))
    assert "Đã thanh toán đủ" in html and "cổng thanh toán của tỉnh" in html


# --- Supplement ----------------------------------------------------------------------------------


@pytest.fixture
def waiting_for_supplement(dossier: Dossier, personas: Personas, province: Province) -> Dossier:
    return h.request_supplement(dossier, ["Giấy chứng sinh", "Bản sao giấy đăng ký kết hôn"])


def test_supplement_through_the_page(waiting_for_supplement: Dossier, citizen: Client) -> None:
    dossier = waiting_for_supplement
    html = page(citizen, detail_url(dossier))
    assert "Giấy chứng sinh" in html and "Bản sao giấy đăng ký kết hôn" in html
    assert 'enctype="multipart/form-data"' in html
    response = citizen.post(
        detail_url(dossier, "bo-sung/"),
        {
            "ten_0": "Giấy chứng sinh",
            "tep_0": SimpleUploadedFile("chung-sinh.pdf", upload_samples.pdf()),
            "ten_1": "",
            "tep_1": SimpleUploadedFile("ket-hon.png", upload_samples.png()),
            "ghi_chu": "Gửi bổ sung",
        },
    )
    assert response.status_code == 302 and response["Location"] == detail_url(dossier)
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED
    added = dossier.documents.filter(role=DocumentRole.SUPPLEMENT).order_by("pk")
    assert [d.name for d in added] == ["Giấy chứng sinh", "Bản sao giấy đăng ký kết hôn"]
    html = page(citizen, detail_url(dossier))
    assert "Đã nộp bổ sung hồ sơ" in html and "Bổ sung</h3>" in html


def test_a_bad_file_is_named_and_nothing_is_saved(
    waiting_for_supplement: Dossier, citizen: Client
) -> None:
    dossier = waiting_for_supplement
    files_before = StoredFile.objects.count()
    response = citizen.post(
        detail_url(dossier, "bo-sung/"),
        {
            "tep_0": SimpleUploadedFile("chung-sinh.pdf", upload_samples.pdf()),
            "tep_1": SimpleUploadedFile("ket-hon.pdf", upload_samples.pdf_with_javascript()),
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Chưa nộp bổ sung được" in html and "ket-hon.pdf" in html and "JavaScript" in html
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    assert StoredFile.objects.count() == files_before
    assert not dossier.documents.filter(role=DocumentRole.SUPPLEMENT).exists()


def test_supplement_without_a_file_is_explained(
    waiting_for_supplement: Dossier, citizen: Client
) -> None:
    html = citizen.post(detail_url(waiting_for_supplement, "bo-sung/"), {}).content.decode()
    assert "Vui lòng chọn ít nhất một tệp giấy tờ bổ sung." in html


def test_a_file_over_the_limit_is_refused_in_words(
    waiting_for_supplement: Dossier, citizen: Client, settings: Any
) -> None:
    settings.UPLOAD_MAX_BYTES = 1024
    response = citizen.post(
        detail_url(waiting_for_supplement, "bo-sung/"),
        {"tep_0": SimpleUploadedFile("lon.pdf", upload_samples.pdf() + b" " * 4096)},
    )
    assert "vượt quá dung lượng cho phép" in response.content.decode()


@pytest.mark.parametrize("with_file", [True, False])
def test_supplement_when_none_is_asked_is_refused(
    dossier: Dossier, citizen: Client, with_file: bool
) -> None:
    data = {"tep_0": SimpleUploadedFile("a.pdf", upload_samples.pdf())} if with_file else {}
    response = citizen.post(detail_url(dossier, "bo-sung/"), data, follow=True)
    assert "Hồ sơ không ở trạng thái chờ bổ sung." in response.content.decode()
    assert not dossier.documents.filter(role=DocumentRole.SUPPLEMENT).exists()


# --- Withdrawal ----------------------------------------------------------------------------------


def test_withdraw_needs_a_reason_and_a_confirmation(dossier: Dossier, citizen: Client) -> None:
    url = detail_url(dossier, "rut-ho-so/")
    html = page(citizen, url)
    assert "Xác nhận rút hồ sơ" in html and "phải nộp hồ sơ mới" in html
    refused = citizen.post(url, {"ly_do": "   ", "xac_nhan": ""}).content.decode()
    assert "Vui lòng nêu lý do rút hồ sơ." in refused
    assert "Vui lòng đánh dấu xác nhận trước khi rút hồ sơ." in refused
    unconfirmed = citizen.post(url, {"ly_do": "Nộp nhầm thủ tục"}).content.decode()
    assert "Vui lòng đánh dấu xác nhận" in unconfirmed
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED

    response = citizen.post(url, {"ly_do": "Nộp nhầm thủ tục", "xac_nhan": "on"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.WITHDRAWN
    assert dossier.transitions.last().note == "Nộp nhầm thủ tục"  # type: ignore[union-attr]
    html = page(citizen, detail_url(dossier))
    assert "Đã rút hồ sơ." in html and "rut-ho-so/" not in html


def test_a_closed_dossier_cannot_be_withdrawn(dossier: Dossier, citizen: Client) -> None:
    Dossier.objects.filter(pk=dossier.pk).update(status=Status.DONE)
    response = citizen.post(
        detail_url(dossier, "rut-ho-so/"), {"ly_do": "x", "xac_nhan": "on"}, follow=True
    )
    assert "không rút được nữa" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == Status.DONE


# --- Rating --------------------------------------------------------------------------------------


def test_rating_once_after_the_result(
    dossier: Dossier, personas: Personas, citizen: Client
) -> None:
    assert "Đánh giá việc giải quyết" not in page(citizen, detail_url(dossier))
    dossier = with_result(dossier, personas)
    html = page(citizen, detail_url(dossier))
    assert "Đánh giá việc giải quyết" in html and "Rất hài lòng" in html
    assert "Kết quả</h3>" in html and "Giấy khai sinh (bản điện tử)" in html

    invalid = citizen.post(detail_url(dossier, "danh-gia/"), {"diem": "9"}).content.decode()
    assert "Vui lòng chọn một mức đánh giá từ 1 đến 5." in invalid
    response = citizen.post(detail_url(dossier, "danh-gia/"), {"diem": "4", "y_kien": "Nhanh"})
    assert response.status_code == 302
    rating = DossierRating.objects.get(dossier=dossier)
    assert (rating.score, rating.comment) == (4, "Nhanh")
    html = page(citizen, detail_url(dossier))
    assert "Đánh giá của bạn" in html and "4/5" in html and 'name="diem"' not in html

    again = citizen.post(detail_url(dossier, "danh-gia/"), {"diem": "1"}, follow=True)
    assert "Hồ sơ này đã được đánh giá." in again.content.decode()
    assert DossierRating.objects.get(dossier=dossier).score == 4


@pytest.mark.parametrize("score", ["5", ""])
def test_rating_before_the_result_is_refused(dossier: Dossier, citizen: Client, score: str) -> None:
    response = citizen.post(detail_url(dossier, "danh-gia/"), {"diem": score}, follow=True)
    assert "Chỉ đánh giá được khi hồ sơ đã có kết quả." in response.content.decode()
    assert not DossierRating.objects.exists()


# --- Downloads and the personal data store --------------------------------------------------------


def test_the_owner_downloads_a_document(dossier: Dossier, citizen: Client) -> None:
    document = dossier.documents.select_related("file").first()
    assert document is not None
    response = citizen.get(detail_url(dossier, f"tep/{document.pk}/"))
    assert response.status_code == 200
    body = response.content
    assert hashlib.sha256(body).hexdigest() == document.file.sha256
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="giay-to.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"


def test_a_vietnamese_file_name_is_sent_safely(dossier: Dossier, citizen: Client) -> None:
    document = dossier.documents.select_related("file").first()
    assert document is not None
    StoredFile.objects.filter(pk=document.file.pk).update(display_name='Tờ khai "gốc"\r\n.pdf')
    header = citizen.get(detail_url(dossier, f"tep/{document.pk}/"))["Content-Disposition"]
    assert header.startswith('attachment; filename="To khai _goc_')
    assert "filename*=UTF-8''T%E1%BB%9D%20khai" in header
    assert "\r" not in header and "\n" not in header


def test_a_tampered_file_is_not_handed_out(dossier: Dossier, citizen: Client) -> None:
    document = dossier.documents.select_related("file").first()
    assert document is not None
    name = document.file.name
    default_storage.delete(name)
    default_storage.save(name, ContentFile(b"%PDF-1.7 something else"))
    response = citizen.get(detail_url(dossier, f"tep/{document.pk}/"))
    html = response.content.decode()
    assert response.status_code == 409 and "kiểm tra toàn vẹn không đạt" in html
    assert "something else" not in html
    assert AuditEvent.objects.filter(action="files.integrity_failure").exists()
    default_storage.delete(name)  # missing bytes: refused the same way
    assert citizen.get(detail_url(dossier, f"tep/{document.pk}/")).status_code == 409


def test_personal_store_lists_results(
    dossier: Dossier, personas: Personas, citizen: Client
) -> None:
    assert "chưa có giấy tờ nào" in page(citizen, "/tai-khoan/kho-du-lieu/")
    with_result(dossier, personas)
    result = dossier.documents.get(role=DocumentRole.RESULT)
    html = page(citizen, "/tai-khoan/kho-du-lieu/")
    assert "Giấy khai sinh (bản điện tử)" in html
    assert f'href="{detail_url(dossier, f"tep/{result.pk}/")}"' in html


# --- Who may see what ----------------------------------------------------------------------------


def _urls(dossier: Dossier) -> list[str]:
    document = dossier.documents.first()
    assert document is not None
    return [
        detail_url(dossier),
        detail_url(dossier, "bo-sung/"),
        detail_url(dossier, "rut-ho-so/"),
        detail_url(dossier, "danh-gia/"),
        detail_url(dossier, f"tep/{document.pk}/"),
    ]


def test_another_citizen_finds_nothing(waiting_for_supplement: Dossier, personas: Personas) -> None:
    dossier = waiting_for_supplement
    client = client_for(personas.citizen_b)
    for url in _urls(dossier):
        get, post = client.get(url).status_code, client.post(url, {"ly_do": "x"}).status_code
        assert 404 in {get, post} and {get, post} <= {404, 405}, url
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED


def test_staff_are_refused_and_visitors_sent_to_sign_in(
    dossier: Dossier, personas: Personas
) -> None:
    for url in [*_urls(dossier), "/tai-khoan/ho-so-cua-toi/", "/tai-khoan/kho-du-lieu/"]:
        assert client_for(personas.officer_a).get(url).status_code == 403, url
        response = Client().get(url)
        assert response.status_code == 302 and "/dang-nhap/" in response["Location"], url
