"""Uploaded documents, served only to those allowed to see them
(``clee.training.access.access_document``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from clee.accounts.access import acting_user
from clee.training.access import access_document


@require_GET
@login_required
@xframe_options_sameorigin  # review pages show documents in place, in a frame of this site
def document_download(request: HttpRequest, document_id: int) -> FileResponse:
    """The file; ``?inline=1`` shows it in the browser (reviewers read documents in place)."""
    user = acting_user(request)
    document = access_document(user, document_id)
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=request.GET.get("inline") != "1",
        filename=document.original_name,
        content_type=document.content_type,
    )
    # Never sniffed into something else; shown in a sandbox with no scripts.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        "sandbox; default-src 'none'; img-src 'self'; object-src 'self'; frame-ancestors 'self'"
    )
    response["Cache-Control"] = "private, no-store"
    return response
