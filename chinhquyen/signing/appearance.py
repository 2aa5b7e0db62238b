"""Where and how signatures show on the page: Decree 30/2020 Appendix I (documents.md §1.8).

- the person's signature image (blue, transparent PNG), centred between the title line and the
  signer's name (box 7c);
- the organisation's seal (red, transparent PNG) at its actual size, overlapping about the left
  third of the person's signature image (box 8);
- for attachments in separate files and electronic copies, a text-only organisation signature at
  the top right of page 1: number and notation (or copy form and agency) and the signing time in
  ISO 8601 with the Vietnam offset, Times New Roman regular 10 pt, black.

Coordinates are PDF points (1/72 in), origin at the bottom left of the page."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PIL import Image, ImageFont
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.stamp import BaseStampStyle, StaticStampStyle, TextStampStyle

from chinhquyen.core.errors import DomainError

POINTS_PER_MM = 72 / 25.4
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
STAMP_FONT_SIZE = 10  # Decree 30/2020 App. I: size 10
STAMP_MARGIN = 10 * POINTS_PER_MM  # from the top and right edges of page 1
STAMP_PADDING = 2.0
# Times New Roman cannot be shipped; Liberation Serif has the same metrics and carries the
# Vietnamese diacritics that the standard Times-Roman font lacks. DejaVu Serif is a fallback.
# Liberation Serif 1.x (Debian fonts-liberation) lacks letters such as "ở", so it is not listed.
STAMP_FONTS = (
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",  # fonts-liberation2
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",  # fonts-dejavu-core
)


@dataclass(frozen=True)
class Box:
    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def width(self) -> float:
        return self.x2 - self.x1

    @property
    def height(self) -> float:
        return self.y2 - self.y1

    def as_tuple(self) -> tuple[int, int, int, int]:
        return (round(self.x1), round(self.y1), round(self.x2), round(self.y2))


@dataclass(frozen=True)
class BlockPlacement:
    """The signature block of the main document: the title line and the name (baselines)."""

    centre_x: float
    title_baseline_y: float
    name_baseline_y: float
    font_size: float = 13
    page: int = 0  # 0-based


@dataclass(frozen=True)
class TextStampPlacement:
    """A text-only organisation signature (attachments, electronic copies) on page 1."""

    lines: tuple[str, ...]
    page_width: float = 595
    page_height: float = 842


@dataclass(frozen=True)
class ImageSpec:
    png: bytes
    width_mm: Decimal | float
    height_mm: Decimal | float

    @property
    def width_pt(self) -> float:
        return float(self.width_mm) * POINTS_PER_MM

    @property
    def height_pt(self) -> float:
        return float(self.height_mm) * POINTS_PER_MM


@dataclass(frozen=True)
class Appearance:
    page: int
    box: Box
    style: BaseStampStyle
    text_params: dict[str, str] = field(default_factory=dict)


def signature_box(placement: BlockPlacement, image: ImageSpec) -> Box:
    """The person's image, centred in the band between the name (plus its cap height) and the
    title line (less its descenders), scaled down to fit the band when it is taller."""
    bottom = placement.name_baseline_y + placement.font_size
    top = placement.title_baseline_y - 0.25 * placement.font_size
    if top <= bottom:
        raise DomainError("Không đủ chỗ đặt hình chữ ký giữa chức danh và họ tên.", code="layout")
    scale = min(1.0, (top - bottom) / image.height_pt)
    width, height = image.width_pt * scale, image.height_pt * scale
    middle = (top + bottom) / 2
    x1 = placement.centre_x - width / 2
    return Box(x1, middle - height / 2, x1 + width, middle + height / 2)


def seal_box(signature: Box, seal: ImageSpec) -> Box:
    """The seal at its actual size, its right edge one third into the signature image from the
    left, vertically centred on it (App. I, box 8: overlaps about 1/3 on the left)."""
    right = signature.x1 + signature.width / 3
    middle = (signature.y1 + signature.y2) / 2
    return Box(
        right - seal.width_pt,
        middle - seal.height_pt / 2,
        right,
        middle + seal.height_pt / 2,
    )


@lru_cache(maxsize=1)
def stamp_font_path() -> str:
    for candidate in STAMP_FONTS:
        if Path(candidate).is_file():
            return candidate
    raise DomainError(
        "Thiếu phông chữ có dấu tiếng Việt (cài gói fonts-liberation2).", code="font_missing"
    )


@lru_cache(maxsize=1)
def _stamp_font_bytes() -> bytes:
    """The stamp font rescaled to 1000 units per em. pyHanko 0.38 writes glyph widths and TJ
    adjustments in font units, which PDF reads as thousandths of an em: with a 2048-unit font
    (Liberation, DejaVu) the letters would spread apart. Done once per process."""
    from fontTools import ttLib
    from fontTools.ttLib.scaleUpem import scale_upem

    font = ttLib.TTFont(stamp_font_path())
    if font["head"].unitsPerEm != 1000:
        scale_upem(font, 1000)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class _StampFontFactory(GlyphAccumulatorFactory):
    """Like pyHanko's factory, but reads the rescaled font from memory."""

    def create_font_engine(
        self, writer: BasePdfFileWriter, obj_stream: Any = None
    ) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
            obj_stream = writer.prepare_object_stream()
        return GlyphAccumulator(
            writer=writer,
            font_handle=io.BytesIO(_stamp_font_bytes()),
            font_size=self.font_size,
            obj_stream=obj_stream,
        )


