"""Changing the catalogue: fields, versions (create, edit a draft, publish). Every change writes an
audit row and keeps the folded `search_text` columns right. Version content goes in and out in the
exchange format of docs/catalogue-format.md (`check_version_data` / `queries.version_as_data`)."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from chinhquyen.audit.actions import record_audit
from chinhquyen.core.errors import Conflict, DomainError
from chinhquyen.org.models import Agency, Role
from chinhquyen.procedures.eform import Problem, check_schema
from chinhquyen.procedures.models import (
    Audience,
    DeliveryOption,
    Fee,
    Field,
    OnlineLevel,
    Procedure,
    ProcedureVersion,
    RequiredDocument,
)
from chinhquyen.procedures.queries import decimal_text, latest_version, version_as_data
from chinhquyen.procedures.text import fold
from chinhquyen.workdays.calendar import DurationUnit

IDENTITY_KEYS = ("national_code", "version", "status")
CONTENT_KEYS = (
    "effective_from",
    "effective_to",
    "name",
    "field",
    "audiences",
    "online_level",
    "legacy_level",
    "implementing_level",
    "implementing_text",
    "agencies",
    "time_limit",
    "result",
    "delivery_options",
    "steps_text",
    "conditions_text",
    "legal_basis",
    "documents",
    "fees",
    "eform",
    "process",
)
DOCUMENT_DEFAULTS: dict[str, Any] = {
    "originals": 0,
    "copies": 0,
    "required": True,
    "reusable": False,
    "template_name": "",
    "note": "",
}
_STEP_CODE = re.compile(r"[a-z][a-z0-9_]*")


class CatalogueProblems(DomainError):
    """Refused catalogue data; `problems` has every problem with its path."""

    def __init__(self, problems: list[Problem]) -> None:
        shown = "; ".join(f"{p.path}: {p.message}" if p.path else p.message for p in problems[:5])
        more = f" (và {len(problems) - 5} lỗi khác)" if len(problems) > 5 else ""
        super().__init__(f"Dữ liệu thủ tục không hợp lệ — {shown}{more}", code="catalogue_data")
        self.problems = problems


# --- Checking version content ------------------------------------------------------------------


class _Checker:
    """Collects problems while normalising one version's content to the canonical format."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def at(self, key: str) -> str:
        if not key:
            return self.path
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.at(key), message))

    def text(self, data: Mapping[str, Any], key: str, longest: int, *, blank: bool) -> str:
        value = data.get(key, "" if blank else None)
        if value is None and blank:
            value = ""
        if not isinstance(value, str):
            self.fail(key, "Phải là một chuỗi.")
            return ""
        if not blank and not value.strip():
            self.fail(key, "Không được để trống.")
        if len(value) > longest:
            self.fail(key, f"Không quá {longest} ký tự.")
        return value

    def day(self, value: Any, key: str, *, optional: bool = False) -> str | None:
        if value is None and optional:
            return None
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                return date.fromisoformat(value).isoformat()
            except ValueError:
                pass
        self.fail(key, "Phải là ngày dạng YYYY-MM-DD.")
        return None

    def decimal(self, value: Any, key: str, *, places: int, digits: int) -> str:
        """A non-negative decimal string (numbers accepted from spreadsheets), canonical."""
        number = None
        if isinstance(value, str | int) and not isinstance(value, bool):
            try:
                number = Decimal(str(value).strip())
            except InvalidOperation:
                number = None
        if number is None or not number.is_finite() or number < 0:
            self.fail(key, 'Phải là số thập phân không âm, ví dụ "0.5".')
            return "0"
        if number != round(number, places) or number >= Decimal(10) ** (digits - places):
            self.fail(
                key, f"Tối đa {digits - places} chữ số phần nguyên, {places} chữ số thập phân."
            )
        return decimal_text(number)

    def choices(
        self, value: Any, key: str, allowed: Collection[str], *, at_least_one: bool
    ) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(key, f"Phải là danh sách các giá trị trong: {', '.join(allowed)}.")
            return []
        wrong = [v for v in value if v not in allowed]
        if wrong:
            self.fail(key, f"Giá trị không hợp lệ: {', '.join(wrong)}.")
        if len(set(value)) != len(value):
            self.fail(key, "Giá trị bị lặp.")
        if at_least_one and not value:
            self.fail(key, "Cần ít nhất một giá trị.")
        return list(value)

    def one_of(self, value: Any, key: str, allowed: Collection[Any]) -> Any:
        if value not in allowed or isinstance(value, bool):
            self.fail(key, f"Phải là một trong: {', '.join(map(str, allowed))}.")
        return value


