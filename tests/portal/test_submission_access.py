"""Who may open the submission pages: the owner only (404 for another citizen, so a draft's
existence is not revealed), never staff (403), and a visitor is sent to sign in."""

from __future__ import annotations

import pytest
from django.test import Client

from chinhquyen.dossiers.models import Dossier, Draft
from chinhquyen.notifications.defaults import load_default_templates
from tests import dossier_helpers as h
from tests.conftest import Personas, Province, client_for
from tests.portal.submission_pages import url

DRAFT_PAGES = [
    ("overview", ()),
    ("discard", ()),
    ("applicant", ()),
    ("group", (1,)),
    ("documents", ()),
    ("reception", ()),
    ("check", ()),
    ("pay", ()),
    ("submit", ()),
]


@pytest.fixture
def draft(province: Province, personas: Personas) -> Draft:
    version = h.publish_procedure(province.agency_a)
    return h.filled_draft(personas.citizen, version)


def _urls(draft: Draft) -> list[str]:
    return [url(name, draft, *args) for name, args in DRAFT_PAGES]


def test_another_citizen_gets_404_on_every_draft_page(draft: Draft, personas: Personas) -> None:
    other = client_for(personas.citizen_b)
    for address in _urls(draft):
        assert other.get(address).status_code in (404, 405), address
        assert other.post(address, {"cam_doan": "1", "thao_tac": "luu_nhap"}).status_code == 404
    draft.refresh_from_db()
    assert draft.state == Draft.State.OPEN and not Dossier.objects.exists()


def test_another_citizen_gets_404_on_the_confirmation(draft: Draft, personas: Personas) -> None:
    load_default_templates()
    client_for(personas.citizen).post(url("submit", draft), {"cam_doan": "1"})
    code = Dossier.objects.get().code
    assert client_for(personas.citizen).get(f"/ho-so/{code}/da-nop/").status_code == 200
    assert client_for(personas.citizen_b).get(f"/ho-so/{code}/da-nop/").status_code == 404


def test_staff_are_refused(draft: Draft, personas: Personas) -> None:
    officer = client_for(personas.officer_a)
    extra = ["/ho-so-nhap/", f"/dich-vu-cong/thu-tuc/{h.BIRTH_CODE}/nop-ho-so/"]
    for address in [*_urls(draft), *extra]:
        assert officer.get(address).status_code in (403, 405), address
        assert officer.post(address).status_code == 403, address


def test_visitors_are_sent_to_sign_in(draft: Draft) -> None:
    for address in [*_urls(draft), "/ho-so-nhap/"]:
        response = Client().get(address)
        assert response.status_code == 302
        assert response["Location"] == f"/tai-khoan/dang-nhap/?next={address}"
