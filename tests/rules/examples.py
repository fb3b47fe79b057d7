"""Where the contract's two worked examples are read from.

The source is ``shared/examples/scenarios`` beside the checkout (or ``CLEE_SHARED_DIR``). A clone
made anywhere else reads the copy kept in ``tests/rules/worked``. When the source is there,
``test_worked_examples`` checks that the copy is still the same, byte for byte.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("CLEE_SHARED_DIR", ROOT.parent / "shared")) / "examples" / "scenarios"
COPY = Path(__file__).resolve().parent / "worked"
EXAMPLES = SHARED if SHARED.is_dir() else COPY
