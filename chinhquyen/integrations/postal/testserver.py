"""A postal operator double speaking the protocol of protocol.py over HTTP (standard library).

    python -m chinhquyen.integrations.postal.testserver --port 8011

- `POST /v1/shipments`: book an order (Bearer key, `Idempotency-Key` = the order's reference).
  201 with a new S10 waybill; the same reference again: 200 with the same waybill (409 when the
  content differs); 401 wrong key; 422 an order without receiver address or name.
- `POST /_test/shipments/<reference>/events` `{"status": "picked_up"|"delivered"|"returned"}`:
  send that status callback (signed) to the order's `callback_url`; answers what our side said.

Test knobs on `Operator`: `fail_next` (the next N orders answer 503, nothing booked) and
`drop_next` (the next N orders are booked but the connection is closed before the answer: the
"answer lost" case a retried order must not turn into a second shipment).

The signing and the S10 check digit are written again here on purpose instead of importing
`protocol.py`: a mistake in the adapter then makes the tests fail instead of agreeing with
itself."""

from __future__ import annotations

import argparse
import hashlib
import hmac
import itertools
import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from chinhquyen.integrations.testservers import QuietHandler, make_threading_server, serving

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SHIPMENTS_PATH = "/v1/shipments"
EVENTS_CONTROL = "/_test/shipments/"
STATUSES = ("picked_up", "delivered", "returned")


