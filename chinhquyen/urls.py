"""URL map. Every staff view is tagged read or write (see `chinhquyen.org.decorators`); the
permission matrix test walks this map, so a new URL is covered by default."""

from django.contrib import admin
from django.urls import include, path

from chinhquyen.core import health
from chinhquyen.core.api import api

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/", api.urls),
    path("quan-tri/", admin.site.urls),
    path("", include("chinhquyen.core.urls")),
    path("", include("chinhquyen.org.urls")),
    path("", include("chinhquyen.signing.urls")),
    path("", include("chinhquyen.portal.urls")),
]

handler403 = "chinhquyen.core.views.permission_denied"
