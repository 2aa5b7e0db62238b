from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from chinhquyen.procedures.actions import do_create_version, do_publish_version, do_save_field
from chinhquyen.procedures.models import ProcedureVersion
from tests.conftest import Personas, client_for
from tests.procedures.test_actions import CODE, entry


@pytest.fixture
def versions(personas: Personas) -> tuple[ProcedureVersion, ProcedureVersion]:
    do_save_field(code="HT", name="Hộ tịch", acting_user=None)
    first = do_create_version(CODE, data=entry(), acting_user=None)
    do_publish_version(first, acting_user=None)
    draft = do_create_version(first.procedure, acting_user=None)
    return first, draft


def change_url(version: ProcedureVersion) -> str:
    return reverse("admin:procedures_procedureversion_change", args=[version.pk])


def form_data(version: ProcedureVersion, **changes: Any) -> dict[str, Any]:
    data = {
        "effective_from": version.effective_from.isoformat(),
        "effective_to": "",
        "name": version.name,
        "field": version.field_id,
        "audiences": json.dumps(version.audiences),
        "online_level": version.online_level,
        "legacy_level": version.legacy_level or "",
        "implementing_level": version.implementing_level,
        "implementing_text": version.implementing_text,
        "time_limit_value": str(version.time_limit_value),
        "time_limit_unit": version.time_limit_unit,
        "time_limit_note": version.time_limit_note,
        "result": version.result,
        "delivery_options": json.dumps(version.delivery_options),
        "steps_text": version.steps_text,
        "conditions_text": version.conditions_text,
        "legal_basis": json.dumps(version.legal_basis, ensure_ascii=False),
        "eform_schema": json.dumps(version.eform_schema, ensure_ascii=False),
        "process": json.dumps(version.process, ensure_ascii=False),
    }
    for prefix, items in (("documents", version.documents.all()), ("fees", version.fees.all())):
        data.update({f"{prefix}-TOTAL_FORMS": len(items), f"{prefix}-INITIAL_FORMS": len(items)})
        data.update({f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000})
        for index, item in enumerate(items):
            data[f"{prefix}-{index}-id"] = item.pk
            data[f"{prefix}-{index}-version"] = version.pk
            for name in [
                "order",
                "name",
                "originals",
                "copies",
                "template_name",
                "kind",
                "amount",
                "note",
            ]:
                if hasattr(item, name):
                    data[f"{prefix}-{index}-{name}"] = getattr(item, name)
            for flag in ("required", "reusable"):
                if getattr(item, flag, False):
                    data[f"{prefix}-{index}-{flag}"] = "on"
            if prefix == "fees":
                data[f"{prefix}-{index}-rule"] = json.dumps(item.rule)  # type: ignore[attr-defined]
    return {**data, **changes}


def test_sysadmin_lists_searches_and_filters_versions(personas: Personas, versions: Any) -> None:
    client = client_for(personas.sysadmin)
    url = reverse("admin:procedures_procedureversion_changelist")
    response = client.get(url)
    assert response.status_code == 200
    assert "Đăng ký khai sinh" in response.content.decode()
    assert client.get(url, {"q": CODE}).status_code == 200
    filtered = client.get(url, {"status__exact": "published", "online_level__exact": "full"})
    assert filtered.status_code == 200


def test_a_published_version_is_read_only(personas: Personas, versions: Any) -> None:
    published, _ = versions
    client = client_for(personas.sysadmin)
    page = client.get(change_url(published))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(change_url(published), form_data(published, name="Khác")).status_code == 403
    published.refresh_from_db()
    assert published.name == "Đăng ký khai sinh"


def test_editing_a_draft_keeps_search_text(personas: Personas, versions: Any) -> None:
    _, draft = versions
    client = client_for(personas.sysadmin)
    page = client.get(change_url(draft))
    assert 'name="_save"' in page.content.decode()
    response = client.post(change_url(draft), form_data(draft, name="Đăng ký khai sinh lưu động"))
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    draft.refresh_from_db()
    assert draft.name == "Đăng ký khai sinh lưu động"
    assert "dang ky khai sinh luu dong" in draft.search_text


def test_a_bad_eform_is_refused_in_the_form(personas: Personas, versions: Any) -> None:
    _, draft = versions
    client = client_for(personas.sysadmin)
    bad = form_data(draft, eform_schema=json.dumps({"groups": [{"key": "g"}]}))
    response = client.post(change_url(draft), bad)
    assert response.status_code == 200
    assert "Nhóm cần có tiêu đề." in response.content.decode()


def test_admin_actions_publish_and_create_a_new_version(personas: Personas, versions: Any) -> None:
    first, draft = versions
    client = client_for(personas.sysadmin)
    url = reverse("admin:procedures_procedureversion_changelist")
    client.post(url, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    first.refresh_from_db()
    assert draft.status == ProcedureVersion.Status.PUBLISHED
    assert first.effective_to is not None
    client.post(url, {"action": "new_version", "_selected_action": [draft.pk]})
    assert draft.procedure.versions.filter(version=3, status="draft").exists()


def test_staff_without_the_system_role_are_kept_out(personas: Personas, versions: Any) -> None:
    response = client_for(personas.officer_a).get(
        reverse("admin:procedures_procedureversion_changelist")
    )
    assert response.status_code in (302, 403)
