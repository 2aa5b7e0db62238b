"""Validators for what identifies a citizen or an organisation: the personal identification
number (số định danh cá nhân, printed on the CCCD card), the date of birth, the enterprise code
(mã số doanh nghiệp) and a Vietnamese mobile number. Messages are Vietnamese; each validator
raises Django's `ValidationError`, so it serves model fields, forms and actions alike."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

# Circular 59/2021/TT-BCA Art. 7 (unchanged from Circular 07/2016/TT-BCA Appendix I): the first
# three digits are the code of the province where the birth was registered. These are the codes
# of the 63 provinces before the 2025 merger; numbers already issued keep their prefix.
PROVINCE_CODES_OF_BIRTH = frozenset(
    f"0{code:02d}"
    for code in (
        *(1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34),
        *(35, 36, 37, 38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67),
        *(68, 70, 72, 74, 75, 77, 79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96),
    )
)
EARLIEST_BIRTH_YEAR = 1900

_PERSONAL_ID = re.compile(r"[0-9]{12}")
_ENTERPRISE_CODE = re.compile(r"[0-9]{10}(?:-[0-9]{3})?")
_SEPARATORS = re.compile(r"[\s.\-()]")
# Mobile numbers: 0 and a mobile prefix (3, 5, 7, 8, 9) and 8 digits, or +84/84 without the 0;
# the same set the SMS gateway adapter accepts (chinhquyen.integrations.sms.client).
_MOBILE = re.compile(r"(?:\+84|84|0)([35789][0-9]{8})")

PERSONAL_ID_FORMAT = "Số định danh cá nhân gồm đúng 12 chữ số."
PERSONAL_ID_PROVINCE = "Ba chữ số đầu của số định danh không phải mã tỉnh nơi đăng ký khai sinh."
PERSONAL_ID_YEAR = "Chữ số thứ tư đến thứ sáu của số định danh (thế kỷ, năm sinh) không hợp lệ."
PERSONAL_ID_DOB = "Năm sinh trong số định danh cá nhân không khớp với ngày sinh."
DOB_FUTURE = "Ngày sinh không được sau ngày hôm nay."
DOB_TOO_EARLY = "Ngày sinh không được trước năm 1900."
ENTERPRISE_CODE_FORMAT = (
    "Mã số doanh nghiệp gồm 10 chữ số, hoặc 10 chữ số, dấu “-” và 3 chữ số đối với chi nhánh, "
    "đơn vị phụ thuộc (ví dụ 0101234567-001)."
)
PHONE_FORMAT = (
    "Số điện thoại di động gồm 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09 "
    "(có thể viết +84 thay cho số 0 đầu)."
)


def birth_year_of_personal_id(personal_id: str) -> int:
    """The year encoded in digits 4–6. Circular 59/2021/TT-BCA Art. 7(2): the fourth digit is the
    century and sex (0/1 for 1900–1999, 2/3 for 2000–2099, 4/5 for 2100–2199, ...), the fifth
    and sixth the last two digits of the year of birth."""
    return EARLIEST_BIRTH_YEAR + 100 * (int(personal_id[3]) // 2) + int(personal_id[4:6])


def validate_personal_id(
    value: str, *, date_of_birth: date | None = None, today: date | None = None
) -> None:
    """Twelve digits, a real province-of-birth code, a birth year not in the future and, when a
    date of birth is known, the same year as that date."""
    if not _PERSONAL_ID.fullmatch(value or ""):
        raise ValidationError(PERSONAL_ID_FORMAT, code="personal_id_format")
    if value[:3] not in PROVINCE_CODES_OF_BIRTH:
        raise ValidationError(PERSONAL_ID_PROVINCE, code="personal_id_province")
    year = birth_year_of_personal_id(value)
    if year > (today or timezone.localdate()).year:
        raise ValidationError(PERSONAL_ID_YEAR, code="personal_id_year")
    if date_of_birth is not None and date_of_birth.year != year:
        raise ValidationError(PERSONAL_ID_DOB, code="personal_id_dob")


def validate_date_of_birth(value: date, *, today: date | None = None) -> None:
    if value > (today or timezone.localdate()):
        raise ValidationError(DOB_FUTURE, code="dob_future")
    if value.year < EARLIEST_BIRTH_YEAR:
        raise ValidationError(DOB_TOO_EARLY, code="dob_too_early")


def normalise_enterprise_code(value: str) -> str:
    """Spaces dropped; 13 digits written as 10 + `-` + 3 (Circular 105/2020/TT-BTC Art. 5: the
    enterprise code is its tax code; a branch adds three digits after a hyphen)."""
    text = re.sub(r"\s", "", value or "")
    if re.fullmatch(r"[0-9]{13}", text):
        text = f"{text[:10]}-{text[10:]}"
    return text


def validate_enterprise_code(value: str) -> None:
    if not _ENTERPRISE_CODE.fullmatch(value or ""):
        raise ValidationError(ENTERPRISE_CODE_FORMAT, code="enterprise_code_format")


def normalise_phone(value: str) -> str:
    """`0912 345 678`, `+84 912 345 678`, `84912345678` → `0912345678` (the national form
    stored on the account); raises ValidationError for anything that is not a mobile number."""
    match = _MOBILE.fullmatch(_SEPARATORS.sub("", value or ""))
    if match is None:
        raise ValidationError(PHONE_FORMAT, code="phone_format")
    return "0" + match.group(1)


def validate_phone(value: str) -> None:
    """For stored values: the national form only (normalise first)."""
    if normalise_phone(value) != value:
        raise ValidationError(PHONE_FORMAT, code="phone_format")
