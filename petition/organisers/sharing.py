"""A petition's address as a QR code, for posters and leaflets."""

import io

import segno

QR_FORMATS = {"svg": "image/svg+xml", "png": "image/png"}


def qr_code(url: str, fmt: str) -> bytes:
    """The QR code of a URL as SVG (sharp at any print size) or PNG (for documents and chats)."""
    if fmt not in QR_FORMATS:
        raise ValueError(f"unknown image format {fmt!r}")
    # Level M survives a poster's creases and tape; a quiet zone of 4 modules is what scanners expect.
    code = segno.make(url, error="m", micro=False)
    buffer = io.BytesIO()
    extra = {"title": "QR code of the petition's address"} if fmt == "svg" else {}
    code.save(buffer, kind=fmt, scale=10, border=4, **extra)
    return buffer.getvalue()
