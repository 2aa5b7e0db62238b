"""Decree 30/2020 App. I appearances, checked from the widget rectangles and a rendered page."""

# ruff: noqa: F811 - pytest fixtures imported from tests.signing.servers

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader

from chinhquyen.signing import appearance
from chinhquyen.signing.actions import do_sign_document
from chinhquyen.signing.appearance import Box, TextStampPlacement
from chinhquyen.signing.models import SignatureImage
from chinhquyen.signing.pades import signature_widget_boxes
from tests.signing.pdfs import PAGE_HEIGHT, PAGE_WIDTH, SIGNATURE_BLOCK
from tests.signing.servers import fresh_code, signing_world  # noqa: F401 - fixtures
from tests.signing.test_signing_pades import sign_pair

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
    reason="poppler-utils missing",
)
DPI = 72  # one pixel per point, so PDF boxes map straight onto pixels


@pytest.fixture
def signed_pair(signing_world: Any, sample_pdf: bytes) -> bytes:
    return sign_pair(signing_world, sample_pdf)


def _seal_spec() -> appearance.ImageSpec:
    row = SignatureImage.objects.get(kind="seal")
    return appearance.ImageSpec(bytes(row.png), row.width_mm, row.height_mm)


def test_signing_widgets_sit_where_the_rules_put_them(signed_pair: bytes) -> None:
    person, seal = signature_widget_boxes(signed_pair)
    block = SIGNATURE_BLOCK
    # The signature image lies between the name line and the title line, centred on the block.
    assert block.name_baseline_y + block.font_size - 1 <= person.y1
    assert person.y2 <= block.title_baseline_y
    assert abs((person.x1 + person.x2) / 2 - block.centre_x) <= 1
    middle = (block.title_baseline_y + block.name_baseline_y + 0.75 * block.font_size) / 2
    assert abs((person.y1 + person.y2) / 2 - middle) <= 3
    # The seal is at its actual size and overlaps about the left third of the signature.
    spec = _seal_spec()
    assert abs(seal.width - spec.width_pt) <= 1 and abs(seal.height - spec.height_pt) <= 1
    assert abs(seal.x2 - (person.x1 + person.width / 3)) <= 1
    assert seal.x1 < person.x1
    assert abs((seal.y1 + seal.y2) / 2 - (person.y1 + person.y2) / 2) <= 1


def _render_page_one(pdf: bytes, tmp_path: Path) -> Image.Image:
    path = tmp_path / "signed.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-f", "1", "-l", "1", "-r", str(DPI), "-png", str(path), str(tmp_path / "p")],
        check=True,
        timeout=60,
    )
    return Image.open(next(tmp_path.glob("p*.png"))).convert("RGB")


def _pixels(image: Image.Image, box: Box) -> list[tuple[int, int, int]]:
    top = PAGE_HEIGHT - box.y2  # image rows run downwards
    crop = image.crop((round(box.x1), round(top), round(box.x2), round(top + box.height)))
    return list(crop.get_flattened_data())  # type: ignore[arg-type]


def _blue(pixel: tuple[int, int, int]) -> bool:
    r, g, b = pixel
    return b > 120 and b > r + 60 and b > g + 40


def _red(pixel: tuple[int, int, int]) -> bool:
    r, g, b = pixel
    return r > 150 and r > g + 80 and r > b + 80


@needs_poppler
def test_signing_rendered_page_shows_blue_signature_and_red_seal(
    signed_pair: bytes, tmp_path: Path
) -> None:
    image = _render_page_one(signed_pair, tmp_path)
    assert image.size == (PAGE_WIDTH, PAGE_HEIGHT)
    person, seal = signature_widget_boxes(signed_pair)
    right_two_thirds = Box(seal.x2 + 1, person.y1, person.x2, person.y2)
    assert sum(map(_blue, _pixels(image, right_two_thirds))) > 100
    assert sum(map(_red, _pixels(image, seal))) > 500
    assert not any(map(_red, _pixels(image, right_two_thirds)))
    # The seal covers part of the signature box: its left third, not beyond.
    overlap = Box(person.x1, person.y1, seal.x2, person.y2)
    assert sum(map(_red, _pixels(image, overlap))) > 50


@needs_poppler
def test_signing_text_stamp_on_attachment(
    signing_world: Any, sample_pdf: bytes, tmp_path: Path
) -> None:
    clerk = signing_world.personas.clerk_a
    signed_at = datetime.now(tz=appearance.VIETNAM)
    lines = appearance.attachment_stamp_lines("12/QĐ-UBND", signed_at)
    # An attachment in its own file: the organisation signs alone (no person signature first).
    signed = do_sign_document(
        sample_pdf,
        certificate=signing_world.organisation_certificate,
        acting_user=clerk,
        second_factor_code=fresh_code(clerk),
        placement=TextStampPlacement(lines),
        level="B-B",
    )
    (box,) = signature_widget_boxes(signed)
    margin = appearance.STAMP_MARGIN
    assert abs(box.x2 - (PAGE_WIDTH - margin)) <= 1 and abs(box.y2 - (PAGE_HEIGHT - margin)) <= 1
    assert box.y1 > PAGE_HEIGHT / 2 and box.x1 > PAGE_WIDTH / 2
    path = tmp_path / "stamp.pdf"
    path.write_bytes(signed)
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert "Số: 12/QĐ-UBND" in text
    assert re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00", text), text
    assert appearance.iso_vietnam_time(signed_at) in text
    _assert_stamp_font(signed)
    # Nothing is clipped: the last line (the time) is drawn inside the widget's lower part.
    image = _render_page_one(signed, tmp_path)
    lower = Box(box.x1, box.y1, box.x2, box.y1 + box.height / 3)
    assert sum(1 for r, g, b in _pixels(image, lower) if r + g + b < 300) > 30


def _assert_stamp_font(pdf: bytes) -> None:
    """10 pt, black, in an embedded serif TrueType font (Times New Roman metrics)."""
    reader = PdfFileReader(io.BytesIO(pdf))
    (signature,) = reader.embedded_signatures
    stream = signature.sig_field["/AP"]["/N"]
    fonts: list[str] = []

    def collect(xobject: Any) -> None:
        resources = xobject.get("/Resources", {})
        fonts.extend(str(f.get_object()["/BaseFont"]) for f in resources.get("/Font", {}).values())
        for inner in resources.get("/XObject", {}).values():
            collect(inner.get_object())

    collect(stream)
    assert any("LiberationSerif" in name or "DejaVuSerif" in name for name in fonts), fonts
    assert b" 10 Tf" in _all_content(stream)


def _all_content(xobject: Any) -> bytes:
    data = xobject.data
    for inner in xobject.get("/Resources", {}).get("/XObject", {}).values():
        data += _all_content(inner.get_object())
    return bytes(data)


def test_signing_iso_time_uses_vietnam_offset() -> None:
    from datetime import UTC

    moment = datetime(2026, 11, 23, 7, 30, 12, 456, tzinfo=UTC)
    assert appearance.iso_vietnam_time(moment) == "2026-11-23T14:30:12+07:00"
