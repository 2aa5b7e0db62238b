"""The official one-stop forms as data with an effective date (ARCHITECTURE: rules that change
with the law are data with an effective date).

TT 01/2018/TT-VPCP Art. 9 (in force 06/01/2019) issues Mẫu 01–06; TT 03/2025/TT-VPCP Phụ lục I
replaces them with seven forms (onestop.md §2.1: the apology form renamed, a new stop notice as 05,
the control sheet and the register renumbered 06 and 07), in force 30/10/2025 (see
`_TT03_2025_IN_FORCE` for why that day). Each form a dossier prints is the
edition in force on the day the dossier was received (submitted, when it never was), so a new
circular switches new dossiers only and a dossier keeps the forms it started with. Same pattern as
`codes.CODE_FORMATS`: data in code, not a table, because a new edition brings a new template.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class FormKind(StrEnum):
    """What a form is for, stable across editions (the numbers change: TT 03/2025 renumbers)."""

    RECEIPT = "receipt"  # Giấy tiếp nhận hồ sơ và hẹn trả kết quả
    SUPPLEMENT_REQUEST = "supplement_request"  # Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ
    REFUSAL = "refusal"  # Phiếu từ chối tiếp nhận giải quyết hồ sơ
    APOLOGY = "apology"  # Phiếu xin lỗi và hẹn lại ngày trả kết quả / đề nghị gia hạn (2025)
    STOP_NOTICE = "stop_notice"  # Thông báo dừng giải quyết hồ sơ (a form in TT 03/2025 only)
    CONTROL_SHEET = "control_sheet"  # Phiếu kiểm soát quá trình giải quyết hồ sơ
    REGISTER = "register"  # Sổ theo dõi hồ sơ


A5 = "A5"  # TT 01/2018 Art. 10: forms 01–05 on A5 (148 × 210 mm); TT 03/2025 01–06 kept so [S]
A4_LANDSCAPE = "A4 landscape"  # the register (Mẫu 06 of 2018, 07 of 2025) is printed on A4


@dataclass(frozen=True)
class FormEdition:
    """One legal edition of one form, in force for dossiers received from `effective_from`
    (a date in Vietnam time) until the next edition of the same kind."""

    kind: FormKind
    effective_from: date
    legal_basis: str  # the act that issues the form (printed at its foot)
    number: str  # "Mẫu 01"; empty for a notice the edition's circular has no form for
    title: str  # printed in capitals under the header
    number_suffix: str  # "Số: …/PBS"
    template: str
    page_size: str  # a CSS @page size


_TT01_2018 = "Thông tư số 01/2018/TT-VPCP ngày 23/11/2018 của Văn phòng Chính phủ"
_TT01_2018_IN_FORCE = date(2019, 1, 6)
_TT01_DIR = "dossiers/forms/tt01_2018"


def _tt01(kind: FormKind, number: str, title: str, suffix: str, page: str = A5) -> FormEdition:
    return FormEdition(
        kind=kind,
        effective_from=_TT01_2018_IN_FORCE,
        legal_basis=_TT01_2018,
        number=number,
        title=title,
        number_suffix=suffix,
        template=f"{_TT01_DIR}/{kind.value}.html",
        page_size=page,
    )


_TT03_2025 = "Thông tư số 03/2025/TT-VPCP ngày 15/09/2025 của Văn phòng Chính phủ"
# In force 30/10/2025 [U]: the domain notes (onestop.md §0 table) give only the signing date,
# 15/09/2025. Luật Ban hành văn bản quy phạm pháp luật 2025 (64/2025/QH15) Art. 57(1), as the 2015
# law's Art. 151(1) before it (cited from memory, not from the domain notes [U]): a central
# normative act takes effect no earlier than 45 days after it is signed, so 15/09 + 45 days =
# 30/10/2025 is the earliest lawful date. If the circular's own final article names a later day,
# change this one constant (no dossier can have been received under it before that day anyway).
_TT03_2025_IN_FORCE = date(2025, 10, 30)
_TT03_DIR = "dossiers/forms/tt03_2025"


def _tt03(kind: FormKind, number: str, title: str, suffix: str, page: str = A5) -> FormEdition:
    return FormEdition(
        kind=kind,
        effective_from=_TT03_2025_IN_FORCE,
        legal_basis=_TT03_2025,
        number=number,
        title=title,
        number_suffix=suffix,
        template=f"{_TT03_DIR}/{kind.value}.html",
        page_size=page,
    )


# Decree 118/2025/NĐ-CP Art. 21 (in force 01/07/2025) lets the citizen stop a dossier, and the
# one-stop office then sends a stop notice; TT 01/2018 has no form for it. A dossier received
# under the 2018 forms that is stopped gets a notice with the same content, without a form number,
# citing the decree (onestop.md §1.7; the choice is recorded in ADR 0021).
_DECREE_118_STOP = (
    "Thông báo lập theo Điều 21 Nghị định số 118/2025/NĐ-CP; Thông tư số 01/2018/TT-VPCP"
    " không có mẫu thông báo này"
)


# The editions, oldest first. A new circular adds entries with its date; entries already in force
# are never edited, so forms already printed keep their meaning.
FORM_EDITIONS: tuple[FormEdition, ...] = (
    _tt01(FormKind.RECEIPT, "Mẫu 01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "TTPVHCC"),
    _tt01(FormKind.SUPPLEMENT_REQUEST, "Mẫu 02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "PBS"),
    _tt01(FormKind.REFUSAL, "Mẫu 03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "PTC"),
    _tt01(FormKind.APOLOGY, "Mẫu 04", "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", "PXL"),
    _tt01(FormKind.CONTROL_SHEET, "Mẫu 05", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", "PKS"),
    _tt01(FormKind.REGISTER, "Mẫu 06", "SỔ THEO DÕI HỒ SƠ", "STD", A4_LANDSCAPE),
    dataclasses.replace(
        _tt01(FormKind.STOP_NOTICE, "", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", "TB"),
        legal_basis=_DECREE_118_STOP,
    ),
    # TT 03/2025/TT-VPCP Phụ lục I [S]: seven forms, numbered as one secondary source gives them
    # (onestop.md §2.1); the apology renamed as in the 2025 Bộ Y tế reproduction (QĐ 3621/QĐ-BYT,
    # onestop.md §1.6). The stop notice's number suffix is not known [U]: “TB” (thông báo).
    _tt03(FormKind.RECEIPT, "Mẫu 01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "TTPVHCC"),
    _tt03(FormKind.SUPPLEMENT_REQUEST, "Mẫu 02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "PBS"),
    _tt03(FormKind.REFUSAL, "Mẫu 03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "PTC"),
    _tt03(
        FormKind.APOLOGY,
        "Mẫu 04",
        "PHIẾU XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
        "PXL",
    ),
    _tt03(FormKind.STOP_NOTICE, "Mẫu 05", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", "TB"),
    _tt03(FormKind.CONTROL_SHEET, "Mẫu 06", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", "PKS"),
    _tt03(FormKind.REGISTER, "Mẫu 07", "SỔ THEO DÕI HỒ SƠ", "STD", A4_LANDSCAPE),
)


def edition_by_number(number: str, day: date) -> FormEdition:
    """The form numbered `number` (“05”) in the edition in force on `day`: the same number is a
    different form in each edition (Mẫu 05: the control sheet in 2018, the stop notice in 2025)."""
    kinds = {edition.kind for edition in FORM_EDITIONS}
    for kind in kinds:
        try:
            edition = edition_on(kind, day)
        except LookupError:
            continue
        if edition.number and edition.number.split()[-1] == number:
            return edition
    raise LookupError(f"Không có Mẫu {number} áp dụng cho ngày {day:%d/%m/%Y}.")


def label(edition: FormEdition) -> str:
    """“Mẫu 05 Thông báo dừng giải quyết hồ sơ”, or the title alone for a notice with no number."""
    title = edition.title[:1] + edition.title[1:].lower()
    return f"{edition.number} {title}" if edition.number else title


def edition_on(kind: FormKind, day: date) -> FormEdition:
    """The edition of `kind` in force on `day`."""
    in_force = [e for e in FORM_EDITIONS if e.kind == kind and e.effective_from <= day]
    if not in_force:
        raise LookupError(f"Không có mẫu áp dụng cho ngày {day:%d/%m/%Y} (loại {kind.value}).")
    return max(in_force, key=lambda edition: edition.effective_from)


def register_edition(year: int) -> FormEdition:
    """A register book is opened for a calendar year (TT 01/2018 Art. 10(5): one book a year), so
    it keeps the edition in force when the book was opened — 1 January, or the first edition that
    came into force during the year."""
    try:
        return edition_on(FormKind.REGISTER, date(year, 1, 1))
    except LookupError:
        return edition_on(FormKind.REGISTER, date(year, 12, 31))
