"""`validate_pdf_bytes`: any bytes in, a `DocumentReport` out. Bad input (not a PDF, encrypted,
truncated, too large, hundreds of fields) gives a report, never an exception."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from io import BytesIO

from cryptography import x509
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone
from pyhanko.pdf_utils.decode_limits import (
    DEFAULT_PURPOSE_LIMITS,
    DecodeLimits,
    DecodePurpose,
    DocumentDecodeBudget,
    StreamDecodeLimits,
)
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

from chinhquyen.signing.trust import current_trust_store
from chinhquyen.signing.validation import fastpdf
from chinhquyen.signing.validation.report import (
    ChangeLevel,
    DocumentReport,
    Integrity,
    Problem,
    SignatureReport,
    Verdict,
    worst,
)
from chinhquyen.signing.validation.revocation import EmbeddedData
from chinhquyen.signing.validation.signatures import (
    Context,
    validate_document_timestamp,
    validate_signature,
)

logger = logging.getLogger(__name__)
fastpdf.install()

# Uploads are untrusted: far tighter than pyHanko's defaults (256 MiB a stream, a document budget
# of 100× the file), so a decompression bomb is refused long before it fills memory.
_MIB = 1024 * 1024
MAX_DSS_ITEMS = 200
DECODE_LIMITS = DecodeLimits(
    per_stream=StreamDecodeLimits(max_ratio=1100, ratio_floor=_MIB, max_output_size=16 * _MIB),
    per_purpose={
        **DEFAULT_PURPOSE_LIMITS,
        DecodePurpose.CERTIFICATE: StreamDecodeLimits(max_ratio=None, max_output_size=_MIB // 4),
        DecodePurpose.OCSP_RESPONSE: StreamDecodeLimits(max_ratio=None, max_output_size=_MIB),
        DecodePurpose.CRL: StreamDecodeLimits(
            max_ratio=50, ratio_floor=_MIB, max_output_size=16 * _MIB
        ),
    },
    document_budget=DocumentDecodeBudget(base_allowance=48 * _MIB, max_ratio=10),
)

MAX_SIGNATURES = 20  # checked per document; more are reported, not checked
MAX_FIELDS = 1000  # signature fields walked before giving up counting
_TRAILING_OK = b" \t\r\n\x00\x0c"


def validate_pdf_bytes(
    data: bytes, *, at: datetime | None = None, fetch: bool | None = None
) -> DocumentReport:
    now = at or timezone.now()
    fetch = settings.SIGNING_FETCH_REVOCATION if fetch is None else fetch
    try:
        report = _validate(data, now, fetch)
    except DatabaseError:
        raise
    except Exception:
        # pyHanko meets hostile files here; whatever it raises, the answer is "not checked".
        logger.exception("validation failed on a %d-byte file", len(data))
        report = _problem("unreadable", "Tệp PDF bị hỏng hoặc có cấu trúc không đọc được.")
    report.size = len(data)
    report.sha256 = hashlib.sha256(data).hexdigest()
    report.checked_at = now
    return report


def _problem(code: str, message: str) -> DocumentReport:
    return DocumentReport(Verdict.INDETERMINATE, message, problem=Problem(code, message))


def size_limit_text() -> str:
    limit = settings.SIGNING_VALIDATION_MAX_BYTES
    if limit >= 1024 * 1024:
        return f"{limit // (1024 * 1024)} MB"
    return f"{max(1, limit // 1024)} KB"


def _input_problem(data: bytes) -> DocumentReport | None:
    limit = settings.SIGNING_VALIDATION_MAX_BYTES
    if not data:
        return _problem("empty", "Tệp rỗng.")
    if len(data) > limit:
        return _problem("too_large", f"Tệp lớn hơn giới hạn {size_limit_text()}, không kiểm tra.")
    if b"%PDF-" not in data[:1024]:
        return _problem("not_pdf", "Tệp không phải định dạng PDF.")
    if b"%%EOF" not in data[-1024:]:
        return _problem(
            "truncated", "Tệp PDF không đầy đủ (thiếu phần kết thúc), có thể đã bị cắt cụt."
        )
    return None


def _open(data: bytes) -> PdfFileReader | DocumentReport:
    try:
        reader = PdfFileReader(BytesIO(data), strict=False, decode_limits=DECODE_LIMITS)
        encrypted = reader.encrypt_dict is not None
        _ = reader.root
    except Exception:
        return _problem(
            "unreadable", "Tệp PDF bị hỏng hoặc không đầy đủ (bị cắt cụt), không đọc được."
        )
    if encrypted:
        return _problem(
            "encrypted", "Tệp PDF đã được mã hóa (đặt mật khẩu) nên không kiểm tra được chữ ký."
        )
    return reader


def _validate(data: bytes, now: datetime, fetch: bool) -> DocumentReport:
    problem = _input_problem(data)
    if problem is not None:
        return problem
    opened = _open(data)
    if isinstance(opened, DocumentReport):
        return opened
    reader = opened
    signed, empty, total = _signature_fields(reader)
    ctx = Context(current_trust_store(), now, fetch, *_document_security_store(reader))
    reports = [_check(reader, name, field, ctx) for name, field in signed[:MAX_SIGNATURES]]
    _mark_lta(reports)
    _check_trailing_data(data, reader, reports)
    report = DocumentReport(
        worst([r.verdict for r in reports]),
        "",
        reports,
        signature_fields=total,
        empty_signature_fields=empty,
        unchecked_signatures=max(0, len(signed) - MAX_SIGNATURES),
    )
    if report.unchecked_signatures:
        report.verdict = worst([report.verdict, Verdict.INDETERMINATE])
    report.summary = summarise(report)
    return report


def _signature_fields(reader: PdfFileReader) -> tuple[list[tuple[str, object]], int, int]:
    signed: list[tuple[str, object]] = []
    empty = total = 0
    for name, value, field in enumerate_sig_fields(reader):
        total += 1
        if value is None:
            empty += 1
        else:
            signed.append((str(name), field))
        if total >= MAX_FIELDS:
            break
    return signed, empty, total


def _check(reader: PdfFileReader, name: str, field: object, ctx: Context) -> SignatureReport:
    try:
        embedded = EmbeddedPdfSignature(reader, field, name)  # type: ignore[arg-type]
    except Exception as exc:
        report = SignatureReport(field_name=name, verdict=Verdict.INVALID)
        report.integrity = Integrity(False, f"Không đọc được chữ ký số ({exc}).")
        report.reasons.append(report.integrity.message)
        return report
    if embedded.sig_object_type == pdf_name("/DocTimeStamp"):
        return validate_document_timestamp(embedded, ctx)
    return validate_signature(embedded, ctx)


def _document_security_store(
    reader: PdfFileReader,
) -> tuple[EmbeddedData, list[x509.Certificate]]:
    """PAdES B-LT: certificates, OCSP responses and CRLs the document carries (/DSS)."""
    try:
        dss = reader.root["/DSS"]
    except (KeyError, TypeError):
        return EmbeddedData(), []
    try:

        def streams(key: str, purpose: DecodePurpose) -> list[bytes]:
            # Slice first, then decode each item under its purpose's limit (a /DSS
            # decompression bomb must not reach memory).
            refs = list(dss.get(key, []))[:MAX_DSS_ITEMS]
            return [ref.get_object().read_data(purpose) for ref in refs]

        certs = [
            x509.load_der_x509_certificate(d) for d in streams("/Certs", DecodePurpose.CERTIFICATE)
        ]
        embedded = EmbeddedData(
            streams("/OCSPs", DecodePurpose.OCSP_RESPONSE), streams("/CRLs", DecodePurpose.CRL)
        )
        return embedded, certs
    except Exception:
        return EmbeddedData(), []


def _mark_lta(reports: list[SignatureReport]) -> None:
    seen_doc_timestamp = False
    for report in reversed(reports):
        if report.kind == "document_timestamp":
            seen_doc_timestamp = True
        elif seen_doc_timestamp and report.pades_level == "PAdES B-LT":
            report.pades_level = "PAdES B-LTA"


def _check_trailing_data(
    data: bytes, reader: PdfFileReader, reports: list[SignatureReport]
) -> None:
    """Bytes after the last %%EOF that the PDF reader ignores are still something added after
    signing: only whitespace is accepted there."""
    end = data.rfind(b"%%EOF")
    if end < 0 or not data[end + 5 :].strip(_TRAILING_OK):
        return
    message = "Có dữ liệu lạ được thêm vào cuối tệp sau khi ký."
    for report in reports:
        if report.integrity.ok and not report.changes.covers_whole_document:
            report.changes.level = ChangeLevel.OTHER
            report.changes.allowed = False
            report.changes.message = message
            report.reasons.append(message)
            report.verdict = Verdict.INVALID


def summarise(report: DocumentReport) -> str:
    if report.problem is not None:
        return report.problem.message
    count = len(report.signatures)
    if count == 0:
        return "Tệp không có chữ ký số nào."
    valid = sum(1 for s in report.signatures if s.verdict == Verdict.VALID)
    text = f"Có {count} chữ ký số; {valid} chữ ký hợp lệ."
    if report.unchecked_signatures:
        text += (
            f" Còn {report.unchecked_signatures} chữ ký chưa được kiểm tra vì tệp có quá nhiều "
            f"chữ ký (tối đa {MAX_SIGNATURES})."
        )
    if report.verdict == Verdict.VALID:
        return text + " Văn bản còn nguyên vẹn từ khi ký."
    return text
