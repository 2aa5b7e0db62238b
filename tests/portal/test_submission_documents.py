"""The files page: uploads checked from their content (refusals shown, nothing attached), removal,
and reuse of a document from the citizen's personal data store (Decree 45/2020 Art. 16)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from chinhquyen.core.models import StoredFile
from chinhquyen.dossiers import drafts
from chinhquyen.dossiers.models import DossierDocument, Draft, DraftAttachment
from chinhquyen.notifications.defaults import load_default_templates
from chinhquyen.portal.submission_forms import CappedUploadHandler
from chinhquyen.procedures.models import ProcedureVersion, RequiredDocument
from tests import dossier_helpers as h
from tests.conftest import Personas, Province, client_for
from tests.core import upload_samples
from tests.portal.submission_pages import html, url

ID_CARD = "Thẻ căn cước, căn cước công dân hoặc giấy tờ tùy thân có ảnh của người yêu cầu"


@pytest.fixture
def version(province: Province) -> ProcedureVersion:
    load_default_templates()
    return h.publish_procedure(province.agency_a)


@pytest.fixture
def draft(version: ProcedureVersion, personas: Personas) -> Draft:
    return drafts.do_create_draft(owner=personas.citizen, version=version)


@pytest.fixture
def document(version: ProcedureVersion) -> RequiredDocument:
    return version.documents.get(order=1)


def upload(client: Client, draft: Draft, document: RequiredDocument, name: str, data: bytes) -> Any:
    file = SimpleUploadedFile(name, data, "application/pdf")
    return client.post(
        url("documents", draft), {"giay_to": document.pk, "thao_tac": "tai_len", "tep": file}
    )


def test_a_good_file_is_attached_listed_and_removable(
    personas: Personas, draft: Draft, document: RequiredDocument
) -> None:
    client = client_for(personas.citizen)
    response = upload(client, draft, document, "to-khai.pdf", upload_samples.pdf())
    assert response["Location"] == url("documents", draft) + f"#giay-to-{document.pk}"
    attachment = DraftAttachment.objects.get(draft=draft)
    page = html(client.get(url("documents", draft)))
    assert "to-khai.pdf" in page and "Đã tải lên" in page
    client.post(
        url("documents", draft),
        {"giay_to": document.pk, "tep_dinh_kem": attachment.pk, "thao_tac": "xoa"},
    )
    assert not DraftAttachment.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("don.pdf", upload_samples.exe, "không thuộc định dạng được chấp nhận"),
        ("to-khai.pdf", upload_samples.pdf_with_javascript, "chứa nội dung thực thi (JavaScript"),
    ],
)
def test_unsafe_files_are_refused_with_the_reason(
    personas: Personas,
    draft: Draft,
    document: RequiredDocument,
    name: str,
    content: Callable[[], bytes],
    message: str,
) -> None:
    response = upload(client_for(personas.citizen), draft, document, name, content())
    page = html(response)
    assert response.status_code == 200
    assert f'href="#giay-to-{document.pk}">{document.name}: ' in page
    assert message in page
    assert not DraftAttachment.objects.exists() and not StoredFile.objects.exists()


def test_an_oversized_file_is_refused(
    personas: Personas, draft: Draft, document: RequiredDocument, settings: Any
) -> None:
    settings.UPLOAD_MAX_BYTES = 1024
    data = upload_samples.pdf()
    assert len(data) > 1024
    page = html(upload(client_for(personas.citizen), draft, document, "lon.pdf", data))
    assert "vượt quá dung lượng cho phép" in page
    assert not DraftAttachment.objects.exists() and not StoredFile.objects.exists()


def test_no_file_chosen_says_so(
    personas: Personas, draft: Draft, document: RequiredDocument
) -> None:
    response = client_for(personas.citizen).post(
        url("documents", draft), {"giay_to": document.pk, "thao_tac": "tai_len"}
    )
    assert "Vui lòng chọn tệp cần tải lên." in html(response)


def test_an_accepted_document_is_offered_and_reused_from_the_store(
    personas: Personas, version: ProcedureVersion
) -> None:
    citizen = personas.citizen
    earlier = h.submitted_dossier(citizen, version)
    accepted = earlier.documents.get(name=ID_CARD)
    DossierDocument.objects.filter(pk=accepted.pk).update(accepted=True)
    draft = drafts.do_create_draft(owner=citizen, version=version)
    client = client_for(citizen)
    page = html(client.get(url("documents", draft)))
    assert "Dùng lại từ kho dữ liệu" in page and earlier.code in page
    id_card = version.documents.get(name=ID_CARD)
    client.post(
        url("documents", draft),
        {"giay_to": id_card.pk, "nguon": accepted.pk, "thao_tac": "dung_lai"},
    )
    attachment = DraftAttachment.objects.get(draft=draft)
    assert attachment.reused_from == accepted and attachment.file_id == accepted.file_id
    assert "Từ kho dữ liệu" in html(client.get(url("documents", draft)))


def test_another_citizens_document_cannot_be_reused(
    personas: Personas, version: ProcedureVersion, draft: Draft
) -> None:
    other = h.submitted_dossier(personas.citizen_b, version).documents.get(name=ID_CARD)
    DossierDocument.objects.filter(pk=other.pk).update(accepted=True)
    id_card = version.documents.get(name=ID_CARD)
    response = client_for(personas.citizen).post(
        url("documents", draft), {"giay_to": id_card.pk, "nguon": other.pk, "thao_tac": "dung_lai"}
    )
    assert "Không tìm thấy giấy tờ trong kho dữ liệu của bạn." in html(response)
    assert not DraftAttachment.objects.filter(draft=draft).exists()


def test_the_upload_handler_keeps_one_byte_past_the_limit_of_one_file() -> None:
    handler = CappedUploadHandler(10)
    handler.new_file("tep", "a.pdf", "application/pdf", 100)
    handler.receive_data_chunk(b"x" * 8, 0)
    handler.receive_data_chunk(b"y" * 8, 8)
    kept = handler.file_complete(16)
    assert kept is not None and kept.size == 11 and kept.read() == b"x" * 8 + b"yyy"
    handler.new_file("tep", "b.pdf", "application/pdf", 1)
    handler.receive_data_chunk(b"z", 0)
    assert handler.file_complete(1) is None
