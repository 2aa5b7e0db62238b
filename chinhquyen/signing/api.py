"""Public validation API: upload a PDF, or name an issued document by its QR token; the answer
is the same report as the page, as JSON (English keys, Vietnamese messages)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import File, Router
from ninja.files import UploadedFile

from chinhquyen.core.errors import DomainError
from chinhquyen.signing.queries import issued_document_by_token, read_issued_file
from chinhquyen.signing.validation.engine import size_limit_text, validate_pdf_bytes
from chinhquyen.signing.views import body_too_large

router = Router(tags=["signing"])


class PayloadTooLarge(DomainError):
    status = 413


def _too_large() -> PayloadTooLarge:
    return PayloadTooLarge(
        f"Tệp lớn hơn giới hạn {size_limit_text()}, không kiểm tra.", code="too_large", field="file"
    )


@router.post("/validate", auth=None)
def validate(request: HttpRequest, file: UploadedFile = File(...)) -> dict[str, Any]:  # noqa: B008
    """Check the signatures of an uploaded PDF (multipart field `file`)."""
    if body_too_large(request) or (file.size or 0) > settings.SIGNING_VALIDATION_MAX_BYTES:
        raise _too_large()
    data = file.read()
    if not data:
        raise DomainError("Tệp rỗng.", code="empty", field="file")
    return validate_pdf_bytes(data).to_json()


@router.get("/issued/{token}", auth=None)
def issued(request: HttpRequest, token: str) -> dict[str, Any]:
    """Check a document the province issued, named by the token in its QR code."""
    document = issued_document_by_token(token)
    return {
        "document": {
            "title": document.title,
            "issuing_agency": document.issuing_agency.name,
            "issued_at": document.issued_at.isoformat(),
            "sha256": document.sha256,
        },
        "report": validate_pdf_bytes(read_issued_file(document)).to_json(),
    }
