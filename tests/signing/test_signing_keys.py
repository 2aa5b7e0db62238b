"""Keys and who may use them: PKCS#12 import, a SoftHSM2 token, the remote-signing service,
the fresh second factor, the clerk-only organisation key, and keys never in logs."""

# ruff: noqa: F811 - pytest fixtures imported from tests.signing.servers

from __future__ import annotations

import base64
import json
import logging
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from chinhquyen.audit.models import AuditEvent
from chinhquyen.core.errors import DomainError
from chinhquyen.signing import images
from chinhquyen.signing.actions import (
    do_import_pkcs12,
    do_register_pkcs11_certificate,
    do_register_remote_certificate,
    do_sign_document,
)
from chinhquyen.signing.models import SignatureImage
from tests.signing.servers import (  # noqa: F401 - fixtures
    fresh_code,
    pkcs12_of,
    remote_signing_server,
    signing_world,
    tsa_server,
)
from tests.signing.test_signing_pades import PLACEMENT, pyhanko_statuses, sign_pair

SOFTHSM_LIB = "/usr/lib/softhsm/libsofthsm2.so"


def _sign_rows() -> int:
    return AuditEvent.objects.filter(action="signing.sign").count()


@pytest.fixture
def leader_image(personas: Any) -> None:
    picture = images.signature_image(personas.leader_a.full_name)
    SignatureImage.objects.create(
        kind="signature",
        owner_user=personas.leader_a,
        png=picture.png,
        width_mm=picture.width_mm,
        height_mm=picture.height_mm,
    )


# --- PKCS#12 import ---------------------------------------------------------------------------


def _import(data: bytes, password: str, owner: Any) -> Any:
    return do_import_pkcs12(
        data, password, purpose="personal", owner_user=owner, label="p12", acting_user=owner
    )


def test_signing_import_stores_key_encrypted(personas: Any, pki: Any, settings: Any) -> None:
    settings.SIGNING_KEY_ENCRYPTION_KEY = "x" * 43 + "="
    row = _import(pkcs12_of(pki.person, [pki.government_ca]), "p12-pass", personas.leader_a)
    der = pki.person.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    assert der not in bytes(row.encrypted_private_key)
    assert row.subject_common_name == "Nguyen Van An" and len(row.chain_der) == 1
    event = AuditEvent.objects.get(action="signing.certificate_register")
    assert (event.after or {})["fingerprint_sha256"] == row.fingerprint_sha256


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("wrong_password", "bad_password"),
        ("not_pkcs12", "not_pkcs12"),
        ("expired", "expired"),
        ("no_key", "no_private_key"),
    ],
)
def test_signing_import_refusals(personas: Any, pki: Any, case: str, code: str) -> None:
    data, password = pkcs12_of(pki.person, []), "p12-pass"
    if case == "wrong_password":
        password = "sai-mat-khau"
    elif case == "not_pkcs12":
        data = b"%PDF-1.7 not a key store"
    elif case == "expired":
        data = pkcs12_of(pki.expired, [])
    elif case == "no_key":
        data = pkcs12.serialize_key_and_certificates(
            b"x", None, None, [pki.person.certificate], serialization.NoEncryption()
        )
        password = ""
    with pytest.raises(DomainError) as refused:
        _import(data, password, personas.leader_a)
    assert refused.value.code == code
    assert refused.value.message and not refused.value.message.isascii()  # Vietnamese text


def test_signing_import_for_someone_else_is_refused(personas: Any, pki: Any) -> None:
    with pytest.raises(DomainError):
        do_import_pkcs12(
            pkcs12_of(pki.person, []),
            "p12-pass",
            purpose="personal",
            owner_user=personas.leader_a,
            label="x",
            acting_user=personas.officer_b,
        )


# --- Who may sign -----------------------------------------------------------------------------


def test_signing_without_second_factor_is_refused(signing_world: Any, sample_pdf: bytes) -> None:
    leader = signing_world.personas.leader_a
    fresh_code(leader)
    for code in ("", "000000"):
        with pytest.raises(DomainError) as refused:
            do_sign_document(
                sample_pdf,
                certificate=signing_world.person_certificate,
                acting_user=leader,
                second_factor_code=code,
                placement=PLACEMENT,
                level="B-B",
            )
        assert refused.value.code == "second_factor_required"
    assert _sign_rows() == 0


def test_signing_replayed_code_is_refused(signing_world: Any, sample_pdf: bytes) -> None:
    leader = signing_world.personas.leader_a
    code = fresh_code(leader)
    kwargs = {
        "certificate": signing_world.person_certificate,
        "acting_user": leader,
        "placement": PLACEMENT,
        "level": "B-B",
    }
    do_sign_document(sample_pdf, second_factor_code=code, **kwargs)
    with pytest.raises(DomainError):
        do_sign_document(sample_pdf, second_factor_code=code, **kwargs)
    assert _sign_rows() == 1


