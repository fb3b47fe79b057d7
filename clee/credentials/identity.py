"""Who issues CLEE's credentials: the program, named by the ``did:web`` of its site.

``did:web:clee.example.gov`` resolves to ``https://clee.example.gov/.well-known/did.json``
(W3C did:web method), the document ``did_document`` builds from the published signing keys.
The site's address is ``CLEE_SITE_URL``: credentials name it, so it must be the public address
that other states and employers reach.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings

from clee.credentials.keys import published_keys

DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
# Without CLEE_SITE_URL (development), the address `make run` serves.
DEVELOPMENT_SITE = "http://127.0.0.1:8000"


def site_url() -> str:
    """The site's public address, without a trailing slash."""
    return (settings.CLEE_SITE_URL or DEVELOPMENT_SITE).rstrip("/")


def issuer_did(url: str | None = None) -> str:
    """The ``did:web`` of a site address: the host (its port written ``%3A``), then each path
    segment after a colon."""
    parts = urlsplit(url or site_url())
    host = quote(parts.netloc, safe="")
    segments = [quote(segment, safe="") for segment in parts.path.split("/") if segment]
    return ":".join(["did:web", host, *segments])


def program_name() -> str:
    return settings.CLEE_PROGRAM_NAME


def issuer_profile() -> dict[str, Any]:
    """The issuer as an Open Badges ``Profile``."""
    return {"id": issuer_did(), "type": ["Profile"], "name": program_name(), "url": site_url() + "/"}


def did_document() -> dict[str, Any]:
    """The DID document: every published key as a ``Multikey`` assertion method."""
    did = issuer_did()
    methods = [
        {
            "id": f"{did}#{key.key_id}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key.public_key_multibase,
        }
        for key in published_keys()
    ]
    return {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def status_list_url(list_id: int) -> str:
    return f"{site_url()}/credentials/status/{list_id}"
