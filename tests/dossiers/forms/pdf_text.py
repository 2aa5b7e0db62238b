"""Reading the forms back the way a person or an inspector would: poppler's pdftotext and
pdfinfo (poppler-utils, installed by .ci/run), pdfimages for the QR code."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from pathlib import Path

import qrcode
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader

POINTS_PER_MM = 72 / 25.4
A5 = (148, 210)
A4_LANDSCAPE = (297, 210)


def _run(*args: str, pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        return subprocess.run(
            [*args, handle.name, "-"] if args[0] == "pdftotext" else [*args, handle.name],
            check=True,
            capture_output=True,
            text=True,
        ).stdout


def text_of(pdf: bytes) -> str:
    """The words of every page, whitespace collapsed (lines wrap where the layout says)."""
    return " ".join(_run("pdftotext", "-enc", "UTF-8", pdf=pdf).split())


def page_sizes_mm(pdf: bytes) -> list[tuple[int, int]]:
    info = _run("pdfinfo", "-f", "1", "-l", "9999", pdf=pdf)
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
    return [(round(float(w) / POINTS_PER_MM), round(float(h) / POINTS_PER_MM)) for w, h in sizes]


def embedded_fonts(pdf: bytes) -> list[str]:
    """One line per font of pdffonts: name, type, encoding, emb, sub, uni."""
    return _run("pdffonts", pdf=pdf).splitlines()[2:]


def images(pdf: bytes) -> list[Image.Image]:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "form.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdfimages", "-png", str(source), f"{folder}/img"], check=True)
        return [Image.open(path).convert("L") for path in sorted(Path(folder).glob("img-*.png"))]


def qr_matrix_of_image(image: Image.Image, modules: int) -> list[list[bool]]:
    """Sample the centre of each of the modules × modules cells of a QR image."""
    box, pixels = image.width / modules, image.tobytes()  # mode L: one byte a pixel
    centres = [int(box * index + box / 2) for index in range(modules)]
    return [[pixels[y * image.width + x] < 128 for x in centres] for y in centres]


def qr_matrix_of_text(text: str) -> list[list[bool]]:
    """The modules (with the 2-module quiet zone) of the QR code qrcode makes for `text`."""
    code = qrcode.QRCode(border=2)
    code.add_data(text)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


def link_uris(pdf: bytes) -> set[str]:
    """The targets of the link annotations on every page."""
    reader = PdfFileReader(io.BytesIO(pdf))
    uris = set()
    for page in reader.root["/Pages"]["/Kids"]:
        for annotation in page.get_object().get("/Annots", []):
            action = annotation.get_object().get("/A")
            if action is not None and "/URI" in action.get_object():
                uris.add(str(action.get_object()["/URI"]))
    return uris
