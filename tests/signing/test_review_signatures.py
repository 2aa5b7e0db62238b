"""Security review of the signature code: a back-dated token from a revoked TSA, a /ByteRange
with an unsigned gap, the organisation signing over a worthless signature, the remote-signing
client facing a misbehaving service, and key material in Django error reports."""

# ruff: noqa: F811 - pytest fixtures imported from tests.signing.*

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, utils
from cryptography.x509.oid import ExtendedKeyUsageOID
from django.views.debug import ExceptionReporter
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from chinhquyen.core.errors import DomainError
from chinhquyen.integrations.remote_signing.client import RemoteSigningClient
from chinhquyen.signing import demo_pki, keys
from chinhquyen.signing.actions import do_import_pkcs12, do_sign_document
from chinhquyen.signing.demo_pki import IssuedKey
from chinhquyen.signing.trust import do_add_trust_anchor
from chinhquyen.signing.validation import chain, revocation
from chinhquyen.signing.validation.engine import validate_pdf_bytes
from chinhquyen.signing.validation.report import TimestampStatus, Verdict
from tests.signing.pdfs import make_pdf
from tests.signing.servers import (  # noqa: F401 - fixtures
    LocalServer,
    fresh_code,
    pkcs12_of,
    remote_signing_server,
    signing_world,
)
from tests.signing.test_signing_pades import PLACEMENT
from tests.signing.validation_helpers import (
    _asn1_cert,
    _asn1_key,
    revocation_server,
    sign,
    timestamper,
)


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    chain.clear_cache()
    revocation.clear_cache()


@pytest.fixture
def anchors(db: Any, pki: Any) -> None:
    do_add_trust_anchor(pki.root.der, name="Root", kind="root", acting_user=None)
    do_add_trust_anchor(pki.government_ca.der, name="GovCA", kind="intermediate", acting_user=None)


# --- 1. The TSA's certificate is judged now, not at the token's own gen_time ------------------


def _tsa(pki: Any, urls: demo_pki.RevocationUrls, start: datetime) -> IssuedKey:
    key = demo_pki.new_key()
    builder = demo_pki._builder(
        demo_pki._name("Compromised TSA"),
        pki.government_ca,
        key,
        start,
        start + timedelta(days=2000),
    )
    builder = builder.add_extension(
        x509.BasicConstraints(ca=False, path_length=None), critical=True
    )
    builder = builder.add_extension(demo_pki._signing_usage(), critical=True)
    builder = builder.add_extension(
        x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
    )
    builder = demo_pki._with_revocation(builder, urls)
    return IssuedKey(builder.sign(pki.government_ca.key, hashes.SHA256()), key)


def test_backdated_token_from_revoked_tsa_does_not_rescue_expired_signer(
    anchors: None, pki: Any
) -> None:
    now = datetime.now(tz=UTC)
    start = now - timedelta(hours=20)
    with revocation_server(pki.government_ca, pki.ocsp_responder) as server:
        tsa = _tsa(pki, server.crl_only_urls(), start)
        server.revoked[tsa.serial] = now - timedelta(hours=2)  # TSA key compromised
        signer = server.issue(
            "Het Han",
            urls=server.crl_only_urls(),
            not_before=start,
            not_after=now - timedelta(hours=10),
        )
        stamper = timestamper(tsa, [pki.government_ca])
        stamper.fixed_dt = now - timedelta(hours=15)  # forged gen_time, before the revocation
        pdf = sign(make_pdf(1), signer, [pki.government_ca], tsa=stamper)
        report = validate_pdf_bytes(pdf, fetch=True)
    (signature,) = report.signatures
    assert signature.timestamp.status == TimestampStatus.UNKNOWN
    assert "thu hồi" in signature.timestamp.message
    assert report.verdict != Verdict.VALID


