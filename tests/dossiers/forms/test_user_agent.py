"""The forms are laid out with part of WeasyPrint's user-agent stylesheet (`forms.user_agent`,
issue #5: ≥ 20 PDFs/s): every form must come out the same as with the whole stylesheet."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from weasyprint import HTML

from chinhquyen.dossiers.forms import context as build
from chinhquyen.dossiers.forms.render import render_form_html, write_form_pdf
from chinhquyen.dossiers.forms.user_agent import FormHTML, forms_user_agent_css
from chinhquyen.dossiers.models import Dossier, Status

from .conftest import RECEIVED

# What differs between two writes of one document: the time it was written and the file's id.
_WRITTEN = re.compile(rb"/(CreationDate|ModDate) \([^)]*\)|/ID \[[^\]]*\]")


def _contexts(dossier: Dossier) -> dict[str, dict[str, Any]]:
    later = RECEIVED + timedelta(days=30)
    return {
        "01": build.receipt_context(dossier),
        "02": build.supplement_request_context(
            dossier, missing_items=["Bản sao giấy chứng sinh"], reason="Thiếu giấy tờ",
            officer_name="Phạm Văn Tiếp", contact_phone="0912000111", at=RECEIVED,
        ),
        "03": build.refusal_context(dossier, reasons=["Không thuộc thẩm quyền"], at=RECEIVED),
        "04": build.apology_context(
            dossier, reason="Chậm xác minh", new_due_at=later, head_name="Trần Quốc Trưởng",
            at=RECEIVED,
        ),
        "05": build.control_sheet_context(dossier, at=RECEIVED),
        "06": build.register_context(dossier.receiving_agency, RECEIVED.year, at=RECEIVED),
    }  # fmt: skip


def test_every_form_is_the_same_with_the_forms_part_of_the_stylesheet(accepted: Dossier) -> None:
    for number, context in _contexts(accepted).items():
        html = render_form_html(context["edition"], context)
        whole = _WRITTEN.sub(b"", write_form_pdf(html, HTML))
        part = _WRITTEN.sub(b"", write_form_pdf(html, FormHTML))
        assert part == whole, f"Mẫu {number} differs"


def test_the_stop_notice_is_the_same_with_the_forms_part_of_the_stylesheet(
    accepted: Dossier,
) -> None:
    accepted.status = Status.STOPPED  # in memory: the notice reads the status only
    context = build.stop_notice_context(
        accepted, reason="Công dân xin dừng", stopped_at=RECEIVED + timedelta(days=1),
        officer_name="Lê Thị Hướng",
    )  # fmt: skip
    html = render_form_html(context["edition"], context)
    whole = _WRITTEN.sub(b"", write_form_pdf(html, HTML))
    assert _WRITTEN.sub(b"", write_form_pdf(html, FormHTML)) == whole


def test_a_template_using_another_element_would_be_told() -> None:
    """The check above can fail: an element the part drops is laid out differently."""
    html = "<html><body><p>Đoạn văn</p><ul><li>Một</li><li>Hai</li></ul></body></html>"
    with pytest.raises(AssertionError):
        assert write_form_pdf(html, HTML) == write_form_pdf(html, FormHTML)


def test_rules_that_cannot_apply_are_dropped_and_the_others_kept_word_for_word() -> None:
    css = (
        "p, input[type=text i] { margin: 1em }\n"
        "input, button { border: 1px solid }\n"
        "[dir=rtl i] :is(ol, ul) { padding-right: 40px }\n"
        "li::footnote-call { content: counter(footnote) }\n"
        "::marker { white-space: pre }\n"
        "a[href] { color: blue }\n"
        "@page { @top-left { text-align: left } }"
    )
    kept = forms_user_agent_css(css)
    assert "p {" in kept and "input" not in kept and "button" not in kept
    assert "dir=" not in kept and "footnote" not in kept
    assert "li::marker { white-space: pre }" in kept and "a[href] { color: blue }" in kept
    assert "@top-left" in kept
