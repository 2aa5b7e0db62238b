"""PAdES signing (ETSI EN 319 142-1 baseline) of a PDF, as an incremental update.

- B-B: a CMS signature with subfilter ETSI.CAdES.detached, SHA-256, the signer's chain embedded;
- B-T: plus a signature time-stamp (RFC 3161) from the configured TSA, as an unsigned attribute;
- B-LT: plus the validation data (certificates, OCSP responses, CRLs) in the document security
  store. When the revocation data cannot be fetched, signing fails: never a silent downgrade.

Every signature is an approval signature (no certification, no DocMDP lock) so the organisation
can sign after the person, and later validation data or archive time-stamps stay allowed
(docs/adr/0004-pades-signing.md)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Literal, TypeVar

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.pdf_cms import Signer
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

from chinhquyen.core.errors import DomainError
from chinhquyen.signing.appearance import Appearance, Box

T = TypeVar("T")

Level = Literal["B-B", "B-T", "B-LT"]
LEVELS: tuple[Level, ...] = ("B-B", "B-T", "B-LT")
DIGEST = "sha256"


def existing_signature_count(pdf: bytes) -> int:
    """How many filled signature fields the PDF has (0 when it cannot be read)."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        return len(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError):
        return 0


def signature_widget_boxes(pdf: bytes) -> list[Box]:
    """The widget rectangles of the signatures already in the PDF, in signing order."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    boxes = []
    for embedded in reader.embedded_signatures:
        rect = embedded.sig_field.get("/Rect")
        if rect is not None and float(rect[2]) - float(rect[0]) > 0:
            x1, y1, x2, y2 = (float(value) for value in rect)
            boxes.append(Box(min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)))
    return boxes


def trust_context(*, fetch: bool = True) -> ValidationContext:
    """Trust anchors from the `TrustAnchor` rows (roots trusted, intermediates as helpers).
    Hard-fail: a certificate that names a CRL or OCSP source must have its status fetched."""
    from chinhquyen.signing.models import TrustAnchor

    roots: list[asn1_x509.Certificate] = []
    intermediates: list[asn1_x509.Certificate] = []
    for anchor in TrustAnchor.objects.filter(enabled=True):
        certificate = asn1_x509.Certificate.load(bytes(anchor.certificate_der))
        kind_is_root = anchor.kind == TrustAnchor.Kind.ROOT
        (roots if kind_is_root else intermediates).append(certificate)
    return ValidationContext(
        trust_roots=roots,
        other_certs=intermediates,
        allow_fetching=fetch,
        revocation_mode="hard-fail",
    )


def _has_revocation_source(certificate: asn1_x509.Certificate | None) -> bool:
    if certificate is None:
        return False
    return bool(certificate.crl_distribution_points or certificate.ocsp_urls)


def _metadata(
    signer: Signer,
    *,
    level: Level,
    field_name: str,
    reason: str,
    location: str,
    validation_context: ValidationContext | None,
) -> signers.PdfSignatureMetadata:
    long_term = level == "B-LT"
    if long_term:
        if validation_context is None:
            raise DomainError("Ký mức B-LT cần danh sách chứng thư tin cậy.", code="no_trust")
        if not _has_revocation_source(signer.signing_cert):
            raise DomainError(
                "Chứng thư không có địa chỉ CRL/OCSP nên không ký được mức B-LT.",
                code="no_revocation_source",
            )
    return signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason or None,
        location=location or None,
        md_algorithm=DIGEST,
        subfilter=fields.SigSeedSubFilter.PADES,
        certify=False,
        embed_validation_info=long_term,
        validation_context=validation_context if long_term else None,
    )


def _timestamper(level: Level, tsa_url: str | None) -> timestamps.TimeStamper | None:
    if level == "B-B":
        return None
    if not tsa_url:
        raise DomainError(
            "Chưa cấu hình máy chủ cấp dấu thời gian (SIGNING_TSA_URL) cho mức B-T/B-LT.",
            code="no_tsa",
        )
    return timestamps.HTTPTimeStamper(tsa_url, timeout=10)


def _field_spec(field_name: str, appearance: Appearance | None) -> fields.SigFieldSpec:
    if appearance is None:
        return fields.SigFieldSpec(sig_field_name=field_name)
    return fields.SigFieldSpec(
        sig_field_name=field_name, on_page=appearance.page, box=appearance.box.as_tuple()
    )


def _reserved_bytes(level: Level, signer: Signer) -> int | None:
    """For B-B, room for the CMS object computed from the certificates it embeds, which spares
    pyHanko its default dry-run signature (about 40 % of the time of a B-B signature). B-T and
    B-LT keep pyHanko's estimate: the time-stamp token's size is not known in advance."""
    if level != "B-B" or signer.signing_cert is None:
        return None
    certificates = [signer.signing_cert, *signer.cert_registry]
    # 4 KiB covers the signed attributes, a signature of up to RSA-8192 and the DER framing;
    # pyHanko counts the reservation in hex digits, two per byte.
    return 2 * (sum(len(c.dump()) for c in certificates) + 4096)


def off_event_loop(call: Callable[[], T]) -> T:
    """pyHanko's synchronous API runs its own `asyncio.run`, which fails inside a thread that
    already runs an event loop (an async view, a Playwright session): run it in a worker then."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def sign_pdf(
    pdf: bytes,
    signer: Signer,
    *,
    level: Level,
    field_name: str,
    appearance: Appearance | None = None,
    reason: str = "",
    location: str = "",
    tsa_url: str | None = None,
    validation_context: ValidationContext | None = None,
) -> bytes:
    """Sign `pdf` and return the new bytes (the original bytes followed by an update)."""
    if level not in LEVELS:
        raise DomainError(f"Mức chữ ký không hỗ trợ: {level}.", code="bad_level")
    metadata = _metadata(
        signer,
        level=level,
        field_name=field_name,
        reason=reason,
        location=location,
        validation_context=validation_context,
    )
    pdf_signer = signers.PdfSigner(
        metadata,
        signer=signer,
        timestamper=_timestamper(level, tsa_url),
        stamp_style=appearance.style if appearance else None,
        new_field_spec=_field_spec(field_name, appearance),
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        output = off_event_loop(
            lambda: pdf_signer.sign_pdf(
                writer,
                bytes_reserved=_reserved_bytes(level, signer),
                appearance_text_params=appearance.text_params if appearance else None,
            )
        )
    except (PathBuildingError, PathValidationError) as error:
        raise DomainError(
            f"Không lấy được thông tin thu hồi để ký mức B-LT: {error}", code="revocation"
        ) from None
    except SigningError as error:
        raise DomainError(f"Ký số không thành công: {error}", code="signing_failed") from None
    except PdfError as error:
        raise DomainError(f"Tệp PDF không đọc được: {error}", code="bad_pdf") from None
    result: bytes = output.getvalue()
    return result
