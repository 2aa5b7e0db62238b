"""The found dossier's page, trimmed for speed (issue #3 performance): the timeline built in the
view escapes every value, keeps the order, is empty without steps; the written-out lookup form is
the markup Django renders."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.test import Client

from chinhquyen.dossiers.models import Dossier
from chinhquyen.dossiers.queries import PublicStep
from chinhquyen.notifications.defaults import load_default_templates
from chinhquyen.portal.tracking_views import _timeline
from tests import dossier_helpers as h
from tests.conftest import Personas, Province

URL = "/tra-cuu-ho-so/"


@pytest.fixture
def dossier(province: Province, personas: Personas) -> Dossier:
    load_default_templates()
    return h.submitted_dossier(personas.citizen, h.publish_procedure(province.agency_a))


def test_values_are_escaped_and_in_order() -> None:
    steps = (
        PublicStep(at=datetime(2026, 11, 2, 1, 30, tzinfo=UTC), label="Nộp <hồ sơ>", agency="A&B"),
        PublicStep(
            at=datetime(2026, 11, 3, 9, 5, tzinfo=UTC),
            label="Tiếp nhận hồ sơ",
            agency='UBND "xã" <script>alert(1)</script>',
        ),
    )
    html = _timeline(steps)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Nộp &lt;hồ sơ&gt;" in html and "A&amp;B" in html and "&quot;xã&quot;" in html
    first, second = html.split("\n")
    assert first == (
        '<li><time datetime="2026-11-02T01:30:00+00:00">02/11/2026 08:30</time> — '
        '<strong>Nộp &lt;hồ sơ&gt;</strong><br><span class="muted">A&amp;B</span></li>'
    )
    assert second.startswith('<li><time datetime="2026-11-03T09:05:00+00:00">03/11/2026 16:05')


def test_no_steps_no_items() -> None:
    assert _timeline(()) == ""


def _form(html: str) -> str:
    form = html[html.index('<form method="get"') : html.index("</form>") + len("</form>")]
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", form))


@pytest.mark.django_db
def test_the_written_out_lookup_form_is_the_rendered_one(dossier: Dossier) -> None:
    """Under a found dossier the lookup form is written out in lookup.html (for speed); it
    must stay the markup Django renders for LookupForm (the QR-code page, same code prefilled)."""
    found = Client().get(URL, {"ma": dossier.code, "kiem_tra": h.PHONE[-4:]}).content.decode()
    assert "Mới đăng ký" in found
    prefilled = Client().get(URL, {"ma": dossier.code}).content.decode()
    assert _form(found) == _form(prefilled)
