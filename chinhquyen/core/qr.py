"""QR codes of links printed or sent to citizens (tracking page, result verification)."""

from __future__ import annotations

import base64
import io


def qr_png(text: str) -> bytes:
    """A PNG QR code of `text` (4-pixel modules, 2-module quiet zone: readable from paper and
    from a phone screen)."""
    import qrcode

    image = qrcode.make(text, box_size=4, border=2)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()


def qr_data_uri(text: str) -> str:
    """The same code as a `data:` URI for an <img> in a page."""
    return "data:image/png;base64," + base64.b64encode(qr_png(text)).decode("ascii")
