"""Read helpers for signing: the public check page of an issued document and its QR code."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.urls import reverse

from chinhquyen.core.qr import qr_png
from chinhquyen.signing.models import IssuedDocument


def issued_document_by_token(token: str) -> IssuedDocument:
    """Public: anyone holding the token (printed as a QR code) may check the document."""
    document = (
        IssuedDocument.objects.select_related("issuing_agency").filter(token=token[:40]).first()
    )
    if document is None:
        raise Http404("Không tìm thấy văn bản với mã kiểm tra này.")
    return document


def verification_url(issued_document: IssuedDocument) -> str:
    """The absolute URL printed on a result (SITE_URL + the public check page)."""
    path = reverse("signing:verify_issued", args=[issued_document.token])
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def verification_qr_png(issued_document: IssuedDocument) -> bytes:
    return qr_png(verification_url(issued_document))


def read_issued_file(issued_document: IssuedDocument) -> bytes:
    with issued_document.file.open("rb") as handle:
        data: bytes = handle.read(settings.SIGNING_VALIDATION_MAX_BYTES + 1)
    return data
