"""Rendering message templates: Django's template language reduced to `{{ placeholder }}` and a
few harmless filters. No tags (no `{% include %}`, `{% load %}`, `{% url %}`), no dotted
lookups, autoescape off (the output is plain text), and only the context the caller gives; a
placeholder without a value is an error, never an empty string in a message to a citizen."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import FilterExpression, Node, TextNode, VariableNode

from chinhquyen.core.errors import DomainError

ALLOWED_FILTERS = frozenset(
    {"date", "time", "default", "upper", "lower", "capfirst", "title", "floatformat", "join"}
)

# No loaders (no file access), no extra libraries, text output.
_ENGINE = Engine(autoescape=False, loaders=[], libraries={}, debug=False)


def _parse(text: str) -> list[Node]:
    try:
        return list(_ENGINE.from_string(text).nodelist)
    except TemplateSyntaxError as exc:
        raise DomainError(f"Mẫu thông báo sai cú pháp: {exc}", code="template_syntax") from None


def _use(expression: FilterExpression) -> tuple[str, set[str]]:
    """The placeholder name and the filters applied to it."""
    var = expression.var
    name = getattr(var, "var", None)
    if not isinstance(name, str) or getattr(var, "literal", None) is not None:
        raise DomainError(
            f"Mẫu thông báo chỉ được dùng biến dạng {{{{ ten_bien }}}} (gặp “{expression.token}”).",
            code="template_forbidden",
        )
    if "." in name or name.startswith("_"):
        raise DomainError(
            f"Biến “{name}” không hợp lệ: chỉ dùng tên biến đơn, không truy cập thuộc tính.",
            code="template_forbidden",
        )
    for function, args in expression.filters:
        if function.__name__ not in ALLOWED_FILTERS or any(lookup for lookup, _ in args):
            raise DomainError(
                f"Bộ lọc “{function.__name__}” không được phép trong mẫu thông báo "
                "(chỉ dùng các bộ lọc cho phép, với tham số là hằng).",
                code="template_forbidden",
            )
    return name, {function.__name__ for function, _ in expression.filters}


def _uses(text: str) -> list[tuple[str, set[str]]]:
    uses = []
    for node in _parse(text):
        if isinstance(node, TextNode):
            if "{{" in node.s or "{%" in node.s:
                raise DomainError(
                    "Mẫu thông báo có dấu {{ hoặc {% chưa đóng.", code="template_syntax"
                )
            continue
        if not isinstance(node, VariableNode):
            raise DomainError(
                "Mẫu thông báo không được dùng thẻ {% … %}; chỉ dùng biến {{ ten_bien }}.",
                code="template_forbidden",
            )
        uses.append(_use(node.filter_expression))
    return uses


def placeholders_in(text: str) -> list[str]:
    """The placeholder names a template text uses, in order of first use. Refuses anything
    beyond plain text and `{{ name|allowed_filter }}`."""
    names: list[str] = []
    for name, _filters in _uses(text):
        if name not in names:
            names.append(name)
    return names


def check_placeholders(texts: Iterable[str], declared: Iterable[str]) -> list[str]:
    """Raise when a text uses a placeholder that is not declared; return the ones used."""
    allowed = set(declared)
    used: list[str] = []
    for text in texts:
        used += [name for name in placeholders_in(text) if name not in used]
    undeclared = [name for name in used if name not in allowed]
    if undeclared:
        raise DomainError(
            "Mẫu dùng biến chưa khai báo: " + ", ".join(undeclared) + ".",
            code="template_undeclared",
        )
    return used


def render_text(text: str, context: Mapping[str, Any]) -> str:
    """Render one template text with exactly `context`; a missing placeholder is an error."""
    uses = _uses(text)
    required = {name for name, filters in uses if "default" not in filters}
    missing = sorted(name for name in required if context.get(name) in (None, ""))
    if missing:
        raise DomainError(
            "Thiếu giá trị cho biến của mẫu thông báo: " + ", ".join(missing) + ".",
            code="template_missing_value",
        )
    # `|date` on a string renders nothing: refuse it instead of sending an empty date.
    not_dates = sorted(
        {
            name
            for name, filters in uses
            if filters & {"date", "time"}
            and name in context
            and not isinstance(context[name], date | datetime)
        }
    )
    if not_dates:
        raise DomainError(
            "Biến ngày tháng phải là kiểu ngày (date/datetime): " + ", ".join(not_dates) + ".",
            code="template_not_a_date",
        )
    try:
        return _ENGINE.from_string(text).render(Context(dict(context), autoescape=False))
    except (TypeError, ValueError) as exc:  # e.g. a time format applied to a date
        raise DomainError(f"Không điền được mẫu thông báo: {exc}", code="template_render") from None