def test_token_from_tsa_expired_now_is_not_proof(anchors: None, pki: Any) -> None:
    now = datetime.now(tz=UTC)
    with revocation_server(pki.government_ca, pki.ocsp_responder) as server:
        key = demo_pki.new_key()
        start = now - timedelta(days=2)
        builder = demo_pki._builder(
            demo_pki._name("Old TSA"), pki.government_ca, key, start, now - timedelta(hours=1)
        )
        builder = builder.add_extension(
            x509.BasicConstraints(ca=False, path_length=None), critical=True
        )
        builder = builder.add_extension(demo_pki._signing_usage(), critical=True)
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
        builder = demo_pki._with_revocation(builder, server.crl_only_urls())
        tsa = IssuedKey(builder.sign(pki.government_ca.key, hashes.SHA256()), key)
        stamper = timestamper(tsa, [pki.government_ca])
        stamper.fixed_dt = now - timedelta(hours=5)
        signer = server.issue("Nguyen Van An", urls=server.crl_only_urls(), key=pki.person.key)
        report = validate_pdf_bytes(
            sign(make_pdf(1), signer, [pki.government_ca], tsa=stamper), fetch=True
        )
    (signature,) = report.signatures
    assert signature.timestamp.status == TimestampStatus.UNKNOWN
    assert "hết hạn" in signature.timestamp.message


# --- 2. /ByteRange: the hole is exactly /Contents -------------------------------------------


_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")


def _resign_with_gap(signed: bytes, issued: IssuedKey, chain_certs: list[IssuedKey]) -> bytes:
    """Move the second range 40 bytes on, leaving 40 unsigned bytes after /Contents, and sign
    that range for real: the CMS signature is genuine, the gap is not covered."""
    gap = 40
    match = _BYTE_RANGE.search(signed)
    assert match is not None
    _, first, second, length = map(int, match.groups())
    old = match.group(0)
    new = f"/ByteRange [0 {first} {second + gap} {length}]".encode()
    new = new[:-1] + b" " * (len(old) - len(new)) + b"]"
    data = bytearray(signed.replace(old, new))
    digest = hashlib.sha256()
    digest.update(bytes(data[0:first]))
    digest.update(bytes(data[second + gap : second + gap + length]))
    signer = signers.SimpleSigner(
        signing_cert=_asn1_cert(issued.certificate),
        signing_key=_asn1_key(issued),
        cert_registry=SimpleCertificateStore.from_certs(
            [_asn1_cert(c.certificate) for c in chain_certs]
        ),
    )
    cms = asyncio.run(signer.async_sign(digest.digest(), "sha256"))
    hexsig = cms.dump().hex().encode()
    hole = second - first - 2
    data[first + 1 : second - 1] = hexsig + b"0" * (hole - len(hexsig))
    return bytes(data)


def test_byte_range_with_unsigned_gap_is_invalid(anchors: None, pki: Any) -> None:
    with revocation_server(pki.government_ca, pki.ocsp_responder) as server:
        person = server.issue("Nguyen Van An", key=pki.person.key)
        signed = sign(make_pdf(1), person, [pki.government_ca])
        assert validate_pdf_bytes(signed, fetch=True).verdict == Verdict.VALID
        crafted = _resign_with_gap(signed, person, [pki.government_ca])
        report = validate_pdf_bytes(crafted, fetch=True)
        assert report.verdict == Verdict.INVALID
        assert "/ByteRange" in report.signatures[0].integrity.message
        # the unsigned bytes can then be changed at will
        match = _BYTE_RANGE.search(crafted)
        assert match is not None
        start = int(match.group(3)) - 40
        tampered = bytearray(crafted)
        tampered[start : start + 40] = bytes(tampered[start : start + 40]).replace(b"]  ", b"]%X")
        assert bytes(tampered) != crafted
        assert validate_pdf_bytes(bytes(tampered), fetch=True).verdict == Verdict.INVALID


def test_byte_range_hole_not_the_contents_is_invalid(anchors: None, pki: Any) -> None:
    """Ranges that add up to the file size but whose hole is shifted off /Contents."""
    with revocation_server(pki.government_ca, pki.ocsp_responder) as server:
        person = server.issue("Nguyen Van An", key=pki.person.key)
        signed = sign(make_pdf(1), person, [pki.government_ca])
    match = _BYTE_RANGE.search(signed)
    assert match is not None
    _, first, second, length = map(int, match.groups())
    old = match.group(0)
    new = f"/ByteRange [0 {first + 2} {second + 2} {length - 2}]".encode()
    new = new[:-1] + b" " * (len(old) - len(new)) + b"]"
    report = validate_pdf_bytes(signed.replace(old, new), fetch=False)
    assert report.verdict == Verdict.INVALID
    assert "/ByteRange" in report.signatures[0].integrity.message


