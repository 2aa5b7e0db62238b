"""The demo catalogue (`chinhquyen/procedures/data/catalogue.json`) follows the exchange format of
docs/catalogue-format.md. These checks read the JSON directly; the checks that need the e-form
validator or the importer run only once those exist."""

from __future__ import annotations

import importlib
import inspect
import json
import re
from collections import Counter
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pytest

import chinhquyen.procedures
from chinhquyen.org.models import Role

CATALOGUE = Path(chinhquyen.procedures.__file__).parent / "data" / "catalogue.json"

NATIONAL_CODE = re.compile(r"^[1-3]\.\d{6}\.\d{3}\.\d{2}\.\d{2}\.H\d{2}$")
AGENCY_CODE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")
STATUSES = {"draft", "published"}
AUDIENCES = {"citizen", "enterprise", "household_business"}
ONLINE_LEVELS = {"full", "partial", "none"}
LEGACY_LEVELS = {2, 3, 4, None}
IMPLEMENTING_LEVELS = {"province", "commune"}
DELIVERY = {"counter", "post", "online"}
FEE_KINDS = {"fee", "charge"}
RULE_PER = {"copy", "page", "sheet"}
FIELD_TYPES = {
    "text",
    "textarea",
    "integer",
    "decimal",
    "money",
    "date",
    "choice",
    "multichoice",
    "boolean",
    "email",
    "phone",
    "personal_id",
    "tax_code",
    "admin_unit",
}
CHOICE_TYPES = {"choice", "multichoice"}
ROLES = set(Role.values)


def _duration_units() -> set[str]:
    for module in ("chinhquyen.workdays.models", "chinhquyen.workdays.calendar"):
        try:
            unit = getattr(importlib.import_module(module), "DurationUnit", None)
        except ImportError:
            continue
        if unit is not None:
            return set(unit.values)
    return {"working_days", "days", "working_hours", "months"}


UNITS = _duration_units()


def _load() -> dict[str, Any]:
    raw = CATALOGUE.read_bytes()
    return json.loads(raw.decode("utf-8"))


DATA = _load()
PROCEDURES: list[dict[str, Any]] = DATA["procedures"]
IDS = [f"{p['national_code']}v{p['version']}" for p in PROCEDURES]


def _decimal(value: Any) -> Decimal:
    assert isinstance(value, str), f"{value!r} is not a decimal string"
    try:
        number = Decimal(value)
    except InvalidOperation:  # pragma: no cover - the assertion message is the point
        pytest.fail(f"{value!r} is not a decimal string")
    assert number.is_finite()
    return number


def test_file_is_pretty_printed_utf8_without_ascii_escapes() -> None:
    text = CATALOGUE.read_text(encoding="utf-8")
    assert text == json.dumps(DATA, ensure_ascii=False, indent=2) + "\n"
    assert "\\u" not in text


def test_format_marker_and_size() -> None:
    assert DATA["format"] == "chinhquyen.procedures/1"
    assert set(DATA) == {"format", "fields", "procedures"}
    assert len(PROCEDURES) >= 30
    assert len({p["field"] for p in PROCEDURES}) >= 6
    levels = Counter(p["implementing_level"] for p in PROCEDURES)
    assert levels["commune"] and levels["province"]
    online = Counter(p["online_level"] for p in PROCEDURES)
    assert online["full"] and online["partial"] and online["none"]


def test_field_codes_are_declared_once_and_all_used() -> None:
    codes = [f["code"] for f in DATA["fields"]]
    assert len(codes) == len(set(codes))
    assert all(f["name"].strip() for f in DATA["fields"])
    used = {p["field"] for p in PROCEDURES}
    assert used <= set(codes)
    assert set(codes) <= used


def test_national_code_and_version_identify_a_procedure() -> None:
    keys = Counter((p["national_code"], p["version"]) for p in PROCEDURES)
    assert [k for k, n in keys.items() if n > 1] == []
    for p in PROCEDURES:
        assert NATIONAL_CODE.match(p["national_code"]), p["national_code"]
        assert isinstance(p["version"], int) and p["version"] >= 1


@pytest.mark.parametrize("p", PROCEDURES, ids=IDS)
def test_enumerated_values(p: dict[str, Any]) -> None:
    assert p["status"] in STATUSES
    assert p["audiences"] and set(p["audiences"]) <= AUDIENCES
    assert p["online_level"] in ONLINE_LEVELS
    assert p["legacy_level"] in LEGACY_LEVELS
    assert p["implementing_level"] in IMPLEMENTING_LEVELS
    assert p["delivery_options"] and set(p["delivery_options"]) <= DELIVERY
    assert len(p["delivery_options"]) == len(set(p["delivery_options"]))
    assert p["time_limit"]["unit"] in UNITS
    for agency in p["agencies"]:
        assert AGENCY_CODE.match(agency), agency
    if p["online_level"] == "full":
        assert "online" in p["delivery_options"] or "post" in p["delivery_options"]