def check_version_data(
    data: Mapping[str, Any],
    *,
    path: str = "",
    known_fields: Collection[str] | None = None,
    for_publish: bool = False,
) -> tuple[dict[str, Any], list[Problem]]:
    """The content of one version normalised to the canonical exchange form, and every problem
    (paths under `path`). `known_fields`: field codes that will exist (default: the database)."""
    check = _Checker(path)
    if not isinstance(data, Mapping):
        return {}, [Problem(path, "Phải là một đối tượng JSON.")]
    unknown = sorted(str(k) for k in set(data) - set(CONTENT_KEYS) - set(IDENTITY_KEYS))
    if unknown:
        check.problems.append(Problem(path, f"Khóa không hợp lệ: {', '.join(unknown)}."))
    clean: dict[str, Any] = {
        "effective_from": check.day(data.get("effective_from"), "effective_from"),
        "effective_to": check.day(data.get("effective_to"), "effective_to", optional=True),
        "name": check.text(data, "name", 500, blank=False),
        "field": _check_field_code(check, data.get("field"), known_fields),
        "audiences": check.choices(
            data.get("audiences"), "audiences", Audience.values, at_least_one=True
        ),
        "online_level": check.one_of(data.get("online_level"), "online_level", OnlineLevel.values),
        "legacy_level": check.one_of(data.get("legacy_level"), "legacy_level", (2, 3, 4, None)),
        "implementing_level": check.one_of(
            data.get("implementing_level"),
            "implementing_level",
            ProcedureVersion.ImplementingLevel.values,
        ),
        "implementing_text": check.text(data, "implementing_text", 500, blank=False),
        "agencies": _check_agencies(check, data.get("agencies", [])),
        "time_limit": _check_time_limit(check, data.get("time_limit")),
        "result": check.text(data, "result", 500, blank=False),
        "delivery_options": check.choices(
            data.get("delivery_options"),
            "delivery_options",
            DeliveryOption.values,
            at_least_one=True,
        ),
        "steps_text": check.text(data, "steps_text", 100_000, blank=True),
        "conditions_text": check.text(data, "conditions_text", 100_000, blank=True),
        "legal_basis": _check_legal_basis(check, data.get("legal_basis", [])),
        "documents": _check_documents(check, data.get("documents", [])),
        "fees": _check_fees(check, data.get("fees", [])),
        "eform": _check_eform(check, data.get("eform", {})),
        "process": _check_process(check, data.get("process", [])),
    }
    start, end = clean["effective_from"], clean["effective_to"]
    if start and end and end < start:
        check.fail("effective_to", "Ngày hết hiệu lực trước ngày có hiệu lực.")
    if for_publish:
        _check_publishable(check, clean)
    return clean, check.problems


def _check_field_code(check: _Checker, code: Any, known: Collection[str] | None) -> str:
    if not isinstance(code, str):
        check.fail("field", "Phải là mã lĩnh vực.")
        return ""
    exists = code in known if known is not None else Field.objects.filter(code=code).exists()
    if not exists:
        check.fail("field", f"Không có lĩnh vực mã “{code}”.")
    return code


def _check_agencies(check: _Checker, codes: Any) -> list[str]:
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        check.fail("agencies", "Phải là danh sách mã định danh cơ quan.")
        return []
    found = set(
        Agency.objects.filter(identifier_code__in=codes).values_list("identifier_code", flat=True)
    )
    for index, code in enumerate(codes):
        if code not in found:
            check.fail(f"agencies[{index}]", f"Không có cơ quan mã định danh “{code}”.")
    return sorted(set(codes))


def _check_time_limit(check: _Checker, value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping) or not {"value", "unit"} <= set(value):
        check.fail("time_limit", 'Cần {"value": "…", "unit": "…", "note": "…"}.')
        return {"value": "0", "unit": "", "note": ""}
    sub = _Checker(check.at("time_limit"))
    if set(value) - {"value", "unit", "note"}:
        sub.fail("", "Chỉ gồm value, unit, note.")
    clean = {
        "value": sub.decimal(value["value"], "value", places=2, digits=8),
        "unit": sub.one_of(value["unit"], "unit", DurationUnit.values),
        "note": sub.text(value, "note", 500, blank=True),
    }
    check.problems += sub.problems
    return clean