def test_signing_someone_elses_key_is_refused(signing_world: Any, sample_pdf: bytes) -> None:
    officer = signing_world.personas.officer_b
    with pytest.raises(DomainError) as refused:
        do_sign_document(
            sample_pdf,
            certificate=signing_world.person_certificate,
            acting_user=officer,
            second_factor_code=fresh_code(officer),
            placement=PLACEMENT,
            level="B-B",
        )
    assert refused.value.code == "forbidden"


def test_signing_organisation_key_only_by_clerk(signing_world: Any, sample_pdf: bytes) -> None:
    leader = signing_world.personas.leader_a
    with pytest.raises(DomainError) as refused:
        do_sign_document(
            sample_pdf,
            certificate=signing_world.organisation_certificate,
            acting_user=leader,
            second_factor_code=fresh_code(leader),
            placement=PLACEMENT,
            level="B-B",
        )
    assert refused.value.code == "forbidden"


def test_signing_organisation_needs_prior_person_signature(
    signing_world: Any, sample_pdf: bytes
) -> None:
    clerk = signing_world.personas.clerk_a
    with pytest.raises(DomainError) as refused:
        do_sign_document(
            sample_pdf,
            certificate=signing_world.organisation_certificate,
            acting_user=clerk,
            second_factor_code=fresh_code(clerk),
            placement=PLACEMENT,
            level="B-B",
        )
    assert refused.value.code == "person_signature_missing"
    assert _sign_rows() == 0


def test_signing_inactive_certificate_is_refused(signing_world: Any, sample_pdf: bytes) -> None:
    from chinhquyen.signing.actions import do_deactivate_certificate

    leader = signing_world.personas.leader_a
    do_deactivate_certificate(signing_world.person_certificate, acting_user=leader)
    with pytest.raises(DomainError) as refused:
        do_sign_document(
            sample_pdf,
            certificate=signing_world.person_certificate,
            acting_user=leader,
            second_factor_code=fresh_code(leader),
            placement=PLACEMENT,
            level="B-B",
        )
    assert refused.value.code == "inactive"


# --- Keys never in logs -----------------------------------------------------------------------


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        self.texts.append(text + " " + repr(record.__dict__))


