"""Running the independent verifier (verify_vc.mjs, Digital Bazaar's implementation from the
npm registry) on a credential, from any test."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

VERIFIER = Path(__file__).with_name("verify_vc.mjs")


def independent_verify(credential: str) -> dict[str, Any]:
    """The verifier's answer: ``{"verified": bool, "revoked": bool | None, "error": str}``.
    It resolves the issuer's did:web over plain HTTP (the test server has no TLS)."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: the independent verifier runs on Node.js (make setup needs it too)")
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8", delete=False) as file:
        file.write(credential)
    try:
        run = subprocess.run(
            [node, str(VERIFIER), file.name],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "DID_WEB_SCHEME": "http"},
            check=False,
        )
    finally:
        Path(file.name).unlink(missing_ok=True)
    assert run.returncode == 0, run.stderr[-2000:]
    answer: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return answer