@pytest.mark.parametrize("p", PROCEDURES, ids=IDS)
def test_texts_dates_and_lengths(p: dict[str, Any]) -> None:
    for key in ("name", "implementing_text", "result", "steps_text"):
        assert p[key].strip(), key
    assert len(p["name"]) <= 500
    assert len(p["implementing_text"]) <= 500
    assert len(p["result"]) <= 500
    assert len(p["time_limit"]["note"]) <= 500
    assert isinstance(p["conditions_text"], str)
    assert p["legal_basis"] and all(isinstance(x, str) and x.strip() for x in p["legal_basis"])
    start = date.fromisoformat(p["effective_from"])
    if p["effective_to"] is not None:
        assert date.fromisoformat(p["effective_to"]) >= start
    assert _decimal(p["time_limit"]["value"]) >= 0


@pytest.mark.parametrize("p", PROCEDURES, ids=IDS)
def test_documents(p: dict[str, Any]) -> None:
    assert 2 <= len(p["documents"]) <= 6
    for d in p["documents"]:
        assert d["name"].strip() and len(d["name"]) <= 500
        assert isinstance(d["originals"], int) and d["originals"] >= 0
        assert isinstance(d["copies"], int) and d["copies"] >= 0
        assert d["originals"] + d["copies"] >= 1
        assert isinstance(d["required"], bool) and isinstance(d["reusable"], bool)
        assert len(d["template_name"]) <= 300 and len(d["note"]) <= 1000
    assert any(d["required"] for d in p["documents"])


@pytest.mark.parametrize("p", PROCEDURES, ids=IDS)
def test_fees(p: dict[str, Any]) -> None:
    assert p["fees"], "state 0 with a note when nothing is collected"
    for fee in p["fees"]:
        assert fee["kind"] in FEE_KINDS
        assert fee["name"].strip()
        amount = _decimal(fee["amount"])
        assert amount >= 0 and amount == amount.to_integral_value(), "whole đồng"
        rule = fee["rule"]
        assert isinstance(rule, dict)
        if rule:
            assert set(rule) <= {"per", "min", "max", "quantity_field", "applies_if"}
            assert rule.get("per", "copy") in RULE_PER
            for bound in ("min", "max"):
                if bound in rule:
                    assert _decimal(rule[bound]) >= 0
        assert len(fee["note"]) <= 1000


def test_fees_and_charges_are_kept_apart() -> None:
    kinds = Counter(fee["kind"] for p in PROCEDURES for fee in p["fees"])
    assert kinds["fee"] and kinds["charge"]
    for p in PROCEDURES:
        for fee in p["fees"]:
            if fee["name"].startswith("Lệ phí"):
                assert fee["kind"] == "fee", fee["name"]
            elif fee["name"].startswith("Phí"):
                assert fee["kind"] == "charge", fee["name"]


@pytest.mark.parametrize("p", PROCEDURES, ids=IDS)
def test_internal_process_fits_the_time_limit(p: dict[str, Any]) -> None:
    steps = p["process"]
    assert 3 <= len(steps) <= 6
    assert len({s["code"] for s in steps}) == len(steps)
    assert steps[0]["role"] == "one_stop_officer"
    assert steps[-1]["role"] == "one_stop_officer"
    assert any(s["role"] == "specialist" for s in steps)
    assert any(s["role"] in {"unit_leader", "agency_leader"} for s in steps)
    totals: Counter[str] = Counter()
    for s in steps:
        assert s["role"] in ROLES
        assert s["name"].strip()
        assert s["budget"]["unit"] in UNITS
        value = _decimal(s["budget"]["value"])
        assert value >= 0
        totals[s["budget"]["unit"]] += value  # type: ignore[assignment]
    limit = _decimal(p["time_limit"]["value"])
    unit = p["time_limit"]["unit"]
    if unit in totals:
        assert totals[unit] <= limit
    if unit == "working_days" and set(totals) == {"working_hours"}:
        assert totals["working_hours"] <= max(limit, Decimal(1)) * 8


def _fields_by_group(eform: dict[str, Any]) -> list[tuple[str, dict[str, dict[str, Any]]]]:
    return [(g["key"], {f["key"]: f for f in g["fields"]}) for g in eform["groups"]]


@pytest.mark.parametrize("p", PROCEDURES, ids=IDS)
def test_eform_structure(p: dict[str, Any]) -> None:
    groups = p["eform"]["groups"]
    assert groups
    group_keys = [g["key"] for g in groups]
    assert len(group_keys) == len(set(group_keys))
    seen: dict[str, dict[str, dict[str, Any]]] = {}
    for g in groups:
        assert g["title"].strip()
        keys = [f["key"] for f in g["fields"]]
        assert keys and len(keys) == len(set(keys)), g["key"]
        repeat = g["repeat"]
        if repeat is not None:
            assert set(repeat) == {"min", "max"}
            assert 0 <= repeat["min"] <= repeat["max"] and repeat["max"] >= 1
        here = {f["key"]: f for f in g["fields"]}
        for f in g["fields"]:
            path = f"{g['key']}.{f['key']}"
            assert f["type"] in FIELD_TYPES, path
            assert f["label"].strip() and isinstance(f["required"], bool), path
            if f["type"] in CHOICE_TYPES:
                values = [c[0] for c in f["choices"]]
                assert values and len(values) == len(set(values)), path
                assert all(len(c) == 2 and c[1].strip() for c in f["choices"]), path
            else:
                assert "choices" not in f, path
            if "prefill" in f:
                assert re.fullmatch(r"profile\.[a-z_]+", f["prefill"]), path
            if "pattern" in f:
                re.compile(f["pattern"])
                assert "(?" not in f["pattern"], f"{path}: no inline flags (browsers run it too)"
            if "show_if" in f:
                _check_show_if(f["show_if"], path, here, seen)
        seen[g["key"]] = here


