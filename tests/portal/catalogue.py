"""Catalogue rows made directly with the ORM, `search_text` folded here: the actions that
maintain it belong to the procedures app and are tested there."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from chinhquyen.procedures.models import Field, Procedure, ProcedureVersion
from chinhquyen.procedures.text import fold

_codes = iter(range(1, 10**6))


def field(code: str, name: str) -> Field:
    found, _ = Field.objects.get_or_create(
        code=code, defaults={"name": name, "search_text": fold(name)}
    )
    return found


def version(
    name: str,
    *,
    field_of: Field | None = None,
    national_code: str | None = None,
    number: int = 1,
    status: str = ProcedureVersion.Status.PUBLISHED,
    effective_from: date | None = None,
    effective_to: date | None = None,
    **values: Any,
) -> ProcedureVersion:
    procedure, _ = Procedure.objects.get_or_create(
        national_code=national_code or f"1.{next(_codes):06d}.000.00.00.H99"
    )
    chosen_field = field_of or field("HT", "Hộ tịch")
    defaults: dict[str, Any] = {
        "audiences": ["citizen"],
        "online_level": "full",
        "implementing_level": "commune",
        "implementing_text": "Ủy ban nhân dân cấp xã",
        "time_limit_value": Decimal(3),
        "time_limit_unit": "working_days",
        "result": "Giấy chứng nhận",
        "delivery_options": ["counter"],
    }
    created = ProcedureVersion.objects.create(
        procedure=procedure,
        version=number,
        status=status,
        effective_from=effective_from or timezone.localdate() - timedelta(days=30),
        effective_to=effective_to,
        name=name,
        field=chosen_field,
        **(defaults | values),
    )
    created.search_text = fold(f"{name} {chosen_field.name} {procedure.national_code}")
    created.save(update_fields=["search_text"])
    return created
