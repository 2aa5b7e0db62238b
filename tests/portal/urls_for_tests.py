"""The project's URLs plus the portal's, until the portal is mounted in `chinhquyen.urls`."""

from django.urls import include, path

from chinhquyen.urls import handler403
from chinhquyen.urls import urlpatterns as project_urlpatterns

mounted = any(getattr(p, "app_name", None) == "portal" for p in project_urlpatterns)
urlpatterns = [
    *project_urlpatterns,
    *([] if mounted else [path("", include("chinhquyen.portal.urls"))]),
]

__all__ = ["handler403", "urlpatterns"]
