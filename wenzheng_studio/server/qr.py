"""QR codes for the public voting address (qrcode's SVG factory: no Pillow needed)."""

from __future__ import annotations

import functools
import io

import qrcode
import qrcode.image.svg


@functools.lru_cache(maxsize=64)
def qr_svg(data: str) -> bytes:
    img = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathFillImage, border=2,
                      error_correction=qrcode.constants.ERROR_CORRECT_M)
    buf = io.BytesIO()
    img.save(buf)
    return buf.getvalue()