def _check_legal_basis(check: _Checker, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        check.fail("legal_basis", "Phải là danh sách tên văn bản (chuỗi khác rỗng).")
        return []
    return list(value)


def _check_documents(check: _Checker, value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        check.fail("documents", "Phải là một danh sách.")
        return []
    documents = []
    for index, raw in enumerate(value):
        sub = _Checker(check.at(f"documents[{index}]"))
        if not isinstance(raw, Mapping):
            sub.fail("", "Phải là một đối tượng JSON.")
            check.problems += sub.problems
            continue
        unknown = set(raw) - {"name", *DOCUMENT_DEFAULTS}
        if unknown:
            sub.problems.append(
                Problem(sub.path, f"Khóa không hợp lệ: {', '.join(sorted(unknown))}.")
            )
        doc = {**DOCUMENT_DEFAULTS, **raw}
        documents.append(
            {
                "name": sub.text(doc, "name", 500, blank=False),
                "originals": _count(sub, doc["originals"], "originals"),
                "copies": _count(sub, doc["copies"], "copies"),
                "required": _flag(sub, doc["required"], "required"),
                "reusable": _flag(sub, doc["reusable"], "reusable"),
                "template_name": sub.text(doc, "template_name", 300, blank=True),
                "note": sub.text(doc, "note", 1000, blank=True),
            }
        )
        check.problems += sub.problems
    return documents


def _count(check: _Checker, value: Any, key: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
        check.fail(key, "Phải là số nguyên từ 0 đến 100.")
        return 0
    return value


def _flag(check: _Checker, value: Any, key: str) -> bool:
    if not isinstance(value, bool):
        check.fail(key, "Phải là true hoặc false.")
        return False
    return value


def _check_fees(check: _Checker, value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        check.fail("fees", "Phải là một danh sách.")
        return []
    fees = []
    for index, raw in enumerate(value):
        sub = _Checker(check.at(f"fees[{index}]"))
        if not isinstance(raw, Mapping) or set(raw) - {"kind", "name", "amount", "rule", "note"}:
            sub.fail("", "Cần một đối tượng với kind, name, amount, rule, note.")
            check.problems += sub.problems
            continue
        fees.append(
            {
                "kind": sub.one_of(raw.get("kind"), "kind", Fee.Kind.values),
                "name": sub.text(raw, "name", 300, blank=False),
                "amount": sub.decimal(raw.get("amount"), "amount", places=0, digits=14),
                "rule": _check_fee_rule(sub, raw.get("rule", {})),
                "note": sub.text(raw, "note", 1000, blank=True),
            }
        )
        check.problems += sub.problems
    return fees


_FEE_RULE_KEYS = {"per", "min", "max", "quantity_field", "applies_if"}


def _check_fee_rule(check: _Checker, rule: Any) -> dict[str, Any]:
    """`{}` (fixed), or per unit with an optional `quantity_field`, and/or `applies_if` (the fee is
    due only when an answer meets the condition, e.g. late birth registration; see
    docs/catalogue-format.md)."""
    if rule == {}:
        return {}
    if not isinstance(rule, Mapping) or not rule or set(rule) - _FEE_RULE_KEYS:
        check.fail(
            "rule",
            'Phải là {} hoặc {"per": "copy|page|sheet", "min", "max", "quantity_field",'
            ' "applies_if"}.',
        )
        return {}
    clean: dict[str, Any] = {}
    if "per" in rule:
        clean["per"] = check.one_of(rule["per"], "rule.per", ("copy", "page", "sheet"))
    for key in ("min", "max"):
        if key in rule:
            clean[key] = check.decimal(rule[key], f"rule.{key}", places=0, digits=14)
    if "min" in clean and "max" in clean and Decimal(clean["min"]) > Decimal(clean["max"]):
        check.fail("rule.min", "min lớn hơn max.")
    if "quantity_field" in rule:
        clean["quantity_field"] = _answer_path(check, rule["quantity_field"], "rule.quantity_field")
    if "applies_if" in rule:
        clean["applies_if"] = _check_applies_if(check, rule["applies_if"])
    return clean


def _answer_path(check: _Checker, value: Any, key: str) -> str:
    if not isinstance(value, str) or value.count(".") != 1:
        check.fail(key, "Phải có dạng nhom.truong (khóa nhóm và khóa trường của biểu mẫu).")
        return ""
    return value


def _check_applies_if(check: _Checker, condition: Any) -> dict[str, Any]:
    tests = {"equals", "truthy", "older_than_days"}
    if (
        not isinstance(condition, Mapping)
        or "field" not in condition
        or len(set(condition) & tests) != 1
        or set(condition) - tests - {"field"}
    ):
        check.fail(
            "rule.applies_if", "Cần field và đúng một trong equals, truthy, older_than_days."
        )
        return {}
    clean: dict[str, Any] = {
        "field": _answer_path(check, condition["field"], "rule.applies_if.field")
    }
    if "older_than_days" in condition:
        days = condition["older_than_days"]
        if not isinstance(days, int) or isinstance(days, bool) or days < 0:
            check.fail("rule.applies_if.older_than_days", "Phải là số ngày nguyên không âm.")
        clean["older_than_days"] = days
    elif "truthy" in condition:
        clean["truthy"] = True
    else:
        clean["equals"] = condition["equals"]
    return clean


def _check_eform(check: _Checker, schema: Any) -> dict[str, Any]:
    for problem in check_schema(schema):
        check.fail(f"eform.{problem.path}" if problem.path else "eform", problem.message)
    return dict(schema) if isinstance(schema, Mapping) else {}


def _check_process(check: _Checker, value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        check.fail("process", "Phải là một danh sách bước.")
        return []
    steps, codes = [], set()
    for index, raw in enumerate(value):
        sub = _Checker(check.at(f"process[{index}]"))
        keys = set(raw) - {"supplement_limit"} if isinstance(raw, Mapping) else set()
        if not isinstance(raw, Mapping) or keys != {"code", "name", "role", "budget"}:
            sub.fail("", "Cần đúng các khóa code, name, role, budget (và supplement_limit).")
            check.problems += sub.problems
            continue
        code = raw["code"]
        if not isinstance(code, str) or not _STEP_CODE.fullmatch(code) or code in codes:
            sub.fail("code", "Mã bước gồm chữ thường không dấu, số, gạch dưới; không trùng.")
        codes.add(code)
        budget = raw["budget"]
        if not isinstance(budget, Mapping) or set(budget) != {"value", "unit"}:
            sub.fail("budget", 'Cần {"value": "…", "unit": "…"}.')
            budget = {"value": "0", "unit": DurationUnit.WORKING_DAYS}
        step = {
            "code": code,
            "name": sub.text(raw, "name", 300, blank=False),
            "role": sub.one_of(raw["role"], "role", Role.values),
            "budget": _check_budget(sub, budget, "budget"),
        }
        if "supplement_limit" in raw:
            # Decree 61/2018 Art. 19(4): the period sector law sets instead of 3 working days.
            limit = raw["supplement_limit"]
            if not isinstance(limit, Mapping) or set(limit) != {"value", "unit"}:
                sub.fail("supplement_limit", 'Cần {"value": "…", "unit": "…"}.')
                limit = {"value": "0", "unit": DurationUnit.WORKING_DAYS}
            step["supplement_limit"] = _check_budget(sub, limit, "supplement_limit")
        steps.append(step)
        check.problems += sub.problems
    return steps


def _check_budget(check: _Checker, budget: Mapping[str, Any], key: str) -> dict[str, Any]:
    return {
        "value": check.decimal(budget["value"], f"{key}.value", places=2, digits=8),
        "unit": check.one_of(budget["unit"], f"{key}.unit", DurationUnit.values),
    }


def _check_publishable(check: _Checker, clean: Mapping[str, Any]) -> None:
    """What a published version needs beyond being well formed (onestop.md §1.10, §3.2)."""
    if not clean["process"]:
        check.fail("process", "Cần quy trình nội bộ (TT 01/2018, Điều 8).")
    online = clean["online_level"] in (OnlineLevel.FULL, OnlineLevel.PARTIAL)
    if online and not clean["eform"].get("groups"):
        check.fail("eform", "Dịch vụ công trực tuyến cần biểu mẫu điện tử.")
    returns_remotely = {DeliveryOption.POST, DeliveryOption.ONLINE} & set(clean["delivery_options"])
    if clean["online_level"] == OnlineLevel.FULL and not returns_remotely:
        # Decree 42/2022 Art. 11: toàn trình returns the result online or by public post.
        check.fail(
            "delivery_options", "Dịch vụ toàn trình trả kết quả trực tuyến hoặc qua bưu chính."
        )


# --- Writing ------------------------------------------------------------------------------------


def _search_text(version: ProcedureVersion, document_names: list[str]) -> str:
    parts = [
        version.name,
        version.field.name,
        version.procedure.national_code,
        version.implementing_text,
        *document_names,
        version.result,
    ]
    return fold(" ".join(parts))


def refresh_search_text(version: ProcedureVersion) -> None:
    """Recompute the folded search column from the saved version and its documents."""
    names = list(version.documents.order_by("order").values_list("name", flat=True))
    version.search_text = _search_text(version, names)
    ProcedureVersion.objects.filter(pk=version.pk).update(search_text=version.search_text)


def _write_version(version: ProcedureVersion, clean: Mapping[str, Any]) -> None:
    version.effective_from = date.fromisoformat(clean["effective_from"])
    version.effective_to = (
        date.fromisoformat(clean["effective_to"]) if clean["effective_to"] else None
    )
    for key in (
        "name", "audiences", "online_level", "legacy_level", "implementing_level",
        "implementing_text", "result", "delivery_options", "steps_text", "conditions_text",
        "legal_basis", "process",
    ):  # fmt: skip
        setattr(version, key, clean[key])
    version.field = Field.objects.get(code=clean["field"])
    version.time_limit_value = Decimal(clean["time_limit"]["value"])
    version.time_limit_unit = clean["time_limit"]["unit"]
    version.time_limit_note = clean["time_limit"]["note"]
    version.eform_schema = clean["eform"]
    version.search_text = _search_text(version, [d["name"] for d in clean["documents"]])
    version.save()
    version.agencies.set(Agency.objects.filter(identifier_code__in=clean["agencies"]))
    version.documents.all().delete()
    RequiredDocument.objects.bulk_create(
        RequiredDocument(version=version, order=order, **doc)
        for order, doc in enumerate(clean["documents"], start=1)
    )
    version.fees.all().delete()
    for fee in clean["fees"]:  # one by one: the primary key keeps the order
        Fee.objects.create(version=version, **{**fee, "amount": Decimal(fee["amount"])})


def _content(data: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key not in IDENTITY_KEYS}


def _checked(data: Mapping[str, Any], **options: Any) -> dict[str, Any]:
    clean, problems = check_version_data(data, **options)
    if problems:
        raise CatalogueProblems(problems)
    return clean


def do_save_field(*, code: str, name: str, acting_user: Any) -> Field:
    """Create or rename a field (lĩnh vực); nothing is written when nothing changes."""
    code, name = code.strip(), name.strip()
    if not code or not name or len(code) > 40 or len(name) > 200:
        raise DomainError("Mã (tối đa 40 ký tự) và tên lĩnh vực (tối đa 200) là bắt buộc.")
    with transaction.atomic():
        field = Field.objects.select_for_update().filter(code=code).first()
        before = {"code": field.code, "name": field.name} if field else None
        if field is not None and field.name == name:
            return field
        field = field or Field(code=code)
        field.name = name
        field.search_text = fold(f"{code} {name}")
        field.save()
        if before is not None:  # the field's name is part of every version's search text
            for version in ProcedureVersion.objects.filter(field=field).select_related(
                "procedure", "field"
            ):
                refresh_search_text(version)
        record_audit(
            "procedures.field.save", actor=acting_user, obj=field, before=before,
            after={"code": code, "name": name},
        )  # fmt: skip
        return field


def _next_version_number(procedure: Procedure) -> int:
    return (procedure.versions.aggregate(top=Max("version"))["top"] or 0) + 1


def do_create_version(
    procedure: Procedure | str,
    *,
    acting_user: Any,
    data: Mapping[str, Any] | None = None,
    number: int | None = None,
) -> ProcedureVersion:
    """A new draft: from `data` (the exchange format; identity keys ignored) or, without data, a
    copy of the latest version taking effect from today at the earliest. `procedure` may be a
    national code (the procedure is created if new). `number` defaults to the next one."""
    with transaction.atomic():
        if isinstance(procedure, str):
            if not procedure.strip() or len(procedure) > 40:
                raise DomainError("Mã thủ tục không hợp lệ.", field="national_code")
            procedure, _ = Procedure.objects.get_or_create(national_code=procedure.strip())
        Procedure.objects.select_for_update().filter(pk=procedure.pk).first()
        if data is None:
            data = _copy_of_latest(procedure)
        clean = _checked(_content(data))
        number = number or _next_version_number(procedure)
        if procedure.versions.filter(version=number).exists():
            raise Conflict(f"Thủ tục {procedure} đã có phiên bản {number}.")
        version = ProcedureVersion(procedure=procedure, version=number)
        _write_version(version, clean)
        record_audit(
            "procedures.version.create", actor=acting_user, obj=version,
            after=version_as_data(version),
        )  # fmt: skip
        return version


def _copy_of_latest(procedure: Procedure) -> dict[str, Any]:
    latest = latest_version(procedure)
    if latest is None:
        raise DomainError("Thủ tục chưa có phiên bản nào để sao chép; hãy nhập nội dung.")
    data = version_as_data(latest)
    starts = max(timezone.localdate(), latest.effective_from + timedelta(days=1))
    return {**data, "effective_from": starts.isoformat(), "effective_to": None}


def _check_draft(version: ProcedureVersion) -> None:
    if version.status != ProcedureVersion.Status.DRAFT:
        raise Conflict(
            "Phiên bản đã công bố không được sửa; hãy tạo phiên bản mới.", code="published"
        )


def do_update_draft(
    version: ProcedureVersion, data: Mapping[str, Any], *, acting_user: Any
) -> ProcedureVersion:
    """Change a draft: keys of `data` replace the version's content (the exchange format)."""
    with transaction.atomic():
        version = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
        _check_draft(version)
        before = version_as_data(version)
        clean = _checked({**_content(before), **_content(data)})
        if clean == _content(before):
            return version
        _write_version(version, clean)
        record_audit(
            "procedures.version.update", actor=acting_user, obj=version, before=before,
            after=version_as_data(version),
        )  # fmt: skip
        return version


def do_record_draft_edit(version: ProcedureVersion, *, acting_user: Any) -> None:
    """After a draft was edited in place (the admin): search text and an audit row."""
    with transaction.atomic():
        refresh_search_text(version)
        record_audit(
            "procedures.version.update", actor=acting_user, obj=version,
            after=version_as_data(version),
        )  # fmt: skip


def do_publish_version(version: ProcedureVersion, *, acting_user: Any) -> ProcedureVersion:
    """Publish a draft. The previous published version, if still open and starting earlier, ends
    the day before this one starts; any other overlap of effective periods is refused."""
    with transaction.atomic():
        Procedure.objects.select_for_update().filter(pk=version.procedure_id).first()
        version = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
        _check_draft(version)
        _checked(_content(version_as_data(version)), for_publish=True)
        published = version.procedure.versions.filter(status=ProcedureVersion.Status.PUBLISHED)
        previous = (
            published.filter(effective_from__lt=version.effective_from)
            .order_by("-effective_from")
            .first()
        )
        if previous is not None and previous.effective_to is None:
            _close(previous, version.effective_from - timedelta(days=1), acting_user)
        _check_no_overlap(version, published)
        version.status = ProcedureVersion.Status.PUBLISHED
        version.save(update_fields=["status"])
        record_audit(
            "procedures.version.publish", actor=acting_user, obj=version,
            after={"effective_from": version.effective_from, "effective_to": version.effective_to},
        )  # fmt: skip
        return version


def _close(version: ProcedureVersion, last_day: date, acting_user: Any) -> None:
    before = {"effective_to": None}
    version.effective_to = last_day
    version.save(update_fields=["effective_to"])
    record_audit(
        "procedures.version.close", actor=acting_user, obj=version, before=before,
        after={"effective_to": last_day},
    )  # fmt: skip


def _check_no_overlap(version: ProcedureVersion, published: Any) -> None:
    ends = version.effective_to
    overlapping = published.filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=version.effective_from)
    )
    if ends is not None:
        overlapping = overlapping.filter(effective_from__lte=ends)
    clash = overlapping.exclude(pk=version.pk).order_by("version").first()
    if clash is not None:
        raise Conflict(
            f"Thời gian hiệu lực trùng với phiên bản {clash.version} "
            f"({clash.effective_from:%d/%m/%Y} – "
            f"{clash.effective_to.strftime('%d/%m/%Y') if clash.effective_to else 'nay'}).",
            code="overlap",
            field="effective_from",
        )
