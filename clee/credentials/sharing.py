"""A credential carried in a QR code: the whole signed credential, compact JSON compressed with
DEFLATE and written base64url, after ``#`` in the address of the verification page. A phone's
camera opens the page, whose script hands the part after ``#`` to the check (the fragment never
reaches a server log); a verifier elsewhere can read it the same way without CLEE."""

from __future__ import annotations

import base64
import json
import zlib

import segno

from clee.credentials.identity import site_url

PREFIX = "/verify/credential/#"
# Inflated, a credential is a few kilobytes: anything larger is refused, never expanded.
MAX_INFLATED = 64 * 1024


class PackedError(ValueError):
    pass


def pack(document: str) -> str:
    compact = json.dumps(json.loads(document), separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(zlib.compress(compact, 9)).decode("ascii").rstrip("=")


def unpack(packed: str) -> str:
    """The credential JSON of a packed value; ``PackedError`` when it is not one."""
    text = packed.strip().lstrip("#")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        inflater = zlib.decompressobj()
        inflated = inflater.decompress(raw, MAX_INFLATED + 1)
    except (ValueError, zlib.error) as error:
        raise PackedError("the QR code does not hold a CLEE credential") from error
    if len(inflated) > MAX_INFLATED or not inflater.eof:
        raise PackedError("the QR code holds more than a credential")
    try:
        return inflated.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PackedError("the QR code does not hold a CLEE credential") from error


def verification_address(document: str) -> str:
    return site_url() + PREFIX + pack(document)


def qr_code(document: str) -> segno.QRCode:
    """The QR code of the credential's verification address (error correction L: the printed
    code is large and the whole credential must fit)."""
    return segno.make(verification_address(document), error="l", micro=False)
