"""The ``encodedList`` of a Bitstring Status List (W3C Bitstring Status List v1.0, §2.1): the
bits, first index in the most significant bit of the first byte, GZIP-compressed and written as
base64url multibase (``u`` then base64url without padding)."""

from __future__ import annotations

import base64
import gzip
import zlib
from collections.abc import Iterable


class BitstringError(ValueError):
    """An encoded list that cannot be read."""


def bits_set(size: int, indexes: Iterable[int]) -> bytes:
    """``size`` bits (a multiple of 8) with the bits at ``indexes`` set."""
    bits = bytearray(size // 8)
    for index in indexes:
        if not 0 <= index < size:
            raise BitstringError(f"index {index} is outside a list of {size}")
        bits[index // 8] |= 0x80 >> (index % 8)
    return bytes(bits)


def encode(bits: bytes) -> str:
    # mtime=0: the same bits always give the same text.
    compressed = gzip.compress(bits, compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")


def decode(encoded: str, *, max_bytes: int = 2 * 1024 * 1024) -> bytes:
    """The bits of an ``encodedList``; refuses one larger than ``max_bytes`` once expanded."""
    if not encoded.startswith("u"):
        raise BitstringError("the list is not base64url multibase")
    body = encoded[1:]
    try:
        compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        bits = inflater.decompress(compressed, max_bytes + 1)
    except (ValueError, zlib.error) as error:
        raise BitstringError("the list is not GZIP-compressed base64url") from error
    if len(bits) > max_bytes:
        raise BitstringError("the list is too large")
    return bits


def bit_at(bits: bytes, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        raise BitstringError(f"index {index} is outside a list of {len(bits) * 8}")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))
