"""A plain, valid PDF of about the size asked for (text pages, no active content), like a
citizen's scanned-and-OCRed paper, for upload benchmarks."""

from __future__ import annotations

PAGE_BYTES = 50_000


def _page_content(page: int, size: int) -> bytes:
    lines: list[str] = []
    y, body = 800, 0
    while body < size:
        text = f"Trang {page} - dong {len(lines) + 1}: noi dung giay to"
        line = f"BT /F1 9 Tf 40 {y} Td ({text}) Tj ET\n"
        lines.append(line)
        body += len(line)
        y = 800 if y < 60 else y - 11
    return "".join(lines).encode("ascii")


def make_pdf(size: int = 200 * 1024) -> bytes:
    pages = max(1, round(size / PAGE_BYTES))
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, once the page numbers are known
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    kids = []
    for page in range(pages):
        content = _page_content(page + 1, size // pages - 300)
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        content_ref = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % content_ref
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), pages)
    out, offsets = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
