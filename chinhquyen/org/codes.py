"""Agency identifier codes (mã định danh điện tử).

QCVN 102:2016 with TT 10/2016 writes a code as four groups, level 1 last: `000.00.00.H54`
(the provincial People's Committee), `000.00.01.H54`, ... QĐ 20/2020/QĐ-TTg Art. 4 allows up to
35 characters of `.`, `0-9` and `A-Z`, developed from left to right, level 1 first (`H37.DN.001`).
shared/domain/documents.md §2.1 design rule: keep the code opaque, accept both orders, and take
the hierarchy from the registry, never from parsing.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_LENGTH = 35  # QĐ 20/2020 Art. 4
_CHARSET = re.compile(r"^[0-9A-Z.]+$")
_LEVEL1 = r"[A-Z][0-9]{2}"
# TT 10/2016: V1V2V3.Z1Z2.Y1Y2.MX1X2 (unused levels filled with zeros).
TT10_2016 = re.compile(rf"^[0-9]{{3}}\.[0-9]{{2}}\.[0-9]{{2}}\.{_LEVEL1}$")
# QĐ 20/2020: level-1 group first, then groups developed left to right.
QD20_2020 = re.compile(rf"^{_LEVEL1}(\.[0-9A-Z]{{1,10}})*$")


def normalize_identifier_code(value: str) -> str:
    return value.strip()


def validate_identifier_code(value: str) -> None:
    """Refuse a malformed code with a message a clerk can act on."""
    if not value:
        raise ValidationError(_("Mã định danh không được để trống."), code="empty")
    if len(value) > MAX_LENGTH:
        raise ValidationError(
            _("Mã định danh dài tối đa %(max)d ký tự (QĐ 20/2020/QĐ-TTg, Điều 4).")
            % {"max": MAX_LENGTH},
            code="too_long",
        )
    if not _CHARSET.match(value):
        raise ValidationError(
            _("Mã định danh chỉ gồm chữ in hoa A–Z, chữ số 0–9 và dấu chấm: “%(value)s”.")
            % {"value": value},
            code="charset",
        )
    if not (TT10_2016.match(value) or QD20_2020.match(value)):
        raise ValidationError(
            _(
                "Mã định danh “%(value)s” không đúng định dạng: dùng dạng 000.00.00.H33 "
                "(TT 10/2016) hoặc H33.XX.YYY (QĐ 20/2020)."
            )
            % {"value": value},
            code="format",
        )
