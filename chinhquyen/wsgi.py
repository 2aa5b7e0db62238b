"""WSGI entry point for gunicorn.

Loading also imports every view (the URLconf), then freezes what is loaded: those objects (Django,
the apps, WeasyPrint and its fonts' tables…) live as long as the process, and the cyclic garbage
collector's full passes would otherwise walk all of them again and again while requests run. A
Mẫu 01 PDF spent about a tenth of its CPU time in those passes (issue #5: ≥ 20 PDFs/s)."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chinhquyen.settings")
application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 (imports the views now, not on the first request)
gc.collect()  # garbage frozen would never be freed
gc.freeze()
