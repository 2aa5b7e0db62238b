"""Every online service within three clicks of the home page: two from the catalogue home (which
the home page links to), found by following the rendered links like a citizen would."""

from __future__ import annotations

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from chinhquyen.procedures.models import OnlineLevel
from chinhquyen.procedures.search import versions_in_force
from tests.portal.catalogue import field, version
from tests.portal.conftest import Catalogue

pytestmark = pytest.mark.django_db

START = "/dich-vu-cong/"
MAX_CLICKS = 2


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def reachable(client: Client, start: str, depth: int) -> dict[str, int]:
    """Local pages reachable from `start` in at most `depth` clicks, with their distance."""
    seen = {start: 0}
    queue = deque([start])
    while queue:
        path = queue.popleft()
        if seen[path] == depth:
            continue
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = _Links()
        parser.feed(response.content.decode())
        for href in parser.hrefs:
            target = urlsplit(urldefrag(urljoin(path, href)).url)
            local = target.path + (f"?{target.query}" if target.query else "")
            if target.netloc or not local.startswith("/") or local in seen:
                continue
            seen[local] = seen[path] + 1
            queue.append(local)
    return seen


def test_every_online_service_is_two_clicks_from_the_catalogue(catalogue: Catalogue) -> None:
    # More procedures than one page of search results holds, in one field.
    land = field("DD", "Đất đai")
    for n in range(45):
        version(f"Đăng ký biến động đất đai loại {n:02d}", field_of=land, online_level="partial")
    online = versions_in_force(timezone.localdate()).filter(
        online_level__in=[OnlineLevel.FULL, OnlineLevel.PARTIAL]
    )
    expected = {f"/dich-vu-cong/thu-tuc/{v.procedure.national_code}/" for v in online}
    assert len(expected) == 47

    found = reachable(Client(), START, MAX_CLICKS)

    assert expected - found.keys() == set()
    assert f"/dich-vu-cong/thu-tuc/{catalogue.draft.procedure.national_code}/" not in found
