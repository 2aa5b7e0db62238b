"""The demo CA's CRL, served by the site itself so the demo's signatures validate end to end."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from chinhquyen.signing.demo_authority import demo_crl_der


@require_GET
def demo_crl(request: HttpRequest) -> HttpResponse:
    if not settings.DEBUG:
        raise Http404("Chỉ có trong bản chạy thử.")
    der = demo_crl_der()
    if der is None:
        raise Http404("Chưa tạo CA mẫu (manage.py demo_ca).")
    response = HttpResponse(der, content_type="application/pkix-crl")
    response["Cache-Control"] = "max-age=300"
    return response
