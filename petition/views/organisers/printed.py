"""A printed document for organisers: the PDF as a download, or a page saying why it cannot be
made on this server."""

from collections.abc import Callable

from flask import Response, render_template
from flask_babel import gettext as _


def printed_document(make: Callable[[], bytes], filename: str) -> Response | tuple[str, int]:
    """The PDF `make` draws, to download as `filename`; 503 with the reason when a font is missing."""
    # Imported here: the PDF library takes longer to load than the rest of the app together,
    # and each web worker would pay for it at start-up although few requests need it.
    from petition.exports.document import DocumentFontError

    try:
        pdf = make()
    except DocumentFontError as error:
        page = render_template(
            "errors/error.html",
            code=503,
            title=_("The PDF cannot be made here"),
            message=str(error),
        )
        return page, 503
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
