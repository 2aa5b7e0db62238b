"""Demo signature and seal images (Pillow), for the demo province and the tests only: a blue
handwritten-looking signature and a red round seal, both PNG on a transparent background
(Decree 30/2020 App. I). Real images are scanned by the agency and uploaded."""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

DPI = 300
PX_PER_MM = DPI / 25.4
SIGNATURE_BLUE = (20, 40, 170, 255)
SEAL_RED = (220, 20, 30, 255)
SEAL_DIAMETER_MM = 38.0  # round seals of state agencies are typically 36–40 mm
SEAL_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
)


@dataclass(frozen=True)
class GeneratedImage:
    png: bytes
    width_mm: float
    height_mm: float


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(DPI, DPI), optimize=True)
    return buffer.getvalue()


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in SEAL_FONTS:
        if Path(path).is_file():
            return ImageFont.truetype(path, size=size)
    return ImageFont.load_default(size=size)


def signature_image(
    name: str, *, width_mm: float = 45.0, height_mm: float = 22.0
) -> GeneratedImage:
    """A flowing blue scribble, seeded by the name so each person keeps the same signature."""
    width, height = round(width_mm * PX_PER_MM), round(height_mm * PX_PER_MM)
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    rng = random.Random(name)  # noqa: S311 - a drawing, not a secret
    points = []
    loops = 5 + len(name) % 4
    for step in range(loops * 24 + 1):
        t = step / 24
        x = width * (0.08 + 0.84 * t / loops)
        y = height * (
            0.5 + 0.32 * math.sin(t * 2 * math.pi + rng.random() * 0.3) * (1 - t / (loops * 1.4))
        )
        points.append((x + 0.04 * width * math.cos(t * 2 * math.pi), y))
    draw.line(points, fill=SIGNATURE_BLUE, width=max(3, height // 40), joint="curve")
    underline_y = height * 0.82
    draw.line(
        [(width * 0.15, underline_y), (width * 0.9, underline_y - height * 0.08)],
        fill=SIGNATURE_BLUE,
        width=max(3, height // 50),
    )
    return GeneratedImage(_png(image), width_mm, height_mm)


def _star(centre: tuple[float, float], radius: float) -> list[tuple[float, float]]:
    points = []
    for index in range(10):
        r = radius if index % 2 == 0 else radius * 0.4
        angle = -math.pi / 2 + index * math.pi / 5
        points.append((centre[0] + r * math.cos(angle), centre[1] + r * math.sin(angle)))
    return points


def _rim_text(image: Image.Image, text: str, radius: float, size: int) -> None:
    """Write `text` around the upper rim, each letter rotated to face outwards."""
    font = _font(size)
    centre = image.width / 2
    span = math.radians(300)
    step = span / max(len(text), 1)
    for index, letter in enumerate(text):
        angle = -math.pi / 2 - span / 2 + step * (index + 0.5)
        tile = Image.new("RGBA", (size * 2, size * 2), (0, 0, 0, 0))
        ImageDraw.Draw(tile).text((size, size), letter, font=font, fill=SEAL_RED, anchor="mm")
        tile = tile.rotate(-math.degrees(angle) - 90, resample=Image.Resampling.BICUBIC)
        x = centre + radius * math.cos(angle) - size
        y = centre + radius * math.sin(angle) - size
        image.alpha_composite(tile, (round(x), round(y)))


def seal_image(agency_name: str, *, diameter_mm: float = SEAL_DIAMETER_MM) -> GeneratedImage:
    """A red round seal: double rim, the agency's name around it, a star in the centre."""
    size = round(diameter_mm * PX_PER_MM)
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    line = max(4, size // 60)
    draw.ellipse((line, line, size - line, size - line), outline=SEAL_RED, width=line * 2)
    inner = size * 0.29
    centre = size / 2
    draw.ellipse(
        (centre - inner, centre - inner, centre + inner, centre + inner),
        outline=SEAL_RED,
        width=line,
    )
    draw.polygon(_star((centre, centre), inner * 0.8), fill=SEAL_RED)
    _rim_text(image, agency_name.upper(), size * 0.38, max(12, size // 14))
    return GeneratedImage(_png(image), diameter_mm, diameter_mm)
