"""`{% page_url "core:home" %}` and `{% asset "core/site.css" %}`: `{% url %}` and `{% static %}`
for what every page prints the same way (the navigation, the style sheets), remembered per
process. A `{% url %}` costs a resolver walk each time; the site's chrome has ten of them, a third
of the cost of rendering the public tracking page (docs/benchmarks.md). Only for URL names
without arguments; the key includes the script prefix, so a site served under a sub-path works."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse

register = template.Library()


@lru_cache(maxsize=256)
def _reverse(prefix: str, name: str) -> str:
    return reverse(name)


@lru_cache(maxsize=256)
def _static(path: str) -> str:
    return static(path)


@register.simple_tag
def page_url(name: str) -> str:
    return _reverse(get_script_prefix(), name)


@register.simple_tag
def asset(path: str) -> str:
    return _static(path)
