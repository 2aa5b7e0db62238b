"""schemathesis over the whole OpenAPI document: every operation of every router, with generated
valid and invalid input (and the boundary cases of its coverage phase), each run by the persona
who may call it: public operations anonymously and as a signed-in citizen, the citizen's
operations as that citizen, the staff operations as an agency administrator, the back office's
also as a one-stop officer. No answer may be a 5xx, and an answer with a documented status must
match its documented schema and content type.
(Who is refused what is the permission matrix's business: tests/org/test_permission_matrix.py.)

Requests go through the real WSGI stack (middleware, sessions, CSRF enforced: the signed-in
personas send the CSRF cookie and header as a browser does). Path parameters that name objects
(a draft, a dossier, an agency) point at real rows for the signed-in personas, so the generated
bodies reach the actions instead of stopping at a 404. Bounded, deterministic generation keeps
the run short (about a minute) and repeatable in CI."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)
from schemathesis.config import SchemathesisConfig

from chinhquyen.core.api import api
from chinhquyen.dossiers.models import Dossier, Draft
from chinhquyen.notifications.defaults import load_default_templates
from chinhquyen.org.models import User
from tests import dossier_helpers as h
from tests.conftest import Personas, Province

# Per operation and persona, besides the boundary cases of the coverage phase. Raise it for a
# deeper local run: SCHEMATHESIS_MAX_EXAMPLES=200 pytest tests/api/test_schemathesis.py
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10"))

CONFIG = SchemathesisConfig.from_dict(
    {
        "suppress-health-check": ["all"],
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        "phases": {"coverage": {"enabled": True}},
    }
)
DOCUMENT = api.get_openapi_schema()
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@dataclass
class World:
    """Real rows for the generated requests to reach."""

    draft: Draft
    dossier: Dossier
    agency_id: int
    national_code: str


@dataclass
class Persona:
    cookies: dict[str, str]
    headers: dict[str, str]
    world: World | None = None


@pytest.fixture
def app(settings: Any) -> Iterator[WSGIHandler]:
    """The project's WSGI application inside the test's transaction: like Django's test client,
    it must not close the connection at the end of each request."""
    settings.ALLOWED_HOSTS = ["localhost"]
    settings.TRACKING_MAX_FAILURES_PER_ADDRESS = 100_000  # keep reaching the lookup itself
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def world(province: Province, personas: Personas) -> World:
    load_default_templates()
    version = h.publish_procedure(province.agency_a)
    dossier = h.submitted_dossier(personas.citizen, version)
    return World(
        draft=h.filled_draft(personas.citizen, version),
        dossier=dossier,
        agency_id=province.agency_a.pk,
        national_code=h.BIRTH_CODE,
    )


def _signed_in(user: User, world: World) -> Persona:
    client = Client()
    client.force_login(user)
    token = _get_new_csrf_string()
    cookies = {
        settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
        settings.CSRF_COOKIE_NAME: token,
    }
    return Persona(cookies=cookies, headers={"X-CSRFToken": token}, world=world)


def _aim(case: Any, world: World) -> None:
    """Name real objects in the path (the generated body and query are left as generated)."""
    values = {
        "draft_id": str(world.draft.pk),
        "code": world.dossier.code,
        "agency_id": str(world.agency_id),
        "national_code": world.national_code,
    }
    if world.draft.attachments.exists():
        values["attachment_id"] = str(world.draft.attachments.earliest("pk").pk)
    for name in case.path_parameters or {}:
        if name in values:
            case.path_parameters[name] = values[name]


def _run(case: Any, app: WSGIHandler, persona: Persona) -> None:
    if persona.world is not None:
        _aim(case, persona.world)
    response = case.call(app=app, headers=persona.headers, cookies=persona.cookies)
    case.validate_response(response, checks=CHECKS, headers=persona.headers)


def _secured_by(*schemes: str | None) -> Any:
    """Operations whose security is one of `schemes` (None: public). Each persona runs what it
    may call; refusals of everything else are the permission matrix's business."""
    chosen = set()
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            names = [name for item in operation.get("security") or [{}] for name in item] or [None]
            if set(names) & set(schemes):
                chosen.add((method.upper(), path))

    def matches(context: Any) -> bool:
        return (context.operation.method.upper(), context.operation.path) in chosen

    return matches


@pytest.fixture
def citizen(world: World, personas: Personas) -> Persona:
    return _signed_in(personas.citizen, world)


@pytest.fixture
def officer(world: World, personas: Personas) -> Persona:
    return _signed_in(personas.admin_a, world)


@pytest.fixture
def one_stop_officer(world: World, personas: Personas) -> Persona:
    """Agency A's one-stop officer: the dossier in `world` waits for them, so generated actions
    reach the engine (accept, refuse, supplement…), not only the refusal of a role."""
    return _signed_in(personas.officer_a, world)


@SCHEMA.include(_secured_by(None)).parametrize()
def test_anonymous(case: Any, app: WSGIHandler, db: None) -> None:
    _run(case, app, Persona(cookies={}, headers={}))


@SCHEMA.include(_secured_by(None, "CitizenSessionAuth")).parametrize()
def test_citizen(case: Any, app: WSGIHandler, citizen: Persona) -> None:
    _run(case, app, citizen)


@SCHEMA.include(_secured_by("StaffSessionAuth")).parametrize()
def test_officer(case: Any, app: WSGIHandler, officer: Persona) -> None:
    _run(case, app, officer)


@SCHEMA.include(path_regex="^/api/v1/back-office/").parametrize()
def test_back_office_officer(case: Any, app: WSGIHandler, one_stop_officer: Persona) -> None:
    _run(case, app, one_stop_officer)
