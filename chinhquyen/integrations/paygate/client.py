"""HTTP client for a VNPAY 2.1.0 gateway (wire format in protocol.py):

- `payment_url(order)`: the signed URL the citizen's browser is sent to;
- `read_callback(params)`: a browser return or an IPN, signature checked;
- `query(...)` + `read_query_answer(answer)`: `querydr` over HTTP POST (JSON), for
  reconciliation of payments whose IPN never arrived.

Unreachable gateways, HTTP errors and malformed answers raise `PaygateError` (Vietnamese text);
nothing here touches the database."""

from __future__ import annotations

import http.client
import json
import secrets
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from chinhquyen.integrations.paygate import protocol
from chinhquyen.integrations.paygate.protocol import Decision, GatewayResult


class PaygateError(Exception):
    """The gateway could not be asked or gave no usable answer; `str()` is Vietnamese."""


@dataclass(frozen=True)
class PaymentOrder:
    txn_ref: str
    amount: int  # whole VND
    order_info: str
    return_url: str
    client_ip: str
    created_at: datetime
    expires_at: datetime
    order_type: str = "billpayment"  # the gateway's category for bills and fees


@dataclass(frozen=True)
class PaygateClient:
    pay_url: str
    query_url: str
    tmn_code: str
    hash_secret: str = field(repr=False)
    timeout: float = 10.0

    def payment_url(self, order: PaymentOrder) -> str:
        params = {
            "vnp_Version": protocol.VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": str(order.amount * 100),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": order.txn_ref,
            "vnp_OrderInfo": protocol.plain_order_info(order.order_info),
            "vnp_OrderType": order.order_type,
            "vnp_Locale": "vn",
            "vnp_ReturnUrl": order.return_url,
            "vnp_IpAddr": order.client_ip or "127.0.0.1",
            "vnp_CreateDate": protocol.format_time(order.created_at),
            "vnp_ExpireDate": protocol.format_time(order.expires_at),
        }
        return f"{self.pay_url}?{protocol.signed_query_string(params, self.hash_secret)}"

    def read_callback(self, params: Mapping[str, str]) -> GatewayResult:
        """A browser return or an IPN. The signature covers every `vnp_*` field."""
        valid = protocol.verify_query(params, self.hash_secret)
        valid = valid and params.get("vnp_TmnCode") == self.tmn_code
        response_code = str(params.get("vnp_ResponseCode", ""))
        status = str(params.get("vnp_TransactionStatus", ""))
        return _result(params, valid, protocol.payment_decision(response_code, status))

    def query(self, *, txn_ref: str, transaction_date: datetime, client_ip: str,
              now: datetime) -> dict[str, str]:  # fmt: skip
        """Ask the gateway about one order (`querydr`); returns the raw signed answer."""
        request = {
            "vnp_RequestId": secrets.token_hex(16),
            "vnp_Version": protocol.VERSION,
            "vnp_Command": "querydr",
            "vnp_TmnCode": self.tmn_code,
            "vnp_TxnRef": txn_ref,
            "vnp_TransactionDate": protocol.format_time(transaction_date),
            "vnp_CreateDate": protocol.format_time(now),
            "vnp_IpAddr": client_ip or "127.0.0.1",
            "vnp_OrderInfo": f"Doi soat giao dich {txn_ref}",
        }
        request["vnp_SecureHash"] = protocol.pipe_hash(
            request, protocol.QUERY_REQUEST_FIELDS, self.hash_secret
        )
        answer = self._post_json(request)
        code = answer.get("vnp_ResponseCode", "")
        if code in ("02", "03", "97"):  # merchant unknown, malformed request, bad checksum
            raise PaygateError(f"Cổng thanh toán từ chối yêu cầu tra cứu (mã {code}).")
        return answer

    def read_query_answer(self, answer: Mapping[str, str]) -> GatewayResult:
        valid = protocol.verify_pipe(answer, protocol.QUERY_ANSWER_FIELDS, self.hash_secret)
        valid = valid and answer.get("vnp_TmnCode") == self.tmn_code
        decision = protocol.query_decision(
            str(answer.get("vnp_ResponseCode", "")), str(answer.get("vnp_TransactionStatus", ""))
        )
        return _result(answer, valid, decision)

    def _post_json(self, body: dict[str, str]) -> dict[str, str]:
        request = urllib.request.Request(  # noqa: S310 - URL comes from settings (http/https)
            self.query_url,
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read(64 * 1024)
        except urllib.error.HTTPError as error:
            raise PaygateError(f"Cổng thanh toán trả lời HTTP {error.code}.") from None
        except (OSError, http.client.HTTPException, ValueError) as error:
            raise PaygateError(
                f"Không kết nối được cổng thanh toán ({type(error).__name__})."
            ) from None
        try:
            answer = json.loads(raw)
        except ValueError:
            raise PaygateError("Cổng thanh toán trả lời không phải JSON.") from None
        if not isinstance(answer, dict):
            raise PaygateError("Cổng thanh toán trả lời sai định dạng.")
        return {str(key): "" if value is None else str(value) for key, value in answer.items()}


def _result(params: Mapping[str, str], valid: bool, decision: Decision) -> GatewayResult:
    return GatewayResult(
        signature_valid=valid,
        txn_ref=str(params.get("vnp_TxnRef", ""))[:100],
        amount_minor=protocol.parse_amount(params.get("vnp_Amount")),
        decision=decision,
        response_code=str(params.get("vnp_ResponseCode", ""))[:4],
        transaction_status=str(params.get("vnp_TransactionStatus", ""))[:4],
        transaction_no=str(params.get("vnp_TransactionNo", ""))[:40],
        bank_code=str(params.get("vnp_BankCode", ""))[:20],
        paid_at=protocol.parse_time(str(params.get("vnp_PayDate", ""))),
    )
