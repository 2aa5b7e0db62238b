"""The e-form pages: one group per page, messages in Vietnamese, nothing typed lost, repeatable
groups, fields shown on a condition, the applicant page."""

from __future__ import annotations

import pytest
from django.test import Client

from chinhquyen.dossiers import drafts
from chinhquyen.dossiers.models import Draft
from chinhquyen.org.models import AdministrativeUnit, Agency
from chinhquyen.procedures.models import ProcedureVersion
from tests import dossier_helpers as h
from tests.conftest import Personas, Province, client_for
from tests.factories import AgencyFactory
from tests.portal.submission_pages import group_data, group_spec, html, post_group, url


def child(**changes: str) -> dict[str, object]:
    return {**h.birth_answers()["tre"][0], **changes}


@pytest.fixture
def version(province: Province) -> ProcedureVersion:
    return h.publish_procedure(province.agency_a)


@pytest.fixture
def draft(version: ProcedureVersion, personas: Personas) -> Draft:
    return drafts.do_create_draft(owner=personas.citizen, version=version)


@pytest.fixture
def client(personas: Personas) -> Client:
    return client_for(personas.citizen)


def test_errors_are_shown_and_what_was_typed_is_kept(
    client: Client, draft: Draft, version: ProcedureVersion
) -> None:
    typed = {**h.birth_answers()["nguoi_yeu_cau"], "dien_thoai": "12345", "dia_chi": ""}
    response = post_group(client, draft, version, "nguoi_yeu_cau", typed)
    page = html(response)
    assert response.status_code == 200
    assert 'href="#f-nguoi_yeu_cau-dien_thoai">Số điện thoại liên hệ: Số điện thoại gồm 10' in page
    assert 'href="#f-nguoi_yeu_cau-dia_chi">Địa chỉ chi tiết' in page
    assert "Vui lòng nhập thông tin này." in page
    assert 'aria-invalid="true" aria-describedby="f-nguoi_yeu_cau-dien_thoai-goi-y' in page
    assert 'value="12345"' in page and 'value="Nguyễn Văn An"' in page
    draft.refresh_from_db()
    assert draft.answers["nguoi_yeu_cau"]["dien_thoai"] == "12345"
    assert draft.answers["nguoi_yeu_cau"]["ho_ten"] == "Nguyễn Văn An"


def test_a_valid_group_moves_on_and_save_for_later_skips_the_checks(
    client: Client, draft: Draft, version: ProcedureVersion
) -> None:
    valid = post_group(client, draft, version, "nguoi_yeu_cau", h.birth_answers()["nguoi_yeu_cau"])
    assert valid["Location"] == url("group", draft, 2)
    later = post_group(client, draft, version, "tre", [{"ho_ten": "Khôi"}], thao_tac="luu_nhap")
    assert later["Location"] == url("group", draft, 2)
    assert "Đã lưu" in html(client.get(later["Location"]))
    draft.refresh_from_db()
    assert draft.answers["tre"] == [{**dict.fromkeys(_keys(version, "tre"), ""), "ho_ten": "Khôi"}]


def _keys(version: ProcedureVersion, group: str) -> list[str]:
    return [spec["key"] for spec in group_spec(version, group)["fields"]]


def test_a_condition_hides_a_field_and_its_check(
    client: Client, draft: Draft, version: ProcedureVersion
) -> None:
    answers = h.birth_answers()["nguoi_yeu_cau"]
    page = html(post_group(client, draft, version, "nguoi_yeu_cau", {**answers, "quan_he": "khac"}))
    assert "Ghi rõ quan hệ: Vui lòng nhập thông tin này." in page
    assert "data-show-if=" in page and "Chỉ điền khi “Quan hệ với người được khai sinh” là" in page
    hidden = post_group(client, draft, version, "nguoi_yeu_cau", {**answers, "quan_he": "cha"})
    assert hidden.status_code == 302


