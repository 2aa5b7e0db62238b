"""Signing PDFs for the validation tests with pyHanko directly (PAdES, incremental), so these
tests do not depend on the app's own signing code; plus a small CRL/OCSP server on 127.0.0.1."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509 import Certificate
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from chinhquyen.signing import demo_pki
from chinhquyen.signing.demo_pki import IssuedKey


def _asn1_cert(certificate: Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _asn1_key(issued: IssuedKey) -> asn1_keys.PrivateKeyInfo:
    der = issued.key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return asn1_keys.PrivateKeyInfo.load(der)


def timestamper(tsa: IssuedKey, chain: Sequence[IssuedKey] = ()) -> DummyTimeStamper:
    return DummyTimeStamper(
        tsa_cert=_asn1_cert(tsa.certificate),
        tsa_key=_asn1_key(tsa),
        certs_to_embed=SimpleCertificateStore.from_certs(
            [_asn1_cert(c.certificate) for c in chain]
        ),
    )


def sign(
    pdf: bytes,
    issued: IssuedKey,
    chain: Sequence[IssuedKey] = (),
    field_name: str = "Signature1",
    *,
    tsa: DummyTimeStamper | None = None,
) -> bytes:
    """An approval signature (PAdES B-B, or B-T with `tsa`) added as an incremental update."""
    signer = signers.SimpleSigner(
        signing_cert=_asn1_cert(issued.certificate),
        signing_key=_asn1_key(issued),
        cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(c.certificate) for c in chain]),
    )
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, subfilter=fields.SigSeedSubFilter.PADES
    )
    out = signers.sign_pdf(writer, meta, signer=signer, timestamper=tsa)
    return out.getvalue()


def add_empty_signature_fields(pdf: bytes, count: int) -> bytes:
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    for index in range(count):
        fields.append_signature_field(
            writer, fields.SigFieldSpec(sig_field_name=f"Empty{index}", on_page=0)
        )
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def change_page_content(
    pdf: bytes, new_text: bytes = b"BT /F1 30 Tf 72 400 Td (SUA) Tj ET"
) -> bytes:
    """A later incremental update that replaces page 1's content stream."""
    from pyhanko.pdf_utils import generic

    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    page_ref = writer.root["/Pages"]["/Kids"][0]
    page = page_ref.get_object()
    stream = generic.StreamObject(stream_data=new_text)
    page["/Contents"] = writer.add_object(stream)
    writer.update_container(page)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


@dataclass
class RevocationServer:
    """Serves `/crl` (a CRL of `issuer`) and `/ocsp` (OCSP answers signed by `responder`)."""

    issuer: IssuedKey
    responder: IssuedKey
    revoked: dict[int, datetime] = field(default_factory=dict)
    known: dict[int, Certificate] = field(default_factory=dict)
    base_url: str = ""
    hits: list[str] = field(default_factory=list)

    def urls(self) -> demo_pki.RevocationUrls:
        return demo_pki.RevocationUrls(
            crl_url=f"{self.base_url}/crl", ocsp_url=f"{self.base_url}/ocsp"
        )

    def crl_only_urls(self) -> demo_pki.RevocationUrls:
        return demo_pki.RevocationUrls(crl_url=f"{self.base_url}/crl")

    def issue(
        self, common_name: str, *, urls: demo_pki.RevocationUrls | None = None, **kwargs: Any
    ) -> IssuedKey:
        issued = demo_pki.issue_signing_certificate(
            self.issuer, common_name, urls=urls or self.urls(), **kwargs
        )
        self.known[issued.serial] = issued.certificate
        return issued


def _handler(server: RevocationServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _reply(self, body: bytes, content_type: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            server.hits.append("crl")
            crl = demo_pki.build_crl(server.issuer, server.revoked.items())
            self._reply(crl.public_bytes(serialization.Encoding.DER), "application/pkix-crl")

        def do_POST(self) -> None:
            server.hits.append("ocsp")
            length = int(self.headers.get("Content-Length", "0"))
            body = demo_pki.build_ocsp_response(
                self.rfile.read(length),
                server.issuer,
                server.responder,
                server.known.get,
                server.revoked.get,
            )
            self._reply(body, "application/ocsp-response")

    return Handler


@contextmanager
def revocation_server(issuer: IssuedKey, responder: IssuedKey) -> Iterator[RevocationServer]:
    state = RevocationServer(issuer=issuer, responder=responder)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