def _check_digit(serial: str) -> int:
    total = sum(int(d) * w for d, w in zip(serial, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    digit = 11 - total % 11
    return 0 if digit == 10 else 5 if digit == 11 else digit


@dataclass
class Operator:
    """The operator's state: orders booked by reference, requests seen, callbacks sent."""

    api_key: str
    callback_secret: str
    shipments: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (Idempotency-Key, outcome)
    callbacks: list[tuple[dict[str, Any], int, Any]] = field(default_factory=list)
    fail_next: int = 0
    drop_next: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    numbers: Iterator[int] = field(default_factory=lambda: itertools.count(10_000_001))

    def new_waybill(self) -> str:
        serial = f"{next(self.numbers):08d}"
        return f"EB{serial}{_check_digit(serial)}VN"

    def book(self, key: str, auth: str, order: Any) -> tuple[int, dict[str, Any], bool]:
        """(HTTP status, answer, drop the connection)."""
        with self.lock:
            if not hmac.compare_digest(auth.encode(), f"Bearer {self.api_key}".encode()):
                self.requests.append((key, "401"))
                return 401, {"error": "unauthorized", "message": "Sai khóa truy cập"}, False
            if self.fail_next > 0:
                self.fail_next -= 1
                self.requests.append((key, "503"))
                return 503, {"error": "unavailable", "message": "Hệ thống đang bảo trì"}, False
            error = _order_error(key, order)
            if error:
                self.requests.append((key, "422"))
                return 422, {"error": "invalid_order", "message": error}, False
            return self._store(key, order)

    def _store(self, key: str, order: dict[str, Any]) -> tuple[int, dict[str, Any], bool]:
        known = self.shipments.get(key)
        if known is not None and known["order"] != order:
            self.requests.append((key, "409"))
            return 409, {"error": "reference_conflict", "message": "Mã đơn đã dùng"}, False
        status = 200 if known else 201
        if known is None:
            known = {"order": order, "waybill": self.new_waybill(), "events": []}
            self.shipments[key] = known
        drop = self.drop_next > 0
        self.drop_next -= 1 if drop else 0
        self.requests.append((key, "dropped" if drop else str(status)))
        answer = {"reference": key, "waybill": known["waybill"], "status": "created"}
        return status, answer, drop

    def event_body(self, reference: str, status: str, *, event_id: str = "") -> bytes:
        """A status callback's body for one of the orders booked here."""
        shipment = self.shipments[reference]
        event = {
            "event_id": event_id or secrets.token_hex(8),
            "reference": reference,
            "waybill": shipment["waybill"],
            "status": status,
            "occurred_at": datetime.now(VN).isoformat(timespec="seconds"),
            "note": {"picked_up": "Bưu tá đã nhận bưu gửi", "delivered": "Phát thành công",
                     "returned": "Người nhận vắng nhà, chuyển hoàn"}.get(status, ""),
        }  # fmt: skip
        return json.dumps(event, ensure_ascii=False).encode()

    def signature(self, timestamp: str, body: bytes) -> str:
        message = timestamp.encode() + b"." + body
        return hmac.new(self.callback_secret.encode(), message, hashlib.sha256).hexdigest()

    def send_event(self, reference: str, status: str, *, event_id: str = "") -> tuple[int, Any]:
        """POST the signed status callback to the order's callback URL."""
        body = self.event_body(reference, status, event_id=event_id)
        shipment = self.shipments[reference]
        code, answer = self.post_signed(shipment["order"]["callback_url"], body)
        with self.lock:
            shipment["events"].append(json.loads(body))
            self.callbacks.append((json.loads(body), code, answer))
        return code, answer

    def post_signed(self, url: str, body: bytes, timestamp: str = "") -> tuple[int, Any]:
        timestamp = timestamp or str(int(time.time()))
        request = urllib.request.Request(  # noqa: S310 - the order's callback URL
            url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "X-Postal-Timestamp": timestamp,
                     "X-Postal-Signature": self.signature(timestamp, body)},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")
        except (OSError, ValueError) as error:
            return 0, {"error": type(error).__name__}


def _order_error(key: str, order: Any) -> str:
    if not isinstance(order, dict) or not key or order.get("reference") != key:
        return "Mã đơn (reference) phải trùng Idempotency-Key"
    receiver = order.get("receiver")
    if not isinstance(receiver, dict) or not receiver.get("name") or not receiver.get("address"):
        return "Thiếu tên hoặc địa chỉ người nhận"
    if not isinstance(order.get("cod_amount"), int) or order["cod_amount"] < 0:
        return "Số tiền thu hộ không hợp lệ"
    if not str(order.get("callback_url", "")).startswith(("http://", "https://")):
        return "Thiếu địa chỉ nhận thông báo trạng thái"
    return ""


def _handler(operator: Operator) -> type[BaseHTTPRequestHandler]:
    class Handler(QuietHandler):
        def _reply(self, status: int, body: Any) -> None:
            raw = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_POST(self) -> None:
            length = min(int(self.headers.get("Content-Length") or 0), 64 * 1024)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw)
            except ValueError:
                return self._reply(400, {"error": "invalid_json", "message": "Không phải JSON"})
            path = urlsplit(self.path).path
            if path == SHIPMENTS_PATH:
                return self._book(body)
            if path.startswith(EVENTS_CONTROL) and path.endswith("/events"):
                reference = path.removeprefix(EVENTS_CONTROL).removesuffix("/events")
                status = body.get("status") if isinstance(body, dict) else None
                if reference not in operator.shipments or status not in STATUSES:
                    return self._reply(404, {"error": "unknown shipment or status"})
                code, answer = operator.send_event(reference, str(status))
                return self._reply(200, {"callback_status": code, "answer": answer})
            self._reply(404, {"error": "not_found"})

        def _book(self, order: Any) -> None:
            key = self.headers.get("Idempotency-Key", "")
            auth = self.headers.get("Authorization", "")
            status, answer, drop = operator.book(key, auth, order)
            if drop:  # booked, but the answer never reaches the client
                self.close_connection = True
                self.connection.shutdown(2)
                return
            self._reply(status, answer)

    return Handler


def make_server(operator: Operator, host: str = "127.0.0.1", port: int = 0,
                verbose: bool = False) -> ThreadingHTTPServer:  # fmt: skip
    return make_threading_server(_handler(operator), host, port, verbose)


def running(operator: Operator, host: str = "127.0.0.1") -> AbstractContextManager[str]:
    """Serve `operator` from a thread on a free port; yields its base URL."""
    return serving(make_server(operator, host), host)


def main(argv: list[str] | None = None) -> None:
    from chinhquyen.integrations.postal.demo import DEMO_API_KEY, DEMO_CALLBACK_SECRET, DEMO_PORT

    parser = argparse.ArgumentParser(description="Đơn vị bưu chính thử nghiệm.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEMO_PORT)
    parser.add_argument("--api-key", default=DEMO_API_KEY)
    parser.add_argument("--callback-secret", default=DEMO_CALLBACK_SECRET)
    args = parser.parse_args(argv)
    operator = Operator(api_key=args.api_key, callback_secret=args.callback_secret)
    server = make_server(operator, args.host, args.port, verbose=True)
    print(f"Bưu chính thử nghiệm: http://{args.host}:{args.port}{SHIPMENTS_PATH}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
