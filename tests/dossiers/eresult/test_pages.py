"""The electronic result on the officers' pages: the specialist uploads the draft with the
proposal, the agency leader signs it on the approval form (certificate + code), the clerk issues
it with agency A's signature; the citizen downloads a result that validates from the tracking
page. Wrong inputs come back as Vietnamese messages with nothing recorded; drafts stay inside the
competent agency."""

from __future__ import annotations

from typing import Any

from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chinhquyen.dossiers import eresult
from chinhquyen.dossiers.handling import last_seq
from chinhquyen.dossiers.models import DocumentRole, Dossier, DossierDocument, Status
from chinhquyen.org.models import User
from chinhquyen.signing.actions import do_import_pkcs12
from chinhquyen.signing.validation.engine import validate_pdf_bytes
from chinhquyen.signing.validation.report import ChainStatus, Verdict
from tests.conftest import client_for
from tests.dossiers.backoffice.conftest import act, fresh
from tests.dossiers.eresult.conftest import EWorld, draft_pdf, fresh_code, online_dossier
from tests.signing.pdfs import make_pdf
from tests.signing.servers import pkcs12_of


def _detail(dossier: Dossier) -> str:
    return reverse("dossiers:staff_dossier", args=[dossier.code])


def _post(user: User, dossier: Dossier, action: str, **fields: Any) -> list[str]:
    url = reverse("dossiers:staff_action", args=[dossier.code, action])
    response = client_for(user).post(url, {"expected_seq": str(last_seq(dossier)), **fields})
    assert response.status_code == 302
    return [str(m) for m in get_messages(response.wsgi_request)]


def _upload(name: str = "du-thao.pdf", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content or make_pdf(pages=1), "application/pdf")


def _to_final_approval(ew: EWorld) -> Dossier:
    w, people = ew.world, ew.people
    dossier = online_dossier(ew)
    _post(w.officer, dossier, "forward", don_vi=str(w.province.unit_a.pk))
    _post(w.unit_leader_a, dossier, "assign", can_bo=str(people.specialist_a.pk))
    said = _post(people.specialist_a, dossier, "propose", du_thao=_upload())
    assert said == ["Đã thực hiện: Trình phê duyệt."]
    _post(w.unit_leader_a, dossier, "approve")
    return fresh(dossier)


def _sign_fields(user: User, certificate: Any) -> dict[str, str]:
    return {"chung_thu": str(certificate.pk), "ma_xac_thuc": fresh_code(user)}


def test_the_whole_electronic_result_through_the_pages(eworld: EWorld) -> None:
    ew, people = eworld, eworld.people
    dossier = _to_final_approval(ew)
    leader_page = client_for(people.leader_a).get(_detail(dossier)).content.decode()
    assert 'name="chung_thu"' in leader_page and ew.person_certificate.label in leader_page
    assert ew.organisation_certificate.label not in leader_page  # only the leader's own
    assert "Dự thảo kết quả" in leader_page  # the draft is listed for the competent agency

    said = _post(
        people.leader_a, dossier, "approve", **_sign_fields(people.leader_a, ew.person_certificate)
    )
    assert said == ["Đã thực hiện: Phê duyệt."]
    dossier = fresh(dossier)
    assert dossier.step == "phat_hanh"
    clerk_page = client_for(people.clerk_a).get(_detail(dossier)).content.decode()
    assert (
        ew.organisation_certificate.label in clerk_page and "/thao-tac/record_result/" in clerk_page
    )

    fields = _sign_fields(people.clerk_a, ew.organisation_certificate)
    assert _post(people.clerk_a, dossier, "record_result", **fields) == [
        "Đã thực hiện: Có kết quả giải quyết."
    ]
    dossier = fresh(dossier)
    assert dossier.status == Status.RETURNED

    citizen = client_for(people.citizen)
    page = citizen.get(reverse("tracking:my_dossier", args=[dossier.code])).content.decode()
    assert "Kết quả giải quyết (bản điện tử)" in page
    assert "Dự thảo" not in page  # the drafts are the agency's internal papers
    result = DossierDocument.objects.get(dossier=dossier, role=DocumentRole.RESULT)
    download = citizen.get(reverse("tracking:download", args=[dossier.code, result.pk]))
    assert download.status_code == 200
    report = validate_pdf_bytes(download.content, fetch=False)
    signers = [s.signer.fingerprint_sha256 for s in report.signatures]
    assert signers == [
        ew.person_certificate.fingerprint_sha256,
        ew.organisation_certificate.fingerprint_sha256,
    ]
    assert all(s.chain.status == ChainStatus.TRUSTED and s.integrity.ok for s in report.signatures)
    assert report.verdict != Verdict.INVALID
    store = citizen.get(reverse("tracking:personal_store")).content.decode()
    assert "Kết quả giải quyết (bản điện tử)" in store and "Dự thảo" not in store