def text_stamp_box(placement: TextStampPlacement) -> Box:
    font = ImageFont.truetype(stamp_font_path(), size=STAMP_FONT_SIZE)
    width = max(font.getlength(line) for line in placement.lines) + 2 * STAMP_PADDING + 2
    height = len(placement.lines) * STAMP_FONT_SIZE * 1.2 + 2 * STAMP_PADDING + 2
    x2 = placement.page_width - STAMP_MARGIN
    y2 = placement.page_height - STAMP_MARGIN
    return Box(x2 - width, y2 - height, x2, y2)


def iso_vietnam_time(moment: datetime) -> str:
    """2026-11-23T14:30:12+07:00 (App. I: date, h:m:s, Vietnam time zone, ISO 8601)."""
    return moment.astimezone(VIETNAM).replace(microsecond=0).isoformat()


def attachment_stamp_lines(number_notation: str, signed_at: datetime) -> tuple[str, ...]:
    """App. I, attachments in separate files: the main document's number and notation."""
    return (f"Số: {number_notation}", f"Thời gian ký: {iso_vietnam_time(signed_at)}")


def copy_stamp_lines(copy_form: str, agency_name: str, signed_at: datetime) -> tuple[str, ...]:
    """App. I, box 14: copy form (SAO Y / SAO LỤC / TRÍCH SAO), copying agency, signing time."""
    return (copy_form, agency_name, f"Thời gian ký: {iso_vietnam_time(signed_at)}")


def _image_style(image: ImageSpec) -> StaticStampStyle:
    picture = Image.open(io.BytesIO(image.png))
    picture.load()
    return StaticStampStyle(
        background=PdfImage(picture.convert("RGBA")),
        background_opacity=1.0,
        border_width=0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(0),
            inner_content_scaling=layout.InnerScaling.STRETCH_TO_FIT,
        ),
    )


def person_appearance(placement: BlockPlacement, signature: ImageSpec) -> Appearance:
    return Appearance(placement.page, signature_box(placement, signature), _image_style(signature))


def seal_appearance(page: int, signature: Box, seal: ImageSpec) -> Appearance:
    """The seal over the person's signature image `signature` (its widget rectangle)."""
    return Appearance(page, seal_box(signature, seal), _image_style(seal))


def text_stamp_appearance(placement: TextStampPlacement) -> Appearance:
    style = TextStampStyle(
        stamp_text="%(lines)s",
        border_width=0,
        background=None,
        text_box_style=TextBoxStyle(
            font=_StampFontFactory(stamp_font_path(), font_size=STAMP_FONT_SIZE),
            font_size=STAMP_FONT_SIZE,
            leading=round(STAMP_FONT_SIZE * 1.2),
            text_color=(0, 0, 0),
            box_layout_rule=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MIN,
                y_align=layout.AxisAlignment.ALIGN_MAX,
                margins=layout.Margins.uniform(0),  # pyHanko's default adds 10 pt each side
            ),
        ),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN,
            y_align=layout.AxisAlignment.ALIGN_MAX,
            margins=layout.Margins.uniform(STAMP_PADDING),
            inner_content_scaling=layout.InnerScaling.NO_SCALING,
        ),
    )
    return Appearance(0, text_stamp_box(placement), style, {"lines": "\n".join(placement.lines)})
