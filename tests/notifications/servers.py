"""Test doubles on 127.0.0.1 (port 0): a real SMTP server (aiosmtpd) that keeps what it
receives, and the SMS gateway (client.py's protocol) that checks the bearer token and the JSON
and answers from a script (e.g. 500 then 200, or 400)."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

import pytest
from aiosmtpd.controller import Controller

SMS_TOKEN = "sms-test-token"


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append(parsed)
        return "250 OK"


class _Controller(Controller):
    """aiosmtpd's Controller on port 0: learn the bound port before the readiness probe."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = cast(asyncio.Server, self.server).sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class SmtpServer:
    host: str
    port: int
    inbox: _Inbox


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    inbox = _Inbox()
    controller = _Controller(inbox, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", controller.port, inbox)
    finally:
        controller.stop()


@pytest.fixture
def smtp_settings(settings: Any, smtp_server: SmtpServer) -> SmtpServer:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_server.host
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.DEFAULT_FROM_EMAIL = "Cổng dịch vụ công <no-reply@dichvucong.example.gov.vn>"
    return smtp_server


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connections are refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class SmsGateway:
    url: str = ""
    script: list[int] = field(default_factory=list)  # statuses to answer, then 200
    received: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, authorization: str, body: bytes) -> tuple[int, dict[str, Any]]:
        if authorization != f"Bearer {SMS_TOKEN}":
            return 401, {"error": "bad token"}
        data = json.loads(body)
        if set(data) != {"to", "text", "client_ref"} or not data["to"].startswith("+84"):
            return 422, {"error": "bad request"}
        with self.lock:
            status = self.script.pop(0) if self.script else 200
            if status != 200:
                return status, {"error": f"scripted {status}"}
            self.received.append(data)
            return 200, {"id": f"gw-{len(self.received)}", "status": "queued"}


def _handler(gateway: SmsGateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path != "/v1/messages":
                status, answer = 404, {"error": "not found"}
            else:
                status, answer = gateway.answer(self.headers.get("Authorization", ""), body)
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def sms_gateway(settings: Any) -> Iterator[SmsGateway]:
    gateway = SmsGateway()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(gateway))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    host, port = httpd.server_address[:2]
    gateway.url = f"http://{host!s}:{port}"
    settings.SMS_GATEWAY_URL = gateway.url
    settings.SMS_GATEWAY_TOKEN = SMS_TOKEN
    try:
        yield gateway
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
