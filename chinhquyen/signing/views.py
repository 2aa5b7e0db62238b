"""Public pages: anyone may upload a PDF to check its signatures, or follow the QR code printed
on a document the province issued (TT 15/2025: Vietnamese-language report)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from chinhquyen.signing.queries import issued_document_by_token, read_issued_file
from chinhquyen.signing.validation.engine import validate_pdf_bytes
from chinhquyen.signing.validation.report import DocumentReport

# Multipart framing around the file; a body bigger than the limit plus this is refused unread.
_ENVELOPE = 64 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Tệp PDF cần kiểm tra",
        help_text="Tệp PDF có chữ ký số, dung lượng tối đa %(mb)d MB.",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        mb = settings.SIGNING_VALIDATION_MAX_BYTES // (1024 * 1024)
        self.fields["file"].help_text = self.fields["file"].help_text % {"mb": mb}

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > settings.SIGNING_VALIDATION_MAX_BYTES:
            raise forms.ValidationError("Tệp vượt quá dung lượng cho phép.", code="too_large")
        return upload


def body_too_large(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > settings.SIGNING_VALIDATION_MAX_BYTES + _ENVELOPE


def _report_page(request: HttpRequest, report: DocumentReport, **extra: object) -> HttpResponse:
    return render(request, "signing/report.html", {"report": report, **extra})


@require_http_methods(["GET", "POST"])
def verify_upload(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and body_too_large(request):
        form = UploadForm()
        form.add_error(None, "Tệp vượt quá dung lượng cho phép.")
        return render(request, "signing/upload.html", {"form": form}, status=413)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = validate_pdf_bytes(upload.read())
        return _report_page(request, report, filename=upload.name)
    status = 413 if form.has_error("file", "too_large") else 200
    return render(request, "signing/upload.html", {"form": form}, status=status)


@require_http_methods(["GET"])
def verify_issued(request: HttpRequest, token: str) -> HttpResponse:
    document = issued_document_by_token(token)
    report = validate_pdf_bytes(read_issued_file(document))
    return _report_page(request, report, document=document)