@pytest.fixture
def all_logs() -> Iterator[_Capture]:
    capture = _Capture()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    old = [(lg, lg.level, lg.disabled) for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
        lg.disabled = False
    try:
        yield capture
    finally:
        root.removeHandler(capture)
        root.setLevel(old_level)
        for lg, level, disabled in old:
            lg.setLevel(level)
            lg.disabled = disabled


def test_signing_keys_never_in_logs(
    all_logs: _Capture,
    signing_world: Any,
    sample_pdf: bytes,
    tsa_server: Any,
    settings: Any,
    pki: Any,
) -> None:
    settings.SIGNING_TSA_URL = tsa_server.url
    signed = sign_pair(signing_world, sample_pdf, level="B-T")
    with pytest.raises(DomainError):  # a failure path logs too
        _import(pkcs12_of(pki.person, []), "sai", signing_world.personas.leader_a)
    assert len(signed) > len(sample_pdf)
    assert all_logs.texts  # pyHanko and Django did log at DEBUG
    secrets: list[str] = [signing_world.encryption_key, "p12-pass"]
    for issued in (pki.person, pki.organisation):
        der = issued.key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        pem_body = issued.key_pem().decode().splitlines()[1:-1]
        secrets += [*pem_body[:3], der.hex()[64:128], base64.b64encode(der).decode()[64:128]]
        secrets.append(str(issued.key.private_numbers().d)[:40])
    logged = "\n".join(all_logs.texts)
    audit = json.dumps([[e.before, e.after] for e in AuditEvent.objects.all()])
    for secret in secrets:
        assert secret not in logged
        assert secret not in audit


# --- SoftHSM2 token ---------------------------------------------------------------------------


@pytest.fixture
def softhsm_token(tmp_path: Path, pki: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    (tmp_path / "tokens").mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {tmp_path / 'tokens'}\nobjectstore.backend = file\n"
        "log.level = ERROR\n"
    )
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    subprocess.run(
        [
            *("softhsm2-util", "--init-token", "--free", "--label", "chinhquyen-test"),
            *("--pin", "123456", "--so-pin", "654321"),
        ],
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    key_file = tmp_path / "key.pem"
    key_file.write_bytes(pki.person.key_pem())
    subprocess.run(
        [
            *("softhsm2-util", "--import", str(key_file), "--token", "chinhquyen-test"),
            *("--label", "person", "--id", "01", "--pin", "123456"),
        ],
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    key_file.unlink()
    return {"token": "chinhquyen-test", "key": "person", "pin": "123456"}


@pytest.mark.skipif(
    not (Path(SOFTHSM_LIB).exists() and shutil.which("softhsm2-util")), reason="SoftHSM2 missing"
)
def test_signing_with_softhsm_token(
    softhsm_token: dict[str, str],
    personas: Any,
    leader_image: None,
    pki: Any,
    sample_pdf: bytes,
    settings: Any,
) -> None:
    settings.SIGNING_PKCS11_LIB = SOFTHSM_LIB
    leader = personas.leader_a
    row = do_register_pkcs11_certificate(
        pki.person.der,
        purpose="personal",
        owner_user=leader,
        label="USB token",
        token_label=softhsm_token["token"],
        key_label=softhsm_token["key"],
        chain=[pki.government_ca.der],
        acting_user=leader,
    )
    with pytest.raises(DomainError) as refused:
        do_sign_document(
            sample_pdf,
            certificate=row,
            acting_user=leader,
            second_factor_code=fresh_code(leader),
            placement=PLACEMENT,
            level="B-B",
            pin="000000",
        )
    assert refused.value.code == "pkcs11_unavailable"
    signed = do_sign_document(
        sample_pdf,
        certificate=row,
        acting_user=leader,
        second_factor_code=fresh_code(leader),
        placement=PLACEMENT,
        level="B-B",
        pin=softhsm_token["pin"],
    )
    (status,) = pyhanko_statuses(signed, pki)
    assert status.intact and status.valid and status.trusted


# --- Remote signing ---------------------------------------------------------------------------


def _decide_when_asked(server: Any, verb: str) -> threading.Thread:
    """Play the signer's phone: wait for the request to show up, then approve or reject it."""

    def run() -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            pending = server.pending()
            if pending:
                getattr(server, verb)(pending[0])
                return
            time.sleep(0.05)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


@pytest.fixture
def remote_certificate(
    remote_signing_server: Any, personas: Any, pki: Any, settings: Any, leader_image: None
) -> Any:
    settings.SIGNING_REMOTE_URL = remote_signing_server.url
    return do_register_remote_certificate(
        pki.person.der,
        purpose="personal",
        owner_user=personas.leader_a,
        label="Ký từ xa",
        credential_id="person",
        chain=[pki.government_ca.der],
        acting_user=personas.leader_a,
    )


def _sign_remote(certificate: Any, leader: Any, pdf: bytes) -> bytes:
    return do_sign_document(
        pdf,
        certificate=certificate,
        acting_user=leader,
        second_factor_code=fresh_code(leader),
        placement=PLACEMENT,
        level="B-B",
        document_name="12/QĐ-UBND",
    )


def test_signing_through_remote_service(
    remote_certificate: Any, remote_signing_server: Any, personas: Any, sample_pdf: bytes, pki: Any
) -> None:
    thread = _decide_when_asked(remote_signing_server, "approve")
    signed = _sign_remote(remote_certificate, personas.leader_a, sample_pdf)
    thread.join(timeout=5)
    (status,) = pyhanko_statuses(signed, pki)
    assert status.intact and status.valid and status.trusted
    (request,) = remote_signing_server.requests.values()
    assert request["document_name"] == "12/QĐ-UBND" and request["digest_algorithm"] == "sha256"
    assert len(base64.b64decode(request["digest_b64"])) == 32  # only the hash left


def test_signing_remote_rejection_is_clear(
    remote_certificate: Any, remote_signing_server: Any, personas: Any, sample_pdf: bytes
) -> None:
    thread = _decide_when_asked(remote_signing_server, "reject")
    with pytest.raises(DomainError) as refused:
        _sign_remote(remote_certificate, personas.leader_a, sample_pdf)
    thread.join(timeout=5)
    assert refused.value.code == "remote_signing_rejected"
    assert "từ chối" in refused.value.message
    assert _sign_rows() == 0


def test_signing_expired_certificate_cannot_be_registered(personas: Any, pki: Any) -> None:
    with pytest.raises(DomainError) as refused:
        do_register_remote_certificate(
            pki.expired.der,
            purpose="personal",
            owner_user=personas.leader_a,
            label="x",
            credential_id="x",
            acting_user=None,
        )
    assert refused.value.code == "expired"


def test_signing_cache_holds_loaded_key(signing_world: Any) -> None:
    from chinhquyen.signing.signers import software_signer

    first = software_signer(signing_world.person_certificate)
    assert software_signer(signing_world.person_certificate) is first
    assert "PRIVATE" not in repr(first) and "***" in repr(first._key)


def test_signing_admin_never_shows_key_material(signing_world: Any) -> None:
    from django.test import Client

    from tests.factories import UserFactory

    admin_user = UserFactory.create(is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(admin_user)
    row = signing_world.person_certificate
    blob = base64.b64encode(bytes(row.encrypted_private_key)).decode()
    for url in (
        "/quan-tri/signing/signingcertificate/",
        f"/quan-tri/signing/signingcertificate/{row.pk}/change/",
        "/quan-tri/signing/trustanchor/",
        "/quan-tri/signing/signatureimage/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert blob[:40] not in body and bytes(row.encrypted_private_key)[:40].decode() not in body
