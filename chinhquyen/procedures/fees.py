"""What a dossier owes: the fees (lệ phí) and charges (phí) of a procedure version applied to the
applicant's answers (Decree 61/2018 Art. 22: fees are shown before submission and paid by the
channel the citizen chooses). Rules are catalogue data (docs/catalogue-format.md, fees)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from chinhquyen.core.sql import all_where
from chinhquyen.procedures.models import Fee, ProcedureVersion


@dataclass(frozen=True)
class FeeLine:
    kind: str
    name: str
    unit_amount: Decimal
    quantity: int
    amount: Decimal
    estimated: bool  # quantity not known from the answers: counted as one, checked at reception
    note: str


@dataclass(frozen=True)
class FeeQuote:
    lines: tuple[FeeLine, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))

    @property
    def estimated(self) -> bool:
        return any(line.estimated for line in self.lines)

    def as_data(self) -> list[dict[str, Any]]:
        return [
            {
                "kind": line.kind,
                "name": line.name,
                "unit_amount": str(line.unit_amount),
                "quantity": line.quantity,
                "amount": str(line.amount),
                "estimated": line.estimated,
            }
            for line in self.lines
        ]


def quote_fees(
    version: ProcedureVersion, answers: Mapping[str, Any], *, today: date | None = None
) -> FeeQuote:
    """The fees due for `answers`; fees whose `applies_if` does not hold are left out."""
    today = today or timezone.localdate()
    lines = []
    # Prepared (core.sql): read on every draft page and every submission.
    for fee in all_where(Fee, "t0.version_id = %s", [version.pk], order_by="t0.id"):
        rule = fee.rule or {}
        if "applies_if" in rule and not _applies(rule["applies_if"], answers, today):
            continue
        lines.append(_line(fee, rule, answers))
    return FeeQuote(tuple(line for line in lines if line.amount > 0))


def _line(fee: Fee, rule: Mapping[str, Any], answers: Mapping[str, Any]) -> FeeLine:
    quantity, estimated = 1, False
    if "per" in rule:
        found = _quantity(answers, rule.get("quantity_field", ""))
        quantity, estimated = (found, False) if found is not None else (1, True)
    amount = fee.amount * quantity
    if "min" in rule:
        amount = max(amount, Decimal(rule["min"]))
    if "max" in rule:
        amount = min(amount, Decimal(rule["max"]))
    return FeeLine(fee.kind, fee.name, fee.amount, quantity, amount, estimated, fee.note)


def _values(answers: Mapping[str, Any], path: str) -> list[Any]:
    """Every value at `group.field`; a repeatable group gives one per instance."""
    group_key, _, field_key = path.partition(".")
    group = answers.get(group_key)
    instances: Iterable[Any] = group if isinstance(group, list) else [group]
    return [item.get(field_key) for item in instances if isinstance(item, Mapping)]


def _quantity(answers: Mapping[str, Any], path: str) -> int | None:
    if not path:
        return None
    total = 0
    for value in _values(answers, path):
        try:
            total += int(value)
        except (TypeError, ValueError):
            return None
    return total if total > 0 else None


def _applies(condition: Mapping[str, Any], answers: Mapping[str, Any], today: date) -> bool:
    values = _values(answers, condition["field"])
    if "older_than_days" in condition:
        limit = today - timedelta(days=int(condition["older_than_days"]))
        return any(_before(value, limit) for value in values)
    if "truthy" in condition:
        return any(bool(value) for value in values)
    return any(value == condition["equals"] for value in values)


def _before(value: Any, limit: date) -> bool:
    try:
        return date.fromisoformat(str(value)) < limit
    except ValueError:
        return False
