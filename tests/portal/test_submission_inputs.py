"""Hand-made or hostile form posts never produce a 500 or a half-saved draft: they are ignored,
bounded, or answered with a message."""

from __future__ import annotations

from typing import Any

import pytest

from chinhquyen.dossiers import drafts
from chinhquyen.dossiers.models import Draft
from tests import dossier_helpers as h
from tests.conftest import Personas, Province, client_for
from tests.portal.submission_pages import url

ODD_POSTS: list[tuple[str, tuple[int, ...], dict[str, Any]]] = [
    ("group", (2,), {"tre-so_muc": "99999", "thao_tac": "tiep_tuc"}),
    ("group", (2,), {"tre-so_muc": "-1", "thao_tac": "them:tre"}),
    ("group", (2,), {"tre-so_muc": "2", "thao_tac": "xoa:tre:abc"}),
    ("group", (2,), {"tre-so_muc": "1", "thao_tac": "xoa:khac:0"}),
    ("group", (1,), {"nguoi_yeu_cau-ho_ten": "x" * 50_000, "thao_tac": "tiep_tuc"}),
    ("group", (1,), {"nguoi_yeu_cau-quan_he": ["cha", "me"], "thao_tac": "tiep_tuc"}),
    ("applicant", (), {"nguoi_nop-kind": "ngoai_hanh_tinh", "thao_tac": "tiep_tuc"}),
    ("documents", (), {"giay_to": "abc", "thao_tac": "tai_len"}),
    ("documents", (), {"giay_to": "999999", "thao_tac": "dung_lai", "nguon": "1"}),
    ("documents", (), {"tep_dinh_kem": "99999999999999999999", "thao_tac": "xoa"}),
    ("documents", (), {"thao_tac": "khong_co"}),
    ("reception", (), {"noi_nop": "1e9", "nhan_ket_qua": "drone"}),
    ("submit", (), {"cam_doan": "yes"}),
    ("pay", (), {}),
]


@pytest.mark.parametrize(("name", "args", "data"), ODD_POSTS)
def test_odd_posts_never_fail(
    province: Province, personas: Personas, name: str, args: tuple[int, ...], data: dict[str, Any]
) -> None:
    version = h.publish_procedure(province.agency_a)
    draft = drafts.do_create_draft(owner=personas.citizen, version=version)
    response = client_for(personas.citizen).post(url(name, draft, *args), data)
    assert response.status_code in (200, 302, 400), response.status_code
    draft.refresh_from_db()
    assert draft.state == Draft.State.OPEN
    assert len(draft.answers.get("tre", [])) <= 4
