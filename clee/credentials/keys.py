"""The program's signing keys: private halves in files outside the database, public halves in
``SigningKey`` rows (what the DID document publishes).

``manage.py credential_keys generate`` makes a new Ed25519 key: its private half is written to
``<CLEE_CREDENTIAL_KEYS_DIR>/<key id>.pem`` (PKCS#8, readable by its owner only), its public half
registered as the active key, and the key it replaces retired (still published, so the
credentials it signed keep verifying). Every process that issues credentials or publishes the
status lists reads the active key's file; a file whose public half is not the registered one is
refused. docs/operations.md §8 says how to rotate and withdraw keys.
"""

from __future__ import annotations

import functools
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clee.core.actions import AuditAction
from clee.core.audit import record_event
from clee.core.errors import ServiceError
from clee.credentials.models import SigningKey
from clee.credentials.proofs import public_key_from_multibase, public_key_multibase

if TYPE_CHECKING:
    from clee.accounts.models import User

PUBLISHED = (SigningKey.Status.ACTIVE, SigningKey.Status.RETIRED)


def keys_directory() -> Path:
    return Path(settings.CLEE_CREDENTIAL_KEYS_DIR)


def key_file(key_id: str, directory: Path | None = None) -> Path:
    return (directory or keys_directory()) / f"{key_id}.pem"


def _write_private_key(path: Path, key: Ed25519PrivateKey) -> None:
    """Write the key for its owner alone; never over an existing file."""
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)


def signing_key_generate(*, acting_user: User | None = None, directory: Path | None = None) -> SigningKey:
    """A new active signing key (the one before it retired); returns its row.

    The private key is written first, then registered in one transaction with its audit row;
    if the registration fails the file is removed again.
    """
    directory = directory or keys_directory()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    key_id = f"key-{timezone.localdate():%Y%m%d}-{secrets.token_hex(3)}"
    path = key_file(key_id, directory)
    _write_private_key(path, key)
    try:
        return _register(key_id, public_key_multibase(key.public_key()), acting_user)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


@transaction.atomic
def _register(key_id: str, multibase: str, acting_user: User | None) -> SigningKey:
    now = timezone.now()
    for previous in SigningKey.objects.select_for_update().filter(status=SigningKey.Status.ACTIVE):
        previous.status = SigningKey.Status.RETIRED
        previous.retired_at = now
        previous.save(update_fields=["status", "retired_at", "updated_at"])
        record_event(
            actor=acting_user,
            action=AuditAction.CREDENTIALS_KEY_RETIRE,
            target=previous,
            summary=f"signing key {previous.key_id} retired (replaced by {key_id}); still published",
        )
    created = SigningKey.objects.create(key_id=key_id, public_key_multibase=multibase)
    record_event(
        actor=acting_user,
        action=AuditAction.CREDENTIALS_KEY_GENERATE,
        target=created,
        summary=f"signing key {key_id} generated; it signs new credentials",
        data={"public_key_multibase": multibase},
    )
    return created


@transaction.atomic
def signing_key_withdraw(*, key: SigningKey, reason: str, acting_user: User | None = None) -> SigningKey:
    """Stop publishing a key (lost or exposed): nothing it signed verifies any more. Returns it."""
    reason = " ".join(reason.split())
    if not reason:
        raise ServiceError("say why the key is withdrawn", field="reason")
    key = SigningKey.objects.select_for_update().get(pk=key.pk)
    if key.status == SigningKey.Status.WITHDRAWN:
        raise ServiceError(f"{key.key_id} was already withdrawn")
    key.status = SigningKey.Status.WITHDRAWN
    key.withdrawn_at = timezone.now()
    key.withdrawn_reason = reason[:300]
    key.save(update_fields=["status", "withdrawn_at", "withdrawn_reason", "updated_at"])
    record_event(
        actor=acting_user,
        action=AuditAction.CREDENTIALS_KEY_WITHDRAW,
        target=key,
        summary=f"signing key {key.key_id} withdrawn: {reason}",
    )
    return key


@dataclass(frozen=True)
class Signer:
    key_id: str
    private_key: Ed25519PrivateKey


@functools.lru_cache(maxsize=8)
def _load_private_key(path: str, modified: float) -> Ed25519PrivateKey:
    del modified  # part of the cache key only: a replaced file is read again
    loaded = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ServiceError(f"{path} does not hold an Ed25519 key")
    return loaded


def active_signer() -> Signer:
    """The active key with its private half; ``ServiceError`` when there is none, or its file is
    missing or is not the registered key."""
    key = SigningKey.objects.filter(status=SigningKey.Status.ACTIVE).first()
    if key is None:
        raise ServiceError(
            "the program has no signing key yet: an operator runs `manage.py credential_keys generate`"
        )
    path = key_file(key.key_id)
    try:
        private_key = _load_private_key(str(path), path.stat().st_mtime)
    except (OSError, ValueError) as error:
        raise ServiceError(f"the signing key {key.key_id} cannot be read from {path}") from error
    if public_key_multibase(private_key.public_key()) != key.public_key_multibase:
        raise ServiceError(f"{path} is not the registered signing key {key.key_id}")
    return Signer(key_id=key.key_id, private_key=private_key)


def published_keys() -> list[SigningKey]:
    """The keys the DID document lists: the active one and the retired ones, newest first."""
    return list(SigningKey.objects.filter(status__in=PUBLISHED))


def published_public_keys(did: str) -> dict[str, Ed25519PublicKey]:
    """Verification method id -> public key, for every published key."""
    return {
        f"{did}#{key.key_id}": public_key_from_multibase(key.public_key_multibase) for key in published_keys()
    }
