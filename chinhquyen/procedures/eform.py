"""E-forms as data (docs/catalogue-format.md, "The e-form"): `check_schema` says whether a schema
is well formed; `validate_answers` turns a citizen's answers into cleaned values or a list of
`(path, message)` errors in Vietnamese. Neither raises on bad input."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from chinhquyen.core.sql import fetch_prepared
from chinhquyen.org.identity import validate_personal_id

FIELD_TYPES = (
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
)
NUMBER_TYPES = ("integer", "decimal", "money")
CHOICE_TYPES = ("choice", "multichoice")
FIELD_KEYS = {
    "key",
    "label",
    "type",
    "required",
    "min",
    "max",
    "min_length",
    "max_length",
    "pattern",
    "pattern_message",
    "choices",
    "show_if",
    "prefill",
}
GROUP_KEYS = {"key", "title", "repeat", "fields"}
_KEY = re.compile(r"[a-z][a-z0-9_]*")


class Problem(NamedTuple):
    """A problem with a path (`groups[1].fields[0].choices`) and a Vietnamese message."""

    path: str
    message: str


@dataclass
class CleanResult:
    cleaned: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# --- Schema well-formedness --------------------------------------------------------------------


def check_schema(schema: Any) -> list[Problem]:
    """Every problem of an e-form schema; an empty list when it is well formed."""
    if not isinstance(schema, Mapping):
        return [Problem("", "Biểu mẫu phải là một đối tượng JSON.")]
    if set(schema) - {"groups"}:
        return [Problem("", f"Khóa không hợp lệ: {', '.join(sorted(set(schema) - {'groups'}))}.")]
    groups = schema.get("groups", [])
    if not isinstance(groups, list):
        return [Problem("groups", "Phải là một danh sách nhóm.")]
    problems: list[Problem] = []
    seen_groups: dict[str, Mapping[str, Any]] = {}
    for index, group in enumerate(groups):
        path = f"groups[{index}]"
        if not isinstance(group, Mapping):
            problems.append(Problem(path, "Nhóm phải là một đối tượng JSON."))
            continue
        problems += _check_group(group, path, seen_groups)
        if isinstance(group.get("key"), str):
            seen_groups[group["key"]] = group
    return problems


def _check_group(
    group: Mapping[str, Any], path: str, earlier: Mapping[str, Mapping[str, Any]]
) -> list[Problem]:
    problems = _check_key(group.get("key"), f"{path}.key", earlier)
    problems += _unknown_keys(group, GROUP_KEYS, path)
    if not isinstance(group.get("title"), str) or not group["title"].strip():
        problems.append(Problem(f"{path}.title", "Nhóm cần có tiêu đề."))
    problems += _check_repeat(group.get("repeat"), f"{path}.repeat")
    fields = group.get("fields")
    if not isinstance(fields, list) or not fields:
        return [*problems, Problem(f"{path}.fields", "Nhóm cần ít nhất một trường.")]
    keys: dict[str, Mapping[str, Any]] = {}
    for index, spec in enumerate(fields):
        field_path = f"{path}.fields[{index}]"
        if not isinstance(spec, Mapping):
            problems.append(Problem(field_path, "Trường phải là một đối tượng JSON."))
            continue
        problems += _check_key(spec.get("key"), f"{field_path}.key", keys)
        problems += _check_field(spec, field_path)
        if isinstance(spec.get("key"), str):
            keys[spec["key"]] = spec
    for index, spec in enumerate(fields):
        if isinstance(spec, Mapping) and "show_if" in spec:
            show_path = f"{path}.fields[{index}].show_if"
            problems += _check_show_if(spec, show_path, keys, earlier)
    return problems + _check_cycles(fields, f"{path}.fields")


def _check_key(key: Any, path: str, taken: Mapping[str, Any]) -> list[Problem]:
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        return [Problem(path, "Khóa chỉ gồm chữ thường không dấu, chữ số và dấu gạch dưới.")]
    if key in taken:
        return [Problem(path, f"Khóa “{key}” bị trùng.")]
    return []


def _unknown_keys(spec: Mapping[str, Any], allowed: set[str], path: str) -> list[Problem]:
    unknown = sorted(str(key) for key in set(spec) - allowed)
    return [Problem(path, f"Thuộc tính không hợp lệ: {', '.join(unknown)}.")] if unknown else []


def _check_repeat(repeat: Any, path: str) -> list[Problem]:
    if repeat is None:
        return []
    if not isinstance(repeat, Mapping) or set(repeat) != {"min", "max"}:
        return [Problem(path, 'Phải là null hoặc {"min": n, "max": m}.')]
    low, high = repeat["min"], repeat["max"]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high)):
        return [Problem(path, "min và max phải là số nguyên.")]
    if low < 0 or high < 1 or low > high or high > 100:
        return [Problem(path, "Cần 0 ≤ min ≤ max, 1 ≤ max ≤ 100.")]
    return []


def _check_field(spec: Mapping[str, Any], path: str) -> list[Problem]:
    problems = _unknown_keys(spec, FIELD_KEYS, path)
    kind = spec.get("type")
    if kind not in FIELD_TYPES:
        return [*problems, Problem(f"{path}.type", f"Kiểu trường không hợp lệ: {kind!r}.")]
    if not isinstance(spec.get("label"), str) or not spec["label"].strip():
        problems.append(Problem(f"{path}.label", "Trường cần có nhãn."))
    if not isinstance(spec.get("required", False), bool):
        problems.append(Problem(f"{path}.required", "Phải là true hoặc false."))
    for key in ("pattern_message", "prefill"):
        if key in spec and not isinstance(spec[key], str):
            problems.append(Problem(f"{path}.{key}", "Phải là một chuỗi."))
    problems += _check_choices(spec, kind, path)
    problems += _check_lengths(spec, path)
    problems += _check_bounds(spec, kind, path)
    if "pattern" in spec:
        problems += _check_pattern(spec["pattern"], f"{path}.pattern")
    return problems


def _check_choices(spec: Mapping[str, Any], kind: str, path: str) -> list[Problem]:
    if kind not in CHOICE_TYPES:
        if "choices" in spec:
            return [Problem(f"{path}.choices", "Chỉ dùng cho kiểu choice, multichoice.")]
        return []
    choices = spec.get("choices")
    if not isinstance(choices, list) or not choices:
        return [Problem(f"{path}.choices", "Cần danh sách lựa chọn [[giá trị, nhãn], ...].")]
    values = []
    for index, choice in enumerate(choices):
        if not (
            isinstance(choice, list)
            and len(choice) == 2
            and all(isinstance(part, str) and part for part in choice)
        ):
            return [Problem(f"{path}.choices[{index}]", "Mỗi lựa chọn là [giá trị, nhãn].")]
        values.append(choice[0])
    if len(set(values)) != len(values):
        return [Problem(f"{path}.choices", "Giá trị lựa chọn bị trùng.")]
    return []


def _check_lengths(spec: Mapping[str, Any], path: str) -> list[Problem]:
    problems = []
    for key in ("min_length", "max_length"):
        value = spec.get(key, 0)
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(Problem(f"{path}.{key}", "Phải là số nguyên."))
        elif value < 0:
            problems.append(Problem(f"{path}.{key}", "Không được âm."))
    low, high = spec.get("min_length"), spec.get("max_length")
    if not problems and isinstance(low, int) and isinstance(high, int) and low > high:
        problems.append(Problem(f"{path}.min_length", "min_length lớn hơn max_length."))
    return problems


def _check_bounds(spec: Mapping[str, Any], kind: str, path: str) -> list[Problem]:
    if "min" not in spec and "max" not in spec:
        return []
    if kind not in (*NUMBER_TYPES, "date"):
        return [Problem(f"{path}.min", "min/max chỉ dùng cho số và ngày.")]
    parse: Callable[[Any, date], Any] = _bound_date if kind == "date" else _bound_number
    parsed: dict[str, Any] = {}
    problems = []
    for key in ("min", "max"):
        if key in spec:
            parsed[key] = parse(spec[key], date(2000, 1, 1))
            if parsed[key] is None:
                expected = 'YYYY-MM-DD hoặc "today"' if kind == "date" else "một số"
                problems.append(Problem(f"{path}.{key}", f"Phải là {expected}."))
    if not problems and len(parsed) == 2:
        # "today" against a fixed date depends on the day: checked against both ends.
        for today in (date(1900, 1, 1), date(2999, 12, 31)):
            if parse(spec["min"], today) > parse(spec["max"], today):
                return [Problem(f"{path}.min", "min lớn hơn max.")]
    return problems


def _check_pattern(pattern: Any, path: str) -> list[Problem]:
    if not isinstance(pattern, str):
        return [Problem(path, "Phải là một chuỗi biểu thức chính quy.")]
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        return [Problem(path, f"Biểu thức chính quy không hợp lệ: {exc}.")]
    return []


def _check_show_if(
    spec: Mapping[str, Any],
    path: str,
    same_group: Mapping[str, Mapping[str, Any]],
    earlier: Mapping[str, Mapping[str, Any]],
) -> list[Problem]:
    rule = spec["show_if"]
    if not isinstance(rule, Mapping) or not isinstance(rule.get("field"), str):
        return [Problem(path, 'Cần {"field": ..., và một trong equals, in, truthy}.')]
    tests = set(rule) - {"field"}
    if len(tests) != 1 or not tests <= {"equals", "in", "truthy"}:
        return [Problem(path, "Cần đúng một điều kiện: equals, in hoặc truthy.")]
    if "in" in rule and not isinstance(rule["in"], list):
        return [Problem(f"{path}.in", "Phải là một danh sách.")]
    if "truthy" in rule and rule["truthy"] is not True:
        return [Problem(f"{path}.truthy", "Chỉ nhận giá trị true.")]
    target = rule["field"]
    if "." not in target:
        if target == spec.get("key") or target not in same_group:
            return [Problem(f"{path}.field", f"Không có trường “{target}” khác trong nhóm.")]
        return []
    group_key, _, field_key = target.partition(".")
    group = earlier.get(group_key)
    if group is None:
        return [Problem(f"{path}.field", f"Không có nhóm “{group_key}” đứng trước.")]
    if group.get("repeat") is not None:
        return [Problem(f"{path}.field", "Không tham chiếu tới nhóm lặp lại.")]
    fields = group.get("fields")
    if not isinstance(fields, list) or not any(
        isinstance(f, Mapping) and f.get("key") == field_key for f in fields
    ):
        return [Problem(f"{path}.field", f"Nhóm “{group_key}” không có trường “{field_key}”.")]
    return []


def _check_cycles(fields: list[Any], path: str) -> list[Problem]:
    parent = {}
    for spec in fields:
        if isinstance(spec, Mapping) and isinstance(spec.get("show_if"), Mapping):
            target = spec["show_if"].get("field")
            if isinstance(target, str) and "." not in target:
                parent[spec.get("key")] = target
    for start in parent:
        seen, node = {start}, parent[start]
        while node in parent:
            if node in seen:
                return [Problem(path, f"Điều kiện hiển thị vòng quanh qua “{start}”.")]
            seen.add(node)
            node = parent[node]
    return []


# --- Answers ----------------------------------------------------------------------------------


def validate_answers(schema: Any, answers: Any, *, today: date | None = None) -> CleanResult:
    """Clean `answers` against a well-formed `schema`: every error with its path, or the cleaned
    answers (dates and decimals as strings; hidden fields and unknown keys left out)."""
    today = today or timezone.localdate()
    result = CleanResult()
    if check_schema(schema):
        result.errors.append(("", "Biểu mẫu của thủ tục không hợp lệ."))
        return result
    if not isinstance(answers, Mapping):
        answers = {}
    for group in schema.get("groups", []):
        key = group["key"]
        raw = answers.get(key)
        if group.get("repeat") is None:
            cleaned = _clean_instance(group, raw, key, result.cleaned, today, result.errors)
            result.cleaned[key] = cleaned
        else:
            result.cleaned[key] = _clean_repeat(group, raw, result.cleaned, today, result.errors)
    if result.errors:
        result.cleaned = {}
    return result


def _clean_repeat(
    group: Mapping[str, Any],
    raw: Any,
    done: Mapping[str, Any],
    today: date,
    errors: list[tuple[str, str]],
) -> list[dict[str, Any]]:
    key, bounds = group["key"], group["repeat"]
    items = raw if isinstance(raw, list) else [] if raw is None else None
    if items is None:
        errors.append((key, "Phải là một danh sách."))
        return []
    if len(items) < bounds["min"]:
        errors.append((key, f"Cần ít nhất {bounds['min']} mục."))
    if len(items) > bounds["max"]:
        errors.append((key, f"Nhiều nhất {bounds['max']} mục."))
        items = items[: bounds["max"]]
    return [
        _clean_instance(group, item, f"{key}[{index}]", done, today, errors)
        for index, item in enumerate(items)
    ]


def _clean_instance(
    group: Mapping[str, Any],
    raw: Any,
    path: str,
    done: Mapping[str, Any],
    today: date,
    errors: list[tuple[str, str]],
) -> dict[str, Any]:
    if raw is not None and not isinstance(raw, Mapping):
        errors.append((path, "Phải là một đối tượng."))
    raw = raw if isinstance(raw, Mapping) else {}
    specs = {spec["key"]: spec for spec in group["fields"]}
    values: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for key, spec in specs.items():
        value = raw.get(key)
        if _is_empty(value):
            if spec.get("required"):
                problems[key] = "Vui lòng nhập thông tin này."
            continue
        message, cleaned = _clean_value(spec, value, today)
        if message:
            problems[key] = message
        else:
            values[key] = cleaned
    cleaned_instance: dict[str, Any] = {}
    for key in specs:
        if not _visible(specs, key, values, done, set()):
            continue
        if key in problems:
            errors.append((f"{path}.{key}", problems[key]))
        elif key in values:
            cleaned_instance[key] = values[key]
    return cleaned_instance


def _visible(
    specs: Mapping[str, Mapping[str, Any]],
    key: str,
    values: Mapping[str, Any],
    done: Mapping[str, Any],
    seen: set[str],
) -> bool:
    rule = specs[key].get("show_if")
    if rule is None:
        return True
    target = rule["field"]
    if "." in target:
        group_key, _, field_key = target.partition(".")
        earlier = done.get(group_key)
        value = earlier.get(field_key) if isinstance(earlier, Mapping) else None
    elif target in seen:
        return False
    elif not _visible(specs, target, values, done, seen | {key}):
        value = None
    else:
        value = values.get(target)
    return _holds(rule, value)


def _holds(rule: Mapping[str, Any], value: Any) -> bool:
    if "equals" in rule:
        return value is not None and value == rule["equals"]
    if "in" in rule:
        return value is not None and value in rule["in"]
    return bool(value)


def _is_empty(value: Any) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


# --- One value ---------------------------------------------------------------------------------

Cleaner = Callable[[Mapping[str, Any], Any, date], tuple[str, Any]]


def _clean_value(spec: Mapping[str, Any], value: Any, today: date) -> tuple[str, Any]:
    """`("", cleaned)` or `(message, None)`."""
    try:
        return _CLEANERS[spec["type"]](spec, value, today)
    except (ValueError, TypeError, ArithmeticError, RecursionError):
        return "Giá trị không hợp lệ.", None


_LONGEST = (2000, 20000)  # text, textarea: a ceiling even without max_length


def _clean_text(spec: Mapping[str, Any], value: Any, today: date) -> tuple[str, Any]:
    if not isinstance(value, str):
        return "Phải là văn bản.", None
    text = value.strip()
    if len(text) > _LONGEST[spec["type"] == "textarea"]:
        return "Nội dung quá dài.", None
    if spec["type"] == "text" and ("\n" in text or "\r" in text):
        return "Chỉ nhập trên một dòng.", None
    if "min_length" in spec and len(text) < spec["min_length"]:
        return f"Cần ít nhất {spec['min_length']} ký tự.", None
    if "max_length" in spec and len(text) > spec["max_length"]:
        return f"Không quá {spec['max_length']} ký tự.", None
    if "pattern" in spec and not re.fullmatch(spec["pattern"], text):
        return spec.get("pattern_message") or "Không đúng định dạng.", None
    return "", text


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        # Vietnamese writes the decimal comma: "1,5".
        number = Decimal(value.strip().replace(",", ".") if isinstance(value, str) else str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() and abs(number) < Decimal("1e15") else None


def _bound_number(bound: Any, today: date) -> Decimal | None:
    return _number(bound) if isinstance(bound, int | float | str) else None


def _in_bounds(spec: Mapping[str, Any], value: Any, today: date, parse: Any) -> str:
    low = parse(spec["min"], today) if "min" in spec else None
    high = parse(spec["max"], today) if "max" in spec else None
    if low is not None and value < low:
        return f"Không được nhỏ hơn {_show(low)}."
    if high is not None and value > high:
        return f"Không được lớn hơn {_show(high)}."
    return ""


def _show(bound: Any) -> str:
    if isinstance(bound, date):
        return bound.strftime("%d/%m/%Y")
    return format(bound.normalize(), "f")


_GROUPED = re.compile(r"[0-9]{1,3}([., ][0-9]{3})+")


def _clean_number(spec: Mapping[str, Any], value: Any, today: date) -> tuple[str, Any]:
    kind = spec["type"]
    if kind == "money" and isinstance(value, str) and _GROUPED.fullmatch(value.strip()):
        value = re.sub(r"[^0-9]", "", value)  # "100.000" is a hundred thousand đồng
    number = _number(value)
    if number is None:
        return "Phải là một số.", None
    if kind in ("integer", "money") and number != number.to_integral_value():
        return "Phải là số nguyên.", None
    if kind == "money" and number < 0:
        return "Số tiền không được âm.", None
    message = _in_bounds(spec, number, today, _bound_number)
    if message:
        return message, None
    if kind == "integer":
        return "", int(number)
    return "", format(number.normalize(), "f") if number else "0"


def _parse_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    for layout in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, layout).date()
        except ValueError:
            continue
    return None


def _bound_date(bound: Any, today: date) -> date | None:
    return today if bound == "today" else _parse_date(bound) if isinstance(bound, str) else None


def _clean_date(spec: Mapping[str, Any], value: Any, today: date) -> tuple[str, Any]:
    day = _parse_date(value) if isinstance(value, str) else None
    if day is None:
        return "Ngày không hợp lệ (dd/mm/yyyy).", None
    message = _in_bounds(spec, day, today, _bound_date)
    return (message, None) if message else ("", day.isoformat())


def _clean_choice(spec: Mapping[str, Any], value: Any, today: date) -> tuple[str, Any]:
    allowed = [choice[0] for choice in spec["choices"]]
    if spec["type"] == "choice":
        return ("", value) if isinstance(value, str) and value in allowed else (_NOT_CHOICE, None)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return "Phải là một danh sách lựa chọn.", None
    if any(v not in allowed for v in value):
        return _NOT_CHOICE, None
    return "", [v for v in allowed if v in value]  # in the schema's order, once each


_NOT_CHOICE = "Lựa chọn không có trong danh sách."


def _clean_boolean(spec: Mapping[str, Any], value: Any, today: date) -> tuple[str, Any]:
    if not isinstance(value, bool):
        return "Phải là có hoặc không.", None
    if spec.get("required") and not value:
        return "Vui lòng đánh dấu mục này.", None  # a required box is a declaration to tick
    return "", value


def _clean_email(spec: Mapping[str, Any], value: Any, today: date) -> tuple[str, Any]:
    text = value.strip() if isinstance(value, str) else ""
    try:
        validate_email(text)
    except ValidationError:
        return "Địa chỉ thư điện tử không hợp lệ.", None
    return _clean_text(spec, text, today)


_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
_PHONE = re.compile(r"0[1-9][0-9]{8}")


def _clean_phone(spec: Mapping[str, Any], value: Any, today: date) -> tuple[str, Any]:
    """Vietnamese mobile numbers: ten digits from 0, or +84 and the nine digits after the 0
    (spaces, dots, hyphens ignored). Stored in the national form `0xxxxxxxxx`."""
    text = _PHONE_SEPARATORS.sub("", value) if isinstance(value, str) else ""
    if text.startswith("+84"):
        text = "0" + text[3:]
    if not _PHONE.fullmatch(text):
        return "Số điện thoại gồm 10 chữ số, bắt đầu bằng 0 (hoặc +84).", None
    return "", text


def _clean_personal_id(spec: Mapping[str, Any], value: Any, today: date) -> tuple[str, Any]:
    """Circular 59/2021/TT-BCA Art. 7, checked by the one validator the accounts use too."""
    text = value.strip() if isinstance(value, str) else ""
    try:
        validate_personal_id(text, today=today)
    except ValidationError as error:
        return error.messages[0], None
    return "", text


def _clean_tax_code(spec: Mapping[str, Any], value: Any, today: date) -> tuple[str, Any]:
    """Circular 105/2020/TT-BTC Art. 5: ten digits, or thirteen written as 10 + `-` + 3 for a
    dependent unit. Stored with the hyphen."""
    text = re.sub(r"\s", "", value) if isinstance(value, str) else ""
    if re.fullmatch(r"[0-9]{13}", text):
        text = f"{text[:10]}-{text[10:]}"
    if not re.fullmatch(r"[0-9]{10}(-[0-9]{3})?", text):
        return "Mã số thuế gồm 10 chữ số hoặc 13 chữ số (dạng 0123456789-001).", None
    return "", text


_CURRENT_UNIT_SQL = (
    "SELECT 1 FROM org_administrativeunit"
    " WHERE code = %s AND valid_to IS NULL AND level IN ('province', 'commune') LIMIT 1"
)


def _clean_admin_unit(spec: Mapping[str, Any], value: Any, today: date) -> tuple[str, Any]:
    text = value.strip() if isinstance(value, str) else ""
    # A current province or commune (AdministrativeUnit.Level); prepared (core.sql): checked on
    # every save of a form page and again at submission.
    if not text or len(text) > 10 or not fetch_prepared(_CURRENT_UNIT_SQL, [text]):
        return "Không phải mã tỉnh hoặc xã hiện hành.", None
    return "", text


_CLEANERS: dict[str, Cleaner] = {
    "text": _clean_text,
    "textarea": _clean_text,
    "integer": _clean_number,
    "decimal": _clean_number,
    "money": _clean_number,
    "date": _clean_date,
    "choice": _clean_choice,
    "multichoice": _clean_choice,
    "boolean": _clean_boolean,
    "email": _clean_email,
    "phone": _clean_phone,
    "personal_id": _clean_personal_id,
    "tax_code": _clean_tax_code,
    "admin_unit": _clean_admin_unit,
}