def test_children_can_be_added_and_removed(
    client: Client, draft: Draft, version: ProcedureVersion
) -> None:
    first, second = child(), child(ho_ten="Nguyễn Minh Khang")
    added = post_group(client, draft, version, "tre", [first], thao_tac="them:tre")
    assert added["Location"] == url("group", draft, 2) + "#muc-tre-1"
    page = html(client.get(url("group", draft, 2)))
    assert "Trẻ được khai sinh (2)</legend>" in page and 'value="Nguyễn Minh Khôi"' in page
    assert 'value="xoa:tre:1"' in page
    post_group(client, draft, version, "tre", [first, second], thao_tac="xoa:tre:0")
    draft.refresh_from_db()
    assert [child["ho_ten"] for child in draft.answers["tre"]] == ["Nguyễn Minh Khang"]


def test_the_last_required_child_cannot_be_removed_and_four_is_the_most(
    client: Client, draft: Draft, version: ProcedureVersion
) -> None:
    post_group(client, draft, version, "tre", [child()], thao_tac="xoa:tre:0")
    draft.refresh_from_db()
    assert len(draft.answers["tre"]) == 1
    assert "xoa:tre:" not in html(client.get(url("group", draft, 2)))
    post_group(client, draft, version, "tre", [child()] * 4, thao_tac="them:tre")
    draft.refresh_from_db()
    assert len(draft.answers["tre"]) == 4
    page = html(client.get(url("group", draft, 2)))
    assert 'value="them:tre"' not in page and "Đã đủ số mục tối đa." in page


def test_a_checkbox_left_unticked_is_saved_as_no(
    client: Client, draft: Draft, version: ProcedureVersion
) -> None:
    parents = {**h.birth_answers()["cha_me"], "co_thong_tin_cha": True, "ho_ten_cha": "An"}
    data = group_data(group_spec(version, "cha_me"), parents)
    assert data["cha_me-co_thong_tin_cha"] == "1"
    client.post(url("group", draft, 3), {**data, "thao_tac": "luu_nhap"})
    draft.refresh_from_db()
    assert draft.answers["cha_me"]["co_thong_tin_cha"] is True
    del data["cha_me-co_thong_tin_cha"]
    assert client.post(url("group", draft, 3), {**data, "thao_tac": "tiep_tuc"}).status_code == 302
    draft.refresh_from_db()
    assert draft.answers["cha_me"]["co_thong_tin_cha"] is False


def test_applicant_with_errors_is_not_saved(
    client: Client, draft: Draft, personas: Personas
) -> None:
    data = {f"nguoi_nop-{k}": v for k, v in h.APPLICANT.items()} | {"nguoi_nop-phone": "0123"}
    response = client.post(url("applicant", draft), {**data, "thao_tac": "tiep_tuc"})
    assert response.status_code == 200
    assert 'href="#f-nguoi_nop-phone">Số điện thoại: Số điện thoại gồm 10 chữ số' in html(response)
    draft.refresh_from_db()
    assert draft.applicant["phone"] == personas.citizen.phone


def test_a_step_that_does_not_exist_is_404(client: Client, draft: Draft) -> None:
    assert client.get(url("group", draft, 9)).status_code == 404
    assert client.get(url("group", draft, 0)).status_code == 404


def test_communes_of_the_served_province_then_other_provinces(client: Client, draft: Draft) -> None:
    served = h.commune_unit()  # Phường Phố Hiến, Tỉnh Hưng Yên
    AgencyFactory.create(kind=Agency.Kind.COMMUNE_COMMITTEE, administrative_unit=served)
    hanoi = AdministrativeUnit.objects.create(
        level=AdministrativeUnit.Level.PROVINCE, code="01", name="Thành phố Hà Nội"
    )
    AdministrativeUnit.objects.create(
        level=AdministrativeUnit.Level.COMMUNE, code="00004", name="Phường Ba Đình", parent=hanoi
    )
    page = html(client.get(url("group", draft, 1)))
    assert '<optgroup label="Tỉnh Hưng Yên"><option value="12175">Phường Phố Hiến</option>' in page
    assert '<optgroup label="Tỉnh, thành phố khác"><option value="01">Thành phố Hà Nội' in page
    assert "Phường Ba Đình" not in page
