"""Where to file and how to receive the result: every commune's committee for a commune-level
procedure (the applicant's own first), an address required for delivery by post."""

from __future__ import annotations

import pytest

from chinhquyen.dossiers import drafts
from chinhquyen.dossiers.models import Draft
from chinhquyen.org.models import Agency
from tests import dossier_helpers as h
from tests.conftest import Personas, Province, client_for
from tests.factories import AgencyFactory
from tests.portal.submission_pages import commune_level_procedure, html, url


@pytest.fixture
def committees(province: Province) -> list[Agency]:
    """Six committees: more than fit as radio buttons, so a select (filtered by the script)."""
    home = AgencyFactory.create(
        name="Ủy ban nhân dân phường Phố Hiến",
        kind=Agency.Kind.COMMUNE_COMMITTEE,
        administrative_unit=h.commune_unit(),
    )
    others = [
        AgencyFactory.create(name=f"Ủy ban nhân dân xã {name}", kind=Agency.Kind.COMMUNE_COMMITTEE)
        for name in ("An Bình", "Bình Minh", "Cẩm Giàng", "Đông Kết", "Tân Hưng")
    ]
    return [home, *others]


@pytest.fixture
def draft(committees: list[Agency], personas: Personas) -> Draft:
    draft = drafts.do_create_draft(owner=personas.citizen, version=commune_level_procedure())
    drafts.do_save_group(draft, "nguoi_yeu_cau", {"noi_cu_tru": "12175"}, acting_user=None)
    return draft


def test_the_applicants_commune_comes_first(
    draft: Draft, committees: list[Agency], personas: Personas
) -> None:
    page = html(client_for(personas.citizen).get(url("reception", draft)))
    home, first_other = committees[0], committees[1]
    assert 'id="f-noi_nop" name="noi_nop" data-searchable' in page
    assert page.index('<optgroup label="Nơi bạn cư trú">') < page.index(home.name)
    assert page.index(home.name) < page.index(first_other.name)


def test_post_delivery_needs_an_address(
    draft: Draft, committees: list[Agency], personas: Personas
) -> None:
    client = client_for(personas.citizen)
    chosen = {"noi_nop": committees[1].pk, "nhan_ket_qua": "post", "thao_tac": "tiep_tuc"}
    refused = client.post(url("reception", draft), chosen)
    page = html(refused)
    assert 'href="#f-dia_chi_nhan">Vui lòng nhập địa chỉ nhận kết quả qua bưu chính.' in page
    assert 'id="f-nhan_ket_qua-2" name="nhan_ket_qua" value="post" checked' in page
    draft.refresh_from_db()
    assert draft.delivery_option == "" and draft.receiving_agency is None
    address = "Số 5, ngõ 3, phường Phố Hiến"
    saved = client.post(url("reception", draft), {**chosen, "dia_chi_nhan": address})
    assert saved["Location"] == url("check", draft)
    draft.refresh_from_db()
    assert (draft.receiving_agency, draft.delivery_address) == (committees[1], address)


def test_an_agency_outside_the_choices_is_refused(
    draft: Draft, province: Province, personas: Personas
) -> None:
    response = client_for(personas.citizen).post(
        url("reception", draft), {"noi_nop": province.agency_b.pk, "nhan_ket_qua": "online"}
    )
    assert 'href="#f-noi_nop">Vui lòng chọn nơi nộp hồ sơ.' in html(response)