# --- 3. The organisation signs only over a signature that checks out ------------------------


@pytest.mark.parametrize("which", ["untrusted", "expired"])
def test_organisation_refuses_over_a_worthless_signature(
    signing_world: Any, sample_pdf: bytes, pki: Any, which: str
) -> None:
    earlier = sign(sample_pdf, getattr(pki, which), [], field_name="SigPerson1")
    clerk = signing_world.personas.clerk_a
    with pytest.raises(DomainError) as refused:
        do_sign_document(
            earlier,
            certificate=signing_world.organisation_certificate,
            acting_user=clerk,
            second_factor_code=fresh_code(clerk),
            placement=PLACEMENT,
            level="B-B",
        )
    assert refused.value.code == "person_signature_invalid"
    assert "người có thẩm quyền" in refused.value.message


def test_organisation_follows_a_signature_unknown_only_for_revocation(
    signing_world: Any, sample_pdf: bytes, pki: Any
) -> None:
    """pki.person has no OCSP/CRL URL: its signature is "Không xác định" for revocation only."""
    earlier = sign(sample_pdf, pki.person, [pki.government_ca], field_name="SigPerson1")
    (signature,) = validate_pdf_bytes(earlier, fetch=False).signatures
    assert signature.verdict == Verdict.INDETERMINATE
    clerk = signing_world.personas.clerk_a
    signed = do_sign_document(
        earlier,
        certificate=signing_world.organisation_certificate,
        acting_user=clerk,
        second_factor_code=fresh_code(clerk),
        placement=PLACEMENT,
        level="B-B",
    )
    assert len(validate_pdf_bytes(signed, fetch=False).signatures) == 2


# --- 4. The remote-signing client facing a misbehaving service ------------------------------


def _answer_when_asked(server: Any, answer: Callable[[dict[str, Any]], None]) -> threading.Thread:
    def run() -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            pending = server.pending()
            if pending:
                with server.lock:
                    answer(server.requests[pending[0]])
                return
            time.sleep(0.05)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


@pytest.fixture
def remote_certificate(remote_signing_server: Any, personas: Any, pki: Any, settings: Any) -> Any:
    from chinhquyen.signing import images
    from chinhquyen.signing.actions import do_register_remote_certificate
    from chinhquyen.signing.models import SignatureImage

    picture = images.signature_image(personas.leader_a.full_name)
    SignatureImage.objects.create(
        kind="signature",
        owner_user=personas.leader_a,
        png=picture.png,
        width_mm=picture.width_mm,
        height_mm=picture.height_mm,
    )
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
    )


def test_remote_signature_by_another_key_is_refused(
    remote_certificate: Any, remote_signing_server: Any, personas: Any, sample_pdf: bytes, pki: Any
) -> None:
    def wrong_key(request: dict[str, Any]) -> None:
        signature = pki.organisation.key.sign(
            base64.b64decode(request["digest_b64"]),
            padding.PKCS1v15(),
            utils.Prehashed(hashes.SHA256()),
        )
        request.update(status="approved", signature_b64=base64.b64encode(signature).decode())

    thread = _answer_when_asked(remote_signing_server, wrong_key)
    with pytest.raises(DomainError) as refused:
        _sign_remote(remote_certificate, personas.leader_a, sample_pdf)
    thread.join(timeout=5)
    assert refused.value.code == "remote_signing_bad_signature"


def test_remote_signature_not_base64_is_a_domain_error(
    remote_certificate: Any, remote_signing_server: Any, personas: Any, sample_pdf: bytes
) -> None:
    thread = _answer_when_asked(
        remote_signing_server,
        lambda request: request.update(status="approved", signature_b64="@@not base64@@"),
    )
    with pytest.raises(DomainError) as refused:
        _sign_remote(remote_certificate, personas.leader_a, sample_pdf)
    thread.join(timeout=5)
    assert refused.value.code == "remote_signing_bad_answer"