def test_citizen_cannot_download_a_draft(eworld: EWorld) -> None:
    ew = eworld
    dossier = _to_final_approval(ew)
    draft = eresult.newest_draft(dossier)
    assert draft is not None
    citizen = client_for(ew.people.citizen)
    url = reverse("tracking:download", args=[dossier.code, draft.pk])
    assert citizen.get(url).status_code == 404


def test_draft_download_only_for_the_competent_agency(eworld: EWorld) -> None:
    ew, w = eworld, eworld.world
    dossier = _to_final_approval(ew)
    draft = eresult.newest_draft(dossier)
    assert draft is not None
    url = reverse("dossiers:staff_document", args=[dossier.code, draft.pk])
    mine = client_for(ew.people.specialist_a).get(url)
    assert mine.status_code == 200 and mine.content.startswith(b"%PDF-")
    assert mine["Cache-Control"] == "no-store"
    # Agency B's specialist, even once asked for an opinion on the dossier, sees no draft.
    assert client_for(w.specialist_b).get(url).status_code == 404
    act(dossier, "send_back", ew.people.leader_a, timezone.now(), note="Bổ sung ý kiến Sở Xây dựng")
    act(
        fresh(dossier), "request_opinion", ew.people.specialist_a, timezone.now(),
        agency=w.province.agency_b, content="Cho ý kiến", amount=2,
    )  # fmt: skip
    b_client: Client = client_for(w.specialist_b)
    assert b_client.get(_detail(dossier)).status_code == 200  # the dossier, yes
    assert "Dự thảo kết quả" not in b_client.get(_detail(dossier)).content.decode()
    assert b_client.get(url).status_code == 404  # its draft, no
    assert client_for(ew.people.officer_b).get(url).status_code == 404


def test_wrong_code_on_the_page_is_said_and_nothing_recorded(eworld: EWorld) -> None:
    ew, leader = eworld, eworld.people.leader_a
    dossier = _to_final_approval(ew)
    seq, before = last_seq(dossier), User.objects.get(pk=leader.pk).failed_signins
    said = _post(
        leader, dossier, "approve", chung_thu=str(ew.person_certificate.pk), ma_xac_thuc="111111"
    )
    assert said == ["Mã xác thực không đúng hoặc đã dùng; cần nhập mã mới để xác nhận."]
    assert last_seq(dossier) == seq
    assert User.objects.get(pk=leader.pk).failed_signins == before + 1


def test_sign_form_without_code_or_with_unknown_certificate(eworld: EWorld) -> None:
    ew, leader = eworld, eworld.people.leader_a
    dossier = _to_final_approval(ew)
    seq = last_seq(dossier)
    no_code = _post(leader, dossier, "approve", chung_thu=str(ew.person_certificate.pk))
    assert no_code == ["Nhập mã xác thực (OTP) để ký số."]
    unknown = _post(leader, dossier, "approve", chung_thu="999999", ma_xac_thuc="123456")
    assert unknown == ["Chứng thư số đã chọn không tồn tại."]
    garbage = _post(leader, dossier, "approve", chung_thu="abc", ma_xac_thuc="123456")
    assert garbage == ["Chọn chứng thư số để ký."]
    assert last_seq(dossier) == seq


