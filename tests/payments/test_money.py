"""Amounts on receipts: figures with "." thousands, words as Vietnamese banks write them."""

from __future__ import annotations

import pytest

from chinhquyen.payments.money import amount_in_words, vnd


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "Không đồng"),
        (15, "Mười lăm đồng"),
        (21, "Hai mươi mốt đồng"),
        (24, "Hai mươi tư đồng"),
        (105, "Một trăm linh năm đồng"),
        (110, "Một trăm mười đồng"),
        (14_000, "Mười bốn nghìn đồng"),
        (50_000, "Năm mươi nghìn đồng"),
        (1_005_000, "Một triệu không trăm linh năm nghìn đồng"),
        (1_250_000, "Một triệu hai trăm năm mươi nghìn đồng"),
        (1_000_005, "Một triệu không trăm linh năm đồng"),
        (2_005_000_000, "Hai tỷ không trăm linh năm triệu đồng"),
        (1_000_000_000_000, "Một nghìn tỷ đồng"),
    ],
)
def test_amount_in_words(amount: int, words: str) -> None:
    assert amount_in_words(amount) == words


def test_figures() -> None:
    assert vnd(1_250_000) == "1.250.000 đồng"
    assert vnd(500) == "500 đồng"


def test_negative_amounts_have_no_words() -> None:
    with pytest.raises(ValueError, match="âm"):
        amount_in_words(-1)
