"""Form editions are data with an effective date: a dossier prints the edition in force on its
reception day, so a new circular's forms replace the old ones for new dossiers only."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pytest

from chinhquyen.dossiers import forms
from chinhquyen.dossiers.forms import editions, render
from chinhquyen.dossiers.forms.editions import FormKind, edition_on
from chinhquyen.dossiers.models import Dossier
from chinhquyen.procedures.models import ProcedureVersion
from tests import dossier_helpers as h
from tests.conftest import Personas

from . import pdf_text
from .conftest import VN, accept

SWITCH = date(2026, 3, 1)


def test_tt01_2018_editions_are_in_force_from_6_january_2019() -> None:
    for kind in FormKind:
        if kind == FormKind.STOP_NOTICE:
            continue
        edition = edition_on(kind, date(2026, 2, 12))
        assert edition.legal_basis.startswith("Thông tư số 01/2018/TT-VPCP")
        assert edition.page_size == ("A4 landscape" if kind == FormKind.REGISTER else "A5")
    assert edition_on(FormKind.CONTROL_SHEET, date(2019, 1, 6)).number == "Mẫu 05"
    with pytest.raises(LookupError, match="05/01/2019"):
        edition_on(FormKind.RECEIPT, date(2019, 1, 5))
    with pytest.raises(LookupError, match="stop_notice"):
        edition_on(FormKind.STOP_NOTICE, date(2026, 2, 12))  # TT 03/2025 form, not yet entered


@pytest.fixture
def new_receipt(monkeypatch: pytest.MonkeyPatch) -> editions.FormEdition:
    """A later edition of the receipt, as a new circular would add it."""
    old = edition_on(FormKind.RECEIPT, SWITCH)
    new = dataclasses.replace(
        old,
        effective_from=SWITCH,
        legal_basis="Thông tư số 03/2025/TT-VPCP (mẫu thử nghiệm)",
        title="GIẤY TIẾP NHẬN HỒ SƠ, HẸN TRẢ KẾT QUẢ (MẪU MỚI)",
    )
    monkeypatch.setattr(editions, "FORM_EDITIONS", (*editions.FORM_EDITIONS, new))
    return new


def test_new_dossiers_switch_on_the_effective_date(
    new_receipt: editions.FormEdition,
    accepted: Dossier,
    version: ProcedureVersion,
    personas: Personas,
) -> None:
    later = h.submitted_dossier(personas.citizen, version)
    accept(later, personas.officer_a, datetime(2026, 3, 2, 8, 0, tzinfo=VN))
    edge = h.submitted_dossier(personas.citizen, version)
    accept(edge, personas.officer_a, datetime(2026, 2, 28, 23, 59, tzinfo=VN))  # still February

    assert forms.edition_for(FormKind.RECEIPT, accepted).effective_from == date(2019, 1, 6)
    assert forms.edition_for(FormKind.RECEIPT, later) == new_receipt
    assert forms.edition_for(FormKind.RECEIPT, edge).effective_from == date(2019, 1, 6)
    new_text = pdf_text.text_of(forms.receipt_pdf(later))
    old_text = pdf_text.text_of(forms.receipt_pdf(accepted))
    assert "(MẪU MỚI)" in new_text and "Thông tư số 03/2025/TT-VPCP" in new_text
    assert "(MẪU MỚI)" not in old_text and "Thông tư số 01/2018/TT-VPCP" in old_text
    # Other kinds have no new edition: the 2018 one still applies to the new dossier.
    assert forms.edition_for(FormKind.CONTROL_SHEET, later).effective_from == date(2019, 1, 6)


def test_register_keeps_the_edition_of_the_year_it_was_opened() -> None:
    assert forms.register_edition(2026).number == "Mẫu 06"
    assert forms.register_edition(2019).effective_from == date(2019, 1, 6)  # first of that year
    with pytest.raises(LookupError):
        forms.register_edition(2018)


def test_missing_font_fails_clearly(monkeypatch: pytest.MonkeyPatch, accepted: Dossier) -> None:
    monkeypatch.setattr(render, "FONT_DIR", render.FONT_DIR.with_name("khong-co-phong-chu"))
    render.font_faces.cache_clear()
    render._allowed_files.cache_clear()
    try:
        with pytest.raises(forms.FormFontMissing, match="fonts-liberation2"):
            forms.receipt_pdf(accepted)
    finally:
        render.font_faces.cache_clear()
        render._allowed_files.cache_clear()


def test_a_form_fetches_nothing_but_its_fonts_and_data() -> None:
    fetcher = render._FormFetcher(allowed_protocols=("data", "file"))
    with pytest.raises(ValueError, match="không được tải"):
        fetcher.fetch("file:///etc/passwd")
    with pytest.raises(ValueError):
        fetcher.fetch("http://127.0.0.1:9/x.png")
    assert fetcher.fetch(render.font_faces()[0]["url"]).read()[:4] == b"\x00\x01\x00\x00"
