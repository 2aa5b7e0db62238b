"""The VNPAY 2.1.0 wire format, against answers computed outside this code: the canonical query
of the gateway's published sample URL, and HMAC-SHA512 values from `openssl dgst -hmac`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chinhquyen.integrations.paygate import protocol
from chinhquyen.integrations.paygate.client import PaygateClient, PaymentOrder
from chinhquyen.integrations.paygate.protocol import Decision

SECRET = "KHOABIMATTHUNGHIEM"
# The parameters of the sample payment URL in the gateway's documentation (pay.html).
SAMPLE = {
    "vnp_Amount": "1806000",
    "vnp_Command": "pay",
    "vnp_CreateDate": "20210801153333",
    "vnp_CurrCode": "VND",
    "vnp_IpAddr": "127.0.0.1",
    "vnp_Locale": "vn",
    "vnp_OrderInfo": "Thanh toan don hang :5",
    "vnp_OrderType": "other",
    "vnp_ReturnUrl": "https://domainmerchant.vn/ReturnUrl",
    "vnp_TmnCode": "DEMOV210",
    "vnp_TxnRef": "5",
    "vnp_Version": "2.1.0",
}
SAMPLE_QUERY = (
    "vnp_Amount=1806000&vnp_Command=pay&vnp_CreateDate=20210801153333&vnp_CurrCode=VND"
    "&vnp_IpAddr=127.0.0.1&vnp_Locale=vn&vnp_OrderInfo=Thanh+toan+don+hang+%3A5"
    "&vnp_OrderType=other&vnp_ReturnUrl=https%3A%2F%2Fdomainmerchant.vn%2FReturnUrl"
    "&vnp_TmnCode=DEMOV210&vnp_TxnRef=5&vnp_Version=2.1.0"
)
# printf '%s' "$SAMPLE_QUERY" | openssl dgst -sha512 -hmac KHOABIMATTHUNGHIEM
SAMPLE_HASH = (
    "9a300ea5779d7345b9b4efda34dc6057a62a6756dc992ba0881d79817e7a622d"
    "95deb5480cbb4eae7179f76fba3fa803eb2c082ec322cb04fab4511afafd311c"
)


def test_canonical_query_is_the_documented_one() -> None:
    shuffled = dict(reversed(list(SAMPLE.items())))
    assert protocol.canonical_query(shuffled) == SAMPLE_QUERY


def test_signature_matches_an_independent_hmac() -> None:
    assert protocol.sign_query(SAMPLE, SECRET) == SAMPLE_HASH


def test_hash_fields_and_empty_values_and_foreign_keys_are_not_signed() -> None:
    extra = {**SAMPLE, "vnp_BankCode": "", "outcome": "fail", "vnp_SecureHashType": "HmacSHA512"}
    assert protocol.sign_query(extra, SECRET) == SAMPLE_HASH


def test_verify_accepts_the_signature_and_refuses_any_change() -> None:
    signed = {**SAMPLE, "vnp_SecureHash": SAMPLE_HASH.upper()}  # hex case does not matter
    assert protocol.verify_query(signed, SECRET)
    assert not protocol.verify_query({**signed, "vnp_Amount": "1806100"}, SECRET)
    assert not protocol.verify_query(signed, SECRET + "x")
    assert not protocol.verify_query(SAMPLE, SECRET)  # no signature at all


def test_querydr_hash_is_pipe_joined_in_the_fixed_order() -> None:
    request = {
        "vnp_OrderInfo": "Doi soat giao dich 5",
        "vnp_IpAddr": "127.0.0.1",
        "vnp_CreateDate": "20210801160000",
        "vnp_TransactionDate": "20210801153333",
        "vnp_TxnRef": "5",
        "vnp_TmnCode": "DEMOV210",
        "vnp_Command": "querydr",
        "vnp_Version": "2.1.0",
        "vnp_RequestId": "REQ1",
    }
    # printf '%s' 'REQ1|2.1.0|querydr|DEMOV210|5|20210801153333|20210801160000|127.0.0.1|
    # Doi soat giao dich 5' | openssl dgst -sha512 -hmac KHOABIMATTHUNGHIEM
    assert protocol.pipe_hash(request, protocol.QUERY_REQUEST_FIELDS, SECRET) == (
        "63da4f849426efa718e57956a6c1a59913486ef3deef4075e49404b2cacbbacc"
        "67a1e5d3e6ca6b8ce96eb4c40d79a6f2b401d381fc9e19f322d7422c68aade32"
    )


def test_times_are_vietnam_time() -> None:
    assert protocol.format_time(datetime(2025, 10, 15, 17, 30, tzinfo=UTC)) == "20251016003000"
    parsed = protocol.parse_time("20251016003000")
    assert parsed is not None and parsed == datetime(2025, 10, 15, 17, 30, tzinfo=UTC)
    assert protocol.parse_time("2025-10-16") is None
    with pytest.raises(ValueError, match="múi giờ"):
        protocol.format_time(datetime(2025, 10, 15, 17, 30))


def test_order_info_is_plain_ascii() -> None:
    text = "Lệ phí đăng ký khai sinh — Hồ sơ số 000.00.01.H99-251015-0001 (Đợt 2) & 100%"
    assert protocol.plain_order_info(text) == (
        "Le phi dang ky khai sinh Ho so so 000.00.01.H99-251015-0001 Dot 2 100"
    )
    assert len(protocol.plain_order_info("ồ" * 400)) == 255


@pytest.mark.parametrize(
    ("response", "status", "decision"),
    [
        ("00", "00", Decision.PAID),
        ("00", "02", Decision.FAILED),  # both codes must say success
        ("24", "02", Decision.CANCELLED),
        ("51", "02", Decision.FAILED),
        ("07", "07", Decision.UNDECIDED),  # money held for review: neither paid nor failed
    ],
)
def test_payment_decision(response: str, status: str, decision: Decision) -> None:
    assert protocol.payment_decision(response, status) is decision


@pytest.mark.parametrize(
    ("response", "status", "decision"),
    [
        ("00", "00", Decision.PAID),
        ("00", "01", Decision.UNDECIDED),
        ("00", "02", Decision.FAILED),
        ("91", "", Decision.UNDECIDED),
    ],
)
def test_query_decision(response: str, status: str, decision: Decision) -> None:
    assert protocol.query_decision(response, status) is decision


def test_payment_url_carries_the_protocol_fields() -> None:
    from urllib.parse import parse_qsl, urlsplit

    client = PaygateClient("https://gw.example/pay", "https://gw.example/q", "DEMOV210", SECRET)
    created = datetime(2025, 10, 15, 2, 30, tzinfo=UTC)
    url = client.payment_url(
        PaymentOrder(
            txn_ref="251015ABCDEF", amount=50_000, order_info="Lệ phí hộ tịch",
            return_url="https://dvc.example/thanh-toan/ket-qua/", client_ip="203.0.113.7",
            created_at=created, expires_at=created.replace(minute=45),
        )
    )  # fmt: skip
    params = dict(parse_qsl(urlsplit(url).query))
    assert url.startswith("https://gw.example/pay?vnp_Amount=5000000&")
    assert params["vnp_Amount"] == "5000000"  # amount × 100
    assert params["vnp_CreateDate"] == "20251015093000"
    assert params["vnp_ExpireDate"] == "20251015094500"
    assert params["vnp_OrderInfo"] == "Le phi ho tich"
    assert {params[k] for k in ("vnp_Version", "vnp_Command", "vnp_CurrCode", "vnp_Locale")} == {
        "2.1.0", "pay", "VND", "vn",
    }  # fmt: skip
    assert protocol.verify_query(params, SECRET)
    assert client.read_callback(params).signature_valid
    assert not client.read_callback({**params, "vnp_TmnCode": "KHAC"}).signature_valid