def test_remote_answer_without_request_id_is_a_domain_error(remote_signing_server: Any) -> None:
    remote_signing_server.create = lambda handler, body: (201, "application/json", b"{}")
    client = RemoteSigningClient(remote_signing_server.url)
    with pytest.raises(DomainError) as refused:
        client.request_signature(
            credential_id="person", digest_algorithm="sha256", digest=b"x" * 32, document_name=""
        )
    assert refused.value.code == "remote_signing_bad_answer"


@pytest.fixture
def broken_http_server() -> Iterator[Callable[[bytes], str]]:
    """A socket server answering every connection with the bytes it is given, then closing."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    reply = [b""]
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    conn.recv(65536)
                    conn.sendall(reply[0])
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()

    def use(payload: bytes) -> str:
        reply[0] = payload
        return f"http://127.0.0.1:{listener.getsockname()[1]}"

    yield use
    stop.set()
    thread.join(timeout=5)
    listener.close()


@pytest.mark.parametrize(
    "payload",
    [
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{",
        b"garbage that is not HTTP\r\n\r\n",
        b"",
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]",
    ],
)
def test_remote_transport_failures_are_domain_errors(
    broken_http_server: Callable[[bytes], str], payload: bytes
) -> None:
    client = RemoteSigningClient(broken_http_server(payload), request_timeout=3)
    with pytest.raises(DomainError) as refused:
        client.status("req-1")
    assert refused.value.code in ("remote_signing_unavailable", "remote_signing_bad_answer")


def test_remote_request_id_is_quoted_in_the_path() -> None:
    seen: list[str] = []

    def route(handler: BaseHTTPRequestHandler, body: bytes) -> tuple[int, str, bytes]:
        seen.append(handler.path)
        return 200, "application/json", b'{"status": "pending"}'

    with LocalServer({("GET", "/v1/signatures"): route}) as server:
        RemoteSigningClient(server.base_url).status("../admin?x=1#y")
    assert seen == ["/v1/signatures/..%2Fadmin%3Fx%3D1%23y"]


# --- 5. Key material never shown in Django error reports ------------------------------------


def _frame_vars(function: str) -> dict[str, str]:
    reporter = ExceptionReporter(None, *sys.exc_info())
    for frame in reporter.get_traceback_frames():
        if frame["function"] == function:
            return dict(frame["vars"])
    raise AssertionError(f"no frame {function}")


def test_pkcs12_password_hidden_in_error_reports(
    db: Any, personas: Any, pki: Any, settings: Any
) -> None:
    settings.DEBUG = False  # the filter is active only outside DEBUG, as in production
    try:
        do_import_pkcs12(
            pkcs12_of(pki.person, [pki.government_ca]),
            "sai-mat-khau-bi-mat",
            purpose="personal",
            owner_user=personas.leader_a,
            label="x",
            acting_user=None,
        )
    except DomainError:
        frame = _frame_vars("_load_pkcs12")
    else:
        raise AssertionError("the wrong password was accepted")
    assert "sai-mat-khau-bi-mat" not in frame["password"]
    assert frame["password"] == frame["data"] == "********************"


def test_decrypted_key_hidden_in_error_reports(
    pki: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cryptography.fernet import Fernet

    settings.DEBUG = False  # the filter is active only outside DEBUG, as in production
    settings.SIGNING_KEY_ENCRYPTION_KEY = Fernet.generate_key().decode()
    blob = keys.encrypt_private_key(pki.person.key)

    def fail(der: bytes, password: Any) -> Any:
        raise ValueError("cannot load")

    monkeypatch.setattr(keys.serialization, "load_der_private_key", fail)
    try:
        keys.decrypt_private_key(blob)
    except ValueError:
        frame = _frame_vars("decrypt_private_key")
    else:
        raise AssertionError("expected the patched loader to fail")
    assert frame["der"] == "********************"
