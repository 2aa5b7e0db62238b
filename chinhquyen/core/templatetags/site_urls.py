"""`{% page_url "core:home" %}` and `{% asset "core/site.css" %}`: `{% url %}` and `{% static %}`
for what every page prints the same way (the navigation, the style sheets), remembered per
process. A `{% url %}` costs a resolver walk each time; the site's chrome has ten of them, a third
of the cost of rendering the public tracking page (docs/benchmarks.md). Only for URL names
without arguments; the key includes the script prefix, so a site served under a sub-path works."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.conf import settings
from django.template.loader_tags import BlockNode
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


# --- The chrome an anonymous visitor sees, rendered once per process ----------------------------
#
# `{% anonymous_chrome "header" %}…{% endanonymous_chrome %}` around a part of the site's frame
# (the header with its navigation, the footer, the style sheets) that, for a visitor who is not
# signed in, is the same on every page: it is rendered once per process and then copied. That
# was a third of the CPU of the public tracking page, the busiest one (docs/benchmarks.md, issue
# #3). Signed-in users (their name, the sign-out form with its CSRF token) get it rendered every
# time. The key is the template, the part's name and the script prefix (a site under a
# sub-path); with DEBUG on nothing is kept, so an edited template shows at once. The part must
# not print anything that depends on the request other than the user being anonymous.

_chrome: dict[tuple[str, str, str], str] = {}
CHROME_KEPT_MAX = 256


class AnonymousChromeNode(template.Node):
    # Not walked for `{% block %}`s: a template that extends another looks for its blocks through
    # the whole parent on every render, and the header is the largest part of it. A block inside
    # a part could therefore not be overridden; none is (the tag refuses one, below).
    child_nodelists = ()

    def __init__(self, name: str, nodelist: template.NodeList) -> None:
        self.name = name
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        user = context.get("user")
        # Kept only for a known anonymous user; no user (a template rendered without a
        # request) or anything else under that name is rendered as usual.
        if settings.DEBUG or user is None or getattr(user, "is_authenticated", True):
            return self.nodelist.render(context)
        key = (self.origin.name, self.name, get_script_prefix())
        kept = _chrome.get(key)
        if kept is None:
            kept = self.nodelist.render(context)
            if len(_chrome) < CHROME_KEPT_MAX:  # bounded, as the script prefix comes from outside
                _chrome[key] = kept
        return kept


@register.tag
def anonymous_chrome(
    parser: template.base.Parser, token: template.base.Token
) -> AnonymousChromeNode:
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError(
            '{% anonymous_chrome "name" %} takes the name of the part, in quotes.'
        )
    nodelist = parser.parse(("endanonymous_chrome",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(BlockNode):
        raise template.TemplateSyntaxError(
            "{% anonymous_chrome %} cannot hold a {% block %}: it is the same on every page."
        )
    return AnonymousChromeNode(bits[1][1:-1], nodelist)
