"""Public tracking of a dossier by its code (placeholder: the tracking pages are being built)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def lookup(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Tra cứu hồ sơ")
