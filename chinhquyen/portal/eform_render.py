"""The e-form (procedures.eform, data) as HTML form fields and back: one group per page.

`group_view` turns a group spec, its raw answers and its errors into what the templates draw (names,
ids, values, messages, `show_if` hints and data attributes for the progressive-enhancement script);
`parse_group` turns the POST back into the raw answers structure `drafts.do_save_group` keeps
(booleans as True/False, multiple choices as lists, everything else as typed); `review_blocks`
lists the answers for the check page, choices by label and dates as dd/mm/yyyy.

Names: `<group>-<field>`, or `<group>-<n>-<field>` in the n-th instance of a repeatable group,
whose instance count travels as `<group>-so_muc`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Q
from django.http import QueryDict

from chinhquyen.org.models import AdministrativeUnit
from chinhquyen.portal import formatting
from chinhquyen.procedures.text import fold

MAX_VALUE_CHARS = 20_000  # the longest a textarea may be (procedures.eform), kept as typed
RADIO_LIMIT = 6  # more choices than this: a <select>
COUNT_SUFFIX = "so_muc"

HINTS = {
    "date": "Ngày/tháng/năm, ví dụ 27/03/2024.",
    "phone": "10 chữ số, bắt đầu bằng 0, ví dụ 0912345678.",
    "personal_id": "12 chữ số, in trên thẻ căn cước.",
    "tax_code": "10 chữ số, hoặc 13 chữ số với đơn vị phụ thuộc (0123456789-001).",
    "money": "Số tiền bằng đồng, ví dụ 1.500.000.",
    "decimal": "Dùng dấu phẩy cho phần thập phân, ví dụ 12,5.",
}
INPUT_TYPES = {"date": "date", "email": "email", "phone": "tel"}
INPUT_MODES = {
    "integer": "numeric",
    "money": "numeric",
    "decimal": "decimal",
    "personal_id": "numeric",
    "tax_code": "numeric",
}


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    selected: bool = False


@dataclass(frozen=True)
class OptionGroup:
    label: str
    options: list[Option]


@dataclass
class FieldView:
    key: str
    name: str
    id: str
    label: str
    kind: str  # the e-form type
    widget: str  # input, textarea, radios, select, checkboxes, checkbox, admin_unit
    input_type: str = "text"
    inputmode: str = ""
    autocomplete: str = ""
    value: str = ""
    checked: bool = False
    options: list[Option] = field(default_factory=list)
    option_groups: list[OptionGroup] = field(default_factory=list)
    required: bool = False
    error: str = ""
    hint: str = ""
    show_if: str = ""  # JSON for the script: {"name": ..., "equals"/"in"/"truthy": ...}
    hidden: bool = False  # depends on an earlier page's answer that hides it

    @property
    def error_id(self) -> str:
        return f"{self.id}-loi"

    @property
    def hint_id(self) -> str:
        return f"{self.id}-goi-y"

    @property
    def described_by(self) -> str:
        ids = [self.hint_id] if self.hint else []
        return " ".join([*ids, self.error_id] if self.error else ids)


@dataclass
class InstanceView:
    index: int | None
    title: str
    anchor: str
    fields: list[FieldView]
    error: str = ""
    remove_value: str = ""  # the "thao_tac" value of its remove button; "" when not removable


@dataclass
class GroupView:
    key: str
    title: str
    repeat: bool
    instances: list[InstanceView]
    errors: list[str]
    count_name: str = ""
    add_value: str = ""  # "" when no instance can be added

    @property
    def error_id(self) -> str:
        return f"nhom-{self.key}-loi"


@dataclass(frozen=True)
class SummaryError:
    href: str
    text: str


def summary(view: GroupView) -> list[SummaryError]:
    """The error summary at the top of the page, each error linking to its field."""
    items = [SummaryError(f"#nhom-{view.key}", message) for message in view.errors]
    for instance in view.instances:
        if instance.error:
            items.append(SummaryError(f"#{instance.anchor}", f"{instance.title}: {instance.error}"))
        for field_view in instance.fields:
            if field_view.error:
                where = (
                    f"{instance.title} — {field_view.label}" if view.repeat else field_view.label
                )
                items.append(SummaryError(f"#{field_view.id}", f"{where}: {field_view.error}"))
    return items


# --- Answers → page ------------------------------------------------------------------------------


@dataclass
class _Errors:
    """Errors of one group by place: the group, an instance, a field of an instance."""

    group: list[str] = field(default_factory=list)
    instance: dict[int | None, str] = field(default_factory=dict)
    fields: dict[tuple[int | None, str], str] = field(default_factory=dict)


def _sort_errors(group_key: str, errors: Sequence[tuple[str, str]]) -> _Errors:
    """Paths as `procedures.eform.validate_answers` writes them: `g`, `g.f`, `g[2]`, `g[2].f`;
    an empty path is about the whole form."""
    sorted_errors = _Errors()
    for path, message in errors:
        head, _, field_key = path.partition(".")
        name, _, index_text = head.partition("[")
        if name != group_key:
            if not path:
                sorted_errors.group.append(message)
            continue
        index = int(index_text.rstrip("]")) if index_text.rstrip("]").isdigit() else None
        if field_key:
            sorted_errors.fields.setdefault((index, field_key), message)
        elif index is not None:
            sorted_errors.instance.setdefault(index, message)
        else:
            sorted_errors.group.append(message)
    return sorted_errors


def group_view(
    group: Mapping[str, Any],
    raw: Any,
    errors: Sequence[tuple[str, str]] = (),
    *,
    answers: Mapping[str, Any] | None = None,
) -> GroupView:
    """The page of one group. `answers` are the other groups' raw answers (for `show_if` rules
    that look at an earlier page)."""
    key, title = group["key"], group.get("title", group["key"])
    found = _sort_errors(key, errors)
    context = _RenderContext(group, answers or {})
    bounds = group.get("repeat")
    if not bounds:
        instance = raw if isinstance(raw, Mapping) else {}
        fields = context.fields(key, None, instance, found)
        anchor = f"nhom-{key}"
        view = InstanceView(None, title, anchor, fields, found.instance.get(None, ""))
        return GroupView(key, title, False, [view], found.group)
    items = _instances(raw, bounds)
    instances = [
        InstanceView(
            index,
            f"{title} ({index + 1})",
            f"muc-{key}-{index}",
            context.fields(f"{key}-{index}", index, item, found),
            found.instance.get(index, ""),
            f"xoa:{key}:{index}" if len(items) > bounds["min"] else "",
        )
        for index, item in enumerate(items)
    ]
    return GroupView(
        key,
        title,
        True,
        instances,
        found.group,
        count_name=f"{key}-{COUNT_SUFFIX}",
        add_value=f"them:{key}" if len(items) < bounds["max"] else "",
    )


def _instances(raw: Any, bounds: Mapping[str, int]) -> list[Mapping[str, Any]]:
    if raw is None:  # never saved: the blank instances the group needs to be complete
        return [{} for _ in range(max(bounds["min"], 1))]
    items = raw if isinstance(raw, list) else []
    return [item if isinstance(item, Mapping) else {} for item in items[: bounds["max"]]]


class _RenderContext:
    def __init__(self, group: Mapping[str, Any], answers: Mapping[str, Any]) -> None:
        self.group = group
        self.answers = answers
        self.specs = {spec["key"]: spec for spec in group["fields"]}
        self._units: list[OptionGroup] | None = None

    def fields(
        self, prefix: str, index: int | None, instance: Mapping[str, Any], errors: _Errors
    ) -> list[FieldView]:
        return [
            self.field(spec, prefix, instance, errors.fields.get((index, spec["key"]), ""))
            for spec in self.group["fields"]
        ]

    def field(
        self, spec: Mapping[str, Any], prefix: str, instance: Mapping[str, Any], error: str
    ) -> FieldView:
        kind, name = spec["type"], f"{prefix}-{spec['key']}"
        value = instance.get(spec["key"])
        view = FieldView(
            key=spec["key"],
            name=name,
            id=f"f-{name}",
            label=spec.get("label", spec["key"]),
            kind=kind,
            widget=_widget(spec),
            input_type=INPUT_TYPES.get(kind, "text"),
            inputmode=INPUT_MODES.get(kind, ""),
            autocomplete=AUTOCOMPLETE.get(str(spec.get("prefill") or f"profile.{spec['key']}"), ""),
            required=bool(spec.get("required")),
            error=error,
        )
        view.hint = " ".join(filter(None, [HINTS.get(kind, ""), self._condition_hint(spec)]))
        self._fill(view, spec, value)
        self._condition(view, spec, prefix)
        return view

    def _fill(self, view: FieldView, spec: Mapping[str, Any], value: Any) -> None:
        kind = spec["type"]
        if kind == "boolean":
            view.checked = value is True
        elif kind in ("choice", "multichoice"):
            chosen = set(value) if isinstance(value, list) else {value}
            view.options = [Option(v, label, v in chosen) for v, label in spec["choices"]]
        elif kind == "admin_unit":
            view.value = value if isinstance(value, str) else ""
            view.option_groups = self._unit_options(view.value)
        elif kind == "date":
            view.value = _date_input_value(value)
        elif value is not None and not isinstance(value, list | dict):
            view.value = "" if isinstance(value, bool) else str(value)

    def _unit_options(self, selected: str) -> list[OptionGroup]:
        if self._units is None:
            self._units = admin_unit_options()
        groups = [
            OptionGroup(g.label, [Option(o.value, o.label, o.value == selected) for o in g.options])
            for g in self._units
        ]
        if selected and not any(o.selected for g in groups for o in g.options):
            unit = current_unit(selected)
            label = unit_label(unit) if unit else selected
            groups.insert(0, OptionGroup("Đã chọn", [Option(selected, label, True)]))
        return groups

    def _condition(self, view: FieldView, spec: Mapping[str, Any], prefix: str) -> None:
        rule = spec.get("show_if")
        if not rule:
            return
        target = rule["field"]
        if "." in target:  # decided by an earlier page: known now, shown or not accordingly
            view.hidden = not holds(rule, _earlier_value(self.answers, target))
            return
        test = {k: v for k, v in rule.items() if k != "field"}
        view.show_if = json.dumps({"name": f"{prefix}-{target}", **test}, ensure_ascii=False)

    def _condition_hint(self, spec: Mapping[str, Any]) -> str:
        """Said in words too, for whoever reads the page without the script."""
        rule = spec.get("show_if")
        if not rule or "." in rule["field"]:
            return ""
        target = self.specs.get(rule["field"], {})
        label = target.get("label", rule["field"])
        choices = dict(target.get("choices") or [])
        if "truthy" in rule:
            return f"Chỉ điền khi chọn “{label}”."
        wanted = rule["in"] if "in" in rule else [rule["equals"]]
        said = " hoặc ".join(f"“{choices.get(value, value)}”" for value in wanted)
        return f"Chỉ điền khi “{label}” là {said}."


# Prefill sources (and the applicant page's keys) the browser can fill in from its own store.
AUTOCOMPLETE = {
    "profile.full_name": "name",
    "profile.phone": "tel",
    "profile.email": "email",
    "profile.address": "street-address",
}


def _widget(spec: Mapping[str, Any]) -> str:
    kind = spec["type"]
    if kind == "choice":
        return "radios" if len(spec["choices"]) <= RADIO_LIMIT else "select"
    if kind == "multichoice":
        return "checkboxes"
    if kind == "boolean":
        return "checkbox"
    if kind in ("textarea", "admin_unit"):
        return kind
    return "input"


def _date_input_value(value: Any) -> str:
    """`<input type=date>` takes YYYY-MM-DD; a date typed as dd/mm/yyyy is shown that way."""
    day = parse_date(value)
    return day.isoformat() if day else (value if isinstance(value, str) else "")


def parse_date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    for layout in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value.strip(), layout).date()
        except ValueError:
            continue
    return None


# --- Page → answers ------------------------------------------------------------------------------


def parse_group(group: Mapping[str, Any], data: QueryDict) -> Any:
    """The raw answers of one group from a POST: a dict, or a list of dicts when it repeats."""
    key, bounds = group["key"], group.get("repeat")
    if not bounds:
        return _parse_instance(group, data, key)
    raw_count = data.get(f"{key}-{COUNT_SUFFIX}", "")
    count = int(raw_count) if raw_count.isdigit() and len(raw_count) < 4 else 0
    return [_parse_instance(group, data, f"{key}-{i}") for i in range(min(count, bounds["max"]))]


def _parse_instance(group: Mapping[str, Any], data: QueryDict, prefix: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for spec in group["fields"]:
        name, kind = f"{prefix}-{spec['key']}", spec["type"]
        if kind == "boolean":
            values[spec["key"]] = name in data
        elif kind == "multichoice":
            allowed = {choice[0] for choice in spec["choices"]}
            values[spec["key"]] = [v for v in data.getlist(name) if v in allowed]
        else:
            values[spec["key"]] = data.get(name, "")[:MAX_VALUE_CHARS]
    return values


def change_instances(group: Mapping[str, Any], items: list[Any], command: str) -> list[Any] | None:
    """Apply an add (`them:<group>`) or remove (`xoa:<group>:<n>`) button to a repeatable group's
    instances; None when `command` is not one for this group or not allowed by its min/max."""
    bounds = group.get("repeat")
    verb, _, rest = command.partition(":")
    target, _, index_text = rest.partition(":")
    if not bounds or target != group["key"]:
        return None
    if verb == "them" and len(items) < bounds["max"]:
        return [*items, {}]
    index = int(index_text) if index_text.isdigit() and len(index_text) < 4 else -1
    if verb == "xoa" and len(items) > bounds["min"] and 0 <= index < len(items):
        return items[:index] + items[index + 1 :]
    return None


# --- Visibility (the same rules as procedures.eform, on raw answers) ----------------------------


def holds(rule: Mapping[str, Any], value: Any) -> bool:
    if "equals" in rule:
        return value is not None and value == rule["equals"]
    if "in" in rule:
        return value is not None and value in rule["in"]
    return bool(value)


def _earlier_value(answers: Mapping[str, Any], target: str) -> Any:
    group_key, _, field_key = target.partition(".")
    earlier = answers.get(group_key)
    return earlier.get(field_key) if isinstance(earlier, Mapping) else None


def visible_specs(
    group: Mapping[str, Any], instance: Mapping[str, Any], answers: Mapping[str, Any]
) -> list[Mapping[str, Any]]:
    specs = {spec["key"]: spec for spec in group["fields"]}

    def visible(key: str, seen: frozenset[str]) -> bool:
        rule = specs[key].get("show_if")
        if rule is None:
            return True
        target = rule["field"]
        if "." in target:
            return holds(rule, _earlier_value(answers, target))
        if target in seen or target not in specs or not visible(target, seen | {key}):
            return holds(rule, None)
        return holds(rule, instance.get(target))

    return [spec for key, spec in specs.items() if visible(key, frozenset())]


# --- Answers → check page ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewRow:
    label: str
    value: str
    missing: bool = False


@dataclass(frozen=True)
class ReviewBlock:
    title: str
    rows: list[ReviewRow]


def review_blocks(
    group: Mapping[str, Any], raw: Any, answers: Mapping[str, Any]
) -> list[ReviewBlock]:
    """One block per instance: the visible fields' labels and values as a reader expects them."""
    title = group.get("title", group["key"])
    if group.get("repeat"):
        items = raw if isinstance(raw, list) else []
        return [
            ReviewBlock(f"{title} ({n})", _review_rows(group, item, answers))
            for n, item in enumerate(items, start=1)
            if isinstance(item, Mapping)
        ] or [ReviewBlock("", [ReviewRow(title, "Chưa khai", missing=True)])]
    instance = raw if isinstance(raw, Mapping) else {}
    return [ReviewBlock(title, _review_rows(group, instance, answers))]


