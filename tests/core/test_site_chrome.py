"""The site's frame an anonymous visitor sees is rendered once per process
(`{% anonymous_chrome %}`, issue #3 performance): the same bytes as rendering it, never kept for a
signed-in user, kept apart per script prefix, and refused around a `{% block %}`."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import constants
from django.contrib.messages.storage.fallback import FallbackStorage
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client, RequestFactory
from django.urls import clear_script_prefix, set_script_prefix

from chinhquyen.core.templatetags import site_urls
from tests.conftest import Personas

PAGE = "/tra-cuu-ho-so/"


@pytest.fixture(autouse=True)
def _fresh(settings: Any) -> Any:
    settings.DEBUG = False
    site_urls._chrome.clear()
    yield
    site_urls._chrome.clear()
    clear_script_prefix()


def _nav(html: str) -> str:
    return html[html.index('<header class="site-header"') : html.index("</header>")]


@pytest.mark.django_db
def test_anonymous_chrome_is_kept_and_equals_a_fresh_render(settings: Any) -> None:
    first = Client().get(PAGE).content.decode()
    assert {name for _, name, _ in site_urls._chrome} == {"head", "header", "footer", "portal-top"}
    kept = Client().get(PAGE).content.decode()
    settings.DEBUG = True  # nothing kept: rendered afresh
    fresh = Client().get(PAGE).content.decode()
    assert first == kept == fresh
    assert "Đăng nhập cán bộ" in _nav(kept) and "Đăng xuất" not in _nav(kept)


@pytest.mark.django_db
def test_signed_in_user_never_gets_the_anonymous_header(personas: Personas) -> None:
    Client().get(PAGE)  # the anonymous header is now kept
    client = Client()
    client.force_login(personas.citizen)
    nav = _nav(client.get(PAGE).content.decode())
    assert "Đăng xuất" in nav and "Hồ sơ của tôi" in nav and "Đăng nhập cán bộ" not in nav
    assert "csrfmiddlewaretoken" in nav
    assert "Đăng xuất" not in _nav(Client().get(PAGE).content.decode())


@pytest.mark.django_db
def test_messages_of_an_anonymous_visitor_are_still_shown() -> None:
    Client().get(PAGE)
    template = Template("{% extends 'base.html' %}")
    request = RequestFactory().get(PAGE)
    request.session = {}  # type: ignore[assignment]
    request.user = AnonymousUser()
    messages = FallbackStorage(request)
    messages.add(constants.SUCCESS, "Đã đăng xuất.")
    html = template.render(Context({"user": request.user, "messages": messages}))
    assert "Đã đăng xuất." in html


def test_kept_per_script_prefix() -> None:
    template = Template(
        '{% load site_urls %}{% anonymous_chrome "t" %}{% page_url "core:home" %}'
        "{% endanonymous_chrome %}"
    )
    context = {"user": AnonymousUser()}
    assert template.render(Context(context)) == "/"
    set_script_prefix("/tinh/")
    assert template.render(Context(context)) == "/tinh/"


def test_a_block_inside_is_refused() -> None:
    with pytest.raises(TemplateSyntaxError):
        Template(
            '{% load site_urls %}{% anonymous_chrome "x" %}{% block a %}{% endblock %}'
            "{% endanonymous_chrome %}"
        )


@pytest.mark.parametrize("tag", ["{% anonymous_chrome %}", "{% anonymous_chrome header %}"])
def test_the_name_is_required_in_quotes(tag: str) -> None:
    with pytest.raises(TemplateSyntaxError):
        Template("{% load site_urls %}" + tag + "{% endanonymous_chrome %}")


def test_what_is_kept_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(site_urls, "CHROME_KEPT_MAX", 2)
    template = Template(
        '{% load site_urls %}{% anonymous_chrome "t" %}{% page_url "core:home" %}'
        "{% endanonymous_chrome %}"
    )
    for prefix in ("/a/", "/b/", "/c/", "/d/"):
        set_script_prefix(prefix)
        assert template.render(Context({"user": AnonymousUser()})) == prefix
    assert len(site_urls._chrome) == 2


def test_without_an_anonymous_user_nothing_is_kept() -> None:
    template = Template('{% load site_urls %}{% anonymous_chrome "t" %}x{% endanonymous_chrome %}')
    for context in ({}, {"user": 7}, {"user": "ẩn danh"}):
        assert template.render(Context(context)) == "x"
    assert site_urls._chrome == {}
