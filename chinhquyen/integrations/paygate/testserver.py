"""A payment gateway double speaking the VNPAY 2.1.0 protocol over HTTP (standard library only).

    python -m chinhquyen.integrations.paygate.testserver --port 8010 \\
        --ipn-url http://127.0.0.1:8000/thanh-toan/ipn/

- `GET /paymentv2/vpcpay.html?<signed order>`: a Vietnamese page with the amount and the order,
  and the buttons "Thanh toán" and "Hủy giao dịch". A bad signature or merchant code is refused.
- `POST /paymentv2/vpcpay.html` (that page's form): decides the result, sends the signed IPN to
  the merchant (server to server, HTTP GET on `--ipn-url`), then redirects the browser to
  `vnp_ReturnUrl` with the same signed parameters.
- `POST /merchant_webapi/api/transaction`: `querydr`, the status query used for reconciliation.
- `POST /_test/ipn/<txn_ref>`: send (again) the IPN of a transaction — a held one, or a duplicate.

Test knobs (form fields of the POST; `outcome` may also be put on the GET query, which the
signature does not cover): `outcome=success|fail` (fail: "51", not enough money),
`ipn=send|hold` (hold: the IPN waits for `/_test/ipn/<txn_ref>`, or is lost), and
`reported_amount` (a gateway that reports another amount than the order's, in VND × 100).

The signing code here is written again on purpose instead of importing `protocol.py`: a mistake
in the adapter's canonical form then makes the tests fail instead of agreeing with itself."""

from __future__ import annotations

import argparse
import hashlib
import hmac
import html
import itertools
import json
import secrets
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote_plus, urlsplit
from zoneinfo import ZoneInfo

from chinhquyen.integrations.testservers import QuietHandler, make_threading_server, serving

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PAY_PATH = "/paymentv2/vpcpay.html"
QUERY_PATH = "/merchant_webapi/api/transaction"
IPN_CONTROL_PATH = "/_test/ipn/"
QUERY_REQUEST_FIELDS = [
    "vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TxnRef",
    "vnp_TransactionDate", "vnp_CreateDate", "vnp_IpAddr", "vnp_OrderInfo",
]  # fmt: skip
QUERY_ANSWER_FIELDS = [
    "vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode",
    "vnp_TxnRef", "vnp_Amount", "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo",
    "vnp_TransactionType", "vnp_TransactionStatus", "vnp_OrderInfo", "vnp_PromotionCode",
    "vnp_PromotionAmount",
]  # fmt: skip


def _now() -> str:
    return datetime.now(VN).strftime("%Y%m%d%H%M%S")


