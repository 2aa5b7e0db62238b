"""Amounts of Vietnamese đồng as a receipt prints them: "1.250.000 đồng" in figures and
"Một triệu hai trăm năm mươi nghìn đồng" in words (the amount in words is what a receipt's
reader relies on when figures are smudged or altered)."""

from __future__ import annotations

import re
from decimal import Decimal

DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
SCALES = ["", "nghìn", "triệu", "tỷ"]


def vnd(amount: Decimal | int) -> str:
    """Thousands separated by "." (Vietnamese usage): 1250000 → "1.250.000 đồng"."""
    return f"{int(amount):,}".replace(",", ".") + " đồng"


def _units(digit: int, tens: int) -> str:
    if digit == 1 and tens >= 2:
        return "mốt"  # hai mươi mốt
    if digit == 5 and tens >= 1:
        return "lăm"  # mười lăm, hai mươi lăm
    if digit == 4 and tens >= 2:
        return "tư"  # hai mươi tư
    return DIGITS[digit]


def _group(number: int, full: bool) -> list[str]:
    """Words for 0–999; `full` reads the hundreds even when zero ("không trăm linh năm"), as
    for every group after the first."""
    hundreds, tens, units = number // 100, number // 10 % 10, number % 10
    words: list[str] = []
    if full or hundreds:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words.append("linh")  # một trăm linh năm
    elif tens == 1:
        words.append("mười")
    else:
        words += [DIGITS[tens], "mươi"]
    if units:
        words.append(_units(units, tens))
    return words


def _words(number: int) -> list[str]:
    if number >= 10**9:
        billions, rest = divmod(number, 10**9)
        rest_words = _words_below_billion(rest, full=True) if rest else []
        return [*_words(billions), "tỷ", *rest_words]
    return _words_below_billion(number, full=False)


def _words_below_billion(number: int, *, full: bool) -> list[str]:
    groups = [number // 10**6 % 1000, number // 1000 % 1000, number % 1000]
    words: list[str] = []
    for index, group in enumerate(groups):
        if group == 0:
            continue
        scale = SCALES[2 - index]
        words += _group(group, full=full or bool(words))
        if scale:
            words.append(scale)
    return words


def amount_in_words(amount: Decimal | int) -> str:
    """1250000 → "Một triệu hai trăm năm mươi nghìn đồng"; 0 → "Không đồng"."""
    number = int(amount)
    if number < 0:
        raise ValueError("Số tiền không được âm.")
    words = _words(number) if number else ["không"]
    text = " ".join([*words, "đồng"])
    return text[0].upper() + text[1:]


# Whole đồng as an officer types it: "50000" or with dot-grouped thousands "50.000" (the way
# amounts are written back to them); never a decimal point — VND has no subunit in use.
_TYPED_DONG = re.compile(r"\d{1,3}(?:\.\d{3})+|\d{1,13}")


def parse_dong(value: object) -> Decimal | None:
    """A typed or API amount of whole đồng, or None when it is not one ("50.5", "-3", "", a
    boolean). A number from JSON (int) is taken as it is."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return Decimal(value) if value >= 0 else None
    if isinstance(value, Decimal):
        return value if value.is_finite() and value == value.to_integral_value() else None
    text = str(value).strip()
    return Decimal(text.replace(".", "")) if _TYPED_DONG.fullmatch(text) else None
