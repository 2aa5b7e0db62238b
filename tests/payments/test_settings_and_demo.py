"""Payment settings from the environment, and the test gateway as `make run` starts it (its own
process, command-line options, the demo identity the debug settings use)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta

from django.utils import timezone

from chinhquyen.integrations.paygate.client import PaygateClient, PaymentOrder
from chinhquyen.integrations.paygate.demo import DEMO_HASH_SECRET, DEMO_TMN_CODE
from tests.notifications.servers import closed_port
from tests.payments.conftest import http_get

SHOW = (
    "from django.conf import settings as s; print(f'{s.PAYMENT_GATEWAY_URL}|{s.PAYMENT_TMN_CODE}')"
)


def _django(code: str, **overrides: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAYMENT_", "DATABASE_URL"))}
    env.update({"DJANGO_SECRET_KEY": "x", "DJANGO_DEBUG": "0", **overrides})
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_payment_is_off_in_production_until_configured() -> None:
    assert _django(SHOW).stdout.splitlines()[-1] == "None|"


def test_a_gateway_without_its_secret_stops_start_up() -> None:
    result = _django(SHOW, PAYMENT_GATEWAY_URL="https://pay.example.vn/vpcpay.html")
    assert result.returncode == 2 and "PAYMENT_GATEWAY_URL" in result.stderr


def test_debug_points_at_the_demo_gateway() -> None:
    shown = _django(SHOW, DJANGO_DEBUG="1").stdout.splitlines()[-1]
    assert shown == f"http://127.0.0.1:8010/paymentv2/vpcpay.html|{DEMO_TMN_CODE}"


def test_the_gateway_runs_as_make_run_starts_it() -> None:
    port = closed_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "chinhquyen.integrations.paygate.testserver", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        client = PaygateClient(f"{base}/paymentv2/vpcpay.html", "", DEMO_TMN_CODE, DEMO_HASH_SECRET)
        now = timezone.now()
        url = client.payment_url(
            PaymentOrder(
                txn_ref="DEMO1", amount=30_000, order_info="Lệ phí", client_ip="127.0.0.1",
                return_url="http://127.0.0.1:8000/thanh-toan/ket-qua/", created_at=now,
                expires_at=now + timedelta(minutes=15),
            )
        )  # fmt: skip
        for _ in range(50):  # the process needs a moment to listen
            try:
                status, page = http_get(url)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError(process.stderr.read() if process.stderr else "no gateway")
        assert status == 200 and "30.000 đồng" in page
        wrong = PaygateClient(client.pay_url, "", DEMO_TMN_CODE, "khac").payment_url
        assert http_get(wrong(PaymentOrder("D2", 1, "x", "http://x/", "", now, now)))[0] == 400
    finally:
        process.terminate()
        process.wait(timeout=10)
