"""`manage.py validate_pdf` and `manage.py trust`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from django.core.management import CommandError, call_command

from chinhquyen.audit.models import AuditEvent
from chinhquyen.signing.models import TrustAnchor
from chinhquyen.signing.validation import chain, revocation
from tests.signing.conftest import TestPki as Pki
from tests.signing.pdfs import make_pdf
from tests.signing.validation_helpers import revocation_server, sign


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    chain.clear_cache()
    revocation.clear_cache()


def _run(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exited:
        call_command("validate_pdf", *args)
    return int(exited.value.code or 0), capsys.readouterr().out


@pytest.fixture
def trusted(db: None, pki: Pki, tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_bytes(pki.government_ca.certificate.public_bytes(Encoding.PEM))
    call_command("trust", "add", str(ca), "--name", "CA Chính phủ", "--kind", "intermediate")


def test_valid_document_exits_zero(trusted: None, pki: Pki, tmp_path: Path, capsys) -> None:
    with revocation_server(pki.government_ca, pki.ocsp_responder) as server:
        person = server.issue("Nguyen Van An", key=pki.person.key)
        path = tmp_path / "hop-le.pdf"
        path.write_bytes(sign(make_pdf(1), person, [pki.government_ca]))
        code, out = _run(str(path), capsys=capsys)
    assert code == 0
    assert "Kết luận: HỢP LỆ" in out and "Nguyen Van An" in out
    code, out = _run(str(path), "--json", "--no-fetch", capsys=capsys)
    assert code == 0  # the revocation answer is cached
    assert json.loads(out)["signatures"][0]["verdict_text"] == "Hợp lệ"


def test_not_fully_checked_exits_one(trusted: None, pki: Pki, tmp_path: Path, capsys) -> None:
    path = tmp_path / "khong-url.pdf"
    path.write_bytes(sign(make_pdf(1), pki.person, [pki.government_ca]))
    code, out = _run(str(path), "--no-fetch", capsys=capsys)
    assert code == 1 and "KHÔNG XÁC ĐỊNH" in out


def test_unsigned_exits_one(db: None, tmp_path: Path, capsys) -> None:
    path = tmp_path / "chua-ky.pdf"
    path.write_bytes(make_pdf(1))
    code, out = _run(str(path), "--json", capsys=capsys)
    assert code == 1 and json.loads(out)["signatures"] == []


def test_unreadable_exits_two(db: None, tmp_path: Path, capsys) -> None:
    path = tmp_path / "anh.pdf"
    path.write_bytes(b"\x89PNG not a pdf")
    code, out = _run(str(path), capsys=capsys)
    assert code == 2 and "không phải định dạng PDF" in out
    code, _ = _run(str(tmp_path / "khong-co.pdf"), capsys=capsys)
    assert code == 2


def test_trust_add_and_list(trusted: None, pki: Pki, tmp_path: Path, capsys) -> None:
    anchor = TrustAnchor.objects.get()
    assert anchor.kind == "intermediate" and anchor.subject.startswith("CN=Demo Government CA")
    assert AuditEvent.objects.filter(action="signing.trust_anchor.add").count() == 1
    call_command("trust", "list")
    assert "CA Chính phủ" in capsys.readouterr().out
    leaf = tmp_path / "leaf.der"
    leaf.write_bytes(pki.person.der)
    with pytest.raises(CommandError, match="không phải của tổ chức cấp"):
        call_command("trust", "add", str(leaf), "--name", "x", "--kind", "root")
    ca = tmp_path / "ca.der"
    ca.write_bytes(pki.government_ca.der)
    with pytest.raises(CommandError, match="đã có"):
        call_command("trust", "add", str(ca), "--name", "lại", "--kind", "intermediate")
