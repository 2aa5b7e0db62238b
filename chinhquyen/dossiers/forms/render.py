"""HTML template → PDF with WeasyPrint (ARCHITECTURE: PDF from HTML templates, Vietnamese fonts
embedded).

The fonts are Liberation Serif 2 (Debian fonts-liberation2): the metrics of Times New Roman, which
Decree 30/2020 App. I prescribes and which cannot be shipped, with every Vietnamese letter. They
are loaded from their files by @font-face and embedded (subset) in each PDF, so a PDF shows the
same letters on any machine; a missing file is an error, never a silent fallback to whatever
fontconfig finds. WeasyPrint fetches nothing else: only `data:` URIs (the QR code) and the font
files, whatever text a dossier holds."""

from __future__ import annotations

import base64
import io
import logging
import threading
from functools import cache
from pathlib import Path
from typing import Any

import qrcode
from django.template.loader import render_to_string
from PIL import Image
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from chinhquyen.dossiers.forms.editions import FormEdition
from chinhquyen.dossiers.forms.user_agent import FormHTML

FONT_DIR = Path("/usr/share/fonts/truetype/liberation2")  # Debian package fonts-liberation2
FONT_FILES = {
    ("normal", "normal"): "LiberationSerif-Regular.ttf",
    ("bold", "normal"): "LiberationSerif-Bold.ttf",
    ("normal", "italic"): "LiberationSerif-Italic.ttf",
    ("bold", "italic"): "LiberationSerif-BoldItalic.ttf",
}
FONT_FAMILY = "CQ Serif"  # a private name, so fontconfig can never substitute another font


class FormFontMissing(RuntimeError):
    """The machine lacks the fonts the forms embed: an installation fault, not bad input."""


@cache
def font_faces() -> tuple[dict[str, str], ...]:
    """The @font-face rules of the forms; raises FormFontMissing naming the missing files."""
    paths = {key: FONT_DIR / name for key, name in FONT_FILES.items()}
    missing = [str(path) for path in paths.values() if not path.is_file()]
    if missing:
        raise FormFontMissing(
            "Thiếu phông chữ để in biểu mẫu: "
            + ", ".join(missing)
            + " (cài gói Debian fonts-liberation2)."
        )
    return tuple(
        {"weight": weight, "style": style, "url": path.as_uri()}
        for (weight, style), path in paths.items()
    )


@cache
def _allowed_files() -> frozenset[str]:
    return frozenset(face["url"] for face in font_faces())


class _FormFetcher(URLFetcher):
    """Only `data:` URIs and the font files: a form never reads another file or the network."""

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:") or url in _allowed_files():
            response: URLFetcherResponse = super().fetch(url, headers)
            return response
        raise ValueError(f"Biểu mẫu không được tải tài nguyên ngoài: {url[:80]}")


def qr_data_uri(text: str) -> str:
    """The QR code as a PNG data URI, one pixel per module with a quiet zone of 2 modules: the
    page scales it up without smoothing (image-rendering: pixelated), so it prints sharp at any
    size and costs a fraction of a module-per-4-pixels drawing."""
    code = qrcode.QRCode(border=2)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    pixels = bytes(0 if dark else 255 for row in matrix for dark in row)
    image = Image.frombytes("L", (len(matrix), len(matrix)), pixels)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


_local = threading.local()

# WeasyPrint reports each step of each PDF at INFO; at the site's INFO level that is seven lines
# per form. Its warnings (a resource it could not load) still show.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def _font_config() -> FontConfiguration:
    """One font configuration per thread: the @font-face files are loaded once, not per PDF."""
    config = getattr(_local, "font_config", None)
    if config is None:
        config = _local.font_config = FontConfiguration()
    return config


def _stylesheet() -> CSS:
    """The shared style (forms.css), parsed once per thread with that thread's fonts."""
    sheet = getattr(_local, "stylesheet", None)
    if sheet is None:
        text = render_to_string(
            "dossiers/forms/forms.css", {"font_faces": font_faces(), "font_family": FONT_FAMILY}
        )
        sheet = _local.stylesheet = CSS(
            string=text, font_config=_font_config(), url_fetcher=_fetcher()
        )
    return sheet


def _fetcher() -> _FormFetcher:
    return _FormFetcher(allowed_protocols=("data", "file"))


def render_form_html(edition: FormEdition, context: dict[str, Any]) -> str:
    """`edition`'s template filled with `context` (from the builders in `context`)."""
    page = {"font_family": FONT_FAMILY, "edition": edition}
    if "tracking_url" in context:
        page["qr"] = qr_data_uri(context["tracking_url"])
    return render_to_string(edition.template, {**context, **page})


def write_form_pdf(html: str, document_class: type[HTML] = FormHTML) -> bytes:
    """A form's HTML laid out with the forms' style and fonts, as PDF bytes."""
    font_faces()  # a missing font fails here, even with the stylesheet already parsed
    document = document_class(string=html, url_fetcher=_fetcher())
    pdf: bytes = document.write_pdf(stylesheets=[_stylesheet()], font_config=_font_config())
    return pdf


def render_form_pdf(edition: FormEdition, context: dict[str, Any]) -> bytes:
    """Render `edition`'s template with `context` (from the builders in `context`) to PDF bytes."""
    font_faces()
    return write_form_pdf(render_form_html(edition, context))
