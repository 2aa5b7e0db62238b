"""The permission matrix over every URL the project serves.

Each URL pattern is either public (listed below), part of the Django admin, a staff page tagged
read/write by `staff_view`, or an API operation. Path parameters are filled with objects of
agency A. An officer of agency B must be refused all of them; an inspector over the province may
read (GET) but never change. A citizen page (`citizen_view`) sends anonymous visitors to sign
in, refuses staff, and answers 404 to a citizen asking for another citizen's object. A URL that
fits none of these, or that has a parameter this test does not know how to fill, fails the test:
new URLs are covered by default.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from chinhquyen.core.api import api
from chinhquyen.core.models import StoredFile
from chinhquyen.dossiers.models import (
    Channel,
    DocumentRole,
    Dossier,
    DossierDocument,
    Draft,
    Status,
)
from chinhquyen.org.models import User
from tests.conftest import Personas, Province, client_for
from tests.factories import UserFactory
from tests.portal.catalogue import version

PUBLIC_URL_NAMES = {
    "healthz",
    "readyz",
    "core:home",
    "org:signin",
    "org:signin_second_factor",
    "org:signout",
    "api:ping",
    "api:openapi-json",
    "api:openapi-view",
    "api_openapi_document",
    "api_docs_page",
    "signing:verify_upload",
    "signing:verify_issued",
    "signing:demo_crl",
    "portal:catalogue_home",
    "portal:catalogue_search",
    "portal:field_detail",
    "portal:procedure_detail",
    "payments:ipn",
    "payments:return",
    "tracking:lookup",
    "accounts:signup",
    "accounts:verify",
    "accounts:signin",
    "accounts:signout",
    "accounts:password_reset",
    "accounts:password_reset_code",
    "accounts:oidc_start",
    "accounts:oidc_callback",
}


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    view: object


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(entry, prefix + str(entry.pattern), full_ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or "")
            yield Route(name=name, pattern=prefix + str(entry.pattern), view=entry.callback)


ALL_ROUTES = list(_walk(get_resolver()))


def _fill(pattern: str, values: dict[str, str]) -> str:
    def substitute(match: re.Match[str]) -> str:
        key = match.group(2)
        if key not in values:
            raise AssertionError(f"URL {pattern!r}: add a value for <{key}> to the matrix test")
        return values[key]

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", substitute, pattern).lstrip("^").rstrip("$")


def _values(province: Province, personas: Personas) -> dict[str, str]:
    theirs = _someone_elses(province)
    return {
        "agency_id": str(province.agency_a.pk),
        "user_id": str(personas.officer_a.pk),
        "payment_id": str(uuid.uuid4()),  # nobody's payment: 404, never a 500
        "code": theirs.dossier.code,
        "document_id": str(theirs.document.pk),
        "draft_id": str(theirs.draft.pk),
        "national_code": theirs.draft.procedure_version.procedure.national_code,
        "step": "1",
        "action": "request_supplement",
        "form": "06",  # the control sheet in the TT 03/2025 edition (Mẫu 05 is the stop notice)
        "kind": "phieu-kiem-soat",
        "year": "2026",
        "fmt": "xlsx",
        "measure": "resolved_late",
    }


@dataclass(frozen=True)
class Theirs:
    dossier: Dossier
    document: DossierDocument
    draft: Draft


def _someone_elses(province: Province) -> Theirs:
    """A dossier handled by agency A, with a document, and a draft, of a citizen who is none of
    the personas."""
    owner = UserFactory.create(kind=User.Kind.CITIZEN)
    procedure_version = version("Đăng ký khai sinh")
    dossier = Dossier.objects.create(
        code=f"000.00.01.H99-260217-{owner.pk:04d}",
        procedure_version=procedure_version,
        receiving_agency=province.agency_a,
        handling_agency=province.agency_a,
        channel=Channel.ONLINE,
        status=Status.SUPPLEMENT_REQUESTED,
        applicant=owner,
        applicant_name="Người khác",
        applicant_id_number="001085099999",
        delivery_option="online",
        fee_total=0,
        submitted_at=timezone.now(),
    )
    content = b"%PDF-1.4\n% ma tran\n"  # real bytes: the staff download checks their SHA-256
    stored = StoredFile.objects.create(
        name=default_storage.save(f"tep/ma-tran-{owner.pk}.pdf", ContentFile(content)),
        display_name="a.pdf", content_type="application/pdf", size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )  # fmt: skip
    document = DossierDocument.objects.create(
        dossier=dossier, role=DocumentRole.SUBMITTED, name="Tờ khai", file=stored,
        added_at=timezone.now(),
    )  # fmt: skip
    draft = Draft.objects.create(owner=owner, procedure_version=procedure_version)
    return Theirs(dossier=dossier, document=document, draft=draft)


def test_every_url_is_classified() -> None:
    unclassified = [
        route.pattern
        for route in ALL_ROUTES
        if route.name not in PUBLIC_URL_NAMES
        and not route.pattern.startswith(("quan-tri/", "api/v1/"))
        and getattr(route.view, "access_kind", None) is None
        and not getattr(route.view, "citizen_view", False)
    ]
    assert unclassified == [], "use @staff_view('read'|'write') or @citizen_view, or list it public"


CITIZEN_ROUTES = [r for r in ALL_ROUTES if getattr(r.view, "citizen_view", False)]


@pytest.mark.parametrize("route", CITIZEN_ROUTES, ids=lambda r: r.name)
def test_citizen_page_needs_a_citizen(route: Route, personas: Personas, province: Province) -> None:
    url = _fill(route.pattern, _values(province, personas))
    from django.test import Client

    response = Client().get(url)
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"], url
    assert client_for(personas.officer_a).get(url).status_code == 403, url


# Parameters naming an object a citizen owns (the values above belong to somebody else).
OWNED = re.compile(r"<(?:\w+:)?(code|document_id|draft_id|payment_id)>")
CITIZEN_OBJECT_ROUTES = [r for r in CITIZEN_ROUTES if OWNED.search(r.pattern)]


@pytest.mark.parametrize("route", CITIZEN_OBJECT_ROUTES, ids=lambda r: r.name)
def test_citizen_is_refused_someone_elses(
    route: Route, personas: Personas, province: Province
) -> None:
    """Another citizen's object does not exist, whatever the method (405: the method is wrong
    before any object is loaded)."""
    url = _fill(route.pattern, _values(province, personas))
    client = client_for(personas.citizen)
    statuses = {client.get(url).status_code, client.post(url, {"ly_do": "x"}).status_code}
    assert 404 in statuses and statuses <= {404, 405}, url


STAFF_ROUTES = [r for r in ALL_ROUTES if getattr(r.view, "access_kind", None)]


@pytest.mark.parametrize("route", STAFF_ROUTES, ids=lambda r: r.name)
def test_staff_page_needs_sign_in(route: Route, personas: Personas, province: Province) -> None:
    url = _fill(route.pattern, _values(province, personas))
    from django.test import Client

    response = Client().get(url)
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]
    assert client_for(personas.citizen).get(url).status_code == 403


OBJECT_ROUTES = [r for r in STAFF_ROUTES if "<" in r.pattern]


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=lambda r: r.name)
def test_officer_of_b_is_refused_a(route: Route, personas: Personas, province: Province) -> None:
    url = _fill(route.pattern, _values(province, personas))
    for persona in (personas.officer_b, personas.admin_b):
        client = client_for(persona)
        assert client.get(url).status_code in (403, 404), url
        assert client.post(url, {"name": "x", "abbreviation": "x"}).status_code in (403, 404, 405)


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=lambda r: r.name)
def test_inspector_reads_but_never_changes(
    route: Route, personas: Personas, province: Province
) -> None:
    url = _fill(route.pattern, _values(province, personas))
    client = client_for(personas.inspector)
    expected_get = 200 if route.view.access_kind == "read" else 403  # type: ignore[attr-defined]
    assert client.get(url).status_code == expected_get, url
    before = province.agency_a.name
    post = client.post(
        url,
        {"name": "Đổi tên", "abbreviation": "X", "identifier_code": "000.00.77.H99", "reason": "x"},
    )
    assert post.status_code in (403, 405), url
    province.agency_a.refresh_from_db()
    assert province.agency_a.name == before


def test_admin_is_for_system_administrators_only(personas: Personas) -> None:
    admin_routes = [r for r in ALL_ROUTES if r.name == "admin:index"]
    assert admin_routes
    for persona in (personas.officer_a, personas.inspector, personas.admin_a):
        response = client_for(persona).get("/quan-tri/org/agency/", follow=True)
        assert response.status_code == 403
    from django.test import Client

    anonymous = Client().get("/quan-tri/", follow=True)
    assert anonymous.redirect_chain[-1][0].startswith("/dang-nhap/")
    assert client_for(personas.sysadmin).get("/quan-tri/").status_code == 200


def _api_operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema()
    ops = []
    for path, methods in schema["paths"].items():
        for method in methods:
            ops.append((method.upper(), path))
    return ops


API_OPERATIONS = _api_operations()
# Public facts and public services, listed by hand: an operation that forgets its `auth=` is
# not public by accident, it fails this test.
API_PUBLIC = {
    ("GET", "/api/v1/ping"),
    ("GET", "/api/v1/workdays/add"),
    ("GET", "/api/v1/workdays/between"),
    ("GET", "/api/v1/workdays/days/{day}"),
    ("POST", "/api/v1/signing/validate"),
    ("GET", "/api/v1/signing/issued/{token}"),
    ("GET", "/api/v1/catalogue/procedures"),
    ("GET", "/api/v1/catalogue/procedures/{national_code}"),
    ("GET", "/api/v1/catalogue/fields"),
    ("GET", "/api/v1/tracking/{code}"),
    # The postal operator's status callbacks: no session, the HMAC signature under the shared
    # secret is the credential (tests/dossiers/postal/test_callbacks.py: staff sessions of any
    # agency are refused 401, nothing recorded).
    ("POST", "/api/v1/postal/callbacks"),
}


def _fill_api(path: str, values: dict[str, str]) -> str:
    def substitute(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise AssertionError(f"API {path!r}: add a value for {{{key}}} to the matrix test")
        return values[key]

    return re.sub(r"\{(\w+)\}", substitute, path)


def _api_values(province: Province, personas: Personas, path: str = "") -> dict[str, str]:
    values = _values(province, personas)
    values.update({"date": "2026-02-17", "day": "2026-02-17", "token": "khong-co-token"})
    values.update({"national_code": "1.001193.000.00.00.H33", "group_key": "tre"})
    if re.search(r"\{(draft_id|attachment_id|code)\}", path):
        values.update(_someone_elses_draft(province, values))
    return values


def _someone_elses_draft(province: Province, values: dict[str, str]) -> dict[str, str]:
    """A draft with a file and a submitted dossier of a citizen who is none of the personas."""
    from chinhquyen.notifications.defaults import load_default_templates
    from tests import dossier_helpers
    from tests.factories import UserFactory

    load_default_templates()
    owner = UserFactory.create(username="congdan_khac", kind="citizen")
    version = dossier_helpers.publish_procedure(province.agency_a)
    dossier = dossier_helpers.submitted_dossier(owner, version)
    draft = dossier_helpers.filled_draft(owner, version)
    found = {"draft_id": str(draft.pk), "attachment_id": str(draft.attachments.earliest("pk").pk)}
    return {"code": values.get("code", dossier.code), **found}


def _is_citizen_operation(method: str, path: str) -> bool:
    operation = api.get_openapi_schema()["paths"][path][method.lower()]
    return {"CitizenSessionAuth": []} in operation.get("security", [])


def _citizen_call(client: Client, method: str, url: str) -> int:
    """A well-formed request, so that the answer is about the object, not the body."""
    if method == "POST" and url.endswith("/attachments"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4")
        return client.post(url, {"required_document_id": "1", "file": upload}).status_code
    body = {
        "national_code": "x", "declaration": True, "reason": "x", "value": {},
        "receiving_agency_id": 1, "delivery_option": "online",
    }  # fmt: skip
    return client.generic(
        method, url, data=json.dumps(body), content_type="application/json"
    ).status_code


def _check_citizen_operation(method: str, path: str, url: str, personas: Personas) -> None:
    """Staff are refused (403); a citizen asking for another citizen's draft, file or dossier
    finds nothing (404), whatever the method."""
    assert _citizen_call(client_for(personas.inspector), method, url) == 403, url
    if re.search(r"\{(draft_id|attachment_id|code)\}", path):
        assert _citizen_call(client_for(personas.citizen), method, url) == 404, url


# Operations whose object is given in the query string rather than the path.
API_REQUIRED_QUERIES = {
    "/api/v1/reports/statistics": "agency_id={agency_id}&from=2026-01-01&to=2026-02-01",
}


# Well-formed bodies, so that the answer is about who asks and not about the body (an action on
# agency A's dossier with its real last seq: a hole in the scoping would record it).
API_BODIES = {
    "/api/v1/back-office/dossiers/{code}/actions/{action}": (
        '{"expected_seq": 0, "items": ["Bản sao giấy chứng sinh"]}'
    ),
}


@pytest.mark.parametrize("op", API_OPERATIONS, ids=lambda op: f"{op[0]} {op[1]}")
def test_api_operation_matrix(op: tuple[str, str], personas: Personas, province: Province) -> None:
    method, path = op
    values = _api_values(province, personas, path)
    url = _fill_api(path, values)
    if path in API_REQUIRED_QUERIES:  # an operation on agency A named in its query
        url += "?" + API_REQUIRED_QUERIES[path].format(agency_id=province.agency_a.pk)
    from django.test import Client

    anonymous = Client().generic(method, url, content_type="application/json", data="{}")
    if op in API_PUBLIC:
        assert anonymous.status_code < 500
        return
    assert not _is_public_operation(method, path), f"{op} has no auth: add it to API_PUBLIC?"
    assert anonymous.status_code == 401, url
    if _is_citizen_operation(method, path):
        _check_citizen_operation(method, path, url, personas)
        return
    body = API_BODIES.get(path, '{"name": "Đổi tên", "abbreviation": "X"}')
    if "{agency_id}" in path or "{user_id}" in path or path in API_REQUIRED_QUERIES:
        refused = client_for(personas.officer_b).generic(
            method, url, data=body, content_type="application/json"
        )
        assert refused.status_code in (403, 404), url
    if "{code}" in path:  # a dossier of agency A: agency B's staff find nothing
        for persona in (personas.officer_b, personas.admin_b):
            theirs = client_for(persona).generic(
                method, url, data=body, content_type="application/json"
            )
            assert theirs.status_code == 404, url
    inspector = client_for(personas.inspector).generic(
        method, url, data=body, content_type="application/json"
    )
    if method == "GET":
        assert inspector.status_code == 200, url
    else:
        assert inspector.status_code in (403, 405), url
    if "{code}" in path:
        assert not Dossier.objects.get(code=values["code"]).transitions.exists(), url


def _is_public_operation(method: str, path: str) -> bool:
    """Operations declared with `auth=None` in the OpenAPI document (public facts)."""
    operation = api.get_openapi_schema()["paths"][path][method.lower()]
    return not operation.get("security")
