"""The postal adapter on its own: waybill numbers (UPU S10), the callback signature, the client's
reading of the operator's answers (against the test operator over HTTP, and an unreachable
one), the settings from the environment, and the test operator as `make run` starts it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest

from chinhquyen.integrations.postal import protocol
from chinhquyen.integrations.postal.client import (
    CallbackRefused,
    Party,
    PostalClient,
    PostalPermanentError,
    PostalTemporaryError,
    ShipmentOrder,
    read_callback,
)
from chinhquyen.integrations.postal.demo import DEMO_API_KEY
from chinhquyen.integrations.postal.testserver import Operator, running
from tests.notifications.servers import closed_port

ORDER = ShipmentOrder(
    reference="KQ-000.00.01.H99-260302-0001",
    sender=Party(name="Bộ phận Một cửa — Sở Tư pháp", address="Hưng Yên", code="000.00.01.H99"),
    receiver=Party(name="Lê Văn Cường", address="Số 5 phố Hiến Nam", phone="0912345678"),
    contents="Kết quả giải quyết TTHC, hồ sơ 000.00.01.H99-260302-0001",
    callback_url="http://127.0.0.1:9/api/v1/postal/callbacks",
)


def test_s10_waybills() -> None:
    assert protocol.is_waybill("RA123456785GB")  # the UPU's own example
    assert not protocol.is_waybill("RA123456784GB")  # wrong check digit
    assert not protocol.is_waybill("RA12345678GB") and not protocol.is_waybill("")
    operator = Operator(api_key="k", callback_secret="s")
    assert all(protocol.is_waybill(operator.new_waybill()) for _ in range(30))


def test_client_books_and_replays() -> None:
    operator = Operator(api_key="k", callback_secret="s")
    with running(operator) as base_url:
        client = PostalClient(base_url, "k")
        first = client.create_shipment(ORDER)
        again = client.create_shipment(ORDER)
        assert (first.replayed, again.replayed) == (False, True)
        assert first.waybill == again.waybill and len(operator.shipments) == 1
        changed = ShipmentOrder(**{**ORDER.__dict__, "cod_amount": 5000})
        with pytest.raises(PostalPermanentError, match="409"):
            client.create_shipment(changed)
        with pytest.raises(PostalPermanentError, match="401"):
            PostalClient(base_url, "sai").create_shipment(ORDER)
        no_address = ShipmentOrder(**{**ORDER.__dict__, "reference": "KQ-2",
                                      "receiver": Party(name="A", address="")})  # fmt: skip
        with pytest.raises(PostalPermanentError, match="địa chỉ người nhận"):
            client.create_shipment(no_address)
        operator.fail_next = 1
        with pytest.raises(PostalTemporaryError, match="503"):
            client.create_shipment(ORDER)


def test_unreachable_operator_is_temporary() -> None:
    client = PostalClient(f"http://127.0.0.1:{closed_port()}", "k", timeout=2)
    with pytest.raises(PostalTemporaryError, match="Không kết nối được"):
        client.create_shipment(ORDER)


def _event(operator: Operator) -> bytes:
    operator.shipments["KQ-1"] = {"order": {}, "waybill": "EB100000017VN", "events": []}
    return operator.event_body("KQ-1", "delivered", event_id="e1")


def test_callback_signature_and_time() -> None:
    operator = Operator(api_key="k", callback_secret="bi-mat")
    body = _event(operator)
    now = datetime.now(UTC)
    stamp = str(int(now.timestamp()))
    signature = operator.signature(stamp, body)
    event = read_callback(body, timestamp=stamp, signature=signature, secret="bi-mat", now=now)
    assert (event.reference, event.waybill, event.status) == ("KQ-1", "EB100000017VN", "delivered")
    flipped = signature[:-1] + ("1" if signature[-1] == "0" else "0")
    for secret, given in (("khac", signature), ("bi-mat", flipped)):
        with pytest.raises(CallbackRefused) as refused:
            read_callback(body, timestamp=stamp, signature=given, secret=secret, now=now)
        assert refused.value.status == 401
    later = datetime.fromtimestamp(now.timestamp() + 16 * 60, UTC)
    with pytest.raises(CallbackRefused, match="quá hạn"):
        read_callback(body, timestamp=stamp, signature=signature, secret="bi-mat", now=later)
    bad_stamp = "khong-phai-so"
    with pytest.raises(CallbackRefused, match="Thời điểm"):
        read_callback(body, timestamp=bad_stamp, signature=operator.signature(bad_stamp, body),
                      secret="bi-mat", now=now)  # fmt: skip


SHOW = "from django.conf import settings as s; print(f'{s.POSTAL_API_URL}|{s.POSTAL_API_KEY}')"


def _django(code: str, **overrides: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POSTAL_", "DATABASE_URL"))}
    env.update({"DJANGO_SECRET_KEY": "x", "DJANGO_DEBUG": "0", **overrides})
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_settings_from_the_environment() -> None:
    assert _django(SHOW).stdout.splitlines()[-1] == "None|"  # off in production until set
    half = _django(SHOW, POSTAL_API_URL="https://buudien.example.vn/api")
    assert half.returncode == 2 and "POSTAL_API_URL" in half.stderr
    bad = _django(SHOW, POSTAL_API_URL="ftp://buudien.example.vn")
    assert bad.returncode == 2 and "POSTAL_API_URL" in bad.stderr
    demo = _django(SHOW, DJANGO_DEBUG="1").stdout.splitlines()[-1]
    assert demo == f"http://127.0.0.1:8011|{DEMO_API_KEY}"


def test_the_operator_runs_as_make_run_starts_it() -> None:
    port = closed_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "chinhquyen.integrations.postal.testserver", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        client = PostalClient(f"http://127.0.0.1:{port}", DEMO_API_KEY)
        for _ in range(50):
            try:
                booking = client.create_shipment(ORDER)
                break
            except PostalTemporaryError:
                time.sleep(0.1)
        else:
            raise AssertionError("the test operator did not start")
        assert protocol.is_waybill(booking.waybill)
    finally:
        process.terminate()
        process.wait(timeout=10)
