"""The VNPAY 2.1.0 wire format: what is signed, how, and what the answer codes mean.

- Payment URL, browser return and IPN: the `vnp_*` parameters except `vnp_SecureHash` and
  `vnp_SecureHashType`, empty values left out, sorted by name, each name and value URL-encoded
  (`quote_plus`) and joined as `k=v&k=v`; `vnp_SecureHash` is the hex HMAC-SHA512 of that string
  under the merchant's hash secret.
- `querydr` (status query, JSON over HTTP POST): the hash covers fixed fields joined with `|`
  in a fixed order, for the request and for the answer alike.
- Times are `yyyyMMddHHmmss` in Vietnam time (GMT+7); amounts are VND × 100 (no decimals).
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")
VERSION = "2.1.0"
HASH_FIELDS = ("vnp_SecureHash", "vnp_SecureHashType")
# The order of the `querydr` hash fields is part of the protocol.
QUERY_REQUEST_FIELDS = (
    "vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TxnRef",
    "vnp_TransactionDate", "vnp_CreateDate", "vnp_IpAddr", "vnp_OrderInfo",
)  # fmt: skip
QUERY_ANSWER_FIELDS = (
    "vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode",
    "vnp_TxnRef", "vnp_Amount", "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo",
    "vnp_TransactionType", "vnp_TransactionStatus", "vnp_OrderInfo", "vnp_PromotionCode",
    "vnp_PromotionAmount",
)  # fmt: skip

# vnp_ResponseCode of a payment (return and IPN), shown to the citizen.
RESPONSE_MESSAGES = {
    "00": "Giao dịch thành công.",
    "07": "Ngân hàng đã trừ tiền nhưng giao dịch đang bị kiểm tra (nghi ngờ bất thường).",
    "09": "Thẻ hoặc tài khoản chưa đăng ký dịch vụ ngân hàng điện tử.",
    "10": "Xác thực thông tin thẻ hoặc tài khoản sai quá 3 lần.",
    "11": "Đã hết thời gian chờ thanh toán.",
    "12": "Thẻ hoặc tài khoản bị khóa.",
    "13": "Mã xác thực giao dịch (OTP) không đúng.",
    "24": "Bạn đã hủy giao dịch.",
    "51": "Tài khoản không đủ số dư.",
    "65": "Tài khoản đã vượt hạn mức giao dịch trong ngày.",
    "75": "Ngân hàng thanh toán đang bảo trì.",
    "79": "Nhập sai mật khẩu thanh toán quá số lần quy định.",
    "99": "Giao dịch không thành công.",
}
CANCELLED_BY_PAYER = "24"
# Money taken but held by the gateway for review: neither paid nor failed yet (status query later).
UNDER_REVIEW = "07"


class Decision(StrEnum):
    PAID = "paid"
    FAILED = "failed"
    CANCELLED = "cancelled"
    UNDECIDED = "undecided"  # still pending at the gateway, unknown there, or under review


@dataclass(frozen=True)
class GatewayResult:
    """A gateway message after its signature was checked; nothing here is trusted when
    `signature_valid` is false."""

    signature_valid: bool
    txn_ref: str
    amount_minor: int | None  # vnp_Amount: VND × 100
    decision: Decision
    response_code: str
    transaction_status: str
    transaction_no: str
    bank_code: str
    paid_at: datetime | None

    @property
    def message(self) -> str:
        if self.decision is Decision.PAID:
            return RESPONSE_MESSAGES["00"]
        return RESPONSE_MESSAGES.get(self.response_code, RESPONSE_MESSAGES["99"])


def hmac_sha512(secret: str, data: str) -> str:
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


def canonical_query(params: Mapping[str, str]) -> str:
    """The string a payment URL, return or IPN signature covers (see the module docstring)."""
    items = sorted(
        (key, str(value))
        for key, value in params.items()
        if key.startswith("vnp_") and key not in HASH_FIELDS and str(value) != ""
    )
    return "&".join(f"{quote_plus(key)}={quote_plus(value)}" for key, value in items)


def sign_query(params: Mapping[str, str], secret: str) -> str:
    return hmac_sha512(secret, canonical_query(params))


def signed_query_string(params: Mapping[str, str], secret: str) -> str:
    """`k=v&…&vnp_SecureHash=…`: the query of a payment URL (or of a return / IPN)."""
    return f"{canonical_query(params)}&vnp_SecureHash={sign_query(params, secret)}"


def _same_hash(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.strip().lower().encode(), expected.encode())


def verify_query(params: Mapping[str, str], secret: str) -> bool:
    given = str(params.get("vnp_SecureHash", ""))
    return bool(given) and _same_hash(given, sign_query(params, secret))


def pipe_hash(params: Mapping[str, str], fields: Iterable[str], secret: str) -> str:
    return hmac_sha512(secret, "|".join(str(params.get(name, "")) for name in fields))


def verify_pipe(params: Mapping[str, str], fields: Iterable[str], secret: str) -> bool:
    given = str(params.get("vnp_SecureHash", ""))
    return bool(given) and _same_hash(given, pipe_hash(params, fields, secret))


def format_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("Thời điểm gửi cổng thanh toán phải có múi giờ.")
    return moment.astimezone(VN).strftime("%Y%m%d%H%M%S")


def parse_time(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=VN)
    except (TypeError, ValueError):
        return None


def parse_amount(value: object) -> int | None:
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() else None


def plain_order_info(text: str, limit: int = 255) -> str:
    """vnp_OrderInfo must be Vietnamese without diacritics and without special characters."""
    text = text.replace("đ", "d").replace("Đ", "D")
    stripped = "".join(
        char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char)
    )
    allowed = "".join(char if char.isascii() and (char.isalnum() or char in " .,-_:/") else " "
                      for char in stripped)  # fmt: skip
    return " ".join(allowed.split())[:limit]


def payment_decision(response_code: str, transaction_status: str) -> Decision:
    """Return and IPN: paid only when both codes are "00" (the gateway's documented rule)."""
    if response_code == "00" and transaction_status == "00":
        return Decision.PAID
    if UNDER_REVIEW in (response_code, transaction_status):
        return Decision.UNDECIDED
    if response_code == CANCELLED_BY_PAYER:
        return Decision.CANCELLED
    return Decision.FAILED


def query_decision(response_code: str, transaction_status: str) -> Decision:
    """`querydr`: response code "00" means the transaction was found; its status decides.
    "91" (not found), "01" (not finished) and "07" (under review) decide nothing yet."""
    if response_code != "00" or transaction_status in ("01", UNDER_REVIEW):
        return Decision.UNDECIDED
    return Decision.PAID if transaction_status == "00" else Decision.FAILED
