"""Numbers, money and time limits written the way a Vietnamese reader expects them:
"50.000 đồng", "0,5 ngày làm việc", "Miễn phí"."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from chinhquyen.core.display import moment
from chinhquyen.procedures.models import Fee
from chinhquyen.workdays.calendar import DurationUnit

__all__ = ["fee_amount", "moment", "money", "number", "time_limit"]

PER_UNIT = {"copy": "bản", "page": "trang", "sheet": "tờ"}


def number(value: Decimal | int | str) -> str:
    """Thousands with ".", decimals with "," (TCVN usage): 1234567.5 → "1.234.567,5"."""
    try:
        amount = Decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    if amount == amount.to_integral_value():
        amount = amount.quantize(Decimal(1))
    else:
        amount = amount.normalize()
    whole, _, fraction = f"{amount:,f}".partition(".")
    whole = whole.replace(",", ".")
    return f"{whole},{fraction}" if fraction else whole


def money(amount: Decimal | int | str) -> str:
    try:
        if Decimal(amount) == 0:
            return "Miễn phí"
    except (InvalidOperation, ValueError, TypeError):
        return str(amount)
    return f"{number(amount)} đồng"


def fee_amount(fee: Fee) -> str:
    """The amount of a fee with its rule: "2.000 đồng/bản (tối thiểu 2.000 đồng, tối đa ...)"."""
    text = money(fee.amount)
    rule = fee.rule if isinstance(fee.rule, dict) else {}
    per = PER_UNIT.get(str(rule.get("per", "")))
    if per and text != "Miễn phí":
        text = f"{text}/{per}"
    bounds = [
        f"{word} {money(rule[key])}"
        for key, word in (("min", "tối thiểu"), ("max", "tối đa"))
        if rule.get(key) not in (None, "")
    ]
    return f"{text} ({', '.join(bounds)})" if bounds else text


def time_limit(value: Decimal | int | str, unit: str) -> str:
    """ "3 ngày làm việc"; a limit of 0 means within the same day (or hour)."""
    try:
        label = str(DurationUnit(unit).label).lower()
    except ValueError:
        label = unit
    try:
        is_zero = Decimal(value) == 0
    except (InvalidOperation, ValueError, TypeError):
        is_zero = False
    if is_zero:
        return "Trong ngày làm việc" if unit != DurationUnit.WORKING_HOURS else "Ngay khi tiếp nhận"
    return f"{number(value)} {label}"
