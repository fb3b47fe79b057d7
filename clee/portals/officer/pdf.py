"""PDF documents (transcript, compliance certificate) rendered by WeasyPrint from templates."""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


def pdf_bytes(request: HttpRequest, template: str, context: dict[str, Any]) -> bytes:
    """The PDF of ``template`` rendered with ``context``."""
    # WeasyPrint logs each rendering step at INFO, from its import on: quiet it first. Imported
    # here, not at the top: it takes a while, and most requests never render a PDF.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    from weasyprint import HTML  # type: ignore[import-untyped]
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    html = render_to_string(template, context, request=request)
    # The templates carry their own styles: only inline data: URLs are read, so no text a user
    # typed can make the server open a URL or a file.
    fetcher = URLFetcher(allowed_protocols=["data"])
    pdf: bytes = HTML(string=html, url_fetcher=fetcher).write_pdf()
    return pdf


def pdf_response(
    request: HttpRequest, template: str, context: dict[str, Any], file_name: str
) -> HttpResponse:
    """A PDF download named ``file_name``.pdf, kept out of shared caches."""
    response = HttpResponse(pdf_bytes(request, template, context), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{file_name}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
