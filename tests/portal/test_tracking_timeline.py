"""The found dossier's timeline, built in the view for speed (issue #3 performance): every value
escaped as the template escaped it, the steps in order, nothing for a dossier without steps."""

from __future__ import annotations

from datetime import UTC, datetime

from chinhquyen.dossiers.queries import PublicStep
from chinhquyen.portal.tracking_views import _timeline


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
