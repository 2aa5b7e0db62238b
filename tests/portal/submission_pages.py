"""Helpers for the submission page tests: the birth registration procedure published for agency A,
POST data for an e-form group as the pages name it, and page addresses."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from chinhquyen.dossiers.models import Draft
from chinhquyen.procedures.actions import do_create_version, do_publish_version, do_save_field
from chinhquyen.procedures.models import ProcedureVersion
from tests.dossier_helpers import procedure_entry

STEP_OF = {"nguoi_yeu_cau": 1, "tre": 2, "cha_me": 3}


def url(name: str, draft: Draft | str, *args: Any) -> str:
    return reverse(f"submission:{name}", args=[getattr(draft, "pk", draft), *args])


def group_spec(version: ProcedureVersion, key: str) -> dict[str, Any]:
    return next(g for g in version.eform_schema["groups"] if g["key"] == key)


def group_data(group: dict[str, Any], value: Any) -> dict[str, Any]:
    """The POST a browser sends for `value` (a dict, or a list for a repeatable group)."""
    key = group["key"]
    if group.get("repeat"):
        data: dict[str, Any] = {f"{key}-so_muc": str(len(value))}
        for index, item in enumerate(value):
            data.update(_instance_data(group, item, f"{key}-{index}"))
        return data
    return _instance_data(group, value, key)


def _instance_data(group: dict[str, Any], item: dict[str, Any], prefix: str) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for spec in group["fields"]:
        value = item.get(spec["key"])
        name = f"{prefix}-{spec['key']}"
        if spec["type"] == "boolean":
            if value:
                data[name] = "1"
        elif value is not None:
            data[name] = value
    return data


def post_group(
    client: Client, draft: Draft, version: ProcedureVersion, key: str, value: Any, **extra: str
) -> Any:
    data = {**group_data(group_spec(version, key), value), "thao_tac": "tiep_tuc", **extra}
    return client.post(url("group", draft, STEP_OF[key]), data)


def commune_level_procedure() -> ProcedureVersion:
    """Birth registration as the catalogue has it: filed with any commune's committee."""
    do_save_field(code="HT", name="Hộ tịch", acting_user=None)
    data = procedure_entry()
    created = do_create_version(data["national_code"], acting_user=None, data=data)
    return do_publish_version(created, acting_user=None)


def html(response: Any) -> str:
    return response.content.decode()
