"""The part of WeasyPrint's user-agent stylesheet (html5_ua.css) that the forms' templates can use.

WeasyPrint matches every element against every rule of its user-agent stylesheet, and computes a
style for the pseudo-elements those rules name (footnote calls and markers, note calls…) on every
element: about a tenth of a Mẫu 01's CPU time (issue #5: ≥ 20 PDFs/s). The forms use a handful of
elements and attributes, so the rules that can apply to them are kept word for word, and the
others dropped: a rule whose subject is an element the forms never write, or that needs an
attribute they never write, or a footnote or note pseudo-element (the forms have no `float:
footnote`). `::marker` is kept for list items only, the one element that has a marker.
tests/dossiers/forms/test_user_agent.py renders every form with the whole stylesheet and with this
part and requires the same PDF: a template that starts using another element fails it."""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files
from itertools import pairwise
from typing import Any

import tinycss2
from weasyprint import CSS, HTML

# What the templates under dossiers/forms/ write (and what the UA stylesheet adds no rule for is
# harmless to list).
FORM_ELEMENTS = frozenset(
    {"html", "head", "meta", "title", "style", "body", "div", "p", "span", "b", "i", "br", "h1",
     "a", "img", "ol", "li", "table", "colgroup", "col", "thead", "tbody", "tr", "th", "td"}
)  # fmt: skip
FORM_ATTRIBUTES = frozenset({"href", "src", "alt", "class", "style", "lang", "charset"})
_SUBJECT_TAG = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_ATTRIBUTE = re.compile(r"\[\s*([a-zA-Z-]+)")
_UNUSED_PSEUDO = ("::footnote", "::note")


def _top_level(text: str, separators: str) -> list[int]:
    """Where `separators` occur outside brackets and parentheses."""
    depth, found = 0, []
    for index, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif depth == 0 and char in separators:
            found.append(index)
    return found


def _selectors(prelude: str) -> list[str]:
    cuts = [-1, *_top_level(prelude, ","), len(prelude)]
    return [prelude[a + 1 : b].strip() for a, b in pairwise(cuts)]


def _may_apply(selector: str) -> bool:
    """False only when the selector cannot match anything the forms write."""
    combinators = _top_level(selector, " >+~")
    subject = selector[combinators[-1] + 1 :] if combinators else selector
    tag = _SUBJECT_TAG.match(subject.strip())
    if tag and tag.group().lower() not in FORM_ELEMENTS:
        return False
    attributes = {name.lower() for name in _ATTRIBUTE.findall(selector)}
    return attributes <= FORM_ATTRIBUTES and not any(p in selector for p in _UNUSED_PSEUDO)


def forms_user_agent_css(text: str) -> str:
    """`text` (a user-agent stylesheet) without the rules that cannot apply to the forms."""
    kept = []
    for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
        if rule.type == "at-rule":  # @page and its margin boxes, @counter-style…
            kept.append(rule.serialize())
        elif rule.type == "qualified-rule":
            selectors = [s for s in _selectors(tinycss2.serialize(rule.prelude)) if _may_apply(s)]
            selectors = ["li::marker" if s == "::marker" else s for s in selectors]
            if selectors:
                kept.append(f"{', '.join(selectors)} {{{tinycss2.serialize(rule.content)}}}")
    return "\n".join(kept)


@cache
def _forms_user_agent() -> CSS:
    """Parsed once per process; like WeasyPrint's own, it is only read while rendering."""
    text = (files("weasyprint.css") / "html5_ua.css").read_text(encoding="utf-8")
    return CSS(string=forms_user_agent_css(text))


class FormHTML(HTML):
    """A form's HTML, styled by the forms' part of the user-agent stylesheet. (WeasyPrint reads
    it from `_ua_stylesheets`; should a later version rename that, the whole stylesheet is used
    again: the same PDF, only slower.)"""

    def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
        return [_forms_user_agent()]
