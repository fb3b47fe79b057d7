"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (W3C VC Data Integrity EdDSA
Cryptosuites v1.0, section 3.2), on Ed25519 keys written as Multikey.

The work is done by well-kept libraries: PyLD canonicalizes (RDFC-1.0, the standard form of
URDNA2015), ``cryptography`` signs and verifies with Ed25519, ``base58`` writes the multibase
values. What is here is the cryptosuite's recipe: hash the canonical proof options and the
canonical document (SHA-256 each), sign the two hashes joined, and write the signature as
base58-btc multibase.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from clee.credentials.contexts import document_loader

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
ASSERTION = "assertionMethod"
# Multicodec header of an Ed25519 public key (0xed, as a varint) in a Multikey value.
ED25519_PUB = b"\xed\x01"
# A proof dated this far ahead of the verifier's clock is refused (clocks disagree a little).
CLOCK_SKEW = dt.timedelta(minutes=5)


class ProofError(Exception):
    """Why a proof does not verify, in words a person can act on."""


def canonize(document: dict[str, Any]) -> str:
    """The RDFC-1.0 canonical N-Quads of a JSON-LD document, read with CLEE's own contexts."""
    from pyld import jsonld  # type: ignore[import-untyped]

    try:
        text: str = jsonld.normalize(
            document,
            {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": document_loader},
        )
    except jsonld.JsonLdError as error:
        raise ProofError(f"the document cannot be read as JSON-LD: {_jsonld_reason(error)}") from error
    return text


def _jsonld_reason(error: Exception) -> str:
    cause = error
    while getattr(cause, "cause", None) is not None:
        cause = cause.cause  # type: ignore[attr-defined]
    return str(getattr(cause, "message", None) or cause).splitlines()[0][:200]


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    """The Multikey ``publicKeyMultibase`` of an Ed25519 public key (``z6Mk...``)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + base58.b58encode(ED25519_PUB + raw).decode("ascii")


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    """The Ed25519 public key of a ``publicKeyMultibase``; ``ProofError`` if it is not one."""
    if not value.startswith("z"):
        raise ProofError("the key is not base58-btc multibase")
    try:
        decoded = base58.b58decode(value[1:])
    except ValueError as error:
        raise ProofError("the key is not base58-btc multibase") from error
    if len(decoded) != 34 or not decoded.startswith(ED25519_PUB):
        raise ProofError("the key is not an Ed25519 Multikey")
    return Ed25519PublicKey.from_public_bytes(decoded[2:])


def _hash_data(document: dict[str, Any], options: dict[str, Any]) -> bytes:
    """The bytes signed (cryptosuite §3.2.3-3.2.5): SHA-256 of the canonical proof options,
    then SHA-256 of the canonical document without its proof."""
    unsigned = {key: value for key, value in document.items() if key != "proof"}
    config = {key: value for key, value in options.items() if key != "proofValue"}
    config["@context"] = document["@context"]
    return (
        hashlib.sha256(canonize(config).encode()).digest()
        + hashlib.sha256(canonize(unsigned).encode()).digest()
    )


def timestamp(moment: dt.datetime) -> str:
    """An XML Schema dateTime in UTC to the second, as the proofs and credentials write it."""
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def proof_add(
    document: dict[str, Any],
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: dt.datetime,
) -> dict[str, Any]:
    """A copy of ``document`` with an ``eddsa-rdfc-2022`` proof by ``verification_method``."""
    options: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": timestamp(created),
        "verificationMethod": verification_method,
        "proofPurpose": ASSERTION,
    }
    signature = private_key.sign(_hash_data(document, options))
    signed = copy.deepcopy(document)
    signed["proof"] = {**options, "proofValue": "z" + base58.b58encode(signature).decode("ascii")}
    return signed


@dataclass(frozen=True)
class ProofChecked:
    verification_method: str
    created: dt.datetime


def proof_verify(
    document: dict[str, Any], *, public_keys: dict[str, Ed25519PublicKey], now: dt.datetime
) -> ProofChecked:
    """Check the document's one ``eddsa-rdfc-2022`` proof against ``public_keys`` (verification
    method id -> key: the issuer's published assertion methods). Returns what was checked;
    raises ``ProofError`` saying what is wrong."""
    proof = document.get("proof")
    if isinstance(proof, list):
        if len(proof) != 1:
            raise ProofError("the credential carries several proofs; CLEE's carry one")
        proof = proof[0]
    if not isinstance(proof, dict):
        raise ProofError("the credential is not signed (it has no proof)")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError(
            f"the proof is {proof.get('type')!r} / {proof.get('cryptosuite')!r}; "
            f"CLEE signs with {PROOF_TYPE} / {CRYPTOSUITE}"
        )
    if proof.get("proofPurpose") != ASSERTION:
        raise ProofError(f"the proof's purpose is {proof.get('proofPurpose')!r}, not {ASSERTION}")
    if "@context" in proof and proof["@context"] != document.get("@context"):
        raise ProofError("the proof's @context differs from the credential's")
    method = proof.get("verificationMethod")
    if not isinstance(method, str) or method not in public_keys:
        raise ProofError(f"the proof names a key the issuer does not publish ({str(method)[:120]})")
    created = parse_datetime(proof.get("created"))
    if created is None:
        raise ProofError("the proof has no valid creation time")
    if created > now + CLOCK_SKEW:
        raise ProofError("the proof is dated in the future")
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        raise ProofError("the proof value is not base58-btc multibase")
    try:
        signature = base58.b58decode(value[1:])
    except ValueError as error:
        raise ProofError("the proof value is not base58-btc multibase") from error
    if len(signature) != 64:
        raise ProofError("the proof value is not an Ed25519 signature")
    options = {key: item for key, item in proof.items() if key != "@context"}
    try:
        public_keys[method].verify(signature, _hash_data(document, options))
    except InvalidSignature as error:
        raise ProofError(
            "the signature does not match: the credential was changed after it was signed"
        ) from error
    return ProofChecked(verification_method=method, created=created)


def parse_datetime(value: Any) -> dt.datetime | None:
    """An aware datetime from an XML Schema dateTime, or None."""
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