@dataclass
class Gateway:
    """The gateway's state: orders paid or cancelled, IPNs held back, answers received."""

    secret: str
    tmn_code: str
    ipn_url: str = ""
    transactions: dict[str, dict[str, str]] = field(default_factory=dict)
    held_ipns: set[str] = field(default_factory=set)
    ipn_answers: list[tuple[str, Any]] = field(default_factory=list)
    queries: list[dict[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    numbers: Iterator[int] = field(default_factory=lambda: itertools.count(14226112))

    # --- signatures ---------------------------------------------------------------------------

    def _hmac(self, data: str) -> str:
        return hmac.new(self.secret.encode(), data.encode(), hashlib.sha512).hexdigest()

    def _canonical(self, params: Mapping[str, str]) -> str:
        keys = sorted(k for k in params if k.startswith("vnp_") and params[k] != "")
        keys = [k for k in keys if k not in ("vnp_SecureHash", "vnp_SecureHashType")]
        return "&".join(f"{quote_plus(k)}={quote_plus(params[k])}" for k in keys)

    def signed_query(self, params: Mapping[str, str]) -> str:
        canonical = self._canonical(params)
        return f"{canonical}&vnp_SecureHash={self._hmac(canonical)}"

    def order_error(self, params: Mapping[str, str]) -> str | None:
        """Why an order (payment URL) is refused, or None."""
        given = params.get("vnp_SecureHash", "").lower()
        if not hmac.compare_digest(given, self._hmac(self._canonical(params))):
            return "Sai chữ ký (mã lỗi 70)."
        if params.get("vnp_TmnCode") != self.tmn_code:
            return "Website chưa được phê duyệt (mã lỗi 02)."
        required = ("vnp_Amount", "vnp_TxnRef", "vnp_ReturnUrl", "vnp_CreateDate")
        if params.get("vnp_Version") != "2.1.0" or not all(params.get(k) for k in required):
            return "Dữ liệu gửi sang không đúng định dạng (mã lỗi 03)."
        if not params["vnp_Amount"].isdigit():
            return "Số tiền không hợp lệ (mã lỗi 03)."
        return None

    # --- payment --------------------------------------------------------------------------------

    def pay(self, order: Mapping[str, str], form: Mapping[str, str]) -> str:
        """Decide the result of an order, send the IPN, return the browser's redirect URL."""
        if form.get("action") == "cancel":
            code = "24"
        elif order.get("vnp_ExpireDate", "99999999999999") < _now():
            code = "11"
        else:
            code = "51" if form.get("outcome") == "fail" else "00"
        paid = code == "00"
        result = {
            "vnp_TmnCode": self.tmn_code,
            "vnp_TxnRef": order["vnp_TxnRef"],
            "vnp_Amount": form.get("reported_amount") or order["vnp_Amount"],
            "vnp_OrderInfo": order.get("vnp_OrderInfo", ""),
            "vnp_ResponseCode": code,
            "vnp_TransactionStatus": "00" if paid else "02",
            "vnp_TransactionNo": str(next(self.numbers)) if paid else "0",
            "vnp_BankCode": form.get("bank_code") or "NCB",
            "vnp_BankTranNo": f"VNP{secrets.randbelow(10**8):08d}" if paid else "",
            "vnp_CardType": "ATM",
            "vnp_PayDate": _now(),
        }
        with self.lock:
            self.transactions[order["vnp_TxnRef"]] = result
            if form.get("ipn") == "hold":
                self.held_ipns.add(order["vnp_TxnRef"])
        if form.get("ipn") != "hold":
            self.send_ipn(order["vnp_TxnRef"])
        separator = "&" if "?" in order["vnp_ReturnUrl"] else "?"
        return order["vnp_ReturnUrl"] + separator + self.signed_query(result)

    def ipn_query(self, txn_ref: str) -> str:
        with self.lock:
            return self.signed_query(self.transactions[txn_ref])

    def send_ipn(self, txn_ref: str) -> Any:
        """GET the merchant's IPN URL with the signed result; keep and return its JSON answer."""
        if not self.ipn_url:
            return None
        with self.lock:
            self.held_ipns.discard(txn_ref)
        url = f"{self.ipn_url}?{self.ipn_query(txn_ref)}"
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - --ipn-url
                answer: Any = json.loads(response.read())
        except (OSError, ValueError) as error:
            answer = {"error": type(error).__name__}
        with self.lock:
            self.ipn_answers.append((txn_ref, answer))
        return answer

    # --- querydr --------------------------------------------------------------------------------

    def querydr(self, request: Mapping[str, str]) -> dict[str, str]:
        with self.lock:
            self.queries.append(dict(request))
        data = "|".join(str(request.get(k, "")) for k in QUERY_REQUEST_FIELDS)
        if request.get("vnp_Command") != "querydr" or not request.get("vnp_TxnRef"):
            code, message = "03", "Invalid request"
        elif request.get("vnp_TmnCode") != self.tmn_code:
            code, message = "02", "Merchant is not valid"
        elif not hmac.compare_digest(str(request.get("vnp_SecureHash", "")), self._hmac(data)):
            code, message = "97", "Invalid checksum"
        elif request["vnp_TxnRef"] not in self.transactions:
            code, message = "91", "Transaction not found"
        else:
            code, message = "00", "QueryDR Success"
        answer = {"vnp_ResponseId": secrets.token_hex(8), "vnp_Command": "querydr",
                  "vnp_ResponseCode": code, "vnp_Message": message, "vnp_TmnCode": self.tmn_code,
                  "vnp_TxnRef": str(request.get("vnp_TxnRef", ""))}  # fmt: skip
        if code == "00":
            found = self.transactions[request["vnp_TxnRef"]]
            # The transaction's fields; vnp_ResponseCode stays the query's own result code.
            copied = [k for k in QUERY_ANSWER_FIELDS if k in found and k != "vnp_ResponseCode"]
            answer.update({k: found[k] for k in copied})
            answer.update(vnp_TransactionType="01", vnp_PromotionCode="", vnp_PromotionAmount="")
        answer["vnp_SecureHash"] = self._hmac(
            "|".join(answer.get(k, "") for k in QUERY_ANSWER_FIELDS)
        )
        return answer


# --- HTTP ---------------------------------------------------------------------------------------

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}"
    "dt{font-weight:600}dd{margin:0 0 .5rem}button{font-size:1rem;padding:.5rem 1rem;margin:.25rem}"
    ".test{background:#fff4ce;padding:.5rem}"
)


def _page(title: str, body: str) -> bytes:
    return (
        f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{_STYLE}</style></head><body><main><h1>{title}</h1>{body}</main></body></html>"
    ).encode()


def _amount_text(minor: str) -> str:
    return f"{int(minor) // 100:,}".replace(",", ".") + " đồng"