def test_draft_that_is_not_a_pdf_is_refused_on_the_page(eworld: EWorld) -> None:
    ew, w = eworld, eworld.world
    dossier = online_dossier(ew)
    _post(w.officer, dossier, "forward", don_vi=str(w.province.unit_a.pk))
    _post(w.unit_leader_a, dossier, "assign", can_bo=str(ew.people.specialist_a.pk))
    seq = last_seq(dossier)
    png = _upload("du-thao.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    said = _post(ew.people.specialist_a, dossier, "propose", du_thao=png)
    assert said == ["Dự thảo kết quả phải là tệp PDF."]
    assert last_seq(dossier) == seq and not dossier.documents.exists()


def test_clerk_issuing_without_the_leaders_signature_is_told_why(eworld: EWorld) -> None:
    ew, clerk = eworld, eworld.people.clerk_a
    dossier = _to_final_approval(ew)
    _post(ew.people.leader_a, dossier, "approve")  # approved, not signed
    dossier = fresh(dossier)
    seq = last_seq(dossier)
    said = _post(
        clerk, dossier, "record_result", **_sign_fields(clerk, ew.organisation_certificate)
    )
    assert said == [
        "Dự thảo kết quả chưa có chữ ký số của lãnh đạo phê duyệt: chưa phát hành được kết quả"
        " điện tử."
    ]
    assert last_seq(dossier) == seq and fresh(dossier).status == Status.PROCESSING


def test_electronic_and_paper_at_once_is_refused(eworld: EWorld) -> None:
    ew, clerk = eworld, eworld.people.clerk_a
    dossier = _to_final_approval(ew)
    _post(
        ew.people.leader_a, dossier, "approve",
        **_sign_fields(ew.people.leader_a, ew.person_certificate),
    )  # fmt: skip
    dossier = fresh(dossier)
    seq = last_seq(dossier)
    fields = _sign_fields(clerk, ew.organisation_certificate)
    said = _post(clerk, dossier, "record_result", ket_qua=_upload("scan.pdf"), **fields)
    assert said == ["Chọn một: kết quả điện tử ký số hoặc tải lên tệp kết quả giấy."]
    assert last_seq(dossier) == seq


def test_leader_replaces_the_draft_on_the_approval_form(eworld: EWorld) -> None:
    ew, leader = eworld, eworld.people.leader_a
    dossier = _to_final_approval(ew)
    replacement = draft_pdf("Ban sua").content
    _post(
        leader, dossier, "approve", du_thao=_upload("ban-sua.pdf", replacement),
        **_sign_fields(leader, ew.person_certificate),
    )  # fmt: skip
    row = fresh(dossier).transitions.order_by("-seq")[0]
    assert row.action == "approve" and row.data["signed_draft"]["signed_from"] is None
    assert "draft" in row.data


def test_the_sign_form_shows_only_at_the_final_approval(eworld: EWorld, pki: Any) -> None:
    ew, w = eworld, eworld.world
    do_import_pkcs12(
        pkcs12_of(pki.revoked, [pki.government_ca]), "p12-pass", purpose="personal",
        owner_user=w.unit_leader_a, label="Chữ ký trưởng phòng", acting_user=None,
    )  # fmt: skip
    dossier = online_dossier(ew)
    _post(w.officer, dossier, "forward", don_vi=str(w.province.unit_a.pk))
    _post(w.unit_leader_a, dossier, "assign", can_bo=str(ew.people.specialist_a.pk))
    _post(ew.people.specialist_a, dossier, "propose", du_thao=_upload())
    check_page = client_for(w.unit_leader_a).get(_detail(dossier)).content.decode()
    assert "/thao-tac/approve/" in check_page and 'name="chung_thu"' not in check_page
    _post(w.unit_leader_a, dossier, "approve")
    final_page = client_for(ew.people.leader_a).get(_detail(dossier)).content.decode()
    assert 'name="chung_thu"' in final_page
