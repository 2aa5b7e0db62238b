"""The one django-ninja API: every app adds its router here, so one OpenAPI document covers all.

Authentication is the staff session (signed in with the second factor); unsafe methods need the
CSRF token as for forms."""

from django.http import HttpRequest
from ninja import NinjaAPI, Schema

from chinhquyen.core.apiauth import install_error_handlers
from chinhquyen.core.apiparser import StrictParser, refuse_nul_address

api = NinjaAPI(
    title="chinhquyen API",
    version="1",
    description="API của nền tảng chính quyền điện tử chinhquyen.",
    urls_namespace="api",
    parser=StrictParser(),
)
install_error_handlers(api)
api.add_decorator(refuse_nul_address, mode="view")


class PingOut(Schema):
    status: str


@api.get("/ping", response=PingOut, tags=["core"], auth=None)
def ping(request: HttpRequest) -> dict[str, str]:
    """A bare JSON endpoint (the baseline of the benchmarks)."""
    return {"status": "ok"}


def _register_routers() -> None:
    from chinhquyen.dossiers.api import dossiers_router, drafts_router, tracking_router
    from chinhquyen.org.api import router as org_router
    from chinhquyen.payments.api import router as payments_router
    from chinhquyen.procedures.api import router as catalogue_router
    from chinhquyen.reports.api import router as reports_router
    from chinhquyen.signing.api import router as signing_router
    from chinhquyen.workdays.api import router as workdays_router

    # Public tracking is the busiest address of the API (every receipt's QR code): its patterns
    # come first so resolving it does not walk every other router's (issue #3 performance).
    # No two routers share a prefix, so the order changes the cost, never which view answers.
    api.add_router("/tracking", tracking_router)
    api.add_router("/org", org_router)
    api.add_router("/workdays", workdays_router)
    api.add_router("/signing", signing_router)
    api.add_router("/catalogue", catalogue_router)
    api.add_router("/drafts", drafts_router)
    api.add_router("/dossiers", dossiers_router)
    api.add_router("/payments", payments_router)
    api.add_router("/back-office", "chinhquyen.dossiers.staff_api.router")
    api.add_router("/reports", reports_router)
    api.add_router("/postal", "chinhquyen.dossiers.postal_api.router")


_register_routers()
