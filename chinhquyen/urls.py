"""URL map. Every staff view is tagged read or write (see `chinhquyen.org.decorators`); the
permission matrix test walks this map, so a new URL is covered by default."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from chinhquyen.core import health
from chinhquyen.core.api import api

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/", api.urls),
    # The public tracking page is the busiest page (issue #3): matched before the other sections
    # instead of after nine of them. No other pattern starts with a converter, so order only
    # changes the cost, never which view answers.
    path("", include("chinhquyen.portal.tracking_urls")),
    # The addresses the issue names for the one OpenAPI document and its browsable page.
    path(
        "api/openapi.json",
        RedirectView.as_view(url="/api/v1/openapi.json"),
        name="api_openapi_document",
    ),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs"), name="api_docs_page"),
    path("quan-tri/", admin.site.urls),
    path("", include("chinhquyen.core.urls")),
    path("", include("chinhquyen.org.urls")),
    path("", include("chinhquyen.signing.urls")),
    path("", include("chinhquyen.payments.urls")),
    path("", include("chinhquyen.portal.urls")),
    path("", include("chinhquyen.portal.account_urls")),
    path("", include("chinhquyen.portal.submission_urls")),
    path("", include("chinhquyen.dossiers.staff_urls")),
    path("", include("chinhquyen.reports.urls")),
]

handler403 = "chinhquyen.core.views.permission_denied"