def _review_rows(
    group: Mapping[str, Any], instance: Mapping[str, Any], answers: Mapping[str, Any]
) -> list[ReviewRow]:
    rows = []
    for spec in visible_specs(group, instance, answers):
        text = display_value(spec, instance.get(spec["key"]))
        label = spec.get("label", spec["key"])
        if text:
            rows.append(ReviewRow(label, text))
        else:
            required = bool(spec.get("required"))
            rows.append(ReviewRow(label, "Chưa nhập" if required else "—", missing=required))
    return rows


def display_value(spec: Mapping[str, Any], value: Any) -> str:
    kind = spec["type"]
    if kind == "boolean":
        return "Có" if value is True else "Không"
    if value is None or value == "" or value == []:
        return ""
    if kind in ("choice", "multichoice"):
        labels = dict(spec["choices"])
        values = value if isinstance(value, list) else [value]
        return ", ".join(str(labels.get(v, v)) for v in values)
    if kind == "date":
        day = parse_date(value)
        return f"{day:%d/%m/%Y}" if day else str(value)
    if kind == "admin_unit":
        unit = current_unit(str(value))
        return unit_label(unit) if unit else str(value)
    if kind == "money":
        return formatting.money(value) if str(value).isdigit() else str(value)
    return str(value)


# --- Administrative units ------------------------------------------------------------------------