def _check_show_if(
    cond: dict[str, Any],
    path: str,
    here: dict[str, dict[str, Any]],
    earlier: dict[str, dict[str, dict[str, Any]]],
) -> None:
    tests = {"equals", "in", "truthy"} & set(cond)
    assert len(tests) == 1 and set(cond) == {"field"} | tests, path
    ref = cond["field"]
    if "." in ref:
        group, key = ref.split(".", 1)
        target = earlier[group][key]
    else:
        assert ref != path.split(".", 1)[1], f"{path} depends on itself"
        target = here[ref]
    if target["type"] in CHOICE_TYPES:
        allowed = {c[0] for c in target["choices"]}
        if "equals" in cond:
            assert cond["equals"] in allowed, path
        if "in" in cond:
            assert cond["in"] and set(cond["in"]) <= allowed, path
    if "truthy" in cond:
        assert cond["truthy"] is True, path


def test_eform_features_are_exercised() -> None:
    def has(p: dict[str, Any], pred: Any) -> bool:
        return any(pred(g, f) for g in p["eform"]["groups"] for f in g["fields"])

    with_show_if = [p for p in PROCEDURES if has(p, lambda g, f: "show_if" in f)]
    with_repeat = [p for p in PROCEDURES if any(g["repeat"] for g in p["eform"]["groups"])]
    assert len(with_show_if) >= 8
    assert len(with_repeat) >= 5
    for p in PROCEDURES:
        assert has(p, lambda g, f: f.get("prefill") == "profile.full_name"), p["name"]


def test_province_level_procedures_name_a_competent_department() -> None:
    for p in PROCEDURES:
        if p["implementing_level"] == "province":
            assert p["agencies"], p["name"]


# --- Checks against the other modules, once they exist ---------------------------------------


def _optional(module: str, attribute: str) -> Any:
    try:
        found = getattr(importlib.import_module(module), attribute, None)
    except ImportError:
        found = None
    if found is None:
        pytest.skip(f"{module}.{attribute} is not available yet")
    return found


def _no_errors(result: Any) -> None:
    """Accept either style: a result object with `errors`, or a list of errors (a raise fails)."""
    errors = getattr(result, "problems", getattr(result, "errors", None))
    if errors is None and isinstance(result, (list, tuple)):
        errors = result
    assert getattr(result, "ok", True), result
    if errors is not None:
        assert not errors, errors


@pytest.mark.parametrize("p", PROCEDURES, ids=IDS)
def test_eform_passes_the_schema_check(p: dict[str, Any]) -> None:
    check_schema = _optional("chinhquyen.procedures.eform", "check_schema")
    _no_errors(check_schema(p["eform"]))


@pytest.mark.django_db
def test_whole_catalogue_imports_into_an_empty_database(settings: Any) -> None:
    import_catalogue = _optional("chinhquyen.procedures.exchange", "import_catalogue")
    from chinhquyen.core.demo.loader import load_demo
    from chinhquyen.procedures.models import ProcedureVersion

    settings.DEBUG = True  # The demo loader runs only with DEBUG on.
    load_demo()  # Province-level procedures name the demo departments by identifier code.
    kwargs: dict[str, Any] = {}
    parameters = inspect.signature(import_catalogue).parameters
    for name in ("acting_user", "user", "actor"):
        if name in parameters:
            kwargs[name] = None
    first = parameters[next(iter(parameters))]
    document: Any = DATA
    if first.annotation in (bytes, "bytes"):
        document = CATALOGUE.read_bytes()
    elif first.annotation in (str, "str"):
        document = CATALOGUE.read_text(encoding="utf-8")
    _no_errors(import_catalogue(document, **kwargs))
    assert ProcedureVersion.objects.count() == len(PROCEDURES)
    _no_errors(import_catalogue(document, **kwargs))  # Idempotent: a second run changes nothing.
    assert ProcedureVersion.objects.count() == len(PROCEDURES)
    for p in PROCEDURES:
        version = ProcedureVersion.objects.get(
            procedure__national_code=p["national_code"], version=p["version"]
        )
        assert version.documents.count() == len(p["documents"])
        assert version.fees.count() == len(p["fees"])
        assert sorted(a.identifier_code for a in version.agencies.all()) == sorted(p["agencies"])
