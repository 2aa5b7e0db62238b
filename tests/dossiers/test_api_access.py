"""Who may call the citizen operations: every operation of the draft and dossier routers, taken
from the OpenAPI document so a new one is covered by default. Anonymous: 401. Staff: 403.
Another citizen: 404 on every draft, file and dossier of someone else (nothing revealed, nothing
changed). Lists show only one's own."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from chinhquyen.core.api import api
from chinhquyen.dossiers.models import Dossier, Draft
from chinhquyen.notifications.defaults import load_default_templates
from chinhquyen.org.models import User
from tests import dossier_helpers as h
from tests.api.clients import api_client
from tests.conftest import Personas, Province
from tests.factories import UserFactory

PREFIXES = ("/api/v1/drafts", "/api/v1/dossiers")


def _citizen_operations() -> list[tuple[str, str]]:
    paths = api.get_openapi_schema()["paths"]
    return [
        (method.upper(), path)
        for path, operations in paths.items()
        if path.startswith(PREFIXES)
        for method in operations
    ]


OPERATIONS = _citizen_operations()
OBJECT_OPERATIONS = [op for op in OPERATIONS if "{" in op[1]]


def test_the_matrix_sees_every_operation() -> None:
    assert len(OPERATIONS) == 14 and len(OBJECT_OPERATIONS) == 11


@dataclass
class Owned:
    owner: User
    draft: Draft
    dossier: Dossier

    def url(self, path: str) -> str:
        values = {
            "draft_id": str(self.draft.pk),
            "attachment_id": str(self.draft.attachments.earliest("pk").pk),
            "code": self.dossier.code,
            "group_key": "tre",
        }
        return re.sub(r"\{(\w+)\}", lambda match: values[match.group(1)], path)


@pytest.fixture
def owned(province: Province) -> Owned:
    load_default_templates()
    owner = UserFactory.create(username="chu_ho_so", kind=User.Kind.CITIZEN)
    version = h.publish_procedure(province.agency_a)
    dossier = h.submitted_dossier(owner, version)
    return Owned(owner=owner, draft=h.filled_draft(owner, version), dossier=dossier)


def _call(client: Client, method: str, url: str) -> int:
    """A well-formed request, so that the answer is about who asks, not about the body."""
    if method == "POST" and url.endswith("/attachments"):
        upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4")
        return client.post(url, {"required_document_id": "1", "file": upload}).status_code
    body = {
        "national_code": h.BIRTH_CODE, "declaration": True, "reason": "Rút", "value": {},
        "receiving_agency_id": 1, "delivery_option": "online", **h.APPLICANT,
    }  # fmt: skip
    return client.generic(
        method, url, data=json.dumps(body), content_type="application/json"
    ).status_code


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: f"{op[0]} {op[1]}")
def test_anonymous_gets_401_and_staff_403(
    op: tuple[str, str], owned: Owned, personas: Personas
) -> None:
    method, path = op
    url = owned.url(path)
    assert _call(api_client(), method, url) == 401
    for officer in (personas.officer_a, personas.inspector, personas.sysadmin):
        assert _call(api_client(officer), method, url) == 403


@pytest.mark.parametrize("op", OBJECT_OPERATIONS, ids=lambda op: f"{op[0]} {op[1]}")
def test_another_citizen_gets_404_and_changes_nothing(
    op: tuple[str, str], owned: Owned, personas: Personas
) -> None:
    method, path = op
    before = (owned.draft.attachments.count(), owned.dossier.transitions.count())
    response_status = _call(api_client(personas.citizen), method, owned.url(path))
    assert response_status == 404
    owned.draft.refresh_from_db()
    assert owned.draft.state == Draft.State.OPEN and owned.draft.applicant == h.APPLICANT
    assert (owned.draft.attachments.count(), owned.dossier.transitions.count()) == before


@pytest.mark.parametrize("op", OBJECT_OPERATIONS, ids=lambda op: f"{op[0]} {op[1]}")
def test_the_owner_reaches_them(op: tuple[str, str], owned: Owned) -> None:
    """The same requests from the owner are not 404: the 404 above is about the person."""
    method, path = op
    assert _call(api_client(owned.owner), method, owned.url(path)) != 404


def test_lists_show_only_ones_own(owned: Owned, personas: Personas) -> None:
    stranger = api_client(personas.citizen)
    assert stranger.get("/api/v1/drafts").json() == {"total": 0, "items": []}
    assert stranger.get("/api/v1/dossiers").json()["items"] == []
    owner = api_client(owned.owner)
    assert [d["id"] for d in owner.get("/api/v1/drafts").json()["items"]] == [str(owned.draft.pk)]
    assert [d["code"] for d in owner.get("/api/v1/dossiers").json()["items"]] == [
        owned.dossier.code
    ]