def current_unit(code: str) -> AdministrativeUnit | None:
    return (
        AdministrativeUnit.objects.filter(code=code[:10], valid_to__isnull=True)
        .exclude(level=AdministrativeUnit.Level.DISTRICT)
        .select_related("parent")
        .first()
    )


def unit_label(unit: AdministrativeUnit) -> str:
    parent = unit.parent
    return f"{unit.name}, {parent.name}" if parent is not None else unit.name


def admin_unit_options() -> list[OptionGroup]:
    """The communes of the province(s) this install serves, one group per province, then every
    other province as a choice of its own (the field takes a province or a commune code). A
    database with no served province (tests, a fresh install) lists every current commune."""
    Level = AdministrativeUnit.Level
    current = AdministrativeUnit.objects.filter(valid_to__isnull=True)
    served = current.filter(level=Level.PROVINCE).filter(
        Q(agencies__is_active=True) | Q(children__agencies__is_active=True)
    )
    served_ids = set(served.values_list("pk", flat=True))
    communes = current.filter(level=Level.COMMUNE).select_related("parent")
    if served_ids:
        communes = communes.filter(parent_id__in=served_ids)
    groups: dict[str, list[Option]] = {}
    ordered = sorted(
        communes, key=lambda c: (fold(c.parent.name if c.parent else ""), fold(c.name))
    )
    for commune in ordered:
        province = commune.parent.name if commune.parent else "Khác"
        groups.setdefault(province, []).append(Option(commune.code, commune.name))
    result = [OptionGroup(name, options) for name, options in groups.items()]
    if served_ids:
        others = current.filter(level=Level.PROVINCE).exclude(pk__in=served_ids)
        options = [Option(p.code, p.name) for p in sorted(others, key=lambda p: fold(p.name))]
        result += [OptionGroup("Tỉnh, thành phố khác", options)] if options else []
    return result
