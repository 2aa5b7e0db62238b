"""Small, valid PDFs made from scratch for the signing tests and benchmarks.

Page 1 carries a signature block like an administrative document (Decree 30/2020 App. I):
the signer's title line ("TM. UY BAN NHAN DAN / CHU TICH") and, lower, the signer's name, with
room between them for the signature image. `SIGNATURE_BLOCK` says where they are."""

from __future__ import annotations

from dataclasses import dataclass

PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4 in points


@dataclass(frozen=True)
class SignatureBlock:
    """Where the title line's baseline and the name's baseline sit (PDF points, page 1)."""

    centre_x: float
    title_baseline_y: float
    name_baseline_y: float
    font_size: float


SIGNATURE_BLOCK = SignatureBlock(
    centre_x=420, title_baseline_y=300, name_baseline_y=190, font_size=13
)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _text(x: float, y: float, size: float, text: str) -> str:
    return f"BT /F1 {size} Tf {x:.1f} {y:.1f} Td ({_escape(text)}) Tj ET\n"


def _centred(centre_x: float, y: float, size: float, text: str) -> str:
    # Times-Roman averages about half an em per character; good enough to centre a line.
    return _text(centre_x - len(text) * size * 0.25, y, size, text)


def _page_content(number: int, pages: int) -> bytes:
    lines = [_text(72, 780, 12, f"UY BAN NHAN DAN TINH HUNG YEN - trang {number}/{pages}")]
    lines += [
        _text(72, 740 - 18 * i, 12, f"Noi dung dong {i + 1} cua trang {number}.") for i in range(20)
    ]
    if number == 1:
        block = SIGNATURE_BLOCK
        lines.append(
            _centred(
                block.centre_x, block.title_baseline_y + 18, block.font_size, "TM. UY BAN NHAN DAN"
            )
        )
        lines.append(_centred(block.centre_x, block.title_baseline_y, block.font_size, "CHU TICH"))
        lines.append(
            _centred(block.centre_x, block.name_baseline_y, block.font_size, "Nguyen Van An")
        )
    return "".join(lines).encode("latin-1")


def make_pdf(pages: int = 5) -> bytes:
    """A PDF 1.7 file with `pages` A4 pages of text and a classic cross-reference table."""
    objects: list[bytes] = []
    page_ids = [4 + 2 * i for i in range(pages)]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{pid} 0 R" for pid in page_ids)
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>")
    for index in range(pages):
        content = _page_content(index + 1, pages)
        page = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {page_ids[index] + 1} 0 R >>"
        )
        objects.append(page.encode())
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref_at,
    )
    return bytes(out)