def order_page(order: Mapping[str, str], outcome: str) -> bytes:
    e = html.escape
    hidden = "".join(
        f'<input type="hidden" name="{e(k)}" value="{e(v)}">'
        for k, v in order.items()
        if k.startswith("vnp_")
    )
    checked = {"success": "", "fail": ""}
    checked["fail" if outcome == "fail" else "success"] = " checked"
    return _page(
        "Cổng thanh toán thử nghiệm",
        '<p class="test">Môi trường thử nghiệm: không có tiền thật được chuyển.</p><dl>'
        f"<dt>Đơn vị nhận tiền</dt><dd>{e(order.get('vnp_TmnCode', ''))}</dd>"
        f"<dt>Mã giao dịch</dt><dd>{e(order.get('vnp_TxnRef', ''))}</dd>"
        f"<dt>Nội dung</dt><dd>{e(order.get('vnp_OrderInfo', ''))}</dd>"
        f"<dt>Số tiền</dt><dd>{_amount_text(order['vnp_Amount'])}</dd></dl>"
        f'<form method="post" action="{PAY_PATH}">{hidden}'
        "<fieldset><legend>Kết quả giả lập</legend>"
        f'<label><input type="radio" name="outcome" value="success"{checked["success"]}> '
        "Thanh toán thành công</label><br>"
        f'<label><input type="radio" name="outcome" value="fail"{checked["fail"]}> '
        "Tài khoản không đủ số dư</label></fieldset>"
        '<p><label>Ngân hàng <select name="bank_code"><option>NCB</option><option>VCB</option>'
        "<option>BIDV</option><option>AGRIBANK</option></select></label></p>"
        '<button type="submit" name="action" value="pay">Thanh toán</button>'
        '<button type="submit" name="action" value="cancel">Hủy giao dịch</button></form>',
    )


def _handler(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(QuietHandler):
        def _reply(self, status: int, body: bytes, content_type: str = "text/html",
                   location: str = "") -> None:  # fmt: skip
            self.send_response(status)
            self.send_header("Content-Type", f"{content_type}; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            if location:
                self.send_header("Location", location)
            self.end_headers()
            self.wfile.write(body)

        def _refuse(self, message: str) -> None:
            self._reply(400, _page("Giao dịch không hợp lệ", f"<p>{html.escape(message)}</p>"))

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path != PAY_PATH:
                return self._reply(404, _page("Không tìm thấy", ""))
            order = dict(parse_qsl(parts.query, keep_blank_values=True))
            error = gateway.order_error(order)
            if error:
                return self._refuse(error)
            self._reply(200, order_page(order, order.get("outcome", "success")))

        def do_POST(self) -> None:
            length = min(int(self.headers.get("Content-Length") or 0), 64 * 1024)
            body = self.rfile.read(length).decode("utf-8", "replace")
            path = urlsplit(self.path).path
            if path == PAY_PATH:
                return self._pay(dict(parse_qsl(body, keep_blank_values=True)))
            if path == QUERY_PATH:
                try:
                    request = json.loads(body)
                except ValueError:
                    request = {}
                answer = gateway.querydr(request if isinstance(request, dict) else {})
                return self._reply(200, json.dumps(answer).encode(), "application/json")
            if path.startswith(IPN_CONTROL_PATH):
                txn_ref = path.removeprefix(IPN_CONTROL_PATH).strip("/")
                if txn_ref not in gateway.transactions:
                    return self._reply(404, b'{"error": "unknown txn_ref"}', "application/json")
                answer = gateway.send_ipn(txn_ref)
                return self._reply(200, json.dumps(answer).encode(), "application/json")
            self._reply(404, _page("Không tìm thấy", ""))

        def _pay(self, form: dict[str, str]) -> None:
            order = {k: v for k, v in form.items() if k.startswith("vnp_")}
            error = gateway.order_error(order)
            if error:
                return self._refuse(error)
            if order["vnp_TxnRef"] in gateway.transactions:
                return self._refuse("Giao dịch này đã được xử lý (mã lỗi 94).")
            self._reply(302, b"", location=gateway.pay(order, form))

    return Handler


def make_server(gateway: Gateway, host: str = "127.0.0.1", port: int = 0,
                verbose: bool = False) -> ThreadingHTTPServer:  # fmt: skip
    return make_threading_server(_handler(gateway), host, port, verbose)


def running(gateway: Gateway, host: str = "127.0.0.1") -> AbstractContextManager[str]:
    """Serve `gateway` from a thread on a free port; yields its base URL."""
    return serving(make_server(gateway, host), host)


def main(argv: list[str] | None = None) -> None:
    from chinhquyen.integrations.paygate.demo import DEMO_HASH_SECRET, DEMO_PORT, DEMO_TMN_CODE

    parser = argparse.ArgumentParser(description="Cổng thanh toán thử nghiệm (VNPAY 2.1.0).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEMO_PORT)
    parser.add_argument("--secret", default=DEMO_HASH_SECRET)
    parser.add_argument("--tmn", default=DEMO_TMN_CODE)
    parser.add_argument("--ipn-url", default="http://127.0.0.1:8000/thanh-toan/ipn/")
    args = parser.parse_args(argv)
    gateway = Gateway(secret=args.secret, tmn_code=args.tmn, ipn_url=args.ipn_url)
    server = make_server(gateway, args.host, args.port, verbose=True)
    print(f"Cổng thanh toán thử nghiệm: http://{args.host}:{args.port}{PAY_PATH}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
