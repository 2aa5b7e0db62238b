"""Form editions are data with an effective date: a dossier prints the edition in force on its
reception day, so a new circular's forms replace the old ones for new dossiers only."""

from __future__ import annotations

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

# TT 03/2025/TT-VPCP, signed 15/09/2025, in force 45 days later (forms.editions).
SWITCH = date(2025, 10, 30)
LAST_DAY_2018 = date(2025, 10, 29)


def test_tt01_2018_editions_are_in_force_from_6_january_2019_until_the_switch() -> None:
    for kind in FormKind:
        edition = edition_on(kind, LAST_DAY_2018)
        assert edition.effective_from == date(2019, 1, 6)
        assert edition.page_size == ("A4 landscape" if kind == FormKind.REGISTER else "A5")
        if kind != FormKind.STOP_NOTICE:
            assert edition.legal_basis.startswith("Thông tư số 01/2018/TT-VPCP")
    assert edition_on(FormKind.CONTROL_SHEET, date(2019, 1, 6)).number == "Mẫu 05"
    assert edition_on(FormKind.APOLOGY, LAST_DAY_2018).title == (
        "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"
    )
    with pytest.raises(LookupError, match="05/01/2019"):
        edition_on(FormKind.RECEIPT, date(2019, 1, 5))
    # TT 01/2018 has no stop notice: a notice without a number, under Decree 118/2025 Art. 21.
    stop = edition_on(FormKind.STOP_NOTICE, LAST_DAY_2018)
    assert stop.number == "" and "Điều 21 Nghị định số 118/2025/NĐ-CP" in stop.legal_basis


def test_tt03_2025_numbers_seven_forms_from_30_october_2025() -> None:
    numbers = {kind: edition_on(kind, SWITCH) for kind in FormKind}
    assert {kind: e.number for kind, e in numbers.items()} == {
        FormKind.RECEIPT: "Mẫu 01",
        FormKind.SUPPLEMENT_REQUEST: "Mẫu 02",
        FormKind.REFUSAL: "Mẫu 03",
        FormKind.APOLOGY: "Mẫu 04",
        FormKind.STOP_NOTICE: "Mẫu 05",
        FormKind.CONTROL_SHEET: "Mẫu 06",
        FormKind.REGISTER: "Mẫu 07",
    }
    assert all(e.legal_basis.startswith("Thông tư số 03/2025/TT-VPCP") for e in numbers.values())
    assert all(e.effective_from == SWITCH for e in numbers.values())
    assert numbers[FormKind.APOLOGY].title == (
        "PHIẾU XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT"
    )
    assert numbers[FormKind.REGISTER].page_size == "A4 landscape"
    assert {e.page_size for k, e in numbers.items() if k != FormKind.REGISTER} == {"A5"}
    # Each number names one form in each edition.
    for day, count in ((LAST_DAY_2018, 6), (SWITCH, 7)):
        found = [edition_on(kind, day).number for kind in FormKind]
        assert len({n for n in found if n}) == count == len([n for n in found if n])


def test_a_number_means_the_form_of_the_dossiers_edition() -> None:
    assert editions.edition_by_number("05", LAST_DAY_2018).kind == FormKind.CONTROL_SHEET
    assert editions.edition_by_number("05", SWITCH).kind == FormKind.STOP_NOTICE
    assert editions.edition_by_number("06", SWITCH).kind == FormKind.CONTROL_SHEET
    assert editions.edition_by_number("06", LAST_DAY_2018).kind == FormKind.REGISTER
    with pytest.raises(LookupError, match="Mẫu 07"):
        editions.edition_by_number("07", LAST_DAY_2018)
    with pytest.raises(LookupError):
        editions.edition_by_number("", SWITCH)  # the 2018 stop notice has no number
    assert editions.label(edition_on(FormKind.STOP_NOTICE, SWITCH)) == (
        "Mẫu 05 Thông báo dừng giải quyết hồ sơ"
    )
    assert editions.label(edition_on(FormKind.STOP_NOTICE, LAST_DAY_2018)) == (
        "Thông báo dừng giải quyết hồ sơ"
    )


def test_new_dossiers_switch_on_the_effective_date(
    version: ProcedureVersion, personas: Personas
) -> None:
    """The reception day in Vietnam time decides: 30/10/2025 00:30 is still 29/10 in UTC."""
    before = h.submitted_dossier(personas.citizen, version)
    before = accept(before, personas.officer_a, datetime(2025, 10, 29, 23, 59, tzinfo=VN))
    after = h.submitted_dossier(personas.citizen, version)
    after = accept(after, personas.officer_a, datetime(2025, 10, 30, 0, 30, tzinfo=VN))
    assert after.received_at is not None and after.received_at.date() == date(2025, 10, 29)

    assert forms.edition_for(FormKind.RECEIPT, before).effective_from == date(2019, 1, 6)
    assert forms.edition_for(FormKind.RECEIPT, after).effective_from == SWITCH
    old_text = pdf_text.text_of(forms.receipt_pdf(before))
    new_text = pdf_text.text_of(forms.receipt_pdf(after))
    assert "Mẫu 01 ban hành kèm theo Thông tư số 01/2018/TT-VPCP" in old_text
    assert "Mẫu 01 ban hành kèm theo Thông tư số 03/2025/TT-VPCP" in new_text
    old_sheet = pdf_text.text_of(forms.control_sheet_pdf(before))
    new_sheet = pdf_text.text_of(forms.control_sheet_pdf(after))
    assert "Mẫu 05 ban hành kèm theo Thông tư số 01/2018/TT-VPCP" in old_sheet
    assert "Mẫu 06 ban hành kèm theo Thông tư số 03/2025/TT-VPCP" in new_sheet
    assert forms.form_filename(FormKind.CONTROL_SHEET, before).startswith("mau-05-")
    assert forms.form_filename(FormKind.CONTROL_SHEET, after).startswith("mau-06-")
    assert forms.form_filename(FormKind.STOP_NOTICE, before).startswith("thong-bao-dung-")
    assert forms.form_filename(FormKind.STOP_NOTICE, after).startswith("mau-05-")


def test_a_dossier_never_received_uses_its_submission_day(
    version: ProcedureVersion, personas: Personas
) -> None:
    dossier = h.submitted_dossier(personas.citizen, version)
    Dossier.objects.filter(pk=dossier.pk).update(
        submitted_at=datetime(2025, 10, 20, 9, 0, tzinfo=VN)
    )
    dossier.refresh_from_db()
    assert dossier.received_at is None
    assert forms.edition_for(FormKind.REFUSAL, dossier).effective_from == date(2019, 1, 6)


def test_register_keeps_the_edition_of_the_year_it_was_opened() -> None:
    assert forms.register_edition(2026).number == "Mẫu 07"  # opened 01/01/2026, TT 03/2025
    assert forms.register_edition(2025).number == "Mẫu 06"  # opened 01/01/2025, TT 01/2018
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
